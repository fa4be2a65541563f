/*
 * timeline.h - every source's events merged into one order by time,
 * stable, with records seen in two sources kept once.
 *
 * Ownership: the timeline owns its pointer array; the events stay in the
 * analysis arena. Build it after ingestion is complete.
 */
#ifndef CASEBRIEF_TIMELINE_H
#define CASEBRIEF_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "ingest.h"

struct cb_timeline {
    struct cb_event **events;
    size_t count;
    uint64_t duplicates; /* dropped */
    size_t runs;         /* sorted runs merged */
    unsigned jobs;       /* threads the writers may use (the analysis' -j) */
};

/*
 * Merge: a k-way merge of the sorted runs found in each source (in source
 * order, then parse order for equal times). Duplicates: same host, channel
 * and record id, or (without record ids) same host, time, event id,
 * provider, channel and message, seen in a different source; the first
 * one in merged order is kept and the other's source counts it.
 */
enum cb_status cb_timeline_build(struct cb_analysis *an,
                                 struct cb_timeline *tl);
void cb_timeline_fini(struct cb_timeline *tl);

/* Merge already sorted runs (exposed for tests and benchmarks): runs[i]
 * has lens[i] events; out receives the sum. */
enum cb_status cb_merge_runs(struct cb_event **const *runs,
                             const size_t *lens, size_t nruns,
                             struct cb_event **out);

#endif
