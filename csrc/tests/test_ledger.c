/* The audit ledger and the binary reference loader: golden vectors (rebuilt from their inputs
 * on every target, compared byte for byte), tampering, reordering, insertion, removal and
 * truncation each detected at the right entry, failed writes kept pending, and every
 * corruption of the reference bytes refused. */
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_test.h"
#include "golden_ledger_v1_data.h"

#define EB MON_LEDGER_ENTRY_BYTES
static uint64_t lmem[(64 * 256 + 4096) / 8];
static uint8_t file[64 * EB];
static size_t file_len;
static int fail_writes;

static int hexval(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }
static size_t unhex(const char *s, uint8_t *out)
{
    size_t n = strlen(s) / 2, i;
    for (i = 0; i < n; ++i) out[i] = (uint8_t)(hexval(s[2 * i]) * 16 + hexval(s[2 * i + 1]));
    return n;
}

static int to_file(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    if (fail_writes || file_len + n > sizeof file) return 1;
    memcpy(file + file_len, bytes, n);
    file_len += n;
    return 0;
}

static mon_ledger *golden_ledger(mon_ledger_write_fn w)
{
    mon_ledger_genesis g;
    mon_ledger *l = NULL;
    size_t i;
    memset(&g, 0, sizeof g);
    unhex(GL_POLICY, g.policy_hash);
    unhex(GL_REFERENCE, g.reference_digest);
    g.checkpoint_every = GL_CHECKPOINT_EVERY;
    g.model_len = (uint32_t)strlen(GL_MODEL);
    memcpy(g.model, GL_MODEL, g.model_len);
    file_len = 0;
    CHECK(mon_ledger_init(lmem, sizeof lmem, 64, &g, GL_GENESIS_TICK, w, NULL, &l) == MON_OK);
    for (i = 0; i < sizeof gl_events / sizeof gl_events[0]; ++i) {
        uint8_t p[MON_LEDGER_MAX_PAYLOAD];
        size_t n = unhex(gl_events[i].payload, p);
        CHECK(mon_ledger_append(l, gl_events[i].kind, gl_events[i].tick, p, n) == MON_OK);
    }
    return l;
}

/* REQ: MON-REQ-LEDGER-001 */
static void test_golden(void)
{
    mon_ledger *l = golden_ledger(to_file);
    mon_ledger_anchor a;
    mon_ledger_report r;
    uint8_t h[32];
    uint64_t written = 0, i;
    CHECK(mon_ledger_head(l, &a, &written) == MON_OK);
    CHECK(a.count == GL_COUNT && written == GL_COUNT && file_len == GL_COUNT * EB);
    unhex(GL_HEAD, h);
    CHECK(memcmp(a.head, h, 32) == 0);
    CHECK(sizeof gl_entries / sizeof gl_entries[0] == GL_COUNT);
    for (i = 0; i < GL_COUNT; ++i) {
        mon_ledger_entry e;
        uint8_t b[EB];
        CHECK(mon_ledger_decode(file + i * EB, EB, &e) == MON_OK);
        unhex(gl_entries[i].hash, h);
        CHECK(e.index == i && e.kind == gl_entries[i].kind && memcmp(e.hash, h, 32) == 0);
        CHECK(mon_ledger_entry_bytes(l, i, b) == MON_OK && memcmp(b, file + i * EB, EB) == 0);
    }
    CHECK(mon_ledger_verify(file, file_len, &a, &r) == MON_OK);
    CHECK(r.fault == MON_LEDGER_OK && r.count == GL_COUNT && memcmp(r.head, a.head, 32) == 0);
    CHECK(r.genesis.checkpoint_every == GL_CHECKPOINT_EVERY &&
          r.genesis.model_len == strlen(GL_MODEL) && memcmp(r.genesis.model, GL_MODEL, 5) == 0);
    printf("GOLDEN LEDGER PASS head=%s\n", GL_HEAD);
}

static uint8_t work[64 * EB];

static uint32_t verify_copy(size_t len, const mon_ledger_anchor *a, uint64_t *bad)
{
    mon_ledger_report r;
    (void)mon_ledger_verify(work, len, a, &r);
    *bad = r.first_bad;
    return r.fault;
}

