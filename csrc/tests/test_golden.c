/*
 * Golden-vector program: recomputes every case of tests/data/golden_v1.json (compiled in via
 * the generated golden_v1_data.h) with the C core, compares each output byte for byte, and
 * prints "GOLDEN PASS sha256=<digest>" where the digest is SHA-256 over the canonical encoding
 * of the outputs it computed (defined in monitor/_verify.py; `python -m monitor verify` prints
 * the same digest). Built and run by `make test` and by every target of the cross matrix.
 * This is a test program: it uses stdio; the core it exercises does not.
 */
#include <stdint.h>
#include <string.h>
#include "monitor.h"
#include "mon_test.h"
#include "golden_v1_data.h"

/* ---- SHA-256 (FIPS 180-4), small and portable: byte-oriented, no endianness assumption ---- */
typedef struct {
    uint32_t h[8];
    uint64_t total;
    unsigned char buf[64];
    size_t used;
} sha256_ctx;

static const uint32_t sha256_k[64] = {
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

static void sha256_block(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, h, t1, t2;
    unsigned i;
    for (i = 0; i < 16; ++i)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
               ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 64; ++i) {
        uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (i = 0; i < 64; ++i) {
        t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) +
             sha256_k[i] + w[i];
        t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->used = 0;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    c->total += n;
    while (n > 0) {
        size_t take = 64 - c->used;
        if (take > n) take = n;
        memcpy(c->buf + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used == 64) {
            sha256_block(c, c->buf);
            c->used = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, char hex[65])
{
    unsigned char pad[72];
    uint64_t bits = c->total * 8u;
    size_t padlen = (c->used < 56) ? 56 - c->used : 120 - c->used, i;
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (i = 0; i < 8; ++i) pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, pad, padlen + 8);
    for (i = 0; i < 32; ++i) {
        static const char digits[] = "0123456789abcdef";
        unsigned char byte = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
    hex[64] = '\0';
}

/* ---- canonical output stream ---- */
static sha256_ctx g_sha;
static size_t g_next; /* index of the next expected record */
static size_t g_mismatches;

static void put_lp(const void *data, size_t n)
{
    unsigned char len[4];
    len[0] = (unsigned char)n;
    len[1] = (unsigned char)(n >> 8);
    len[2] = (unsigned char)(n >> 16);
    len[3] = (unsigned char)(n >> 24);
    sha256_update(&g_sha, len, 4);
    sha256_update(&g_sha, data, n);
}

/* One output of one case: digest it and compare it with the next expected record. */
static void emit(const char *id, const char *name, const void *bytes, size_t n)
{
    int ok;
    put_lp(id, strlen(id));
    put_lp(name, strlen(name));
    put_lp(bytes, n);
    if (g_next >= GOLDEN_N_EXPECTED) {
        ++g_mismatches;
        CHECK(!"more outputs than expected records");
        return;
    }
    {
        const golden_record *e = &golden_expected[g_next++];
        ok = strcmp(e->id, id) == 0 && strcmp(e->name, name) == 0 && e->len == n &&
             (n == 0 || memcmp(e->bytes, bytes, n) == 0);
        if (!ok) {
            ++g_mismatches;
            fprintf(stderr, "golden mismatch: %s.%s (expected record %s.%s)\n", id, name, e->id,
                    e->name);
        }
        CHECK(ok);
    }
}

static void emit_str(const char *id, const char *name, const char *s) { emit(id, name, s, strlen(s)); }

static void emit_uint(const char *id, const char *name, uint64_t v, unsigned width)
{
    unsigned char b[8];
    unsigned i;
    for (i = 0; i < width; ++i) b[i] = (unsigned char)(v >> (8 * i));
    emit(id, name, b, width);
}

static void emit_int(const char *id, const char *name, int64_t v, unsigned width)
{
    emit_uint(id, name, (uint64_t)v, width); /* two's complement, truncated to width */
}

/* u64[] / i64[]: concatenated little-endian elements */
static void emit_u64s(const char *id, const char *name, const uint64_t *v, size_t n)
{
    unsigned char b[8 * 64];
    size_t i, j, done = 0;
    /* streamed in chunks so large arrays need no big buffer */
    put_lp(id, strlen(id));
    put_lp(name, strlen(name));
    {
        uint32_t total = (uint32_t)(8 * n);
        unsigned char lb[4];
        lb[0] = (unsigned char)total; lb[1] = (unsigned char)(total >> 8);
        lb[2] = (unsigned char)(total >> 16); lb[3] = (unsigned char)(total >> 24);
        sha256_update(&g_sha, lb, 4);
    }
    {
        const golden_record *e = g_next < GOLDEN_N_EXPECTED ? &golden_expected[g_next] : NULL;
        int ok = e != NULL && strcmp(e->id, id) == 0 && strcmp(e->name, name) == 0 &&
                 e->len == 8 * n;
        while (done < n) {
            size_t chunk = n - done > 64 ? 64 : n - done;
            for (i = 0; i < chunk; ++i)
                for (j = 0; j < 8; ++j) b[8 * i + j] = (unsigned char)(v[done + i] >> (8 * j));
            sha256_update(&g_sha, b, 8 * chunk);
            if (ok && memcmp(e->bytes + 8 * done, b, 8 * chunk) != 0) ok = 0;
            done += chunk;
        }
        if (e != NULL) ++g_next;
        if (!ok) {
            ++g_mismatches;
            fprintf(stderr, "golden mismatch: %s.%s\n", id, name);
        }
        CHECK(ok);
    }
}

/* ---- case kinds ---- */
#ifdef GOLDEN_HAVE_STATUS
static void run_status(const golden_status_case *c)
{
    emit_str(c->id, "name", mon_status_name((mon_status)c->code));
    emit_str(c->id, "message", mon_status_str((mon_status)c->code));
}
#endif

int main(void)
{
    size_t i;
    char hex[65];
    sha256_init(&g_sha);
    sha256_update(&g_sha, "monitor-golden-v1", 18); /* includes the terminating 0x00 */
    for (i = 0; i < GOLDEN_N_CASES; ++i) {
        const golden_order_entry *o = &golden_order[i];
        switch (o->kind) {
#ifdef GOLDEN_HAVE_STATUS
        case GOLDEN_KIND_STATUS: run_status(&golden_status_cases[o->index]); break;
#endif
        default: CHECK(!"unknown golden kind"); break;
        }
    }
    CHECK(g_next == GOLDEN_N_EXPECTED);
    sha256_final(&g_sha, hex);
    CHECK(strcmp(hex, GOLDEN_DIGEST) == 0);
    printf("GOLDEN %s sha256=%s (golden v%d: %d cases, %u outputs)\n",
           (g_mismatches == 0 && g_next == GOLDEN_N_EXPECTED && strcmp(hex, GOLDEN_DIGEST) == 0)
               ? "PASS" : "FAIL",
           hex, GOLDEN_VERSION, (int)GOLDEN_N_CASES, (unsigned)g_next);
    (void)emit_uint;
    (void)emit_int;
    (void)emit_u64s;
    MON_TEST_MAIN_END();
}
