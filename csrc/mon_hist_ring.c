/*
 * mon_hist_ring.c - latency histograms over a time window: one histogram per slot of the
 * shared epoch-tagged window ring (mon_window.h; contract in mon_hist.h).
 */
#include "mon_atomic_internal.h"
#include "mon_hist.h"
#include "mon_hist_internal.h"
#include "mon_window_internal.h"

/* "MonRing3" (1 was the caller-advanced ring, 2 had no total_size) */
#define RING_MAGIC UINT64_C(0x33676e6952736f4d)

/* Caller memory: this header, then `slots` window slot states, then `slots` histograms of
 * hist_size bytes each (8-byte aligned: every part is a multiple of 8 bytes). total_size is
 * the size the three fields slots, hist_size and total_size must agree on (redundancy: a
 * corruption of any one of them is seen before slot memory is addressed with it). */
struct mon_hist_ring {
    uint64_t magic;
    mon_window_config w;
    uint32_t hist_size;
    uint32_t total_size; /* RING_HEADER_BYTES + slots * (16 + hist_size) */
    uint64_t late;       /* values whose epoch had left the window when they were recorded */
    mon_window_slot slot[];
};

#define RING_HEADER_BYTES 48u
#define RING_MAX_HIST_SIZE (MON_HIST_HEADER_BYTES + 8u * MON_HIST_MAX_BUCKETS)
MON_STATIC_ASSERT(sizeof(struct mon_hist_ring) == RING_HEADER_BYTES, ring_header_size);
/* the largest ring fits total_size */
MON_STATIC_ASSERT((uint64_t)RING_HEADER_BYTES + (uint64_t)MON_HIST_RING_MAX_SLOTS *
                                                    (16u + (uint64_t)RING_MAX_HIST_SIZE) <=
                      UINT32_MAX,
                  ring_total_fits_32_bits);

/* The recording paths' check of the ring header (a few compares): magic, slot_ticks != 0 (the
 * epoch's divisor), 1 <= slots <= MON_HIST_RING_MAX_SLOTS, and slots / hist_size / total_size
 * consistent. A slot's histogram is checked against hist_size before use (slot_hist_ok). */
static inline int ring_hot_ok(const mon_hist_ring *r)
{
    return r != NULL && MON_ALIGNED_OBJ(r) && r->magic == RING_MAGIC && r->w.slot_ticks != 0u &&
           r->w.slots - 1u < MON_HIST_RING_MAX_SLOTS &&
           (uint64_t)r->total_size ==
               RING_HEADER_BYTES + (uint64_t)r->w.slots * (16u + (uint64_t)r->hist_size);
}

/* Every other function: also flags == 0 and a plausible hist_size (a multiple of 8 between the
 * smallest and the largest histogram). */
static int ring_ok(const mon_hist_ring *r)
{
    return ring_hot_ok(r) && r->w.flags == 0u && r->hist_size >= MON_HIST_HEADER_BYTES + 8u &&
           r->hist_size <= RING_MAX_HIST_SIZE && (r->hist_size & 7u) == 0u;
}

static mon_status ring_status(const mon_hist_ring *r)
{
    if (r == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(r)) return MON_E_ALIGN;
    return ring_ok(r) ? MON_OK : MON_E_STATE;
}

static mon_hist *slot_hist(const mon_hist_ring *r, uint32_t i)
{
    uintptr_t base = (uintptr_t)(r->slot + r->w.slots);
    return (mon_hist *)(base + (size_t)i * (size_t)r->hist_size);
}

/* A slot's histogram header: the recorders' check, and its size equal to the ring's
 * hist_size (so its bucket count cannot address beyond its slot). */
