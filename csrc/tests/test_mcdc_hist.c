/* MC/DC closing tests of the histogram units outside the 100%-required set of test_mcdc.c:
 * mon_hist_codec.c (serialize / peek_config), mon_hist_read.c (the readers' argument checks),
 * mon_hist_ring.c (the ring header and slot checks, release) and mon_hist_internal.h's
 * mon_hist_hot_ok. Each case toggles one condition of a decision while the others hold, so
 * clang's -fcoverage-mcdc sees its independence pair (make -C csrc mcdc), and checks the status
 * or the output. Corrupted states are written through mon_hist_internal.h's layout (the
 * histogram) or the documented byte layout (the ring: 48-byte header, then the slot states). */
#include <stdint.h>
#include <string.h>

#include "mon_hist_internal.h"
#include "monitor.h"
#include "mon_test.h"

static uint64_t hbuf[4096];  /* a histogram */
static uint64_t hbuf2[4096]; /* a second one */
static uint64_t abuf[64];    /* scratch for misaligned pointers */
static unsigned char *mis(void) { return (unsigned char *)abuf + 1; }
static uint8_t ser[65536]; /* serialized bytes */

static const mon_hist_config CFG = {1000u, 1000000u, 2};

static mon_hist *fresh(uint64_t *buf)
{
    CHECK_STATUS(mon_hist_init(buf, sizeof hbuf, &CFG), MON_OK);
    return (mon_hist *)(void *)buf;
}

static uint64_t thr(int32_t i)
{
    uint64_t t = 0;
    CHECK_STATUS(mon_hist_threshold(CFG.scale, i, &t), MON_OK);
    return t;
}

