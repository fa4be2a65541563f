/*
 * event.c - levels and time conversions of the normalized event.
 */
#include <string.h>

#include "casebrief/event.h"
#include "casebrief/limits.h"

_Static_assert(sizeof(struct cb_msgbuf) >= CB_LIMIT_EVTX_MESSAGE + 4,
               "cb_msgbuf holds a cut message");

const char *cb_event_message(const struct cb_event *e, struct cb_msgbuf *b)
{
    if (e->message || !(e->flags & CB_EV_MESSAGE_LAZY))
        return e->message ? e->message : "";
    char *start = b->s, *o = b->s, *limit = b->s + CB_LIMIT_EVTX_MESSAGE;
    uint32_t n = e->msg_fields < e->nfields ? e->msg_fields : e->nfields;
    for (uint32_t i = 0; i < n && o < limit; i++) {
        const char *parts[3] = {e->fields[i].name, ": ", e->fields[i].value};
        if (i) {
            *o++ = ';';
            if (o < limit)
                *o++ = ' ';
        }
        for (int k = 0; k < 3 && o < limit; k++) {
            size_t len = strlen(parts[k]);
            size_t take = len < (size_t)(limit - o) ? len : (size_t)(limit - o);
            memcpy(o, parts[k], take);
            o += take;
        }
    }
    if (o >= limit) { /* cut: back to a character boundary, then "..." */
        while (o > start && ((unsigned char)o[-1] & 0xC0) == 0x80)
            o--;
        if (o > start && (unsigned char)o[-1] >= 0xC0)
            o--;
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
    return start;
}

const char *cb_level_name(unsigned level)
{
    switch (level) {
    case CB_LEVEL_CRITICAL: return "critical";
    case CB_LEVEL_ERROR: return "error";
    case CB_LEVEL_WARNING: return "warning";
    case CB_LEVEL_INFO: return "info";
    case CB_LEVEL_VERBOSE: return "verbose";
    case CB_LEVEL_DEBUG: return "debug";
    default: return "info";
    }
}

/* Howard Hinnant's days_from_civil. */
int64_t cb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

cb_time cb_time_from_civil(int y, int mon, int day, int h, int min, int s,
                           int frac)
{
    if (y < 1601 || y > 30827 || mon < 1 || mon > 12 || day < 1 ||
        day > days_in_month(y, mon) || h < 0 || h > 23 || min < 0 ||
        min > 59 || s < 0 || s > 60 || frac < 0 || frac > 9999999)
        return CB_TIME_NONE;
    int64_t days = cb_days_from_civil(y, (unsigned)mon, (unsigned)day);
    int64_t secs = days * 86400 + h * 3600 + min * 60 + s;
    return secs * 10000000LL + frac + CB_TIME_UNIX_EPOCH;
}

int64_t cb_time_to_unix_us(cb_time t)
{
    int64_t d = t - CB_TIME_UNIX_EPOCH;
    /* floor division so that times before 1970 stay ordered */
    return d >= 0 ? d / 10 : -((-d + 9) / 10);
}
