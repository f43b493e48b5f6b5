/*
 * mon_reference.h - the binary reference format and its loader: a device gets the reference's
 * per-feature edges and counts without a JSON parser (docs/ledger.md, "Binary reference").
 *
 * Format version 1, every integer little-endian, doubles as their IEEE-754 bits (u64):
 *
 *   magic    8  "MONREFB\0"
 *   version  u16 1
 *   flags    u16 0
 *   features u32 F (1..MON_REFERENCE_MAX_FEATURES)
 *   rows     u64
 *   digest   32 bytes: the digest of the reference's JSON file ("sha256:<hex>" as bytes), the
 *            same one drift profiles and the audit ledger's genesis entry carry
 *   F times: u16 name length, name (UTF-8), u8 kind (0 numeric, 1 categorical), u8 labelled
 *            (0/1), u16 0, u32 E edges (2..MON_REFERENCE_MAX_EDGES; odd when categorical),
 *            u64 nan, u64 below, u64 above, E x f64 edges (strictly increasing, no NaN),
 *            (E - 1) x u64 counts; when labelled: u32 L = (E - 1) / 2 labels, each u32 length
 *            (0xFFFFFFFF: none, "other", only last) + UTF-8 bytes
 *   sha256   32 bytes: SHA-256 of every byte before it
 *   crc      u32 CRC-32C (mon_hist_crc32c) of every byte before it
 *
 * Loading checks, in order: length, magic, version, CRC, SHA-256, then every field (flags,
 * counts, kinds, edges, each feature's counts + nan + below + above == rows). The JSON digest
 * is carried, not recomputed here (the host's Reference.from_bytes recomputes it); names and
 * labels are not checked as UTF-8 here (the host does).
 *
 * Memory: mon_reference_peek gives the bytes a loaded reference needs; mon_reference_load
 * copies the validated reference into caller memory (8-byte aligned): edges as doubles and
 * counts as uint64 arrays aligned for mon_binner_init / mon_drift, names NUL-terminated.
 * A loaded reference is read-only: thread-safe. Loops are bounded by F, E and L (above).
 */
#ifndef MON_REFERENCE_H
#define MON_REFERENCE_H

#include "mon_config.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN (this block is read verbatim by the cffi build: plain C declarations only) */
#define MON_REFERENCE_VERSION 1
#define MON_REFERENCE_MAX_FEATURES 65536
#define MON_REFERENCE_MAX_EDGES 4097
#define MON_REFERENCE_HEADER_BYTES 56
#define MON_REFERENCE_TRAILER_BYTES 36

/* What a reference holds, from mon_reference_peek or mon_reference_info. */
typedef struct mon_reference_info {
    uint64_t rows;
    uint64_t need; /* bytes of caller memory mon_reference_load needs */
    uint32_t features;
    uint32_t total_edges; /* edges of every feature together */
    uint8_t digest[32];   /* the JSON file's digest */
} mon_reference_info;

/* One feature's views into a loaded reference (valid while the reference's memory is). */
typedef struct mon_reference_feature {
    const char *name; /* NUL-terminated (name_len bytes before the NUL) */
    const double *edges;
    const uint64_t *counts; /* nbins = nedges - 1 counts */
    uint64_t nan;
    uint64_t below;
    uint64_t above;
    uint32_t name_len;
    uint32_t kind; /* 0 numeric, 1 categorical */
    uint32_t nedges;
    uint32_t labelled; /* 1 when the host encodes string labels as codes 0..L-1 */
} mon_reference_feature;

typedef struct mon_reference mon_reference;

/* Validate the bytes and describe them. Returns MON_E_NULL, MON_E_ALIGN (info),
 * MON_E_TRUNCATED (shorter than header + trailer, or a field runs past the end), MON_E_FORMAT
 * (magic, version, flags, a count, kind, reserved field, trailing bytes, a total != rows),
 * MON_E_EDGES (edges NaN or not strictly increasing), MON_E_CHECKSUM (CRC or SHA-256).
 * Never reads outside [bytes, bytes + len); on failure *info is not written. */
mon_status mon_reference_peek(const uint8_t *bytes, size_t len, mon_reference_info *info);

/* Validate (as mon_reference_peek) and copy into mem (size bytes, 8-byte aligned, at least
 * info.need). Returns the peek statuses, MON_E_ALIGN (mem or out), MON_E_SIZE (size too
 * small): mem is then untouched. */
mon_status mon_reference_load(void *mem, size_t size, const uint8_t *bytes, size_t len,
                              mon_reference **out);

/* The loaded reference's description. MON_E_NULL, MON_E_ALIGN, MON_E_STATE (not a loaded
 * reference). */
mon_status mon_reference_info_of(const mon_reference *r, mon_reference_info *info);

/* Feature i's views. MON_E_NULL, MON_E_ALIGN, MON_E_STATE, MON_E_VALUE (i >= features). */
mon_status mon_reference_feature_at(const mon_reference *r, uint32_t i, mon_reference_feature *out);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_REFERENCE_H */
