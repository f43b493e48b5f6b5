/* Unit tests of mon_service: configuration, accounting invariants, status codes, windows
 * against a brute-force reference, saturation, and exact totals from 8 threads. */
#include <stdint.h>
#include <string.h>

/* Included (not linked) so the saturation test can reach the internal counters. */
#include "mon_service.c"
#include "mon_test.h"

#if !MON_SINGLE_THREADED
#include <pthread.h>
#endif

#define MAX_SLOTS 64
static uint64_t mem[(sizeof(struct mon_service) + MAX_SLOTS * 88) / 8 + 8];

static mon_service *make(uint64_t slot_ticks, uint64_t start, uint32_t slots)
{
    mon_service_config cfg;
    cfg.slot_ticks = slot_ticks;
    cfg.start_tick = start;
    cfg.slots = slots;
    cfg.flags = 0;
    CHECK(mon_service_size(&cfg) <= sizeof mem);
    CHECK_STATUS(mon_service_init(mem, sizeof mem, &cfg), MON_OK);
    return (mon_service *)(void *)mem;
}

/* REQ: MON-REQ-SVC-001, MON-REQ-WIN-001 */
static void test_config(void)
{
    mon_service_config cfg = {10, 0, 4, 0};
    mon_service_config back = {0, 0, 0, 0};
    uint64_t small[4];
    CHECK(mon_service_size(&cfg) == offsetof(mon_service, ring) + 4 * 88);
    CHECK_STATUS(mon_service_check_config(NULL), MON_E_NULL);
    cfg.slot_ticks = 0;
    CHECK_STATUS(mon_service_check_config(&cfg), MON_E_CONFIG);
    CHECK(mon_service_size(&cfg) == 0);
    cfg.slot_ticks = 10;
    cfg.slots = 0;
    CHECK_STATUS(mon_service_check_config(&cfg), MON_E_CONFIG);
    cfg.slots = MON_SERVICE_MAX_SLOTS + 1;
    CHECK_STATUS(mon_service_check_config(&cfg), MON_E_CONFIG);
    cfg.slots = 4;
    cfg.flags = 1;
    CHECK_STATUS(mon_service_init(mem, sizeof mem, &cfg), MON_E_CONFIG);
    cfg.flags = 0;
    CHECK_STATUS(mon_service_init(NULL, sizeof mem, &cfg), MON_E_NULL);
    CHECK_STATUS(mon_service_init(mem, sizeof mem, NULL), MON_E_NULL);
    CHECK_STATUS(mon_service_init(small, sizeof small, &cfg), MON_E_SIZE);
    CHECK_STATUS(mon_service_init((char *)mem + 4, sizeof mem - 8, &cfg), MON_E_ALIGN);
    CHECK_STATUS(mon_service_init(mem, sizeof mem, &cfg), MON_OK);
    CHECK_STATUS(mon_service_config_of((mon_service *)(void *)mem, &back), MON_OK);
    CHECK(back.slot_ticks == 10 && back.slots == 4 && back.start_tick == 0);
    memset(small, 0, sizeof small);
    {
        mon_service_counts c;
        CHECK_STATUS(mon_service_totals((const mon_service *)(void *)small, &c), MON_E_STATE);
        CHECK_STATUS(mon_service_totals(NULL, &c), MON_E_NULL);
    }
    CHECK(strcmp(mon_error_category_name(MON_ERR_TIMEOUT), "timeout") == 0);
    CHECK(strcmp(mon_error_category_name(MON_ERR_INFRASTRUCTURE), "infrastructure") == 0);
    CHECK(mon_error_category_name((mon_error_category)5) == NULL);
}

