/*
 * mon_rules.h - alert rule evaluators over one signal value per tick, in caller memory.
 *
 * One rule = one mon_rule_config (read only) + one mon_rule_state (caller memory, fixed size,
 * no allocation, no libm, no stdio). mon_rule_init validates the configuration and resets the
 * state; mon_rule_step feeds one (tick, value) and reports the rule's phase and transition.
 * The Python AlertEngine runs its Threshold and RateOfChange rules through these functions
 * (monitor/alerts/c_rules.py), so the lab and the device give the same transitions (golden
 * vectors: monitor/data/golden_rules_v1.json, csrc/tests/test_rules_golden.c).
 *
 * Kinds (the condition tested at each step):
 *   MON_RULE_THRESHOLD  value op level
 *   MON_RULE_RATE       change op level, where change is the value now minus the value of the
 *                       newest recorded sample at least window_ticks old (relative: divided by
 *                       |past|; from a past of 0 any rise is +inf, any fall -inf, no change 0).
 *                       A sample is recorded when the last recorded one is at least
 *                       ceil(window_ticks / resolution) ticks old, so at most resolution + 2
 *                       samples are held (MON_RULE_MAX_SAMPLES bounds resolution + 2).
 * op is >, >=, <, <= compared exactly (IEEE double comparisons, no tolerance): bit-identical on
 * every target. level is `threshold` while the rule is inactive and `clear_threshold` (when
 * has_clear) while it is pending or firing (hysteresis: for > / >= the clear level is <= the
 * threshold, for < / <= it is >=).
 *
 * Phases and transitions (Prometheus semantics):
 *   condition true,  INACTIVE -> PENDING (FIRING at once when for_ticks == 0), active_since = tick
 *   condition true,  PENDING  -> FIRING once tick - active_since >= for_ticks
 *   condition true,  FIRING   stays FIRING and cancels a running keep-firing-for timer
 *   condition false, PENDING  -> INACTIVE (transition CANCELLED)
 *   condition false, FIRING   -> INACTIVE (RESOLVED) at once when keep_firing_for_ticks == 0,
 *                    else keep_since = the first false tick and RESOLVED at the first false
 *                    step with tick - keep_since >= keep_firing_for_ticks.
 *
 * Defined behaviour of bad input (never UB):
 *   - NaN value (also the way to pass a missing sample), and for MON_RULE_RATE an infinite
 *     value: "no data". A rate with no sample window_ticks old yet is also "no data" (its
 *     value is still recorded). With no_data == MON_RULE_NODATA_FALSE no data counts as a
 *     false condition (a pending rule is cancelled, a firing one resolves or keeps firing);
 *     with MON_RULE_NODATA_KEEP phase and timers are unchanged. No NaN is ever stored.
 *   - A tick before the previous step's tick (the clock stepped back): MON_E_VALUE, nothing
 *     changed, *out not written. The same tick again is allowed (time stands still).
 *   - A forward jump of any size is time passing: a pending rule whose condition still holds
 *     fires, a keep-firing-for timer that ran out resolves. Tick differences are unsigned
 *     64-bit subtractions of a later minus an earlier tick: never negative, never overflow.
 * Thread model: single-threaded per state object (distinct states are independent).
 * Loops: mon_rule_step runs at most MON_RULE_MAX_SAMPLES iterations (dropping old samples);
 * mon_rule_step_many runs at most MON_RULE_MAX_BATCH steps (n is checked first).
 */
#ifndef MON_RULES_H
#define MON_RULES_H

#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN (this block is read verbatim by the cffi build: plain C declarations only) */
/* Most samples a rate-of-change rule keeps (resolution + 2 <= this): 64 * 16 bytes of state. */
#define MON_RULE_MAX_SAMPLES 64
/* Most rules one mon_rule_step_many call steps (n <= this). */
#define MON_RULE_MAX_BATCH 65536

typedef enum mon_rule_kind {
    MON_RULE_THRESHOLD = 1,
    MON_RULE_RATE = 2
} mon_rule_kind;

