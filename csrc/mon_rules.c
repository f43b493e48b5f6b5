/*
 * Alert rule evaluators (mon_rules.h): threshold with for / hysteresis / keep-firing-for, and
 * rate of change over a window in a fixed ring of samples. Exact double comparisons only; the
 * one division (the relative change) is an IEEE operation, the same on every target.
 */
#include <float.h>
#include <string.h>
#include "mon_align_internal.h"
#include "mon_rules.h"

#define MON_RULE_MAGIC 0x52554c45u /* "RULE" */

/* NaN is the only value unequal to itself (the comparison is exact and defined). */
static int is_nan(double x) { return x != x; }

/* Finite: not NaN and not +-inf (x - x is 0 for finite x, NaN for inf and NaN). */
static int is_finite(double x)
{
    double d = x - x;
    return d == 0.0;
}

static int compare(uint32_t op, double v, double level)
{
    switch (op) {
    case MON_RULE_GT: return v > level;
    case MON_RULE_GE: return v >= level;
    case MON_RULE_LT: return v < level;
    default: /* MON_RULE_LE (validated) */ return v <= level;
    }
}

static mon_status bad(uint32_t *field, uint32_t which)
{
    if (field != NULL) {
        *field = which;
    }
    return MON_E_CONFIG;
}

mon_status mon_rule_config_check(const mon_rule_config *cfg, uint32_t *field)
{
    if (field != NULL) {
        *field = MON_RULE_FIELD_NONE;
    }
    if (cfg == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(cfg)) {
        return MON_E_ALIGN;
    }
    if (cfg->kind != MON_RULE_THRESHOLD && cfg->kind != MON_RULE_RATE) {
        return bad(field, MON_RULE_FIELD_KIND);
    }
    if (cfg->op < MON_RULE_GT || cfg->op > MON_RULE_LE) {
        return bad(field, MON_RULE_FIELD_OP);
    }
    if (is_nan(cfg->threshold)) {
        return bad(field, MON_RULE_FIELD_THRESHOLD);
    }
    if (cfg->has_clear > 1u) {
        return bad(field, MON_RULE_FIELD_CLEAR);
    }
    if (cfg->has_clear == 1u) {
        int upward = cfg->op == MON_RULE_GT || cfg->op == MON_RULE_GE;
        if (is_nan(cfg->clear_threshold) || (upward && cfg->clear_threshold > cfg->threshold) ||
            (!upward && cfg->clear_threshold < cfg->threshold)) {
            return bad(field, MON_RULE_FIELD_CLEAR);
        }
    }
    if (cfg->no_data != MON_RULE_NODATA_FALSE && cfg->no_data != MON_RULE_NODATA_KEEP) {
        return bad(field, MON_RULE_FIELD_NO_DATA);
    }
    if (cfg->kind == MON_RULE_RATE) {
        if (cfg->window_ticks == 0u) {
            return bad(field, MON_RULE_FIELD_WINDOW);
        }
        if (cfg->resolution == 0u || cfg->resolution > (uint32_t)MON_RULE_MAX_SAMPLES - 2u) {
            return bad(field, MON_RULE_FIELD_RESOLUTION);
        }
        if (cfg->relative > 1u) {
            return bad(field, MON_RULE_FIELD_RELATIVE);
        }
    } else {
        if (cfg->window_ticks != 0u) {
            return bad(field, MON_RULE_FIELD_WINDOW);
        }
        if (cfg->resolution != 0u) {
            return bad(field, MON_RULE_FIELD_RESOLUTION);
        }
        if (cfg->relative != 0u) {
            return bad(field, MON_RULE_FIELD_RELATIVE);
        }
    }
    return MON_OK;
}

