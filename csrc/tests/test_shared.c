/* Unit tests of mon_shared_finish (and mon_shared_finish_ring: the same plus a ring): each outcome counts what its mon_service function counts
 * and records the latency; bad arguments change nothing; 8 threads finishing requests on one
 * cumulative service and histogram give exact totals. */
#include <stdint.h>
#include <string.h>

#include "mon_shared.h"
#include "mon_test.h"

#if !MON_SINGLE_THREADED
#include <pthread.h>
#endif

static uint64_t svc_mem[64];
static uint64_t hist_mem[4096];
static uint64_t hist_mem2[4096];

static mon_service *svc_make(void)
{
    /* One slot that stays in epoch 0 (the shared segment's cumulative counters). */
    mon_service_config cfg = {UINT64_MAX, 0, 1, 0};
    CHECK(mon_service_size(&cfg) <= sizeof svc_mem);
    CHECK_STATUS(mon_service_init(svc_mem, sizeof svc_mem, &cfg), MON_OK);
    return (mon_service *)(void *)svc_mem;
}

static mon_hist *hist_make(void)
{
    mon_hist_config cfg = {1000u, UINT64_C(3600000000000), 6};
    CHECK(mon_hist_size(&cfg) <= sizeof hist_mem);
    CHECK_STATUS(mon_hist_init(hist_mem, sizeof hist_mem, &cfg), MON_OK);
    return (mon_hist *)(void *)hist_mem;
}

/* REQ: MON-REQ-SHARED-001 */
static void test_outcomes(void)
{
    mon_service *s = svc_make();
    mon_hist *h = hist_make();
    mon_service_counts c;
    mon_hist_stats st;
    mon_service_begin(s, 0);
    mon_service_begin(s, 0);
    mon_service_begin(s, 0);
    CHECK_STATUS(mon_shared_finish(s, h, 0, MON_OUTCOME_OK, 0, 1500u), MON_OK);
    CHECK_STATUS(mon_shared_finish(s, h, 0, MON_OUTCOME_FAILED, MON_ERR_TIMEOUT, 2500u), MON_OK);
    CHECK_STATUS(mon_shared_finish(s, h, 0, MON_OUTCOME_DROPPED, 0, 3500u), MON_OK);
    /* nothing in flight: the counter refuses, the latency is still recorded */
    CHECK_STATUS(mon_shared_finish(s, h, 0, MON_OUTCOME_OK, 0, 4500u), MON_E_STATE);
    /* refused: nothing recorded */
    CHECK_STATUS(mon_shared_finish(s, h, 0, 3, 0, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish(s, h, 0, -1, 0, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish(s, h, 0, MON_OUTCOME_FAILED, 5, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish(s, h, 0, MON_OUTCOME_FAILED, -1, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish(NULL, h, 0, MON_OUTCOME_OK, 0, 1u), MON_E_NULL);
    CHECK_STATUS(mon_shared_finish(s, NULL, 0, MON_OUTCOME_OK, 0, 1u), MON_E_NULL);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == 3 && c.processed == 1 && c.failed == 1 && c.dropped == 1);
    CHECK(c.in_flight == 0 && c.errors[MON_ERR_TIMEOUT] == 1 && c.errors[0] == 0);
    CHECK_STATUS(mon_hist_get_stats(h, &st), MON_OK);
    CHECK(st.count == 4 && st.sum_lo == 12000u && st.sum_hi == 0 && st.min == 1500u);
    CHECK(st.max == 4500u);
}

/* REQ: MON-REQ-SHARED-001 */
static void test_begin(void)
{
    static uint64_t local_mem[256];
    mon_service_config cfg = {10, 0, 4, 0};
    mon_service *local = (mon_service *)(void *)local_mem;
    mon_service *s = svc_make();
    mon_service_counts c;
    mon_service_window w;
    CHECK(mon_service_size(&cfg) <= sizeof local_mem);
    CHECK_STATUS(mon_service_init(local_mem, sizeof local_mem, &cfg), MON_OK);
    mon_shared_begin(local, s, 25);
    mon_shared_begin(NULL, s, 25);
    mon_shared_begin(local, NULL, 25);
    mon_shared_begin(NULL, NULL, 25);
    CHECK_STATUS(mon_service_totals(local, &c), MON_OK);
    CHECK(c.received == 2 && c.in_flight == 2);
    CHECK_STATUS(mon_service_window_counts(local, 25, &w), MON_OK);
    CHECK(w.counts.received == 2); /* at the local tick */
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == 2 && c.in_flight == 2);
}

static uint64_t ring_mem[8192];

/* REQ: MON-REQ-SHARED-001 */
static void test_finish_ring(void)
{
    mon_service *s = svc_make();
    mon_hist *h = hist_make();
    mon_hist_config hc = {1000u, 1000000000u, 2}; /* the ring's (small: 4 slots) */
    mon_window_config wc = {10u, 0u, 4u, 0u};
    mon_hist_ring *r = (mon_hist_ring *)(void *)ring_mem;
    mon_hist *w = (mon_hist *)(void *)hist_mem2;
    mon_service_counts c;
    mon_hist_stats st;
    uint64_t late = 0;
    CHECK(mon_hist_ring_size(&hc, &wc) <= sizeof ring_mem);
    CHECK_STATUS(mon_hist_ring_init(ring_mem, sizeof ring_mem, &hc, &wc), MON_OK);
    CHECK_STATUS(mon_hist_init(hist_mem2, sizeof hist_mem2, &hc), MON_OK);
    mon_service_begin(s, 0);
    mon_service_begin(s, 0);
    mon_service_begin(s, 0);
    mon_service_begin(s, 0);
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 5, MON_OUTCOME_OK, 0, 1500u), MON_OK);
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 15, MON_OUTCOME_FAILED, MON_ERR_TIMEOUT, 2500u),
                 MON_OK);
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 200, MON_OUTCOME_DROPPED, 0, 3500u), MON_OK);
    /* an epoch that has left the window: counted late in the ring, the rest recorded */
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 5, MON_OUTCOME_OK, 0, 4500u), MON_OK);
    /* nothing in flight: the counter refuses, both latencies are still recorded */
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 200, MON_OUTCOME_OK, 0, 5500u), MON_E_STATE);
    /* refused: nothing recorded */
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 200, 3, 0, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 200, MON_OUTCOME_FAILED, 5, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 200, MON_OUTCOME_FAILED, -1, 1u), MON_E_VALUE);
    CHECK_STATUS(mon_shared_finish_ring(NULL, r, h, 200, MON_OUTCOME_OK, 0, 1u), MON_E_NULL);
    CHECK_STATUS(mon_shared_finish_ring(s, NULL, h, 200, MON_OUTCOME_OK, 0, 1u), MON_E_NULL);
    CHECK_STATUS(mon_shared_finish_ring(s, r, NULL, 200, MON_OUTCOME_OK, 0, 1u), MON_E_NULL);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == 4 && c.processed == 2 && c.failed == 1 && c.dropped == 1);
    CHECK(c.in_flight == 0 && c.errors[MON_ERR_TIMEOUT] == 1);
    CHECK_STATUS(mon_hist_get_stats(h, &st), MON_OK);
    CHECK(st.count == 5 && st.sum_lo == 17500u && st.min == 1500u && st.max == 5500u);
    /* the ring: 1500 and 2500 left the window at tick 200; 3500 and 5500 in it; 4500 late */
    CHECK_STATUS(mon_hist_ring_window(r, 200, 4, w), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(w, &st), MON_OK);
    CHECK(st.count == 2 && st.sum_lo == 9000u);
    CHECK_STATUS(mon_hist_ring_window(r, 15, 4, w), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(w, &st), MON_OK);
    CHECK(st.count == 1 && st.sum_lo == 2500u); /* epoch 0's slot was reused by epoch 20 */
    CHECK_STATUS(mon_hist_ring_info(r, NULL, NULL, &late), MON_OK);
    CHECK(late == 1u);
    /* a ring that is not valid: MON_E_STATE, the latency and outcome still recorded */
    memset(ring_mem, 0, sizeof ring_mem);
    mon_service_begin(s, 0);
    CHECK_STATUS(mon_shared_finish_ring(s, r, h, 200, MON_OUTCOME_OK, 0, 6500u), MON_E_STATE);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.processed == 3 && c.in_flight == 0);
    CHECK_STATUS(mon_hist_get_stats(h, &st), MON_OK);
    CHECK(st.count == 6);
}

