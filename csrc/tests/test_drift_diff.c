/* Differential test of the drift metrics: every raw output of mon_drift_scores, mon_drift_tv,
 * mon_drift_js, mon_drift_js_fp, mon_drift_psi, mon_drift_psi_bins and mon_drift_log2_u64 (and
 * every status) over pseudo-random inputs is hashed (SHA-256 of a fixed little-endian
 * serialisation). The digest of the default run is pinned below (golden version 2, see
 * docs/certification.md), so any change of a single output bit on
 * any platform, compiler, optimisation level or with / without unsigned __int128 fails here
 * (the cross matrix and `make portable` run this program too).
 *
 *   test_drift_diff                     -> the pinned run (lean: ~1,500 inputs, <= 300 bins)
 *   test_drift_diff COUNT SEED MAXBINS  -> COUNT inputs of 1..MAXBINS bins: prints the digest,
 *                                          for comparing an old build with a new one by hand
 *
 * Inputs: bin counts log-uniform in 1..MAXBINS; totals from a few counts to 2^53 (and a few over
 * it: the MON_E_OVERFLOW status is hashed too); identical vectors, proportional vectors, near-
 * identical (series branch, both the 64-bit and the 128-bit paths), moderate and large drift,
 * zero bins on one or both sides; Laplace, floor with the default eps and floor with random
 * valid (and some invalid) eps. */
#include <string.h>

#include "mon_test.h"
#include "monitor.h"

#define DEFAULT_COUNT 1500ul
#define DEFAULT_SEED 20261201ul
#define DEFAULT_MAXBINS 300ul
/* SHA-256 of the default run: golden version 2 (the 64-bit pass of mon_drift_series.c,
 * issue 15), printed by this program; version 1 (the code before that pass, commit 82f199d and
 * up to the golden v2 change) was e0bd0f7771f2163afaa355d55833fd1085acedb25c790800fea3b3c8f620d98a */
static const char *const PINNED =
    "0afa93ce985ce9ee7870791110fc775cbd50c15abe2139af4e05acae1c39ba0c";

static uint64_t rs;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rs += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

static mon_sha256_ctx H;
static void put64(uint64_t v)
{
    uint8_t b[8];
    unsigned i;
    for (i = 0; i < 8; ++i) b[i] = (uint8_t)(v >> (8 * i));
    mon_sha256_update(&H, b, 8);
}
static void put128(mon_u128 v)
{
    put64(v.lo);
    put64(v.hi);
}
static void putfp(mon_drift_fp f)
{
    put64(f.mant);
    put64((uint64_t)(int64_t)f.exp2);
}

/* One random case into p, q (n bins) and opt; returns n. */
static size_t gen(uint64_t *p, uint64_t *q, size_t maxbins, mon_psi_options *opt)
{
    size_t n, b;
    unsigned lg = 0, kind, sh;
    uint64_t per, lim;
    /* bins: log-uniform in [1, maxbins] */
    {
        double u = (double)(rnd() >> 11) / 9007199254740992.0, m = (double)maxbins;
        n = (size_t)1 + (size_t)(u * u * u * m); /* biased to small sizes, up to maxbins */
        if (rnd() % 4 == 0) n = (size_t)1 + (size_t)below(maxbins < 64 ? maxbins : 64);
        if (n > maxbins) n = maxbins;
    }
    /* magnitude of a count: per-bin mean up to 2^53 / n */
    {
        lg = (unsigned)below(54);
        per = lg ? (UINT64_C(1) << (lg - 1)) : 1;
        lim = (UINT64_C(1) << 53) / n;
        if (per > lim) per = lim;
        if (per == 0) per = 1;
    }
    kind = (unsigned)below(11);
    sh = 8 + (unsigned)below(48);
    for (b = 0; b < n; ++b) {
        uint64_t x = per / 2 + below(per + 1), y;
        switch (kind) {
        case 0: y = x; break;                             /* identical */
        case 1: y = x + (x >> sh) - below(2); break;      /* near-identical */
        case 2: y = x + below(x / 8 + 1) - x / 16; break; /* mild */
        case 3: y = x + below(x / 2 + 1) - x / 4; break;  /* moderate */
        case 4: y = below(2 * per + 1); break;            /* independent */
        case 5: y = below(3) == 0 ? 0 : x; break;         /* zeros on one side */
        case 6: y = 3 * x; break;                         /* proportional */
        case 7:
            x = below(4) ? x : 0;
            y = below(4) ? x + below(3) : 0;
            break; /* sparse */
        case 8:
            x = below(8);
            y = below(8);
            break;                       /* tiny counts */
        case 9: y = x + (b == 0); break; /* one count apart */
        default: y = x + below(x / 64 + 1); break;
        }
        if (x > lim) x = lim;
        if (y > lim) y = lim;
        p[b] = x;
        q[b] = y;
    }
    /* a few totals over the limit, a count over the limit, empty vectors */
    switch (below(64)) {
    case 0: /* a count up to 2^62 (each call its own statement: evaluation order is fixed) */
        b = (size_t)below(n);
        p[b] = (UINT64_C(1) << 53) + 1 + (rnd() >> 2);
        break;
    case 1:
        for (b = 0; b < n; ++b) q[b] = 0;
        break;
    case 2:
        for (b = 0; b < n; ++b) p[b] = (UINT64_C(1) << 53) / n + 1;
        break;
    default: break;
    }
    if (rnd() & 1) {
        opt->smoothing = MON_PSI_LAPLACE;
        opt->eps_mant = 0;
        opt->eps_exp2 = 0;
    } else {
        opt->smoothing = MON_PSI_FLOOR;
        opt->eps_mant = 0;
        opt->eps_exp2 = 0;
        if (below(3) == 0) {
            uint64_t m = rnd();
            unsigned bl = 0;
            m >>= below(64);
            while (bl < 64 && (m >> bl) != 0) ++bl;
            opt->eps_mant = m ? m : 1;
            if (!m) bl = 1;
            /* eps = m 2^e in [2^-64, 1) mostly; sometimes out of range (MON_E_VALUE) */
            opt->eps_exp2 = -(int32_t)bl - (int32_t)below(60);
            if (below(16) == 0) opt->eps_exp2 -= 8;
            if (below(32) == 0) opt->eps_exp2 = 0;
        }
    }
    return n;
}