typedef enum mon_rule_op {
    MON_RULE_GT = 1,
    MON_RULE_GE = 2,
    MON_RULE_LT = 3,
    MON_RULE_LE = 4
} mon_rule_op;

typedef enum mon_rule_nodata {
    MON_RULE_NODATA_FALSE = 0,
    MON_RULE_NODATA_KEEP = 1
} mon_rule_nodata;

typedef enum mon_rule_phase {
    MON_RULE_INACTIVE = 0,
    MON_RULE_PENDING = 1,
    MON_RULE_FIRING = 2
} mon_rule_phase;

typedef enum mon_rule_transition {
    MON_RULE_NONE = 0,
    MON_RULE_TO_PENDING = 1, /* INACTIVE -> PENDING */
    MON_RULE_TO_FIRING = 2,  /* INACTIVE or PENDING -> FIRING */
    MON_RULE_RESOLVED = 3,   /* FIRING -> INACTIVE */
    MON_RULE_CANCELLED = 4   /* PENDING -> INACTIVE */
} mon_rule_transition;

typedef enum mon_rule_cond {
    MON_RULE_COND_FALSE = 0,
    MON_RULE_COND_TRUE = 1,
    MON_RULE_COND_NO_DATA = 2
} mon_rule_cond;

/* Which field mon_rule_config_check found wrong (MON_RULE_FIELD_NONE when the config is valid). */
typedef enum mon_rule_field {
    MON_RULE_FIELD_NONE = 0,
    MON_RULE_FIELD_KIND = 1,       /* not a mon_rule_kind */
    MON_RULE_FIELD_OP = 2,         /* not a mon_rule_op */
    MON_RULE_FIELD_THRESHOLD = 3,  /* NaN */
    MON_RULE_FIELD_CLEAR = 4,      /* has_clear not 0/1, clear NaN, or on the wrong side */
    MON_RULE_FIELD_NO_DATA = 5,    /* not a mon_rule_nodata */
    MON_RULE_FIELD_WINDOW = 6,     /* rate: window_ticks == 0 (threshold: must be 0) */
    MON_RULE_FIELD_RESOLUTION = 7, /* rate: 0 or resolution + 2 > MON_RULE_MAX_SAMPLES */
    MON_RULE_FIELD_RELATIVE = 8    /* not 0/1 (threshold: must be 0) */
} mon_rule_field;

typedef struct mon_rule_config {
    uint32_t kind;                  /* mon_rule_kind */
    uint32_t op;                    /* mon_rule_op */
    double threshold;               /* trigger level (not NaN; +-inf allowed) */
    double clear_threshold;         /* hysteresis clear level, used when has_clear == 1 */
    uint32_t has_clear;             /* 0 or 1 */
    uint32_t no_data;               /* mon_rule_nodata */
    uint64_t for_ticks;             /* pending time before firing (0: fire at once) */
    uint64_t keep_firing_for_ticks; /* firing time kept after the condition cleared */
    uint64_t window_ticks;          /* MON_RULE_RATE: the change's window (> 0); else 0 */
    uint32_t resolution; /* MON_RULE_RATE: samples per window, 1..MAX_SAMPLES-2; else 0 */
    uint32_t relative;   /* MON_RULE_RATE: 1 relative change, 0 absolute; else 0 */
} mon_rule_config;

typedef struct mon_rule_sample {
    uint64_t tick;
    double value;
} mon_rule_sample;

/* The state of one rule. Plain data: a host may save and restore it field by field (the Python
 * engine does); mon_rule_step checks the fields it indexes with (magic, phase, n_samples). */
