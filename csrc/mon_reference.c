/*
 * The binary reference loader: little-endian fields read by arithmetic (never by casting), every
 * length checked against the end before it is used, the reference copied into caller memory.
 */
#include <string.h>
#include "mon_align_internal.h"
#include "mon_bits_internal.h"
#include "mon_hist.h"
#include "mon_reference.h"
#include "mon_sha256.h"

#define REF_MAGIC 0x52464552u /* "REFR": a loaded reference */
#define NO_LABEL 0xFFFFFFFFu

struct mon_reference {
    uint32_t magic;
    uint32_t features;
    uint32_t total_edges;
    uint32_t reserved;
    uint64_t rows;
    uint64_t need;
    uint8_t digest[32];
    /* features x struct rec follow, then edges, counts, names */
};

struct rec {
    uint64_t nan, below, above;
    uint64_t name_off, edges_off, counts_off; /* from the start of the object */
    uint32_t name_len, kind, nedges, labelled;
};

static const uint8_t magic_bytes[8] = {'M', 'O', 'N', 'R', 'E', 'F', 'B', 0};

static uint64_t round8(uint64_t n) { return (n + 7u) & ~(uint64_t)7u; }
static uint64_t obj_size(void) { return round8(sizeof(struct mon_reference)); }

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

/* A read cursor: `pos` never passes `end`. */
typedef struct cursor {
    const uint8_t *p;
    size_t pos, end;
} cursor;

static int take(cursor *c, size_t n, const uint8_t **out)
{
    if (n > c->end - c->pos) return 0;
    *out = c->p + c->pos;
    c->pos += n;
    return 1;
}

static int is_nan_bits(uint64_t b)
{
    return (b & 0x7FF0000000000000u) == 0x7FF0000000000000u && (b & 0x000FFFFFFFFFFFFFu) != 0u;
}

