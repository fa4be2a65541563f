/*
 * CRC-32: the published check value, zlib's values for known strings,
 * and the folded (PCLMULQDQ) path against the table path over every
 * length up to a few blocks, every alignment, and chained calls.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"

Test(crc32, check_values)
{
    /* the CRC-32 catalogue's check value, and zlib's for "" and 64 'a' */
    cr_assert_eq(cb_crc32(0, "123456789", 9), 0xCBF43926u);
    cr_assert_eq(cb_crc32_portable(0, "123456789", 9), 0xCBF43926u);
    cr_assert_eq(cb_crc32(0, "", 0), 0u);
    cr_assert_eq(cb_crc32(0x12345678u, "", 0), 0x12345678u);
    char a[64];
    memset(a, 'a', sizeof a);
    cr_assert_eq(cb_crc32_portable(0, a, 64), cb_crc32(0, a, 64));
    cr_assert_eq(cb_crc32(0, "The quick brown fox jumps over the lazy dog",
                          43),
                 0x414FA339u);
}

static uint32_t bitwise(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
}

Test(crc32, every_length_and_alignment_agrees_with_the_bitwise_crc)
{
    cr_log_info("carry-less multiply in use: %d", cb_crc32_accelerated());
    enum { MAX = 700 };
    unsigned char *buf = malloc(MAX + 16);
    cr_assert_not_null(buf);
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < MAX + 16; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        buf[i] = (unsigned char)s;
    }
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n <= MAX; n++) {
            uint32_t want = bitwise(0, buf + off, n);
            cr_assert_eq(cb_crc32(0, buf + off, n), want, "n %zu off %zu",
                         n, off);
            cr_assert_eq(cb_crc32_portable(0, buf + off, n), want);
        }
    /* all ones and all zeros, where a wrong constant shows at once */
    memset(buf, 0xFF, MAX);
    cr_assert_eq(cb_crc32(0, buf, MAX), bitwise(0, buf, MAX));
    memset(buf, 0, MAX);
    cr_assert_eq(cb_crc32(0, buf, MAX), bitwise(0, buf, MAX));
    free(buf);
}

Test(crc32, chained_calls_equal_one_call)
{
    size_t n = 65536 + 37;
    unsigned char *buf = malloc(n);
    cr_assert_not_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 131 + (i >> 9));
    uint32_t whole = cb_crc32(0, buf, n);
    cr_assert_eq(whole, bitwise(0, buf, n));
    /* the EVTX chunk header's way: bytes 0..120, then 128..512 */
    for (size_t cut = 0; cut < n; cut += 4099) {
        uint32_t c = cb_crc32(cb_crc32(0, buf, cut), buf + cut, n - cut);
        cr_assert_eq(c, whole, "cut at %zu", cut);
    }
    free(buf);
}