mon_status mon_rule_init(const mon_rule_config *cfg, mon_rule_state *st)
{
    mon_status s;
    if (cfg == NULL || st == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(st)) {
        return MON_E_ALIGN;
    }
    s = mon_rule_config_check(cfg, NULL);
    if (s != MON_OK) {
        return s;
    }
    memset(st, 0, sizeof *st);
    st->magic = MON_RULE_MAGIC;
    st->phase = MON_RULE_INACTIVE;
    return MON_OK;
}

#define RING(i) ((i) % (uint32_t)MON_RULE_MAX_SAMPLES)

/* The rate condition at tick; updates the sample ring (called after every check passed).
 * Returns MON_RULE_COND_*. */
static uint32_t rate_step(const mon_rule_config *cfg, mon_rule_state *st, uint64_t tick, double v,
                          double level, mon_rule_event *ev)
{
    uint32_t n = st->n_samples;
    uint32_t head = st->head;
    uint32_t result = MON_RULE_COND_NO_DATA;
    uint64_t step_ticks;
    if (!is_finite(v)) {
        return MON_RULE_COND_NO_DATA;
    }
    /* Drop samples while the second oldest is at least window_ticks old (it can be the past):
     * at most n - 1 <= MON_RULE_MAX_SAMPLES - 1 iterations. */
    while (n > 1u && tick - st->samples[RING(head + 1u)].tick >= cfg->window_ticks) {
        head = RING(head + 1u);
        --n;
    }
    if (n > 0u && tick - st->samples[head].tick >= cfg->window_ticks) {
        double past = st->samples[head].value;
        double change;
        if (cfg->relative == 1u) {
            if (past != 0.0) {
                double mag = past < 0.0 ? -past : past;
                change = (v - past) / mag;
            } else if (v > 0.0) {
                change = DBL_MAX * 2.0; /* +inf (IEEE overflow, no division by zero) */
            } else if (v < 0.0) {
                change = -DBL_MAX * 2.0;
            } else {
                change = 0.0;
            }
        } else {
            change = v - past;
        }
        ev->has_value = 1u;
        ev->value = change;
        result = compare(cfg->op, change, level) ? MON_RULE_COND_TRUE : MON_RULE_COND_FALSE;
    }
    /* step_ticks = ceil(window / resolution), without overflow. */
    step_ticks = cfg->window_ticks / cfg->resolution;
    if (cfg->window_ticks % cfg->resolution != 0u) {
        ++step_ticks;
    }
    if (n == 0u || tick - st->samples[RING(head + n - 1u)].tick >= step_ticks) {
        if (n ==
            (uint32_t)
                MON_RULE_MAX_SAMPLES) { /* unreachable (resolution + 2 bound): keep the newest */
            head = RING(head + 1u);
            --n;
        }
        st->samples[RING(head + n)].tick = tick;
        st->samples[RING(head + n)].value = v;
        ++n;
    }
    st->n_samples = n;
    st->head = head;
    return result;
}

