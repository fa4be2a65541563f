/*
 * shutdown.c - when and how an unclean stop happened (shutdown.h).
 *
 * 6008's strings are localized and carry no zone: the time they give is
 * the node's wall clock, which the caller converts with the node's
 * offset. Shapes seen in real logs: "9:03:23 AM on 6/28/2018",
 * "11:59:15 on 21.12.2021", "02:11:03 PM on 2024-11-25", dates with
 * U+200E marks between their parts.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shutdown.h"
#include "casebrief/limits.h"
#include "timebasis.h"

static const char *field(const struct cb_event *e, const char *name)
{
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (e->fields[i].name && strcmp(e->fields[i].name, name) == 0)
            return e->fields[i].value;
    }
    return NULL;
}

/* s without U+200E/U+200F marks, into out. */
static void unmark(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n && s[i] && k + 1 < size; i++) {
        const unsigned char *u = (const unsigned char *)s + i;
        if (i + 2 < n && u[0] == 0xE2 && u[1] == 0x80 &&
            (u[2] == 0x8E || u[2] == 0x8F)) {
            i += 2;
            continue;
        }
        out[k++] = s[i];
    }
    out[k] = '\0';
}

/* Up to three numbers separated by one non-digit each; returns how many,
 * *sep the first separator. */
static int numbers(const char *s, long v[3], char *sep)
{
    int n = 0;
    *sep = 0;
    while (*s && !isdigit((unsigned char)*s))
        s++;
    while (n < 3 && isdigit((unsigned char)*s)) {
        char *end;
        v[n++] = strtol(s, &end, 10);
        s = end;
        if (n < 3 && *s && !isdigit((unsigned char)*s) &&
            isdigit((unsigned char)s[1])) {
            if (!*sep)
                *sep = *s;
            s++;
        } else {
            break;
        }
    }
    return n;
}

/* Whether s holds the two letters (any case): "PM", "pm". */
static int has_word(const char *s, const char *w)
{
    for (; *s; s++) {
        if (toupper((unsigned char)s[0]) == w[0] &&
            toupper((unsigned char)s[1]) == w[1])
            return 1;
    }
    return 0;
}

static int parse(const char *time_s, const char *date_s, cb_time *local)
{
    long t[3] = {0, 0, 0}, d[3];
    char tsep, dsep;
    if (numbers(time_s, t, &tsep) < 2 || numbers(date_s, d, &dsep) != 3)
        return 0;
    int pm = has_word(time_s, "PM");
    int am = has_word(time_s, "AM");
    if ((am || pm) && (t[0] < 1 || t[0] > 12))
        return 0;
    if (pm && t[0] != 12)
        t[0] += 12;
    if (am && t[0] == 12)
        t[0] = 0;
    long y, m, day;
    if (d[0] > 31) { /* 2024-11-14 */
        y = d[0], m = d[1], day = d[2];
    } else if (dsep == '/' && (am || pm) && d[1] <= 31) { /* en-US */
        m = d[0], day = d[1], y = d[2];
    } else { /* 14.11.2024, 14/11/2024 */
        day = d[0], m = d[1], y = d[2];
    }
    if (y < 1601 || y > 9999)
        return 0;
    cb_time r = cb_time_from_civil((int)y, (int)m, (int)day, (int)t[0],
                                   (int)t[1], (int)t[2], 0);
    if (r == CB_TIME_NONE)
        return 0;
    *local = r;
    return 1;
}

int cb_6008_local_time(const struct cb_event *e, cb_time *local)
{
    if (!(e->flags & CB_EV_HAS_EVENT_ID) || e->event_id != 6008)
        return 0;
    char ts[64], ds[64];
    const char *t = field(e, "1"), *d = field(e, "2");
    if (t && d) {
        unmark(t, strlen(t), ts, sizeof ts);
        unmark(d, strlen(d), ds, sizeof ds);
        if (parse(ts, ds, local))
            return 1;
    }
    struct cb_msgbuf mb;
    const char *msg = cb_event_message(e, &mb);
    const char *at = msg ? strstr(msg, "shutdown at ") : NULL;
    const char *on = at ? strstr(at, " on ") : NULL;
    const char *was = on ? strstr(on, " was unexpected") : NULL;
    if (!was)
        return 0;
    at += strlen("shutdown at ");
    unmark(at, (size_t)(on - at), ts, sizeof ts);
    unmark(on + 4, (size_t)(was - on - 4), ds, sizeof ds);
    return parse(ts, ds, local);
}

static int number_field(const struct cb_event *e, const char *name,
                        unsigned long *v)
{
    const char *s = field(e, name);
    if (!s || !*s)
        return 0;
    char *end;
    *v = strtoul(s, &end, 0);
    return *end == '\0';
}

enum cb_stop_kind cb_kp41_kind(const struct cb_event *e,
                               unsigned long *bugcheck)
{
    unsigned long code, button;
    if (!(e->flags & CB_EV_HAS_EVENT_ID) || e->event_id != 41 ||
        !e->provider || strcasecmp(e->provider,
                                   "Microsoft-Windows-Kernel-Power") != 0 ||
        !number_field(e, "BugcheckCode", &code))
        return CB_STOP_UNKNOWN;
    if (bugcheck)
        *bugcheck = code;
    if (code)
        return CB_STOP_BUGCHECK;
    if (number_field(e, "PowerButtonTimestamp", &button) && button)
        return CB_STOP_POWER_BUTTON;
    return CB_STOP_POWER_LOSS;
}

