/*
 * UTF-16 to UTF-8 (utf.h) and the little-endian readers (endian.h): every
 * boundary of the encoded length, surrogates alone and in pairs, the NUL
 * stop, both byte orders, the four-units-at-a-time path against the unit
 * by unit one, and the byte-wise readers at odd addresses.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "endian.h"
#include "utf.h"

/* u as UTF-16 of the given order into buf; returns the bytes. */
static size_t enc16(const uint16_t *u, size_t n, int be, unsigned char *buf)
{
    for (size_t i = 0; i < n; i++) {
        buf[2 * i + (be ? 1 : 0)] = (unsigned char)(u[i] & 0xFF);
        buf[2 * i + (be ? 0 : 1)] = (unsigned char)(u[i] >> 8);
    }
    return 2 * n;
}

/* Converts u both ways and checks both give want (want_len bytes). */
static void expect(const uint16_t *u, size_t n, const char *want,
                   size_t want_len)
{
    unsigned char raw[256];
    char out[3 * 128 + 1];
    cr_assert_leq(n, 128);
    for (int be = 0; be < 2; be++) {
        enc16(u, n, be, raw);
        memset(out, 'X', sizeof out);
        size_t k = be ? cb_utf16be_to_utf8(raw, n, out)
                      : cb_utf16le_to_utf8(raw, n, out);
        cr_assert_eq(k, want_len, "%s: %zu bytes, want %zu", be ? "BE" : "LE",
                     k, want_len);
        cr_assert(memcmp(out, want, want_len) == 0, "%s: wrong bytes",
                  be ? "BE" : "LE");
        cr_assert_leq(k, 3 * n);
    }
}

#define EXPECT(want, ...)                                                      \
    do {                                                                       \
        const uint16_t u_[] = {__VA_ARGS__};                                   \
        expect(u_, sizeof u_ / sizeof u_[0], want, sizeof want - 1);           \
    } while (0)

Test(utf, put_writes_every_encoded_length_at_its_boundaries)
{
    static const struct {
        uint32_t cp;
        const char *want;
        size_t len;
    } t[] = {
        {0x00, "\0", 1},
        {0x7F, "\x7F", 1},
        {0x80, "\xC2\x80", 2},
        {0x7FF, "\xDF\xBF", 2},
        {0x800, "\xE0\xA0\x80", 3},
        {0xD7FF, "\xED\x9F\xBF", 3},
        {0xE000, "\xEE\x80\x80", 3},
        {0xFFFD, "\xEF\xBF\xBD", 3},
        {0xFFFF, "\xEF\xBF\xBF", 3},
        {0x10000, "\xF0\x90\x80\x80", 4},
        {0x10FFFF, "\xF4\x8F\xBF\xBF", 4},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char o[4];
        size_t k = cb_utf8_put(o, t[i].cp);
        cr_assert_eq(k, t[i].len, "U+%04X", (unsigned)t[i].cp);
        cr_assert(memcmp(o, t[i].want, k) == 0, "U+%04X", (unsigned)t[i].cp);
    }
}

Test(utf, put_replaces_surrogates_and_values_past_unicode)
{
    static const uint32_t bad[] = {0xD800, 0xDBFF,   0xDC00,
                                   0xDFFF, 0x110000, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char o[4];
        cr_assert_eq(cb_utf8_put(o, bad[i]), 3);
        cr_assert(memcmp(o, "\xEF\xBF\xBD", 3) == 0);
    }
}

Test(utf, each_length_boundary_from_utf16)
{
    EXPECT("\x7F", 0x7F);
    EXPECT("\xC2\x80", 0x80);
    EXPECT("\xDF\xBF", 0x7FF);
    EXPECT("\xE0\xA0\x80", 0x800);
    EXPECT("\xEF\xBF\xBF", 0xFFFF);
    EXPECT("\xF0\x90\x80\x80", 0xD800, 0xDC00); /* U+10000 */
    EXPECT("\xF4\x8F\xBF\xBF", 0xDBFF, 0xDFFF); /* U+10FFFF */
    EXPECT("\xF0\x9F\x98\x80", 0xD83D, 0xDE00); /* U+1F600 */
    EXPECT("a\xC3\xA9z", 'a', 0xE9, 'z');
}

Test(utf, lone_surrogates_become_the_replacement)
{
    EXPECT("\xEF\xBF\xBD", 0xD800); /* high at the end */
    EXPECT("\xEF\xBF\xBD", 0xDC00); /* low alone */
    EXPECT("\xEF\xBF\xBD"
           "a",
           0xD800, 'a');                                /* high, then not low */
    EXPECT("\xEF\xBF\xBD\xEF\xBF\xBD", 0xDFFF, 0xD800); /* reversed pair */
    /* a high followed by a high: the second may still start a pair */
    EXPECT("\xEF\xBF\xBD\xF0\x90\x80\x80", 0xD800, 0xD800, 0xDC00);
    EXPECT("\xEF\xBF\xBD\xEF\xBF\xBD", 0xDC00, 0xDC00);
}

