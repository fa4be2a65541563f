/*
 * scope.h - what a run looks at, and which hosts belong to the case.
 *
 * Two things live here. The focus the engineer asks for (analyze and
 * timeline --window FROM..TO, --host NAME): events outside it are left
 * out when the timeline is built (timeline.h), after every source's time
 * basis is settled, so that correlation, gaps and the reports see only
 * the window, while the sources still count what was left out. And the
 * host-scope rule: which hosts of a bundle are not nodes of the cluster
 * (not in cluster.log's Nodes table; with no such table, named by no
 * cluster event), or whose events lie far in time from the rest - their
 * findings are kept out of the cluster's incidents.
 *
 * Ownership: a cb_scope holds its host names; a cb_scope_result owns its
 * arrays (cb_scope_result_fini), its names point into the analysis.
 */
#ifndef CASEBRIEF_SCOPE_H
#define CASEBRIEF_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

struct cb_analysis;
struct cb_timeline;
struct cb_finding;

/* --host names a run takes, and their longest form (a DNS name). */
#define CB_SCOPE_MAX_HOSTS 32
#define CB_SCOPE_HOST_MAX 255

/* Hosts whose events lie more than this many days before or after the
 * cluster's are not part of the case (a workstation's 2012 logs in a
 * 2026 cluster case). A cluster's own nodes log until collection, so a
 * month of distance between two of them does not happen. */
#define CB_SCOPE_FAR_DAYS 30

/* Hosts outside the cluster the HTML and Markdown reports name with
 * their reason (report.json names every one). */
#define CB_SCOPE_LIST_HOSTS 50

struct cb_scope {
    cb_time from, to; /* [from, to], UTC; CB_TIME_NONE: open */
    char hosts[CB_SCOPE_MAX_HOSTS][CB_SCOPE_HOST_MAX + 1];
    size_t nhosts; /* 0: every host */
};

/* Whether a window bound is set: CB_TIME_NONE is open, and so is 0 (a
 * zeroed cb_scope, as in a hand-built analysis, focuses on nothing). */
static inline int cb_scope_bound(cb_time t)
{
    return t != CB_TIME_NONE && t != 0;
}

/* No window, every host. */
void cb_scope_init(struct cb_scope *s);
/* Whether s leaves anything out. */
int cb_scope_active(const struct cb_scope *s);

/*
 * Parse a window "FROM..TO" (or the older "FROM,TO"), either side
 * possibly empty, each an ISO 8601 time in UTC: "2026-11-14T19:00Z",
 * "2026-11-14 19:00", "2026-11-14T19:00:05.5", "2026-11-14" (a TO given
 * as a date only runs to the end of that day), "+00:00" or another
 * offset (converted), and a TO given as a time only ("..23:00") on FROM's
 * day. 0, or -1 with the reason, naming the bad value, in why.
 */
int cb_scope_parse_window(const char *arg, cb_time *from, cb_time *to,
                          char *why, size_t size);

/* Add the hosts of a comma-separated list. 0, or -1 with the reason. */
int cb_scope_add_hosts(struct cb_scope *s, const char *list, char *why,
                       size_t size);

/* Whether a host name wanted by --host names host: equal ignoring case,
 * or equal to its first DNS label ("hv-node1" names
 * "HV-NODE1.contoso.com", and the other way round). */
int cb_scope_host_matches(const char *want, const char *host);

/* Whether the run keeps an event of host at ts (its --host and window). */
int cb_scope_keeps(const struct cb_scope *s, const char *host, cb_time ts);

/* Narrow [*first, *last] (either may be CB_TIME_NONE) to the window. */
void cb_scope_clamp(const struct cb_scope *s, cb_time *first, cb_time *last);

/* "window 2026-11-14 19:00..23:00 UTC, hosts HV-NODE1, HV-NODE2" ("window
 * from ..." or "window until ..." when one side is open); "" when s is not
 * active. */
void cb_scope_describe(const struct cb_scope *s, char *buf, size_t size);

/* Drop the gaps of hosts --host does not name (silent periods, clock
 * skew) and the silent periods outside the window; clamp the others to
 * it. The rest (missing channels, assumed clocks) stay. */
struct cb_gaps;
void cb_scope_gaps(const struct cb_scope *s, struct cb_gaps *g);

/* ---- the host-scope rule ------------------------------------------------ */

/* What tells the cluster's membership. */
enum cb_scope_members {
    CB_MEMBERS_UNKNOWN = 0, /* nothing: no host is flagged for it */
    CB_MEMBERS_EVENTS,      /* cluster logs and events: the hosts that
                             * wrote a cluster.log or a FailoverClustering
                             * event, and the nodes those events name */
    CB_MEMBERS_NODES        /* cluster.log's Nodes table */
};

/* Why a host is outside (bits). */
enum cb_scope_why {
    CB_OUTSIDE_NOT_NODE = 1u << 0,
    CB_OUTSIDE_TIME = 1u << 1
};

struct cb_scope_host {
    const char *name;
    cb_time first, last; /* of its events (plausible times); NONE: none */
    uint64_t events;
    int member;       /* a node by what tells the membership */
    unsigned outside; /* enum cb_scope_why bits; 0: in the case */
};

struct cb_scope_result {
    enum cb_scope_members members;
    const char **nodes; /* the membership list, in the order found */
    size_t nnodes;
    struct cb_scope_host *hosts; /* sorted by name, one entry per name
                                  * whatever its case */
    size_t nhosts;
    size_t noutside;
    cb_time ref_first, ref_last; /* the cluster's span (NONE: unknown) */
};

/*
 * The rule itself, over hosts already described (member set): a host
 * that is not a member when the membership is known is outside
 * (CB_OUTSIDE_NOT_NODE). Hosts are grouped by time - sorted by first
 * event, a host joins the group whose span it starts within
 * CB_SCOPE_FAR_DAYS of - and the cluster's group is the one with the most
 * members, then the most hosts, events, the latest; a host of another
 * group is outside (CB_OUTSIDE_TIME) unless the Nodes table names it.
 * Sets each host's outside, *ref_first and *ref_last (the cluster
 * group's span); returns how many hosts are outside.
 */
size_t cb_scope_judge(struct cb_scope_host *h, size_t n,
                      enum cb_scope_members members, cb_time *ref_first,
                      cb_time *ref_last);

/* Describe the hosts of a built timeline and judge them. CB_OK or
 * CB_E_NOMEM (out is then empty). */
enum cb_status cb_scope_hosts(const struct cb_analysis *an,
                              const struct cb_timeline *tl,
                              struct cb_scope_result *out);
void cb_scope_result_fini(struct cb_scope_result *r);

/* The entry of host (by name, ignoring case), or NULL. */
const struct cb_scope_host *cb_scope_host_find(const struct cb_scope_result *r,
                                               const char *host);

/* Whether a finding belongs outside the cluster: it names hosts and every
 * one of them is outside. */
int cb_scope_finding_outside(const struct cb_scope_result *r,
                             const struct cb_finding *f);

/* Why h is outside, in words: "not in the cluster's node list
 * (cluster.log)", "its events (2012-03-01 .. 2012-03-05) lie 14 years
 * before the cluster's (2026-11-10 .. 2026-11-14)". */
void cb_scope_reason(const struct cb_scope_result *r,
                     const struct cb_scope_host *h, char *buf, size_t size);

/* "3 hosts are not nodes of this cluster: WS-01, WS-02, LAPTOP-7; their
 * findings are listed apart" ("" when none is outside). */
void cb_scope_headline(const struct cb_scope_result *r, char *buf,
                       size_t size);

#endif
