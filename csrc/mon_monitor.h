/*
 * mon_monitor.h - the whole runtime monitor of one inference engine, in caller memory: input,
 * output, confidence and activation envelopes, engine fault flags, drift windows against a
 * reference, rules over the monitor's own signals (mon_rules.h), a health state machine moved
 * by fault budgets and rules, reactions executed per violation kind, and an audit trail in a
 * mon_ledger (mon_ledger.h) when one is attached. docs/safety.md has the state machine, the
 * policy schema and the reactions in full.
 *
 * Use: fill a mon_monitor_config (by hand, or from a compiled policy blob with
 * mon_policy_decode below), ask mon_monitor_size(cfg), give that much 8-byte aligned memory
 * to mon_monitor_init (which copies everything it needs: cfg and its arrays need not outlive
 * init), then call mon_monitor_step once per inference with the tick. The verdict says the
 * health state, the violations and the reactions executed, and hands back the values to use
 * (the clamped copy when the clamp reaction replaced any).
 *
 * Health state machine (mon_health):
 *   INIT     -> HEALTHY   the first step after init or a reset
 *   HEALTHY  -> DEGRADED  a violation kind's count in the budget window exceeds its degrade
 *                         budget, a DEGRADE reaction, a drifting feature whose reaction is
 *                         DEGRADE, or a rule whose action is DEGRADE fires
 *   DEGRADED -> HEALTHY   `recover_windows` consecutive closed budget windows with no
 *                         degrade budget exceeded and no DEGRADE reaction (0: never by itself)
 *   HEALTHY/DEGRADED -> FAULTED  a kind's count exceeds its fault budget, or a FAULT action
 *   FAULTED  -> STOPPED   `stop_after_windows` consecutive closed budget windows spent in
 *                         FAULTED (0: never by itself)
 *   any      -> STOPPED   a STOP reaction (violation kind or rule)
 *   STOPPED  latches: steps do nothing but report STOPPED until mon_monitor_reset, which is
 *            allowed only from the states in `reset_from` (a refused reset is logged too).
 *
 * Reactions (mon_reaction), per violation kind, executed in the step that sees the violation:
 *   NONE    counted in the budget window only
 *   LOG     + a VIOLATION entry in the ledger
 *   WARN    + the kind's bit in verdict.warnings
 *   CLAMP   + input values outside their range replaced by the nearest bound, NaN inputs by the
 *           feature's nan_fill, outputs (and the confidence) by the nearest bound or the output
 *           range's lower bound for NaN; the copies are in verdict.inputs / verdict.outputs.
 *           For kinds without values (latency, activation, fault, drift, rule) CLAMP is WARN.
 *   DEGRADE + HEALTHY -> DEGRADED
 *   STOP    + any state -> STOPPED
 * Every executed reaction above LOG appends a REACTION entry; every state change a STATE entry.
 *
 * Budget window: closes when `budget_steps` steps (if > 0) or `budget_ticks` ticks since its
 * first step (if > 0) have passed; at least one of them is > 0. Drift window: a ring of
 * `drift_slots` slots of `drift_slot_width` steps (MON_DRIFT_BY_COUNT) or ticks
 * (MON_DRIFT_BY_TICK), the slot model of mon_window.h; when a slot is complete, the complete
 * slots (at most drift_slots) are summed per feature and scored against the feature's
 * reference counts with mon_drift_scores; a feature whose score (metric chosen by
 * drift_metric, in 2^-32 units) exceeds drift_threshold is a DRIFT violation.
 *
 * Time: ticks are the caller's (e.g. ns). A tick lower than the last one is taken as the last
 * one (time does not run backwards inside the monitor; verdict.clock_back says so).
 *
 * Bounds: every loop runs at most MON_MONITOR_MAX_FEATURES (times MON_MONITOR_MAX_BINS and
 * MON_MONITOR_MAX_DRIFT_SLOTS when a drift slot closes), MON_MONITOR_MAX_OUTPUTS,
 * MON_MONITOR_MAX_LAYERS, MON_MONITOR_MAX_RULES (times MON_RULE_MAX_SAMPLES in mon_rule_step)
 * or MON_VIOL_COUNT times. No recursion, no function pointer of its own (the ledger's write
 * callback is the ledger's), no allocation. Envelopes compare doubles by their bits as
 * order-preserving integers; the rules compare doubles exactly (mon_rules.h).
 *
 * Threads: a monitor is single-threaded: the caller serialises every call on one object
 * (distinct monitors are independent). The attached ledger is used from within those calls.
 */
