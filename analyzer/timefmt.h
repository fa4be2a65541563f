/*
 * timefmt.h - every way casebrief writes a time, in one place: ISO 8601
 * UTC (cb_time_format_iso, event.h), the same at milliseconds with a
 * space or a 'T' between date and time (the reports, the text
 * timeline), a node's local time with its offset, a length of time for
 * a person, and ISO with a per-second cache for the timeline export,
 * which writes millions of them.
 *
 * No clock and no locale: the same time gives the same bytes everywhere.
 * Every function takes a time that is not CB_TIME_NONE; the callers say
 * "no time" in their own way (a dash, null).
 */
#ifndef CASEBRIEF_TIMEFMT_H
#define CASEBRIEF_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/event.h"

/* Room for any string below, NUL included. */
#define CB_TIMEFMT_MAX 48

/* "2024-11-15 01:58:12.905": ISO at milliseconds, sep (' ' or 'T')
 * between date and time, no zone. */
void cb_timefmt_ms(cb_time t, char sep, char *buf, size_t size);

/* t seen on a clock east_min minutes east of UTC. */
cb_time cb_timefmt_local(cb_time t, int32_t east_min);

/* "+01:00", "-05:30": an offset east of UTC. */
void cb_timefmt_offset(int32_t east_min, char *buf, size_t size);

/* "2 d 3 h", "3 h 12 min", "4 min 2 s", "1.250 s": to - from for a
 * person (0 when to is before from). */
void cb_timefmt_duration(cb_time from, cb_time to, char *buf, size_t size);

/* cb_time_format_iso for a stream of times: the date is computed again
 * only when the day changes and the time of day when the second does. */
struct cb_timefmt_cache {
    int64_t day;    /* Unix day of date[] */
    int64_t sec;    /* Unix second of stamp[] */
    char date[11];  /* "YYYY-MM-DD" */
    char stamp[20]; /* "YYYY-MM-DDTHH:MM:SS" */
};

void cb_timefmt_cache_init(struct cb_timefmt_cache *c);

/* The 32 bytes of "YYYY-MM-DDTHH:MM:SS.ffffff+00:00" into out (no NUL)
 * when the year has four digits; otherwise cb_time_format_iso's longer
 * form. Returns the length written (at most CB_TIMEFMT_MAX - 1). */
size_t cb_timefmt_iso_cached(struct cb_timefmt_cache *c, cb_time t, char *out);

#endif
