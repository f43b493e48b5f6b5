/* Instruction counts of the hot paths, for valgrind --tool=callgrind (tools/cert/hot_cost.py):
 * each function below is called N times from its own noinline driver, so callgrind's
 * inclusive cost of a driver divided by N is the instructions per call (per value for the
 * array functions). Not part of the library. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "monitor.h"

#define N 100000
#define NOINLINE __attribute__((noinline))
static uint64_t hmem[(MON_HIST_HEADER_BYTES + 8 * 4096) / 8];
static uint64_t smem[4096];
static uint64_t rmem[200000];
static uint64_t v[N];
static double vd[N];

NOINLINE static void drive_hist_record(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; ++i) mon_hist_record(h, v[i]);
}
NOINLINE static void drive_hist_record_f64(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; ++i) (void)mon_hist_record_f64(h, vd[i], MON_HIST_MS);
}
NOINLINE static void drive_hist_record_many(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; i += 1000) mon_hist_record_many(h, v + i, 1000);
}
NOINLINE static void drive_hist_record_many_f64(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; i += 1000) (void)mon_hist_record_many_f64(h, vd + i, 1000, MON_HIST_MS);
}
NOINLINE static void drive_ring_record(mon_hist_ring *r)
{
    size_t i;
    for (i = 0; i < N; ++i) (void)mon_hist_ring_record(r, (uint64_t)i * 1000u, v[i]);
}
NOINLINE static void drive_service(mon_service *s)
{
    size_t i;
    for (i = 0; i < N; ++i) {
        mon_service_begin(s, (uint64_t)i * 1000u);
        (void)mon_service_ok(s, (uint64_t)i * 1000u + 1u);
    }
}

/* ---- Worst cases (`callgrind_hot worst`, hot_cost.py --worst): each driver below calls one
 * function WN times on the worst inputs its stated bounds admit, every call taking the same
 * (longest) path, so inclusive cost / WN is the worst-case count of one call. Why each input is
 * the worst is said in hot_cost.py's WORST table (and docs/certification.md). */
#define WN 64
#define WBINS 10000               /* drift / binning bound: bins <= 10^4 */
#define WBIG MON_HIST_MAX_BUCKETS /* scale 8 over 1 .. 2^64 - 1: 16385 buckets */
#define WVALS 10000               /* array recorders: values per call */
static uint64_t whist[(MON_HIST_HEADER_BYTES + 8 * WBIG) / 8 + 8];
static uint64_t whist4k[(MON_HIST_HEADER_BYTES + 8 * 4096) / 8 + 8];
static uint64_t wring[4 * ((MON_HIST_HEADER_BYTES + 8 * WBIG) / 8 + 64) + 4096];
static uint64_t wsvc[2 * ((88u * MON_SERVICE_MAX_SLOTS) / 8 + 4096)];
static uint64_t wbinner[(WBINS + 64) * 2 + 4096];
static uint64_t wp[WBINS], wq[WBINS], wcounts[WBINS + 8];
static double wx[WVALS + 1], wedges[WBINS + 1];
static uint64_t wv[WVALS + 1];
static int64_t wcodes[WVALS];
static unsigned char wbytes[8 * WVALS + 16];
static unsigned char wbytes_us[8 * WVALS + 16];
static mon_u128 wcontrib[WBINS];

static unsigned wbad; /* calls that did not succeed: the run fails (a count of an error path) */
#define WCHK(e) (wbad += (unsigned)((e) != MON_OK))

static mon_psi_options wlaplace = {MON_PSI_LAPLACE, MON_DRIFT_FLOOR_EPS_DEFAULT_MANT,
                                   MON_DRIFT_FLOOR_EPS_DEFAULT_EXP2};
static mon_psi_options wfloor = {MON_PSI_FLOOR, MON_DRIFT_FLOOR_EPS_DEFAULT_MANT,
                                 MON_DRIFT_FLOOR_EPS_DEFAULT_EXP2};

static mon_hist *wh(void) { return (mon_hist *)(void *)whist; }

