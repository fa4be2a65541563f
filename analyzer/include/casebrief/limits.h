/*
 * limits.h - every cap casebrief applies, to input and to what a report
 * shows, in one place.
 *
 * Each CB_LIMIT_* is a default; struct cb_limits carries the values in
 * force, which the command line may override (flag named next to each).
 * The others are fixed. Ownership: nothing here allocates; struct
 * cb_limits is a value the caller owns.
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

/* --max-memory: bytes the kept events and their tables may use (0: no
 * budget; the command line's default is a quarter of the machine's RAM).
 * Past 3/4 of it, lines no rule reads are counted, not kept; past all of
 * it, the lines rules read too, and the run names the rules affected. */
#define CB_LIMIT_MEMORY_SHARE 4
#define CB_LIMIT_BUDGET_RULES 8 /* rules named as affected */

/* Not overridable: structural caps. */
#define CB_LIMIT_LINE_BYTES (1U << 20)  /* longest text line kept */
#define CB_LIMIT_PATH_BYTES 4096U       /* nested source path */
/* One archive member's name; a longer one is skipped with a warning (cut,
 * two members could share one label). */
#define CB_LIMIT_MEMBER_NAME_BYTES 1023U
#define CB_LIMIT_WARNINGS_PER_SOURCE 50U /* further ones are counted */
#define CB_LIMIT_DIR_DEPTH 64U          /* directory recursion */
#define CB_LIMIT_INTERN_STRING 4096U    /* longest interned string */
#define CB_LIMIT_SNIFF_BYTES 4096U      /* bytes a bidder sees */
/* Archives that need random access (7z) nested inside another archive are
 * read into memory first; larger ones are skipped with a warning. */
#define CB_LIMIT_BUFFERED_ARCHIVE (1ULL << 30)
/* A top-level zip's central directory read to compare it with the local
 * headers (zipdir.c); a larger one is not compared, with a warning. */
#define CB_LIMIT_ZIP_DIRECTORY_BYTES (64ULL << 20)
/* EVTX: element and nested-BinXML depth of one record. */
#define CB_LIMIT_BINXML_DEPTH 64
/* EVTX: names and template definitions of one chunk (hash tables of this
 * many slots, powers of two, filled to 7/8 at most: a 64 KiB chunk has
 * room for at most 6553 names and 1680 templates); UTF-16 units of one
 * element or attribute name (a longer one is damage); Binary XML
 * operations compiled for one chunk's templates, and for one record (and
 * substitution values of one record). */
#define CB_LIMIT_EVTX_NAME_SLOTS 8192U
#define CB_LIMIT_EVTX_TEMPLATE_SLOTS 4096U
#define CB_LIMIT_EVTX_NAME_CHARS 1024U
#define CB_LIMIT_EVTX_OPS 65536U
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
/* Event CSV exports: fields kept of one record; text exports (wevtutil,
 * Event Viewer details): bytes kept of a record's description. */
#define CB_LIMIT_CSV_FIELDS 32U
#define CB_LIMIT_EVTX_TEXT_DESCRIPTION CB_LIMIT_LINE_BYTES
/* Event exports (CSV, text, XML): provider, channel and field names are
 * cut there. */
#define CB_LIMIT_EXPORT_NAME_BYTES 256U
/* Event XML exports: element depth (events are about six levels deep,
 * UserData adds a few); text one event keeps (values, names, message);
 * bytes of markup parsed with no element completed (one giant tag or
 * comment) before they are skipped. */
#define CB_LIMIT_XML_DEPTH 64U
#define CB_LIMIT_XML_EVENT_TEXT CB_LIMIT_LINE_BYTES
#define CB_LIMIT_XML_STALL_BYTES CB_LIMIT_LINE_BYTES
/* cluster.log: columns of one resource-table (CSV) line, and rows kept
 * of one configuration table (a real cluster's largest, Resources or SBL
 * Disks, has hundreds; 2 M rows made a 142 MB report). Past either, the
 * rest is counted and one warning says so. */
#define CB_LIMIT_CLUSTERLOG_COLUMNS 256U
#define CB_LIMIT_CLUSTERLOG_TABLE_ROWS 10000U
/* Event Viewer locale metadata: sections of one file and bytes of a
 * section's name. */
#define CB_LIMIT_MTA_SECTIONS 64U
#define CB_LIMIT_MTA_SECTION_NAME 64U
/* JSON read by casebrief (rules, saved analyses): nesting depth. */
#define CB_LIMIT_JSON_DEPTH 64

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
/* the cluster overview: objects it lists, and rows of the logs' tables
 * it reads to build them (past either, counted and said) */
#define CB_LIMIT_REPORT_OVERVIEW_ROWS 2000U
#define CB_LIMIT_REPORT_OVERVIEW_SEEN 100000U
/* HTML picture: outages drawn (each found as the analyzer finds them,
 * CB_LIMIT_OUTAGE_SCAN), incidents given a zoomed picture, and hosts and
 * incidents a filter of the event table offers */
#define CB_LIMIT_REPORT_OUTAGES 256U
#define CB_LIMIT_REPORT_ZOOMS 12U
#define CB_LIMIT_REPORT_FILTER 60U
/* error marks of the HTML pictures that carry their message as a
 * tooltip (the rest are drawn without) */
#define CB_LIMIT_REPORT_MARK_TITLES 4000U
/* damaged files the banner atop the HTML and Markdown reports names (the
 * rest are counted; the inventory lists them all) */
#define CB_LIMIT_REPORT_DAMAGED 10U
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
/* <leads-to> causal links of one rule. */
#define CB_LIMIT_RULE_LINKS 32u

/* Incidents: findings joined by causal links are compared pairwise, so
 * past this many findings each one is its own incident. */
#define CB_LIMIT_INCIDENT_FINDINGS 4096u

/* Findings: evidence events listed (the first half, then the latest),
 * entities collected, bytes of one captured entity value, and hosts
 * whose own span an absence rule judges (beyond: the whole bundle's). */
#define CB_LIMIT_FINDING_EVIDENCE 24
#define CB_LIMIT_FINDING_ENTITIES 32
/* Outages one finding lists (one per node and boot). */
#define CB_LIMIT_FINDING_OUTAGES 16
/* Events of the whole timeline walked back from one boot to find the
 * node's last event before an unclean stop (shutdown.c). */
#define CB_LIMIT_OUTAGE_SCAN 4000000
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
    uint64_t memory_bytes;    /* --max-memory; 0: no budget */
};

/* The defaults above. */
void cb_limits_default(struct cb_limits *lim);

#endif