/* Validate the body (after the checksums) and, when mem is not NULL, copy it there. */
static mon_status parse(const uint8_t *bytes, size_t len, mon_reference_info *info, uint8_t *mem)
{
    cursor c;
    const uint8_t *q;
    uint32_t nfeat = get32(bytes + 12), f;
    uint64_t rows = get64(bytes + 16), edges_total = 0, names_total = 0;
    uint64_t table_off = obj_size(), edges_off, counts_off, names_off;
    uint64_t e_at = 0, c_at = 0, n_at = 0;
    if (get16(bytes + 10) != 0u) return MON_E_FORMAT;
    if (nfeat == 0u || nfeat > MON_REFERENCE_MAX_FEATURES) return MON_E_FORMAT;
    c.p = bytes;
    c.pos = MON_REFERENCE_HEADER_BYTES;
    c.end = len - MON_REFERENCE_TRAILER_BYTES;
    /* the copied regions (used in the copying pass, where info holds the validating pass's
     * totals): the feature table, the edges, the counts, the names */
    edges_off = table_off + (uint64_t)nfeat * sizeof(struct rec);
    counts_off = edges_off + 8u * (uint64_t)info->total_edges;
    names_off = counts_off + 8u * ((uint64_t)info->total_edges - (mem != NULL ? nfeat : 0u));
    for (f = 0; f < nfeat; ++f) { /* nfeat <= MON_REFERENCE_MAX_FEATURES */
        uint32_t name_len, kind, labelled, nedges, i;
        uint64_t nan, below, above, total, prev = 0;
        const uint8_t *name, *eb, *cb;
        if (!take(&c, 2, &q)) return MON_E_TRUNCATED;
        name_len = get16(q);
        if (!take(&c, name_len, &name) || !take(&c, 32, &q)) return MON_E_TRUNCATED;
        kind = q[0];
        labelled = q[1];
        nedges = get32(q + 4);
        nan = get64(q + 8);
        below = get64(q + 16);
        above = get64(q + 24);
        if (kind > 1u || labelled > 1u || get16(q + 2) != 0u) return MON_E_FORMAT;
        if (labelled && kind != 1u) return MON_E_FORMAT;
        if (nedges < 2u || nedges > MON_REFERENCE_MAX_EDGES) return MON_E_FORMAT;
        if (kind == 1u && nedges % 2u == 0u) return MON_E_FORMAT;
        if (!take(&c, 8u * (size_t)nedges, &eb) || !take(&c, 8u * (size_t)(nedges - 1u), &cb))
            return MON_E_TRUNCATED;
        for (i = 0; i < nedges; ++i) { /* nedges <= MON_REFERENCE_MAX_EDGES */
            uint64_t b = get64(eb + 8u * i);
            if (is_nan_bits(b)) return MON_E_EDGES;
            if (i > 0u && !(bits_to_double(prev) < bits_to_double(b))) return MON_E_EDGES;
            prev = b;
        }
        total = nan;
        if (below > UINT64_MAX - total) return MON_E_FORMAT;
        total += below;
        if (above > UINT64_MAX - total) return MON_E_FORMAT;
        total += above;
        for (i = 0; i + 1u < nedges; ++i) {
            uint64_t v = get64(cb + 8u * i);
            if (v > UINT64_MAX - total) return MON_E_FORMAT;
            total += v;
        }
        if (total != rows) return MON_E_FORMAT;
        if (labelled) {
            uint32_t nl, k;
            if (!take(&c, 4, &q)) return MON_E_TRUNCATED;
            nl = get32(q);
            if (nl != (nedges - 1u) / 2u) return MON_E_FORMAT;
            for (k = 0; k < nl; ++k) { /* nl < MON_REFERENCE_MAX_EDGES / 2 */
                uint32_t ll;
                const uint8_t *lb;
                if (!take(&c, 4, &q)) return MON_E_TRUNCATED;
                ll = get32(q);
                if (ll == NO_LABEL) {
                    if (k + 1u != nl) return MON_E_FORMAT;
                    continue;
                }
                if (!take(&c, ll, &lb)) return MON_E_TRUNCATED;
            }
        }
        if (mem == NULL) {
            edges_total += nedges;
            names_total += (uint64_t)name_len + 1u;
        } else {
            struct rec r;
            uint8_t *m;
            r.nan = nan;
            r.below = below;
            r.above = above;
            r.name_off = names_off + n_at;
            r.edges_off = edges_off + 8u * e_at;
            r.counts_off = counts_off + 8u * c_at;
            r.name_len = name_len;
            r.kind = kind;
            r.nedges = nedges;
            r.labelled = labelled;
            memcpy(mem + table_off + (uint64_t)f * sizeof r, &r, sizeof r);
            for (i = 0; i < nedges; ++i) {
                double d = bits_to_double(get64(eb + 8u * i));
                memcpy(mem + r.edges_off + 8u * i, &d, 8);
            }
            for (i = 0; i + 1u < nedges; ++i) {
                uint64_t v = get64(cb + 8u * i);
                memcpy(mem + r.counts_off + 8u * i, &v, 8);
            }
            m = mem + r.name_off;
            if (name_len > 0u) memcpy(m, name, name_len);
            m[name_len] = 0u;
            e_at += nedges;
            c_at += nedges - 1u;
            n_at += (uint64_t)name_len + 1u;
        }
    }
    if (c.pos != c.end) return MON_E_FORMAT;
    if (mem == NULL) {
        info->rows = rows;
        info->features = nfeat;
        info->total_edges = (uint32_t)edges_total;
        memcpy(info->digest, bytes + 24, 32);
        info->need = round8(edges_off + 16u * edges_total - 8u * (uint64_t)nfeat + names_total);
    }
    return MON_OK;
}

static mon_status check_bytes(const uint8_t *bytes, size_t len)
{
    uint8_t sha[32];
    size_t body;
    if (len < MON_REFERENCE_HEADER_BYTES + MON_REFERENCE_TRAILER_BYTES) return MON_E_TRUNCATED;
    if (memcmp(bytes, magic_bytes, 8) != 0) return MON_E_FORMAT;
    if (get16(bytes + 8) != MON_REFERENCE_VERSION) return MON_E_FORMAT;
    if (mon_hist_crc32c(bytes, len - 4u) != get32(bytes + len - 4u)) return MON_E_CHECKSUM;
    body = len - MON_REFERENCE_TRAILER_BYTES;
    if (mon_sha256(bytes, body, sha) != MON_OK) return MON_E_CHECKSUM;
    if (memcmp(sha, bytes + body, 32) != 0) return MON_E_CHECKSUM;
    return MON_OK;
}