#ifndef MON_MONITOR_H
#define MON_MONITOR_H

#include "mon_config.h"
#include "mon_ledger.h"
#include "mon_rules.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
#define MON_MONITOR_MAX_FEATURES 256
#define MON_MONITOR_MAX_OUTPUTS 256
#define MON_MONITOR_MAX_LAYERS 64
#define MON_MONITOR_MAX_BINS 1024
#define MON_MONITOR_MAX_DRIFT_SLOTS 64
#define MON_MONITOR_MAX_RULES 16
#define MON_MONITOR_NO_INDEX 4294967295

typedef enum mon_health {
    MON_HEALTH_INIT = 0,
    MON_HEALTH_HEALTHY = 1,
    MON_HEALTH_DEGRADED = 2,
    MON_HEALTH_FAULTED = 3,
    MON_HEALTH_STOPPED = 4,
    MON_HEALTH_COUNT = 5
} mon_health;

typedef enum mon_reaction {
    MON_REACT_NONE = 0,
    MON_REACT_LOG = 1,
    MON_REACT_WARN = 2,
    MON_REACT_CLAMP = 3,
    MON_REACT_DEGRADE = 4,
    MON_REACT_STOP = 5,
    MON_REACT_COUNT = 6
} mon_reaction;

typedef enum mon_violation {
    MON_VIOL_INPUT_RANGE = 0, /* an input outside its feature's [lo, hi] */
    MON_VIOL_INPUT_NAN = 1,   /* a NaN input of a feature whose nan_policy is REJECT */
    MON_VIOL_OUTPUT = 2,      /* an output outside its [lo, hi], or NaN */
    MON_VIOL_CONFIDENCE = 3,  /* the confidence output outside [conf_lo, conf_hi], or NaN */
    MON_VIOL_ACTIVATION = 4,  /* a layer's activation statistics break its contract */
    MON_VIOL_LATENCY = 5,     /* latency_ns above max_latency_ns */
    MON_VIOL_FAULT = 6,       /* fault_flags != 0 */
    MON_VIOL_DRIFT = 7,       /* a feature's drift score above drift_threshold */
    MON_VIOL_RULE = 8,        /* a rule fired (its own action is applied too) */
    MON_VIOL_COUNT = 9
} mon_violation;

typedef enum mon_nan_policy {
    MON_NAN_REJECT = 0, /* NaN is an INPUT_NAN violation */
    MON_NAN_ALLOW = 1   /* NaN is passed through (and counted in the drift window's nan) */
} mon_nan_policy;

typedef enum mon_drift_mode {
    MON_DRIFT_OFF = 0,
    MON_DRIFT_BY_COUNT = 1,
    MON_DRIFT_BY_TICK = 2
} mon_drift_mode;

typedef enum mon_drift_metric {
    MON_METRIC_PSI = 0,         /* PSI (Laplace smoothing), nats */
    MON_METRIC_JS_DISTANCE = 1, /* sqrt(JS divergence), bits */
    MON_METRIC_TV = 2           /* total variation */
} mon_drift_metric;

/* One input feature: its envelope and, when drift is on, its bin edges and reference counts
 * (nedges = nbins + 1 edges, strictly increasing; nbins reference counts, total >= 1). */
typedef struct mon_monitor_feature {
    double lo; /* envelope [lo, hi], lo <= hi, neither NaN (infinities allowed) */
    double hi;
    double nan_fill;     /* value the CLAMP reaction puts in place of a NaN (not NaN itself) */
    uint32_t nan_policy; /* mon_nan_policy */
    uint32_t nedges;     /* 0 when drift is off, else 2 .. MON_MONITOR_MAX_BINS + 1 */
    const double *edges;
    const uint64_t *reference;
} mon_monitor_feature;

typedef struct mon_monitor_range {
    double lo;
    double hi;
} mon_monitor_range;

/* Activation statistics of one layer for one inference (host-computed). */
typedef struct mon_activation_stats {
    uint64_t count;        /* activations looked at */
    uint64_t out_of_range; /* of which outside the layer's calibrated range */
    uint64_t saturated;    /* of which saturated (e.g. at the int8 bounds) */
    double max_value;      /* largest activation (NaN: a violation) */
} mon_activation_stats;

/* The contract of one layer: a violation when out_of_range / count > max_rate_ppm / 10^6,
 * when max_value > max_overrange, or when saturated > max_saturated. */
