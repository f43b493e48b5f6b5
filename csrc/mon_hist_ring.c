/*
 * mon_hist_ring.c - latency histograms over a time window: one histogram per slot of the
 * shared epoch-tagged window ring (mon_window.h; contract in mon_hist.h).
 */
#include "mon_atomic_internal.h"
#include "mon_hist.h"
#include "mon_hist_internal.h"
#include "mon_window_internal.h"

#define RING_MAGIC UINT64_C(0x32676e6952736f4d) /* "MonRing2" (1 was the caller-advanced ring) */

/* Caller memory: this header, then `slots` window slot states, then `slots` histograms of
 * hist_size bytes each (8-byte aligned: every part is a multiple of 8 bytes). */
struct mon_hist_ring {
    uint64_t magic;
    mon_window_config w;
    uint64_t hist_size;
    uint64_t late; /* values whose epoch had left the window when they were recorded */
    mon_window_slot slot[];
};

#define RING_HEADER_BYTES 48u
MON_STATIC_ASSERT(sizeof(struct mon_hist_ring) == RING_HEADER_BYTES, ring_header_size);

static int ring_valid(const mon_hist_ring *r) { return r && r->magic == RING_MAGIC; }

static mon_hist *slot_hist(const mon_hist_ring *r, uint32_t i)
{
    uintptr_t base = (uintptr_t)(r->slot + r->w.slots);
    return (mon_hist *)(base + (size_t)i * (size_t)r->hist_size);
}

static mon_status check_ring_config(const mon_hist_config *cfg, const mon_window_config *win)
{
    mon_status st = mon_hist_check_config(cfg);
    if (st != MON_OK) return st;
    st = mon_window_check_config(win);
    if (st != MON_OK) return st;
    if (win->slots > MON_HIST_RING_MAX_SLOTS) return MON_E_CONFIG;
    return MON_OK;
}

size_t mon_hist_ring_size(const mon_hist_config *cfg, const mon_window_config *win)
{
    if (check_ring_config(cfg, win) != MON_OK) return 0;
    return RING_HEADER_BYTES + (size_t)win->slots * (sizeof(mon_window_slot) + mon_hist_size(cfg));
}

mon_status mon_hist_ring_init(void *buf, size_t size, const mon_hist_config *cfg,
                              const mon_window_config *win)
{
    mon_hist_ring *r;
    size_t hs;
    uint32_t k;
    mon_status st;
    if (!buf || !cfg || !win) return MON_E_NULL;
    st = check_ring_config(cfg, win);
    if (st != MON_OK) return st;
    if (size < mon_hist_ring_size(cfg, win)) return MON_E_SIZE;
    if (!mon_hist_aligned8(buf)) return MON_E_ALIGN;
    hs = mon_hist_size(cfg);
    r = (mon_hist_ring *)buf;
    r->magic = 0;
    r->w = *win;
    r->hist_size = (uint64_t)hs;
    r->late = 0;
    mon_window_reset(r->slot, win->slots);
    for (k = 0; k < win->slots; ++k) {
        st = mon_hist_init(slot_hist(r, k), hs, cfg);
        if (st != MON_OK) return st;
    }
    r->magic = RING_MAGIC;
    return MON_OK;
}

/* The slot histogram of tick now's epoch, pinned (emptied first when newly claimed); NULL when
 * the epoch has left the window. */
static mon_hist *acquire(mon_hist_ring *r, uint64_t now)
{
    uint32_t i;
    mon_window_claim c = mon_window_acquire(&r->w, r->slot, now, &i);
    if (c == MON_WINDOW_LATE) return NULL;
    if (c == MON_WINDOW_CLAIMED) {
        mon_hist_clear(slot_hist(r, i));
        mon_window_open(&r->slot[i]);
    }
    return slot_hist(r, i);
}

static void release(mon_hist_ring *r, const mon_hist *h)
{
    uintptr_t base = (uintptr_t)slot_hist(r, 0), p = (uintptr_t)h;
    uint64_t k;
    if (p < base) return;
    k = (uint64_t)(p - base) / r->hist_size;
    if (k < r->w.slots && (uint64_t)(p - base) % r->hist_size == 0u) {
        mon_window_release(&r->slot[k]);
    }
}

mon_hist *mon_hist_ring_acquire(mon_hist_ring *ring, uint64_t now)
{
    if (!ring_valid(ring)) return NULL;
    return acquire(ring, now);
}

void mon_hist_ring_release(mon_hist_ring *ring, mon_hist *h)
{
    if (!ring_valid(ring) || !h) return;
    release(ring, h);
}

int32_t mon_hist_ring_record(mon_hist_ring *ring, uint64_t now, uint64_t value_ns)
{
    mon_hist *h = acquire(ring, now);
    if (!h) {
        (void)mon_atomic_sat_add(&ring->late, 1u, MON_ORDER_RELAXED);
        return 0;
    }
    mon_hist_record(h, value_ns);
    release(ring, h);
    return 1;
}

mon_status mon_hist_ring_record_f64(mon_hist_ring *ring, uint64_t now, double value, uint32_t unit)
{
    mon_status st;
    mon_hist *h = acquire(ring, now);
    if (!h) {
        uint64_t ns;
        uint32_t u = (unit & 255u) <= MON_HIST_S ? (unit & 255u) : MON_HIST_NS;
        /* the status a histogram would have returned; a strict rejection counts nothing */
        st = mon_hist_f64_to_ns(value, u, &ns);
        if (st == MON_OK || !(unit & MON_HIST_STRICT)) {
            (void)mon_atomic_sat_add(&ring->late, 1u, MON_ORDER_RELAXED);
        }
        return st;
    }
    st = mon_hist_record_f64(h, value, unit);
    release(ring, h);
    return st;
}

void mon_hist_ring_add_late(mon_hist_ring *ring, uint64_t n)
{
    if (!ring_valid(ring)) return;
    (void)mon_atomic_sat_add(&ring->late, n, MON_ORDER_RELAXED);
}

mon_status mon_hist_ring_window(mon_hist_ring *ring, uint64_t now, uint32_t last_slots,
                                mon_hist *dst)
{
    uint64_t e_now, first;
    uint32_t k;
    mon_status st = MON_OK;
    if (!ring || !dst) return MON_E_NULL;
    if (!ring_valid(ring) || !mon_hist_valid(dst)) return MON_E_STATE;
    if (last_slots == 0 || last_slots > ring->w.slots) return MON_E_VALUE;
    if (!mon_hist_same_config(dst, slot_hist(ring, 0))) return MON_E_MISMATCH;
    e_now = mon_window_epoch(&ring->w, now);
    first = mon_window_first(e_now, last_slots);
    mon_hist_clear(dst);
    /* Ascending slot order: the merge is order-independent anyway (bit-identical). */
    for (k = 0; k < ring->w.slots && st == MON_OK; ++k) {
        if (mon_window_pin(&ring->slot[k], first, e_now)) {
            st = mon_hist_merge(dst, slot_hist(ring, k));
            mon_window_release(&ring->slot[k]);
        }
    }
    return st;
}

mon_status mon_hist_ring_info(const mon_hist_ring *ring, mon_hist_config *cfg,
                              mon_window_config *win, uint64_t *late)
{
    if (!ring) return MON_E_NULL;
    if (!ring_valid(ring)) return MON_E_STATE;
    if (cfg) {
        mon_status st = mon_hist_get_config(slot_hist(ring, 0), cfg, NULL);
        if (st != MON_OK) return st;
    }
    if (win) *win = ring->w;
    if (late) *late = mon_atomic_load(&ring->late);
    return MON_OK;
}
