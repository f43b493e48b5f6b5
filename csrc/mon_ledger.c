/*
 * The audit ledger: entries encoded little-endian by arithmetic (never by casting), chained with
 * mon_sha256, kept in a ring in caller memory and handed to the caller's write callback.
 */
#include <string.h>
#include "mon_align_internal.h"
#include "mon_ledger.h"
#include "mon_sha256.h"

#define LEDGER_MAGIC 0x4C454447u        /* "LEDG": a live object */
#define ENTRY_MAGIC 0x31474C4Du         /* "MLG1" read little-endian: an encoded entry */
#define HASHED_BYTES 192u               /* bytes covered by an entry's hash */
#define GENESIS_FIXED 72u               /* policy + reference + K + model_len */
#define CHECKPOINT_LEN 72u              /* count + head + genesis hash */
#define MAX_ENTRIES 0x8000000000000000u /* 2^63 entries at most */

struct mon_ledger {
    uint32_t magic;
    uint32_t capacity;
    uint32_t checkpoint_every;
    uint32_t busy; /* 1 while the write callback runs */
    uint64_t count;
    uint64_t written;
    uint8_t head[32];
    uint8_t genesis_hash[32];
    mon_ledger_write_fn write;
    void *ctx;
    uint64_t guard; /* FNV-1a of the fixed fields: a corrupted callback is never called */
    /* the ring: capacity x MON_LEDGER_ENTRY_BYTES bytes follow (slot = index % capacity) */
};

static size_t header_size(void) { return (sizeof(struct mon_ledger) + 7u) & ~(size_t)7u; }

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    unsigned i;
    for (i = 0; i < 4u; ++i) p[i] = (uint8_t)(v >> (8u * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    unsigned i;
    for (i = 0; i < 8u; ++i) p[i] = (uint8_t)(v >> (8u * i));
}
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < 8u; ++i) v |= (uint64_t)p[i] << (8u * i);
    return v;
}

static uint8_t *ring(mon_ledger *l) { return (uint8_t *)l + header_size(); }
static const uint8_t *ring_c(const mon_ledger *l) { return (const uint8_t *)l + header_size(); }

/* FNV-1a over the fields fixed at init (capacity, K, the callback and its context, the
 * genesis hash): a corrupted callback pointer is refused (MON_E_STATE), never called. */
static void mix(uint64_t *h, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    for (i = 0; i < n; ++i) { /* n <= 32 */
        *h ^= b[i];
        *h *= 0x100000001B3u;
    }
}

static uint64_t guard_of(const mon_ledger *l)
{
    uint64_t h = 0xCBF29CE484222325u;
    mix(&h, &l->capacity, sizeof l->capacity);
    mix(&h, &l->checkpoint_every, sizeof l->checkpoint_every);
    mix(&h, &l->write, sizeof l->write);
    mix(&h, &l->ctx, sizeof l->ctx);
    mix(&h, l->genesis_hash, sizeof l->genesis_hash);
    return h;
}

static int valid(const mon_ledger *l)
{
    return l->magic == LEDGER_MAGIC && l->capacity >= 1u &&
           l->capacity <= MON_LEDGER_MAX_CAPACITY &&
           l->checkpoint_every <= MON_LEDGER_MAX_CHECKPOINT_EVERY && l->count >= 1u &&
           l->count <= MAX_ENTRIES && l->written <= l->count &&
           l->count - l->written <= l->capacity && l->busy <= 1u && l->guard == guard_of(l);
}

static mon_status check_obj(const mon_ledger *l)
{
    if (l == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(l)) return MON_E_ALIGN;
    if (!valid(l)) return MON_E_STATE;
    if (l->busy != 0u) return MON_E_STATE;
    return MON_OK;
}

/* Encode an entry at ring slot of `index` and hash it; the chain advances. */
static mon_status encode(uint8_t *e, uint32_t kind, uint64_t index, uint64_t tick,
                         const uint8_t prev[32], const uint8_t *payload, size_t payload_len)
{
    memset(e, 0, MON_LEDGER_ENTRY_BYTES);
    put32(e, ENTRY_MAGIC);
    put16(e + 4, MON_LEDGER_VERSION);
    put16(e + 6, kind);
    put64(e + 8, index);
    put64(e + 16, tick);
    put32(e + 24, (uint32_t)payload_len);
    memcpy(e + 32, prev, 32);
    if (payload_len > 0u) memcpy(e + 64, payload, payload_len);
    return mon_sha256(e, HASHED_BYTES, e + HASHED_BYTES);
}