static int fix_checkpoints = 1;
static void rehash_from(size_t from, size_t n)
{
    size_t i;
    for (i = from; i < n; ++i) {
        if (i > 0) memcpy(work + i * EB + 32, work + (i - 1) * EB + 192, 32);
        if (work[i * EB + 6] == MON_LEDGER_CHECKPOINT && fix_checkpoints) {
            memcpy(work + i * EB + 72, work + (i - 1) * EB + 192, 32);
            memcpy(work + i * EB + 104, work + 192, 32);
        }
        mon_sha256(work + i * EB, 192, work + i * EB + 192);
    }
}

/* REQ: MON-REQ-LEDGER-003 */
static void test_tamper(void)
{
    mon_ledger *l = golden_ledger(to_file);
    mon_ledger_anchor a;
    uint64_t bad = 0;
    size_t n = GL_COUNT, i, byte;
    (void)mon_ledger_head(l, &a, NULL);
    /* every byte of every entry modified: that entry is the first bad one */
    for (i = 0; i < n; ++i)
        for (byte = 0; byte < EB; byte += 7) {
            uint32_t f;
            memcpy(work, file, n * EB);
            work[i * EB + byte] ^= 0x20;
            f = verify_copy(n * EB, NULL, &bad);
            CHECK(f != MON_LEDGER_OK && bad == i);
        }
    /* reordering: swap entries 3 and 4 */
    memcpy(work, file, n * EB);
    memcpy(work + 3 * EB, file + 4 * EB, EB);
    memcpy(work + 4 * EB, file + 3 * EB, EB);
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_F_INDEX && bad == 3);
    /* insertion: a copy of entry 2 inserted at 3 */
    memcpy(work, file, 3 * EB);
    memcpy(work + 3 * EB, file + 2 * EB, EB);
    memcpy(work + 4 * EB, file + 3 * EB, (n - 3) * EB);
    CHECK(verify_copy((n + 1) * EB, NULL, &bad) == MON_LEDGER_F_INDEX && bad == 3);
    /* removal of entry 3 */
    memcpy(work, file, 3 * EB);
    memcpy(work + 3 * EB, file + 4 * EB, (n - 4) * EB);
    CHECK(verify_copy((n - 1) * EB, NULL, &bad) == MON_LEDGER_F_INDEX && bad == 3);
    /* an entry rewritten with its index kept and its own hash recomputed: the link breaks */
    memcpy(work, file, n * EB);
    work[3 * EB + 64] ^= 1;
    mon_sha256(work + 3 * EB, 192, work + 3 * EB + 192);
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_F_LINK && bad == 4);
    /* ... and the rest of the chain recomputed: the next checkpoint's head differs */
    fix_checkpoints = 0;
    rehash_from(3, n);
    fix_checkpoints = 1;
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_F_CHECKPOINT && bad == 5);
    /* ... checkpoints forged too: only the anchor sees it */
    rehash_from(3, n);
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_OK);
    CHECK(verify_copy(n * EB, &a, &bad) == MON_LEDGER_F_ANCHOR && bad == n - 1);
    /* truncation: whole entries cut (undetectable without an anchor), a torn last entry */
    memcpy(work, file, n * EB);
    CHECK(verify_copy(9 * EB, NULL, &bad) == MON_LEDGER_OK && bad == 9);
    CHECK(verify_copy(9 * EB, &a, &bad) == MON_LEDGER_F_SHORT && bad == 9);
    CHECK(verify_copy(n * EB - 1, NULL, &bad) == MON_LEDGER_F_PARTIAL && bad == n - 1);
    CHECK(verify_copy(0, NULL, &bad) == MON_LEDGER_F_PARTIAL && bad == 0);
    /* a checkpoint replaced by an ordinary event (rehashed): misplaced */
    memcpy(work, file, n * EB);
    work[5 * EB + 6] = MON_LEDGER_STATE;
    rehash_from(5, n);
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_F_CHECKPOINT && bad == 5);
    /* a second genesis entry */
    memcpy(work, file, n * EB);
    work[2 * EB + 6] = MON_LEDGER_GENESIS;
    rehash_from(2, n);
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_F_KIND && bad == 2);
    /* a damaged genesis */
    memcpy(work, file, n * EB);
    work[64 + 67] = 0xff; /* checkpoint_every out of range */
    rehash_from(0, n);
    CHECK(verify_copy(n * EB, NULL, &bad) == MON_LEDGER_F_GENESIS && bad == 0);
}

