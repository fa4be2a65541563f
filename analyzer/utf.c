/*
 * utf.c - UTF-16 (either byte order) to UTF-8, as described in utf.h.
 *
 * The EVTX parser converts every name and string through here, so the
 * common case, ASCII, goes four units at a time.
 */
#include <string.h>

#include "utf.h"

/* A unit of either byte order; be is a constant in each caller, so the
 * compiler keeps one branch-free copy per order. */
static inline uint32_t unit(const unsigned char *p, int be)
{
    return be ? (uint32_t)p[0] << 8 | (uint32_t)p[1]
              : (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* always_inline: else gcc keeps one out-of-line copy with be as a run-time
 * argument, 27 % more instructions on EVTX strings. */
__attribute__((always_inline)) static inline size_t
convert(const unsigned char *s, size_t n, char *o, int be)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    const int host_be = 1;
#else
    const int host_be = 0;
#endif
    /* Four units loaded as one 64-bit word hold four ASCII characters when
     * every unit's high byte is 0 and its low byte below 0x80; which bytes
     * of the word those are depends on both byte orders. */
    const uint64_t not_ascii =
        be == host_be ? 0xFF80FF80FF80FF80ULL : 0x80FF80FF80FF80FFULL;
    const size_t lo = be ? 1 : 0; /* the ASCII byte of a unit */
    char *start = o;
    size_t i = 0;
    while (i < n) {
        /* four ASCII units at a time: the common case by far */
        while (i + 4 <= n) {
            uint64_t v;
            memcpy(&v, s + 2 * i, 8);
            if ((v & not_ascii) ||
                ((v - 0x0001000100010001ULL) & ~v & 0x8000800080008000ULL))
                break; /* a non-ASCII or NUL unit among them */
            o[0] = (char)s[2 * i + lo];
            o[1] = (char)s[2 * i + 2 + lo];
            o[2] = (char)s[2 * i + 4 + lo];
            o[3] = (char)s[2 * i + 6 + lo];
            o += 4;
            i += 4;
        }
        if (i >= n)
            break;
        uint32_t cu = unit(s + 2 * i, be);
        i++;
        if (cu < 0x80) {
            if (cu == 0)
                break;
            *o++ = (char)cu;
        } else if (cu < 0xD800 || cu > 0xDFFF) {
            o += cb_utf8_put(o, cu);
        } else if (cu < 0xDC00 && i < n) {
            uint32_t low = unit(s + 2 * i, be);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                i++;
                o += cb_utf8_put(o, 0x10000 + ((cu - 0xD800) << 10) +
                                        (low - 0xDC00));
            } else {
                /* the unit after is read again on its own */
                o += cb_utf8_put(o, CB_UTF_REPLACEMENT);
            }
        } else {
            o += cb_utf8_put(o, CB_UTF_REPLACEMENT);
        }
    }
    return (size_t)(o - start);
}

size_t cb_utf16le_to_utf8(const unsigned char *s, size_t units, char *o)
{
    return convert(s, units, o, 0);
}

size_t cb_utf16be_to_utf8(const unsigned char *s, size_t units, char *o)
{
    return convert(s, units, o, 1);
}
