/*
 * view.h - the report model: what the HTML, Markdown and JSON reports
 * show, computed once from a cb_report_input, so that no two renderers
 * count, sort or place the same thing their own way.
 *
 * Ownership: a view borrows the input (analysis, timeline, findings,
 * gaps), which must outlive it; cb_view_fini frees what the view
 * allocated and nothing else.
 */
#ifndef CASEBRIEF_REPORTS_VIEW_H
#define CASEBRIEF_REPORTS_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/report.h"
#include "casebrief/scope.h"
#include "overview.h"

struct out; /* out.h */

#define CB_VIEW_NOT_FOUND ((size_t)-1)

/* Where a host was first seen, walking sources, then the events of
 * sources whose events name several hosts, then the findings' evidence.
 * The renderers have always differed here, and keep to it: Markdown
 * lists the hosts of sources, JSON adds those of mixed sources' events,
 * HTML also those only evidence names. */
enum cb_view_seen {
    CB_VIEW_SEEN_SOURCE = 0,
    CB_VIEW_SEEN_EVENTS,
    CB_VIEW_SEEN_EVIDENCE
};

struct cb_view_host {
    const char *name; /* interned; never "" */
    enum cb_view_seen seen;
    size_t rank;         /* order of discovery */
    unsigned sources;    /* sources that name it */
    uint64_t events;     /* read, less duplicates */
    cb_time first, last; /* of those events; CB_TIME_NONE when none */
    int offset_known;    /* its local time is UTC + east_min (timebasis.h) */
    int32_t east_min;
};

struct cb_view {
    const struct cb_report_input *in;
    const struct cb_analysis *an;  /* may be NULL */
    const struct cb_timeline *tl;  /* never NULL (an empty one if need be) */
    const struct cb_finding *find; /* in rank order, as correlated */
    size_t nfind;

    /* every host (at most CB_LIMIT_REPORT_HOSTS), sorted by name, one
     * entry per interned pointer */
    struct cb_view_host *hosts;
    size_t nhosts;
    /* the same names, distinct as strings (a hand-built timeline may
     * carry one name under two pointers) */
    const char **names;
    size_t nnames;

    /* the whole timeline: events read (kept or not), span */
    uint64_t events_read, not_kept;
    cb_time first, last;

    /* what could not be read completely (the analysis' damaged list:
     * event.h, cb_damage); complete when there is none */
    int complete;
    const struct cb_damage *damaged;
    size_t ndamaged;
    /* no input yielded an event: the reports say "nothing readable",
     * not that no known pattern was found */
    int nothing_read;

    /* evidence of finding f, k: timeline index evidx[evoff[f] + k], or
     * CB_VIEW_NOT_FOUND */
    size_t *evoff, *evidx;

    /* the window the picture and the event table show: from the
     * earliest evidence less 10 % (at least CB_LIMIT_REPORT_WINDOW_PAD_SEC)
     * to the latest plus as much, or the whole timeline without evidence;
     * events [lo, hi) of the timeline */
    int window;
    cb_time wfrom, wto;
    size_t lo, hi;

    /* the cluster's nodes: the Name column of cluster.log's Nodes
     * tables, else every host; distinct, in the order found */
    const char **nodes;
    size_t nnodes;
    /* the host-scope rule (scope.h): the cluster's membership and the
     * hosts outside it; apart[f]: finding f is only theirs, kept out of
     * the cluster's incidents (listed apart, ranked after) */
    struct cb_scope_result scope;
    unsigned char *apart;
    size_t napart;
    /* findings joined by the rules' causal links (rules.h); finding f's
     * ref is "F<f+1>", its incident incidents.items[of_finding[f]] */
    struct cb_incidents incidents;

    /* per finding: when its machine really went down (the earliest
     * EventLog 6008 of its evidence, converted with the node's offset;
     * CB_TIME_NONE when none or the offset is unknown), and how
     * (Kernel-Power 41, shutdown.h) */
    cb_time *went_down;
    int *stop_kind; /* enum cb_stop_kind */

    /* when machines were off, by host then time (at most
     * CB_LIMIT_REPORT_OUTAGES): from the unclean-boot evidence (EventLog
     * 6008, Kernel-Power 41) of the findings */
    struct cb_view_outage *outages;
    size_t noutages;

    /* remediation of finding f, filled with the case's values (fill.h):
     * steps[stepoff[f] .. stepoff[f + 1]) */
    struct cb_view_step *steps;
    size_t *stepoff;
    struct cb_arena *arena;

    /* the sources a case note cites, numbered S1, S2 ... in the order it
     * cites them: the findings' evidence (rank order), then sources with
     * warnings, then damaged ones. cited[k] is S(k+1); a source's number
     * is cb_view_cite (0: not cited). */
    const struct cb_source **cited;
    size_t ncited;
    unsigned *cite; /* by cb_source.index */
    /* every source, by host name ("" last), format, then path: the
     * inventory's grouping */
    const struct cb_source **inv;
    /* every source by path (strcmp), for cb_view_source_by_path */
    const struct cb_source **by_path;
    size_t nsources;