static mon_ledger *reent;
static int reentrant(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    (void)bytes;
    (void)n;
    CHECK(mon_ledger_append(reent, MON_LEDGER_HOST, 0, NULL, 0) == MON_E_STATE);
    return 0;
}

/* REQ: MON-REQ-LEDGER-002 */
static void test_write_failures(void)
{
    mon_ledger_genesis g;
    mon_ledger *l = NULL;
    mon_ledger_anchor a, b;
    mon_ledger_report r;
    uint64_t written = 0;
    uint32_t k;
    memset(&g, 0, sizeof g);
    file_len = 0;
    fail_writes = 1;
    CHECK(mon_ledger_init(lmem, sizeof lmem, 4, &g, 0, to_file, NULL, &l) == MON_E_TRUNCATED);
    CHECK(mon_ledger_append(l, MON_LEDGER_STATE, 1, NULL, 0) == MON_E_TRUNCATED);
    CHECK(mon_ledger_append(l, MON_LEDGER_STATE, 2, NULL, 0) == MON_E_TRUNCATED);
    CHECK(mon_ledger_append(l, MON_LEDGER_STATE, 3, NULL, 0) == MON_E_TRUNCATED);
    (void)mon_ledger_head(l, &a, &written);
    CHECK(a.count == 4 && written == 0 && file_len == 0);
    /* the ring is full of pending entries: the next event is refused, nothing changes */
    CHECK(mon_ledger_append(l, MON_LEDGER_STATE, 4, NULL, 0) == MON_E_OVERFLOW);
    (void)mon_ledger_head(l, &b, &written);
    CHECK(b.count == 4 && memcmp(a.head, b.head, 32) == 0);
    fail_writes = 0;
    CHECK(mon_ledger_append(l, MON_LEDGER_STATE, 4, NULL, 0) == MON_OK);
    (void)mon_ledger_head(l, &a, &written);
    CHECK(a.count == 5 && written == 5 && file_len == 5 * EB);
    CHECK(mon_ledger_verify(file, file_len, &a, &r) == MON_OK);
    fail_writes = 1;
    CHECK(mon_ledger_flush(l) == MON_OK); /* nothing pending */
    CHECK(mon_ledger_append(l, MON_LEDGER_RULE, 5, NULL, 0) == MON_E_TRUNCATED);
    CHECK(mon_ledger_flush(l) == MON_E_TRUNCATED);
    fail_writes = 0;
    CHECK(mon_ledger_flush(l) == MON_OK && file_len == 6 * EB);
    /* the callback may not call the ledger */
    CHECK(mon_ledger_init(lmem, sizeof lmem, 4, &g, 0, reentrant, NULL, &reent) == MON_OK);
    CHECK(mon_ledger_append(reent, MON_LEDGER_HOST, 1, NULL, 0) == MON_OK);
    /* memory only: no callback; the ring keeps the last `capacity` entries */
    CHECK(mon_ledger_init(lmem, sizeof lmem, 4, &g, 0, NULL, NULL, &l) == MON_OK);
    for (k = 0; k < 100; ++k) CHECK(mon_ledger_append(l, MON_LEDGER_HOST, k, NULL, 0) == MON_OK);
    {
        uint8_t e[EB];
        CHECK(mon_ledger_entry_bytes(l, 100, e) == MON_OK);
        CHECK(mon_ledger_entry_bytes(l, 96, e) == MON_E_VALUE);
    }
}

/* ---- binary reference ---------------------------------------------------------------------- */
static uint8_t refb[8192];
static uint8_t refw[8192];
static uint64_t rmem[4096];

static void fix_trailer(uint8_t *b, size_t n)
{
    uint32_t crc;
    mon_sha256(b, n - 36, b + n - 36);
    crc = mon_hist_crc32c(b, n - 4);
    b[n - 4] = (uint8_t)crc;
    b[n - 3] = (uint8_t)(crc >> 8);
    b[n - 2] = (uint8_t)(crc >> 16);
    b[n - 1] = (uint8_t)(crc >> 24);
}