NOINLINE static void w_hist_record(void)
{
    uint64_t i; /* increasing values near 2^64: a new max, a sum carry, the top octave */
    for (i = 0; i < WN; ++i) WCHK(mon_hist_record(wh(), UINT64_MAX - WN + i));
}
NOINLINE static void w_hist_record_f64_slow(void)
{
    size_t i; /* below 2^-11 s: the general conversion path with a 128-bit remainder */
    for (i = 0; i < WN; ++i)
        WCHK(mon_hist_record_f64(wh(), 1.2345e-5 + (double)i * 1e-9, MON_HIST_S));
}
NOINLINE static void w_hist_record_f64_fast(void)
{
    size_t i;
    for (i = 0; i < WN; ++i) WCHK(mon_hist_record_f64(wh(), 1234.567 + (double)i, MON_HIST_MS));
}
NOINLINE static void w_hist_record_many_big(const uint64_t *v)
{
    size_t i; /* misaligned (copied in pieces), every value in range, index-list mode */
    for (i = 0; i < 4; ++i) WCHK(mon_hist_record_many(wh(), v, WVALS));
}
NOINLINE static void w_hist_record_many_4k(const uint64_t *v)
{
    size_t i; /* the on-stack table mode: clear, count, flush 4096 buckets */
    for (i = 0; i < 4; ++i) WCHK(mon_hist_record_many((mon_hist *)(void *)whist4k, v, WVALS));
}
NOINLINE static void w_hist_record_many_f64(const double *x)
{
    size_t i;
    for (i = 0; i < 4; ++i) wbad += mon_hist_record_many_f64(wh(), x, WVALS, MON_HIST_S) != 0u;
}
NOINLINE static void w_hist_record_many_u64(const uint64_t *v)
{
    size_t i; /* us with MON_HIST_STRICT: the extra checking pass, then convert and record */
    for (i = 0; i < 4; ++i)
        wbad += mon_hist_record_many_u64(wh(), v, WVALS, MON_HIST_US | MON_HIST_STRICT) != 0u;
}
NOINLINE static void w_hist_record_many_i64(const int64_t *v)
{
    size_t i;
    for (i = 0; i < 4; ++i)
        wbad += mon_hist_record_many_i64(wh(), v, WVALS, MON_HIST_US | MON_HIST_STRICT) != 0u;
}
NOINLINE static void w_hist_quantiles(const uint64_t *num, const uint64_t *den, uint64_t *out)
{
    size_t i; /* 64 fractions in decreasing order, all buckets filled, the last in the last */
    for (i = 0; i < WN; ++i) WCHK(mon_hist_quantiles(wh(), num, den, MON_HIST_MAX_QUANTILES, out));
}
NOINLINE static void w_ring_record(mon_hist_ring *r)
{
    uint64_t i; /* a new epoch at every call: the slot's 16384-bucket histogram is emptied */
    for (i = 0; i < WN; ++i) wbad += mon_hist_ring_record(r, (i + 1u) * 1000u, UINT64_MAX - i) != 1;
}
NOINLINE static void w_service_begin(mon_service *s)
{
    uint64_t i; /* a new epoch at every call: a slot claimed and emptied */
    for (i = 0; i < WN; ++i) WCHK(mon_service_begin(s, (i + 1u) * 1000u));
}
NOINLINE static void w_service_ok(mon_service *s)
{
    uint64_t i;
    for (i = 0; i < WN; ++i) WCHK(mon_service_ok(s, (WN + i + 1u) * 1000u));
}
NOINLINE static void w_service_fail(mon_service *s)
{
    uint64_t i;
    for (i = 0; i < WN; ++i) WCHK(mon_service_begin(s, (2u * WN + i + 1u) * 1000u));
    for (i = 0; i < WN; ++i) WCHK(mon_service_fail(s, (3u * WN + i + 1u) * 1000u, MON_ERR_TIMEOUT));
}
NOINLINE static void w_service_drop(mon_service *s)
{
    uint64_t i;
    for (i = 0; i < WN; ++i) WCHK(mon_service_begin(s, (6u * WN + i + 1u) * 1000u));
    for (i = 0; i < WN; ++i) WCHK(mon_service_drop(s, (7u * WN + i + 1u) * 1000u));
}
NOINLINE static void w_service_reject(mon_service *s)
{
    uint64_t i;
    for (i = 0; i < WN; ++i) WCHK(mon_service_reject(s, (8u * WN + i + 1u) * 1000u));
}
NOINLINE static void w_service_error(mon_service *s)
{
    uint64_t i;
    for (i = 0; i < WN; ++i)
        WCHK(mon_service_error(s, (9u * WN + i + 1u) * 1000u, MON_ERR_TIMEOUT));
}
NOINLINE static void w_service_window(mon_service *s)
{
    uint64_t i; /* every one of the 65536 slots in the window */
    mon_service_window w;
    for (i = 0; i < 4; ++i) WCHK(mon_service_window_counts(s, UINT64_C(65535) * 1000u + 999u, &w));
}
NOINLINE static void w_shared_finish(mon_service *s, mon_service *sh)
{
    uint64_t i;
    for (i = 0; i < WN; ++i) WCHK(mon_shared_begin(s, sh, (4u * WN + i + 1u) * 1000u));
    for (i = 0; i < WN; ++i)
        WCHK(mon_shared_finish(s, wh(), (5u * WN + i + 1u) * 1000u, MON_OUTCOME_FAILED,
                               MON_ERR_TIMEOUT, UINT64_MAX - i));
}
NOINLINE static void w_window_epoch(const mon_window_config *c)
{
    uint64_t i, acc = 0;
    for (i = 0; i < WN; ++i) acc += mon_window_epoch(c, UINT64_MAX - i);
    if (acc == 1u) puts("");
}
NOINLINE static void w_drift_scores(void)
{
    const mon_psi_options *o = &wlaplace;
    mon_drift_result r;
    WCHK(mon_drift_scores(wp, wq, WBINS, o, &r));
}
NOINLINE static void w_drift_scores_floor(void)
{
    const mon_psi_options *o = &wfloor;
    mon_drift_result r;
    WCHK(mon_drift_scores(wp, wq, WBINS, o, &r));
}
NOINLINE static void w_drift_tv(void)
{
    mon_u128 a, b, c;
    WCHK(mon_drift_tv(wp, wq, WBINS, &a, &b, &c));
}
NOINLINE static void w_drift_js(void)
{
    mon_u128 a;
    uint64_t d;
    WCHK(mon_drift_js(wp, wq, WBINS, &a, &d));
}
NOINLINE static void w_drift_psi(void)
{
    const mon_psi_options *o = &wlaplace;
    mon_u128 a;
    WCHK(mon_drift_psi(wp, wq, WBINS, o, &a));
}
NOINLINE static void w_drift_psi_floor(void)
{
    const mon_psi_options *o = &wfloor;
    mon_u128 a;
    WCHK(mon_drift_psi(wp, wq, WBINS, o, &a));
}
NOINLINE static void w_drift_psi_bins(void)
{
    const mon_psi_options *o = &wlaplace;
    WCHK(mon_drift_psi_bins(wp, wq, WBINS, o, wcontrib));
}
NOINLINE static void w_bin_count(const mon_binner *b)
{
    mon_bin_extra e;
    WCHK(mon_bin_count(b, wx, WVALS, wcounts, &e));
}
NOINLINE static void w_bin_count_codes(void)
{
    uint64_t unseen;
    WCHK(mon_bin_count_codes(wcodes, WVALS, wcounts, WBINS, &unseen));
}
NOINLINE static void w_sha256_update(mon_sha256_ctx *c)
{
    size_t i; /* misaligned data after one pending byte: every block goes through the buffer */
    for (i = 0; i < 4; ++i) WCHK(mon_sha256_update(c, wbytes + 1, 4096u));
}

