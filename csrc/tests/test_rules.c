/* Unit tests of mon_rules: every kind, every phase change, the clock rules (step back, jump,
 * same tick), NaN / missing / infinite values, configuration checks by field. */
#include <float.h>
#include <math.h> /* NAN, INFINITY only (no libm call) */
#include <stdint.h>
#include <string.h>
#include "monitor.h"
#include "mon_test.h"

static mon_rule_config thr(uint32_t op, double level)
{
    mon_rule_config c;
    memset(&c, 0, sizeof c);
    c.kind = MON_RULE_THRESHOLD;
    c.op = op;
    c.threshold = level;
    return c;
}

static mon_rule_config rate(uint32_t op, double level, uint64_t window, uint32_t res, uint32_t rel)
{
    mon_rule_config c = thr(op, level);
    c.kind = MON_RULE_RATE;
    c.window_ticks = window;
    c.resolution = res;
    c.relative = rel;
    return c;
}

static mon_rule_event ev;

/* One step that must succeed; returns the transition. */
static uint32_t step(const mon_rule_config *c, mon_rule_state *s, uint64_t t, double v)
{
    CHECK(mon_rule_step(c, s, t, v, &ev) == MON_OK);
    return ev.transition;
}

/* REQ: MON-REQ-RULES-001 */
static void test_config_fields(void)
{
    mon_rule_config c = thr(MON_RULE_GT, 1.0);
    uint32_t f = 0;
    CHECK(mon_rule_config_check(&c, &f) == MON_OK && f == MON_RULE_FIELD_NONE);
    CHECK(mon_rule_config_check(&c, NULL) == MON_OK);
    c.kind = 0;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_KIND);
    c = thr(0, 1.0);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_OP);
    c = thr(MON_RULE_LE + 1u, 1.0);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_OP);
    c = thr(MON_RULE_GT, NAN);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_THRESHOLD);
    c = thr(MON_RULE_GT, INFINITY);
    CHECK(mon_rule_config_check(&c, &f) == MON_OK);
    c = thr(MON_RULE_GT, 1.0);
    c.has_clear = 2;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_CLEAR);
    c.has_clear = 1;
    c.clear_threshold = 2.0; /* above the trigger of a '>' rule: wrong side */
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_CLEAR);
    c.clear_threshold = NAN;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_CLEAR);
    c.clear_threshold = 1.0; /* equal is allowed */
    CHECK(mon_rule_config_check(&c, &f) == MON_OK);
    c = thr(MON_RULE_LE, 1.0);
    c.has_clear = 1;
    c.clear_threshold = 0.5;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_CLEAR);
    c = thr(MON_RULE_GT, 1.0);
    c.no_data = 2;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_NO_DATA);
    c = thr(MON_RULE_GT, 1.0);
    c.window_ticks = 1;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_WINDOW);
    c = thr(MON_RULE_GT, 1.0);
    c.resolution = 1;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_RESOLUTION);
    c = thr(MON_RULE_GT, 1.0);
    c.relative = 1;
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_RELATIVE);
    c = rate(MON_RULE_GT, 1.0, 0, 1, 0);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_WINDOW);
    c = rate(MON_RULE_GT, 1.0, 10, 0, 0);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_RESOLUTION);
    c = rate(MON_RULE_GT, 1.0, 10, MON_RULE_MAX_SAMPLES - 1, 0);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_RESOLUTION);
    c = rate(MON_RULE_GT, 1.0, 10, MON_RULE_MAX_SAMPLES - 2, 0);
    CHECK(mon_rule_config_check(&c, &f) == MON_OK);
    c = rate(MON_RULE_GT, 1.0, 10, 2, 2);
    CHECK(mon_rule_config_check(&c, &f) == MON_E_CONFIG && f == MON_RULE_FIELD_RELATIVE);
}

