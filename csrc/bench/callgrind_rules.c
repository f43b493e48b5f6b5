/* Instruction counts of mon_rule_step, for valgrind --tool=callgrind: each driver calls it N
 * times, so a driver's inclusive cost divided by N is the instructions per step. Run:
 *   make -C csrc lib && cc -O2 -Icsrc csrc/bench/callgrind_rules.c csrc/build/default/libmonitor.a \
 *     -o /tmp/cgr && valgrind --tool=callgrind --callgrind-out-file=/tmp/cgr.out /tmp/cgr && \
 *   callgrind_annotate --inclusive=yes /tmp/cgr.out | grep drive_
 * Not part of the library. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "monitor.h"

#define N 100000
#define NOINLINE __attribute__((noinline))

static mon_rule_state st;
static double vals[N];
static double sink;

NOINLINE static void drive_rule_threshold(const mon_rule_config *c)
{
    mon_rule_event ev;
    size_t i;
    for (i = 0; i < N; ++i) {
        (void)mon_rule_step(c, &st, (uint64_t)i, vals[i], &ev);
        sink += ev.value;
    }
}

NOINLINE static void drive_rule_rate(const mon_rule_config *c)
{
    mon_rule_event ev;
    size_t i;
    for (i = 0; i < N; ++i) {
        (void)mon_rule_step(c, &st, (uint64_t)i, vals[i], &ev);
        sink -= ev.value;
    }
}

int main(void)
{
    mon_rule_config c;
    size_t i;
    for (i = 0; i < N; ++i) vals[i] = (double)(i % 17u);
    memset(&c, 0, sizeof c);
    c.kind = MON_RULE_THRESHOLD;
    c.op = MON_RULE_GT;
    c.threshold = 10.0;
    c.has_clear = 1;
    c.clear_threshold = 8.0;
    c.for_ticks = 3;
    c.keep_firing_for_ticks = 2;
    if (mon_rule_init(&c, &st) != MON_OK) return 1;
    drive_rule_threshold(&c);
    c.kind = MON_RULE_RATE;
    c.has_clear = 0;
    c.window_ticks = 60;
    c.resolution = 60; /* the Python default: a sample every tick, 62 held */
    c.relative = 1;
    c.threshold = 0.5;
    if (mon_rule_init(&c, &st) != MON_OK) return 1;
    drive_rule_rate(&c);
    printf("%f\n", sink);
    return 0;
}