typedef struct mon_monitor_layer {
    double max_overrange;
    uint64_t max_saturated;
    uint32_t max_rate_ppm; /* 0 .. 1000000 */
    uint32_t reserved;     /* 0 */
} mon_monitor_layer;

/* Signals of the monitor itself that rules watch (the value handed to mon_rule_step). */
typedef enum mon_monitor_signal {
    /* 0 .. MON_VIOL_COUNT - 1: violations of that kind in the current budget window */
    MON_SIG_LATENCY_NS = 9,       /* this step's latency_ns */
    MON_SIG_DRIFT_SCORE = 10,     /* the highest drift score of the last scoring (a real number) */
    MON_SIG_STEP_VIOLATIONS = 11, /* violations of every kind in this step */
    MON_SIG_COUNT = 12
} mon_monitor_signal;

/* A rule over a signal (mon_rules.h: threshold with for / clear / keep-firing-for, or rate of
 * change), evaluated at every step at the step's tick. When it fires it is a RULE violation
 * (the RULE kind's reaction applies) and the state escalates to `action` (a mon_health:
 * HEALTHY means none, else DEGRADED, FAULTED or STOPPED); while a DEGRADED rule fires, budget
 * windows are not clean. Every transition of a rule is a RULE entry in the ledger. */
typedef struct mon_monitor_rule {
    mon_rule_config rule;
    uint32_t signal; /* mon_monitor_signal (or a violation kind) */
    uint32_t action; /* mon_health */
} mon_monitor_rule;

typedef struct mon_monitor_config {
    uint32_t n_features;                     /* 1 .. MON_MONITOR_MAX_FEATURES */
    uint32_t n_outputs;                      /* 0 .. MON_MONITOR_MAX_OUTPUTS */
    uint32_t n_layers;                       /* 0 .. MON_MONITOR_MAX_LAYERS */
    uint32_t confidence_index;               /* an output index, or MON_MONITOR_NO_INDEX */
    const mon_monitor_feature *features;     /* n_features entries */
    const mon_monitor_range *outputs;        /* n_outputs entries (NULL when 0) */
    const mon_monitor_layer *layers;         /* n_layers entries (NULL when 0) */
    mon_monitor_range confidence;            /* used when confidence_index is set */
    uint64_t max_latency_ns;                 /* 0: no latency envelope */
    uint8_t reaction[MON_VIOL_COUNT];        /* mon_reaction per violation kind */
    uint8_t reserved0[3];                    /* 0 */
    uint32_t degrade_budget[MON_VIOL_COUNT]; /* violations of a kind allowed per window before
                                                DEGRADED (UINT32_MAX: unlimited) */
    uint32_t fault_budget[MON_VIOL_COUNT];   /* ... before FAULTED (>= degrade_budget) */
    uint64_t budget_steps;                   /* budget window length in steps (0: by ticks only) */
    uint64_t budget_ticks;                   /* budget window length in ticks (0: by steps only) */
    uint32_t recover_windows;                /* clean windows DEGRADED -> HEALTHY (0: never) */
    uint32_t stop_after_windows;             /* windows in FAULTED -> STOPPED (0: never) */
    uint32_t reset_from;           /* bit s: mon_monitor_reset allowed from mon_health s */
    uint32_t drift_mode;           /* mon_drift_mode */
    uint32_t drift_metric;         /* mon_drift_metric */
    uint32_t drift_slots;          /* 1 .. MON_MONITOR_MAX_DRIFT_SLOTS */
    uint64_t drift_slot_width;     /* steps or ticks per slot, >= 1 */
    uint64_t drift_threshold;      /* score above which a feature drifts, 2^-32 units */
    uint64_t drift_min_count;      /* values a feature's window needs before it is scored (>= 1) */
    uint32_t n_rules;              /* 0 .. MON_MONITOR_MAX_RULES */
    uint32_t reserved1;            /* 0 */
    const mon_monitor_rule *rules; /* n_rules entries (NULL when 0) */
} mon_monitor_config;