static void one_case(uint64_t *p, uint64_t *q, uint64_t *w, size_t maxbins)
{
    mon_psi_options opt;
    mon_drift_result r;
    mon_u128 a, bq, c, psi;
    uint64_t dist;
    mon_drift_fp f1, f2;
    mon_u128 *contrib = (mon_u128 *)(void *)w;
    size_t n = gen(p, q, maxbins, &opt), b;
    mon_status st;
    memset(&r, 0, sizeof r);
    st = mon_drift_scores(p, q, n, &opt, &r);
    put64((uint64_t)n);
    put64((uint64_t)st);
    if (st == MON_OK) {
        put128(r.tv_raw);
        put128(r.tv_num);
        put128(r.tv_den);
        put128(r.js_raw);
        put64(r.js_distance_raw);
        put128(r.psi_raw);
        put64(r.total_actual);
        put64(r.total_expected);
        putfp(r.js_fp);
        putfp(r.js_distance_fp);
    }
    /* the single-metric entry points take their own loop specialisations */
    switch (below(4)) {
    case 0:
        st = mon_drift_tv(p, q, n, &a, &bq, &c);
        put64((uint64_t)st);
        if (st == MON_OK) {
            put128(a);
            put128(bq);
            put128(c);
        }
        break;
    case 1:
        st = mon_drift_js(p, q, n, &a, &dist);
        put64((uint64_t)st);
        if (st == MON_OK) {
            put128(a);
            put64(dist);
        }
        st = mon_drift_js_fp(p, q, n, &f1, &f2);
        put64((uint64_t)st);
        if (st == MON_OK) {
            putfp(f1);
            putfp(f2);
        }
        break;
    case 2:
        st = mon_drift_psi(p, q, n, &opt, &psi);
        put64((uint64_t)st);
        if (st == MON_OK) put128(psi);
        break;
    default:
        if (n <= 64) {
            st = mon_drift_psi_bins(p, q, n, &opt, contrib);
            put64((uint64_t)st);
            if (st == MON_OK)
                for (b = 0; b < n; ++b) put128(contrib[b]);
        }
        break;
    }
    {
        uint64_t x = rnd();
        x >>= below(64);
        put128(mon_drift_log2_u64(x));
    }
}

int main(int argc, char **argv)
{
    unsigned long count = DEFAULT_COUNT, seed = DEFAULT_SEED, maxbins = DEFAULT_MAXBINS, i;
    uint64_t *p, *q, *w;
    uint8_t dg[32];
    char hex[65];
    int pinned_run = argc < 4;
    if (!pinned_run) {
        count = strtoul(argv[1], NULL, 10);
        seed = strtoul(argv[2], NULL, 10);
        maxbins = strtoul(argv[3], NULL, 10);
        if (maxbins < 1) maxbins = 1;
    }
    p = malloc(maxbins * sizeof *p);
    q = malloc(maxbins * sizeof *q);
    w = malloc(128 * sizeof *w); /* 64 mon_u128 */
    if (!p || !q || !w) return 3;
    rs = (uint64_t)seed;
    mon_sha256_init(&H);
    for (i = 0; i < count; ++i) one_case(p, q, w, (size_t)maxbins);
    mon_sha256_final(&H, dg);
    for (i = 0; i < 32; ++i) sprintf(hex + 2 * i, "%02x", dg[i]);
    printf("drift diff: %lu inputs (seed %lu, 1..%lu bins) sha256=%s\n", count, seed, maxbins, hex);
    free(p);
    free(q);
    free(w);
    if (pinned_run) {
        CHECK(strcmp(hex, PINNED) == 0);
        MON_TEST_MAIN_END();
    }
    return 0;
}
