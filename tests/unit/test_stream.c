/*
 * test_stream.c - cb_stream over a read callback that hands out a few
 * bytes at a time, so that every line, CRLF pair and peek straddles reads.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "helpers.h"
#include "casebrief/casebrief.h"

/* A source that returns the bytes of data in chunks of 1, 2, 3, 1, 2, 3...
 * (or always `fixed` bytes when set) and fails once fail_at bytes were
 * handed out (SIZE_MAX: never). */
struct chunked {
    const char *data;
    size_t len, pos;
    size_t fail_at;
    size_t fixed;
    unsigned calls;
};

static long chunked_read(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct chunked *c = ctx;
    c->calls++;
    if (c->pos >= c->fail_at) {
        cb_error_set(err, CB_E_IO, CB_WHERE_OFFSET, c->pos,
                     "simulated read failure");
        return -1;
    }
    size_t want = c->fixed ? c->fixed : (size_t)(c->calls % 3) + 1;
    if (want > n)
        want = n;
    if (want > c->fail_at - c->pos)
        want = c->fail_at - c->pos;
    size_t left = c->len - c->pos;
    if (want > left)
        want = left;
    memcpy(buf, c->data + c->pos, want);
    c->pos += want;
    return (long)want;
}

static void open_chunked(struct cb_stream *s, struct chunked *c,
                         const char *data, size_t fixed, size_t buf_size)
{
    memset(c, 0, sizeof *c);
    c->data = data;
    c->len = strlen(data);
    c->fixed = fixed;
    c->fail_at = SIZE_MAX;
    cr_assert_eq(cb_stream_init(s, chunked_read, c, buf_size), CB_OK);
}

/* Next line must equal want (and not be cut). */
static void expect_line(struct cb_stream *s, const char *want)
{
    size_t len = 99;
    int cut = 7;
    const char *l = cb_stream_line(s, &len, &cut);
    cr_assert_not_null(l, "expected line \"%s\", got end", want);
    cr_assert_eq(len, strlen(want), "line \"%s\": length %zu, want %zu", l,
                 len, strlen(want));
    cr_assert_eq(memcmp(l, want, len), 0, "got \"%s\", want \"%s\"", l, want);
    cr_assert_eq(l[len], '\0', "line is NUL-terminated");
    cr_assert_eq(cut, 0);
}

static void expect_end(struct cb_stream *s)
{
    size_t len;
    int cut;
    cr_assert_null(cb_stream_line(s, &len, &cut));
    cr_assert_null(cb_stream_line(s, &len, &cut), "end is sticky");
}

Test(stream, lines_split_across_small_reads_come_out_whole)
{
    /* 1, 2, 3 fixed sizes and the 1-2-3 rotation: every boundary occurs */
    for (size_t fixed = 0; fixed <= 3; fixed++) {
        struct cb_stream s;
        struct chunked c;
        open_chunked(&s, &c, "alpha\nbeta\n\ngamma delta\n", fixed, 4096);
        expect_line(&s, "alpha");
        cr_assert_eq(cb_stream_tell(&s), 6u, "tell after \"alpha\\n\"");
        expect_line(&s, "beta");
        expect_line(&s, ""); /* an empty line is a line, not the end */
        expect_line(&s, "gamma delta");
        cr_assert_eq(cb_stream_tell(&s), 24u);
        expect_end(&s);
        cr_assert_eq(s.eof, 1);
        cr_assert_eq(s.failed, 0);
        cb_stream_fini(&s);
        cr_assert_null(s.buf);
    }
}

Test(stream, crlf_is_stripped_even_when_split_between_reads)
{
    for (size_t fixed = 0; fixed <= 3; fixed++) {
        struct cb_stream s;
        struct chunked c;
        open_chunked(&s, &c, "one\r\ntwo\r\n\r\nthr\ree\r\nlast\n", fixed,
                     4096);
        expect_line(&s, "one");
        expect_line(&s, "two");
        expect_line(&s, "");
        expect_line(&s, "thr\ree"); /* a lone CR inside a line stays */
        expect_line(&s, "last");
        expect_end(&s);
        cb_stream_fini(&s);
    }
}

Test(stream, last_line_without_newline_is_returned)
{
    for (size_t fixed = 0; fixed <= 3; fixed++) {
        struct cb_stream s;
        struct chunked c;
        open_chunked(&s, &c, "first\nsecond line", fixed, 4096);
        expect_line(&s, "first");
        expect_line(&s, "second line");
        cr_assert_eq(cb_stream_tell(&s), 17u);
        expect_end(&s);
        cb_stream_fini(&s);
    }
}