static int32_t index_of(uint64_t v)
{
    int32_t i = 0;
    CHECK_STATUS(mon_hist_index_of(CFG.scale, v, &i), MON_OK);
    return i;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Recompute the CRC-32C trailer of a serialized histogram of len bytes. */
static void fix_crc(uint8_t *b, size_t len) { put32(b + len - 4, mon_hist_crc32c(b, len - 4)); }

/* Serialize h into ser; the length. */
static size_t serialize(const mon_hist *h)
{
    size_t n = 0;
    CHECK_STATUS(mon_hist_serialize(h, ser, sizeof ser, &n), MON_OK);
    return n;
}

/* peek_config of a copy of ser[0..n) with a u64 field at off set to v (CRC recomputed). */
static mon_status peek_with_u64(size_t n, size_t off, uint64_t v)
{
    static uint8_t w[65536];
    mon_hist_config c;
    memcpy(w, ser, n);
    put64(w + off, v);
    fix_crc(w, n);
    return mon_hist_peek_config(w, n, &c);
}

static mon_status peek_with_byte(size_t n, size_t off, uint8_t v)
{
    static uint8_t w[65536];
    mon_hist_config c;
    memcpy(w, ser, n);
    w[off] = v;
    fix_crc(w, n);
    return mon_hist_peek_config(w, n, &c);
}

static mon_status peek_with_u32(size_t n, size_t off, uint32_t v)
{
    static uint8_t w[65536];
    mon_hist_config c;
    memcpy(w, ser, n);
    put32(w + off, v);
    fix_crc(w, n);
    return mon_hist_peek_config(w, n, &c);
}

static void test_codec(void)
{
    mon_hist *h = fresh(hbuf);
    mon_hist_config c;
    mon_hist_layout lay;
    size_t n = 0, e1 = MON_HIST_SERIAL_HEADER_BYTES, e2 = e1 + MON_HIST_SERIAL_ENTRY_BYTES;
    uint64_t a = 5000u, b = 50000u;
    uint32_t off0;
    CHECK_STATUS(mon_hist_get_config(h, NULL, &lay), MON_OK);
    /* serialize: written NULL alone */
    CHECK_STATUS(mon_hist_serialize(h, ser, sizeof ser, NULL), MON_E_NULL);
    /* peek: cfg NULL alone */
    n = serialize(h);
    CHECK_STATUS(mon_hist_peek_config(ser, n, NULL), MON_E_NULL);
    CHECK_STATUS(mon_hist_peek_config(ser, n, &c), MON_OK);
    CHECK(c.lowest == CFG.lowest && c.highest == CFG.highest && c.scale == CFG.scale);
    /* the trailer is the little-endian CRC-32C of every byte before it */
    CHECK(get32(ser + n - 4) == mon_hist_crc32c(ser, n - 4));
    /* the empty state must be canonical: each of min, max, sum_lo, sum_hi alone */
    CHECK_STATUS(peek_with_u64(n, 56, 0u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 64, 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 72, 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 80, 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 56, UINT64_MAX), MON_OK); /* unchanged value */
    /* reserved bytes: 6, 7 and the u32 at 92, each alone */
    CHECK_STATUS(peek_with_byte(n, 6, 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_byte(n, 7, 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u32(n, 92, 1u), MON_E_FORMAT);
    /* two values in two buckets: entries (off0, 1) and (off1, 1) */
    CHECK_STATUS(mon_hist_record(h, a), MON_OK);
    CHECK_STATUS(mon_hist_record(h, b), MON_OK);
    n = serialize(h);
    CHECK(get32(ser + 88) == 2u);
    off0 = get32(ser + e1);
    CHECK(off0 == (uint32_t)(index_of(a) - lay.index_lo));
    CHECK(get32(ser + e2) == (uint32_t)(index_of(b) - lay.index_lo));
    CHECK_STATUS(peek_with_u32(n, e1, lay.buckets), MON_E_FORMAT); /* offset out of range */
    CHECK_STATUS(peek_with_u32(n, e2, off0), MON_E_FORMAT);        /* not increasing */
    CHECK_STATUS(peek_with_u64(n, e2 + 4, 0u), MON_E_FORMAT);      /* a zero count */
    CHECK_STATUS(peek_with_u64(n, e1 + 4, 0u), MON_E_FORMAT);      /* first entry, zero count */
    /* the min must lie in the first counted bucket: above its upper threshold alone (the
     * lower side is the other condition), the max in the last: at its lower threshold alone */
    CHECK_STATUS(peek_with_u64(n, 56, thr(index_of(a)) + 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 56, thr(index_of(a) - 1)), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 56, thr(index_of(a))), MON_OK);
    CHECK_STATUS(peek_with_u64(n, 64, thr(index_of(b) - 1)), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 64, thr(index_of(b)) + 1u), MON_E_FORMAT);
    CHECK_STATUS(peek_with_u64(n, 64, thr(index_of(b) - 1) + 1u), MON_OK);
    CHECK_STATUS(mon_hist_peek_config(ser, n, &c), MON_OK);
}

static void test_hot_ok(void)
{
    mon_hist *h = fresh(hbuf);
    int32_t hi = h->index_hi;
    uint32_t buckets = h->buckets;
    mon_hist_stats s;
    /* a self-consistent bucket count above MON_HIST_MAX_BUCKETS alone */
    h->index_hi = h->index_lo + (int32_t)MON_HIST_MAX_BUCKETS;
    h->buckets = (uint32_t)MON_HIST_MAX_BUCKETS + 1u;
    CHECK(mon_hist_record(h, 5000u) != MON_OK);
    h->index_hi = hi;
    h->buckets = buckets;
    CHECK_STATUS(mon_hist_get_stats(h, &s), MON_OK);
    CHECK(s.count == 0); /* nothing was recorded */
    CHECK_STATUS(mon_hist_record(h, 5000u), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(h, &s), MON_OK);
    CHECK(s.count == 1);
}

static void test_read(void)
{
    mon_hist *h = fresh(hbuf), *d = fresh(hbuf2);
    mon_hist_config c;
    mon_hist_bucket bk;
    uint64_t out = 7, num = 0, den = 0;
    int32_t exact = 7;
    uint32_t cur = 0;
    /* get_config: layout misaligned alone */
    CHECK_STATUS(mon_hist_get_config(h, &c, (mon_hist_layout *)(void *)mis()), MON_E_ALIGN);
    CHECK_STATUS(mon_hist_get_config(h, &c, NULL), MON_OK);
    /* count_at_or_below: exact NULL alone; out misaligned alone */
    CHECK_STATUS(mon_hist_count_at_or_below(h, 1u, &out, NULL), MON_E_NULL);
    CHECK_STATUS(mon_hist_count_at_or_below(h, 1u, (uint64_t *)(void *)mis(), &exact), MON_E_ALIGN);
    /* empty: 0, exact */
    CHECK_STATUS(mon_hist_count_at_or_below(h, 5000u, &out, &exact), MON_OK);
    CHECK(out == 0 && exact == 1);
    CHECK_STATUS(mon_hist_record(h, 5000u), MON_OK);
    CHECK_STATUS(mon_hist_record(h, 50000u), MON_OK);
    /* below the min: 0, exact; at the min and between: counted */
    CHECK_STATUS(mon_hist_count_at_or_below(h, 4999u, &out, &exact), MON_OK);
    CHECK(out == 0 && exact == 1);
    CHECK_STATUS(mon_hist_count_at_or_below(h, 20000u, &out, &exact), MON_OK);
    CHECK(out == 1);
    CHECK_STATUS(mon_hist_count_at_or_below(h, 50000u, &out, &exact), MON_OK);
    CHECK(out == 2 && exact == 1);
    /* merge / snapshot: dst NULL alone */
    CHECK_STATUS(mon_hist_merge(NULL, h), MON_E_NULL);
    CHECK_STATUS(mon_hist_snapshot(h, NULL), MON_E_NULL);
    CHECK_STATUS(mon_hist_merge(d, h), MON_OK);
    CHECK_STATUS(mon_hist_count_at_or_below(d, 50000u, &out, &exact), MON_OK);
    CHECK(out == 2);
    /* next_bucket: cursor NULL alone, out NULL alone, out misaligned alone */
    CHECK(mon_hist_next_bucket(h, NULL, &bk) == 0);
    CHECK(mon_hist_next_bucket(h, &cur, NULL) == 0);
    CHECK(mon_hist_next_bucket(h, &cur, (mon_hist_bucket *)(void *)mis()) == 0);
    CHECK(cur == 0);
    CHECK(mon_hist_next_bucket(h, &cur, &bk) == 1);
    CHECK(bk.count == 1 && bk.index == index_of(5000u) && bk.lower < 5000u && bk.upper >= 5000u);
    /* error_bound: den NULL alone, den misaligned alone */
    CHECK_STATUS(mon_hist_error_bound(&CFG, &num, NULL), MON_E_NULL);
    CHECK_STATUS(mon_hist_error_bound(&CFG, &num, (uint64_t *)(void *)mis()), MON_E_ALIGN);
    CHECK_STATUS(mon_hist_error_bound(&CFG, &num, &den), MON_OK);
    CHECK(den > 0 && num < den);
}

/* ---- ring ------------------------------------------------------------------------------ */
static uint64_t rbuf[16384];
static uint8_t *rb(void) { return (uint8_t *)rbuf; }
static uint32_t *r_u32(size_t off) { return (uint32_t *)(void *)(rb() + off); }
static uint64_t *r_u64(size_t off) { return (uint64_t *)(void *)(rb() + off); }
/* header: magic 0, slot_ticks 8, start_tick 16, slots 24, flags 28, hist_size 32,
 * total_size 36, late 40; slot states (tag, gate) from 48 */
#define R_SLOTS 4u

static mon_hist_ring *fresh_ring(void)
{
    mon_window_config w;
    memset(&w, 0, sizeof w);
    w.slot_ticks = 10u;
    w.slots = R_SLOTS;
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, &CFG, &w), MON_OK);
    return (mon_hist_ring *)(void *)rbuf;
}

