/*
 * mon_status.h - status codes shared by every function of the monitor C core.
 *
 * Every function that can fail returns a mon_status: MON_OK (0) on success, otherwise one of
 * the codes below, and writes results only through its pointer arguments. On failure no output
 * is partially updated unless the function's comment says so.
 *
 * Objects (histogram, ring, service counters, binner) are validated by every function that
 * takes one, before any other access: NULL -> MON_E_NULL, not 8-byte aligned -> MON_E_ALIGN,
 * not initialised or corrupted -> MON_E_STATE (functions that return a count or pointer
 * document their own "nothing done" value).
 *
 * Alignment. Arrays of the host's data - values to record, to bin or to select from,
 * category codes, bin edges - may have any alignment (the core reads them with memcpy loads,
 * or copies them in aligned chunks): a buffer from a packed record or np.frombuffer at an odd
 * offset is handled, not refused. Every other typed pointer - objects, outputs, scratch
 * arrays, count vectors, parameter arrays (quantile fractions, ranks), structs - must be
 * aligned for its type on the target (8 bytes for objects), else MON_E_ALIGN: those are the
 * caller's own variables, and a misaligned one is a bug worth reporting. No function ever
 * dereferences a misaligned pointer.
 */
#ifndef MON_STATUS_H
#define MON_STATUS_H

#include "mon_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN (this block is read verbatim by the cffi build: plain C declarations only) */
typedef enum mon_status {
    MON_OK = 0,
    MON_E_NULL = 1,       /* a required pointer argument is NULL */
    MON_E_SIZE = 2,       /* caller buffer too small, or a size/length is zero or too large */
    MON_E_LENGTH = 3,     /* array lengths do not match, or a length is zero */
    MON_E_EMPTY = 4,      /* a window/count vector has total count 0 */
    MON_E_EDGES = 5,      /* bin edges are NaN or not strictly increasing */
    MON_E_VALUE = 6,      /* an argument value is outside its documented domain */
    MON_E_OVERFLOW = 7,   /* a total exceeds the documented limit (e.g. 2^53 counts) */
    MON_E_CONFIG = 8,     /* invalid configuration */
    MON_E_MISMATCH = 9,   /* two objects have different configurations */
    MON_E_FORMAT = 10,    /* serialized bytes: bad magic, version or field */
    MON_E_CHECKSUM = 11,  /* serialized bytes: checksum does not match */
    MON_E_TRUNCATED = 12, /* serialized bytes: shorter than their header says */
    MON_E_STATE = 13,     /* object not initialised, or its state is corrupted */
    MON_E_ALIGN = 14      /* a pointer is not aligned for its type (objects: 8 bytes) */
} mon_status;

/* Human-readable message for a status (a static string; never NULL; thread-safe). */
const char *mon_status_str(mon_status status);

/* Name of the status constant, e.g. "MON_E_EMPTY" (a static string; never NULL). */
const char *mon_status_name(mon_status status);

/* Version of the linked library, "MAJOR.MINOR.PATCH" (MON_VERSION_STRING when it was built; a
 * static string; never NULL; thread-safe). Compare with the header's MON_VERSION_STRING to
 * detect a header/library mismatch. */
const char *mon_version(void);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_STATUS_H */