    /* the cluster at a glance, one row per object (overview.h) */
    struct cb_overview overview;
};

struct cb_view_outage {
    const char *host; /* interned */
    /* the last sign of life: 6008's own time (from_6008), else the last
     * event before the host's longest silence before its boot; to: the
     * first event it logged after */
    cb_time from, to;
    int from_6008;
    size_t finding; /* the first finding whose evidence tells it */
};

struct cb_view_step {
    const char *text, *powershell, *warning; /* powershell, warning: NULL */
    enum cb_step_kind kind;
    unsigned unknown; /* placeholders nothing filled (marked "<vm: unknown>") */
};

/* "the upload is damaged: 2 members could not be read completely;
 * findings may be missing" (NUL-terminated into buf), the one sentence
 * every renderer heads its report with when the view is not complete. */
void cb_view_damage_headline(const struct cb_view *v, char *buf, size_t size);

/* The scope lines every renderer shows, NUL-terminated into buf ("" when
 * there is nothing to say): the run's focus, "window 2026-11-14
 * 19:00..23:00 UTC: 1.2 M events outside left out"; and the hosts
 * outside the cluster, "3 hosts are not nodes of this cluster: WS-01,
 * WS-02, LAPTOP-7; their findings are listed apart". */
void cb_view_focus_line(const struct cb_view *v, char *buf, size_t size);
void cb_view_outside_line(const struct cb_view *v, char *buf, size_t size);

/* CB_OK or CB_E_NOMEM (v is then empty). in->tl may be NULL. */
enum cb_status cb_view_build(struct cb_view *v,
                             const struct cb_report_input *in);
void cb_view_fini(struct cb_view *v);

/* The frame of a renderer's entry point: build the view of in, run
 * body over it with a buffered writer on f, free both. CB_OK, CB_E_IO
 * when writing fails, CB_E_NOMEM. */
enum cb_status cb_view_render(FILE *f, const struct cb_report_input *in,
                              void (*body)(struct out *o,
                                           const struct cb_view *v));

/* The local-time offset of the host of an event (by its interned name):
 * 1 and *east_min, or 0 when no source tells it. */
int cb_view_utc_offset(const struct cb_view *v, const char *host,
                       int32_t *east_min);

/* The first timeline index whose time is >= t (upper: > t). */
size_t cb_view_bound(const struct cb_timeline *tl, cb_time t, int upper);

/* Events a source contributes: read, less those dropped as duplicates. */
uint64_t cb_view_source_events(const struct cb_source *s);
/* Warnings a source had past CB_LIMIT_WARNINGS_PER_SOURCE (not kept). */
uint64_t cb_view_warnings_suppressed(const struct cb_source *s);

/* Short labels: where an event is in its source ("record 42", "line 7",
 * "offset 4096"), and where a warning is ("line 7: ", "offset 9: " or
 * ""). */
void cb_view_where(const struct cb_event *e, char *buf, size_t size);
void cb_view_warning_where(const struct cb_warning *w, char *buf, size_t size);

/* ---- case-note helpers (Markdown today; any renderer may use them) ---- */

/* The S number of a source (1 for S1), 0 when the view does not cite it
 * (or s is not of the view's analysis). */
unsigned cb_view_cite(const struct cb_view *v, const struct cb_source *s);
/* The source whose path is the n bytes at path, or NULL. */
const struct cb_source *cb_view_source_by_path(const struct cb_view *v,
                                               const char *path, size_t n);

/* The file name of a nested source path ("a.zip!dir/N1-System.evtx" gives
 * "N1-System.evtx"): a pointer into path, path itself when it ends in a
 * separator. */
const char *cb_view_source_label(const char *path);

/* How many bytes of s to show in at most max bytes, cut at a word
 * boundary so that no token (a GUID, a VM id, a path, a quoted value) is
 * split: strlen(s) when it fits; else the end of the last whole word
 * before the token the limit falls in, trailing blanks and separators
 * dropped. A quoted value, a parenthesis of up to 80 bytes ("(Virtual
 * machine ID ...)") and a path that starts with a drive letter or "\\"
 * (running over its blanks to the next ": ", ", ", "; ", ". " or quote)
 * are kept or dropped whole. Only a single token longer than max is cut inside, on a
 * character boundary. The caller adds the ellipsis when the result is
 * less than strlen(s). */
size_t cb_view_cut_words(const char *s, size_t max);

/* A rule's reference as a case note shows it: *title (NUL-terminated,
 * at most size bytes) with any internal path left out ("shared/kb/...",
 * "../x.md": a parenthesis naming one goes whole), and *url / *urllen the
 * public https:// (or http://) address it carries, or NULL / 0. Returns
 * 0 when nothing public is left to show (the reference only named an
 * internal path). */
int cb_view_reference(const char *ref, char *title, size_t size,
                      const char **url, size_t *urllen);

#endif
