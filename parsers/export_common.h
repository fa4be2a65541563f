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

#endif
