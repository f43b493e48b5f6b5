/* libFuzzer harness: state validation of the service counters. A valid mon_service is built,
 * its header bytes mutated as the input says (fuzz_state.h), then every public function is
 * called on it at ticks that jump. Nothing may crash, divide by zero or trip ASan/UBSan; an
 * object the recorders refuse (MON_E_STATE) is refused by the readers too.
 * Skipped (g_forged): a header whose slots and size agree on more memory than the buffer. */
#include <stdlib.h>

#include "fuzz_state.h"
#include "monitor.h"

/* REQ: MON-REQ-CORE-006, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mon_service_config cfg;
    mon_service_counts cnt;
    mon_service_window win;
    mon_service_config got;
    mon_service *s;
    uint64_t *buf, t, size_field;
    uint32_t slots;
    size_t n;
    mon_status st;
    if (size < 1) return 0;
    cfg.slot_ticks = 1u + (data[0] & 7u);
    cfg.start_tick = data[0] >> 3;
    cfg.slots = 1u + (data[0] >> 5);
    cfg.flags = 0;
    n = mon_service_size(&cfg);
    buf = (uint64_t *)malloc(n);
    REQUIRE(buf != NULL && mon_service_init(buf, n, &cfg) == MON_OK);
    s = (mon_service *)(void *)buf;
    (void)mon_service_begin(s, 3);
    mutate((uint8_t *)buf, 120, data, size); /* the header: magic .. totals */
    memcpy(&slots, (uint8_t *)buf + 24, 4);
    memcpy(&size_field, (uint8_t *)buf + 32, 8);
    if (size_field == 120u + 88u * (uint64_t)slots && size_field > n) {
        ++g_forged;
        free(buf);
        return 0;
    }
    st = mon_service_config_of(s, &got);
    REQUIRE(st == MON_OK || st == MON_E_STATE);
    for (t = 0; t < 64; t += 7) {
        mon_status a = mon_service_begin(s, t * 3);
        REQUIRE(a == MON_OK || a == MON_E_STATE);
        (void)mon_service_ok(s, t * 3 + 1);
        (void)mon_service_begin(s, t * 5);
        (void)mon_service_fail(s, t * 5 + 2, (mon_error_category)(t % 6));
        (void)mon_service_begin(s, t);
        (void)mon_service_drop(s, t);
        (void)mon_service_reject(s, t * 11);
        (void)mon_service_error(s, t * 13, (mon_error_category)(t % 7));
        (void)mon_service_window_counts(s, t * 17, &win);
        (void)mon_service_totals(s, &cnt);
        /* the recorders check a subset of what the readers check (flags is theirs only) */
        if (a == MON_E_STATE) REQUIRE(st == MON_E_STATE);
    }
    free(buf);
    return 0;
}