/* REQ: MON-REQ-RULES-001 */
static void test_threshold_for(void)
{
    mon_rule_config c = thr(MON_RULE_GT, 10.0);
    mon_rule_state s;
    c.for_ticks = 3;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 5.0) == MON_RULE_NONE && ev.phase == MON_RULE_INACTIVE);
    CHECK(ev.condition == MON_RULE_COND_FALSE && ev.has_value == 1 && ev.value == 5.0 &&
          ev.level == 10.0);
    CHECK(step(&c, &s, 1, 10.0) == MON_RULE_NONE); /* > is strict */
    CHECK(step(&c, &s, 2, 11.0) == MON_RULE_TO_PENDING && ev.phase == MON_RULE_PENDING);
    CHECK(s.active_since == 2);
    CHECK(step(&c, &s, 4, 11.0) == MON_RULE_NONE && ev.phase == MON_RULE_PENDING);
    CHECK(step(&c, &s, 5, 11.0) == MON_RULE_TO_FIRING && ev.phase == MON_RULE_FIRING &&
          s.fired_at == 5);
    CHECK(step(&c, &s, 6, 11.0) == MON_RULE_NONE && ev.phase == MON_RULE_FIRING);
    CHECK(step(&c, &s, 7, 9.0) == MON_RULE_RESOLVED && ev.phase == MON_RULE_INACTIVE);
    CHECK(s.active_since == 0 && s.fired_at == 0);
    CHECK(step(&c, &s, 8, 11.0) == MON_RULE_TO_PENDING);
    CHECK(step(&c, &s, 9, 9.0) == MON_RULE_CANCELLED && ev.phase == MON_RULE_INACTIVE);
    CHECK(s.steps == 9 && s.no_data == 0);
    /* for_ticks = 0: fires at once */
    c.for_ticks = 0;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 11.0) == MON_RULE_TO_FIRING && s.active_since == 0 && s.fired_at == 0);
    /* for_ticks = UINT64_MAX never fires, even across the whole tick range */
    c.for_ticks = UINT64_MAX;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 1, 11.0) == MON_RULE_TO_PENDING);
    CHECK(step(&c, &s, UINT64_MAX, 11.0) == MON_RULE_NONE && ev.phase == MON_RULE_PENDING);
    c.for_ticks = UINT64_MAX - 1u;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 1, 11.0) == MON_RULE_TO_PENDING);
    CHECK(step(&c, &s, UINT64_MAX, 11.0) == MON_RULE_TO_FIRING);
}

static void test_ops_exact(void)
{
    mon_rule_state s;
    mon_rule_config c = thr(MON_RULE_GE, 0.1);
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 0x1.9999999999999p-4 /* the double below 0.1 */) == MON_RULE_NONE);
    CHECK(step(&c, &s, 1, 0.1) == MON_RULE_TO_FIRING);
    c = thr(MON_RULE_LT, 0.0);
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, -0.0) == MON_RULE_NONE); /* -0 == 0 */
    CHECK(step(&c, &s, 1, -5e-324) == MON_RULE_TO_FIRING);
    c = thr(MON_RULE_LE, -INFINITY);
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, -DBL_MAX) == MON_RULE_NONE);
    CHECK(step(&c, &s, 1, -INFINITY) == MON_RULE_TO_FIRING);
}

/* REQ: MON-REQ-RULES-001 */
static void test_hysteresis_keep(void)
{
    mon_rule_state s;
    mon_rule_config c = thr(MON_RULE_GT, 10.0);
    c.has_clear = 1;
    c.clear_threshold = 8.0;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 9.0) == MON_RULE_NONE && ev.level == 10.0);
    CHECK(step(&c, &s, 1, 11.0) == MON_RULE_TO_FIRING);
    CHECK(step(&c, &s, 2, 9.0) == MON_RULE_NONE && ev.phase == MON_RULE_FIRING && ev.level == 8.0);
    CHECK(step(&c, &s, 3, 8.0) == MON_RULE_RESOLVED); /* 8 > 8 is false */
    CHECK(step(&c, &s, 4, 9.0) == MON_RULE_NONE && ev.level == 10.0);
    /* keep-firing-for */
    c = thr(MON_RULE_GT, 10.0);
    c.keep_firing_for_ticks = 5;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 11.0) == MON_RULE_TO_FIRING);
    CHECK(step(&c, &s, 1, 5.0) == MON_RULE_NONE && s.keep_running == 1 && s.keep_since == 1);
    CHECK(step(&c, &s, 5, 5.0) == MON_RULE_NONE && ev.phase == MON_RULE_FIRING);
    CHECK(step(&c, &s, 6, 11.0) == MON_RULE_NONE &&
          s.keep_running == 0); /* true again: timer cancelled */
    CHECK(step(&c, &s, 7, 5.0) == MON_RULE_NONE && s.keep_since == 7);
    CHECK(step(&c, &s, 11, 5.0) == MON_RULE_NONE);
    CHECK(step(&c, &s, 12, 5.0) == MON_RULE_RESOLVED && s.keep_running == 0);
    /* a jump past the timer resolves at the next false step */
    CHECK(step(&c, &s, 13, 11.0) == MON_RULE_TO_FIRING);
    CHECK(step(&c, &s, 14, 5.0) == MON_RULE_NONE);
    CHECK(step(&c, &s, 1000000, 5.0) == MON_RULE_RESOLVED);
}