/* REQ: MON-REQ-REFBIN-001 */
static void test_reference(void)
{
    size_t n = unhex(gl_ref_hex, refb), i;
    mon_reference_info info;
    mon_reference *r = NULL;
    mon_reference_feature f;
    uint8_t d[32];
    CHECK(mon_reference_peek(refb, n, &info) == MON_OK);
    unhex(GL_REF_DIGEST, d);
    CHECK(memcmp(info.digest, d, 32) == 0 && info.features == 3 && info.rows == 30);
    CHECK(info.need <= sizeof rmem);
    CHECK(mon_reference_load(rmem, (size_t)info.need - 1, refb, n, &r) == MON_E_SIZE);
    CHECK(mon_reference_load(rmem, sizeof rmem, refb, n, &r) == MON_OK);
    for (i = 0; i < info.features; ++i) {
        uint64_t total;
        uint32_t k;
        mon_binner *bn;
        static uint64_t bbuf[4096];
        CHECK(mon_reference_feature_at(r, (uint32_t)i, &f) == MON_OK);
        total = f.nan + f.below + f.above;
        for (k = 0; k + 1 < f.nedges; ++k) total += f.counts[k];
        CHECK(total == 30);
        /* the views feed the binner directly */
        CHECK(mon_binner_init(bbuf, sizeof bbuf, f.edges, f.nedges, &bn) == MON_OK);
    }
    CHECK(mon_reference_feature_at(r, 0, &f) == MON_OK && strcmp(f.name, "x") == 0 && f.kind == 0);
    CHECK(mon_reference_feature_at(r, 2, &f) == MON_OK && strcmp(f.name, "label") == 0 &&
          f.labelled == 1);
    CHECK(mon_reference_feature_at(r, 3, &f) == MON_E_VALUE);
    /* every truncation refused */
    for (i = 0; i < n; ++i) CHECK(mon_reference_peek(refb, i, &info) != MON_OK);
    /* every bit flip refused (CRC), and with the trailer recomputed never a crash */
    for (i = 0; i < n * 8; ++i) {
        memcpy(refw, refb, n);
        refw[i / 8] ^= (uint8_t)(1u << (i % 8));
        CHECK(mon_reference_peek(refw, n, &info) != MON_OK);
        if (i / 8 < n - 36) {
            fix_trailer(refw, n);
            (void)mon_reference_peek(refw, n, &info);
        }
    }
    memcpy(refw, refb, n);
    refw[0] = 'X';
    CHECK(mon_reference_peek(refw, n, &info) == MON_E_FORMAT);
    memcpy(refw, refb, n);
    refw[8] = 2;
    CHECK(mon_reference_peek(refw, n, &info) == MON_E_FORMAT);
    memcpy(refw, refb, n);
    refw[n - 1] ^= 1;
    CHECK(mon_reference_peek(refw, n, &info) == MON_E_CHECKSUM);
    memcpy(refw, refb, n);
    refw[n - 36] ^= 1; /* the SHA-256, CRC recomputed */
    {
        uint32_t crc = mon_hist_crc32c(refw, n - 4);
        refw[n - 4] = (uint8_t)crc;
        refw[n - 3] = (uint8_t)(crc >> 8);
        refw[n - 2] = (uint8_t)(crc >> 16);
        refw[n - 1] = (uint8_t)(crc >> 24);
    }
    CHECK(mon_reference_peek(refw, n, &info) == MON_E_CHECKSUM);
    /* a count changed with both checksums recomputed: the totals no longer add up */
    memcpy(refw, refb, n);
    refw[56 + 2 + 1 + 32 + 8 * 5] ^= 1; /* feature "x": first count */
    fix_trailer(refw, n);
    CHECK(mon_reference_peek(refw, n, &info) == MON_E_FORMAT);
    printf("GOLDEN REFERENCE PASS digest=%s\n", GL_REF_DIGEST);
}

int main(void)
{
    test_golden();
    test_tamper();
    test_write_failures();
    test_reference();
    MON_TEST_MAIN_END();
}
