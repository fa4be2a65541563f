/*
 * test_term.c - the terminal sanitiser (analyzer/term.c): the payloads of
 * issue 19 #1 (CSI colour, OSC window title, 8-bit CSI 0x9b) and every
 * class term.h names, each checked against the expected bytes written out
 * here by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "term.h"

static const char *clean(const char *in)
{
    static char out[256];
    cb_term_clean(in, out, sizeof out);
    return out;
}

Test(term, escape_sequences_lose_their_escape)
{
    cr_expect_str_eq(clean("Vol\x1b[31mRED\x1b[0m"), "Vol?[31mRED?[0m");
    cr_expect_str_eq(clean("\x1b]0;pwned\x07title"), "?]0;pwned?title");
    cr_expect_str_eq(clean("a\x9b" "31mb"), "a?31mb"); /* 8-bit CSI */
    cr_expect_str_eq(clean("a\xc2\x9b" "31mb"), "a?31mb"); /* U+009B */
    cr_expect_str_eq(clean("x\x7fy"), "x?y");
}

Test(term, line_breaks_and_tabs_cannot_fake_a_line)
{
    cr_expect_str_eq(clean("one\ncasebrief: all good\r\tx"),
                     "one?casebrief: all good??x");
}

Test(term, printable_utf8_is_kept_whole)
{
    cr_expect_str_eq(clean("Kn\xc3\xb6ten \xe2\x80\x9cVM\xe2\x80\x9d "
                           "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xbe"),
                     "Kn\xc3\xb6ten \xe2\x80\x9cVM\xe2\x80\x9d "
                     "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xbe");
}

Test(term, bidi_overrides_and_isolates_are_replaced)
{
    /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE */
    cr_expect_str_eq(clean("a\xe2\x80\xae" "b\xe2\x81\xa6" "c"), "a?b?c");
    /* U+2069 is the last isolate, U+206A is not one */
    cr_expect_str_eq(clean("\xe2\x81\xa9\xe2\x81\xaa"), "?\xe2\x81\xaa");
}

Test(term, invalid_utf8_and_surrogates_become_one_mark_per_byte)
{
    cr_expect_str_eq(clean("a\xff" "b"), "a?b");
    cr_expect_str_eq(clean("\xc0\xaf"), "??");             /* overlong '/' */
    cr_expect_str_eq(clean("\xed\xa0\x80"), "???");        /* U+D800 */
    cr_expect_str_eq(clean("\xf4\x90\x80\x80"), "????");   /* > U+10FFFF */
    cr_expect_str_eq(clean("\xe2\x82"), "??");             /* cut short */
}

Test(term, the_output_never_overflows_nor_splits_a_character)
{
    char out[6];
    cr_expect_eq(cb_term_clean("abcdefgh", out, sizeof out), 5u);
    cr_expect_str_eq(out, "abcde");
    /* a 3-byte character that would end past the buffer is left out */
    cr_expect_eq(cb_term_clean("abc\xe2\x82\xac", out, sizeof out), 3u);
    cr_expect_str_eq(out, "abc");
    cr_expect_eq(cb_term_clean("x", out, 1), 0u);
    cr_expect_str_eq(out, "");
    cr_expect_eq(cb_term_clean(NULL, out, sizeof out), 0u);
}
