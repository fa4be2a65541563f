/*
 * term.c - one sanitiser for everything printed to a terminal (term.h).
 * UTF-8 is decoded strictly (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF); whatever is not a printable character becomes
 * a single '?', so the printed line keeps the shape of the original.
 */
#include <stdint.h>

#include "term.h"

/* Length of the valid UTF-8 sequence at s and its code point, or 0. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0; /* a continuation byte, 0xC0, 0xC1 or 0xF5-0xFF */
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the NUL */
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static int acts_on_terminal(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t cb_term_clean(const char *in, char *out, size_t size)
{
    if (size == 0)
        return 0;
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t j = 0;
    while (*s) {
        uint32_t cp;
        size_t n = decode(s, &cp);
        const unsigned char *put = s;
        size_t len = n;
        if (n == 0 || acts_on_terminal(cp)) {
            put = (const unsigned char *)"?";
            len = 1;
            n = n ? n : 1; /* an invalid byte is replaced alone */
        }
        if (j + len >= size)
            break;
        for (size_t i = 0; i < len; i++)
            out[j++] = (char)put[i];
        s += n;
    }
    out[j] = '\0';
    return j;
}
