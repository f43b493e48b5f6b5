/*
 * mon_service.c - service counters and tick-rotated rate windows (see mon_service.h).
 */
#include <string.h>

#include "mon_atomic_internal.h"
#include "mon_sat_internal.h"
#include "mon_service.h"

MON_STATIC_ASSERT(MON_ERROR_CATEGORY_COUNT == 5, five_categories);
MON_STATIC_ASSERT(MON_ERR_TIMEOUT == MON_ERROR_CATEGORY_COUNT - 1, categories_are_dense);

/* Counter indices shared by the totals and every slot. */
enum {
    F_RECEIVED = 0,
    F_PROCESSED = 1,
    F_DROPPED = 2,
    F_FAILED = 3,
    F_ERRORS = 4, /* F_ERRORS + category */
    F_COUNT = F_ERRORS + MON_ERROR_CATEGORY_COUNT
};

#define SERVICE_MAGIC UINT64_C(0x31304356534E4F4D) /* "MONSVC01" little-endian */

typedef struct mon_service_slot {
    uint64_t tag; /* epoch + 1 of the counts held; 0 = never used */
    uint64_t v[F_COUNT];
} mon_service_slot;

MON_STATIC_ASSERT(sizeof(mon_service_slot) == 80, slot_is_80_bytes);

struct mon_service {
    uint64_t magic;
    uint64_t slot_ticks;
    uint64_t start_tick;
    uint32_t slots;
    uint32_t flags;
    uint64_t in_flight;
    uint64_t total[F_COUNT];
    mon_service_slot ring[]; /* `slots` entries (C99 flexible array member) */
};

/* ---- atomics (csrc/mon_atomic_internal.h) ----------------------------------------------- */
static uint64_t ld(const uint64_t *p) { return mon_atomic_load(p); }
static void st(uint64_t *p, uint64_t v) { mon_atomic_store(p, v); }
static void atomic_sat_inc(uint64_t *p) { (void)mon_atomic_sat_add(p, 1u, MON_ORDER_RELAXED); }
static int dec_nonzero(uint64_t *p) { return mon_atomic_dec_nonzero(p); }

/* ---- configuration and layout -------------------------------------------------------------- */

mon_status mon_service_check_config(const mon_service_config *cfg)
{
    if (cfg == NULL) {
        return MON_E_NULL;
    }
    if (cfg->slot_ticks == 0u || cfg->slots == 0u || cfg->slots > MON_SERVICE_MAX_SLOTS ||
        cfg->flags != 0u) {
        return MON_E_CONFIG;
    }
    return MON_OK;
}

size_t mon_service_size(const mon_service_config *cfg)
{
    if (mon_service_check_config(cfg) != MON_OK) {
        return 0u;
    }
    return offsetof(mon_service, ring) + (size_t)cfg->slots * sizeof(mon_service_slot);
}

mon_status mon_service_init(void *buf, size_t size, const mon_service_config *cfg)
{
    mon_service *s;
    size_t need;
    mon_status st0;
    if (buf == NULL || cfg == NULL) {
        return MON_E_NULL;
    }
    st0 = mon_service_check_config(cfg);
    if (st0 != MON_OK) {
        return st0;
    }
    need = mon_service_size(cfg);
    if (size < need) {
        return MON_E_SIZE;
    }
    if (((uintptr_t)buf & 7u) != 0u) {
        return MON_E_ALIGN;
    }
    memset(buf, 0, need);
    s = (mon_service *)buf;
    s->slot_ticks = cfg->slot_ticks;
    s->start_tick = cfg->start_tick;
    s->slots = cfg->slots;
    s->flags = cfg->flags;
    s->magic = SERVICE_MAGIC;
    return MON_OK;
}

/* ---- recording ----------------------------------------------------------------------------- */

static uint64_t epoch_of(const mon_service *s, uint64_t t)
{
    uint64_t e = (t <= s->start_tick) ? 0u : (t - s->start_tick) / s->slot_ticks;
    /* Keep epoch + 1 representable as a tag. */
    return (e == UINT64_MAX) ? UINT64_MAX - 1u : e;
}

/* The slot for tick now, claimed (and cleared) for its epoch when it held an older one; NULL
 * when the slot already holds a newer epoch (the event has left the window). */
static mon_service_slot *slot_for(mon_service *s, uint64_t now)
{
    uint64_t e = epoch_of(s, now);
    uint64_t want = e + 1u;
    mon_service_slot *slot = &s->ring[e % s->slots];
    uint64_t tag = ld(&slot->tag);
    while (tag != want) {
        if (tag > want) {
            return NULL;
        }
        if (mon_atomic_cas(&slot->tag, &tag, want, MON_ORDER_RELAXED)) {
            int i;
            for (i = 0; i < F_COUNT; ++i) {
                st(&slot->v[i], 0u);
            }
            break;
        }
    }
    return slot;
}

static void count(mon_service *s, uint64_t now, int f1, int f2)
{
    mon_service_slot *slot = slot_for(s, now);
    atomic_sat_inc(&s->total[f1]);
    if (f2 >= 0) {
        atomic_sat_inc(&s->total[f2]);
    }
    if (slot != NULL) {
        atomic_sat_inc(&slot->v[f1]);
        if (f2 >= 0) {
            atomic_sat_inc(&slot->v[f2]);
        }
    }
}

