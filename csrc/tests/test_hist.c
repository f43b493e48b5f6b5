/* Unit tests of the latency histogram (mon_hist.h). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_hist_internal.h"
#include "mon_hist_table.h"
#include "mon_test.h"

static uint64_t big[(MON_HIST_HEADER_BYTES + 8 * 20000) / 8];
static uint64_t big2[(MON_HIST_HEADER_BYTES + 8 * 20000) / 8];
static uint64_t big3[(MON_HIST_HEADER_BYTES + 8 * 20000) / 8];
static uint8_t ser[100 + 12 * 20000];
static uint8_t ser2[100 + 12 * 20000];

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static mon_hist *make(uint64_t *buf, uint64_t lo, uint64_t hi, int32_t scale)
{
    mon_hist_config c;
    c.lowest = lo;
    c.highest = hi;
    c.scale = scale;
    CHECK_STATUS(mon_hist_init(buf, sizeof big, &c), MON_OK);
    return (mon_hist *)buf;
}

/* REQ: MON-REQ-HIST-002 */
static void test_table(void)
{
    int j;
    /* spot values: F[0] = 2^63, F[128] = floor(sqrt(2) * 2^63), sentinel */
    CHECK(MON_HIST_F[0] == UINT64_C(0x8000000000000000));
    CHECK(MON_HIST_F[128] == UINT64_C(0xb504f333f9de6484));
    CHECK(MON_HIST_F[256] == UINT64_MAX);
    for (j = 1; j <= 256; ++j) CHECK(MON_HIST_F[j] > MON_HIST_F[j - 1]);
    for (j = 0; j < 512; ++j) {
        uint64_t start = (UINT64_C(1) << 63) + ((uint64_t)j << 54);
        unsigned j0 = MON_HIST_J0[j];
        CHECK(MON_HIST_F[j0] >= start);
        CHECK(j0 == 0 || MON_HIST_F[j0 - 1] < start);
    }
}

static void test_log2(void)
{
    int i;
    for (i = 0; i < 64; ++i) {
        uint64_t v = UINT64_C(1) << i;
        CHECK(mon_hist_floor_log2_portable(v) == (unsigned)i);
        CHECK(mon_hist_floor_log2_portable(v | (v - 1u)) == (unsigned)i);
        if (i > 0) CHECK(mon_hist_floor_log2_portable(v - 1u) == (unsigned)(i - 1));
    }
    for (i = 0; i < 100000; ++i) {
        uint64_t r1 = rnd(), r2 = rnd(), v = r1 >> (r2 & 63u); /* sequenced: deterministic */
        if (v == 0) continue;
        CHECK(mon_hist_floor_log2_portable(v) == 63u - (unsigned)__builtin_clzll(v));
    }
}

/* index(T(i)) == i and index(T(i-1) + 1) == i for every bucket holding an integer, every scale. */
/* REQ: MON-REQ-HIST-002 */
static void test_boundaries(void)
{
    int32_t s, i, got;
    long fails = 0;
    for (s = MON_HIST_MIN_SCALE; s <= MON_HIST_MAX_SCALE; ++s) {
        uint64_t prev = 0, t;
        for (i = 0; i <= (64 << s); ++i) {
            CHECK_STATUS(mon_hist_threshold(s, i, &t), MON_OK);
            if (t < prev) ++fails;
            if (i < (64 << s) && t > prev) {
                if (mon_hist_index_of(s, t, &got) != MON_OK || got != i) ++fails;
                if (mon_hist_index_of(s, prev + 1u, &got) != MON_OK || got != i) ++fails;
                if (t > 1 && (mon_hist_index_of(s, t - 1u, &got) != MON_OK || got > i)) ++fails;
            }
            prev = t;
        }
        CHECK_STATUS(mon_hist_threshold(s, (64 << s) + 1, &t), MON_E_VALUE);
        CHECK_STATUS(mon_hist_index_of(s, UINT64_MAX, &got), MON_OK);
        CHECK(got == (64 << s));
        CHECK_STATUS(mon_hist_index_of(s, 1, &got), MON_OK);
        CHECK(got == 0);
        CHECK_STATUS(mon_hist_index_of(s, 2, &got), MON_OK);
        CHECK(got == (1 << s));
    }
    CHECK(fails == 0);
    CHECK_STATUS(mon_hist_index_of(9, 5, &got), MON_E_CONFIG);
    CHECK_STATUS(mon_hist_index_of(3, 0, &got), MON_E_VALUE);
}

/* REQ: MON-REQ-HIST-001 */
static void test_config(void)
{
    mon_hist_config c = {1000u, UINT64_C(3600000000000), 6};
    mon_hist_layout lay;
    uint64_t num, den;
    CHECK(mon_hist_size(&c) == MON_HIST_HEADER_BYTES + 8u * 2033u);
    CHECK(mon_hist_size(&c) - MON_HIST_HEADER_BYTES <= 16384u);
    CHECK_STATUS(mon_hist_layout_of(&c, &lay), MON_OK);
    CHECK(lay.buckets == 2033u && lay.index_lo == 638 && lay.index_hi == 2670);
    CHECK(lay.range_lo <= 1000u && lay.range_hi >= UINT64_C(3600000000000));
    CHECK_STATUS(mon_hist_error_bound(&c, &num, &den), MON_OK);
    CHECK(num * 1000u <= den * 6u);   /* <= 0.6% */
    CHECK(num * 10000u >= den * 54u); /* >= 0.54%: the continuous bound (base-1)/(base+1) */
    c.scale = 9;
    CHECK(mon_hist_size(&c) == 0);
    CHECK_STATUS(mon_hist_check_config(&c), MON_E_CONFIG);
    c.scale = 6;
    c.lowest = 0;
    CHECK_STATUS(mon_hist_check_config(&c), MON_E_CONFIG);
    c.lowest = 10;
    c.highest = 9;
    CHECK_STATUS(mon_hist_check_config(&c), MON_E_CONFIG);
    c.highest = 10;
    CHECK_STATUS(mon_hist_init(big, 8, &c), MON_E_SIZE);
    CHECK_STATUS(mon_hist_init((uint8_t *)big + 4, sizeof big - 8, &c), MON_E_ALIGN);
    CHECK_STATUS(mon_hist_init(NULL, sizeof big, &c), MON_E_NULL);
}

