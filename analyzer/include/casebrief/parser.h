/*
 * parser.h - the interface every input format implements, and detection
 * by bids over the table of parsers an analysis was given.
 *
 * Ownership: a parser owns only its state (open/close) and its pool slot
 * (pool_free); every event and string it hands out belongs to the arena of
 * the cb_parse it was given. The table of shipped parsers is
 * parsers/registry.h's, and the core names none of them.
 *
 * A parser reads a cb_stream and hands out normalized events one at a
 * time. Damage is a warning with a place (cb_parse_warn) and the parser
 * carries on; only out of memory, a limit or a failed read stops it.
 */
#ifndef CASEBRIEF_PARSER_H
#define CASEBRIEF_PARSER_H

#include <stddef.h>

#include "arena.h"
#include "error.h"
#include "event.h"

struct cb_stream;   /* analyzer/stream.h */
struct cb_analysis; /* analysis.h */

/* Day/month order of numeric dates in text exports (--date-order). */
enum cb_date_order {
    CB_DATE_AUTO = 0, /* from the data; an undecided file records it */
    CB_DATE_DMY,
    CB_DATE_MDY,
    CB_DATE_YMD
};

/* Settings of the whole analysis a parser may consult. */
struct cb_parse_opts {
    unsigned jobs;                 /* -j: worker threads a parser may use
                                    * (0 or 1: none, parse on the caller) */
    enum cb_date_order date_order; /* --date-order */
};

/* What a parser works with; owned by the ingest driver. */
struct cb_parse {
    struct cb_stream *in;
    struct cb_source *src;
    struct cb_arena *arena;     /* event strings go here */
    /* When set (parsers with events_rewindable), each event's own strings
     * go here instead, and nothing else: an event the analysis does not
     * keep is given back by rewinding it. */
    struct cb_arena *ev_arena;
    /* When set: the parser's own slot for what it keeps from one file to
     * the next of the same analysis (worker threads), freed at the end
     * by ops->pool_free. Files are parsed one at a time. */
    void **pool;
    struct cb_intern *strings;  /* for host, channel, provider, component */
    /* Set by next() instead of filling *ev: the event is already in
     * memory of p->arena's lifetime (decoded there by a worker thread);
     * the driver takes it and clears this. Not with events_rewindable. */
    struct cb_event *ev_own;
    struct cb_error err;        /* filled when next() fails */
    const struct cb_parse_opts *opts; /* never NULL */
};

enum cb_next { CB_NEXT_FAIL = -1, CB_NEXT_END = 0, CB_NEXT_EVENT = 1 };

struct cb_parser_ops {
    /* REQUIRED: short name used by --input-format and in the inventory. */
    const char *name;
    /* REQUIRED: one line for --help. */
    const char *description;
    /* REQUIRED: Timesketch data_type of its events. */
    const char *data_type;
    /* REQUIRED: how sure the parser is that this input is its format,
     * from the first bytes (at most CB_LIMIT_SNIFF_BYTES) and the file
     * name: 0 = not mine; more bits of evidence, higher bid. Cheap, never
     * allocates. */
    int (*bid)(const unsigned char *head, size_t len, const char *name);
    /* optional: set up *state (freed by close). */
    enum cb_status (*open)(struct cb_parse *p, void **state);
    /* REQUIRED: fill *ev with the next event (strings in p->arena), or
     * point p->ev_own at it. */
    enum cb_next (*next)(struct cb_parse *p, void *state, struct cb_event *ev);
    /* optional: free state; accepts NULL and clears it. */
    void (*close)(struct cb_parse *p, void **state);
    /* 1: next() puts an event's own memory in p->ev_arena when that is
     * set, and nothing that must outlive the event (see cb_parse). */
    int events_rewindable;
    /* optional: free what the parser left in *cb_parse.pool. */
    void (*pool_free)(void *pool);
    /* optional: a file named on the command line may have files beside it
     * on disk that belong to it (an .evtx's LocaleMetaData/<log>_<LCID>.MTA).
     * Called by cb_ingest_path after each such file, for every parser of
     * the analysis: ingest them (cb_ingest_path). CB_OK when there are
     * none; CB_E_NOMEM. */
    enum cb_status (*sidecars)(struct cb_analysis *an, const char *path);
    /* optional: a pass over every source once all inputs are read
     * (cb_analysis_finish), in table order, before the time basis: pair
     * what a sidecar loaded (cb_source.sidecar) with the sources it
     * belongs to. Running it twice changes nothing more. CB_OK or
     * CB_E_NOMEM. */
    enum cb_status (*finish)(struct cb_analysis *an);
};

/* Add a warning with its place to the parse's source. */
void cb_parse_warn(struct cb_parse *p, enum cb_where_kind kind,
                   unsigned long long where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same for damage (event.h: part of the file could not be read, so
 * findings may be missing); damage 0 is cb_parse_warn. Counted on the
 * source even past the warnings cap. */
void cb_parse_damage(struct cb_parse *p, enum cb_damage_kind damage,
                     enum cb_where_kind kind, unsigned long long where,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* n more damage problems that were counted, not kept as warnings (a
 * worker's private source, past its cap); first, the earliest of them,
 * is copied as the source's damage when it has none yet. */
void cb_parse_damage_count(struct cb_parse *p, unsigned n,
                           const struct cb_warning *first);

/*
 * Pick the parser of table with the highest bid. CB_E_AMBIGUOUS when the
 * two best bids are equal (err names both), CB_E_UNKNOWN_FORMAT when no
 * parser bids. The table of every shipped parser is cb_parsers()
 * (parsers/registry.h); an analysis uses the one it was given.
 */
enum cb_status cb_parser_detect_in(const struct cb_parser_ops *const *table,
                                   size_t count, const unsigned char *head,
                                   size_t len, const char *name,
                                   const struct cb_parser_ops **out,
                                   struct cb_error *err);

#endif
