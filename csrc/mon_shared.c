/*
 * mon_shared.c - a finished request in one call (see mon_shared.h).
 */
#include "mon_shared.h"

/* 1 when outcome is one of MON_OUTCOME_* and, for a failure, category one of the categories. */
static int outcome_ok(int32_t outcome, int32_t category)
{
    if (outcome == MON_OUTCOME_FAILED) {
        return (category >= 0 && category < MON_ERROR_CATEGORY_COUNT) ? 1 : 0;
    }
    return (outcome == MON_OUTCOME_OK || outcome == MON_OUTCOME_DROPPED) ? 1 : 0;
}

/* The latency in h, then the outcome at tick now; outcome and category already checked. */
static mon_status finish_checked(mon_service *s, mon_hist *h, uint64_t now, int32_t outcome,
                                 int32_t category, uint64_t latency_ns)
{
    /* The latency first, as the service records it: a count of finished requests never
     * exceeds the latency histogram's count. */
    mon_status st = mon_hist_record(h, latency_ns); /* validates h: MON_E_ALIGN / MON_E_STATE */
    if (st != MON_OK) {
        return st;
    }
    if (outcome == MON_OUTCOME_OK) {
        return mon_service_ok(s, now);
    }
    if (outcome == MON_OUTCOME_DROPPED) {
        return mon_service_drop(s, now);
    }
    return mon_service_fail(s, now, (mon_error_category)category);
}

mon_status mon_shared_finish(mon_service *s, mon_hist *h, uint64_t now, int32_t outcome,
                             int32_t category, uint64_t latency_ns)
{
    if (s == NULL || h == NULL) {
        return MON_E_NULL;
    }
    /* Validate before recording anything: a refused call changes nothing. */
    if (!outcome_ok(outcome, category)) {
        return MON_E_VALUE;
    }
    return finish_checked(s, h, now, outcome, category, latency_ns);
}

mon_status mon_shared_finish_ring(mon_service *s, mon_hist_ring *ring, mon_hist *h, uint64_t now,
                                  int32_t outcome, int32_t category, uint64_t latency_ns)
{
    int32_t in_ring;
    mon_status st;
    if (s == NULL || ring == NULL || h == NULL) {
        return MON_E_NULL;
    }
    /* The same checks as mon_shared_finish, once: a refused call records nothing. */
    if (!outcome_ok(outcome, category)) {
        return MON_E_VALUE;
    }
    in_ring = mon_hist_ring_record(ring, now, latency_ns); /* 1 counted, 0 late, -1 invalid */
    st = finish_checked(s, h, now, outcome, category, latency_ns);
    if (st == MON_OK && in_ring < 0) {
        st = MON_E_STATE;
    }
    return st;
}

mon_status mon_shared_begin(mon_service *local, mon_service *shared, uint64_t now)
{
    mon_status st = MON_OK;
    if (local != NULL) {
        st = mon_service_begin(local, now);
    }
    if (shared != NULL) {
        mon_status st2 = mon_service_begin(shared, 0u);
        if (st == MON_OK) {
            st = st2;
        }
    }
    return st;
}
