/*
 * utf.h - the one UTF-16 to UTF-8 conversion of casebrief, and its one
 * replacement policy: whatever is not a Unicode scalar value (a lone
 * surrogate, a code point over U+10FFFF, a pair cut by the end of the
 * input) becomes U+FFFD. Internal to casebrief.
 */
#ifndef CASEBRIEF_UTF_H
#define CASEBRIEF_UTF_H

#include <stddef.h>
#include <stdint.h>

#define CB_UTF_REPLACEMENT 0xFFFDu

/* cp as UTF-8 at o, which has room for 4 bytes; a surrogate (D800-DFFF)
 * or cp > 0x10FFFF is written as U+FFFD. Returns the bytes written. */
static inline size_t cb_utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = CB_UTF_REPLACEMENT;
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * units UTF-16LE code units at s as UTF-8 at o, which has room for
 * 3 * units bytes (a pair is 2 units and 4 bytes, anything else at most 3
 * per unit). Stops at a NUL unit, which is not written; no NUL is added.
 * A surrogate that is not half of a pair becomes U+FFFD. Returns the bytes
 * written.
 */
size_t cb_utf16le_to_utf8(const unsigned char *s, size_t units, char *o);
/* The same for UTF-16BE. */
size_t cb_utf16be_to_utf8(const unsigned char *s, size_t units, char *o);

#endif
