/*
 * timefmt.c - time as text: ISO 8601 UTC, milliseconds for the reports,
 * local time offsets, lengths of time, and the cached ISO form of the
 * timeline export (timefmt.h).
 *
 * Dates are proleptic Gregorian (Howard Hinnant's civil_from_days), so
 * that a FILETIME of any year prints; years outside 0..9999 take the
 * slower printf path.
 */
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Floor division: times before 1970 stay ordered. */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

void cb_time_format_iso(cb_time t, char *buf, size_t size)
{
    int64_t us = cb_time_to_unix_us(t);
    int64_t secs = floor_div(us, 1000000);
    int64_t frac = us - secs * 1000000;
    int64_t days = floor_div(secs, 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999 && size >= 33) { /* the common case, no printf */
        unsigned v[7] = {(unsigned)y,
                         m,
                         d,
                         (unsigned)(rem / 3600),
                         (unsigned)(rem / 60 % 60),
                         (unsigned)(rem % 60),
                         (unsigned)frac};
        static const unsigned width[7] = {4, 2, 2, 2, 2, 2, 6};
        static const char sep[7] = {'-', '-', 'T', ':', ':', '.', '+'};
        char *o = buf;
        for (int k = 0; k < 7; k++) {
            for (unsigned i = width[k]; i-- > 0;) {
                o[i] = (char)('0' + v[k] % 10);
                v[k] /= 10;
            }
            o += width[k];
            *o++ = sep[k];
        }
        memcpy(o, "00:00", 6);
        return;
    }
    snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lld+00:00",
             (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
             (int)(rem % 60), (long long)frac);
}

void cb_timefmt_ms(cb_time t, char sep, char *buf, size_t size)
{
    cb_time_format_iso(t, buf, size);
    char *tp = strchr(buf, 'T');
    if (!tp)
        return;
    *tp = sep;
    char *dot = strchr(tp, '.');
    if (dot && strlen(dot) > 4)
        dot[4] = '\0';
}

cb_time cb_timefmt_local(cb_time t, int32_t east_min)
{
    return t + (cb_time)east_min * 60 * CB_TICKS_PER_SEC;
}

void cb_timefmt_offset(int32_t east_min, char *buf, size_t size)
{
    int a = east_min < 0 ? -east_min : east_min;
    snprintf(buf, size, "%c%02d:%02d", east_min < 0 ? '-' : '+', a / 60,
             a % 60);
}

void cb_timefmt_duration(cb_time from, cb_time to, char *buf, size_t size)
{
    uint64_t d = to < from ? 0 : (uint64_t)to - (uint64_t)from;
    unsigned long long s = d / CB_TICKS_PER_SEC;
    if (s >= 86400)
        snprintf(buf, size, "%llu d %llu h", s / 86400, s % 86400 / 3600);
    else if (s >= 3600)
        snprintf(buf, size, "%llu h %llu min", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, size, "%llu min %llu s", s / 60, s % 60);
    else
        snprintf(buf, size, "%llu.%03llu s", s,
                 (unsigned long long)(d % CB_TICKS_PER_SEC / 10000));
}

void cb_timefmt_cache_init(struct cb_timefmt_cache *c)
{
    memset(c, 0, sizeof *c);
    c->day = c->sec = INT64_MIN;
}

static void two(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

size_t cb_timefmt_iso_cached(struct cb_timefmt_cache *c, cb_time t, char *out)
{
    int64_t us = cb_time_to_unix_us(t);
    int64_t secs = floor_div(us, 1000000);
    int64_t frac = us - secs * 1000000;
    if (secs != c->sec) {
        int64_t day = floor_div(secs, 86400);
        if (day != c->day) {
            char iso[CB_TIMEFMT_MAX];
            cb_time_format_iso(t, iso, sizeof iso);
            if (strlen(iso) != 32) { /* not a four-digit year */
                memcpy(out, iso, strlen(iso));
                return strlen(iso);
            }
            memcpy(c->date, iso, 10);
            c->day = day;
        }
        int64_t rem = secs - day * 86400;
        memcpy(c->stamp, c->date, 10);
        c->stamp[10] = 'T';
        two(c->stamp + 11, (int)(rem / 3600));
        c->stamp[13] = ':';
        two(c->stamp + 14, (int)(rem / 60 % 60));
        c->stamp[16] = ':';
        two(c->stamp + 17, (int)(rem % 60));
        c->sec = secs;
    }
    memcpy(out, c->stamp, 19);
    char *f = out + 19;
    f[0] = '.';
    for (int i = 6; i >= 1; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    memcpy(f + 7, "+00:00", 6);
    return 32;
}
