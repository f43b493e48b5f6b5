/* libFuzzer harness: the audit ledger's offline verifier (mon_ledger_verify, mon_ledger_decode)
 * on arbitrary bytes. Never reads outside the input (ASan), no undefined behaviour (UBSan), and
 * the report is consistent: the good prefix verifies on its own with the same head, an anchor
 * taken from a good ledger accepts it, the first bad entry is within the input, and every
 * entry of a good ledger decodes. Each input is checked as is, and again with every entry's
 * hash and link recomputed, so that mutations reach the checks behind the hashes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

#define EB MON_LEDGER_ENTRY_BYTES

static void check_bytes(const uint8_t *data, size_t size)
{
    mon_ledger_report r, r2;
    mon_ledger_anchor a;
    mon_status s = mon_ledger_verify(data, size, NULL, &r);
    uint64_t n = size / EB, i;
    REQUIRE(r.count <= n && r.first_bad <= n);
    if (s == MON_OK) {
        REQUIRE(r.fault == MON_LEDGER_OK && r.count == n && r.first_bad == n && n > 0);
        a.count = r.count;
        memcpy(a.head, r.head, 32);
        REQUIRE(mon_ledger_verify(data, size, &a, &r2) == MON_OK);
        a.head[0] ^= 1;
        REQUIRE(mon_ledger_verify(data, size, &a, &r2) == MON_E_CHECKSUM);
        a.head[0] ^= 1;
        a.count = n + 1;
        REQUIRE(mon_ledger_verify(data, size, &a, &r2) == MON_E_TRUNCATED);
        for (i = 0; i < n; ++i) {
            mon_ledger_entry e;
            REQUIRE(mon_ledger_decode(data + i * EB, EB, &e) == MON_OK && e.index == i);
        }
    } else {
        REQUIRE(r.fault != MON_LEDGER_OK && r.count == r.first_bad);
        if (r.count > 0) {
            REQUIRE(mon_ledger_verify(data, (size_t)r.count * EB, NULL, &r2) == MON_OK);
            REQUIRE(memcmp(r2.head, r.head, 32) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fixed[64 * EB];
    size_t n, i;
    check_bytes(data, size);
    if (size > sizeof fixed) return 0;
    memcpy(fixed, data, size);
    n = size / EB;
    for (i = 0; i < n; ++i) {
        uint8_t *e = fixed + i * EB;
        if (i > 0) memcpy(e + 32, e - EB + 192, 32);
        (void)mon_sha256(e, 192, e + 192);
    }
    check_bytes(fixed, size);
    return 0;
}
