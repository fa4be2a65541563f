/*
 * timebasis.h - one honest time basis per source.
 *
 * Parsers say what their timestamps are (cb_source.time_kind). Sources in
 * host-local wall-clock time (CSV and text exports, a cluster.log written
 * with -UseLocalTime) are converted to UTC here, with the first of:
 *
 *   1. --tz HOST=+HH:MM (or --tz +HH:MM for every host);
 *   2. the same records in a UTC source of the same host (an .evtx or an
 *      XML export): the offset is exact, and where it changes inside the
 *      file (a DST change) each record takes its own;
 *   3. the UTC offset a cluster.log header of that host states;
 *
 * and otherwise left as written, flagged CB_EV_TIME_ASSUMED and recorded
 * as assumed. Every source then carries a canonical time_basis:
 * "utc", "local(+01:00, stated)", "local(+01:00, from N1_cluster.log
 * header)", "local(+01:00, from twin N1-System.evtx: 212 records)",
 * "local(+00:00, assumed: ...)"; the parser's own explanation moves to
 * time_basis_detail.
 */
#ifndef CASEBRIEF_TIMEBASIS_H
#define CASEBRIEF_TIMEBASIS_H

#include "casebrief/error.h"
#include "casebrief/analysis.h"

/* Resolve every source not resolved yet (idempotent; cb_timeline_build
 * calls it first). CB_E_NOMEM or CB_OK. */
enum cb_status cb_timebasis_resolve(struct cb_analysis *an);

/* The UTC offset of host's local time (minutes east) as some source of
 * that host knows it after cb_timebasis_resolve: 1 and *east_min, or 0. */
int cb_host_utc_offset(const struct cb_analysis *an, const char *host,
                       int32_t *east_min);

#endif
