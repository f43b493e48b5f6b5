/*
 * mon_sha256.h - SHA-256 (FIPS 180-4) in caller memory: no allocation, no libm, no stdio,
 * byte-oriented (no endianness or alignment assumption), bit-identical on every target.
 *
 * The digest of the golden vectors, the reference digest carried by drift profiles and binary
 * formats, and the audit ledger's hash chain all come from this one implementation.
 * Usage: mon_sha256_init(&c); mon_sha256_update(&c, p, n) any number of times;
 * mon_sha256_final(&c, digest). A context is single-threaded; distinct contexts are
 * independent. After mon_sha256_final the context must be initialised again before reuse.
 */
#ifndef MON_SHA256_H
#define MON_SHA256_H

#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest message in bytes: 2^61 - 1 (FIPS 180-4 counts the message's bits in 64 bits). */
#define MON_SHA256_MAX_BYTES ((uint64_t)0x1FFFFFFFFFFFFFFFu)

/* MON_CDEF_BEGIN (this block is read verbatim by the cffi build: plain C declarations only) */
#define MON_SHA256_DIGEST_LEN 32
#define MON_SHA256_BLOCK_LEN 64

typedef struct mon_sha256_ctx {
    uint32_t magic;  /* MON_SHA256_MAGIC while the context is live, 0 after final */
    uint32_t used;   /* bytes in buf, 0..63 */
    uint64_t total;  /* message bytes so far */
    uint32_t h[8];   /* chaining value */
    uint8_t buf[64]; /* the partial block */
} mon_sha256_ctx;

/* Start a message. MON_E_NULL when ctx is NULL. */
mon_status mon_sha256_init(mon_sha256_ctx *ctx);

/* Append n bytes (data may be NULL only when n is 0). MON_E_NULL, MON_E_STATE (ctx not
 * initialised, finalised, or corrupted: used > 63), MON_E_OVERFLOW (the message would pass
 * MON_SHA256_MAX_BYTES; nothing is appended). */
mon_status mon_sha256_update(mon_sha256_ctx *ctx, const void *data, size_t n);

/* Write the 32-byte digest and end the message (the context is then not live). MON_E_NULL,
 * MON_E_STATE as above; on failure digest is not written. */
mon_status mon_sha256_final(mon_sha256_ctx *ctx, uint8_t digest[32]);

/* One-shot digest of n bytes: init + update + final. MON_E_NULL when digest is NULL, or data
 * is NULL with n > 0; MON_E_OVERFLOW past MON_SHA256_MAX_BYTES. */
mon_status mon_sha256(const void *data, size_t n, uint8_t digest[32]);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_SHA256_H */