/* REQ: MON-REQ-HIST-004 */
static void test_f64(void)
{
    uint64_t ns;
    double nan = 0.0 / 0.0, inf = 1.0 / 0.0;
    CHECK_STATUS(mon_hist_f64_to_ns(1.5, MON_HIST_MS, &ns), MON_OK);
    CHECK(ns == 1500000u);
    CHECK_STATUS(mon_hist_f64_to_ns(0.1, MON_HIST_S, &ns), MON_OK);
    CHECK(ns == 100000000u);
    CHECK_STATUS(mon_hist_f64_to_ns(2.5, MON_HIST_NS, &ns), MON_OK);
    CHECK(ns == 2u); /* half to even */
    CHECK_STATUS(mon_hist_f64_to_ns(3.5, MON_HIST_NS, &ns), MON_OK);
    CHECK(ns == 4u);
    CHECK_STATUS(mon_hist_f64_to_ns(0.5, MON_HIST_NS, &ns), MON_OK);
    CHECK(ns == 0u);
    CHECK_STATUS(mon_hist_f64_to_ns(0.5000001, MON_HIST_NS, &ns), MON_OK);
    CHECK(ns == 1u);
    CHECK_STATUS(mon_hist_f64_to_ns(-0.0, MON_HIST_MS, &ns), MON_OK);
    CHECK(ns == 0u);
    CHECK_STATUS(mon_hist_f64_to_ns(5e-324, MON_HIST_S, &ns), MON_OK);
    CHECK(ns == 0u);
    CHECK_STATUS(mon_hist_f64_to_ns(18446744073709549568.0, MON_HIST_NS, &ns), MON_OK);
    CHECK(ns == UINT64_C(18446744073709549568));
    CHECK_STATUS(mon_hist_f64_to_ns(18446744073709551616.0, MON_HIST_NS, &ns), MON_E_VALUE);
    CHECK_STATUS(mon_hist_f64_to_ns(nan, MON_HIST_MS, &ns), MON_E_VALUE);
    CHECK_STATUS(mon_hist_f64_to_ns(inf, MON_HIST_MS, &ns), MON_E_VALUE);
    CHECK_STATUS(mon_hist_f64_to_ns(-inf, MON_HIST_MS, &ns), MON_E_VALUE);
    CHECK_STATUS(mon_hist_f64_to_ns(-1e-300, MON_HIST_MS, &ns), MON_E_VALUE);
    CHECK_STATUS(mon_hist_f64_to_ns(1e300, MON_HIST_MS, &ns), MON_E_VALUE);
    CHECK_STATUS(mon_hist_f64_to_ns(1.0, 7, &ns), MON_E_CONFIG);
}

#if defined(__SIZEOF_INT128__)
/* Independent reference of the exact conversion with the compiler's 128-bit integers; in the
 * portable build (MON_NO_INT128) the library uses its two-limb arithmetic instead. */
__extension__ typedef unsigned __int128 ref_u128;
static int ref_to_ns(double x, uint64_t mult, uint64_t *out)
{
    uint64_t bits, m;
    int e;
    ref_u128 p, q, rem, half;
    memcpy(&bits, &x, 8);
    if (((bits >> 52) & 0x7ff) == 0x7ff) return 0;
    if ((bits << 1) == 0) {
        *out = 0;
        return 1;
    }
    if (bits >> 63) return 0;
    m = bits & ((UINT64_C(1) << 52) - 1);
    e = (int)((bits >> 52) & 0x7ff);
    if (e == 0)
        e = 1;
    else
        m |= UINT64_C(1) << 52;
    e -= 1075;
    p = (ref_u128)m * mult;
    if (e >= 0) {
        if (e >= 64 || (p << e) >> e != p || ((p << e) >> 64) != 0) return 0;
        *out = (uint64_t)(p << e);
        return 1;
    }
    if (-e >= 127) {
        *out = 0;
        return 1;
    }
    q = p >> -e;
    rem = p - (q << -e);
    half = (ref_u128)1 << (-e - 1);
    if (rem > half || (rem == half && (q & 1))) ++q;
    if ((q >> 64) != 0) return 0;
    *out = (uint64_t)q;
    return 1;
}