/* ring_info with one u32 / u64 header field changed, then restored */
static mon_status info_u32(mon_hist_ring *r, size_t off, uint32_t v)
{
    uint32_t save = *r_u32(off);
    mon_status st;
    *r_u32(off) = v;
    st = mon_hist_ring_info(r, NULL, NULL, NULL);
    *r_u32(off) = save;
    return st;
}

static mon_status info_u64(mon_hist_ring *r, size_t off, uint64_t v)
{
    uint64_t save = *r_u64(off);
    mon_status st;
    *r_u64(off) = v;
    st = mon_hist_ring_info(r, NULL, NULL, NULL);
    *r_u64(off) = save;
    return st;
}

/* ring_info with hist_size set to hs and total_size consistent with it */
static mon_status info_hist_size(mon_hist_ring *r, uint32_t hs)
{
    uint32_t s1 = *r_u32(32), s2 = *r_u32(36);
    mon_status st;
    *r_u32(32) = hs;
    *r_u32(36) = 48u + R_SLOTS * (16u + hs);
    st = mon_hist_ring_info(r, NULL, NULL, NULL);
    *r_u32(32) = s1;
    *r_u32(36) = s2;
    return st;
}

static void test_ring(void)
{
    mon_hist_ring *r = fresh_ring();
    mon_hist_config c;
    mon_window_config w;
    mon_hist *h, *dst = fresh(hbuf2);
    uint32_t hs = *r_u32(32);
    uint64_t late = 9;
    mon_hist_stats s;
    memset(&w, 0, sizeof w);
    w.slot_ticks = 10u;
    w.slots = R_SLOTS;
    /* init: cfg NULL alone, win NULL alone */
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, NULL, &w), MON_E_NULL);
    CHECK_STATUS(mon_hist_ring_init(rbuf, sizeof rbuf, &CFG, NULL), MON_E_NULL);
    r = fresh_ring();
    CHECK(hs == (uint32_t)mon_hist_size(&CFG));
    CHECK_STATUS(mon_hist_ring_info(r, NULL, NULL, NULL), MON_OK);
    /* header fields, one each: magic, total_size */
    CHECK_STATUS(info_u64(r, 0, 0u), MON_E_STATE);
    CHECK_STATUS(info_u32(r, 36, *r_u32(36) + 8u), MON_E_STATE);
    /* hist_size (total_size kept consistent): too small, too large, not a multiple of 8 */
    CHECK_STATUS(info_hist_size(r, MON_HIST_HEADER_BYTES), MON_E_STATE);
    CHECK_STATUS(info_hist_size(r, MON_HIST_HEADER_BYTES + 8u * MON_HIST_MAX_BUCKETS + 8u),
                 MON_E_STATE);
    CHECK_STATUS(info_hist_size(r, hs + 4u), MON_E_STATE);
    /* a valid header whose hist_size disagrees with the slot histogram's bucket count */
    CHECK_STATUS(info_hist_size(r, hs + 8u), MON_E_STATE);
    CHECK_STATUS(info_hist_size(r, hs), MON_OK);
    /* info: cfg misaligned alone, win misaligned alone */
    CHECK_STATUS(mon_hist_ring_info(r, (mon_hist_config *)(void *)mis(), NULL, NULL), MON_E_ALIGN);
    CHECK_STATUS(mon_hist_ring_info(r, NULL, (mon_window_config *)(void *)mis(), NULL),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_hist_ring_info(r, &c, &w, &late), MON_OK);
    CHECK(c.scale == CFG.scale && w.slots == R_SLOTS && late == 0);
    /* release: a pointer inside slot 0 but not at its start, and one past the last slot, are
     * ignored (slot 0 stays pinned); the real one unpins it */
    h = mon_hist_ring_acquire(r, 5u);
    CHECK(h != NULL && *r_u64(48 + 8) == 1u);
    mon_hist_ring_release(r, (mon_hist *)(void *)((uint8_t *)h + 8));
    CHECK(*r_u64(48 + 8) == 1u);
    mon_hist_ring_release(r, (mon_hist *)(void *)((uint8_t *)h + (size_t)R_SLOTS * hs));
    CHECK(*r_u64(48 + 8) == 1u);
    mon_hist_ring_release(r, h);
    CHECK(*r_u64(48 + 8) == 0u);
    /* window: epochs 0 and 1 recorded; slot 1's histogram corrupted: the merge stops there */
    CHECK(mon_hist_ring_record(r, 5u, 5000u) == 1);
    CHECK(mon_hist_ring_record(r, 15u, 6000u) == 1);
    CHECK_STATUS(mon_hist_ring_window(r, 15u, 2, dst), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(dst, &s), MON_OK);
    CHECK(s.count == 2);
    {
        uint64_t *m1 = r_u64(48 + 16 * R_SLOTS + hs); /* slot 1's histogram magic */
        uint64_t save = *m1;
        *m1 = 0;
        CHECK_STATUS(mon_hist_ring_window(r, 15u, 2, dst), MON_E_STATE);
        *m1 = save;
        CHECK(*r_u64(48 + 16 + 8) == 0u && *r_u64(48 + 8) == 0u); /* no pin left behind */
    }
    CHECK_STATUS(mon_hist_ring_window(r, 15u, 2, dst), MON_OK);
    /* a window read of an in-range slot whose gate says "being cleared" (a claim that never
     * opened it) alone: the slot is skipped and its pin given back */
    *r_u64(48 + 8) |= UINT64_C(1) << 63;
    CHECK_STATUS(mon_hist_ring_window(r, 15u, 2, dst), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(dst, &s), MON_OK);
    CHECK(s.count == 1 && s.min == 6000u); /* epoch 1 only */
    CHECK(*r_u64(48 + 8) == UINT64_C(1) << 63);
    *r_u64(48 + 8) &= ~(UINT64_C(1) << 63);
    CHECK_STATUS(mon_hist_ring_window(r, 15u, 2, dst), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(dst, &s), MON_OK);
    CHECK(s.count == 2);
}

int main(void)
{
    test_codec();
    test_hot_ok();
    test_read();
    test_ring();
    MON_TEST_MAIN_END();
}