Test(stream, last_line_ending_in_cr_only_loses_the_cr)
{
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, "a\r\nb\r", 1, 4096);
    expect_line(&s, "a");
    expect_line(&s, "b");
    expect_end(&s);
    cb_stream_fini(&s);
}

Test(stream, empty_input_has_no_lines)
{
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, "", 0, 4096);
    expect_end(&s);
    size_t avail = 5;
    cb_stream_peek(&s, 4, &avail);
    cr_assert_eq(avail, 0u);
    cr_assert_eq(s.failed, 0);
    cb_stream_fini(&s);
}

Test(stream, peek_does_not_consume_and_line_starts_at_the_same_byte)
{
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, "hello world\nnext\n", 1, 4096);
    size_t avail = 0;
    const unsigned char *p = cb_stream_peek(&s, 5, &avail);
    cr_assert_eq(avail, 5u, "peek gathers over several 1-byte reads");
    cr_assert_eq(memcmp(p, "hello", 5), 0);
    cr_assert_eq(cb_stream_tell(&s), 0u, "peek consumes nothing");
    p = cb_stream_peek(&s, 3, &avail); /* again, shorter: same bytes */
    cr_assert_eq(avail, 3u);
    cr_assert_eq(memcmp(p, "hel", 3), 0);
    expect_line(&s, "hello world");
    p = cb_stream_peek(&s, 4, &avail);
    cr_assert_eq(avail, 4u);
    cr_assert_eq(memcmp(p, "next", 4), 0);
    /* asking for more than is left gives what there is */
    p = cb_stream_peek(&s, 100, &avail);
    cr_assert_eq(avail, 5u);
    cr_assert_eq(memcmp(p, "next\n", 5), 0);
    expect_line(&s, "next");
    cb_stream_peek(&s, 1, &avail);
    cr_assert_eq(avail, 0u);
    expect_end(&s);
    cb_stream_fini(&s);
}

Test(stream, peek_is_capped_at_the_buffer_size)
{
    static char big[10000];
    memset(big, 'x', sizeof big - 1);
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, big, 0, 4096);
    size_t avail = 0;
    cb_stream_peek(&s, 8000, &avail);
    cr_assert_eq(avail, 4096u);
    cb_stream_fini(&s);
}

Test(stream, read_copies_across_chunks_and_mixes_with_lines)
{
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, "0123456789abc\nrest\n", 0, 4096);
    char buf[16] = {0};
    cr_assert_eq(cb_stream_read(&s, buf, 10), 10u);
    cr_assert_eq(memcmp(buf, "0123456789", 10), 0);
    cr_assert_eq(cb_stream_tell(&s), 10u);
    expect_line(&s, "abc");
    expect_line(&s, "rest");
    cr_assert_eq(cb_stream_read(&s, buf, sizeof buf), 0u);
    cb_stream_fini(&s);
}

Test(stream, line_longer_than_buffer_is_cut_and_the_rest_skipped)
{
    static char data[10000 + 64];
    memset(data, 'a', 10000);
    strcpy(data + 10000, "\r\nshort\n");
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, data, 0, 4096);
    size_t len;
    int cut = 0;
    const char *l = cb_stream_line(&s, &len, &cut);
    cr_assert_not_null(l);
    cr_assert_eq(cut, 1);
    cr_assert_eq(len, 4096u, "what fits in the buffer is handed out");
    cr_assert_eq(l[0], 'a');
    cr_assert_eq(l[len - 1], 'a');
    cr_assert_eq(l[len], '\0');
    expect_line(&s, "short");
    cr_assert_eq(cb_stream_tell(&s), 10008u);
    expect_end(&s);
    cb_stream_fini(&s);
}

Test(stream, line_exactly_as_long_as_the_buffer_is_not_cut)
{
    /* buf_size is "the longest line cb_stream_line returns whole" */
    static char lf[4096 + 16], crlf[4096 + 16];
    memset(lf, 'b', 4096);
    strcpy(lf + 4096, "\nnext\n");
    memset(crlf, 'c', 4096);
    strcpy(crlf + 4096, "\r\nnext\r\n");
    const char *inputs[] = {lf, crlf};
    for (size_t i = 0; i < 2; i++) {
        struct cb_stream s;
        struct chunked c;
        open_chunked(&s, &c, inputs[i], 0, 4096);
        size_t len;
        int cut = 5;
        const char *l = cb_stream_line(&s, &len, &cut);
        cr_assert_not_null(l);
        cr_assert_eq(len, 4096u);
        cr_assert_eq(cut, 0, "input %zu: a line of buf_size bytes is whole", i);
        expect_line(&s, "next");
        expect_end(&s);
        cb_stream_fini(&s);
    }
}