/* REQ: MON-REQ-HIST-004 */
static void test_f64_against_reference(void)
{
    static const uint64_t mults[4] = {1u, 1000u, 1000000u, 1000000000u};
    long bad = 0;
    int i, u;
    for (i = 0; i < 400000; ++i) {
        uint64_t r1 = rnd(), r2 = rnd(), bits, got = 0, want = 0;
        double x;
        int ok_got, ok_want;
        /* exponents concentrated around the interesting range, some of everything */
        uint64_t ex = (i & 3) ? 1023u - 40u + (r2 % 110u) : (r2 % 2048u);
        bits =
            (r1 & ((UINT64_C(1) << 52) - 1)) | (ex << 52) | ((i % 97 == 0) ? UINT64_C(1) << 63 : 0);
        if (i % 5 == 0) { /* exact ties: odd / 2^7 in ms and odd / 2 in ns */
            uint64_t n = r1 >> 24;
            x = (double)(2 * n + 1) / (i % 10 == 0 ? 128.0 : 2.0);
        } else {
            memcpy(&x, &bits, 8);
        }
        for (u = 0; u < 4; ++u) {
            ok_got = mon_hist_f64_to_ns(x, (uint32_t)u, &got) == MON_OK;
            ok_want = ref_to_ns(x, mults[u], &want);
            if (ok_got != ok_want || (ok_got && got != want)) ++bad;
        }
    }
    CHECK(bad == 0);
    /* The fast path's range (x in [2^-11, 2^33): biased exponents 1012..1055) in depth, with a
     * tie for every unit: odd * 2^-(a+1) times 10^a = 2^a 5^a is an odd multiple of 1/2. */
    for (i = 0; i < 300000; ++i) {
        uint64_t r1 = rnd(), r2 = rnd(), bits, got = 0, want = 0;
        double x;
        int ok_got, ok_want;
        bits = (r1 & ((UINT64_C(1) << 52) - 1)) | ((1010u + r2 % 48u) << 52);
        if (i % 3 == 0) {
            static const double tie_scale[4] = {0.5, 0.0625, 0.0078125, 0.0009765625};
            x = (double)(2 * (r1 >> 20) + 1) * tie_scale[r2 >> 62];
        } else {
            memcpy(&x, &bits, 8);
        }
        for (u = 0; u < 4; ++u) {
            ok_got = mon_hist_f64_to_ns(x, (uint32_t)u, &got) == MON_OK;
            ok_want = ref_to_ns(x, mults[u], &want);
            if (ok_got != ok_want || (ok_got && got != want)) ++bad;
        }
    }
    CHECK(bad == 0);
}
#endif

/* REQ: MON-REQ-HIST-003, MON-REQ-HIST-006 */
static void test_record_and_read(void)
{
    mon_hist *h = make(big, 1000u, UINT64_C(3600000000000), 6);
    mon_hist_stats s;
    uint64_t num[5] = {0, 1, 1, 99, 1}, den[5] = {1, 2, 1, 100, 1000}, out[5], c;
    int32_t exact;
    uint64_t i;
    double nan = 0.0 / 0.0;
    CHECK_STATUS(mon_hist_quantiles(h, num, den, 5, out), MON_E_EMPTY);
    for (i = 1; i <= 1000; ++i) mon_hist_record(h, i * 1000u);
    mon_hist_record(h, 0);
    mon_hist_record(h, UINT64_MAX);
    CHECK_STATUS(mon_hist_record_f64(h, nan, MON_HIST_MS), MON_E_VALUE);
    CHECK_STATUS(mon_hist_record_f64(h, -1.0, MON_HIST_MS | MON_HIST_STRICT), MON_E_VALUE);
    CHECK_STATUS(mon_hist_get_stats(h, &s), MON_OK);
    CHECK(s.count == 1002u && s.underflow == 1u && s.overflow == 1u && s.invalid == 1u);
    CHECK(s.min == 0u && s.max == UINT64_MAX);
    /* sum = 1000 * 500500 + 2^64 - 1 */
    CHECK(s.sum_hi == 1u && s.sum_lo == 500500000u - 1u);
    CHECK_STATUS(mon_hist_quantiles(h, num, den, 5, out), MON_OK);
    CHECK(out[0] == 0u);         /* rank 1: underflow -> exact min */
    CHECK(out[2] == UINT64_MAX); /* rank 1002: overflow -> exact max */
    /* median: rank 501 -> value 500000 */
    CHECK(out[1] * 1000u >= 500000u * 994u && out[1] * 1000u <= 500000u * 1006u);
    CHECK(out[4] * 1000u >= 1000u * 994u && out[4] * 1000u <= 1000u * 1006u);
    num[0] = 2;
    den[0] = 1;
    CHECK_STATUS(mon_hist_quantiles(h, num, den, 1, out), MON_E_VALUE);
    CHECK_STATUS(mon_hist_count_at_or_below(h, 0, &c, &exact), MON_OK);
    CHECK(c == 0u && exact == 0); /* underflow values are somewhere in [min, range_lo) */
    CHECK_STATUS(mon_hist_count_at_or_below(h, UINT64_MAX, &c, &exact), MON_OK);
    CHECK(c == 1002u && exact == 1);
    {
        uint64_t t;
        int32_t idx;
        mon_hist_index_of(6, 500000u, &idx);
        mon_hist_threshold(6, idx, &t);
        CHECK_STATUS(mon_hist_count_at_or_below(h, t, &c, &exact), MON_OK);
        CHECK(exact == 1 && c == 1u + t / 1000u);
        CHECK_STATUS(mon_hist_count_at_or_below(h, t - 1u, &c, &exact), MON_OK);
        CHECK(exact == 0 && c <= 1u + (t - 1u) / 1000u);
    }
    {
        uint32_t cur = 0, nb = 0;
        uint64_t tot = 0;
        mon_hist_bucket b;
        int32_t previ = -1;
        while (mon_hist_next_bucket(h, &cur, &b)) {
            CHECK(b.index > previ && b.count > 0 && b.lower < b.upper);
            previ = b.index;
            tot += b.count;
            ++nb;
        }
        CHECK(tot == 1000u && nb > 100u);
    }
    CHECK_STATUS(mon_hist_reset(h), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(h, &s), MON_OK);
    CHECK(s.count == 0 && s.invalid == 0 && s.min == UINT64_MAX && s.max == 0);
}

