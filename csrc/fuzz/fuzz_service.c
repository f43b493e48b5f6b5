/* libFuzzer harness: service counters (mon_service_*) driven by an arbitrary event sequence.
 * Input: bytes 0-1 slot_ticks, byte 2 slots (0 = invalid config), then 3-byte events
 * (op, tick delta, category; the tick may also jump backwards). Checks: the accounting identity
 * received = processed + failed + dropped + in_flight; sum of errors >= failed; every window
 * count <= the matching total; window bounds; statuses as documented. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

static uint64_t g_mem[(1 << 16) / 8];

static void check_totals(const mon_service *s)
{
    mon_service_counts t;
    uint64_t e = 0;
    unsigned i;
    REQUIRE(mon_service_totals(s, &t) == MON_OK);
    REQUIRE(t.received == t.processed + t.failed + t.dropped + t.in_flight);
    for (i = 0; i < 5; ++i) e += t.errors[i];
    REQUIRE(e >= t.failed);
}

/* REQ: MON-REQ-SVC-001, MON-REQ-SVC-002, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mon_service_config cfg;
    mon_service *s = (mon_service *)(void *)g_mem;
    size_t need, i;
    uint64_t tick = 1000, inflight = 0;
    if (size < 3) return 0;
    cfg.slot_ticks = (uint64_t)data[0] | ((uint64_t)data[1] << 8);
    cfg.slots = data[2];
    cfg.start_tick = 500;
    cfg.flags = 0;
    need = mon_service_size(&cfg);
    if (mon_service_check_config(&cfg) != MON_OK) {
        REQUIRE(need == 0);
        REQUIRE(mon_service_init(g_mem, sizeof g_mem, &cfg) == MON_E_CONFIG);
        return 0;
    }
    REQUIRE(need > 0 && need <= sizeof g_mem);
    REQUIRE(mon_service_init(g_mem, need - 1, &cfg) == MON_E_SIZE);
    REQUIRE(mon_service_init((char *)g_mem + 4, need, &cfg) == MON_E_ALIGN);
    REQUIRE(mon_service_init(g_mem, need, &cfg) == MON_OK);
    for (i = 3; i + 3 <= size; i += 3) {
        unsigned op = data[i] % 8u, cat = data[i + 2];
        mon_status st;
        if (data[i] & 0x80u)
            tick -= data[i + 1];
        else
            tick += data[i + 1];
        switch (op) {
        case 0:
            mon_service_begin(s, tick);
            ++inflight;
            break;
        case 1:
        case 2:
        case 3:
            st = op == 1   ? mon_service_ok(s, tick)
                 : op == 2 ? mon_service_fail(s, tick, (mon_error_category)(cat % 7u))
                           : mon_service_drop(s, tick);
            if (op == 2 && cat % 7u >= 5u)
                REQUIRE(st == MON_E_VALUE);
            else if (inflight == 0)
                REQUIRE(st == MON_E_STATE);
            else {
                REQUIRE(st == MON_OK);
                --inflight;
            }
            break;
        case 4: mon_service_reject(s, tick); break;
        case 5:
            st = mon_service_error(s, tick, (mon_error_category)(cat % 7u));
            REQUIRE(st == (cat % 7u < 5u ? MON_OK : MON_E_VALUE));
            break;
        default: {
            mon_service_window w;
            mon_service_counts t;
            unsigned k;
            uint64_t q = tick + (op == 7 ? (uint64_t)cat * cfg.slot_ticks : 0);
            REQUIRE(mon_service_window_counts(s, q, &w) == MON_OK);
            REQUIRE(mon_service_totals(s, &t) == MON_OK);
            REQUIRE(w.counts.received <= t.received && w.counts.processed <= t.processed);
            REQUIRE(w.counts.failed <= t.failed && w.counts.dropped <= t.dropped);
            REQUIRE(w.counts.in_flight == 0 && w.to_tick == q);
            for (k = 0; k < 5; ++k) REQUIRE(w.counts.errors[k] <= t.errors[k]);
            REQUIRE(w.span_ticks == (q > w.from_tick ? q - w.from_tick : 0));
            break;
        }
        }
        check_totals(s);
    }
    {
        mon_service_counts t;
        REQUIRE(mon_service_totals(s, &t) == MON_OK && t.in_flight == inflight);
    }
    return 0;
}
