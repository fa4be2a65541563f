/*
 * out.c - buffered output and escaping shared by the renderers.
 */
#include <string.h>

#include "alloc.h"
#include "out.h"

void out_init(struct out *o, FILE *f)
{
    o->f = f;
    o->mem = NULL;
    o->n = 0;
    o->failed = 0;
    o->flushes = 0;
}

void out_init_mem(struct out *o, struct out_mem *m)
{
    out_init(o, NULL);
    o->mem = m;
}

/* n bytes at s to the sink. */
static void sink(struct out *o, const char *s, size_t n)
{
    if (!o->mem) {
        if (fwrite(s, 1, n, o->f) != n)
            o->failed = 1;
        return;
    }
    struct out_mem *m = o->mem;
    if (n > m->cap - m->n) {
        size_t ncap = m->cap ? m->cap : sizeof o->buf;
        while (n > ncap - m->n) {
            if (ncap > SIZE_MAX / 2) {
                o->failed = 1;
                return;
            }
            ncap *= 2;
        }
        char *np = cb_realloc(m->p, ncap);
        if (!np) {
            o->failed = 1;
            return;
        }
        m->p = np;
        m->cap = ncap;
    }
    memcpy(m->p + m->n, s, n);
    m->n += n;
}

static void flush(struct out *o)
{
    if (o->n)
        sink(o, o->buf, o->n);
    o->n = 0;
    o->flushes++;
}

int out_finish(struct out *o)
{
    flush(o);
    if (!o->mem && fflush(o->f) != 0)
        o->failed = 1;
    return o->failed ? -1 : 0;
}

void out_bytes_flush(struct out *o, const char *s, size_t n)
{
    flush(o);
    if (n > sizeof o->buf) {
        sink(o, s, n);
        o->flushes++;
        return;
    }
    memcpy(o->buf, s, n);
    o->n = n;
}

void out_str(struct out *o, const char *s)
{
    out_bytes(o, s, strlen(s));
}


void out_u64(struct out *o, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_bytes(o, tmp + i, sizeof tmp - i);
}

void out_i64(struct out *o, int64_t v)
{
    if (v < 0) {
        out_char(o, '-');
        out_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        out_u64(o, (uint64_t)v);
    }
}

size_t out_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp_out)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t min, cp;
    if (c < 0x80) {
        if (cp_out)
            *cp_out = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        len = 2, min = 0x80, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        len = 3, min = 0x800, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp_out)
        *cp_out = cp;
    return len;
}

size_t out_utf8_len(const unsigned char *s, size_t n)
{
    return out_utf8_decode(s, n, NULL);
}

static const char hexd[] = "0123456789abcdef";

void out_json_str(struct out *o, const char *str)
{
    if (!str) {
        out_str(o, "null");
        return;
    }
    out_char(o, '"');
    out_json_frag(o, str);
    out_char(o, '"');
}

/* Bytes a JSON string holds as they are: printable ASCII but '"' and
 * '\\' (NUL, the end, is not one of them). */
/* clang-format off */
static const unsigned char json_plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
#undef R16
};
/* clang-format on */

/* Does any of the 8 bytes in x need a look: below 0x20, '"', '\\' or
 * 0x80 and above? (The classic "has a byte less than / equal to"
 * tricks; false positives are impossible for these tests.) */
static int word_needs_look(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t lt20 = (x - ones * 0x20) & ~x;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t eq = ((q - ones) & ~q) | ((b - ones) & ~b);
    return ((lt20 | eq | x) & high) != 0;
}

