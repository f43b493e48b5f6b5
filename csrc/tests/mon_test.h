/* Minimal test harness for the C unit tests: CHECK(cond) records a failure and continues;
 * MON_TEST_MAIN_END returns non-zero when any check failed. Tests may use stdio/libm. */
#ifndef MON_TEST_H
#define MON_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int mon_test_failures = 0;
static int mon_test_checks = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        ++mon_test_checks;                                                           \
        if (!(cond)) {                                                               \
            ++mon_test_failures;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(expr, expected) CHECK((expr) == (expected))

#define MON_TEST_MAIN_END()                                                   \
    do {                                                                      \
        printf("%d checks, %d failed\n", mon_test_checks, mon_test_failures); \
        return mon_test_failures ? 1 : 0;                                     \
    } while (0)

#endif
