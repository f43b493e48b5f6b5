/* libFuzzer harness: mon_status_str / mon_status_name for arbitrary codes (never NULL, never
 * empty, known codes named MON_*). Mostly a check of the fuzzing infrastructure itself. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

/* REQ: MON-REQ-STATUS-001 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t code = 0;
    const char *msg, *name;
    if (size > 4) size = 4;
    memcpy(&code, data, size);
    msg = mon_status_str((mon_status)code);
    name = mon_status_name((mon_status)code);
    if (msg == NULL || name == NULL || msg[0] == '\0' || strncmp(name, "MON_", 4) != 0)
        __builtin_trap();
    return 0;
}