/* What one step found and did. Pointers stay valid until the next call on the monitor. */
typedef struct mon_monitor_verdict {
    uint64_t step;            /* steps since init or the last reset, this one included */
    uint32_t state;           /* mon_health after the step */
    uint32_t prev_state;      /* mon_health before the step */
    uint32_t violations;      /* bit k: violation kind k was seen in this step */
    uint32_t warnings;        /* bit k: kind k's reaction was WARN or above */
    uint32_t reactions;       /* bit r: reaction r was executed in this step */
    uint32_t inputs_clamped;  /* input values replaced in *inputs */
    uint32_t outputs_clamped; /* output values replaced in *outputs */
    uint32_t window_faults;   /* OR of the fault flags in the current budget window */
    const double *inputs;  /* values to use: the monitor's clamped copy, or the caller's inputs */
    const double *outputs; /* likewise for the outputs (NULL when n_outputs is 0) */
    uint32_t counts[MON_VIOL_COUNT];        /* violations of each kind in this step */
    uint32_t window_counts[MON_VIOL_COUNT]; /* ... in the current budget window */
    uint32_t rules_firing;                  /* bit i: rule i is firing after this step */
    uint32_t drift_scored;                  /* 1 when a drift window was scored in this step */
    uint32_t drift_feature;                 /* feature with the highest score of the last scoring */
    uint32_t clock_back;                    /* 1 when the tick was below the last one */
    uint64_t drift_score;    /* that highest score, 2^-32 units (0 before any scoring) */
    uint32_t ledger_status;  /* first failing mon_status of this step's ledger appends, or 0 */
    uint32_t ledger_entries; /* entries this step appended to the ledger */
} mon_monitor_verdict;

typedef struct mon_monitor mon_monitor;

/* Check a configuration: MON_OK, MON_E_NULL (cfg, or an array its counts need), MON_E_ALIGN,
 * MON_E_CONFIG (a count, mode, metric, reaction, budget, window, rule signal / action value
 * out of range, a rule mon_rule_config_check refuses, a reserved field not 0), MON_E_VALUE (a range with lo > hi or NaN, a NaN nan_fill or
 * max_overrange, max_rate_ppm > 10^6), MON_E_EDGES (drift edges not strictly increasing),
 * MON_E_EMPTY (a reference with total 0), MON_E_OVERFLOW (a reference total > 2^53). Pure. */
mon_status mon_monitor_check_config(const mon_monitor_config *cfg);

/* Bytes of caller memory for a monitor of this configuration; 0 when the configuration is not
 * valid (mon_monitor_check_config says why). */
size_t mon_monitor_size(const mon_monitor_config *cfg);

/* Build a monitor in mem (size bytes, 8-byte aligned, >= mon_monitor_size(cfg)); state INIT,
 * no ledger. Statuses as mon_monitor_check_config, plus MON_E_NULL (mem or out), MON_E_ALIGN
 * (mem or out), MON_E_SIZE (size too small). */
mon_status mon_monitor_init(void *mem, size_t size, const mon_monitor_config *cfg,
                            mon_monitor **out);

/* One inference. inputs: n_inputs == n_features values (any alignment); outputs: n_outputs
 * values (NULL allowed when 0); activations: n_layers entries or NULL (no activation
 * envelope this step); fault_flags: the engine's fault bits (0: none). *verdict is written on
 * MON_OK. Returns MON_E_NULL, MON_E_ALIGN (m, activations or verdict), MON_E_STATE (m not a
 * valid monitor), MON_E_LENGTH (n_inputs or n_outputs differ from the configuration): then
 * nothing is counted. A failing ledger append does not fail the step (verdict.ledger_status). */
mon_status mon_monitor_step(mon_monitor *m, uint64_t tick, const double *inputs, size_t n_inputs,
                            const double *outputs, size_t n_outputs, uint64_t latency_ns,
                            const mon_activation_stats *activations, uint32_t fault_flags,
                            mon_monitor_verdict *verdict);

/* Explicit reset to INIT (windows, budgets and rule states emptied), allowed when bit `state`
 * of reset_from is set; logged (a RESET entry, payload: from state, allowed, reason) either
 * way. Returns MON_OK, MON_E_NULL, MON_E_ALIGN, MON_E_STATE (not a valid monitor, or the reset
 * is not allowed from the current state: nothing changes but the log). */
mon_status mon_monitor_reset(mon_monitor *m, uint64_t tick, uint32_t reason);

/* Attach a ledger (NULL detaches): from now on every state change, violation (reaction LOG
 * and above), reaction (CLAMP and above) and reset is appended to it (payloads:
 * docs/safety.md). The ledger stays the caller's; it must outlive its attachment. Returns
 * MON_OK, MON_E_NULL, MON_E_ALIGN, MON_E_STATE (m, or ledger, not valid). */
mon_status mon_monitor_attach_ledger(mon_monitor *m, mon_ledger *ledger);

/* Current health state (a mon_health), MON_HEALTH_COUNT when m is not a valid monitor. */
uint32_t mon_monitor_state(const mon_monitor *m);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_MONITOR_H */