/* REQ: MON-REQ-SVC-001 */
static void test_accounting(void)
{
    mon_service *s = make(1000, 0, 4);
    mon_service_counts c;
    int i;
    CHECK_STATUS(mon_service_ok(s, 1), MON_E_STATE); /* nothing in flight */
    CHECK_STATUS(mon_service_drop(s, 1), MON_E_STATE);
    CHECK_STATUS(mon_service_fail(s, 1, MON_ERR_TIMEOUT), MON_E_STATE);
    for (i = 0; i < 10; ++i) {
        mon_service_begin(s, 5);
    }
    CHECK_STATUS(mon_service_fail(s, 6, (mon_error_category)5), MON_E_VALUE);
    CHECK_STATUS(mon_service_error(s, 6, (mon_error_category)7), MON_E_VALUE);
    for (i = 0; i < 5; ++i) {
        CHECK_STATUS(mon_service_ok(s, 6), MON_OK);
    }
    CHECK_STATUS(mon_service_fail(s, 7, MON_ERR_TIMEOUT), MON_OK);
    CHECK_STATUS(mon_service_fail(s, 7, MON_ERR_MODEL_INFERENCE), MON_OK);
    CHECK_STATUS(mon_service_drop(s, 7), MON_OK);
    mon_service_reject(s, 8);
    CHECK_STATUS(mon_service_error(s, 9, MON_ERR_BUSINESS_LOGIC), MON_OK);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == 11);
    CHECK(c.processed == 5);
    CHECK(c.failed == 2);
    CHECK(c.dropped == 2);
    CHECK(c.in_flight == 2);
    CHECK(c.received == c.processed + c.failed + c.dropped + c.in_flight);
    CHECK(c.errors[MON_ERR_TIMEOUT] == 1);
    CHECK(c.errors[MON_ERR_MODEL_INFERENCE] == 1);
    CHECK(c.errors[MON_ERR_BUSINESS_LOGIC] == 1);
    CHECK(c.errors[MON_ERR_INFRASTRUCTURE] == 0);
    CHECK(c.errors[MON_ERR_INPUT_VALIDATION] == 0);
}

/* Reference: events (tick, field) kept in a list; window = epochs e(now)-K+1 .. e(now). */
#define NEV 4000
static uint64_t ev_tick[NEV];
static int ev_kind[NEV]; /* 0 begin, 1 ok, 2 fail(cat), 3 drop, 4 reject, 5 error(cat) */
static int ev_cat[NEV];
static int ev_done[NEV];

static uint64_t rng_state = 88172645463325252u;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* REQ: MON-REQ-SVC-002 */
static void test_window_reference(void)
{
    int round;
    for (round = 0; round < 40; ++round) {
        uint64_t w = 1 + rnd() % 50, start = rnd() % 100;
        uint32_t k = (uint32_t)(1 + rnd() % 8);
        mon_service *s = make(w, start, k);
        uint64_t t = rnd() % 50, in_flight = 0;
        int n = 0, q;
        while (n < NEV) {
            int kind = (int)(rnd() % 6);
            int cat = (int)(rnd() % 5);
            t += rnd() % 4 == 0 ? rnd() % (3 * w + 1) : 0; /* monotone ticks, bursts */
            if ((kind >= 1 && kind <= 3) && in_flight == 0) {
                kind = 0;
            }
            if (kind == 0) {
                mon_service_begin(s, t);
                ++in_flight;
            } else if (kind == 1) {
                CHECK_STATUS(mon_service_ok(s, t), MON_OK);
                --in_flight;
            } else if (kind == 2) {
                CHECK_STATUS(mon_service_fail(s, t, (mon_error_category)cat), MON_OK);
                --in_flight;
            } else if (kind == 3) {
                CHECK_STATUS(mon_service_drop(s, t), MON_OK);
                --in_flight;
            } else if (kind == 4) {
                mon_service_reject(s, t);
            } else {
                CHECK_STATUS(mon_service_error(s, t, (mon_error_category)cat), MON_OK);
            }
            ev_tick[n] = t;
            ev_kind[n] = kind;
            ev_cat[n] = cat;
            ev_done[n] = 1;
            ++n;
            if (n % 97 == 0 || n == NEV) {
                /* query at now and a little later (read-only queries at any tick) */
                for (q = 0; q < 3; ++q) {
                    uint64_t now = t + (uint64_t)q * w * (uint64_t)(q == 2 ? k : 1);
                    uint64_t en = (now <= start) ? 0 : (now - start) / w;
                    uint64_t first = en >= k - 1 ? en - (k - 1) : 0;
                    uint64_t r[4 + 5];
                    mon_service_window win;
                    int j, c;
                    memset(r, 0, sizeof r);
                    for (j = 0; j < n; ++j) {
                        uint64_t e = ev_tick[j] <= start ? 0 : (ev_tick[j] - start) / w;
                        if (e < first || e > en) {
                            continue;
                        }
                        switch (ev_kind[j]) {
                        case 0: r[0]++; break;
                        case 1: r[1]++; break;
                        case 2:
                            r[3]++;
                            r[4 + ev_cat[j]]++;
                            break;
                        case 3: r[2]++; break;
                        case 4:
                            r[0]++;
                            r[2]++;
                            break;
                        default: r[4 + ev_cat[j]]++; break;
                        }
                    }
                    CHECK_STATUS(mon_service_window_counts(s, now, &win), MON_OK);
                    CHECK(win.counts.received == r[0]);
                    CHECK(win.counts.processed == r[1]);
                    CHECK(win.counts.dropped == r[2]);
                    CHECK(win.counts.failed == r[3]);
                    CHECK(win.counts.in_flight == 0);
                    for (c = 0; c < 5; ++c) {
                        CHECK(win.counts.errors[c] == r[4 + c]);
                    }
                    CHECK(win.from_tick == start + first * w);
                    CHECK(win.to_tick == now);
                    CHECK(win.span_ticks == (now > win.from_tick ? now - win.from_tick : 0));
                }
            }
        }
        {
            mon_service_counts c;
            /* zeroed: gcc -O3 cannot see that MON_OK implies *out was written
             * (-Werror=maybe-uninitialized in the cross matrix's x86_64-gcc-O3 target) */
            memset(&c, 0, sizeof c);
            CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
            CHECK(c.in_flight == in_flight);
            CHECK(c.received == c.processed + c.failed + c.dropped + c.in_flight);
        }
    }
    (void)ev_done;
}