static void commit(mon_ledger *l, uint32_t kind, uint64_t tick, const uint8_t *payload,
                   size_t payload_len)
{
    uint8_t *e = ring(l) + (size_t)(l->count % l->capacity) * MON_LEDGER_ENTRY_BYTES;
    /* cannot fail: e is a valid buffer and 192 bytes is far below the SHA-256 limit */
    (void)encode(e, kind, l->count, tick, l->head, payload, payload_len);
    memcpy(l->head, e + HASHED_BYTES, 32);
    l->count += 1u;
}

static mon_status flush_pending(mon_ledger *l)
{
    uint32_t n;
    if (l->write == NULL) {
        l->written = l->count;
        return MON_OK;
    }
    /* at most capacity pending entries (checked by valid()) */
    for (n = 0; n < l->capacity && l->written < l->count; ++n) {
        const uint8_t *e = ring_c(l) + (size_t)(l->written % l->capacity) * MON_LEDGER_ENTRY_BYTES;
        int rc;
        l->busy = 1u;
        rc = l->write(l->ctx, e, MON_LEDGER_ENTRY_BYTES);
        l->busy = 0u;
        if (rc != 0) return MON_E_TRUNCATED;
        l->written += 1u;
    }
    return MON_OK;
}

size_t mon_ledger_size(uint32_t capacity)
{
    if (capacity == 0u || capacity > MON_LEDGER_MAX_CAPACITY) return 0;
    return header_size() + (size_t)capacity * MON_LEDGER_ENTRY_BYTES;
}

static int genesis_ok(const mon_ledger_genesis *g)
{
    uint32_t i;
    if (g->checkpoint_every > MON_LEDGER_MAX_CHECKPOINT_EVERY) return 0;
    if (g->model_len > MON_LEDGER_MODEL_MAX) return 0;
    for (i = 0; i < g->model_len; ++i)
        if (g->model[i] < 0x20u || g->model[i] > 0x7eu) return 0;
    return 1;
}

static size_t genesis_payload(const mon_ledger_genesis *g, uint8_t p[MON_LEDGER_MAX_PAYLOAD])
{
    memset(p, 0, MON_LEDGER_MAX_PAYLOAD);
    memcpy(p, g->policy_hash, 32);
    memcpy(p + 32, g->reference_digest, 32);
    put32(p + 64, g->checkpoint_every);
    put32(p + 68, g->model_len);
    memcpy(p + GENESIS_FIXED, g->model, g->model_len);
    return GENESIS_FIXED + g->model_len;
}

mon_status mon_ledger_init(void *mem, size_t size, uint32_t capacity,
                           const mon_ledger_genesis *genesis, uint64_t tick,
                           mon_ledger_write_fn write, void *ctx, mon_ledger **out)
{
    mon_ledger *l;
    uint8_t p[MON_LEDGER_MAX_PAYLOAD];
    size_t need = mon_ledger_size(capacity), plen;
    if (mem == NULL || genesis == NULL || out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(mem) || !MON_ALIGNED_PTR(out)) return MON_E_ALIGN;
    if (need == 0u || size < need) return MON_E_SIZE;
    if (!genesis_ok(genesis)) return MON_E_VALUE;
    plen = genesis_payload(genesis, p);
    memset(mem, 0, header_size());
    l = (mon_ledger *)mem;
    l->capacity = capacity;
    l->checkpoint_every = genesis->checkpoint_every;
    l->write = write;
    l->ctx = ctx;
    commit(l, MON_LEDGER_GENESIS, tick, p, plen);
    memcpy(l->genesis_hash, l->head, 32);
    l->guard = guard_of(l);
    l->magic = LEDGER_MAGIC;
    *out = l;
    return flush_pending(l);
}

