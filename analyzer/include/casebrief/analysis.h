/*
 * ingest.h - an analysis: the inputs read so far, their sources and
 * events, and the bundle-level warnings. Files, directories and archives
 * of every format libarchive reads, nested, streamed, never extracted.
 *
 * Ownership: the analysis owns its arena and everything parsed into it;
 * cb_analysis_destroy frees it all.
 */
#ifndef CASEBRIEF_INGEST_H
#define CASEBRIEF_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"
#include "event.h"
#include "limits.h"
#include "parser.h"
#include "scope.h"

/* --tz [HOST=]+HH:MM: the local time of HOST (every host when NULL) is
 * UTC + east_min minutes. */
struct cb_tz_override {
    const char *host; /* upper case, or NULL */
    int32_t east_min;
};

/* One file, member or archive that could not be read completely
 * (cb_analysis_finish lists them from the warnings marked as damage). */
struct cb_damage {
    const char *source; /* nested path */
    int kind;           /* enum cb_damage_kind: its highest-ranked damage */
    const char *detail; /* the first problem of that kind, with its place:
                         * "offset 30000: archive damaged, ..." */
    unsigned count;     /* damage problems recorded on it */
};

/* The memory budget (cb_limits.memory_bytes) and what it cost. Bytes are
 * those of kept events: their arena memory, their pointers (counted twice:
 * the timeline holds them again) and the sources' time tables. */
struct cb_budget {
    uint64_t bytes;      /* the budget; 0: none */
    uint64_t tables;     /* sources' event and time arrays, allocated */
    uint64_t peak;       /* most bytes of kept events seen */
    const char *reached; /* the source being read when 3/4 of it was
                          * used (lines no rule reads stop being kept);
                          * NULL while under */
    uint64_t lines;      /* lines counted, not kept, for the budget */
    uint64_t evidence;   /* lines a rule reads counted, not kept (the
                          * whole budget was used) */
    const char *rules[CB_LIMIT_BUDGET_RULES]; /* rules those feed */
    unsigned nrules;
    uint64_t unfiltered; /* events kept past the budget by formats whose
                          * events cannot be given back (EVTX, exports) */
};

struct cb_analysis {
    struct cb_limits limits;
    struct cb_arena *arena;
    struct cb_intern *strings;
    /* the formats it reads (cb_analysis_use_parsers); none until given */
    const struct cb_parser_ops *const *parsers;
    size_t nparsers;
    const struct cb_parser_ops *forced; /* --input-format, or NULL */
    int progress;                       /* progress lines on stderr */
    struct cb_parse_opts opts;          /* -j, --date-order */
    struct cb_tz_override tz[CB_LIMIT_TZ_OVERRIDES]; /* --tz */
    unsigned ntz;
    /* --window, --host: events outside are left out when the timeline
     * is built (each source counts them: scope_out, scope_out_nk) */
    struct cb_scope scope;

    /* Optional filter (analyze): an event of a rewindable parser (see
     * cb_parser_ops) for which keep returns 0 is counted, not kept, unless
     * it is one of the five lines before or after one for which keep
     * returns 2 (its context); every other event is kept. 2 and 3 say a
     * rule reads the event (3: keep no context for it), 1 that none does:
     * the memory budget drops those first. Events of such parsers then
     * live in ev_arena. */
    int (*keep)(void *ctx, const struct cb_event *ev);
    /* optional: the id of a rule that reads ev (keep said 2), named when
     * the budget drops such a line */
    const char *(*keep_rule)(void *ctx, const struct cb_event *ev);
    void *keep_ctx;
    struct cb_budget budget;
    struct cb_arena *ev_arena;

    /* parsers' slots kept across files (cb_parse.pool) */
    struct {
        const struct cb_parser_ops *ops;
        void *pool;
    } pools[8];

    /* the input being read (cb_ingest_path may nest for sidecars) */
    struct cb_input_of reading;
    unsigned reading_depth;

    struct cb_source **sources;
    size_t nsources, sources_cap;
    struct cb_warning *warnings, *warnings_tail; /* bundle level */
    size_t nwarnings;
    /* what could not be read completely, in source order, one entry a
     * path; set by cb_analysis_finish (none: the analysis is complete) */
    struct cb_damage *damaged;
    size_t ndamaged;

    /* Updated with __atomic builtins: read-ahead threads of nested
     * members account their bytes concurrently. */
    uint64_t total_bytes; /* uncompressed bytes read */
    uint64_t members;     /* files and members visited */
    int total_exhausted;  /* the total byte budget ran out */
    int finished;         /* cb_analysis_finish ran */
};

/* NULL on out of memory. limits may be NULL (defaults). It reads no
 * format until given a parser table (cb_analysis_use_parsers; every
 * shipped parser: cb_analysis_create_all in parsers/registry.h). */
struct cb_analysis *cb_analysis_create(const struct cb_limits *limits);
void cb_analysis_destroy(struct cb_analysis **an);

/* The formats the analysis reads: count parsers of table, which must
 * outlive it. Detection picks among them by bids (cb_parser_detect_in). */
void cb_analysis_use_parsers(struct cb_analysis *an,
                             const struct cb_parser_ops *const *table,
                             size_t count);

/*
 * After the last input: the sources put in order and numbered in it -
 * input by input (as named to cb_ingest_path) in path order, within one
 * what it holds in path order (component by component, as a walk of one
 * directory meets them), then what its sidecars pass read - and the
 * bundle-level warnings likewise, so that the order inputs were named or
 * packed in decides nothing; then each parser's finish pass (sidecars
 * paired with what they belong to), then the time basis of every source
 * (timebasis.h). Needed before cb_timeline_build; running it again does
 * nothing. CB_OK or CB_E_NOMEM.
 */
enum cb_status cb_analysis_finish(struct cb_analysis *an);

/*
 * Read a file, directory or archive. Returns CB_OK when the input could be
 * opened (damage inside is reported as warnings), CB_E_IO / CB_E_NOINPUT
 * when it could not (err says why), CB_E_NOMEM.
 */
enum cb_status cb_ingest_path(struct cb_analysis *an, const char *path,
                              struct cb_error *err);

/* The same for bytes in memory named name (tests, fuzzers). */
enum cb_status cb_ingest_memory(struct cb_analysis *an, const char *name,
                                const void *data, size_t len,
                                struct cb_error *err);

/* Parse bytes in memory as one file (no archive detection) with ops, or
 * with the best bidder when ops is NULL (fuzzers, parser tests). */
enum cb_status cb_ingest_leaf_memory(struct cb_analysis *an, const char *name,
                                     const void *data, size_t len,
                                     const struct cb_parser_ops *ops);

/* Add a bundle-level warning. */
void cb_analysis_warn(struct cb_analysis *an, const char *source,
                      enum cb_where_kind kind, uint64_t where,
                      const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The same, for damage (event.h): the input could not be read
 * completely. damage 0 is cb_analysis_warn. */
void cb_analysis_damage(struct cb_analysis *an, enum cb_damage_kind damage,
                        const char *source, enum cb_where_kind kind,
                        uint64_t where, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* "archive", "member", "log" (report.json's damaged[].kind); "" for 0. */
const char *cb_damage_kind_name(int kind);

/* Total events kept over all sources. */
uint64_t cb_analysis_event_count(const struct cb_analysis *an);

#endif