mon_status mon_reference_peek(const uint8_t *bytes, size_t len, mon_reference_info *info)
{
    mon_reference_info tmp;
    mon_status s;
    if (bytes == NULL || info == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(info)) return MON_E_ALIGN;
    s = check_bytes(bytes, len);
    if (s != MON_OK) return s;
    memset(&tmp, 0, sizeof tmp);
    s = parse(bytes, len, &tmp, NULL);
    if (s == MON_OK) *info = tmp;
    return s;
}

mon_status mon_reference_load(void *mem, size_t size, const uint8_t *bytes, size_t len,
                              mon_reference **out)
{
    mon_reference_info info;
    mon_reference *r;
    mon_status s;
    if (mem == NULL || bytes == NULL || out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(mem) || !MON_ALIGNED_PTR(out)) return MON_E_ALIGN;
    s = mon_reference_peek(bytes, len, &info);
    if (s != MON_OK) return s;
    if ((uint64_t)size < info.need) return MON_E_SIZE;
    memset(mem, 0, (size_t)info.need);
    (void)parse(bytes, len, &info, (uint8_t *)mem); /* validated above: cannot fail */
    r = (mon_reference *)mem;
    r->features = info.features;
    r->total_edges = info.total_edges;
    r->rows = info.rows;
    r->need = info.need;
    memcpy(r->digest, info.digest, 32);
    r->magic = REF_MAGIC;
    *out = r;
    return MON_OK;
}

static mon_status check_ref(const mon_reference *r)
{
    if (r == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(r)) return MON_E_ALIGN;
    if (r->magic != REF_MAGIC || r->features == 0u || r->features > MON_REFERENCE_MAX_FEATURES ||
        r->need < obj_size() + (uint64_t)r->features * sizeof(struct rec))
        return MON_E_STATE;
    return MON_OK;
}

mon_status mon_reference_info_of(const mon_reference *r, mon_reference_info *info)
{
    mon_status s = check_ref(r);
    if (s != MON_OK) return s;
    if (info == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(info)) return MON_E_ALIGN;
    info->rows = r->rows;
    info->need = r->need;
    info->features = r->features;
    info->total_edges = r->total_edges;
    memcpy(info->digest, r->digest, 32);
    return MON_OK;
}

mon_status mon_reference_feature_at(const mon_reference *r, uint32_t i, mon_reference_feature *out)
{
    const uint8_t *base = (const uint8_t *)r;
    struct rec rc;
    mon_status s = check_ref(r);
    if (s != MON_OK) return s;
    if (out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out) || !MON_ALIGNED_PTR(out)) return MON_E_ALIGN;
    if (i >= r->features) return MON_E_VALUE;
    memcpy(&rc, base + obj_size() + (uint64_t)i * sizeof rc, sizeof rc);
    /* a corrupted table must not point outside the object */
    if (rc.nedges < 2u || rc.nedges > MON_REFERENCE_MAX_EDGES || rc.edges_off % 8u != 0u ||
        rc.counts_off % 8u != 0u || rc.edges_off > r->need || rc.counts_off > r->need ||
        rc.name_off > r->need || 8u * (uint64_t)rc.nedges > r->need - rc.edges_off ||
        8u * (uint64_t)(rc.nedges - 1u) > r->need - rc.counts_off ||
        (uint64_t)rc.name_len + 1u > r->need - rc.name_off || base[rc.name_off + rc.name_len] != 0u)
        return MON_E_STATE;
    out->name = (const char *)(base + rc.name_off);
    out->edges = (const double *)(const void *)(base + rc.edges_off);
    out->counts = (const uint64_t *)(const void *)(base + rc.counts_off);
    out->nan = rc.nan;
    out->below = rc.below;
    out->above = rc.above;
    out->name_len = rc.name_len;
    out->kind = rc.kind;
    out->nedges = rc.nedges;
    out->labelled = rc.labelled;
    return MON_OK;
}
