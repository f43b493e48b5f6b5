/*
 * mon_window.c - the epoch-tagged slot ring shared by the service windows and the latency
 * histogram ring (model: mon_window.h; protocol: mon_window_internal.h).
 */
#include "mon_align_internal.h"
#include "mon_atomic_internal.h"
#include "mon_window_internal.h"

#define GATE_CLEARING (UINT64_C(1) << 63)

mon_status mon_window_check_config(const mon_window_config *cfg)
{
    if (cfg == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(cfg)) {
        return MON_E_ALIGN;
    }
    if (cfg->slot_ticks == 0u || cfg->slots == 0u || cfg->slots > MON_WINDOW_MAX_SLOTS ||
        cfg->flags != 0u) {
        return MON_E_CONFIG;
    }
    return MON_OK;
}

uint64_t mon_window_epoch(const mon_window_config *cfg, uint64_t t)
{
    uint64_t e;
    if (cfg == NULL || !MON_ALIGNED_U64(cfg) || cfg->slot_ticks == 0u) {
        return 0u; /* an invalid configuration (a broken precondition): no division by zero */
    }
    e = (t <= cfg->start_tick) ? 0u : (t - cfg->start_tick) / cfg->slot_ticks;
    /* Keep epoch + 1 representable as a tag. */
    return (e == UINT64_MAX) ? UINT64_MAX - 1u : e;
}

uint64_t mon_window_first(uint64_t e_now, uint64_t n)
{
    return (e_now >= n - 1u) ? e_now - (n - 1u) : 0u;
}

void mon_window_reset(mon_window_slot *slots, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; ++i) {
        slots[i].tag = 0u;
        slots[i].gate = 0u;
    }
}

mon_window_claim mon_window_acquire(const mon_window_config *w, mon_window_slot *slots,
                                    uint64_t now, uint32_t *slot)
{
    uint64_t want = mon_window_epoch(w, now) + 1u;
    uint32_t i = (uint32_t)((want - 1u) % w->slots);
    mon_window_slot *s = &slots[i];
    *slot = i;
    for (;;) {
        uint64_t tag = mon_atomic_load_acquire(&s->tag);
        if (tag > want) {
            return MON_WINDOW_LATE;
        }
        if (tag == want) {
            /* Pin, then check: a claim needs gate == 0, so once pinned the tag cannot change. */
            uint64_t g = mon_atomic_fetch_add_order(&s->gate, 1u, MON_ORDER_ACQ_REL);
            if ((g & GATE_CLEARING) == 0u && mon_atomic_load(&s->tag) == want) {
                return MON_WINDOW_HELD;
            }
            /* being cleared for our epoch (wait for the opening), or claimed for a newer one */
            (void)mon_atomic_fetch_add_order(&s->gate, UINT64_MAX, MON_ORDER_RELEASE);
#if MON_SINGLE_THREADED
            /* One thread: nobody else can be clearing the slot, so the flag is a broken
             * one-thread rule or corrupted memory; waiting would never end. */
            return MON_WINDOW_LATE;
#else
            continue;
#endif
        }
#if MON_SINGLE_THREADED
        /* One thread: nobody else can hold or clear the slot (a pin the caller still holds is
         * its own business: the payload is emptied under it). */
        s->tag = want;
        s->gate |= GATE_CLEARING;
        return MON_WINDOW_CLAIMED;
#else
        {
            uint64_t g = 0u;
            if (mon_atomic_cas(&s->gate, &g, GATE_CLEARING, MON_ORDER_ACQ_REL)) {
                if (mon_atomic_load(&s->tag) != tag) {
                    /* claimed and opened by someone else since our load: look again */
                    (void)mon_atomic_fetch_add_order(&s->gate, GATE_CLEARING, MON_ORDER_RELEASE);
                    continue;
                }
                /* release: a reader that sees the new tag then sees the gate's CLEARING */
                mon_atomic_store_release(&s->tag, want);
                /* The payload stores that follow must not become visible before the gate and
                 * the tag: seqlock readers (mon_window_read_valid) rely on it. */
                mon_atomic_fence(MON_ORDER_RELEASE);
                return MON_WINDOW_CLAIMED;
            }
            /* pinned by holders of the old epoch, or another claim in progress: wait */
        }
#endif
    }
}

void mon_window_open(mon_window_slot *slot)
{
    /* gate = gate - CLEARING + 1 in one step (pins of backing-off recorders stay counted) */
    (void)mon_atomic_fetch_add_order(&slot->gate, 1u - GATE_CLEARING, MON_ORDER_RELEASE);
}

void mon_window_release(mon_window_slot *slot)
{
    /* Unpin. A release with no pin left (a host releasing twice) is ignored: subtracting would
     * carry into GATE_CLEARING and block every later claim and recorder of the slot. */
    uint64_t g = mon_atomic_load(&slot->gate);
    while ((g & ~GATE_CLEARING) != 0u) {
        if (mon_atomic_cas(&slot->gate, &g, g - 1u, MON_ORDER_RELEASE)) {
            return;
        }
    }
}

static int in_range(uint64_t tag, uint64_t first, uint64_t last)
{
    return tag != 0u && tag - 1u >= first && tag - 1u <= last;
}

int mon_window_pin(mon_window_slot *slot, uint64_t first, uint64_t last)
{
    uint64_t g;
    /* Out of range now: nothing to read, and no pin that would delay a claim of the slot. */
    if (!in_range(mon_atomic_load_acquire(&slot->tag), first, last)) {
        return 0;
    }
    g = mon_atomic_fetch_add_order(&slot->gate, 1u, MON_ORDER_ACQ_REL);
    if ((g & GATE_CLEARING) == 0u && in_range(mon_atomic_load(&slot->tag), first, last)) {
        return 1;
    }
    mon_window_release(slot);
    return 0;
}

int mon_window_read_begin(const mon_window_slot *slot, uint64_t first, uint64_t last, uint64_t *tag)
{
    /* The tag first: a claim sets the gate before the tag, so a reader that sees a new tag
     * also sees that the slot is (or was) being cleared. */
    uint64_t t = mon_atomic_load_acquire(&slot->tag);
    uint64_t g = mon_atomic_load_acquire(&slot->gate);
    if ((g & GATE_CLEARING) != 0u || !in_range(t, first, last)) {
        return 0;
    }
    *tag = t;
    return 1;
}

int mon_window_read_valid(const mon_window_slot *slot, uint64_t tag)
{
    mon_atomic_fence(MON_ORDER_ACQUIRE);
    return (mon_atomic_load(&slot->gate) & GATE_CLEARING) == 0u &&
           mon_atomic_load(&slot->tag) == tag;
}
