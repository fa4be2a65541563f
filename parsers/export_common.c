/*
 * export_common.c - helpers shared by the parsers of Windows event exports
 * (evtx_xml.c, evtx_text.c); see export_common.h.
 *
 * Times: EvtRender writes SystemTime as "2020-02-18T02:52:37.1211986Z";
 * wevtutil's text format writes "2019-07-11T20:38:02.960" with no zone.
 * Both fit one ISO 8601 subset, parsed here without the C library's
 * locale-dependent functions.
 */
#include <string.h>

#include "casebrief/alloc.h"
#include "export_common.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *cb_export_trim(const char *s, size_t *n)
{
    size_t a = 0, b = *n;
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    *n = b - a;
    return s + a;
}

/* k decimal digits at s, or -1. */
static int num(const char *s, int k)
{
    int v = 0;
    for (int i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cb_export_parse_time(const char *s, size_t n, cb_time *t, int *zoned)
{
    s = cb_export_trim(s, &n);
    /* YYYY-MM-DDTHH:MM:SS is 19 bytes */
    if (n < 19 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return 0;
    int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
    int h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
        return 0;
    size_t i = 19;
    int frac = 0;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        int k = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (k == 9)
                return 0;
            if (k < 7)
                frac = frac * 10 + (s[i] - '0');
            k++;
            i++;
        }
        for (; k < 7; k++)
            frac *= 10;
    }
    int64_t off_min = 0;
    *zoned = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        *zoned = 1;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        i++;
        int oh = n - i >= 2 ? num(s + i, 2) : -1, om = 0;
        if (oh < 0 || oh > 14)
            return 0;
        i += 2;
        if (i < n && s[i] == ':')
            i++;
        if (n - i >= 2 && s[i] >= '0' && s[i] <= '9') {
            om = num(s + i, 2);
            if (om < 0 || om > 59)
                return 0;
            i += 2;
        }
        off_min = sign * (oh * 60 + om);
        *zoned = 1;
    }
    if (i != n)
        return 0;
    cb_time v = cb_time_from_civil(y, mo, d, h, mi, sec, frac);
    if (v == CB_TIME_NONE)
        return 0;
    /* local = UTC + offset */
    v -= off_min * 60 * 10000000LL;
    if (v < 0)
        return 0;
    *t = v;
    return 1;
}

int cb_export_host(struct cb_intern *strings, const char *s, size_t n,
                   const char **host)
{
    s = cb_export_trim(s, &n);
    *host = NULL;
    if (n == 0)
        return 0;
    int dotted_quad = 1;
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            dotted_quad = 0;
    }
    size_t k = 0;
    char name[256];
    while (k < n && k < sizeof name && (dotted_quad || s[k] != '.')) {
        char c = s[k];
        name[k++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    if (k == 0)
        return 0;
    *host = cb_intern(strings, name, k);
    return *host ? 0 : -1;
}

/* ---- UTF-16LE to UTF-8 --------------------------------------------------
 * Converted a block at a time into out[], then handed out in whatever
 * sizes the stream asks for: a stream may ask for a single byte when its
 * buffer is nearly full, and a character is never split between calls. */

#define RAW_BYTES 4096
/* every 2 input bytes give at most 3 output bytes; plus a U+FFFD for a
 * pending high surrogate and one for an odd final byte */
#define OUT_BYTES (RAW_BYTES / 2 * 3 + 8)

struct utf16 {
    struct cb_stream *in;
    unsigned high; /* pending high surrogate, or 0 */
    size_t pos, len;
    unsigned char raw[RAW_BYTES];
    unsigned char out[OUT_BYTES];
};

static size_t put_utf8(unsigned char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Convert the next block into u->out; 0 at end of input, -1 on failure. */
static int convert(struct utf16 *u, struct cb_error *err)
{
    u->pos = u->len = 0;
    size_t got = cb_stream_read(u->in, u->raw, sizeof u->raw);
    size_t k = 0;
    if (got == 0) {
        if (u->in->failed) {
            *err = u->in->err;
            return -1;
        }
        if (u->high) { /* input ended inside a pair */
            u->high = 0;
            u->len = put_utf8(u->out, 0xFFFD);
            return 1;
        }
        return 0;
    }
    /* a short, odd read happens only at the end of the input */
    for (size_t i = 0; i + 1 < got; i += 2) {
        unsigned cu = (unsigned)u->raw[i] | (unsigned)u->raw[i + 1] << 8;
        if (u->high) {
            if (cu >= 0xDC00 && cu <= 0xDFFF) {
                k += put_utf8(u->out + k, 0x10000 + ((u->high - 0xD800) << 10) +
                                              (cu - 0xDC00));
                u->high = 0;
                continue;
            }
            k += put_utf8(u->out + k, 0xFFFD);
            u->high = 0;
        }
        if (cu >= 0xD800 && cu <= 0xDBFF)
            u->high = cu;
        else if (cu >= 0xDC00 && cu <= 0xDFFF)
            k += put_utf8(u->out + k, 0xFFFD);
        else
            k += put_utf8(u->out + k, cu);
    }
    if (got & 1) {
        if (u->high) {
            k += put_utf8(u->out + k, 0xFFFD);
            u->high = 0;
        }
        k += put_utf8(u->out + k, 0xFFFD);
    }
    u->len = k;
    return 1;
}

static long utf16_read(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct utf16 *u = ctx;
    while (u->pos == u->len) {
        int r = convert(u, err);
        if (r <= 0)
            return r;
    }
    size_t take = u->len - u->pos;
    if (take > n)
        take = n;
    memcpy(buf, u->out + u->pos, take);
    u->pos += take;
    return (long)take;
}

enum cb_status cb_export_utf16_init(struct cb_stream *out, struct cb_stream *in,
                                    size_t buf_size)
{
    struct utf16 *u = cb_calloc(1, sizeof *u);
    if (!u)
        return CB_E_NOMEM;
    u->in = in;
    enum cb_status st = cb_stream_init(out, utf16_read, u, buf_size);
    if (st != CB_OK)
        cb_free(u);
    return st;
}

void cb_export_utf16_fini(struct cb_stream *out)
{
    cb_free(out->ctx);
    out->ctx = NULL;
    cb_stream_fini(out);
}