mon_status mon_ledger_append(mon_ledger *l, uint32_t kind, uint64_t tick, const uint8_t *payload,
                             size_t payload_len)
{
    mon_status s = check_obj(l);
    uint64_t need;
    int due;
    if (s != MON_OK) return s;
    if (kind >= (uint32_t)MON_LEDGER_KIND_COUNT || kind == (uint32_t)MON_LEDGER_GENESIS ||
        kind == (uint32_t)MON_LEDGER_CHECKPOINT)
        return MON_E_VALUE;
    if (payload_len > MON_LEDGER_MAX_PAYLOAD) return MON_E_SIZE;
    if (payload == NULL && payload_len > 0u) return MON_E_NULL;
    (void)flush_pending(l); /* a failure leaves them pending; counted below */
    due = l->checkpoint_every > 0u && (l->count % l->checkpoint_every) == 0u;
    need = (due != 0) ? UINT64_C(2) : UINT64_C(1);
    if (l->count > MAX_ENTRIES - need) return MON_E_OVERFLOW;
    if (l->count - l->written + need > l->capacity) return MON_E_OVERFLOW;
    if (due) {
        uint8_t cp[CHECKPOINT_LEN];
        put64(cp, l->count);
        memcpy(cp + 8, l->head, 32);
        memcpy(cp + 40, l->genesis_hash, 32);
        commit(l, MON_LEDGER_CHECKPOINT, tick, cp, CHECKPOINT_LEN);
    }
    commit(l, kind, tick, payload, payload_len);
    return flush_pending(l);
}

mon_status mon_ledger_flush(mon_ledger *l)
{
    mon_status s = check_obj(l);
    if (s != MON_OK) return s;
    return flush_pending(l);
}

mon_status mon_ledger_head(const mon_ledger *l, mon_ledger_anchor *anchor, uint64_t *written)
{
    mon_status s = check_obj(l);
    if (s != MON_OK) return s;
    if (anchor == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(anchor) || !MON_ALIGNED_U64(written)) return MON_E_ALIGN;
    anchor->count = l->count;
    memcpy(anchor->head, l->head, 32);
    if (written != NULL) *written = l->written;
    return MON_OK;
}

mon_status mon_ledger_entry_bytes(const mon_ledger *l, uint64_t index,
                                  uint8_t out[MON_LEDGER_ENTRY_BYTES])
{
    mon_status s = check_obj(l);
    if (s != MON_OK) return s;
    if (out == NULL) return MON_E_NULL;
    if (index >= l->count || l->count - index > l->capacity) return MON_E_VALUE;
    memcpy(out, ring_c(l) + (size_t)(index % l->capacity) * MON_LEDGER_ENTRY_BYTES,
           MON_LEDGER_ENTRY_BYTES);
    return MON_OK;
}

/* Structural check of one entry (no hash): 1 when well formed. */
static int well_formed(const uint8_t *e)
{
    uint32_t plen = get32(e + 24), i;
    if (get32(e) != ENTRY_MAGIC || get16(e + 4) != MON_LEDGER_VERSION) return 0;
    if (get32(e + 28) != 0u || plen > MON_LEDGER_MAX_PAYLOAD) return 0;
    for (i = plen; i < MON_LEDGER_MAX_PAYLOAD; ++i)
        if (e[64u + i] != 0u) return 0;
    return 1;
}

static int hash_ok(const uint8_t *e)
{
    uint8_t h[32];
    (void)mon_sha256(e, HASHED_BYTES, h);
    return memcmp(h, e + HASHED_BYTES, 32) == 0;
}