static inline int slot_hist_ok(const mon_hist_ring *r, const mon_hist *h)
{
    return mon_hist_hot_ok(h) &&
           (uint64_t)MON_HIST_HEADER_BYTES + 8u * (uint64_t)h->buckets == r->hist_size;
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
    if (!mon_hist_aligned8(buf)) return MON_E_ALIGN;
    st = check_ring_config(cfg, win);
    if (st != MON_OK) return st;
    if (size < mon_hist_ring_size(cfg, win)) return MON_E_SIZE;
    hs = mon_hist_size(cfg);
    r = (mon_hist_ring *)buf;
    r->magic = 0;
    r->w = *win;
    r->hist_size = (uint32_t)hs;
    r->total_size = (uint32_t)mon_hist_ring_size(cfg, win);
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
 * the epoch has left the window (*bad = 0) or the slot's histogram header is not valid
 * (*bad = 1: the pin is given back, nothing written). The ring header must be valid
 * (ring_ok). */
static mon_hist *acquire(mon_hist_ring *r, uint64_t now, int *bad)
{
    uint32_t i;
    mon_window_claim c = mon_window_acquire(&r->w, r->slot, now, &i);
    *bad = 0;
    if (c == MON_WINDOW_LATE) return NULL;
    if (!slot_hist_ok(r, slot_hist(r, i))) {
        if (c == MON_WINDOW_CLAIMED) mon_window_open(&r->slot[i]);
        mon_window_release(&r->slot[i]);
        *bad = 1;
        return NULL;
    }
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
    if (p < base || r->hist_size == 0u) return;
    k = (uint64_t)(p - base) / r->hist_size;
    if (k < r->w.slots && (uint64_t)(p - base) % r->hist_size == 0u) {
        mon_window_release(&r->slot[k]);
    }
}

mon_hist *mon_hist_ring_acquire(mon_hist_ring *ring, uint64_t now)
{
    int bad;
    if (!ring_ok(ring)) return NULL;
    return acquire(ring, now, &bad);
}

void mon_hist_ring_release(mon_hist_ring *ring, mon_hist *h)
{
    if (!ring_ok(ring) || !h) return;
    release(ring, h);
}

int32_t mon_hist_ring_record(mon_hist_ring *ring, uint64_t now, uint64_t value_ns)
{
    int bad;
    mon_hist *h;
    mon_status st;
    if (!ring_hot_ok(ring)) return -1;
    h = acquire(ring, now, &bad);
    if (bad) return -1;
    if (!h) {
        (void)mon_atomic_sat_add(&ring->late, 1u, MON_ORDER_RELAXED);
        return 0;
    }
    st = mon_hist_record_valid(h, value_ns); /* acquire checked its header */
    release(ring, h);
    return st == MON_OK ? 1 : -1;
}

mon_status mon_hist_ring_record_f64(mon_hist_ring *ring, uint64_t now, double value, uint32_t unit)
{
    mon_status st;
    int bad;
    mon_hist *h;
    st = ring_status(ring);
    if (st != MON_OK) return st;
    if ((unit & ~(uint32_t)MON_HIST_STRICT) > MON_HIST_S) return MON_E_CONFIG;
    h = acquire(ring, now, &bad);
    if (bad) return MON_E_STATE;
    if (!h) {
        uint64_t ns;
        /* the status a histogram would have returned; a strict rejection counts nothing */
        st = mon_hist_f64_to_ns(value, unit, &ns);
        if (st == MON_OK || !(unit & MON_HIST_STRICT)) {
            (void)mon_atomic_sat_add(&ring->late, 1u, MON_ORDER_RELAXED);
        }
        return st;
    }
    st = mon_hist_record_f64(h, value, unit);
    release(ring, h);
    return st;
}

mon_status mon_hist_ring_add_late(mon_hist_ring *ring, uint64_t n)
{
    mon_status st = ring_status(ring);
    if (st != MON_OK) return st;
    (void)mon_atomic_sat_add(&ring->late, n, MON_ORDER_RELAXED);
    return MON_OK;
}

mon_status mon_hist_ring_window(mon_hist_ring *ring, uint64_t now, uint32_t last_slots,
                                mon_hist *dst)
{
    uint64_t e_now, first;
    uint32_t k;
    mon_status st;
    if (!ring || !dst) return MON_E_NULL;
    st = ring_status(ring);
    if (st == MON_OK) st = mon_hist_check(dst);
    if (st == MON_OK) st = mon_hist_check(slot_hist(ring, 0));
    if (st != MON_OK) return st;
    if (!slot_hist_ok(ring, slot_hist(ring, 0))) return MON_E_STATE;
    if (last_slots == 0 || last_slots > ring->w.slots) return MON_E_VALUE;
    if (!mon_hist_same_config(dst, slot_hist(ring, 0))) return MON_E_MISMATCH;
    e_now = mon_window_epoch(&ring->w, now);
    first = mon_window_first(e_now, last_slots);
    mon_hist_clear(dst);
    /* Ascending slot order: the merge is order-independent anyway (bit-identical). */
    for (k = 0; k < ring->w.slots && st == MON_OK; ++k) {
        if (mon_window_pin(&ring->slot[k], first, e_now)) {
            /* a slot histogram of another size or configuration is a corrupted ring */
            st = slot_hist_ok(ring, slot_hist(ring, k)) ? mon_hist_merge(dst, slot_hist(ring, k))
                                                        : MON_E_STATE;
            if (st == MON_E_MISMATCH) st = MON_E_STATE;
            mon_window_release(&ring->slot[k]);
        }
    }
    return st;
}

mon_status mon_hist_ring_info(const mon_hist_ring *ring, mon_hist_config *cfg,
                              mon_window_config *win, uint64_t *late)
{
    mon_status st = ring_status(ring);
    if (st != MON_OK) return st;
    if (!MON_ALIGNED_U64(cfg) || !MON_ALIGNED_U64(win) || !MON_ALIGNED_U64(late))
        return MON_E_ALIGN;
    if (!slot_hist_ok(ring, slot_hist(ring, 0))) return MON_E_STATE;
    if (cfg) {
        st = mon_hist_get_config(slot_hist(ring, 0), cfg, NULL);
        if (st != MON_OK) return st;
    }
    if (win) *win = ring->w;
    if (late) *late = mon_atomic_load(&ring->late);
    return MON_OK;
}
