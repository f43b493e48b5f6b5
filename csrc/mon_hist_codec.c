/*
 * mon_hist_codec.c - the histogram's versioned little-endian byte format: serialize,
 * peek_config, deserialize, and its CRC-32C (see mon_hist.h).
 */
#include <string.h>

#include "mon_atomic_internal.h"
#include "mon_hist.h"
#include "mon_hist_internal.h"
#include "mon_hist_table.h"

/* Loads of counters that recorders update concurrently (csrc/mon_atomic_internal.h). */
static inline uint64_t ld_acq(const uint64_t *p) { return mon_atomic_load_acquire(p); }
static inline uint64_t ld_rlx(const uint64_t *p) { return mon_atomic_load(p); }

/* ---- serialisation ----------------------------------------------------------------------- */
uint32_t mon_hist_crc32c(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xffffffffu;
    size_t i;
    for (i = 0; i < len; ++i) crc = (crc >> 8) ^ MON_CRC32C_TABLE[(crc ^ data[i]) & 0xffu];
    return crc ^ 0xffffffffu;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

size_t mon_hist_serialized_size_max(const mon_hist *h)
{
    if (mon_hist_check(h) != MON_OK) return 0;
    return (size_t)MON_HIST_SERIAL_HEADER_BYTES + (size_t)h->buckets * MON_HIST_SERIAL_ENTRY_BYTES +
           MON_HIST_SERIAL_TRAILER_BYTES;
}

mon_status mon_hist_serialize(const mon_hist *h, uint8_t *out, size_t cap, size_t *written)
{
    uint32_t k, nz = 0;
    uint64_t c = 0, under, over;
    uint8_t *p;
    size_t len;
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    if (!out || !written) return MON_E_NULL;
    if (!MON_ALIGNED_SIZE(written)) return MON_E_ALIGN;
    if (cap < mon_hist_serialized_size_max(h)) return MON_E_SIZE;
    p = out + MON_HIST_SERIAL_HEADER_BYTES;
    for (k = 0; k < h->buckets; ++k) {
        uint64_t v = ld_acq(&h->counts[k]);
        if (v) {
            put_u32(p, k);
            put_u64(p + 4, v);
            p += MON_HIST_SERIAL_ENTRY_BYTES;
            ++nz;
            c = mon_sat_sum(c, v);
        }
    }
    under = ld_acq(&h->underflow);
    over = ld_acq(&h->overflow);
    c = mon_sat_sum(mon_sat_sum(c, under), over);
    (void)memcpy(out, "MONH", 4);
    out[4] = MON_HIST_FORMAT_VERSION;
    out[5] = (uint8_t)h->scale;
    out[6] = out[7] = 0;
    put_u64(out + 8, h->lowest);
    put_u64(out + 16, h->highest);
    put_u64(out + 24, c);
    put_u64(out + 32, under);
    put_u64(out + 40, over);
    put_u64(out + 48, ld_rlx(&h->invalid));
    if (c == 0) { /* canonical empty state, even if a value is being recorded right now */
        put_u64(out + 56, UINT64_MAX);
        put_u64(out + 64, 0);
        put_u64(out + 72, 0);
        put_u64(out + 80, 0);
    } else {
        put_u64(out + 56, ld_rlx(&h->min));
        put_u64(out + 64, ld_rlx(&h->max));
        put_u64(out + 72, ld_rlx(&h->sum_lo));
        put_u64(out + 80, ld_rlx(&h->sum_hi));
    }
    put_u32(out + 88, nz);
    put_u32(out + 92, 0);
    len = (size_t)(p - out);
    put_u32(p, mon_hist_crc32c(out, len));
    *written = len + MON_HIST_SERIAL_TRAILER_BYTES;
    return MON_OK;
}

mon_status mon_hist_peek_config(const uint8_t *data, size_t len, mon_hist_config *cfg)
{
    mon_hist_config c;
    mon_hist_layout lay;
    uint32_t nz, k, prev = 0;
    int32_t first = 0, last = 0;
    uint64_t total = 0, count, under, over, mn, mx, slo, shi;
    size_t need;
    if (!data || !cfg) return MON_E_NULL;
    if (!MON_ALIGNED_U64(cfg)) return MON_E_ALIGN;
    if (len < 5) return MON_E_TRUNCATED;
    if (memcmp(data, "MONH", 4) != 0) return MON_E_FORMAT;
    if (data[4] != MON_HIST_FORMAT_VERSION) return MON_E_FORMAT;
    if (len < (size_t)MON_HIST_SERIAL_HEADER_BYTES + MON_HIST_SERIAL_TRAILER_BYTES)
        return MON_E_TRUNCATED;
    nz = get_u32(data + 88);
    if ((len - MON_HIST_SERIAL_HEADER_BYTES - MON_HIST_SERIAL_TRAILER_BYTES) /
            MON_HIST_SERIAL_ENTRY_BYTES <
        nz)
        return MON_E_TRUNCATED;
    need = (size_t)MON_HIST_SERIAL_HEADER_BYTES + (size_t)nz * MON_HIST_SERIAL_ENTRY_BYTES +
           MON_HIST_SERIAL_TRAILER_BYTES;
    if (len != need) return MON_E_FORMAT; /* trailing bytes */
    if (mon_hist_crc32c(data, len - 4u) != get_u32(data + len - 4u)) return MON_E_CHECKSUM;
    if (data[6] != 0 || data[7] != 0 || get_u32(data + 92) != 0) return MON_E_FORMAT;
    c.scale = (int32_t)data[5];
    c.lowest = get_u64(data + 8);
    c.highest = get_u64(data + 16);
    if (mon_hist_layout_of(&c, &lay) != MON_OK) return MON_E_FORMAT;
    if (nz > lay.buckets) return MON_E_FORMAT;
    count = get_u64(data + 24);
    under = get_u64(data + 32);
    over = get_u64(data + 40);
    mn = get_u64(data + 56);
    mx = get_u64(data + 64);
    slo = get_u64(data + 72);
    shi = get_u64(data + 80);
    for (k = 0; k < nz; ++k) {
        const uint8_t *e =
            data + MON_HIST_SERIAL_HEADER_BYTES + (size_t)k * MON_HIST_SERIAL_ENTRY_BYTES;
        uint32_t off = get_u32(e);
        uint64_t v = get_u64(e + 4);
        int32_t i;
        if (off >= lay.buckets || (k > 0 && off <= prev) || v == 0) return MON_E_FORMAT;
        /* A bucket (T(i-1), T(i)] that holds no integer can never have been recorded into. */
        i = lay.index_lo + (int32_t)off;
        if (mon_hist_threshold_at(c.scale, i - 1) >= mon_hist_threshold_at(c.scale, i))
            return MON_E_FORMAT;
        if (k == 0) first = i;
        last = i;
        prev = off;
        total = mon_sat_sum(total, v);
    }
    total = mon_sat_sum(mon_sat_sum(total, under), over);
    if (total != count) return MON_E_FORMAT;
    if (count == 0) {
        if (mn != UINT64_MAX || mx != 0 || slo != 0 || shi != 0) return MON_E_FORMAT;
    } else {
        /* The exact min and max must lie where the counters say the extreme values are. */
        if (mn > mx) return MON_E_FORMAT;
        if (under != 0) {
            if (mn > lay.range_lo - 1u) return MON_E_FORMAT;
        } else if (nz != 0) {
            if (mn <= mon_hist_threshold_at(c.scale, first - 1) ||
                mn > mon_hist_threshold_at(c.scale, first))
                return MON_E_FORMAT;
        } else if (mn <= lay.range_hi) {
            return MON_E_FORMAT; /* only overflow values */
        } else {
            /* only overflow values, and the min lies above the range: consistent */
        }
        if (over != 0) {
            if (mx <= lay.range_hi) return MON_E_FORMAT;
        } else if (nz != 0) {
            if (mx <= mon_hist_threshold_at(c.scale, last - 1) ||
                mx > mon_hist_threshold_at(c.scale, last))
                return MON_E_FORMAT;
        } else if (mx > lay.range_lo - 1u) {
            return MON_E_FORMAT; /* only underflow values */
        } else {
            /* only underflow values, and the max lies below the range: consistent */
        }
    }
    *cfg = c;
    return MON_OK;
}

mon_status mon_hist_deserialize(void *buf, size_t size, const uint8_t *data, size_t len)
{
    mon_hist_config c;
    mon_hist *h;
    uint32_t nz, k;
    mon_status st = mon_hist_peek_config(data, len, &c);
    if (!buf) return MON_E_NULL;
    if (st != MON_OK) return st;
    if (size < mon_hist_size(&c)) return MON_E_SIZE;
    if (!mon_hist_aligned8(buf)) return MON_E_ALIGN;
    st = mon_hist_init(buf, size, &c);
    if (st != MON_OK) return st;
    h = (mon_hist *)buf;
    h->total = get_u64(data + 24);
    h->underflow = get_u64(data + 32);
    h->overflow = get_u64(data + 40);
    h->invalid = get_u64(data + 48);
    h->min = get_u64(data + 56);
    h->max = get_u64(data + 64);
    h->sum_lo = get_u64(data + 72);
    h->sum_hi = get_u64(data + 80);
    nz = get_u32(data + 88);
    for (k = 0; k < nz; ++k) {
        const uint8_t *e =
            data + MON_HIST_SERIAL_HEADER_BYTES + (size_t)k * MON_HIST_SERIAL_ENTRY_BYTES;
        h->counts[get_u32(e)] = get_u64(e + 4);
    }
    return MON_OK;
}
