/* mon_sha256: FIPS 180-4 / NIST CAVP vectors, every split of a message into updates, unaligned
 * input, and every status path. */
#include <string.h>
#include "monitor.h"
#include "mon_test.h"

static void hex_of(const uint8_t d[32], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 32; ++i) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

static int digest_is(const void *msg, size_t n, const char *want)
{
    uint8_t d[32];
    char hex[65];
    if (mon_sha256(msg, n, d) != MON_OK) return 0;
    hex_of(d, hex);
    return strcmp(hex, want) == 0;
}

/* REQ: MON-REQ-SHA-001 */
int main(void)
{
    static uint8_t big[1000000];
    static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char m896[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
        "lmnopqrsmnopqrstnopqrstu";
    uint8_t d1[32], d2[32], unaligned[200];
    mon_sha256_ctx c;
    size_t split, i;

    /* FIPS 180-4 examples and the NIST long-message vector */
    CHECK(digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(digest_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(digest_is(m448, 56, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    CHECK(digest_is(m896, 112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
    memset(big, 'a', sizeof big);
    CHECK(digest_is(big, sizeof big,
                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));

    /* every split point of a 130-byte message gives the one-shot digest */
    for (i = 0; i < 130; ++i) big[i] = (uint8_t)(i * 37u + 11u);
    CHECK(mon_sha256(big, 130, d1) == MON_OK);
    for (split = 0; split <= 130; ++split) {
        CHECK(mon_sha256_init(&c) == MON_OK);
        CHECK(mon_sha256_update(&c, big, split) == MON_OK);
        CHECK(mon_sha256_update(&c, NULL, 0) == MON_OK);
        CHECK(mon_sha256_update(&c, big + split, 130 - split) == MON_OK);
        CHECK(mon_sha256_final(&c, d2) == MON_OK);
        CHECK(memcmp(d1, d2, 32) == 0);
    }
    /* input at every alignment */
    for (i = 1; i < 9; ++i) {
        memcpy(unaligned + i, big, 130);
        CHECK(mon_sha256(unaligned + i, 130, d2) == MON_OK);
        CHECK(memcmp(d1, d2, 32) == 0);
    }

    /* status paths */
    CHECK_STATUS(mon_sha256_init(NULL), MON_E_NULL);
    CHECK_STATUS(mon_sha256_update(NULL, "a", 1), MON_E_NULL);
    CHECK_STATUS(mon_sha256(NULL, 1, d1), MON_E_NULL);
    CHECK_STATUS(mon_sha256("a", 1, NULL), MON_E_NULL);
    CHECK(mon_sha256_init(&c) == MON_OK);
    CHECK_STATUS(mon_sha256_update(&c, NULL, 1), MON_E_NULL);
    CHECK_STATUS(mon_sha256_final(&c, NULL), MON_E_NULL);
    CHECK_STATUS(mon_sha256_final(NULL, d1), MON_E_NULL);
    CHECK(mon_sha256_final(&c, d1) == MON_OK);
    CHECK_STATUS(mon_sha256_update(&c, "a", 1), MON_E_STATE); /* finalised */
    CHECK_STATUS(mon_sha256_final(&c, d1), MON_E_STATE);
    memset(&c, 0xA5, sizeof c); /* never initialised */
    CHECK_STATUS(mon_sha256_update(&c, "a", 1), MON_E_STATE);
    CHECK(mon_sha256_init(&c) == MON_OK);
    c.used = 64; /* corrupted */
    CHECK_STATUS(mon_sha256_update(&c, "a", 1), MON_E_STATE);
    CHECK_STATUS(mon_sha256_final(&c, d1), MON_E_STATE);
    CHECK(mon_sha256_init(&c) == MON_OK);
    c.total = MON_SHA256_MAX_BYTES - 1u - ((MON_SHA256_MAX_BYTES - 1u) % 64u); /* a block edge */
    CHECK_STATUS(mon_sha256_update(&c, big, 64), MON_E_OVERFLOW);
    CHECK(c.used == 0u); /* nothing appended */
    CHECK(mon_sha256_update(&c, big, 1) == MON_OK);
    MON_TEST_MAIN_END();
}
