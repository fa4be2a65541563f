/*
 * out.h - buffered output with the escaping every renderer needs:
 * JSON strings (always valid UTF-8; invalid bytes become U+FFFD), CSV
 * fields (no raw newlines: Timesketch rejects them) and HTML text.
 */
#ifndef CASEBRIEF_REPORTS_OUT_H
#define CASEBRIEF_REPORTS_OUT_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable memory sink (out_init_mem): what the buffer flushes goes
 * here instead of to a FILE. The owner frees p. */
struct out_mem {
    char *p;
    size_t n, cap;
};

struct out {
    FILE *f;
    struct out_mem *mem; /* the sink instead of f, when set */
    size_t n;
    int failed;
    uint64_t flushes; /* buf was emptied this many times */
    char buf[1 << 16];
};

void out_init(struct out *o, FILE *f);
/* Output into m (appended to) instead of a FILE. */
void out_init_mem(struct out *o, struct out_mem *m);
/* Flush; returns 0 or -1 when any write failed. */
int out_finish(struct out *o);
/* out_bytes and out_char when the buffer is full (out.c). */
void out_bytes_flush(struct out *o, const char *s, size_t n);

/* Inline: the writers call these for every small piece of a line. */
static inline void out_bytes(struct out *o, const char *s, size_t n)
{
    if (n <= sizeof o->buf - o->n) {
        memcpy(o->buf + o->n, s, n);
        o->n += n;
    } else {
        out_bytes_flush(o, s, n);
    }
}

static inline void out_char(struct out *o, char c)
{
    if (o->n < sizeof o->buf)
        o->buf[o->n++] = c;
    else
        out_bytes_flush(o, &c, 1);
}

void out_str(struct out *o, const char *s);
void out_u64(struct out *o, uint64_t v);
void out_i64(struct out *o, int64_t v);
/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate, cut short). */
size_t out_utf8_len(const unsigned char *s, size_t n);
/* Where to cut s, longer than max bytes, to at most max bytes without
 * splitting a character. */
size_t out_utf8_cut(const char *s, size_t max);
/* The same, also giving the code point (cp may be NULL). */
size_t out_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* "..." with JSON escapes; NULL prints null. */
void out_json_str(struct out *o, const char *s);
/* The escaped contents of a JSON string, without the quotes, so that
 * one string can be written in parts. */
void out_json_frag(struct out *o, const char *s);
/* An event's message as one JSON string: "[COMP] text" for cluster.log
 * lines with a component, the text alone otherwise. */
void out_json_message(struct out *o, const char *component, const char *msg);

/* 1 when a spreadsheet would take a cell starting with s for a formula
 * (=, +, -, @, tab, CR: OWASP's list). */
int out_csv_formula(const char *s);
/* CSV field, quoted when needed; newlines become spaces; a formula start
 * is guarded by a leading apostrophe, so a spreadsheet shows it as text. */
void out_csv_field(struct out *o, const char *s);
/* Text with control characters and newlines replaced by spaces. */
void out_text(struct out *o, const char *s);

/* n bytes of s as HTML text or a quoted attribute value, for every page
 * casebrief writes (the report, the batch index): markup characters as
 * references, controls as their Unicode pictures, invalid UTF-8 as
 * U+FFFD, and "://" and '=' broken so that no URL or attribute of the
 * data appears in the file (out.c says exactly). */
void out_html_n(struct out *o, const char *s, size_t n);
/* The same for a NUL-terminated s; NULL writes nothing. */
void out_html(struct out *o, const char *s);

#endif
