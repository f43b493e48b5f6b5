/* The golden rule vectors (monitor/data/golden_rules_v1.json, through the generated header):
 * every scenario through mon_rule_step gives the records the Python AlertEngine gave, and the
 * SHA-256 of those records is the file's digest. Prints "RULES GOLDEN PASS sha256=<digest>". */
#include <stdint.h>
#include <string.h>
#include "monitor.h"
#include "mon_test.h"
#include "golden_rules_v1_data.h"

static double f64(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void put_u32(mon_sha256_ctx *h, uint32_t v)
{
    unsigned char b[4];
    b[0] = (unsigned char)(v & 0xffu);
    b[1] = (unsigned char)((v >> 8) & 0xffu);
    b[2] = (unsigned char)((v >> 16) & 0xffu);
    b[3] = (unsigned char)(v >> 24);
    CHECK(mon_sha256_update(h, b, 4) == MON_OK);
}

int main(void)
{
    static mon_rule_state st;
    mon_sha256_ctx h;
    uint8_t d[32];
    char hex[65];
    size_t i, k;
    const char *digits = "0123456789abcdef";
    CHECK(mon_sha256_init(&h) == MON_OK);
    for (i = 0; i < GOLDEN_RULES_N_CASES; ++i) {
        const golden_rules_case *g = &golden_rules_cases[i];
        mon_rule_config c;
        memset(&c, 0, sizeof c);
        c.kind = g->kind;
        c.op = g->op;
        c.threshold = f64(g->threshold);
        c.clear_threshold = f64(g->clear);
        c.has_clear = g->has_clear;
        c.no_data = g->no_data;
        c.for_ticks = g->for_ticks;
        c.keep_firing_for_ticks = g->keep_ticks;
        c.window_ticks = g->window_ticks;
        c.resolution = g->resolution;
        c.relative = g->relative;
        CHECK(mon_rule_init(&c, &st) == MON_OK);
        put_u32(&h, (uint32_t)strlen(g->id));
        CHECK(mon_sha256_update(&h, g->id, strlen(g->id)) == MON_OK);
        put_u32(&h, (uint32_t)g->n_steps);
        for (k = 0; k < g->n_steps; ++k) {
            mon_rule_event ev;
            unsigned char rec[4];
            mon_status s = mon_rule_step(&c, &st, g->steps[k].tick, f64(g->steps[k].bits), &ev);
            rec[0] = (unsigned char)s;
            rec[1] = (unsigned char)st.phase;
            rec[2] = (unsigned char)(s == MON_OK ? ev.transition : 0u);
            rec[3] = (unsigned char)(s == MON_OK && ev.condition == MON_RULE_COND_NO_DATA);
            if (memcmp(rec, g->steps[k].expect, 4) != 0) {
                fprintf(stderr, "%s step %u: got [%u %u %u %u], expected [%u %u %u %u]\n", g->id,
                        (unsigned)k, rec[0], rec[1], rec[2], rec[3], g->steps[k].expect[0],
                        g->steps[k].expect[1], g->steps[k].expect[2], g->steps[k].expect[3]);
                CHECK(0);
            }
            CHECK(mon_sha256_update(&h, rec, 4) == MON_OK);
        }
    }
    CHECK(mon_sha256_final(&h, d) == MON_OK);
    for (i = 0; i < 32u; ++i) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15u];
    }
    hex[64] = '\0';
    CHECK(strcmp(hex, GOLDEN_RULES_DIGEST) == 0);
    printf("RULES GOLDEN %s sha256=%s (%d cases)\n",
           strcmp(hex, GOLDEN_RULES_DIGEST) == 0 ? "PASS" : "FAIL", hex, GOLDEN_RULES_N_CASES);
    MON_TEST_MAIN_END();
}
