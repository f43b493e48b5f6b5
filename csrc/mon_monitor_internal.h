/*
 * mon_monitor_internal.h - the monitor object's layout and the helpers shared by its two
 * files: mon_monitor_config.c (the configuration check, the memory plan, init) and
 * mon_monitor.c (the step, reset, ledger attachment). Internal; not part of the API.
 */
#ifndef MON_MONITOR_INTERNAL_H
#define MON_MONITOR_INTERNAL_H

#include <string.h>

#include "mon_bin.h"
#include "mon_bits_internal.h"
#include "mon_ledger.h"
#include "mon_monitor.h"
#include "mon_rules.h"
#include "mon_window_internal.h"

#define MONITOR_MAGIC 0x4d4f4e4du /* "MONM" */
#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)
#define NO_LIMIT 0xffffffffu
/* Inputs are binned in batches of STAGE_ROWS steps (one mon_bin_count_matrix call), not one
 * value at a time: a batch costs about what one value does (the binner's per-call setup). */
#define STAGE_ROWS 16u

typedef struct feat_rt {
    uint64_t lo_key;
    uint64_t hi_key;
    double lo;
    double hi;
    double nan_fill;
    const mon_binner *binner; /* NULL when drift is off */
    uint64_t offset;          /* first bin in the reference / slot counts */
    uint32_t nbins;
    uint32_t nan_policy;
} feat_rt;

struct mon_monitor {
    uint32_t magic;
    uint32_t state;
    const mon_monitor *self; /* catches a copied or corrupted object */
    uint64_t size;
    mon_monitor_config cfg; /* the caller's pointers are replaced by the copies below */
    feat_rt *feats;
    mon_monitor_range *outs;
    mon_monitor_layer *layers;
    mon_monitor_rule *rules;
    mon_rule_state *rstates;
    uint64_t *ref;   /* total_bins reference counts */
    uint64_t *slots; /* (drift_slots + 1) x total_bins window counts */
    uint64_t *sum;   /* max_bins scratch: one feature's window */
    mon_window_slot *wslots;
    double *clamp_in;
    double *clamp_out;
    double *stage;              /* STAGE_ROWS x n_features inputs not yet binned */
    const mon_binner **binners; /* n_features */
    mon_bin_extra *extra;       /* n_features (discarded: the envelopes judge ranges) */
    mon_ledger *ledger;
    mon_window_config wcfg;
    uint64_t total_bins;
    uint64_t step;
    uint64_t last_tick;
    uint64_t win_start;
    uint64_t win_steps;
    uint64_t last_epoch;
    uint64_t drift_score;
    uint32_t drift_feature;
    uint32_t drifting; /* features over the threshold at the last scoring */
    uint32_t have_tick;
    uint32_t have_epoch;
    uint32_t win_dirty;
    uint32_t win_faults;
    uint32_t clean_windows;
    uint32_t faulted_windows;
    uint32_t max_bins;
    uint32_t rules_firing;  /* bit i: rule i firing */
    uint32_t rules_holding; /* bit i: rule i firing with an action of DEGRADED or more */
    uint32_t stage_n;       /* rows in stage */
    uint32_t stage_slot;    /* the slot they are counted into */
    uint32_t win_counts[MON_VIOL_COUNT];
};

/* Order-preserving integer key of a non-NaN double (-0.0 and +0.0 share a key). */
static inline uint64_t dkey(double d)
{
    uint64_t b = double_to_bits(d);
    if ((b & BITS_MAG) == 0u) b = 0u;
    return ((b & BITS_SIGN) != 0u) ? ~b : (b | BITS_SIGN);
}

static inline int is_nan_bits(uint64_t b) { return (b & BITS_MAG) > BITS_INF; }
static inline int is_nan(double d) { return is_nan_bits(double_to_bits(d)); }

static inline double load_f64(const double *p, size_t i)
{
    double d;
    (void)memcpy(&d, (const unsigned char *)p + i * sizeof(double), sizeof d);
    return d;
}

/* Empty the drift windows, budgets and rule states and restart the step count (init, reset). */
void mon_monitor_clear_windows(mon_monitor *m);

#endif /* MON_MONITOR_INTERNAL_H */