Test(stream, last_line_without_newline_filling_the_buffer_is_not_cut)
{
    static char data[4096 + 1];
    memset(data, 'd', 4096);
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, data, 0, 4096);
    size_t len;
    int cut = 5;
    const char *l = cb_stream_line(&s, &len, &cut);
    cr_assert_not_null(l);
    cr_assert_eq(len, 4096u);
    cr_assert_eq(cut, 0);
    expect_end(&s);
    cb_stream_fini(&s);
}

Test(stream, memory_stream_of_one_line_without_newline_is_not_cut)
{
    /* cb_stream_init_mem sizes the buffer from the input length */
    static char data[5000];
    memset(data, 'm', sizeof data);
    struct cb_stream s;
    cr_assert_eq(cb_stream_init_mem(&s, data, sizeof data), CB_OK);
    size_t len;
    int cut = 5;
    const char *l = cb_stream_line(&s, &len, &cut);
    cr_assert_not_null(l);
    cr_assert_eq(len, sizeof data);
    cr_assert_eq(cut, 0);
    expect_end(&s);
    cb_stream_fini(&s);
}

Test(stream, memory_stream_reads_lines)
{
    const char text[] = "x1\r\ny2\nz3";
    struct cb_stream s;
    cr_assert_eq(cb_stream_init_mem(&s, text, sizeof text - 1), CB_OK);
    expect_line(&s, "x1");
    expect_line(&s, "y2");
    expect_line(&s, "z3");
    expect_end(&s);
    cb_stream_fini(&s);
}

Test(stream, read_error_mid_stream_sets_failed_and_keeps_the_error)
{
    const char *text = "good line\nsecond line\nthird line\n";
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, text, 0, 4096);
    c.fail_at = 14; /* inside "second line" */
    expect_line(&s, "good line");
    cr_assert_eq(s.failed, 0);
    size_t len;
    int cut;
    int lines = 0;
    while (cb_stream_line(&s, &len, &cut) && lines < 10)
        lines++;
    cr_assert_leq(lines, 1, "nothing past the failure is returned");
    cr_assert_eq(s.failed, 1);
    cr_assert_eq(s.eof, 0, "a failure is not end of data");
    cr_assert_eq(s.err.code, CB_E_IO);
    cr_assert_not_null(strstr(s.err.msg, "simulated read failure"));
    unsigned calls = c.calls;
    cr_assert_null(cb_stream_line(&s, &len, &cut));
    char buf[8];
    cr_assert_eq(cb_stream_read(&s, buf, sizeof buf), 0u);
    size_t avail = 9;
    cb_stream_peek(&s, 4, &avail);
    cr_assert_eq(avail, 0u);
    cr_assert_eq(c.calls, calls, "a failed stream does not read again");
    cb_stream_fini(&s);
}

Test(stream, read_error_before_any_byte_gives_no_line)
{
    struct cb_stream s;
    struct chunked c;
    open_chunked(&s, &c, "never seen\n", 0, 4096);
    c.fail_at = 0; /* the very first read fails */
    size_t len;
    int cut;
    cr_assert_null(cb_stream_line(&s, &len, &cut));
    cr_assert_eq(s.failed, 1);
    cr_assert_eq(s.err.code, CB_E_IO);
    cb_stream_fini(&s);
}

/* Large reads with nothing buffered go to the caller's memory directly:
 * the bytes, the offsets and a peek after them are those of the input,
 * whatever piece sizes the source returns. */