/* REQ: MON-REQ-HIST-004, MON-REQ-HIST-007 */
static void test_many_and_merge(void)
{
    mon_hist *a = make(big, 1000u, UINT64_C(3600000000000), 6);
    mon_hist *b = make(big2, 1000u, UINT64_C(3600000000000), 6);
    mon_hist *c = make(big3, 1000u, UINT64_C(3600000000000), 6);
    static uint64_t vals[10000];
    static int64_t ivals[1000];
    static double dvals[1000];
    size_t i, la, lb;
    mon_hist_stats sa, sb;
    for (i = 0; i < 10000; ++i) {
        uint64_t r1 = rnd(), r2 = rnd();
        vals[i] = r1 >> (r2 % 64u);
    }
    mon_hist_record_many(a, vals, 10000);
    for (i = 0; i < 10000; ++i) mon_hist_record(b, vals[i]);
    CHECK_STATUS(mon_hist_serialize(a, ser, sizeof ser, &la), MON_OK);
    CHECK_STATUS(mon_hist_serialize(b, ser2, sizeof ser2, &lb), MON_OK);
    CHECK(la == lb && memcmp(ser, ser2, la) == 0);
    /* merge order does not matter: (a + b) vs (b + a), bytes identical */
    mon_hist_snapshot(a, c);
    CHECK_STATUS(mon_hist_merge(c, b), MON_OK);
    CHECK_STATUS(mon_hist_merge(b, a), MON_OK);
    CHECK_STATUS(mon_hist_serialize(c, ser, sizeof ser, &la), MON_OK);
    CHECK_STATUS(mon_hist_serialize(b, ser2, sizeof ser2, &lb), MON_OK);
    CHECK(la == lb && memcmp(ser, ser2, la) == 0);
    mon_hist_get_stats(a, &sa);
    mon_hist_get_stats(b, &sb);
    CHECK(sb.count == 2u * sa.count);
    /* signed and float arrays */
    mon_hist_reset(a);
    for (i = 0; i < 1000; ++i) {
        ivals[i] = (int64_t)(i % 7u) - 1;
        dvals[i] = (double)i * 0.5 - 10.0;
    }
    CHECK(mon_hist_record_many_i64(a, ivals, 1000, MON_HIST_US) == 143u);
    CHECK(mon_hist_record_many_f64(a, dvals, 1000, MON_HIST_MS) == 20u);
    mon_hist_get_stats(a, &sa);
    CHECK(sa.invalid == 163u && sa.count == 1837u);
    /* mismatched configurations */
    c = make(big3, 1000u, UINT64_C(3600000000000), 5);
    CHECK_STATUS(mon_hist_merge(a, c), MON_E_MISMATCH);
    /* merge into itself doubles */
    CHECK_STATUS(mon_hist_merge(a, a), MON_OK);
    mon_hist_get_stats(a, &sb);
    CHECK(sb.count == 2u * sa.count && sb.invalid == 2u * sa.invalid &&
          sb.sum_lo == 2u * sa.sum_lo);
}

/* REQ: MON-REQ-HIST-005 */
static void test_saturation(void)
{
    mon_hist *a = make(big, 1u, 10u, 0);
    mon_hist *b = make(big2, 1u, 10u, 0);
    size_t len;
    mon_hist_stats s;
    mon_hist_config cfg;
    int k;
    mon_hist_record(a, 5);
    mon_hist_record(a, UINT64_MAX);
    mon_hist_add_invalid(a, UINT64_MAX);
    mon_hist_add_invalid(a, 5);
    CHECK_STATUS(mon_hist_serialize(a, ser, sizeof ser, &len), MON_OK);
    /* forge a state with huge counters through bytes: then merge it repeatedly */
    for (k = 0; k < 70; ++k) CHECK_STATUS(mon_hist_merge(a, a), MON_OK);
    mon_hist_get_stats(a, &s);
    CHECK(s.count == UINT64_MAX && s.invalid == UINT64_MAX && s.overflow == UINT64_MAX);
    CHECK(s.sum_hi == UINT64_MAX && s.sum_lo == UINT64_MAX);
    mon_hist_record(a, 5);
    mon_hist_get_stats(a, &s);
    CHECK(s.count == UINT64_MAX && s.sum_hi == UINT64_MAX && s.sum_lo == UINT64_MAX);
    CHECK_STATUS(mon_hist_serialize(a, ser, sizeof ser, &len), MON_OK);
    CHECK_STATUS(mon_hist_peek_config(ser, len, &cfg), MON_OK);
    CHECK_STATUS(mon_hist_deserialize(b, sizeof big2, ser, len), MON_OK);
    CHECK_STATUS(mon_hist_serialize(b, ser2, sizeof ser2, &len), MON_OK);
    CHECK(memcmp(ser, ser2, len) == 0);
}

