/*
 * mon_shared.c - a finished request in one call (see mon_shared.h).
 */
#include "mon_shared.h"

mon_status mon_shared_finish(mon_service *s, mon_hist *h, uint64_t now, int32_t outcome,
                             int32_t category, uint64_t latency_ns)
{
    if (s == NULL || h == NULL) {
        return MON_E_NULL;
    }
    /* Validate before recording anything: a refused call changes nothing. */
    if (outcome == MON_OUTCOME_FAILED) {
        if (category < 0 || category >= MON_ERROR_CATEGORY_COUNT) {
            return MON_E_VALUE;
        }
    } else if (outcome != MON_OUTCOME_OK && outcome != MON_OUTCOME_DROPPED) {
        return MON_E_VALUE;
    }
    /* The latency first, as the service records it: a count of finished requests never
     * exceeds the latency histogram's count. */
    mon_hist_record(h, latency_ns);
    if (outcome == MON_OUTCOME_OK) {
        return mon_service_ok(s, now);
    }
    if (outcome == MON_OUTCOME_DROPPED) {
        return mon_service_drop(s, now);
    }
    return mon_service_fail(s, now, (mon_error_category)category);
}

void mon_shared_begin(mon_service *local, mon_service *shared, uint64_t now)
{
    if (local != NULL) {
        mon_service_begin(local, now);
    }
    if (shared != NULL) {
        mon_service_begin(shared, 0u);
    }
}