mon_status mon_rule_step(const mon_rule_config *cfg, mon_rule_state *st, uint64_t tick,
                         double value, mon_rule_event *out)
{
    mon_status s;
    mon_rule_event ev;
    uint32_t cond;
    uint32_t phase;
    double level;
    if (cfg == NULL || st == NULL || out == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(st) || !MON_ALIGNED_U64(out)) {
        return MON_E_ALIGN;
    }
    s = mon_rule_config_check(cfg, NULL);
    if (s != MON_OK) {
        return s;
    }
    if (st->magic != MON_RULE_MAGIC || st->phase > MON_RULE_FIRING ||
        st->n_samples > (uint32_t)MON_RULE_MAX_SAMPLES ||
        st->head >= (uint32_t)MON_RULE_MAX_SAMPLES || st->has_last > 1u || st->keep_running > 1u ||
        (cfg->kind != MON_RULE_RATE && st->n_samples != 0u)) {
        return MON_E_STATE;
    }
    if (st->has_last == 1u && tick < st->last_tick) {
        return MON_E_VALUE; /* the clock stepped back: nothing changes */
    }
    phase = st->phase;
    memset(&ev, 0, sizeof ev);
    level = (phase != MON_RULE_INACTIVE && cfg->has_clear == 1u) ? cfg->clear_threshold
                                                                 : cfg->threshold;
    ev.level = level;
    if (cfg->kind == MON_RULE_RATE) {
        cond = rate_step(cfg, st, tick, value, level, &ev);
    } else if (is_nan(value)) {
        cond = MON_RULE_COND_NO_DATA;
    } else {
        ev.has_value = 1u;
        ev.value = value;
        cond = compare(cfg->op, value, level) ? MON_RULE_COND_TRUE : MON_RULE_COND_FALSE;
    }
    st->has_last = 1u;
    st->last_tick = tick;
    st->steps++;
    ev.condition = cond;
    ev.transition = MON_RULE_NONE;
    if (cond == MON_RULE_COND_NO_DATA) {
        st->no_data++;
    }
    if (cond == MON_RULE_COND_NO_DATA && cfg->no_data == MON_RULE_NODATA_KEEP) {
        /* phase and timers unchanged */
    } else if (cond == MON_RULE_COND_TRUE) {
        st->keep_running = 0u;
        st->keep_since = 0u;
        if (phase == MON_RULE_INACTIVE) {
            st->active_since = tick;
            if (cfg->for_ticks == 0u) {
                phase = MON_RULE_FIRING;
                st->fired_at = tick;
                ev.transition = MON_RULE_TO_FIRING;
            } else {
                phase = MON_RULE_PENDING;
                ev.transition = MON_RULE_TO_PENDING;
            }
        } else if (phase == MON_RULE_PENDING && tick - st->active_since >= cfg->for_ticks) {
            phase = MON_RULE_FIRING;
            st->fired_at = tick;
            ev.transition = MON_RULE_TO_FIRING;
        } else {
            /* pending not yet long enough, or firing: no transition */
        }
    } else if (phase == MON_RULE_PENDING) {
        phase = MON_RULE_INACTIVE;
        ev.transition = MON_RULE_CANCELLED;
    } else if (phase == MON_RULE_FIRING) {
        int resolve = 1;
        if (cfg->keep_firing_for_ticks > 0u) {
            if (st->keep_running == 0u) {
                st->keep_running = 1u;
                st->keep_since = tick;
            }
            resolve = tick - st->keep_since >= cfg->keep_firing_for_ticks;
        }
        if (resolve) {
            phase = MON_RULE_INACTIVE;
            ev.transition = MON_RULE_RESOLVED;
        }
    } else {
        /* inactive and not active: no transition */
    }
    if (phase == MON_RULE_INACTIVE) {
        st->active_since = 0u;
        st->fired_at = 0u;
        st->keep_since = 0u;
        st->keep_running = 0u;
    }
    st->phase = phase;
    ev.phase = phase;
    *out = ev;
    return MON_OK;
}

mon_status mon_rule_step_many(const mon_rule_config *cfgs, mon_rule_state *states, size_t n,
                              uint64_t tick, const double *values, mon_rule_event *events,
                              size_t *done)
{
    size_t i;
    mon_status s = MON_OK;
    if (done != NULL) {
        *done = 0u;
    }
    if (n == 0u) {
        return MON_OK;
    }
    if (cfgs == NULL || states == NULL || values == NULL || events == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_F64(values)) {
        return MON_E_ALIGN;
    }
    if (n > (size_t)MON_RULE_MAX_BATCH) {
        return MON_E_SIZE;
    }
    /* At most n <= MON_RULE_MAX_BATCH iterations. */
    for (i = 0u; i < n; ++i) {
        s = mon_rule_step(&cfgs[i], &states[i], tick, values[i], &events[i]);
        if (s != MON_OK) {
            break;
        }
    }
    if (done != NULL) {
        *done = i;
    }
    return s;
}
