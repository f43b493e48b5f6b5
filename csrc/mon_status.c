#include "mon_status.h"

const char *mon_status_str(mon_status status)
{
    switch (status) {
    case MON_OK: return "ok";
    case MON_E_NULL: return "a required pointer argument is NULL";
    case MON_E_SIZE: return "buffer too small, or a size is zero or too large";
    case MON_E_LENGTH: return "array lengths do not match, or a length is zero";
    case MON_E_EMPTY: return "empty window: the total count is 0";
    case MON_E_EDGES: return "bin edges must be strictly increasing and not NaN";
    case MON_E_VALUE: return "argument outside its documented domain";
    case MON_E_OVERFLOW: return "total exceeds the supported limit";
    case MON_E_CONFIG: return "invalid configuration";
    case MON_E_MISMATCH: return "configurations do not match";
    case MON_E_FORMAT: return "malformed bytes: bad magic, version or field";
    case MON_E_CHECKSUM: return "checksum mismatch: the bytes are corrupted";
    case MON_E_TRUNCATED: return "truncated bytes: shorter than the header says";
    case MON_E_STATE: return "object not initialised or its state is corrupted";
    case MON_E_ALIGN: return "buffer is not 8-byte aligned";
    }
    return "unknown status code";
}

const char *mon_status_name(mon_status status)
{
    switch (status) {
    case MON_OK: return "MON_OK";
    case MON_E_NULL: return "MON_E_NULL";
    case MON_E_SIZE: return "MON_E_SIZE";
    case MON_E_LENGTH: return "MON_E_LENGTH";
    case MON_E_EMPTY: return "MON_E_EMPTY";
    case MON_E_EDGES: return "MON_E_EDGES";
    case MON_E_VALUE: return "MON_E_VALUE";
    case MON_E_OVERFLOW: return "MON_E_OVERFLOW";
    case MON_E_CONFIG: return "MON_E_CONFIG";
    case MON_E_MISMATCH: return "MON_E_MISMATCH";
    case MON_E_FORMAT: return "MON_E_FORMAT";
    case MON_E_CHECKSUM: return "MON_E_CHECKSUM";
    case MON_E_TRUNCATED: return "MON_E_TRUNCATED";
    case MON_E_STATE: return "MON_E_STATE";
    case MON_E_ALIGN: return "MON_E_ALIGN";
    }
    return "MON_E_UNKNOWN";
}

const char *mon_version(void) { return MON_VERSION_STRING; }