/* REQ: MON-REQ-CODEC-001, MON-REQ-CODEC-002 */
static void test_serialize_errors(void)
{
    mon_hist *a = make(big, 1000u, UINT64_C(3600000000000), 6);
    mon_hist_config cfg;
    size_t len, i;
    uint64_t v;
    for (v = 1; v < 100000000u; v = v * 3u + 1u) mon_hist_record(a, v);
    CHECK_STATUS(mon_hist_serialize(a, ser, 10, &len), MON_E_SIZE);
    CHECK_STATUS(mon_hist_serialize(a, ser, sizeof ser, &len), MON_OK);
    CHECK_STATUS(mon_hist_peek_config(ser, len, &cfg), MON_OK);
    CHECK(cfg.lowest == 1000u && cfg.scale == 6);
    /* every truncation is rejected, never read out of bounds (ASan) */
    for (i = 0; i < len; ++i) CHECK(mon_hist_peek_config(ser, i, &cfg) != MON_OK);
    CHECK_STATUS(mon_hist_peek_config(ser, 50, &cfg), MON_E_TRUNCATED);
    /* every single-bit flip is rejected */
    for (i = 0; i < len * 8u; ++i) {
        memcpy(ser2, ser, len);
        ser2[i / 8u] ^= (uint8_t)(1u << (i % 8u));
        if (mon_hist_peek_config(ser2, len, &cfg) == MON_OK) CHECK(0);
    }
    memcpy(ser2, ser, len);
    ser2[4] = 2;
    CHECK_STATUS(mon_hist_peek_config(ser2, len, &cfg), MON_E_FORMAT);
    memcpy(ser2, ser, len);
    ser2[0] = 'X';
    CHECK_STATUS(mon_hist_peek_config(ser2, len, &cfg), MON_E_FORMAT);
    memcpy(ser2, ser, len);
    ser2[30] ^= 1;
    CHECK_STATUS(mon_hist_peek_config(ser2, len, &cfg), MON_E_CHECKSUM);
    CHECK_STATUS(mon_hist_deserialize(big2, 64, ser, len), MON_E_SIZE);
    {
        uint8_t crc[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
        CHECK(mon_hist_crc32c(crc, 9) == 0xe3069283u);
    }
}

/* Little-endian field writers for crafting serialised histograms; refresh the CRC afterwards. */
static void put32(uint8_t *p, uint32_t v)
{
    int i;
    for (i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static void reseal(uint8_t *p, size_t len) { put32(p + len - 4u, mon_hist_crc32c(p, len - 4u)); }

/* Decoding rejects states that recording can never produce, even with a valid checksum (found
 * by the hist_decode fuzzer): counts in a bucket holding no integer, and an exact min / max
 * that contradicts where the counters put the extreme values. */
/* REQ: MON-REQ-CODEC-002 */
static void test_decode_semantics(void)
{
    mon_hist *a = make(big, 1u, 1000u, 6); /* at scale 6, buckets 1..20 hold no integer */
    mon_hist_config cfg;
    mon_hist_layout lay;
    size_t len;
    mon_hist_record(a, 5u);
    CHECK_STATUS(mon_hist_serialize(a, ser, sizeof ser, &len), MON_OK);
    CHECK_STATUS(mon_hist_peek_config(ser, len, &cfg), MON_OK);
    CHECK_STATUS(mon_hist_layout_of(&cfg, &lay), MON_OK);
    CHECK(len == (size_t)MON_HIST_SERIAL_HEADER_BYTES + MON_HIST_SERIAL_ENTRY_BYTES + 4u);
    /* move the count to an integer-empty bucket (index 10: T(9) = T(10) = 1) */
    memcpy(ser2, ser, len);
    put32(ser2 + MON_HIST_SERIAL_HEADER_BYTES, (uint32_t)(10 - lay.index_lo));
    reseal(ser2, len);
    CHECK_STATUS(mon_hist_peek_config(ser2, len, &cfg), MON_E_FORMAT);
    CHECK_STATUS(mon_hist_deserialize(big2, sizeof big2, ser2, len), MON_E_FORMAT);
    /* min outside the only non-empty bucket */
    memcpy(ser2, ser, len);
    put64(ser2 + 56, 4u);
    reseal(ser2, len);
    CHECK_STATUS(mon_hist_peek_config(ser2, len, &cfg), MON_E_FORMAT);
    /* max outside it */
    memcpy(ser2, ser, len);
    put64(ser2 + 64, 6u);
    reseal(ser2, len);
    CHECK_STATUS(mon_hist_peek_config(ser2, len, &cfg), MON_E_FORMAT);
    /* the untouched bytes still decode */
    CHECK_STATUS(mon_hist_deserialize(big2, sizeof big2, ser, len), MON_OK);
}

static mon_hist_ring *make_ring(uint64_t *buf, size_t size, const mon_hist_config *c,
                                uint64_t slot_ticks, uint64_t start, uint32_t slots)
{
    mon_window_config w;
    w.slot_ticks = slot_ticks;
    w.start_tick = start;
    w.slots = slots;
    w.flags = 0;
    CHECK(mon_hist_ring_size(c, &w) <= size);
    CHECK_STATUS(mon_hist_ring_init(buf, size, c, &w), MON_OK);
    return (mon_hist_ring *)buf;
}

static uint64_t window_count(mon_hist_ring *r, uint64_t now, uint32_t n, mon_hist *dst)
{
    mon_hist_stats s;
    CHECK_STATUS(mon_hist_ring_window(r, now, n, dst), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(dst, &s), MON_OK);
    return s.count;
}

/* REQ: MON-REQ-RING-001 */
static void test_ring(void)
{
    mon_hist_config c = {1000u, 1000000000u, 4};
    static uint64_t rbuf[40000];
    mon_hist_ring *r;
    mon_hist *dst = make(big, 1000u, 1000000000u, 4), *h, *other;
    mon_hist_stats s;
    mon_hist_config cfg;
    mon_window_config w = {10u, 1000u, 5u, 0u}, got;
    uint64_t e, late, vals[3] = {2000u, 3000u, 4000u};

    /* configuration and memory */
    CHECK(mon_hist_ring_size(&c, &w) == 48u + 5u * (16u + mon_hist_size(&c)));
    w.slots = 0;
    CHECK(mon_hist_ring_size(&c, &w) == 0u);
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, &c, &w), MON_E_CONFIG);
    w.slots = MON_HIST_RING_MAX_SLOTS + 1u;
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, &c, &w), MON_E_CONFIG);
    w.slots = 5;
    w.flags = 1;
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, &c, &w), MON_E_CONFIG);
    w.flags = 0;
    w.slot_ticks = 0;
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, &c, &w), MON_E_CONFIG);
    w.slot_ticks = 10;
    CHECK_STATUS(mon_hist_ring_init(rbuf, mon_hist_ring_size(&c, &w) - 1u, &c, &w), MON_E_SIZE);
    CHECK_STATUS(mon_hist_ring_init((uint8_t *)rbuf + 4, sizeof rbuf - 8, &c, &w), MON_E_ALIGN);
    CHECK_STATUS(mon_hist_ring_init(NULL, sizeof rbuf, &c, &w), MON_E_NULL);
    CHECK_STATUS(mon_hist_ring_window(NULL, 0, 1, dst), MON_E_NULL);
    r = make_ring(rbuf, sizeof rbuf, &c, 10u, 1000u, 5u);
    CHECK_STATUS(mon_hist_ring_info(r, &cfg, &got, &late), MON_OK);
    CHECK(cfg.lowest == 1000u && cfg.highest == 1000000000u && cfg.scale == 4);
    CHECK(got.slot_ticks == 10u && got.start_tick == 1000u && got.slots == 5u && late == 0u);

    /* epochs 0..9, two values each: (e + 1) * 1000 ns */
    for (e = 0; e < 10; ++e) {
        CHECK(mon_hist_ring_record(r, 1000u + e * 10u + 3u, (e + 1u) * 1000u) == 1);
        CHECK(mon_hist_ring_record(r, 1000u + e * 10u + 9u, (e + 1u) * 1000u) == 1);
    }
    CHECK(window_count(r, 1099u, 5, dst) == 10u); /* epochs 5..9 */
    mon_hist_get_stats(dst, &s);
    CHECK(s.min == 6000u && s.max == 10000u);
    CHECK(window_count(r, 1099u, 1, dst) == 2u);
    mon_hist_get_stats(dst, &s);
    CHECK(s.min == 10000u);
    CHECK_STATUS(mon_hist_ring_window(r, 1099u, 6, dst), MON_E_VALUE);
    CHECK_STATUS(mon_hist_ring_window(r, 1099u, 0, dst), MON_E_VALUE);
    /* an epoch whose slot holds a newer one is late; one whose slot still holds it is not */
    CHECK(mon_hist_ring_record(r, 1043u, 1u) == 0); /* epoch 4: slot 4 holds 9 */
    CHECK(mon_hist_ring_record(r, 5u, 1u) == 0);    /* before start: epoch 0, slot holds 5 */
    CHECK(mon_hist_ring_record(r, 1055u, 6000u) == 1);
    CHECK_STATUS(mon_hist_ring_info(r, NULL, NULL, &late), MON_OK);
    CHECK(late == 2u);
    /* windows at other ticks: epochs 3..7 (3 and 4 were reused) and 1..5 */
    CHECK(window_count(r, 1079u, 5, dst) == 7u);
    CHECK(window_count(r, 1059u, 5, dst) == 3u);
    CHECK(window_count(r, 0u, 5, dst) == 0u); /* epoch 0 only: its slot holds 5 */
    /* far in the future: nothing is in the window; the first value empties its slot */
    CHECK(window_count(r, 1000u + 10000u, 5, dst) == 0u);
    CHECK(mon_hist_ring_record(r, 1000u + 10000u, 5000u) == 1); /* epoch 1000: slot 0 */
    CHECK(window_count(r, 1000u + 10000u, 5, dst) == 1u);
    CHECK(window_count(r, 1099u, 5, dst) == 8u); /* slot 0 now holds epoch 1000 */

    /* acquire / release: the caller records with any mon_hist function */
    h = mon_hist_ring_acquire(r, 1000u + 10005u);
    CHECK(h != NULL);
    mon_hist_record_many(h, vals, 3);
    CHECK_STATUS(mon_hist_record_f64(h, 0.5, MON_HIST_US), MON_OK);
    mon_hist_ring_release(r, h);
    mon_hist_ring_release(r, NULL);
    mon_hist_ring_release(r, dst); /* not a slot: ignored */
    CHECK(window_count(r, 1000u + 10009u, 1, dst) == 5u);
    CHECK(mon_hist_ring_acquire(r, 1043u) == NULL); /* epoch 4: left the window */
    mon_hist_ring_add_late(r, 3u);
    CHECK_STATUS(mon_hist_ring_info(r, NULL, NULL, &late), MON_OK);
    CHECK(late == 5u);
    /* a held slot of a later epoch can still be claimed by the same thread once released */
    h = mon_hist_ring_acquire(r, 1000u + 10050u); /* epoch 1005: slot 0 again, emptied */
    CHECK(h != NULL);
    mon_hist_ring_release(r, h);
    CHECK(window_count(r, 1000u + 10050u, 5, dst) == 0u);

    /* binary64 values */
    CHECK_STATUS(mon_hist_ring_record_f64(r, 1000u + 10050u, 1.5, MON_HIST_MS), MON_OK);
    CHECK_STATUS(mon_hist_ring_record_f64(r, 1000u + 10050u, 0.0 / 0.0, MON_HIST_MS), MON_E_VALUE);
    CHECK_STATUS(mon_hist_ring_record_f64(r, 1000u + 10050u, -1.0, MON_HIST_MS | MON_HIST_STRICT),
                 MON_E_VALUE);
    CHECK(window_count(r, 1000u + 10050u, 1, dst) == 1u);
    mon_hist_get_stats(dst, &s);
    CHECK(s.min == 1500000u && s.invalid == 1u);
    CHECK_STATUS(mon_hist_ring_record_f64(r, 1043u, 2.0, MON_HIST_MS), MON_OK);       /* late */
    CHECK_STATUS(mon_hist_ring_record_f64(r, 1043u, -2.0, MON_HIST_MS), MON_E_VALUE); /* late */
    CHECK_STATUS(mon_hist_ring_record_f64(r, 1043u, -2.0, MON_HIST_S | MON_HIST_STRICT),
                 MON_E_VALUE); /* strict: not counted */
    CHECK_STATUS(mon_hist_ring_info(r, NULL, NULL, &late), MON_OK);
    CHECK(late == 7u);
    /* a host that releases twice does not wedge the slot: the pin count cannot underflow, so
     * the slot can still be claimed for a later epoch and recorded into */
    mon_hist_ring_release(r, h);
    mon_hist_ring_release(r, h);
    CHECK(mon_hist_ring_record(r, 1000u + 10100u, 5000u) == 1); /* epoch 1010: slot 0, claimed */
    CHECK(window_count(r, 1000u + 10100u, 1, dst) == 1u);
    CHECK(mon_hist_ring_record(r, 1000u + 10050u, 5000u) == 0); /* epoch 1005 left: late */
    CHECK_STATUS(mon_hist_ring_info(r, NULL, NULL, &late), MON_OK);
    CHECK(late == 8u);

    /* the last epoch (ticks near 2^64) and a mismatching destination */
    CHECK(mon_hist_ring_record(r, UINT64_MAX, 7000u) == 1);
    CHECK(window_count(r, UINT64_MAX, 1, dst) == 1u);
    other = make(big2, 1000u, 1000000000u, 3);
    CHECK_STATUS(mon_hist_ring_window(r, 0u, 1, other), MON_E_MISMATCH);
    CHECK(mon_hist_ring_acquire(NULL, 0u) == NULL);
    CHECK_STATUS(mon_hist_ring_info(NULL, NULL, NULL, NULL), MON_E_NULL);
}

