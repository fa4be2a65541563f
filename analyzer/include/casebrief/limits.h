/*
 * limits.h - every cap casebrief applies to input, in one place.
 *
 * Each CB_LIMIT_* is a default; struct cb_limits carries the values in
 * force, which the command line may override (flag named next to each).
 */
#ifndef CASEBRIEF_LIMITS_H
#define CASEBRIEF_LIMITS_H

#include <stdint.h>

/* --max-total: uncompressed bytes read over the whole analysis. */
#define CB_LIMIT_TOTAL_BYTES (64ULL << 30)
/* --max-members: archive members and files visited. */
#define CB_LIMIT_MEMBERS 200000ULL
/* --max-depth: archives inside archives (the top-level archive is 1). */
#define CB_LIMIT_DEPTH 6U
/* --max-member-size: uncompressed bytes of a single member or file. */
#define CB_LIMIT_MEMBER_BYTES (16ULL << 30)
/* --max-ratio: uncompressed / compressed bytes of one member. */
#define CB_LIMIT_RATIO 1000U
/* The ratio is judged only after this many bytes came out of a member,
 * so that small, highly compressible files are never flagged. */
#define CB_LIMIT_RATIO_MIN_BYTES (16ULL << 20)

/* Not overridable: structural caps. */
#define CB_LIMIT_LINE_BYTES (1U << 20)  /* longest text line kept */
#define CB_LIMIT_PATH_BYTES 4096U       /* nested source path */
#define CB_LIMIT_WARNINGS_PER_SOURCE 50U /* further ones are counted */
#define CB_LIMIT_DIR_DEPTH 64U          /* directory recursion */
#define CB_LIMIT_INTERN_STRING 4096U    /* longest interned string */
#define CB_LIMIT_SNIFF_BYTES 4096U      /* bytes a bidder sees */
/* Archives that need random access (7z) nested inside another archive are
 * read into memory first; larger ones are skipped with a warning. */
#define CB_LIMIT_BUFFERED_ARCHIVE (1ULL << 30)
/* EVTX: element and nested-BinXML depth of one record. */
#define CB_LIMIT_BINXML_DEPTH 64
/* EVTX: text one record may expand to, and operations it may run (a
 * template can reference one large value many times). */
#define CB_LIMIT_EVTX_RECORD_TEXT (4U << 20)
#define CB_LIMIT_EVTX_RECORD_STEPS (1U << 20)
/* EVTX: stale chunks held back (64 KiB each) until the live chunks after
 * them are read, so that copies of live records can be dropped. */
#define CB_LIMIT_EVTX_DEFERRED_CHUNKS 256U
/* EVTX: the event message ("Name: value; ...") is cut after this. */
#define CB_LIMIT_EVTX_MESSAGE 1024U
/* Event Viewer locale metadata (LocaleMetaData/...MTA): bytes of one file
 * read into memory, and UTF-16 units kept of one message. */
#define CB_LIMIT_MTA_BYTES (64U << 20)
#define CB_LIMIT_MTA_MESSAGE (64U << 10)
/* Event CSV exports: bytes one record keeps (a longer field is cut), its
 * columns, and rows held back while no date tells day from month. */
#define CB_LIMIT_CSV_RECORD (1U << 20)
#define CB_LIMIT_CSV_COLUMNS 256U
#define CB_LIMIT_CSV_UNDECIDED_ROWS (1U << 18)

/* --tz: HOST=OFFSET settings kept (more are a usage error). */
#define CB_LIMIT_TZ_OVERRIDES 64

/* The knowledge base: bytes of one rule file, files read from one rules
 * directory (the rest are ignored), element nesting in a rule file, and
 * the PCRE2 match and backtracking-depth limits of every rule regex. */
#define CB_LIMIT_RULE_FILE_BYTES (4u << 20)
#define CB_LIMIT_RULE_FILES 1024
#define CB_LIMIT_RULE_DEPTH 16
#define CB_LIMIT_REGEX_MATCH 200000u
#define CB_LIMIT_REGEX_DEPTH 2000u

/* Findings: evidence events listed (the first half, then the latest),
 * entities collected, bytes of one captured entity value, and hosts
 * whose own span an absence rule judges (beyond: the whole bundle's). */
#define CB_LIMIT_FINDING_EVIDENCE 24
#define CB_LIMIT_FINDING_ENTITIES 32
#define CB_LIMIT_CAPTURE_BYTES 256
#define CB_LIMIT_ABSENCE_HOSTS 256

/* --keep-all off: lines kept before and after a line a rule takes. */
#define CB_LIMIT_CONTEXT_LINES 5

/* Evidence gaps: channels compared, silent periods reported per source
 * (the longest), hosts compared for clock skew (pairs: its square). */
#define CB_LIMIT_GAP_CHANNELS 512
#define CB_LIMIT_SILENT_PER_SOURCE 3
#define CB_LIMIT_SKEW_HOSTS 64

/* Time basis: local records of one source tried against their UTC twins
 * (an even sample of them when there are more). */
#define CB_LIMIT_TWIN_SAMPLE 4000

struct cb_limits {
    uint64_t total_bytes;
    uint64_t members;
    unsigned depth;
    uint64_t member_bytes;
    unsigned ratio;
    uint64_t ratio_min_bytes; /* not on the command line; tests lower it */
};

/* The defaults above. */
void cb_limits_default(struct cb_limits *lim);

#endif