const char *cb_stop_kind_text(enum cb_stop_kind k)
{
    switch (k) {
    case CB_STOP_POWER_LOSS:
        return "power loss or hard reset";
    case CB_STOP_BUGCHECK:
        return "bug check (crash)";
    case CB_STOP_POWER_BUTTON:
        return "power button held";
    default:
        return NULL;
    }
}

/* ---- outages ---------------------------------------------------------------
 * 6008 and Kernel-Power 41 are written at the next boot. When the node
 * went down is the 6008's own time (the node's wall clock, converted
 * with its offset); how long it stayed down is the silence of its own
 * events that the stop begins. */

#define TICKS ((cb_time)10000000)
#define BOOT_SPAN (5 * 60 * TICKS)   /* a 6008 and a 41 of one boot */
#define STOP_SLACK (10 * 60 * TICKS) /* events logged after the 6008
                                      * time (its clock is a heartbeat) */
#define BOOT_QUIET (3 * 60 * TICKS)  /* a boot logs more often than this */
#define LOOKBACK (3600 * TICKS)
#define BOOT_SCAN 100000             /* events around a boot looked at */

static int same_host(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int usable(const struct cb_event *x, const char *host)
{
    return same_host(x->host, host) && !(x->flags & CB_EV_TIME_IMPLAUSIBLE);
}

/* The 6008 time (UTC) and the Kernel-Power 41 verdict of the boot event
 * i belongs to: events of its host within BOOT_SPAN, the nearest 6008. */
static void boot_facts(const struct cb_timeline *tl, size_t i, cb_time *stop,
                       enum cb_stop_kind *kind)
{
    const struct cb_event *e = tl->events[i];
    size_t lo = i, hi = i + 1, best = SIZE_MAX;
    while (lo > 0 && i - lo < BOOT_SCAN &&
           e->ts - tl->events[lo - 1]->ts <= BOOT_SPAN)
        lo--;
    while (hi < tl->count && hi - i < BOOT_SCAN &&
           tl->events[hi]->ts - e->ts <= BOOT_SPAN)
        hi++;
    *stop = CB_TIME_NONE;
    *kind = CB_STOP_UNKNOWN;
    for (size_t k = lo; k < hi; k++) {
        const struct cb_event *x = tl->events[k];
        if (!usable(x, e->host))
            continue;
        cb_time local;
        int32_t east;
        size_t dist = k < i ? i - k : k - i;
        if (dist < best && cb_6008_local_time(x, &local) && tl->an &&
            cb_host_utc_offset(tl->an, x->host, &east)) {
            best = dist;
            *stop = local - (cb_time)east * 60 * TICKS;
        }
        enum cb_stop_kind sk = cb_kp41_kind(x, NULL);
        if (sk != CB_STOP_UNKNOWN &&
            (*kind == CB_STOP_UNKNOWN || sk == CB_STOP_BUGCHECK))
            *kind = sk;
    }
}

/* The silence of host's events before the boot event i: with the stop
 * time known, the longest one that ends after it; else the first one
 * walking back longer than a boot's pauses, or the longest in the hour
 * before. 1 and [*from, *to], or 0 (*to: the host's earliest event). */
static int silence(const struct cb_timeline *tl, size_t i, cb_time stop,
                   cb_time *from, cb_time *to)
{
    const struct cb_event *e = tl->events[i];
    cb_time lo = stop != CB_TIME_NONE ? stop - STOP_SLACK : e->ts - LOOKBACK;
    cb_time later = e->ts, best = -1;
    size_t walked = 0;
    for (size_t k = i; k-- > 0 && walked < CB_LIMIT_OUTAGE_SCAN; walked++) {
        const struct cb_event *x = tl->events[k];
        if (!usable(x, e->host) || x->ts > later)
            continue;
        cb_time gap = later - x->ts;
        if ((stop == CB_TIME_NONE || later > stop) && gap > best) {
            best = gap;
            *from = x->ts;
            *to = later;
            if (stop == CB_TIME_NONE && gap >= BOOT_QUIET)
                return 1;
        }
        later = x->ts;
        if (x->ts < lo)
            break;
    }
    if (best < 0)
        *to = later;
    return best >= 0;
}

int cb_stop_outage(const struct cb_timeline *tl, size_t i,
                   struct cb_outage *o)
{
    if (!tl || i >= tl->count)
        return 0;
    const struct cb_event *e = tl->events[i];
    if (!e->host || !e->host[0] || (e->flags & CB_EV_TIME_IMPLAUSIBLE))
        return 0;
    cb_time stop, from = CB_TIME_NONE, to = CB_TIME_NONE;
    enum cb_stop_kind kind;
    boot_facts(tl, i, &stop, &kind);
    int quiet = silence(tl, i, stop, &from, &to);
    if (!quiet && stop == CB_TIME_NONE)
        return 0;
    const char *how = cb_stop_kind_text(kind);
    *o = (struct cb_outage){.host = e->host,
                            .from = from,
                            .to = to,
                            .stop = stop,
                            .how = how ? how : "unclean stop",
                            .from_by = "last event before the stop"};
    /* the node was up until the time its 6008 states */
    if (stop != CB_TIME_NONE && (!quiet || from < stop)) {
        o->from = stop;
        o->from_by = "EventLog 6008";
    }
    if (o->to < o->from)
        o->to = o->from;
    return 1;
}

cb_time cb_outage_stop_time(const struct cb_outage *o, int known, cb_time ts)
{
    /* without a 6008 time, the stop lies anywhere in the silence: the
     * boot, as before, rather than a guess */
    return known && o->stop != CB_TIME_NONE ? o->stop : ts;
}