/* REQ: MON-REQ-SVC-002 */
static void test_old_events_and_edges(void)
{
    mon_service *s = make(10, 100, 3);
    mon_service_window win;
    mon_service_counts c;
    mon_service_begin(s, 0);   /* before start: epoch 0 */
    mon_service_begin(s, 150); /* epoch 5 */
    mon_service_begin(s, 105); /* epoch 0: slot 0 still holds epoch 0 */
    mon_service_begin(s, 120); /* epoch 2, slot 2 holds epoch 5: left the window */
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == 4 && c.in_flight == 4);
    CHECK_STATUS(mon_service_window_counts(s, 155, &win), MON_OK);
    CHECK(win.counts.received == 1); /* only epoch 5 is in 3..5 */
    CHECK(win.from_tick == 130 && win.span_ticks == 25);
    CHECK_STATUS(mon_service_window_counts(s, 50, &win), MON_OK); /* before start */
    CHECK(win.counts.received == 2 && win.from_tick == 100 && win.span_ticks == 0);
    /* huge ticks: no overflow */
    s = make(1, 0, 2);
    mon_service_begin(s, UINT64_MAX);
    mon_service_begin(s, UINT64_MAX - 1);
    CHECK_STATUS(mon_service_window_counts(s, UINT64_MAX, &win), MON_OK);
    CHECK(win.counts.received == 2);
}

/* REQ: MON-REQ-SVC-003 */
static void test_saturation(void)
{
    mon_service *s = make(10, 0, 2);
    mon_service_counts c;
    s->total[F_RECEIVED] = UINT64_MAX - 1;
    mon_service_begin(s, 1);
    mon_service_begin(s, 1);
    mon_service_begin(s, 1);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == UINT64_MAX);
    CHECK(c.in_flight == 3);
    counts_of(s, 0)[F_RECEIVED] = UINT64_MAX - 1; /* window sum saturates too */
    s->ring[1].tag = 2;
    counts_of(s, 1)[F_RECEIVED] = 5;
    {
        mon_service_window win;
        CHECK_STATUS(mon_service_window_counts(s, 15, &win), MON_OK);
        CHECK(win.counts.received == UINT64_MAX);
    }
}

