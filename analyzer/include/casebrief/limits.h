/*
 * limits.h - every cap casebrief applies, to input and to what a report
 * shows, in one place.
 *
 * Each CB_LIMIT_* is a default; struct cb_limits carries the values in
 * force, which the command line may override (flag named next to each).
 * The others are fixed.
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

/* Reports: how much of a bundle a report shows (reports/). */
/* hosts a report lists and counts */
#define CB_LIMIT_REPORT_HOSTS 4096U
/* the HTML window reaches this far either side of the evidence at least
 * (else 10 % of its span), so that a lone event shows what came around */
#define CB_LIMIT_REPORT_WINDOW_PAD_SEC 30
/* HTML: rows of the event table, bytes of one message or value shown,
 * bytes of a message in a picture's tooltip, host lanes drawn, options
 * of one filter list */
#define CB_LIMIT_REPORT_ROWS 5000U
#define CB_LIMIT_REPORT_TEXT 4096U
#define CB_LIMIT_REPORT_TOOLTIP 160U
#define CB_LIMIT_REPORT_LANES 200U
#define CB_LIMIT_REPORT_CHOICES 500U
/* Markdown: bytes of an evidence message and of a source warning shown,
 * and warnings shown per source */
#define CB_LIMIT_MD_MESSAGE 300U
#define CB_LIMIT_MD_WARNING 200U
#define CB_LIMIT_MD_WARNINGS 5U
/* Batch index: bytes of a case.json and a report.json read back, and
 * directory depth of the up-to-date stamp */
#define CB_LIMIT_BATCH_CASE_JSON ((size_t)1 << 20)
#define CB_LIMIT_BATCH_REPORT_JSON ((size_t)256 << 20)
#define CB_LIMIT_STAMP_DEPTH 32

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