/* The drift inputs (`worst CLS`): class 0 mild (+-6%), 1 extreme ratios (1 against ~2^40 in alternate bins),
 * 2 near-identical (one count apart), 3 random counts over the whole range; totals < 2^53. */
static void drift_inputs(int cls)
{
    uint64_t x = 88172645463325252u;
    size_t i;
    for (i = 0; i < WBINS; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (cls) {
        case 0:
            wq[i] = 100000u + (x % 900000u);
            wp[i] = wq[i] + wq[i] / 100u * ((x >> 40) % 13u) - wq[i] / 100u * 6u;
            break;
        case 1:
            wp[i] = (i & 1u) ? 1u : (UINT64_C(1) << 40) + (x % 1000u);
            wq[i] = (i & 1u) ? (UINT64_C(1) << 40) + (x % 1000u) : 1u;
            break;
        case 2:
            wq[i] = (UINT64_C(1) << 39) + (x % 1000u);
            wp[i] = wq[i] + (i & 1u);
            break;
        default:
            wp[i] = 1u + (x % (UINT64_C(1) << 39));
            wq[i] = 1u + ((x >> 20) % (UINT64_C(1) << 39));
            break;
        }
    }
}

int worst_safety(unsigned *bad); /* callgrind_safety.c: the safety-monitor units */