#if !MON_SINGLE_THREADED
#define NTHREADS 8
#define PER_THREAD 20000
static void *worker(void *arg)
{
    mon_service *s = (mon_service *)arg;
    int i;
    for (i = 0; i < PER_THREAD; ++i) {
        uint64_t t = (uint64_t)i;
        mon_service_begin(s, t);
        if (i % 10 == 0) {
            (void)mon_service_fail(s, t, (mon_error_category)(i / 10 % 5));
        } else if (i % 10 == 1) {
            (void)mon_service_drop(s, t);
        } else {
            (void)mon_service_ok(s, t);
        }
        if (i % 100 == 0) {
            mon_service_reject(s, t);
        }
    }
    return NULL;
}

static int totals_done;
static uint64_t totals_reads;

/* Reads the totals while the workers record: every read is one consistent state. */
static void *totals_reader(void *arg)
{
    const mon_service *s = (const mon_service *)arg;
    while (!__atomic_load_n(&totals_done, __ATOMIC_ACQUIRE)) {
        mon_service_counts c;
        CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
        CHECK(c.received == c.processed + c.failed + c.dropped + c.in_flight);
        CHECK(c.in_flight <= 2 * NTHREADS); /* begun, or a reject between its two counts */
        ++totals_reads;
    }
    return NULL;
}

/* REQ: MON-REQ-THREAD-001 */
static void test_threads(void)
{
    mon_service *s = make(1000, 0, 8);
    pthread_t th[NTHREADS], reader;
    mon_service_counts c;
    int i;
    CHECK(pthread_create(&reader, NULL, totals_reader, s) == 0);
    for (i = 0; i < NTHREADS; ++i) {
        CHECK(pthread_create(&th[i], NULL, worker, s) == 0);
    }
    for (i = 0; i < NTHREADS; ++i) {
        CHECK(pthread_join(th[i], NULL) == 0);
    }
    __atomic_store_n(&totals_done, 1, __ATOMIC_RELEASE);
    CHECK(pthread_join(reader, NULL) == 0);
    CHECK(totals_reads > 0u);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == (uint64_t)NTHREADS * (PER_THREAD + PER_THREAD / 100));
    CHECK(c.failed == (uint64_t)NTHREADS * PER_THREAD / 10);
    CHECK(c.dropped == (uint64_t)NTHREADS * (PER_THREAD / 10 + PER_THREAD / 100));
    CHECK(c.processed == (uint64_t)NTHREADS * PER_THREAD * 8 / 10);
    CHECK(c.in_flight == 0);
    for (i = 0; i < 5; ++i) {
        CHECK(c.errors[i] == (uint64_t)NTHREADS * PER_THREAD / 10 / 5);
    }
}

/* 8 threads advance one shared clock and count events at (sometimes stale) ticks while the
 * slots rotate all the time; a 9th thread queries windows meanwhile. The window at the newest
 * tick must hold exactly the events of its epochs (no slot of those epochs can have been
 * reused), and the totals every event. */
#define ROT_SLOT_TICKS 4u
#define ROT_SLOTS 4u
#define ROT_PER_THREAD 30000
#define ROT_EPOCHS (NTHREADS * ROT_PER_THREAD / ROT_SLOT_TICKS + 2)
static uint64_t rot_clock;
static int rot_done;
static uint32_t rot_tally[NTHREADS][ROT_EPOCHS];
static uint64_t rot_max[NTHREADS];

static void *rot_worker(void *arg)
{
    mon_service *s = (mon_service *)mem;
    int id = (int)(intptr_t)arg, i;
    uint64_t x = 0x9e3779b97f4a7c15u * (uint64_t)(id + 1);
    for (i = 0; i < ROT_PER_THREAD; ++i) {
        uint64_t t = __atomic_fetch_add(&rot_clock, 1u, __ATOMIC_RELAXED) / 2u;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x % 8u == 0u) t = t > x % 25u ? t - x % 25u : 0u;
        if (t > rot_max[id]) rot_max[id] = t;
        mon_service_reject(s, t); /* received + 1, dropped + 1 */
        rot_tally[id][t / ROT_SLOT_TICKS] += 1u;
    }
    (void)arg;
    return NULL;
}