/* REQ: MON-REQ-RULES-002 */
static void test_clock_and_nan(void)
{
    mon_rule_state s, copy;
    mon_rule_event before;
    mon_rule_config c = thr(MON_RULE_GT, 10.0);
    c.for_ticks = 2;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 10, 11.0) == MON_RULE_TO_PENDING);
    /* step back: MON_E_VALUE, state and event untouched */
    memcpy(&copy, &s, sizeof s);
    before = ev;
    CHECK(mon_rule_step(&c, &s, 9, 11.0, &ev) == MON_E_VALUE);
    CHECK(memcmp(&copy, &s, sizeof s) == 0 && memcmp(&before, &ev, sizeof ev) == 0);
    /* the same tick again is allowed: time stands still */
    CHECK(step(&c, &s, 10, 11.0) == MON_RULE_NONE && ev.phase == MON_RULE_PENDING);
    /* a forward jump is time passing */
    CHECK(step(&c, &s, UINT64_MAX, 11.0) == MON_RULE_TO_FIRING);
    CHECK(mon_rule_step(&c, &s, UINT64_MAX - 1u, 11.0, &ev) == MON_E_VALUE);
    /* NaN (a missing sample): no data, counts false */
    CHECK(step(&c, &s, UINT64_MAX, NAN) == MON_RULE_RESOLVED);
    CHECK(ev.condition == MON_RULE_COND_NO_DATA && ev.has_value == 0 && s.no_data == 1);
    /* with NODATA_KEEP: phase and timers unchanged */
    c.no_data = MON_RULE_NODATA_KEEP;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 11.0) == MON_RULE_TO_PENDING);
    CHECK(step(&c, &s, 1, NAN) == MON_RULE_NONE && ev.phase == MON_RULE_PENDING &&
          s.active_since == 0);
    CHECK(step(&c, &s, 2, 11.0) == MON_RULE_TO_FIRING);
    CHECK(step(&c, &s, 3, -NAN) == MON_RULE_NONE && ev.phase == MON_RULE_FIRING);
    /* infinities are values for a threshold */
    CHECK(step(&c, &s, 4, -INFINITY) == MON_RULE_RESOLVED);
    CHECK(step(&c, &s, 5, INFINITY) == MON_RULE_TO_PENDING);
    /* corrupted state */
    s.n_samples = 1;
    CHECK(mon_rule_step(&c, &s, 6, 1.0, &ev) == MON_E_STATE);
    s.n_samples = 0;
    s.head = MON_RULE_MAX_SAMPLES;
    CHECK(mon_rule_step(&c, &s, 6, 1.0, &ev) == MON_E_STATE);
    s.head = 0;
    s.magic = 0;
    CHECK(mon_rule_step(&c, &s, 6, 1.0, &ev) == MON_E_STATE);
}

/* REQ: MON-REQ-RULES-001 */
static void test_rate(void)
{
    mon_rule_state s;
    mon_rule_config c = rate(MON_RULE_GE, 5.0, 10, 2, 0); /* a sample every 5 ticks */
    uint32_t i;
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 0.0) == MON_RULE_NONE && ev.condition == MON_RULE_COND_NO_DATA);
    CHECK(s.n_samples == 1);
    CHECK(step(&c, &s, 3, 1.0) == MON_RULE_NONE && s.n_samples == 1); /* < 5 ticks: not recorded */
    CHECK(step(&c, &s, 5, 2.0) == MON_RULE_NONE && s.n_samples == 2);
    CHECK(step(&c, &s, 10, 4.0) == MON_RULE_NONE && ev.condition == MON_RULE_COND_FALSE);
    CHECK(ev.has_value && ev.value == 4.0); /* against the sample at 0 */
    CHECK(step(&c, &s, 15, 8.0) == MON_RULE_TO_FIRING && ev.value == 6.0); /* against 5 */
    CHECK(step(&c, &s, 15, NAN) == MON_RULE_RESOLVED && ev.condition == MON_RULE_COND_NO_DATA);
    CHECK(step(&c, &s, 16, INFINITY) == MON_RULE_NONE && ev.condition == MON_RULE_COND_NO_DATA);
    CHECK(step(&c, &s, 17, -INFINITY) == MON_RULE_NONE && ev.condition == MON_RULE_COND_NO_DATA);
    /* a jump: every old sample but the newest goes; the newest is the past */
    CHECK(step(&c, &s, 1000, 100.0) == MON_RULE_TO_FIRING && ev.value == 92.0 && s.n_samples == 2);
    /* relative */
    c = rate(MON_RULE_GT, 0.5, 2, 1, 1);
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, 0.0) == MON_RULE_NONE);
    CHECK(step(&c, &s, 2, 1.0) == MON_RULE_TO_FIRING && ev.value == INFINITY);
    CHECK(step(&c, &s, 4, 0.0) == MON_RULE_RESOLVED && ev.value == -1.0);
    CHECK(step(&c, &s, 6, -1.0) == MON_RULE_NONE && ev.value == -INFINITY);
    CHECK(step(&c, &s, 8, -1.0) == MON_RULE_NONE && ev.value == 0.0);
    CHECK(step(&c, &s, 10, -0.25) == MON_RULE_TO_FIRING && ev.value == 0.75);
    CHECK(step(&c, &s, 12, 0.0) == MON_RULE_NONE && ev.value == 1.0);
    CHECK(step(&c, &s, 14, 0.0) == MON_RULE_RESOLVED && ev.value == 0.0);
    /* overflowing change is +inf, never NaN */
    c = rate(MON_RULE_GT, 1.0, 1, 1, 0);
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    CHECK(step(&c, &s, 0, -DBL_MAX) == MON_RULE_NONE);
    CHECK(step(&c, &s, 1, DBL_MAX) == MON_RULE_TO_FIRING && ev.value == INFINITY);
    /* the ring never exceeds resolution + 2 samples over a long run */
    c = rate(MON_RULE_GT, 1.0, 62, 62, 0);
    CHECK(mon_rule_init(&c, &s) == MON_OK);
    for (i = 0; i < 1000u; ++i) {
        CHECK(mon_rule_step(&c, &s, i, (double)(i % 7u), &ev) == MON_OK);
        CHECK(s.n_samples <= 64u);
    }
    /* a state whose kind does not match its samples is refused */
    c = thr(MON_RULE_GT, 1.0);
    CHECK(mon_rule_step(&c, &s, 2000, 1.0, &ev) == MON_E_STATE);
}