Test(utf, a_nul_unit_stops_the_conversion)
{
    EXPECT("", 0);
    EXPECT("ab", 'a', 'b', 0, 'c');
    EXPECT("abcdefg", 'a', 'b', 'c', 'd', 'e', 'f', 'g', 0, 'h', 'i', 'j', 'k');
    /* NUL inside a block of four ASCII units */
    EXPECT("abc", 'a', 'b', 'c', 0, 'e', 'f', 'g', 'h');
    EXPECT("a", 'a', 0, 0, 0);
    /* a high surrogate then NUL: the pair is cut */
    EXPECT("\xEF\xBF\xBD", 0xD800, 0, 'x');
    /* 0x0100 is not NUL though one of its bytes is */
    EXPECT("\xC4\x80", 0x100);
}

Test(utf, zero_units_write_nothing)
{
    char o[1] = {'X'};
    cr_assert_eq(cb_utf16le_to_utf8((const unsigned char *)"", 0, o), 0);
    cr_assert_eq(cb_utf16be_to_utf8((const unsigned char *)"", 0, o), 0);
    cr_assert_eq(o[0], 'X');
}

Test(utf, byte_orders_are_not_confused)
{
    /* "A" little-endian is U+4100 read big-endian, and back */
    const unsigned char le_a[] = {'A', 0};
    char o[4];
    cr_assert_eq(cb_utf16le_to_utf8(le_a, 1, o), 1);
    cr_assert_eq(o[0], 'A');
    cr_assert_eq(cb_utf16be_to_utf8(le_a, 1, o), 3);
    cr_assert(memcmp(o, "\xE4\x84\x80", 3) == 0);
    /* four ASCII units of one order are no ASCII units of the other */
    const unsigned char be4[] = {0, 'a', 0, 'b', 0, 'c', 0, 'd'};
    char out[12];
    cr_assert_eq(cb_utf16be_to_utf8(be4, 4, out), 4);
    cr_assert(memcmp(out, "abcd", 4) == 0);
    /* read little-endian they are U+6100..U+6400, three bytes each */
    cr_assert_eq(cb_utf16le_to_utf8(be4, 4, out), 12);
    cr_assert(memcmp(out, "\xE6\x84\x80\xE6\x88\x80", 6) == 0);
}

/* The unit-by-unit reference: what the fast path must agree with. */
static size_t slow(const uint16_t *u, size_t n, char *o)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = u[i];
        if (c == 0)
            break;
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && u[i + 1] >= 0xDC00 &&
            u[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
            i++;
        }
        k += cb_utf8_put(o + k, c);
    }
    return k;
}

Test(utf, the_four_unit_path_agrees_with_unit_by_unit_at_every_offset)
{
    /* mostly ASCII with the odd wide unit, NUL or surrogate, at every
     * length and start so each lands in every slot of a block of four */
    static const uint16_t pool[] = {'a',   'b',    'c',    'd',    0x7F,   0x80,
                                    0xE9,  0x20AC, 0xD83D, 0xDE00, 0xDC00, 0,
                                    0x100, 0x7F00, 0x8000, 0xFFFF};
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    uint16_t u[64];
    unsigned char raw[2 * 64 + 1];
    char got[3 * 64], want[3 * 64];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 64);
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            /* ASCII three times in four */
            u[i] = s & 3 ? (uint16_t)('A' + (s >> 8) % 26)
                         : pool[(s >> 8) % (sizeof pool / sizeof pool[0])];
        }
        size_t wk = slow(u, n, want);
        for (int be = 0; be < 2; be++) {
            /* odd address: the loads must not need alignment */
            enc16(u, n, be, raw + 1);
            size_t k = be ? cb_utf16be_to_utf8(raw + 1, n, got)
                          : cb_utf16le_to_utf8(raw + 1, n, got);
            cr_assert_eq(k, wk, "round %d %s", round, be ? "BE" : "LE");
            cr_assert(memcmp(got, want, k) == 0, "round %d", round);
        }
    }
}

Test(endian, little_endian_reads_at_any_address)
{
    const unsigned char b[] = {0xAA, 0x01, 0x02, 0x03, 0x04,
                               0x05, 0x06, 0x07, 0xF8};
    cr_assert_eq(cb_le16(b + 1), 0x0201);
    cr_assert_eq(cb_le16(b + 7), 0xF807);
    cr_assert_eq(cb_le32(b + 1), 0x04030201u);
    cr_assert_eq(cb_le32(b + 5), 0xF8070605u);
    cr_assert_eq(cb_le64(b + 1), 0xF807060504030201ULL);
    const unsigned char ff[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    cr_assert_eq(cb_le64(ff), UINT64_MAX);
    cr_assert_eq(cb_le32(ff), UINT32_MAX);
    cr_assert_eq(cb_le16(ff), UINT16_MAX);
}