void mon_service_begin(mon_service *s, uint64_t now)
{
    atomic_sat_inc(&s->in_flight);
    count(s, now, F_RECEIVED, -1);
}

mon_status mon_service_ok(mon_service *s, uint64_t now)
{
    if (!dec_nonzero(&s->in_flight)) {
        return MON_E_STATE;
    }
    count(s, now, F_PROCESSED, -1);
    return MON_OK;
}

mon_status mon_service_fail(mon_service *s, uint64_t now, mon_error_category category)
{
    if ((unsigned)category >= (unsigned)MON_ERROR_CATEGORY_COUNT) {
        return MON_E_VALUE;
    }
    if (!dec_nonzero(&s->in_flight)) {
        return MON_E_STATE;
    }
    count(s, now, F_FAILED, F_ERRORS + (int)category);
    return MON_OK;
}

mon_status mon_service_drop(mon_service *s, uint64_t now)
{
    if (!dec_nonzero(&s->in_flight)) {
        return MON_E_STATE;
    }
    count(s, now, F_DROPPED, -1);
    return MON_OK;
}

void mon_service_reject(mon_service *s, uint64_t now) { count(s, now, F_RECEIVED, F_DROPPED); }

mon_status mon_service_error(mon_service *s, uint64_t now, mon_error_category category)
{
    if ((unsigned)category >= (unsigned)MON_ERROR_CATEGORY_COUNT) {
        return MON_E_VALUE;
    }
    count(s, now, F_ERRORS + (int)category, -1);
    return MON_OK;
}

/* ---- reading ------------------------------------------------------------------------------- */

static void to_counts(const uint64_t *v, uint64_t in_flight, mon_service_counts *out)
{
    int c;
    out->received = v[F_RECEIVED];
    out->processed = v[F_PROCESSED];
    out->dropped = v[F_DROPPED];
    out->failed = v[F_FAILED];
    out->in_flight = in_flight;
    for (c = 0; c < MON_ERROR_CATEGORY_COUNT; ++c) {
        out->errors[c] = v[F_ERRORS + c];
    }
}

mon_status mon_service_totals(const mon_service *s, mon_service_counts *out)
{
    uint64_t v[F_COUNT];
    int i;
    if (s == NULL || out == NULL) {
        return MON_E_NULL;
    }
    if (s->magic != SERVICE_MAGIC) {
        return MON_E_STATE;
    }
    for (i = 0; i < F_COUNT; ++i) {
        v[i] = ld(&s->total[i]);
    }
    to_counts(v, ld(&s->in_flight), out);
    return MON_OK;
}

mon_status mon_service_window_counts(const mon_service *s, uint64_t now,
                                     mon_service_window *out)
{
    uint64_t v[F_COUNT];
    uint64_t e_now, first;
    uint32_t k;
    int i;
    if (s == NULL || out == NULL) {
        return MON_E_NULL;
    }
    if (s->magic != SERVICE_MAGIC) {
        return MON_E_STATE;
    }
    e_now = epoch_of(s, now);
    first = (e_now >= (uint64_t)s->slots - 1u) ? e_now - ((uint64_t)s->slots - 1u) : 0u;
    memset(v, 0, sizeof v);
    for (k = 0; k < s->slots; ++k) {
        const mon_service_slot *slot = &s->ring[k];
        uint64_t tag = ld(&slot->tag);
        if (tag == 0u || tag - 1u < first || tag - 1u > e_now) {
            continue;
        }
        for (i = 0; i < F_COUNT; ++i) {
            v[i] = mon_sat_sum(v[i], ld(&slot->v[i]));
        }
    }
    to_counts(v, 0u, &out->counts);
    /* first * slot_ticks <= now - start_tick whenever now > start_tick: no overflow. */
    out->from_tick = s->start_tick + first * s->slot_ticks;
    out->to_tick = now;
    out->span_ticks = (now > out->from_tick) ? now - out->from_tick : 0u;
    return MON_OK;
}

mon_status mon_service_config_of(const mon_service *s, mon_service_config *out)
{
    if (s == NULL || out == NULL) {
        return MON_E_NULL;
    }
    if (s->magic != SERVICE_MAGIC) {
        return MON_E_STATE;
    }
    out->slot_ticks = s->slot_ticks;
    out->start_tick = s->start_tick;
    out->slots = s->slots;
    out->flags = s->flags;
    return MON_OK;
}

const char *mon_error_category_name(mon_error_category category)
{
    switch (category) {
    case MON_ERR_INFRASTRUCTURE:
        return "infrastructure";
    case MON_ERR_INPUT_VALIDATION:
        return "input_validation";
    case MON_ERR_MODEL_INFERENCE:
        return "model_inference";
    case MON_ERR_BUSINESS_LOGIC:
        return "business_logic";
    case MON_ERR_TIMEOUT:
        return "timeout";
    }
    return NULL;
}