#if !MON_SINGLE_THREADED
/* 8 recording threads share one clock that they advance; some record at stale ticks (up to
 * 6 slots back), so slots rotate all the time and some values are late. Each thread tallies, per
 * epoch, the values the ring said it counted in their epoch's slot, and the late ones. A 9th
 * thread merges windows meanwhile. The documented semantics make the final windows exact. */
#define RING_THREADS 8
#define RING_PER_THREAD 30000
#define RING_SLOT_TICKS 4u
#define RING_SLOTS 4u
#define RING_EPOCHS (RING_THREADS * RING_PER_THREAD / RING_SLOT_TICKS + 2)
static uint64_t ring_clock;
static int ring_writers_done;
static mon_hist_ring *ring_shared;
static uint32_t ring_tally[RING_THREADS][RING_EPOCHS];
static uint64_t ring_sum[RING_THREADS][RING_EPOCHS];
static uint64_t ring_late[RING_THREADS];
static uint64_t ring_max_tick[RING_THREADS];

static void *ring_writer(void *arg)
{
    int id = (int)(intptr_t)arg, i;
    uint64_t x = 0x9e3779b97f4a7c15u * (uint64_t)(id + 1);
    for (i = 0; i < RING_PER_THREAD; ++i) {
        uint64_t t = __atomic_fetch_add(&ring_clock, 1u, __ATOMIC_RELAXED) / 2u, v, e;
        int in;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x % 8u == 0u) t = t > x % 25u ? t - x % 25u : 0u; /* a stale clock */
        if (t > ring_max_tick[id]) ring_max_tick[id] = t;
        v = 1u + t % 1000u;
        e = t / RING_SLOT_TICKS;
        if (i % 4 == 3) { /* through acquire / release and the plain record functions */
            mon_hist *h = mon_hist_ring_acquire(ring_shared, t);
            in = h != NULL;
            if (h) {
                mon_hist_record_many(h, &v, 1);
                mon_hist_ring_release(ring_shared, h);
            } else {
                mon_hist_ring_add_late(ring_shared, 1u);
            }
        } else {
            in = mon_hist_ring_record(ring_shared, t, v);
        }
        if (in) {
            ring_tally[id][e] += 1u;
            ring_sum[id][e] += v;
        } else {
            ring_late[id] += 1u;
        }
    }
    return NULL;
}

