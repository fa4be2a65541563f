/*
 * export_common.h - helpers shared by the parsers of Windows event exports
 * (evtx_xml.c, evtx_text.c): ISO 8601 times and host names from a
 * Computer value. Internal to parsers/. (UTF-16LE input goes through
 * cb_stream_open_text in stream.h.)
 */
#ifndef CASEBRIEF_EXPORT_COMMON_H
#define CASEBRIEF_EXPORT_COMMON_H

#include <stddef.h>

#include "casebrief/arena.h"
#include "casebrief/event.h"
#include "casebrief/parser.h"
#include "stream.h"

/*
 * "YYYY-MM-DDTHH:MM:SS[.f][Z|+HH:MM|-HH:MM|+HHMM]" (a space may stand for
 * the T; 0 to 9 fraction digits, the first 7 kept) into UTC ticks.
 * Surrounding blanks are allowed. *zoned says whether a Z or an offset
 * was given (without one the time is taken as UTC as written).
 * Returns 1, or 0 when s is not such a time or is out of range.
 */
int cb_export_parse_time(const char *s, size_t n, cb_time *t, int *zoned);

/*
 * Host of a Computer value: the upper-cased text before the first '.'
 * (an IPv4 address is kept whole), interned. *host is NULL when the value
 * is blank. Returns 0, or -1 on out of memory.
 */
int cb_export_host(struct cb_intern *strings, const char *s, size_t n,
                   const char **host);

/* s[0..n) without leading and trailing blanks (space, tab, CR, LF). */
const char *cb_export_trim(const char *s, size_t *n);

/* The n bytes at s, blanks around them trimmed, as a decimal number of at
 * most max: 1 and *out, or 0 when they are not one. */
int cb_export_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/*
 * Append n bytes to a growable buffer (*buf holding *len of *cap bytes,
 * malloc'ed), keeping room for `spare` more bytes after them (a NUL, a
 * separator). Returns 0, or -1 on out of memory (the buffer is intact).
 */
int cb_export_append(char **buf, size_t *len, size_t *cap, const void *s,
                     size_t n, size_t spare);

/* ---- levels and dates of localized exports (evtx_csv.c, evtx_details.c) */

/* The language a level name gave away: a hint for the day/month order. */
enum cb_export_lang { CB_LANG_NONE, CB_LANG_EN, CB_LANG_DMY, CB_LANG_JA };

/*
 * A level name in English or a UI language Event Viewer writes (de, fr,
 * es, it, pt, nl, ja) or a number 0-5: the cb_level, or 0 when not known.
 * When lang is not NULL it is set to the name's language (an English
 * name does not override a day/month one seen before).
 */
int cb_export_level(const char *s, size_t n, enum cb_export_lang *lang);

#define CB_EXPORT_DATE_TEXT_MAX 96u /* a longer date and time is bad */

/* A date as read, before the day/month order is applied. */
struct cb_export_when {
    int kind; /* CB_WHEN_READY: ts is final; CB_WHEN_PAIR: a/b are day
               * and month in some order */
    int a, b, year;
    int64_t tod; /* ticks since midnight */
    cb_time ts;
    int zoned;
};
enum { CB_WHEN_READY = 1, CB_WHEN_PAIR = 2 };

/*
 * "date time" in a culture's format (d/M/yyyy, M/d/yyyy, dd.MM.yyyy,
 * yyyy-MM-dd, yyyy/MM/dd, a 24-hour clock or a 12-hour one with AM/PM,
 * a.m./p.m. or the Japanese, Korean and Chinese markers), or ISO 8601,
 * into *w. Returns 1, or 0 when not understood. Sets *dot when the date
 * used '.' separators and *marker when a 12-hour marker was seen.
 */
int cb_export_parse_when(const char *s, size_t n, struct cb_export_when *w,
                         int *dot, int *marker);

/* The ticks of a CB_WHEN_PAIR date under order; CB_TIME_NONE when the
 * date does not exist in that order. */
cb_time cb_export_pair_time(const struct cb_export_when *w,
                            enum cb_date_order order);

#endif