/* REQ: MON-REQ-RULES-001 */
static void test_step_many(void)
{
    /* mon_rule_step_many equals mon_rule_step rule by rule; a failure stops at its index. */
    static mon_rule_config cfgs[4];
    static mon_rule_state sa[4], sb[4];
    static mon_rule_event ea[4], eb[4];
    double vals[4];
    size_t done = 99u, i;
    uint64_t t;
    cfgs[0] = thr(MON_RULE_GT, 1.0);
    cfgs[1] = thr(MON_RULE_LE, 0.0);
    cfgs[1].for_ticks = 3u;
    cfgs[2] = rate(MON_RULE_GT, 2.0, 4, 2, 0);
    cfgs[3] = thr(MON_RULE_GE, 5.0);
    cfgs[3].keep_firing_for_ticks = 2u;
    cfgs[3].has_clear = 1u;
    cfgs[3].clear_threshold = 3.0;
    for (i = 0; i < 4u; ++i) {
        CHECK(mon_rule_init(&cfgs[i], &sa[i]) == MON_OK);
        CHECK(mon_rule_init(&cfgs[i], &sb[i]) == MON_OK);
    }
    for (t = 0; t < 60u; ++t) {
        for (i = 0; i < 4u; ++i) {
            vals[i] = (t % 11u == 5u) ? NAN : (double)((t * 7u + i * 3u) % 9u) - 2.0;
            CHECK(mon_rule_step(&cfgs[i], &sa[i], t, vals[i], &ea[i]) == MON_OK);
        }
        CHECK(mon_rule_step_many(cfgs, sb, 4u, t, vals, eb, &done) == MON_OK && done == 4u);
        CHECK(memcmp(sa, sb, sizeof sa) == 0 && memcmp(ea, eb, sizeof ea) == 0);
    }
    /* rule 2 corrupted: rules 0 and 1 stepped, 2 and 3 unchanged */
    memcpy(sa, sb, sizeof sa);
    memcpy(ea, eb, sizeof ea);
    sb[2].phase = 7u;
    CHECK(mon_rule_step_many(cfgs, sb, 4u, 100u, vals, eb, &done) == MON_E_STATE && done == 2u);
    CHECK(sb[0].last_tick == 100u && sb[1].last_tick == 100u);
    CHECK(memcmp(&sb[3], &sa[3], sizeof sb[3]) == 0 &&
          memcmp(&eb[2], &ea[2], 2 * sizeof eb[2]) == 0);
    sb[2].phase = sa[2].phase;
    /* a tick before the last one: the first rule fails, nothing changed */
    memcpy(sa, sb, sizeof sa);
    CHECK(mon_rule_step_many(cfgs, sb, 4u, 50u, vals, eb, &done) == MON_E_VALUE && done == 0u);
    CHECK(memcmp(sa, sb, sizeof sa) == 0);
    /* n == 0 and a NULL done */
    CHECK(mon_rule_step_many(NULL, NULL, 0u, 0u, NULL, NULL, &done) == MON_OK && done == 0u);
    CHECK(mon_rule_step_many(cfgs, sb, 4u, 100u, vals, eb, NULL) == MON_OK);
    CHECK(sb[2].last_tick == 100u && sb[3].last_tick == 100u);
}

int main(void)
{
    test_config_fields();
    test_threshold_for();
    test_ops_exact();
    test_hysteresis_keep();
    test_clock_and_nan();
    test_rate();
    test_step_many();
    MON_TEST_MAIN_END();
}