static void *ring_reader(void *arg)
{
    mon_hist *dst = (mon_hist *)arg;
    mon_hist_stats s;
    while (!__atomic_load_n(&ring_writers_done, __ATOMIC_ACQUIRE)) {
        uint64_t now = __atomic_load_n(&ring_clock, __ATOMIC_RELAXED) / 2u;
        CHECK_STATUS(mon_hist_ring_window(ring_shared, now, RING_SLOTS, dst), MON_OK);
        CHECK_STATUS(mon_hist_get_stats(dst, &s), MON_OK);
        /* at most the values of 4 epochs of 4 ticks, 2 values per tick per thread... */
        CHECK(s.count <= (uint64_t)RING_SLOTS * RING_SLOT_TICKS * 2u + 64u * RING_THREADS);
    }
    return NULL;
}

/* REQ: MON-REQ-RING-001, MON-REQ-THREAD-001 */
static void test_ring_threads(void)
{
    static uint64_t rbuf[4096];
    static uint64_t dbuf[1024], rdbuf[1024];
    mon_hist_config c = {1u, 1u << 20, 0};
    mon_hist *dst, *rdst;
    pthread_t th[RING_THREADS], reader;
    uint64_t max_tick = 0, e_now, late = 0, late_ring = 0, in_total = 0;
    uint32_t n;
    int k;
    size_t e;
    CHECK(mon_hist_size(&c) <= sizeof dbuf);
    CHECK_STATUS(mon_hist_init(dbuf, sizeof dbuf, &c), MON_OK);
    CHECK_STATUS(mon_hist_init(rdbuf, sizeof rdbuf, &c), MON_OK);
    dst = (mon_hist *)dbuf;
    rdst = (mon_hist *)rdbuf;
    ring_shared = make_ring(rbuf, sizeof rbuf, &c, RING_SLOT_TICKS, 0u, RING_SLOTS);
    CHECK(pthread_create(&reader, NULL, ring_reader, rdst) == 0);
    for (k = 0; k < RING_THREADS; ++k) {
        CHECK(pthread_create(&th[k], NULL, ring_writer, (void *)(intptr_t)k) == 0);
    }
    for (k = 0; k < RING_THREADS; ++k) CHECK(pthread_join(th[k], NULL) == 0);
    __atomic_store_n(&ring_writers_done, 1, __ATOMIC_RELEASE);
    CHECK(pthread_join(reader, NULL) == 0);
    for (k = 0; k < RING_THREADS; ++k) {
        if (ring_max_tick[k] > max_tick) max_tick = ring_max_tick[k];
        late += ring_late[k];
        for (e = 0; e < RING_EPOCHS; ++e) in_total += ring_tally[k][e];
    }
    /* totals: every value is either counted in its epoch's slot or late, exactly */
    CHECK(in_total + late == (uint64_t)RING_THREADS * RING_PER_THREAD);
    CHECK_STATUS(mon_hist_ring_info(ring_shared, NULL, NULL, &late_ring), MON_OK);
    CHECK(late_ring == late);
    CHECK(late > 0u); /* the stale clocks did produce late values */
    /* windows at the newest tick: no slot of their epochs can have been reused, so each one is
     * exactly the values the ring reported as counted for those epochs */
    e_now = max_tick / RING_SLOT_TICKS;
    for (n = 1; n <= RING_SLOTS; ++n) {
        uint64_t want = 0, want_sum = 0, first = e_now + 1u >= n ? e_now + 1u - n : 0u;
        mon_hist_stats s;
        for (k = 0; k < RING_THREADS; ++k) {
            for (e = (size_t)first; e <= (size_t)e_now; ++e) {
                want += ring_tally[k][e];
                want_sum += ring_sum[k][e];
            }
        }
        CHECK_STATUS(mon_hist_ring_window(ring_shared, max_tick, n, dst), MON_OK);
        CHECK_STATUS(mon_hist_get_stats(dst, &s), MON_OK);
        CHECK(s.count == want && s.sum_lo == want_sum && s.sum_hi == 0u);
        CHECK(want > 0u);
    }
}

