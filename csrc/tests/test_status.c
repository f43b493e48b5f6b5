#include <string.h>
#include "monitor.h"
#include "mon_test.h"

/* REQ: MON-REQ-STATUS-001 */
int main(void)
{
    int s;
    CHECK(strcmp(mon_status_str(MON_OK), "ok") == 0);
    for (s = 1; s <= 14; ++s) {
        CHECK(strcmp(mon_status_str((mon_status)s), "unknown status code") != 0);
        CHECK(strncmp(mon_status_name((mon_status)s), "MON_E_", 6) == 0);
    }
    CHECK(strcmp(mon_status_str((mon_status)999), "unknown status code") == 0);
    /* the version: the library's string is the header's, and it spells the three numbers */
    {
        char expect[32];
        CHECK(strcmp(mon_version(), MON_VERSION_STRING) == 0);
        snprintf(expect, sizeof expect, "%d.%d.%d", MON_VERSION_MAJOR, MON_VERSION_MINOR,
                 MON_VERSION_PATCH);
        CHECK(strcmp(mon_version(), expect) == 0);
        CHECK(MON_VERSION_NUMBER ==
              MON_VERSION_MAJOR * 10000 + MON_VERSION_MINOR * 100 + MON_VERSION_PATCH);
    }
    MON_TEST_MAIN_END();
}
