#include <string.h>
#include "monitor.h"
#include "mon_test.h"

int main(void)
{
    int s;
    CHECK(strcmp(mon_status_str(MON_OK), "ok") == 0);
    for (s = 1; s <= 14; ++s) {
        CHECK(strcmp(mon_status_str((mon_status)s), "unknown status code") != 0);
        CHECK(strncmp(mon_status_name((mon_status)s), "MON_E_", 6) == 0);
    }
    CHECK(strcmp(mon_status_str((mon_status)999), "unknown status code") == 0);
    MON_TEST_MAIN_END();
}