#define THREADS 8
#define PER_THREAD 1000000
static void *worker(void *arg)
{
    mon_hist *h = (mon_hist *)arg;
    uint64_t i, vals[100];
    for (i = 0; i < PER_THREAD / 2; ++i) mon_hist_record(h, 1000u + (i * 7919u) % 5000000u);
    for (i = 0; i < PER_THREAD / 2; i += 100) {
        uint64_t k;
        for (k = 0; k < 100; ++k) vals[k] = 1000u + ((i + k) * 7919u) % 5000000u;
        mon_hist_record_many(h, vals, 100);
    }
    return NULL;
}

/* REQ: MON-REQ-THREAD-001 */
static void test_threads(void)
{
    mon_hist *h = make(big, 1000u, UINT64_C(3600000000000), 6);
    pthread_t th[THREADS];
    mon_hist_stats s;
    int k;
    uint64_t i, expect_sum = 0;
    for (k = 0; k < THREADS; ++k) pthread_create(&th[k], NULL, worker, h);
    for (k = 0; k < THREADS; ++k) pthread_join(th[k], NULL);
    mon_hist_get_stats(h, &s);
    for (i = 0; i < PER_THREAD / 2; ++i) expect_sum += 2u * (1000u + (i * 7919u) % 5000000u);
    CHECK(s.count == (uint64_t)THREADS * PER_THREAD);
    CHECK(s.sum_hi == 0 && s.sum_lo == expect_sum * THREADS);
    CHECK(s.min == 1000u);
}
#endif

int main(void)
{
    test_table();
    test_log2();
    test_boundaries();
    test_config();
    test_f64();
#if defined(__SIZEOF_INT128__)
    test_f64_against_reference();
#endif
    test_record_and_read();
    test_many_and_merge();
    test_saturation();
    test_serialize_errors();
    test_decode_semantics();
    test_ring();
#if !MON_SINGLE_THREADED
    test_threads();
    test_ring_threads();
#endif
    MON_TEST_MAIN_END();
}