static int worst_main(int cls)
{
    mon_hist_config big = {1u, UINT64_MAX, 8}, k4 = {1u, 0u, 8};
    mon_window_config rw = {1000u, 0u, 4u, 0u}, sw = {1000u, 0u, MON_SERVICE_MAX_SLOTS, 0u};
    static uint64_t num[MON_HIST_MAX_QUANTILES], den[MON_HIST_MAX_QUANTILES];
    static uint64_t qout[MON_HIST_MAX_QUANTILES];
    static mon_sha256_ctx ctx;
    mon_hist_layout lay;
    mon_binner *binner;
    mon_service *s = (mon_service *)(void *)wsvc, *sh;
    mon_hist_ring *r = (mon_hist_ring *)(void *)wring;
    uint64_t x = 88172645463325252u, t;
    int32_t idx;
    size_t i;
    drift_inputs(cls);
    w_drift_scores();
    w_drift_scores_floor();
    w_drift_tv();
    w_drift_js();
    w_drift_psi();
    w_drift_psi_floor();
    w_drift_psi_bins();
    if (cls != 0) { /* the other drift input classes only */
        printf("WN=%d failed=%u\n", WN, wbad);
        return wbad ? 12 : 0;
    }
    if (mon_hist_init(whist, sizeof whist, &big) != MON_OK) return 1;
    if (mon_hist_layout_of(&big, &lay) != MON_OK || lay.buckets != WBIG) return 2;
    /* a 4096-bucket configuration: scale 8 from 1 (index 0) to T(4095) */
    if (mon_hist_threshold(8, 4095, &t) != MON_OK) return 3;
    k4.highest = t;
    if (mon_hist_init(whist4k, sizeof whist4k, &k4) != MON_OK) return 4;
    if (mon_hist_layout_of(&k4, &lay) != MON_OK || lay.buckets != 4096u) return 5;
    /* values spread over distinct buckets of the big histogram, written misaligned */
    for (i = 0; i < WVALS; ++i) {
        (void)mon_hist_threshold(8, (int32_t)(i * (WBIG / WVALS) + 1u), &t);
        memcpy(wbytes + 4 + 8 * i, &t, 8);
        t = t / 1000u + 1u; /* in us, still spread over distinct buckets where they are wide */
        memcpy(wbytes_us + 4 + 8 * i, &t, 8);
        wx[i] = 1e-9 * (double)(i + 1u) * 1.000123456789;
        wv[i] = t;
    }
    /* the quantiles' histogram: every bucket non-empty */
    for (idx = 0; idx < WBIG; ++idx) { /* (buckets that hold no integer stay empty) */
        (void)mon_hist_threshold(8, idx, &t);
        (void)mon_hist_record(wh(), t);
    }
    for (i = 0; i < MON_HIST_MAX_QUANTILES; ++i) {
        den[i] = UINT64_MAX;
        num[i] = UINT64_MAX - (UINT64_MAX / 64u) * i; /* decreasing: insertion sort's worst */
    }
    w_hist_quantiles(num, den, qout);
    w_hist_record();
    w_hist_record_f64_slow();
    w_hist_record_f64_fast();
    w_hist_record_many_big((const uint64_t *)(const void *)(wbytes + 4));
    {
        static uint64_t v4[WVALS];
        for (i = 0; i < WVALS; ++i) v4[i] = 1u + (uint64_t)(i * 37u) % k4.highest;
        w_hist_record_many_4k(v4);
    }
    w_hist_record_many_f64(wx);
    w_hist_record_many_u64((const uint64_t *)(const void *)(wbytes_us + 4));
    w_hist_record_many_i64((const int64_t *)(const void *)(wbytes_us + 4));
    if (mon_hist_ring_init(wring, sizeof wring, &big, &rw) != MON_OK) return 6;
    w_ring_record(r);
    if (mon_service_size(&sw) * 2u > sizeof wsvc) return 7;
    if (mon_service_init(wsvc, mon_service_size(&sw), &sw) != MON_OK) return 8;
    sh = (mon_service *)(void *)(wsvc + (mon_service_size(&sw) + 7u) / 8u);
    if (mon_service_init(sh, mon_service_size(&sw), &sw) != MON_OK) return 9;
    w_service_begin(s);
    w_service_ok(s);
    w_service_fail(s);
    w_service_drop(s);
    w_service_reject(s);
    w_service_error(s);
    for (t = 0; t < MON_SERVICE_MAX_SLOTS; ++t) (void)mon_service_reject(s, t * 1000u);
    w_service_window(s);
    w_shared_finish(s, sh);
    w_window_epoch(&rw);
    for (i = 0; i <= WBINS; ++i) wedges[i] = -1e6 + 200.0 * (double)i;
    if (mon_binner_size(WBINS + 1) > sizeof wbinner) return 10;
    if (mon_binner_init(wbinner, sizeof wbinner, wedges, WBINS + 1, &binner) != MON_OK) return 11;
    for (i = 0; i < WVALS; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        wx[i] = -1e6 + (double)(x % 2000000000u) * 1e-3;
        wcodes[i] = (int64_t)(x % (WBINS + WBINS / 10u));
    }
    w_bin_count(binner);
    w_bin_count_codes();
    (void)mon_sha256_init(&ctx);
    (void)mon_sha256_update(&ctx, wbytes, 1u);
    w_sha256_update(&ctx);
    if (worst_safety(&wbad) != 0) return 13;
    printf("WN=%d failed=%u\n", WN, wbad);
    return wbad ? 12 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "worst") == 0)
        return worst_main(argc > 2 ? argv[2][0] - '0' : 0);
    mon_hist_config c = {1000u, UINT64_C(3600000000000), 6};
    mon_hist_config rc = {1000u, UINT64_C(3600000000), 4};
    mon_window_config w = {1000000u, 0u, 16u, 0u};
    uint64_t x = 88172645463325252u;
    size_t i;
    for (i = 0; i < N; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[i] = 100000u + (x % 100000000u) / (1u + (x >> 60));
        vd[i] = (double)v[i] / 1e6;
    }
    if (mon_hist_init(hmem, sizeof hmem, &c) != MON_OK) return 1;
    if (mon_service_init(smem, sizeof smem, &w) != MON_OK) return 1;
    if (mon_hist_ring_init(rmem, sizeof rmem, &rc, &w) != MON_OK) return 1;
    drive_hist_record((mon_hist *)(void *)hmem);
    drive_hist_record_f64((mon_hist *)(void *)hmem);
    drive_hist_record_many((mon_hist *)(void *)hmem);
    drive_hist_record_many_f64((mon_hist *)(void *)hmem);
    drive_ring_record((mon_hist_ring *)(void *)rmem);
    drive_service((mon_service *)(void *)smem);
    printf("N=%d\n", N);
    return 0;
}
