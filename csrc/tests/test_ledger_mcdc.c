/* MC/DC closing tests of mon_ledger (make -C csrc mcdc): each case toggles one condition of a
 * decision of init, append, head, decode and the offline verifier while the others hold, and
 * checks the status or the fault it decides. Entries are edited and re-hashed with the public
 * mon_sha256 (a forger's view: the hash matches, the structure does not). */
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_test.h"

#define EB MON_LEDGER_ENTRY_BYTES
static uint64_t lmem[(256 + 16 * EB) / 8];
static uint64_t scratch[64];
static uint8_t chain[8 * EB];
static uint8_t work[8 * EB];
static const uint8_t payload[4] = {1, 2, 3, 4};

static mon_ledger *make(uint32_t k, uint32_t model_len)
{
    mon_ledger_genesis g;
    mon_ledger *l = NULL;
    memset(&g, 0, sizeof g);
    g.checkpoint_every = k;
    g.model_len = model_len;
    memset(g.model, 'a', model_len);
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, &l), MON_OK);
    return l;
}

/* chain = the ledger's n entries back to back */
static void dump(const mon_ledger *l, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; ++i) CHECK_STATUS(mon_ledger_entry_bytes(l, i, chain + i * EB), MON_OK);
}

static void rehash(uint8_t *e) { CHECK_STATUS(mon_sha256(e, 192, e + 192), MON_OK); }

static uint32_t fault_of(size_t n)
{
    mon_ledger_report r;
    (void)mon_ledger_verify(work, n * EB, NULL, &r);
    return r.fault;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* REQ: MON-REQ-LEDGER-001 */
static void test_init_append_head(void)
{
    mon_ledger_genesis g;
    mon_ledger *l = NULL;
    mon_ledger_anchor a;
    uint64_t *mis = (uint64_t *)(void *)((unsigned char *)scratch + 1);
    memset(&g, 0, sizeof g);
    g.model_len = 3;
    memcpy(g.model, "a~b", 3); /* 0x7e is printable */
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, &l), MON_OK);
    g.model[1] = 0x7f; /* above printable ASCII */
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, &l), MON_E_VALUE);
    g.model[1] = 0x1f; /* below */
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, &l), MON_E_VALUE);
    g.model[1] = 'x';
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, NULL, 0, NULL, NULL, &l), MON_E_NULL);
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, NULL), MON_E_NULL);
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, (mon_ledger **)mis),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 0, &g, 0, NULL, NULL, &l), MON_E_SIZE);
    CHECK_STATUS(mon_ledger_init(lmem, 64, 16, &g, 0, NULL, NULL, &l), MON_E_SIZE);
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 16, &g, 0, NULL, NULL, &l), MON_OK);
    /* kinds the host may not append: GENESIS, CHECKPOINT, unknown; HOST is fine */
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_GENESIS, 1, payload, 4), MON_E_VALUE);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_CHECKPOINT, 1, payload, 4), MON_E_VALUE);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_KIND_COUNT, 1, payload, 4), MON_E_VALUE);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_HOST, 1, payload, 4), MON_OK);
    /* head: written misaligned; written NULL is fine */
    CHECK_STATUS(mon_ledger_head(l, &a, mis), MON_E_ALIGN);
    CHECK_STATUS(mon_ledger_head(l, &a, NULL), MON_OK);
    CHECK(a.count == 2);
}

/* The object check: capacity 0 and count 0 (fields 2 and 5 of the check; the struct's first
 * fields are magic, capacity (uint32) at byte 4, and count (uint64) at byte 16). */
/* REQ: MON-REQ-LEDGER-001 */
static void test_object_check(void)
{
    mon_ledger *l = make(0, 0);
    mon_ledger_anchor a;
    unsigned char *b = (unsigned char *)lmem, saved[8];
    memcpy(saved, b + 4, 4);
    memset(b + 4, 0, 4);
    CHECK_STATUS(mon_ledger_head(l, &a, NULL), MON_E_STATE);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_HOST, 1, payload, 4), MON_E_STATE);
    memcpy(b + 4, saved, 4);
    memcpy(saved, b + 16, 8);
    memset(b + 16, 0, 8);
    CHECK_STATUS(mon_ledger_head(l, &a, NULL), MON_E_STATE);
    memcpy(b + 16, saved, 8);
    CHECK_STATUS(mon_ledger_head(l, &a, NULL), MON_OK);
    CHECK(a.count == 1);
}