Test(stream, large_reads_mix_with_peeks_and_lines_at_the_right_offsets)
{
    size_t n = 300000;
    char *data = malloc(n + 1);
    cr_assert_not_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    memcpy(data + 250000, "\nline one\n", 10);
    data[n] = '\0';
    for (size_t piece = 1000; piece <= 70000; piece += 23000) {
        struct cb_stream s;
        struct chunked c;
        open_chunked(&s, &c, data, piece, 4096);
        char *buf = malloc(n);
        cr_assert_not_null(buf);
        size_t avail;
        const unsigned char *h = cb_stream_peek(&s, 100, &avail);
        cr_assert_eq(avail, 100u);
        cr_assert_eq(memcmp(h, data, 100), 0);
        /* buffered bytes first, then direct reads */
        cr_assert_eq(cb_stream_read(&s, buf, 100000), 100000u);
        cr_assert_eq(memcmp(buf, data, 100000), 0, "piece %zu", piece);
        cr_assert_eq(cb_stream_tell(&s), 100000u);
        cr_assert_eq(cb_stream_read(&s, buf, 150000), 150000u);
        cr_assert_eq(memcmp(buf, data + 100000, 150000), 0);
        cr_assert_eq(cb_stream_tell(&s), 250000u);
        h = cb_stream_peek(&s, 10, &avail);
        cr_assert_eq(avail, 10u);
        cr_assert_eq(memcmp(h, "\nline one\n", 10), 0);
        expect_line(&s, "");
        expect_line(&s, "line one");
        cr_assert_eq(cb_stream_tell(&s), 250010u);
        size_t rest = n - 250010;
        cr_assert_eq(cb_stream_read(&s, buf, n), rest);
        cr_assert_eq(memcmp(buf, data + 250010, rest), 0);
        cr_assert_eq(cb_stream_tell(&s), (uint64_t)n);
        cr_assert_eq(cb_stream_read(&s, buf, 40000), 0u);
        free(buf);
        cb_stream_fini(&s);
    }
    free(data);
}

/* ---- text: encoding sniffed once, UTF-16 converted ------------------------
 */

/* A text opened over a chunked source of len bytes (fixed: as in
 * struct chunked); it must say it found want. Not to be copied: t.in may
 * point into it. */
struct text_fx {
    struct chunked c;
    struct cb_stream raw;
    struct cb_text t;
};

static void text_open(struct text_fx *f, const void *data, size_t len,
                      size_t fixed, enum cb_text_enc want)
{
    memset(&f->c, 0, sizeof f->c);
    f->c.data = data;
    f->c.len = len;
    f->c.fixed = fixed;
    f->c.fail_at = SIZE_MAX;
    cr_assert_eq(cb_stream_init(&f->raw, chunked_read, &f->c, 4096), CB_OK);
    cr_assert_eq(cb_stream_open_text(&f->t, &f->raw, 4096), CB_OK);
    cr_assert_eq(f->t.enc, want);
}

static void text_close(struct text_fx *f)
{
    cb_stream_close_text(&f->t);
    cr_assert_null(f->t.in);
    cb_stream_close_text(&f->t); /* twice is harmless */
    cb_stream_fini(&f->raw);
}

/* Everything t.in gives must be want (n bytes, NULs allowed). */
static void expect_text(struct text_fx *f, const char *want, size_t n)
{
    char out[64];
    size_t k = 0, got;
    while ((got = cb_stream_read(f->t.in, out + k, sizeof out - k)) > 0)
        k += got;
    cr_assert_eq(k, n, "%zu bytes, want %zu", k, n);
    cr_assert(memcmp(out, want, n) == 0);
}

