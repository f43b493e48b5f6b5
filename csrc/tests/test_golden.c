/*
 * Golden-vector program: recomputes every case of monitor/data/golden_v2.json (compiled in via
 * the generated golden_v2_data.h) with the C core, compares each output byte for byte, and
 * prints "GOLDEN PASS sha256=<digest>" where the digest is SHA-256 over the canonical encoding
 * of the outputs it computed (defined in monitor/_verify.py; `python -m monitor verify` prints
 * the same digest). Built and run by `make test` and by every target of the cross matrix.
 * This is a test program: it uses stdio; the core it exercises does not.
 */
#include <stdint.h>
#include <string.h>
#include "monitor.h"
#include "mon_test.h"
#include "golden_v2_data.h"

/* ---- SHA-256: the core's (mon_sha256.h); a failing call is a test failure ---- */
typedef mon_sha256_ctx sha256_ctx;

static void sha256_init(sha256_ctx *c) { CHECK(mon_sha256_init(c) == MON_OK); }

static void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    CHECK(mon_sha256_update(c, data, n) == MON_OK);
}

static void sha256_final(sha256_ctx *c, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[32];
    size_t i;
    CHECK(mon_sha256_final(c, d) == MON_OK);
    for (i = 0; i < 32; ++i) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
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

static void emit_str(const char *id, const char *name, const char *s)
{
    emit(id, name, s, strlen(s));
}

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

/* Array outputs (<type>[]) are built in a byte buffer, then emitted as one output. */
static unsigned char g_buf[1 << 16];
static size_t g_len;

static void buf_reset(void) { g_len = 0; }

static void buf_uint(uint64_t v, unsigned width)
{
    unsigned i;
    if (g_len + width > sizeof g_buf) {
        CHECK(!"golden output buffer too small");
        return;
    }
    for (i = 0; i < width; ++i) g_buf[g_len++] = (unsigned char)(v >> (8 * i));
}

static void emit_buf(const char *id, const char *name) { emit(id, name, g_buf, g_len); }

#if defined(GOLDEN_HAVE_DRIFT) || defined(GOLDEN_HAVE_DRIFT_LOG2)
/* u128: a 16-byte little-endian integer (lo word first) */
static void buf_u128(mon_u128 v)
{
    buf_uint(v.lo, 8);
    buf_uint(v.hi, 8);
}

static void emit_u128(const char *id, const char *name, mon_u128 v)
{
    buf_reset();
    buf_u128(v);
    emit_buf(id, name);
}
#endif

/* ---- case kinds ---- */
#ifdef GOLDEN_HAVE_STATUS
static void run_status(const golden_status_case *c)
{
    emit_str(c->id, "name", mon_status_name((mon_status)c->code));
    emit_str(c->id, "message", mon_status_str((mon_status)c->code));
}
#endif

#ifdef GOLDEN_HAVE_DRIFT
static void run_drift(const golden_drift_case *c)
{
    mon_psi_options opt;
    const mon_psi_options *popt = NULL;
    mon_drift_result r;
    mon_u128 a, b, d, js;
    uint64_t dist;
    mon_status st;
    if (c->has_opt) {
        opt.smoothing = c->smoothing;
        opt.eps_mant = c->eps_mant;
        opt.eps_exp2 = c->eps_exp2;
        popt = &opt;
    }
    st = mon_drift_scores(c->p, c->q, c->nbins, popt, &r);
    emit_int(c->id, "status", st, 4);
    if (st == MON_OK) {
        emit_u128(c->id, "tv_raw", r.tv_raw);
        emit_u128(c->id, "tv_num", r.tv_num);
        emit_u128(c->id, "tv_den", r.tv_den);
        emit_u128(c->id, "js_raw", r.js_raw);
        emit_uint(c->id, "js_distance_raw", r.js_distance_raw, 8);
        emit_u128(c->id, "psi_raw", r.psi_raw);
        emit_uint(c->id, "total_actual", r.total_actual, 8);
        emit_uint(c->id, "total_expected", r.total_expected, 8);
    }
    st = mon_drift_tv(c->p, c->q, c->nbins, &a, &b, &d);
    emit_int(c->id, "tv_status", st, 4);
    if (st == MON_OK) {
        buf_reset();
        buf_u128(a);
        buf_u128(b);
        buf_u128(d);
        emit_buf(c->id, "tv_single");
    }
    st = mon_drift_js(c->p, c->q, c->nbins, &js, &dist);
    emit_int(c->id, "js_status", st, 4);
    if (st == MON_OK) {
        emit_u128(c->id, "js_single", js);
        emit_uint(c->id, "js_distance_single", dist, 8);
    }
    st = mon_drift_psi(c->p, c->q, c->nbins, popt, &a);
    emit_int(c->id, "psi_status", st, 4);
    if (st == MON_OK) emit_u128(c->id, "psi_single", a);
}
#endif

#ifdef GOLDEN_HAVE_DRIFT_LOG2
static void run_drift_log2(const golden_drift_log2_case *c)
{
    size_t i;
    buf_reset();
    for (i = 0; i < c->n; ++i) buf_u128(mon_drift_log2_u64(c->x[i]));
    emit_buf(c->id, "log2");
}
#endif

#ifdef GOLDEN_HAVE_SERVICE
static uint64_t g_service_mem[(1 << 15) / 8];

static void buf_counts(const mon_service_counts *k)
{
    unsigned i;
    buf_uint(k->received, 8);
    buf_uint(k->processed, 8);
    buf_uint(k->dropped, 8);
    buf_uint(k->failed, 8);
    buf_uint(k->in_flight, 8);
    for (i = 0; i < 5; ++i) buf_uint(k->errors[i], 8);
}

static void run_service(const golden_service_case *c)
{
    mon_service_config cfg;
    mon_service *s = (mon_service *)(void *)g_service_mem;
    size_t size, i;
    mon_status st;
    static unsigned char snaps[1 << 15];
    size_t nsnaps = 0;
    cfg.slot_ticks = c->slot_ticks;
    cfg.start_tick = c->start_tick;
    cfg.slots = c->slots;
    cfg.flags = 0;
    size = mon_service_size(&cfg);
    CHECK(size <= sizeof g_service_mem);
    st = mon_service_init(g_service_mem, size, &cfg);
    emit_int(c->id, "init", st, 4);
    if (st != MON_OK) return;
    buf_reset();
    for (i = 0; i < c->n_events; ++i) {
        const golden_event *e = &c->events[i];
        mon_service_window w;
        mon_service_counts t;
        size_t before = g_len;
        st = MON_OK;
        switch (e->op) {
        case 0: mon_service_begin(s, e->tick); break;
        case 1: st = mon_service_ok(s, e->tick); break;
        case 2: st = mon_service_fail(s, e->tick, (mon_error_category)e->arg); break;
        case 3: st = mon_service_drop(s, e->tick); break;
        case 4: mon_service_reject(s, e->tick); break;
        case 5: st = mon_service_error(s, e->tick, (mon_error_category)e->arg); break;
        case 6:
            st = mon_service_window_counts(s, e->tick, &w);
            buf_counts(&w.counts);
            buf_uint(w.from_tick, 8);
            buf_uint(w.to_tick, 8);
            buf_uint(w.span_ticks, 8);
            break;
        default:
            st = mon_service_totals(s, &t);
            buf_counts(&t);
            break;
        }
        /* snapshots go to their own stream; the statuses stay in g_buf */
        if (g_len > before) {
            CHECK(nsnaps + (g_len - before) <= sizeof snaps);
            memcpy(snaps + nsnaps, g_buf + before, g_len - before);
            nsnaps += g_len - before;
            g_len = before;
        }
        buf_uint((uint64_t)(int64_t)st, 4);
    }
    emit_buf(c->id, "statuses");
    emit(c->id, "snapshots", snaps, nsnaps);
}
#endif

#ifdef GOLDEN_HAVE_ERROR_CATEGORY
static void run_error_category(const golden_error_category_case *c)
{
    const char *name = mon_error_category_name((mon_error_category)c->category);
    emit_str(c->id, "name", name ? name : "");
}
#endif

#if defined(GOLDEN_HAVE_HIST) || defined(GOLDEN_HAVE_BIN) || defined(GOLDEN_HAVE_SELECT)
static double g_d1[4096], g_d2[4096];

/* binary64 values are stored as bit patterns; memcpy keeps every bit (NaN payloads, -0.0) */
static const double *as_doubles(double *dst, const uint64_t *bits, size_t n)
{
    size_t i;
    CHECK(n <= 4096);
    for (i = 0; i < n && i < 4096; ++i) memcpy(&dst[i], &bits[i], sizeof(double));
    return dst;
}
#endif

#ifdef GOLDEN_HAVE_HIST
static uint64_t g_hmem[4][(1 << 16) / 8];
static unsigned char g_ser[1 << 16];

static void emit_hist_bytes(const char *id, const char *name, const mon_hist *h)
{
    size_t n = 0;
    mon_status st = mon_hist_serialize(h, g_ser, sizeof g_ser, &n);
    CHECK(st == MON_OK);
    emit(id, name, g_ser, n);
}

static const uint64_t g_qnum[] = {0, 1, 1, 1, 1, 3, 9, 99, 999, 1};
static const uint64_t g_qden[] = {1, 1000, 100, 4, 2, 4, 10, 100, 1000, 1};

static void run_hist(const golden_hist_case *c)
{
    mon_hist_config cfg;
    mon_hist_layout lay;
    mon_hist *h[4];
    uint64_t num = 0, den = 0, q[10];
    size_t size, k, half;
    mon_status st;
    cfg.lowest = c->lowest;
    cfg.highest = c->highest;
    cfg.scale = c->scale;
    st = mon_hist_layout_of(&cfg, &lay);
    emit_int(c->id, "layout_status", st, 4);
    if (st != MON_OK) return;
    buf_reset();
    buf_uint((uint64_t)(int64_t)lay.scale, 4);
    buf_uint((uint64_t)(int64_t)lay.index_lo, 4);
    buf_uint((uint64_t)(int64_t)lay.index_hi, 4);
    emit_buf(c->id, "layout_index");
    buf_reset();
    buf_uint(lay.buckets, 8);
    buf_uint(lay.range_lo, 8);
    buf_uint(lay.range_hi, 8);
    emit_buf(c->id, "layout_range");
    emit_int(c->id, "error_bound_status", mon_hist_error_bound(&cfg, &num, &den), 4);
    buf_reset();
    buf_uint(num, 8);
    buf_uint(den, 8);
    emit_buf(c->id, "error_bound");
    size = mon_hist_size(&cfg);
    CHECK(size <= sizeof g_hmem[0]);
    for (k = 0; k < 4; ++k) {
        CHECK(mon_hist_init(g_hmem[k], size, &cfg) == MON_OK);
        h[k] = (mon_hist *)(void *)g_hmem[k];
    }
    for (k = 0; k < 2; ++k) {
        const uint64_t *v = k ? c->b : c->a;
        size_t n = k ? c->nb : c->na, i;
        half = n / 2;
        for (i = 0; i < half; ++i) mon_hist_record(h[k], v[i]);
        mon_hist_record_many(h[k], v + half, n - half);
    }
    for (k = 0; k < 2; ++k) {
        mon_hist_stats stt;
        const char *pre = k ? "b" : "a";
        char name[32];
        CHECK(mon_hist_get_stats(h[k], &stt) == MON_OK);
        buf_reset();
        buf_uint(stt.count, 8);
        buf_uint(stt.underflow, 8);
        buf_uint(stt.overflow, 8);
        buf_uint(stt.invalid, 8);
        buf_uint(stt.min, 8);
        buf_uint(stt.max, 8);
        buf_uint(stt.sum_lo, 8);
        buf_uint(stt.sum_hi, 8);
        sprintf(name, "%s_stats", pre);
        emit_buf(c->id, name);
        sprintf(name, "%s_bytes", pre);
        emit_hist_bytes(c->id, name, h[k]);
        st = mon_hist_quantiles(h[k], g_qnum, g_qden, 10, q);
        sprintf(name, "%s_quantiles_status", pre);
        emit_int(c->id, name, st, 4);
        if (st == MON_OK) {
            size_t i;
            buf_reset();
            for (i = 0; i < 10; ++i) buf_uint(q[i], 8);
            sprintf(name, "%s_quantiles", pre);
            emit_buf(c->id, name);
        }
    }
    /* merges in both orders */
    CHECK(mon_hist_merge(h[2], h[0]) == MON_OK);
    emit_int(c->id, "merge_ab_status", mon_hist_merge(h[2], h[1]), 4);
    emit_hist_bytes(c->id, "merge_ab", h[2]);
    CHECK(mon_hist_reset(h[2]) == MON_OK);
    CHECK(mon_hist_merge(h[2], h[1]) == MON_OK);
    emit_int(c->id, "merge_ba_status", mon_hist_merge(h[2], h[0]), 4);
    emit_hist_bytes(c->id, "merge_ba", h[2]);
    /* round trip of a's bytes */
    {
        size_t n = 0;
        static unsigned char tmp[1 << 16];
        CHECK(mon_hist_serialize(h[0], tmp, sizeof tmp, &n) == MON_OK);
        st = mon_hist_deserialize(g_hmem[3], size, tmp, n);
        emit_int(c->id, "roundtrip_status", st, 4);
        if (st == MON_OK) emit_hist_bytes(c->id, "roundtrip_bytes", h[3]);
    }
}
#endif

#ifdef GOLDEN_HAVE_HIST_DECODE
static void run_hist_decode(const golden_hist_decode_case *c)
{
    mon_hist_config cfg;
    static const unsigned char none[1] = {0};
    mon_status st = mon_hist_peek_config(c->len ? c->bytes : none, c->len, &cfg);
    emit_int(c->id, "peek_status", st, 4);
    if (st == MON_OK) {
        buf_reset();
        buf_uint(cfg.lowest, 8);
        buf_uint(cfg.highest, 8);
        buf_uint((uint64_t)(int64_t)cfg.scale, 8);
        emit_buf(c->id, "config");
    }
}
#endif

#ifdef GOLDEN_HAVE_HIST_F64
static void run_hist_f64(const golden_hist_f64_case *c)
{
    static uint64_t ns[4096];
    size_t i;
    const double *x = as_doubles(g_d1, c->bits, c->n);
    buf_reset();
    for (i = 0; i < c->n; ++i) {
        uint64_t o = 0;
        mon_status st = mon_hist_f64_to_ns(x[i], c->unit, &o);
        buf_uint((uint64_t)(int64_t)st, 4);
        ns[i] = st == MON_OK ? o : 0;
    }
    emit_buf(c->id, "statuses");
    buf_reset();
    for (i = 0; i < c->n; ++i) buf_uint(ns[i], 8);
    emit_buf(c->id, "ns");
}
#endif

#ifdef GOLDEN_HAVE_HIST_INDEX
static void run_hist_index(const golden_hist_index_case *c)
{
    static int32_t idx[256];
    static uint64_t th[256];
    size_t i;
    buf_reset();
    for (i = 0; i < c->nvalues; ++i) {
        int32_t o = 0;
        mon_status st = mon_hist_index_of(c->scale, c->values[i], &o);
        buf_uint((uint64_t)(int64_t)st, 4);
        idx[i] = st == MON_OK ? o : 0;
    }
    for (i = 0; i < c->nindices; ++i) {
        uint64_t o = 0;
        mon_status st = mon_hist_threshold(c->scale, (int32_t)c->indices[i], &o);
        buf_uint((uint64_t)(int64_t)st, 4);
        th[i] = st == MON_OK ? o : 0;
    }
    emit_buf(c->id, "statuses");
    buf_reset();
    for (i = 0; i < c->nvalues; ++i) buf_uint((uint64_t)(int64_t)idx[i], 4);
    emit_buf(c->id, "index");
    buf_reset();
    for (i = 0; i < c->nindices; ++i) buf_uint(th[i], 8);
    emit_buf(c->id, "threshold");
    buf_reset();
    for (i = 0; i < c->nvalues; ++i) buf_uint(c->values[i], 8);
    emit_uint(c->id, "crc32c", mon_hist_crc32c(g_buf, g_len), 4);
}
#endif

#ifdef GOLDEN_HAVE_BIN
static uint64_t g_bmem[(1 << 16) / 8];

static void run_bin(const golden_bin_case *c)
{
    mon_binner *b = NULL;
    mon_bin_extra extra;
    static uint64_t counts[4096];
    size_t size = mon_binner_size(c->nedges), nb, i;
    mon_status st;
    const double *e = as_doubles(g_d1, c->edges, c->nedges);
    CHECK(size <= sizeof g_bmem);
    st = mon_binner_init(g_bmem, size, e, c->nedges, &b);
    emit_int(c->id, "init", st, 4);
    if (st != MON_OK) return;
    nb = mon_binner_nbins(b);
    memset(counts, 0, sizeof counts);
    memset(&extra, 0, sizeof extra);
    st = mon_bin_count(b, as_doubles(g_d2, c->values, c->n), c->n, counts, &extra);
    emit_int(c->id, "count_status", st, 4);
    buf_reset();
    for (i = 0; i < nb; ++i) buf_uint(counts[i], 8);
    emit_buf(c->id, "counts");
    buf_reset();
    buf_uint(extra.nan, 8);
    buf_uint(extra.below, 8);
    buf_uint(extra.above, 8);
    emit_buf(c->id, "extra");
}
#endif

#ifdef GOLDEN_HAVE_BIN_CODES
static void run_bin_codes(const golden_bin_codes_case *c)
{
    static uint64_t counts[256];
    uint64_t unseen = 0;
    size_t i;
    mon_status st;
    memset(counts, 0, sizeof counts);
    st = mon_bin_count_codes(c->codes, c->n, counts, c->ncodes, &unseen);
    emit_int(c->id, "status", st, 4);
    buf_reset();
    for (i = 0; i < c->ncodes; ++i) buf_uint(counts[i], 8);
    emit_buf(c->id, "counts");
    emit_uint(c->id, "unseen", unseen, 8);
}
#endif

#ifdef GOLDEN_HAVE_SELECT
static void run_select(const golden_select_case *c)
{
    static uint32_t hist[MON_SELECT_HIST_LEN];
    static uint64_t keys[4097];
    static double out[MON_SELECT_MAX_RANKS];
    uint64_t nan = 0;
    size_t i;
    const double *x = as_doubles(g_d1, c->values, c->n);
    mon_status st = mon_select_prepare(x, c->n, hist, &nan);
    emit_int(c->id, "prepare", st, 4);
    if (st != MON_OK) return;
    st = mon_select_ranks(x, c->n, hist, c->ranks, c->nranks, keys, out);
    emit_uint(c->id, "nan_count", nan, 8);
    emit_int(c->id, "select", st, 4);
    if (st == MON_OK) {
        buf_reset();
        for (i = 0; i < c->nranks; ++i) {
            uint64_t bits;
            memcpy(&bits, &out[i], sizeof bits);
            buf_uint(bits, 8);
        }
        emit_buf(c->id, "values");
    }
}
#endif

/* REQ: MON-REQ-GOLD-001, MON-REQ-CORE-001 */
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
#ifdef GOLDEN_HAVE_DRIFT
        case GOLDEN_KIND_DRIFT: run_drift(&golden_drift_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_DRIFT_LOG2
        case GOLDEN_KIND_DRIFT_LOG2: run_drift_log2(&golden_drift_log2_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_SERVICE
        case GOLDEN_KIND_SERVICE: run_service(&golden_service_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_HIST
        case GOLDEN_KIND_HIST: run_hist(&golden_hist_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_HIST_DECODE
        case GOLDEN_KIND_HIST_DECODE: run_hist_decode(&golden_hist_decode_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_HIST_F64
        case GOLDEN_KIND_HIST_F64: run_hist_f64(&golden_hist_f64_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_HIST_INDEX
        case GOLDEN_KIND_HIST_INDEX: run_hist_index(&golden_hist_index_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_BIN
        case GOLDEN_KIND_BIN: run_bin(&golden_bin_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_BIN_CODES
        case GOLDEN_KIND_BIN_CODES: run_bin_codes(&golden_bin_codes_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_SELECT
        case GOLDEN_KIND_SELECT: run_select(&golden_select_cases[o->index]); break;
#endif
#ifdef GOLDEN_HAVE_ERROR_CATEGORY
        case GOLDEN_KIND_ERROR_CATEGORY:
            run_error_category(&golden_error_category_cases[o->index]);
            break;
#endif
        default: CHECK(!"unknown golden kind"); break;
        }
    }
    CHECK(g_next == GOLDEN_N_EXPECTED);
    sha256_final(&g_sha, hex);
    CHECK(strcmp(hex, GOLDEN_DIGEST) == 0);
    printf("GOLDEN %s sha256=%s (golden v%d: %d cases, %u outputs)\n",
           (g_mismatches == 0 && g_next == GOLDEN_N_EXPECTED && strcmp(hex, GOLDEN_DIGEST) == 0)
               ? "PASS"
               : "FAIL",
           hex, GOLDEN_VERSION, (int)GOLDEN_N_CASES, (unsigned)g_next);
    (void)emit_uint;
    (void)emit_int;
    (void)emit_buf;
    (void)buf_reset;
    (void)buf_uint;
    MON_TEST_MAIN_END();
}
