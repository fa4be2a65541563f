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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shutdown.h"

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
