/*
 * SHA-256 (FIPS 180-4). Byte-oriented loads and stores (big-endian by arithmetic, never by
 * casting), so the digest is the same on every target, aligned or not.
 */
#include <string.h>
#include "mon_sha256.h"

#define MON_SHA256_MAGIC 0x53483235u /* "SH25" */

static const uint32_t k256[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

static uint32_t rotr32(uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); }

static void compress(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    unsigned i;
    for (i = 0; i < 16u; ++i)
        w[i] = ((uint32_t)p[4u * i] << 24) | ((uint32_t)p[4u * i + 1u] << 16) |
               ((uint32_t)p[4u * i + 2u] << 8) | (uint32_t)p[4u * i + 3u];
    for (i = 16; i < 64u; ++i) {
        uint32_t s0 = rotr32(w[i - 15u], 7) ^ rotr32(w[i - 15u], 18) ^ (w[i - 15u] >> 3);
        uint32_t s1 = rotr32(w[i - 2u], 17) ^ rotr32(w[i - 2u], 19) ^ (w[i - 2u] >> 10);
        w[i] = w[i - 16u] + s0 + w[i - 7u] + s1;
    }
    a = h[0];
    b = h[1];
    c = h[2];
    d = h[3];
    e = h[4];
    f = h[5];
    g = h[6];
    hh = h[7];
    for (i = 0; i < 64u; ++i) {
        t1 = hh + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] +
             w[i];
        t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static int live(const mon_sha256_ctx *ctx)
{
    return ctx->magic == MON_SHA256_MAGIC && ctx->used < MON_SHA256_BLOCK_LEN &&
           ctx->total <= MON_SHA256_MAX_BYTES && (ctx->total % MON_SHA256_BLOCK_LEN) == ctx->used;
}

mon_status mon_sha256_init(mon_sha256_ctx *ctx)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    if (ctx == NULL) return MON_E_NULL;
    (void)memset(ctx, 0, sizeof *ctx);
    (void)memcpy(ctx->h, iv, sizeof iv);
    ctx->magic = MON_SHA256_MAGIC;
    return MON_OK;
}

mon_status mon_sha256_update(mon_sha256_ctx *ctx, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    if (ctx == NULL || (data == NULL && n != 0)) return MON_E_NULL;
    if (!live(ctx)) return MON_E_STATE;
    if ((uint64_t)n > MON_SHA256_MAX_BYTES - ctx->total) return MON_E_OVERFLOW;
    if (n == 0u) return MON_OK; /* data may be NULL: never handed to memcpy */
    ctx->total += (uint64_t)n;
    if (ctx->used != 0u) {
        size_t take = MON_SHA256_BLOCK_LEN - (size_t)ctx->used;
        if (take > n) take = n;
        (void)memcpy(ctx->buf + ctx->used, p, take);
        ctx->used += (uint32_t)take;
        p += take;
        n -= take;
        if (ctx->used < MON_SHA256_BLOCK_LEN) return MON_OK;
        compress(ctx->h, ctx->buf);
        ctx->used = 0;
    }
    while (n >= MON_SHA256_BLOCK_LEN) { /* whole blocks straight from the caller's bytes */
        compress(ctx->h, p);
        p += MON_SHA256_BLOCK_LEN;
        n -= MON_SHA256_BLOCK_LEN;
    }
    if (n != 0u) {
        (void)memcpy(ctx->buf, p, n);
        ctx->used = (uint32_t)n;
    }
    return MON_OK;
}

mon_status mon_sha256_final(mon_sha256_ctx *ctx, uint8_t digest[32])
{
    uint64_t bits;
    unsigned i;
    if (ctx == NULL || digest == NULL) return MON_E_NULL;
    if (!live(ctx)) return MON_E_STATE;
    bits = ctx->total * 8u; /* total <= 2^61 - 1: no wrap */
    ctx->buf[ctx->used++] = 0x80u;
    if (ctx->used > 56u) {
        memset(ctx->buf + ctx->used, 0, MON_SHA256_BLOCK_LEN - (size_t)ctx->used);
        compress(ctx->h, ctx->buf);
        ctx->used = 0;
    }
    (void)memset(ctx->buf + ctx->used, 0, 56u - (size_t)ctx->used);
    for (i = 0; i < 8u; ++i) ctx->buf[56u + i] = (uint8_t)(bits >> (56u - 8u * i));
    compress(ctx->h, ctx->buf);
    for (i = 0; i < 32u; ++i) digest[i] = (uint8_t)(ctx->h[i / 4u] >> (24u - 8u * (i % 4u)));
    (void)memset(ctx, 0, sizeof *ctx); /* not live: a second final or update is MON_E_STATE */
    return MON_OK;
}

mon_status mon_sha256(const void *data, size_t n, uint8_t digest[32])
{
    mon_sha256_ctx ctx;
    mon_status st;
    if (digest == NULL) return MON_E_NULL;
    st = mon_sha256_init(&ctx);
    if (st == MON_OK) st = mon_sha256_update(&ctx, data, n);
    if (st == MON_OK) st = mon_sha256_final(&ctx, digest);
    return st;
}