static void *rot_reader(void *arg)
{
    const mon_service *s = (const mon_service *)mem;
    (void)arg;
    while (!__atomic_load_n(&rot_done, __ATOMIC_ACQUIRE)) {
        mon_service_window w;
        uint64_t now = __atomic_load_n(&rot_clock, __ATOMIC_RELAXED) / 2u;
        CHECK_STATUS(mon_service_window_counts(s, now, &w), MON_OK);
        /* a reject adds received then dropped: at most one event per thread in between */
        CHECK(w.counts.received <= w.counts.dropped + NTHREADS &&
              w.counts.dropped <= w.counts.received + NTHREADS);
    }
    return NULL;
}

/* REQ: MON-REQ-SVC-002, MON-REQ-THREAD-001 */
static void test_rotation_threads(void)
{
    mon_service *s = make(ROT_SLOT_TICKS, 0, ROT_SLOTS);
    pthread_t th[NTHREADS], reader;
    mon_service_counts c;
    mon_service_window w;
    uint64_t max_tick = 0, want = 0, e_now, e;
    int i, k;
    CHECK(pthread_create(&reader, NULL, rot_reader, NULL) == 0);
    for (i = 0; i < NTHREADS; ++i) {
        CHECK(pthread_create(&th[i], NULL, rot_worker, (void *)(intptr_t)i) == 0);
    }
    for (i = 0; i < NTHREADS; ++i) {
        CHECK(pthread_join(th[i], NULL) == 0);
    }
    __atomic_store_n(&rot_done, 1, __ATOMIC_RELEASE);
    CHECK(pthread_join(reader, NULL) == 0);
    CHECK_STATUS(mon_service_totals(s, &c), MON_OK);
    CHECK(c.received == (uint64_t)NTHREADS * ROT_PER_THREAD);
    CHECK(c.dropped == (uint64_t)NTHREADS * ROT_PER_THREAD);
    for (k = 0; k < NTHREADS; ++k) {
        if (rot_max[k] > max_tick) max_tick = rot_max[k];
    }
    e_now = max_tick / ROT_SLOT_TICKS;
    for (k = 0; k < NTHREADS; ++k) {
        for (e = e_now + 1u - ROT_SLOTS; e <= e_now; ++e) want += rot_tally[k][e];
    }
    CHECK_STATUS(mon_service_window_counts(s, max_tick, &w), MON_OK);
    CHECK(w.counts.received == want && w.counts.dropped == want && want > 0u);
}
#endif

/* REQ: MON-REQ-WIN-001 */
static void test_window_epoch(void)
{
    mon_window_config c = {7u, 100u, 4u, 0u}, one = {1u, 0u, 1u, 0u};
    uint64_t t;
    CHECK(mon_window_epoch(&c, 0u) == 0u && mon_window_epoch(&c, 100u) == 0u);
    CHECK(mon_window_epoch(&c, 106u) == 0u && mon_window_epoch(&c, 107u) == 1u);
    for (t = 100u; t < 1000u; ++t) CHECK(mon_window_epoch(&c, t) == (t - 100u) / 7u);
    CHECK(mon_window_epoch(&c, UINT64_MAX) == (UINT64_MAX - 100u) / 7u);
    /* the cap keeps epoch + 1 representable as a slot tag */
    CHECK(mon_window_epoch(&one, UINT64_MAX) == UINT64_MAX - 1u);
    CHECK(mon_window_epoch(&one, UINT64_MAX - 1u) == UINT64_MAX - 1u);
    CHECK(mon_window_epoch(NULL, 5u) == 0u);
    c.slot_ticks = 0u;
    CHECK(mon_window_epoch(&c, 5000u) == 0u);
}

int main(void)
{
    test_config();
    test_accounting();
    test_window_reference();
    test_old_events_and_edges();
    test_saturation();
    test_window_epoch();
#if !MON_SINGLE_THREADED
    test_threads();
    test_rotation_threads();
#endif
    MON_TEST_MAIN_END();
}