Test(stream, text_sniff_tells_each_encoding_from_the_first_bytes)
{
    static const struct {
        const char *head;
        size_t len;
        enum cb_text_enc want;
    } t[] = {
        {"", 0, CB_TEXT_PLAIN},
        {"ab\0c", 4, CB_TEXT_PLAIN},
        {"\xEF\xBB\xBFx", 4, CB_TEXT_UTF8_BOM},
        {"\xEF\xBB", 2, CB_TEXT_PLAIN},
        {"\xFF\xFE", 2, CB_TEXT_UTF16LE_BOM},
        {"\xFE\xFF", 2, CB_TEXT_UTF16BE_BOM},
        {"a\0b\0", 4, CB_TEXT_UTF16LE},
        {"\0a\0b", 4, CB_TEXT_UTF16BE},
        {"a\0b", 3, CB_TEXT_PLAIN},     /* two whole units are needed */
        {"\0\0\0\0", 4, CB_TEXT_PLAIN}, /* NULs are binary, not text */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_assert_eq(cb_text_sniff((const unsigned char *)t[i].head, t[i].len),
                     t[i].want, "case %zu", i);
    cr_assert(cb_text_is_utf16(CB_TEXT_UTF16BE));
    cr_assert(!cb_text_is_utf16(CB_TEXT_UTF8_BOM));
    cr_assert(cb_text_is_utf16be(CB_TEXT_UTF16BE_BOM));
    cr_assert(!cb_text_is_utf16be(CB_TEXT_UTF16LE_BOM));
}

Test(stream, text_narrow_gives_bidders_one_byte_a_character)
{
    char buf[4];
    const char *s;
    const unsigned char u8[] = "\xEF\xBB\xBFhello";
    cr_assert_eq(cb_text_narrow(u8, 8, buf, sizeof buf, &s), 5);
    cr_assert_eq(s, (const char *)u8 + 3, "UTF-8 is not copied");
    const unsigned char le[] = {0xFF, 0xFE, 'h', 0, 0xE9, 0, 0x20, 0xAC};
    cr_assert_eq(cb_text_narrow(le, sizeof le, buf, sizeof buf, &s), 3);
    cr_assert_eq(s, buf);
    cr_assert(memcmp(buf, "h\xE9?", 3) == 0);
    const unsigned char be[] = {0, 'a', 0, 'b', 0, 'c', 0, 'd', 0, 'e'};
    cr_assert_eq(cb_text_narrow(be, sizeof be, buf, sizeof buf, &s), 4,
                 "capped at the buffer");
    cr_assert(memcmp(buf, "abcd", 4) == 0);
    const unsigned char odd[] = {'a', 0, 'b', 0, 'c'};
    cr_assert_eq(cb_text_narrow(odd, sizeof odd, buf, sizeof buf, &s), 2);
}

Test(stream, text_utf16le_with_bom_and_a_pair_split_between_reads)
{
    /* BOM, "a", U+1F600 (D83D DE00), "\n", "b", read a byte at a time */
    const unsigned char in[] = {0xFF, 0xFE, 'a',  0, 0x3D, 0xD8,
                                0x00, 0xDE, '\n', 0, 'b',  0};
    struct text_fx f;
    text_open(&f, in, sizeof in, 1, CB_TEXT_UTF16LE_BOM);
    cr_assert_eq(cb_stream_tell(f.t.in), 0, "offsets count converted bytes");
    expect_line(f.t.in, "a\xF0\x9F\x98\x80");
    expect_line(f.t.in, "b");
    expect_end(f.t.in);
    text_close(&f);
}

Test(stream, text_utf16be_without_bom_is_converted)
{
    const unsigned char in[] = {0, 'o', 0, 'k', 0x00, 0xE9, 0, '\n'};
    struct text_fx f;
    text_open(&f, in, sizeof in, 0, CB_TEXT_UTF16BE);
    expect_text(&f, "ok\xC3\xA9\n", 5);
    text_close(&f);
}

Test(stream, text_utf16_damage_becomes_the_replacement_and_nul_passes)
{
    /* a lone low surrogate, a NUL unit, a high surrogate cut by the end,
     * then an odd byte */
    const unsigned char in[] = {0xFF, 0xFE, 'x', 0,    0x00, 0xDC, 0,
                                0,    'y',  0,   0x00, 0xD8, 'z'};
    const char want[] = "x\xEF\xBF\xBD\0y\xEF\xBF\xBD\xEF\xBF\xBD";
    struct text_fx f;
    text_open(&f, in, sizeof in, 0, CB_TEXT_UTF16LE_BOM);
    expect_text(&f, want, sizeof want - 1);
    text_close(&f);
}

Test(stream, text_utf8_bom_is_consumed_and_offsets_stay_raw)
{
    const char in[] = "\xEF\xBB\xBF"
                      "a\nb\n";
    struct text_fx f;
    text_open(&f, in, sizeof in - 1, 0, CB_TEXT_UTF8_BOM);
    cr_assert_eq(f.t.in, &f.raw, "no conversion");
    cr_assert_eq(cb_stream_tell(f.t.in), 3);
    expect_text(&f, "a\nb\n", 4);
    text_close(&f);
}

Test(stream, text_only_the_first_bom_goes_and_plain_text_is_left_alone)
{
    const char two[] = "\xEF\xBB\xBF\xEF\xBB\xBFz";
    struct text_fx f;
    text_open(&f, two, sizeof two - 1, 0, CB_TEXT_UTF8_BOM);
    expect_text(&f, "\xEF\xBB\xBFz", 4);
    text_close(&f);
    text_open(&f, "plain", 5, 0, CB_TEXT_PLAIN);
    cr_assert_eq(cb_stream_tell(f.t.in), 0);
    expect_text(&f, "plain", 5);
    text_close(&f);
}

Test(stream, text_read_failure_under_the_conversion_is_kept)
{
    const unsigned char in[] = {0xFF, 0xFE, 'a', 0, 'b', 0, 'c', 0};
    struct text_fx f;
    text_open(&f, in, sizeof in, 1, CB_TEXT_UTF16LE_BOM);
    f.c.fail_at = 5;
    char out[16];
    while (cb_stream_read(f.t.in, out, sizeof out) > 0)
        ;
    cr_assert(f.t.in->failed);
    cr_assert_eq(f.t.in->err.code, CB_E_IO);
    text_close(&f);
}