#if !MON_SINGLE_THREADED
#define THREADS 8
#define PER_THREAD 20000

static mon_service *g_s;
static mon_hist *g_h;

static void *worker(void *arg)
{
    uint64_t base = (uint64_t)(uintptr_t)arg * PER_THREAD;
    uint64_t i;
    for (i = 0; i < PER_THREAD; ++i) {
        mon_service_begin(g_s, 0);
        (void)mon_shared_finish(g_s, g_h, 0, (i % 10u == 9u) ? MON_OUTCOME_FAILED : MON_OUTCOME_OK,
                                (int32_t)(i % 5u), 1000u + base + i);
    }
    return NULL;
}

/* REQ: MON-REQ-SHARED-001, MON-REQ-THREAD-001 */
static void test_threads(void)
{
    pthread_t t[THREADS];
    mon_service_counts c;
    mon_hist_stats st;
    uint64_t n = (uint64_t)THREADS * PER_THREAD, k;
    g_s = svc_make();
    g_h = hist_make();
    for (k = 0; k < THREADS; ++k) {
        CHECK(pthread_create(&t[k], NULL, worker, (void *)(uintptr_t)k) == 0);
    }
    for (k = 0; k < THREADS; ++k) {
        CHECK(pthread_join(t[k], NULL) == 0);
    }
    CHECK_STATUS(mon_service_totals(g_s, &c), MON_OK);
    CHECK(c.received == n && c.processed == n - n / 10u && c.failed == n / 10u);
    CHECK(c.in_flight == 0 && c.errors[4] == n / 10u);
    CHECK_STATUS(mon_hist_get_stats(g_h, &st), MON_OK);
    /* sum of 1000 + j for j in 0 .. n-1 */
    CHECK(st.count == n && st.sum_hi == 0 && st.sum_lo == 1000u * n + n * (n - 1u) / 2u);
}
#endif

int main(void)
{
    test_outcomes();
    test_begin();
    test_finish_ring();
#if !MON_SINGLE_THREADED
    test_threads();
#endif
    MON_TEST_MAIN_END();
}
