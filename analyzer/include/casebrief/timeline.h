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
#include "analysis.h"

struct cb_timeline {
    struct cb_event **events;
    size_t count;
    uint64_t duplicates; /* dropped */
    size_t runs;         /* sorted runs merged */
    /* events the run's scope (--window, --host) left out: kept ones
     * taken out of the timeline, and events only counted outside it */
    uint64_t left_out, left_out_nk;
    /* its sources (NULL when built by hand): their spans count the
     * events read but not kept */
    const struct cb_analysis *an;
};

/*
 * The analysis must be finished (cb_analysis_finish: sidecar messages,
 * time bases), else CB_E_USAGE. Merge:
 * a k-way merge of the sorted runs found in each source (in source order,
 * then parse order for equal times). Duplicates, always across two
 * sources: same host, channel and record id, or (without record ids) same
 * host, time, event id, provider, channel and message; then, when the
 * bundle holds several formats, the same record in another shape: same
 * event id and second, compatible host, channel and provider, no
 * conflicting record id (the copy whose data agrees best wins when
 * several could), and a cluster.log channel-section line with the same
 * host, channel, second and rendered message. The richest copy is kept
 * (UTC source, record id, data), completed from the others, and lists
 * them in its also chain; each dropped copy's source counts it.
 */
enum cb_status cb_timeline_build(const struct cb_analysis *an,
                                 struct cb_timeline *tl);
void cb_timeline_fini(struct cb_timeline *tl);

/* Merge already sorted runs (exposed for tests and benchmarks): runs[i]
 * has lens[i] events; out receives the sum. */
enum cb_status cb_merge_runs(struct cb_event **const *runs,
                             const size_t *lens, size_t nruns,
                             struct cb_event **out);

/* Events read into the analysis: those in the timeline, those the scope
 * took out of it and those only counted (cb_analysis.keep). */
uint64_t cb_timeline_events_read(const struct cb_timeline *tl);
/* Events read but not kept. */
uint64_t cb_timeline_not_kept(const struct cb_timeline *tl);
/* Events read that the scope left out (left_out + left_out_nk). */
uint64_t cb_timeline_left_out(const struct cb_timeline *tl);
/* The events [*lo, *hi) of the timeline between those with implausible
 * times (CB_EV_TIME_IMPLAUSIBLE: in time order they sort first or last). */
void cb_timeline_plausible(const struct cb_timeline *tl, size_t *lo,
                           size_t *hi);
/* First and last time of every event read, kept or not, but those with an
 * implausible time (CB_TIME_NONE when there are none). */
void cb_timeline_span(const struct cb_timeline *tl, cb_time *first,
                      cb_time *last);

#endif