typedef struct mon_rule_state {
    uint32_t magic;        /* MON_RULE_MAGIC once initialised */
    uint32_t phase;        /* mon_rule_phase */
    uint32_t has_last;     /* 1 after the first step */
    uint32_t keep_running; /* 1 while a firing rule's keep-firing-for timer runs */
    uint64_t last_tick;    /* tick of the last step (when has_last) */
    uint64_t active_since; /* tick the rule became pending/firing (phase != INACTIVE) */
    uint64_t fired_at;     /* tick the rule fired (phase == FIRING) */
    uint64_t keep_since;   /* first false tick of the keep-firing-for timer (keep_running) */
    uint64_t steps;        /* mon_rule_step calls that succeeded */
    uint64_t no_data;      /* of those, steps whose condition was no data */
    uint32_t n_samples;    /* MON_RULE_RATE: samples held, 0..MON_RULE_MAX_SAMPLES */
    uint32_t head; /* MON_RULE_RATE: index of the oldest sample, 0..MON_RULE_MAX_SAMPLES-1 */
    mon_rule_sample samples[MON_RULE_MAX_SAMPLES]; /* a ring: the i-th oldest is
                                                      samples[(head + i) % MON_RULE_MAX_SAMPLES] */
} mon_rule_state;

/* The report of one step. */
typedef struct mon_rule_event {
    uint32_t phase;      /* mon_rule_phase after the step */
    uint32_t transition; /* mon_rule_transition of this step */
    uint32_t condition;  /* mon_rule_cond of this step */
    uint32_t has_value;  /* 1 when value holds the compared quantity of this step */
    double value;        /* the signal value (threshold) or the change (rate) */
    double level;        /* the level it was compared with (threshold or clear threshold) */
} mon_rule_event;

/* MON_OK, or MON_E_NULL (cfg NULL), MON_E_ALIGN, MON_E_CONFIG with *field (when field is not
 * NULL) naming the first wrong field (MON_RULE_FIELD_NONE on MON_OK). */
mon_status mon_rule_config_check(const mon_rule_config *cfg, uint32_t *field);

/* Validate cfg (MON_E_CONFIG as mon_rule_config_check) and reset st to INACTIVE with no
 * history. MON_E_NULL, MON_E_ALIGN (cfg or st not aligned for uint64_t on the target: the state has
 * no atomics, so a plain struct on the stack is fine); st is untouched on failure. */
mon_status mon_rule_init(const mon_rule_config *cfg, mon_rule_state *st);

/* One evaluation at tick with value (NaN: no data / missing sample). Writes *out on MON_OK.
 * MON_E_NULL, MON_E_ALIGN, MON_E_CONFIG (cfg invalid), MON_E_STATE (st not initialised or its
 * phase / n_samples / head corrupted), MON_E_VALUE (tick earlier than the last step's tick). On any
 * failure st and *out are unchanged. */
mon_status mon_rule_step(const mon_rule_config *cfg, mon_rule_state *st, uint64_t tick,
                         double value, mon_rule_event *out);

/* n rules stepped at one tick in one call: rule i is (cfgs[i], states[i]) fed values[i], its
 * report in events[i]; each rule's result (status, state, event) is exactly that of
 * mon_rule_step(&cfgs[i], &states[i], tick, values[i], &events[i]), in index order.
 * Stops at the first rule whose step fails and returns that status: rules 0..i-1 are stepped,
 * rule i and every rule after it (states and events) unchanged. *done (when done is not NULL)
 * is the number of rules stepped: n on MON_OK, the failing rule's index on a rule's failure,
 * 0 on an argument error. Argument errors (checked before any rule, nothing changed):
 * MON_E_NULL (cfgs, states, values or events NULL while n > 0), MON_E_ALIGN (values not
 * aligned for double), MON_E_SIZE (n > MON_RULE_MAX_BATCH). n == 0 is MON_OK with nothing
 * stepped. A rule's failure is any status of mon_rule_step (MON_E_ALIGN, MON_E_CONFIG,
 * MON_E_STATE, MON_E_VALUE). */
mon_status mon_rule_step_many(const mon_rule_config *cfgs, mon_rule_state *states, size_t n,
                              uint64_t tick, const double *values, mon_rule_event *events,
                              size_t *done);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_RULES_H */
