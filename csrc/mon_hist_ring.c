/*
 * mon_hist_ring.c - a ring of latency histograms for time windows (see mon_hist.h).
 */
#include <string.h>

#include "mon_atomic_internal.h"
#include "mon_hist.h"
#include "mon_hist_internal.h"

#define RING_MAGIC UINT64_C(0x31676e6952736f4d) /* "MonRing1" */
#define RING_HEADER_BYTES 32u
#define RING_MAX_SLOTS 1024u

struct mon_hist_ring {
    uint64_t magic;
    uint64_t tick;
    uint32_t slots;
    uint32_t reserved;
    uint64_t hist_size;
    /* slots * hist_size bytes of histograms follow */
};

MON_STATIC_ASSERT(sizeof(struct mon_hist_ring) == RING_HEADER_BYTES, ring_header_size);

/* ---- ring -------------------------------------------------------------------------------- */
static mon_hist *ring_slot(const mon_hist_ring *r, uint64_t tick)
{
    return (mon_hist *)((uintptr_t)r + RING_HEADER_BYTES + (size_t)(tick % r->slots) * (size_t)r->hist_size);
}

size_t mon_hist_ring_size(const mon_hist_config *cfg, uint32_t slots)
{
    size_t hs = mon_hist_size(cfg);
    if (hs == 0 || slots == 0 || slots > RING_MAX_SLOTS) return 0;
    return RING_HEADER_BYTES + hs * slots;
}

mon_status mon_hist_ring_init(void *buf, size_t size, const mon_hist_config *cfg, uint32_t slots,
                              uint64_t tick)
{
    mon_hist_ring *r;
    size_t hs, need;
    uint32_t k;
    mon_status st;
    if (!buf || !cfg) return MON_E_NULL;
    st = mon_hist_check_config(cfg);
    if (st != MON_OK) return st;
    if (slots == 0 || slots > RING_MAX_SLOTS) return MON_E_CONFIG;
    need = mon_hist_ring_size(cfg, slots);
    hs = mon_hist_size(cfg);
    if (size < need) return MON_E_SIZE;
    if (!mon_hist_aligned8(buf)) return MON_E_ALIGN;
    r = (mon_hist_ring *)buf;
    r->magic = RING_MAGIC;
    r->tick = tick;
    r->slots = slots;
    r->reserved = 0;
    r->hist_size = (uint64_t)hs;
    for (k = 0; k < slots; ++k) {
        st = mon_hist_init((uint8_t *)buf + RING_HEADER_BYTES + (size_t)k * hs, hs, cfg);
        if (st != MON_OK) return st;
    }
    return MON_OK;
}

static int ring_valid(const mon_hist_ring *r) { return r && r->magic == RING_MAGIC; }

mon_status mon_hist_ring_advance(mon_hist_ring *ring, uint64_t tick)
{
    uint64_t t, steps;
    if (!ring) return MON_E_NULL;
    if (!ring_valid(ring)) return MON_E_STATE;
    if (tick < ring->tick) return MON_E_VALUE;
    steps = tick - ring->tick;
    if (steps > ring->slots) steps = ring->slots;
    for (t = 0; t < steps; ++t) mon_hist_reset(ring_slot(ring, tick - t));
    ring->tick = tick;
    return MON_OK;
}

mon_hist *mon_hist_ring_current(mon_hist_ring *ring)
{
    if (!ring_valid(ring)) return NULL;
    return ring_slot(ring, ring->tick);
}

mon_status mon_hist_ring_merge_last(const mon_hist_ring *ring, uint32_t last, mon_hist *dst)
{
    uint32_t k;
    mon_status st;
    if (!ring || !dst) return MON_E_NULL;
    if (!ring_valid(ring) || !mon_hist_valid(dst)) return MON_E_STATE;
    if (last == 0 || last > ring->slots) return MON_E_VALUE;
    if (!mon_hist_same_config(dst, ring_slot(ring, 0))) return MON_E_MISMATCH;
    mon_hist_clear(dst);
    for (k = 0; k < last && (uint64_t)k <= ring->tick; ++k) {
        st = mon_hist_merge(dst, ring_slot(ring, ring->tick - k));
        if (st != MON_OK) return st;
    }
    return MON_OK;
}

mon_status mon_hist_ring_info(const mon_hist_ring *ring, uint64_t *tick, uint32_t *slots)
{
    if (!ring) return MON_E_NULL;
    if (!ring_valid(ring)) return MON_E_STATE;
    if (tick) *tick = ring->tick;
    if (slots) *slots = ring->slots;
    return MON_OK;
}