void out_json_frag(struct out *o, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    size_t run = 0; /* start of bytes that need no escape */
    size_t i = 0;
    while (i < n) {
        /* eight plain bytes at a time, then byte by byte */
        while (i + 8 <= n) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (word_needs_look(x))
                break;
            i += 8;
        }
        while (json_plain[s[i]])
            i++;
        if (i >= n)
            break;
        unsigned char c = s[i];
        size_t ul = c >= 0x80 ? out_utf8_len(s + i, n - i) : 0;
        if (ul > 1) {
            i += ul;
            continue;
        }
        out_bytes(o, (const char *)s + run, i - run);
        switch (c) {
        case '"': out_bytes(o, "\\\"", 2); break;
        case '\\': out_bytes(o, "\\\\", 2); break;
        case '\n': out_bytes(o, "\\n", 2); break;
        case '\r': out_bytes(o, "\\r", 2); break;
        case '\t': out_bytes(o, "\\t", 2); break;
        default:
            if (c >= 0x80) {
                out_bytes(o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            } else {
                char u[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
                out_bytes(o, u, 6);
            }
        }
        i++;
        run = i;
    }
    out_bytes(o, (const char *)s + run, n - run);
}

void out_text(struct out *o, const char *str)
{
    if (!str)
        return;
    for (const unsigned char *s = (const unsigned char *)str; *s; s++)
        out_char(o, *s < 0x20 || *s == 0x7f ? ' ' : (char)*s);
}

int out_csv_formula(const char *s)
{
    return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' ||
                 *s == '\t' || *s == '\r');
}

void out_csv_field(struct out *o, const char *str)
{
    if (!str)
        return;
    if (!strpbrk(str, ",\"\r\n")) {
        if (out_csv_formula(str))
            out_char(o, '\'');
        out_text(o, str);
        return;
    }
    out_char(o, '"');
    if (out_csv_formula(str))
        out_char(o, '\'');
    for (const unsigned char *s = (const unsigned char *)str; *s; s++) {
        if (*s == '"')
            out_str(o, "\"\"");
        else
            out_char(o, *s < 0x20 || *s == 0x7f ? ' ' : (char)*s);
    }
    out_char(o, '"');
}

void out_json_message(struct out *o, const char *component, const char *msg)
{
    out_char(o, '"');
    if (component) {
        out_char(o, '[');
        out_json_frag(o, component);
        out_str(o, "] ");
    }
    out_json_frag(o, msg ? msg : "");
    out_char(o, '"');
}

size_t out_utf8_cut(const char *s, size_t max)
{
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/*
 * n bytes of s as HTML text or attribute value: & < > " ' as references;
 * tab and newline kept, CR LF as LF; other C0 controls and DEL as their
 * Unicode control pictures (U+2400...); C1 controls, U+FFFE, U+FFFF and
 * every byte of invalid UTF-8 as U+FFFD; the colon of "://" as &#58; so
 * that a URL in the data is shown but is no URL in the file, and '=' as
 * &#61; so that no text of the data reads like an attribute (a grep for
 * " src=" or "onerror=" over the page finds only what casebrief wrote).
 */
void out_html_n(struct out *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' &&
            c != '"' && c != '\'' && c != ':' && c != '=') {
            i++;
            continue;
        }
        if (c == '\n' || c == '\t') {
            i++;
            continue;
        }
        if (c == ':' && !(i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')) {
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t len = 1;
        if (c >= 0x80) {
            len = out_utf8_decode(s + i, n - i, &cp);
            if (len > 1 && !(cp >= 0x80 && cp <= 0x9F) && cp != 0xFFFE &&
                cp != 0xFFFF) {
                i += len;
                continue;
            }
            if (len == 0)
                len = 1;
        }
        out_bytes(o, str + run, i - run);
        switch (c) {
        case '&':
            out_str(o, "&amp;");
            break;
        case '<':
            out_str(o, "&lt;");
            break;
        case '>':
            out_str(o, "&gt;");
            break;
        case '"':
            out_str(o, "&quot;");
            break;
        case '\'':
            out_str(o, "&#39;");
            break;
        case ':':
            out_str(o, "&#58;");
            break;
        case '=':
            out_str(o, "&#61;");
            break;
        case '\r':
            if (!(i + 1 < n && s[i + 1] == '\n'))
                out_char(o, '\n');
            break;
        case 0x7f:
            out_str(o, "\xE2\x90\xA1");
            break; /* U+2421 */
        default:
            if (c < 0x20) {
                char pic[3] = {'\xE2', '\x90', (char)(0x80 + c)};
                out_bytes(o, pic, 3); /* U+2400 + c */
            } else {
                out_str(o, REPLACEMENT);
            }
        }
        i += len;
        run = i;
    }
    out_bytes(o, str + run, n - run);
}

void out_html(struct out *o, const char *s)
{
    if (s)
        out_html_n(o, s, strlen(s));
}