/* REQ: MON-REQ-LEDGER-003 */
static void test_decode(void)
{
    mon_ledger *l = make(0, 0);
    mon_ledger_entry e;
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_HOST, 5, payload, 4), MON_OK);
    dump(l, 2);
    memcpy(work, chain, 2 * EB);
    CHECK_STATUS(mon_ledger_decode(work + EB, EB, &e), MON_OK);
    CHECK(e.index == 1 && e.tick == 5 && e.payload_len == 4);
    CHECK_STATUS(mon_ledger_decode(work + EB, EB, NULL), MON_E_NULL);
    work[EB + 4] = 2; /* version 2 */
    rehash(work + EB);
    CHECK_STATUS(mon_ledger_decode(work + EB, EB, &e), MON_E_FORMAT);
    memcpy(work, chain, 2 * EB);
    put32(work + EB + 24, MON_LEDGER_MAX_PAYLOAD + 1u); /* payload length above the bound */
    rehash(work + EB);
    CHECK_STATUS(mon_ledger_decode(work + EB, EB, &e), MON_E_FORMAT);
}

/* The verifier on a genesis entry edited one field at a time (re-hashed). */
/* REQ: MON-REQ-LEDGER-003 */
static void test_verify_genesis(void)
{
    mon_ledger *l = make(0, 0);
    mon_ledger_report r;
    mon_ledger_anchor *mis = (mon_ledger_anchor *)(void *)((unsigned char *)scratch + 1);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_HOST, 5, payload, 4), MON_OK);
    dump(l, 2);
    memcpy(work, chain, 2 * EB);
    CHECK(fault_of(2) == MON_LEDGER_OK);
    work[6] = MON_LEDGER_HOST; /* genesis kind */
    rehash(work);
    CHECK(fault_of(2) == MON_LEDGER_F_GENESIS);
    memcpy(work, chain, 2 * EB);
    work[8] = 1; /* genesis index 1 */
    rehash(work);
    CHECK(fault_of(2) == MON_LEDGER_F_GENESIS);
    memcpy(work, chain, 2 * EB);
    work[32] = 1; /* a genesis with a previous hash */
    rehash(work);
    CHECK(fault_of(2) == MON_LEDGER_F_GENESIS);
    memcpy(work, chain, 2 * EB);
    put32(work + 24, 71); /* payload shorter than the fixed genesis fields */
    rehash(work);
    CHECK(fault_of(2) == MON_LEDGER_F_GENESIS);
    memcpy(work, chain, 2 * EB);
    put32(work + 64 + 68, MON_LEDGER_MODEL_MAX + 1u); /* model_len above its bound */
    rehash(work);
    CHECK(fault_of(2) == MON_LEDGER_F_GENESIS);
    memcpy(work, chain, 2 * EB);
    put32(work + 64 + 68, 1); /* model_len 1, payload length still 72 */
    rehash(work);
    CHECK(fault_of(2) == MON_LEDGER_F_GENESIS);
    /* an unknown kind after the genesis */
    memcpy(work, chain, 2 * EB);
    work[EB + 6] = MON_LEDGER_KIND_COUNT;
    rehash(work + EB);
    CHECK(fault_of(2) == MON_LEDGER_F_KIND);
    /* arguments: bytes NULL with a length; NULL and 0 is an empty (PARTIAL) ledger */
    CHECK_STATUS(mon_ledger_verify(NULL, EB, NULL, &r), MON_E_NULL);
    CHECK_STATUS(mon_ledger_verify(NULL, 0, NULL, &r), MON_E_TRUNCATED);
    CHECK(r.fault == MON_LEDGER_F_PARTIAL && r.count == 0);
    CHECK_STATUS(mon_ledger_verify(chain, 2 * EB, mis, &r), MON_E_ALIGN);
}

/* A checkpoint entry edited one field at a time (re-hashed). */
/* REQ: MON-REQ-LEDGER-003 */
static void test_verify_checkpoint(void)
{
    mon_ledger *l = make(2, 0);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_HOST, 5, payload, 4), MON_OK);
    CHECK_STATUS(mon_ledger_append(l, MON_LEDGER_HOST, 6, payload, 4), MON_OK);
    dump(l, 4); /* genesis, event, checkpoint (index 2), event */
    memcpy(work, chain, 4 * EB);
    CHECK(work[2 * EB + 6] == MON_LEDGER_CHECKPOINT && fault_of(4) == MON_LEDGER_OK);
    /* payload length 64: the last 8 bytes (of the genesis hash) dropped */
    memset(work + 2 * EB + 64 + 64, 0, 8);
    put32(work + 2 * EB + 24, 64);
    rehash(work + 2 * EB);
    CHECK(fault_of(4) == MON_LEDGER_F_CHECKPOINT);
    memcpy(work, chain, 4 * EB);
    work[2 * EB + 64] = 3; /* the count it states is not its index */
    rehash(work + 2 * EB);
    CHECK(fault_of(4) == MON_LEDGER_F_CHECKPOINT);
    memcpy(work, chain, 4 * EB);
    work[2 * EB + 104] ^= 1u; /* another genesis hash */
    rehash(work + 2 * EB);
    CHECK(fault_of(4) == MON_LEDGER_F_CHECKPOINT);
}

int main(void)
{
    test_init_append_head();
    test_object_check();
    test_decode();
    test_verify_genesis();
    test_verify_checkpoint();
    MON_TEST_MAIN_END();
}