mon_status mon_ledger_decode(const uint8_t *bytes, size_t n, mon_ledger_entry *out)
{
    if (bytes == NULL || out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    if (n < MON_LEDGER_ENTRY_BYTES) return MON_E_TRUNCATED;
    if (!well_formed(bytes)) return MON_E_FORMAT;
    if (!hash_ok(bytes)) return MON_E_CHECKSUM;
    out->index = get64(bytes + 8);
    out->tick = get64(bytes + 16);
    out->kind = get16(bytes + 6);
    out->payload_len = get32(bytes + 24);
    memcpy(out->prev, bytes + 32, 32);
    memcpy(out->hash, bytes + HASHED_BYTES, 32);
    memcpy(out->payload, bytes + 64, MON_LEDGER_MAX_PAYLOAD);
    return MON_OK;
}

/* The genesis entry's fields; 0 when its payload is not a valid genesis payload. */
static int read_genesis(const uint8_t *e, mon_ledger_genesis *g)
{
    uint32_t plen = get32(e + 24);
    const uint8_t *p = e + 64;
    uint8_t zero[32];
    memset(zero, 0, sizeof zero);
    if (get16(e + 6) != (uint32_t)MON_LEDGER_GENESIS || get64(e + 8) != 0u) return 0;
    if (memcmp(e + 32, zero, 32) != 0 || plen < GENESIS_FIXED) return 0;
    memset(g, 0, sizeof *g);
    memcpy(g->policy_hash, p, 32);
    memcpy(g->reference_digest, p + 32, 32);
    g->checkpoint_every = get32(p + 64);
    g->model_len = get32(p + 68);
    if (g->model_len > MON_LEDGER_MODEL_MAX || plen != GENESIS_FIXED + g->model_len) return 0;
    memcpy(g->model, p + GENESIS_FIXED, g->model_len);
    return genesis_ok(g);
}

static mon_status fail(mon_ledger_report *r, uint32_t fault, uint64_t at)
{
    r->fault = fault;
    r->first_bad = at;
    switch (fault) {
    case MON_LEDGER_F_PARTIAL:
    case MON_LEDGER_F_SHORT: return MON_E_TRUNCATED;
    case MON_LEDGER_F_HASH:
    case MON_LEDGER_F_LINK:
    case MON_LEDGER_F_ANCHOR: return MON_E_CHECKSUM;
    default: return MON_E_FORMAT;
    }
}

/* The fault of entry i (given the good prefix in r), or MON_LEDGER_OK. */
static uint32_t entry_fault(const uint8_t *e, uint64_t i, const mon_ledger_report *r,
                            const uint8_t genesis_hash[32])
{
    uint32_t kind = get16(e + 6), k;
    if (!well_formed(e)) return MON_LEDGER_F_FORMAT;
    if (!hash_ok(e)) return MON_LEDGER_F_HASH;
    if (i == 0u) {
        mon_ledger_genesis g;
        return read_genesis(e, &g) ? (uint32_t)MON_LEDGER_OK : (uint32_t)MON_LEDGER_F_GENESIS;
    }
    if (get64(e + 8) != i) return MON_LEDGER_F_INDEX;
    if (memcmp(e + 32, r->head, 32) != 0) return MON_LEDGER_F_LINK;
    if (kind >= (uint32_t)MON_LEDGER_KIND_COUNT || kind == (uint32_t)MON_LEDGER_GENESIS)
        return MON_LEDGER_F_KIND;
    k = r->genesis.checkpoint_every;
    if ((k > 0u && i % k == 0u) != (kind == (uint32_t)MON_LEDGER_CHECKPOINT))
        return MON_LEDGER_F_CHECKPOINT;
    if (kind == (uint32_t)MON_LEDGER_CHECKPOINT &&
        (get32(e + 24) != CHECKPOINT_LEN || get64(e + 64) != i ||
         memcmp(e + 72, r->head, 32) != 0 || memcmp(e + 104, genesis_hash, 32) != 0))
        return MON_LEDGER_F_CHECKPOINT;
    return MON_LEDGER_OK;
}

mon_status mon_ledger_verify(const uint8_t *bytes, size_t len, const mon_ledger_anchor *anchor,
                             mon_ledger_report *report)
{
    uint64_t n, i;
    uint8_t genesis_hash[32];
    if (report == NULL || (bytes == NULL && len > 0u)) return MON_E_NULL;
    if (!MON_ALIGNED_U64(report) || !MON_ALIGNED_U64(anchor)) return MON_E_ALIGN;
    memset(report, 0, sizeof *report);
    memset(genesis_hash, 0, sizeof genesis_hash);
    n = (uint64_t)(len / MON_LEDGER_ENTRY_BYTES);
    for (i = 0; i < n; ++i) { /* n = len / MON_LEDGER_ENTRY_BYTES */
        const uint8_t *e = bytes + (size_t)i * MON_LEDGER_ENTRY_BYTES;
        uint32_t f = entry_fault(e, i, report, genesis_hash);
        if (f != MON_LEDGER_OK) return fail(report, f, i);
        if (i == 0u) {
            (void)read_genesis(e, &report->genesis);
            memcpy(genesis_hash, e + HASHED_BYTES, 32);
        }
        if (anchor != NULL && anchor->count == i + 1u &&
            memcmp(anchor->head, e + HASHED_BYTES, 32) != 0)
            return fail(report, MON_LEDGER_F_ANCHOR, i);
        memcpy(report->head, e + HASHED_BYTES, 32);
        report->count = i + 1u;
    }
    if (len % MON_LEDGER_ENTRY_BYTES != 0u || n == 0u) return fail(report, MON_LEDGER_F_PARTIAL, n);
    if (anchor != NULL && anchor->count > n) return fail(report, MON_LEDGER_F_SHORT, n);
    report->first_bad = n;
    return MON_OK;
}
