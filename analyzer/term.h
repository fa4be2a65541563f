/*
 * term.h - text made safe for an engineer's terminal. Customer strings
 * (member names, host and volume names in finding summaries, error
 * details) reach stderr; an ESC or C1 sequence in them could recolour,
 * retitle or rewrite the engineer's terminal. The caller owns both
 * buffers.
 */
#ifndef CASEBRIEF_TERM_H
#define CASEBRIEF_TERM_H

#include <stddef.h>

/*
 * Copy in to out (size bytes, always NUL-terminated when size > 0) as one
 * line of valid UTF-8 with nothing a terminal acts on: C0 controls (tab
 * and newline included), DEL, C1 controls (raw bytes 0x80-0x9F and
 * U+0080-U+009F), bidirectional overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), invalid UTF-8 and encoded surrogates each become '?'.
 * A character that does not fit whole is left out; "..." is not added.
 * Returns the bytes written, without the NUL.
 */
size_t cb_term_clean(const char *in, char *out, size_t size);

#endif
