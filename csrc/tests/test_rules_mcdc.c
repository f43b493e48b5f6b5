/* MC/DC closing tests of mon_rules (make -C csrc mcdc): the rule state's check refuses each
 * invalid field alone, and mon_rule_step_many refuses each NULL array alone (n > 0), changing
 * nothing. */
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_test.h"

static mon_rule_config cfg[2];
static mon_rule_state st[2];
static mon_rule_event ev[2];
static double vals[2] = {2.0, 0.0};

/* REQ: MON-REQ-RULES-001 */
static void test_state_check(void)
{
    mon_rule_state saved;
    memset(cfg, 0, sizeof cfg);
    cfg[0].kind = MON_RULE_RATE;
    cfg[0].op = MON_RULE_GT;
    cfg[0].threshold = 1.0;
    cfg[0].window_ticks = 10;
    cfg[0].resolution = 4;
    CHECK_STATUS(mon_rule_init(&cfg[0], &st[0]), MON_OK);
    CHECK_STATUS(mon_rule_step(&cfg[0], &st[0], 1, 1.0, &ev[0]), MON_OK);
    saved = st[0];
    st[0].n_samples = MON_RULE_MAX_SAMPLES + 1u;
    CHECK_STATUS(mon_rule_step(&cfg[0], &st[0], 2, 1.0, &ev[0]), MON_E_STATE);
    st[0] = saved;
    st[0].has_last = 2;
    CHECK_STATUS(mon_rule_step(&cfg[0], &st[0], 2, 1.0, &ev[0]), MON_E_STATE);
    st[0] = saved;
    st[0].keep_running = 2;
    CHECK_STATUS(mon_rule_step(&cfg[0], &st[0], 2, 1.0, &ev[0]), MON_E_STATE);
    st[0] = saved;
    CHECK_STATUS(mon_rule_step(&cfg[0], &st[0], 2, 1.0, &ev[0]), MON_OK);
    CHECK(st[0].steps == 2 && st[0].n_samples >= 1);
}

/* REQ: MON-REQ-RULES-001 */
static void test_step_many_null(void)
{
    size_t done = 7;
    memset(cfg, 0, sizeof cfg);
    cfg[0].kind = cfg[1].kind = MON_RULE_THRESHOLD;
    cfg[0].op = cfg[1].op = MON_RULE_GT;
    cfg[0].threshold = cfg[1].threshold = 1.0;
    CHECK_STATUS(mon_rule_init(&cfg[0], &st[0]), MON_OK);
    CHECK_STATUS(mon_rule_init(&cfg[1], &st[1]), MON_OK);
    CHECK_STATUS(mon_rule_step_many(cfg, NULL, 2, 1, vals, ev, &done), MON_E_NULL);
    CHECK(done == 0);
    CHECK_STATUS(mon_rule_step_many(cfg, st, 2, 1, NULL, ev, &done), MON_E_NULL);
    CHECK_STATUS(mon_rule_step_many(cfg, st, 2, 1, vals, NULL, &done), MON_E_NULL);
    CHECK(st[0].steps == 0 && st[1].steps == 0); /* nothing stepped */
    CHECK_STATUS(mon_rule_step_many(cfg, st, 2, 1, vals, ev, &done), MON_OK);
    CHECK(done == 2 && ev[0].phase == MON_RULE_FIRING && ev[1].phase == MON_RULE_INACTIVE);
}

int main(void)
{
    test_state_check();
    test_step_many_null();
    MON_TEST_MAIN_END();
}
