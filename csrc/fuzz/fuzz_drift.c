/* libFuzzer harness: drift metrics (mon_drift_*) on arbitrary count vectors.
 * Input: byte 0 = mode (bits 0-5: counts are masked to that many bits, so totals straddle the
 * 2^53 limit; bit 6: floor smoothing; bit 7: q = p), byte 1 = floor epsilon exponent, then
 * little-endian uint64 pairs (p_b, q_b). Checks the documented contracts: the one-pass and the
 * single-metric functions agree bit for bit and on the status; TV = num/den with
 * raw = round(TV 2^64); 0 <= TV <= 1, 0 <= JS <= 1 (2^126); distance = round(sqrt(js_raw));
 * TV and JS exactly symmetric; identical inputs give exactly 0. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

#define MAXB 512
static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

static int u128_eq(mon_u128 a, mon_u128 b) { return a.hi == b.hi && a.lo == b.lo; }
static int u128_le(mon_u128 a, mon_u128 b) { return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo); }

/* x^2 as a 128-bit value */
static mon_u128 sq64(uint64_t x)
{
    uint64_t a = x >> 32, b = x & 0xffffffffu, mid = a * b;
    mon_u128 r;
    r.lo = b * b + (mid << 33);
    r.hi = a * a + (mid >> 31) + (r.lo < b * b);
    return r;
}

static mon_u128 add64(mon_u128 v, uint64_t d)
{
    v.lo += d;
    v.hi += (v.lo < d);
    return v;
}

static mon_u128 sub64(mon_u128 v, uint64_t d)
{
    v.hi -= (v.lo < d);
    v.lo -= d;
    return v;
}

/* d is the nearest integer to sqrt(v)  <=>  d^2 - d <= v <= d^2 + d  (v integer) */
static int is_round_sqrt(uint64_t d, mon_u128 v)
{
    mon_u128 s = sq64(d);
    return u128_le(sub64(s, d), v) && u128_le(v, add64(s, d));
}

/* REQ: MON-REQ-DRIFT-004, MON-REQ-DRIFT-006, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t p[MAXB], q[MAXB];
    mon_psi_options opt;
    mon_drift_result r, rs;
    mon_u128 raw, num, den, js, psi;
    uint64_t dist, mask;
    size_t n, i;
    unsigned bits;
    mon_status st, st1;
    if (size < 2) return 0;
    bits = (unsigned)(data[0] & 63u) + 1u;
    mask = bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1u);
    opt.smoothing = (data[0] & 64u) ? MON_PSI_FLOOR : MON_PSI_LAPLACE;
    opt.eps_mant = 1;
    opt.eps_exp2 = -(int32_t)(data[1] % 70u); /* includes invalid exponents (< -64, and 0) */
    n = (size - 2) / 16;
    if (n > MAXB) n = MAXB;
    for (i = 0; i < n; ++i) {
        p[i] = rd64(data + 2 + 16 * i) & mask;
        q[i] = (data[0] & 128u) ? p[i] : rd64(data + 10 + 16 * i) & mask;
    }
    st = mon_drift_scores(p, q, n, &opt, &r);
    st1 = mon_drift_psi(p, q, n, &opt, &psi);
    REQUIRE(st1 == st);
    st1 = mon_drift_tv(p, q, n, &raw, &num, &den);
    if (st == MON_OK) {
        REQUIRE(st1 == MON_OK);
        REQUIRE(u128_eq(psi, r.psi_raw));
        REQUIRE(u128_eq(raw, r.tv_raw) && u128_eq(num, r.tv_num) && u128_eq(den, r.tv_den));
        REQUIRE(u128_le(r.tv_num, r.tv_den));
        REQUIRE(r.tv_raw.hi < 1 || (r.tv_raw.hi == 1 && r.tv_raw.lo == 0));
        REQUIRE(r.js_raw.hi <= ((uint64_t)1 << 62));
        REQUIRE(is_round_sqrt(r.js_distance_raw, r.js_raw));
        st1 = mon_drift_js(p, q, n, &js, &dist);
        REQUIRE(st1 == MON_OK && u128_eq(js, r.js_raw) && dist == r.js_distance_raw);
        /* symmetry: TV and JS exactly; swapping needs valid smoothing only for PSI's status */
        st1 = mon_drift_scores(q, p, n, &opt, &rs);
        REQUIRE(st1 == MON_OK);
        REQUIRE(u128_eq(rs.tv_raw, r.tv_raw) && u128_eq(rs.js_raw, r.js_raw));
        REQUIRE(rs.js_distance_raw == r.js_distance_raw);
        if (data[0] & 128u) {
            REQUIRE(r.tv_raw.hi == 0 && r.tv_raw.lo == 0 && r.tv_num.hi == 0 && r.tv_num.lo == 0);
            REQUIRE(r.js_raw.hi == 0 && r.js_raw.lo == 0 && r.js_distance_raw == 0);
            REQUIRE(r.psi_raw.hi == 0 && r.psi_raw.lo == 0);
        }
    } else if (st != MON_E_VALUE) {
        REQUIRE(st1 == st); /* a bad epsilon only fails PSI */
    }
    return 0;
}
