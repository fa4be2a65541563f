/*
 * analysis.c - an analysis's life: created with the parser table it reads
 * with (the core names no parser: the table is handed in, as libarchive
 * registers formats on a handle), finished once every input is read,
 * destroyed with everything in it; and detection of a format by bids over
 * that table.
 */
#include <string.h>

#include "alloc.h"
#include "casebrief/analysis.h"
#include "timebasis.h"

struct cb_analysis *cb_analysis_create(const struct cb_limits *limits)
{
    struct cb_analysis *an = cb_calloc(1, sizeof *an);
    if (!an)
        return NULL;
    if (limits)
        an->limits = *limits;
    else
        cb_limits_default(&an->limits);
    an->opts.jobs = 1;
    an->arena = cb_arena_create();
    an->strings = an->arena ? cb_intern_create(an->arena) : NULL;
    if (!an->strings) {
        cb_arena_destroy(&an->arena);
        cb_free(an);
        return NULL;
    }
    return an;
}

void cb_analysis_destroy(struct cb_analysis **pan)
{
    if (!pan || !*pan)
        return;
    struct cb_analysis *an = *pan;
    for (size_t i = 0; i < sizeof an->pools / sizeof an->pools[0]; i++)
        if (an->pools[i].pool && an->pools[i].ops->pool_free)
            an->pools[i].ops->pool_free(an->pools[i].pool);
    for (size_t i = 0; i < an->nsources; i++) {
        cb_free(an->sources[i]->events);
        cb_free(an->sources[i]->times);
    }
    cb_free(an->sources);
    cb_intern_destroy(&an->strings);
    cb_arena_destroy(&an->ev_arena);
    cb_arena_destroy(&an->arena);
    cb_free(an);
    *pan = NULL;
}

uint64_t cb_analysis_event_count(const struct cb_analysis *an)
{
    uint64_t n = 0;
    for (size_t i = 0; i < an->nsources; i++)
        n += an->sources[i]->nevents;
    return n;
}

void cb_analysis_use_parsers(struct cb_analysis *an,
                             const struct cb_parser_ops *const *table,
                             size_t count)
{
    an->parsers = table;
    an->nparsers = count;
}

enum cb_status cb_analysis_finish(struct cb_analysis *an)
{
    if (an->finished)
        return CB_OK;
    for (size_t i = 0; i < an->nparsers; i++) {
        if (!an->parsers[i]->finish)
            continue;
        enum cb_status st = an->parsers[i]->finish(an);
        if (st != CB_OK)
            return st;
    }
    enum cb_status st = cb_timebasis_resolve(an);
    if (st == CB_OK)
        an->finished = 1;
    return st;
}

enum cb_status cb_parser_detect_in(const struct cb_parser_ops *const *table,
                                   size_t count, const unsigned char *head,
                                   size_t len, const char *name,
                                   const struct cb_parser_ops **out,
                                   struct cb_error *err)
{
    const struct cb_parser_ops *best = NULL, *second = NULL;
    int best_bid = 0, second_bid = 0;
    for (size_t i = 0; i < count; i++) {
        int b = table[i]->bid(head, len, name);
        if (b > best_bid) {
            second = best;
            second_bid = best_bid;
            best = table[i];
            best_bid = b;
        } else if (b > 0 && b == best_bid) {
            second = table[i];
            second_bid = b;
        } else if (b > second_bid) {
            second = table[i];
            second_bid = b;
        }
    }
    *out = NULL;
    if (!best)
        return cb_error_set(err, CB_E_UNKNOWN_FORMAT, CB_WHERE_NONE, 0,
                            "no parser recognises this input");
    if (second && second_bid == best_bid)
        return cb_error_set(err, CB_E_AMBIGUOUS, CB_WHERE_NONE, 0,
                            "format is %s or %s (equal bids %d); use "
                            "--input-format to choose",
                            best->name, second->name, best_bid);
    *out = best;
    return CB_OK;
}
