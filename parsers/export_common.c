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

#include "alloc.h"
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

int cb_export_append(char **buf, size_t *len, size_t *cap, const void *s,
                     size_t n, size_t spare)
{
    if (*len + n + spare > *cap) {
        size_t ncap = *cap ? *cap : 1024;
        while (ncap < *len + n + spare)
            ncap *= 2;
        char *nb = cb_realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    return 0;
}

int cb_export_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    s = cb_export_trim(s, &n);
    if (n == 0 || n > 20)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (max - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}
