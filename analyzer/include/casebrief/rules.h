/*
 * rules.h - the knowledge base: rules loaded from rules/NAME.xml (schema in
 * rules/README.md), compiled once, and the findings the correlation
 * engine derives from a timeline.
 *
 * Ownership: a cb_rules set owns its rules, compiled patterns and texts;
 * findings belong to their cb_findings list and point into the rules and
 * into the analysis' events, so both must outlive them.
 */
#ifndef CASEBRIEF_RULES_H
#define CASEBRIEF_RULES_H

#include <stdio.h>

#include "error.h"
#include "event.h"
#include "analysis.h"
#include "timeline.h"

enum cb_severity {
    CB_SEV_INFO = 0,
    CB_SEV_LOW,
    CB_SEV_MEDIUM,
    CB_SEV_HIGH,
    CB_SEV_CRITICAL
};

const char *cb_severity_name(enum cb_severity s);

struct cb_rules;
struct cb_rule;

/* One problem found while loading: "file:line: message". */
struct cb_rule_error {
    char where[600];
    char msg[400];
    struct cb_rule_error *next;
};

/*
 * Load every *.xml in dir (sorted by name) into *rules (created when NULL;
 * a rule whose id already exists replaces it, so a team's --rules DIR can
 * override the shipped ones). Problems are appended to *errors (caller
 * frees with cb_rule_errors_free); a file with errors adds no rule.
 * Returns CB_OK, CB_E_IO (dir unreadable), CB_E_NOMEM.
 */
enum cb_status cb_rules_load_dir(struct cb_rules **rules, const char *dir,
                                 struct cb_rule_error **errors);
/* The same for one file, or for XML text in memory (name for messages). */
enum cb_status cb_rules_load_file(struct cb_rules **rules, const char *path,
                                  struct cb_rule_error **errors);
enum cb_status cb_rules_load_memory(struct cb_rules **rules, const char *name,
                                    const char *xml, size_t len,
                                    struct cb_rule_error **errors);
void cb_rules_free(struct cb_rules **rules);
void cb_rule_errors_free(struct cb_rule_error **errors);

/*
 * What `rules check` adds to loading, over the whole set (a link may name
 * a rule of another file): every <leads-to> names a loaded rule; no
 * remediation deletes with errors silenced (Remove-Item ... -ErrorAction
 * SilentlyContinue). Problems are appended to *errors as file:line;
 * returns their number, or -1 on out of memory.
 */
int cb_rules_lint(const struct cb_rules *rules, struct cb_rule_error **errors);

size_t cb_rules_count(const struct cb_rules *rules);
const struct cb_rule *cb_rules_at(const struct cb_rules *rules, size_t i);
const char *cb_rule_id(const struct cb_rule *r);
const char *cb_rule_pattern(const struct cb_rule *r);
const char *cb_rule_title(const struct cb_rule *r);
enum cb_severity cb_rule_severity(const struct cb_rule *r);
/* The matcher name of the rule's first correlation step (its own
 * events, as opposed to corroborating ones), or NULL. */
const char *cb_rule_main_step(const struct cb_rule *r);
/* Channels whose events the rule reads ("System", ...), for gaps. */
size_t cb_rule_channels(const struct cb_rule *r, const char *const **out);

/* ---- findings ---------------------------------------------------------- */

struct cb_entity {
    const char *name;  /* "vm", "node", "volume", "file", ... */
    const char *value;
};

struct cb_evidence {
    const struct cb_event *ev;
    const char *role; /* the rule's matcher name that took it */
};

enum cb_step_kind {
    CB_STEP_UNSAID = 0, /* the rule does not say: treated as a change */
    CB_STEP_DIAGNOSE,   /* only reads */
    CB_STEP_FIX         /* changes something */
};

struct cb_remedy {
    const char *text;
    const char *powershell; /* may be NULL */
    const char *warning;    /* may be NULL */
    enum cb_step_kind kind;
    unsigned line; /* of its <step> in the rule file */
};

const char *cb_step_kind_name(enum cb_step_kind k); /* "diagnose", "fix" */

/* A node's unclean stop as a span (shutdown.h, cb_stop_outage): from its
 * last sign of life before the stop to the first event after it (the
 * boot). stop is the shutdown time EventLog 6008 states, converted with
 * the node's offset (CB_TIME_NONE when unknown); from is never before it.
 * how: "power loss or hard reset", "bug check (crash)", "power button
 * held" (Kernel-Power 41) or "unclean stop"; from_by says what from rests
 * on: "EventLog 6008" or "last event before the stop". */
struct cb_outage {
    const char *host;
    cb_time from, to, stop;
    const char *how, *from_by;
};

struct cb_finding {
    const struct cb_rule *rule;
    const char *id, *pattern, *title;
    enum cb_severity severity;
    int confidence; /* 0..100 */
    cb_time first, last;
    size_t count; /* occurrences merged into this finding */
    const char **hosts;
    size_t nhosts;
    struct cb_entity *entities;
    size_t nentities;
    struct cb_evidence *evidence;
    size_t nevidence;
    char *summary;
    const char *cause;
    const struct cb_remedy *remediation;
    size_t nremediation;
    const char *const *collect;
    size_t ncollect;
    const char *const *references;
    size_t nreferences;
    size_t seq; /* order found in (rule order, then time): the ranking's
                 * last tie-breaker */
    /* the unclean stops the finding's events report (rules with
     * <correlate time="stop">), one per node and boot, by time */
    const struct cb_outage *outages;
    size_t noutages;
};

struct cb_findings {
    struct cb_finding *items;
    size_t count, cap;
    struct cb_arena *arena; /* summaries, host and entity lists */
};

/*
 * Run every rule over the timeline (events in time order). Findings are
 * grouped per rule by its grouping key and episode, ranked by severity,
 * then confidence, then time, rule id, summary and the order found in:
 * a total order, the same for the same input.
 */
enum cb_status cb_correlate(const struct cb_rules *rules,
                            const struct cb_timeline *tl,
                            struct cb_findings *out);

/*
 * The keeper: which events an analysis needs to keep, asked while
 * parsing (cb_analysis.keep) so that routine lines cost no memory:
 * events some rule's matcher takes, warnings and above, and lines of an
 * event channel. Only cluster.log debug lines are ever left out (see
 * cb_parser_ops.events_rewindable). NULL on out of memory or no rules.
 */
struct cb_keeper;
struct cb_keeper *cb_keeper_create(const struct cb_rules *rules);
void cb_keeper_free(struct cb_keeper **keeper);
/* 2: keep ev and the lines around it (a rule's matcher takes it);
 * 3: keep ev, a line of an event channel a rule's matcher takes (its
 * neighbours are that channel's lines, kept anyway); 1: keep ev (a
 * warning or worse, an event channel's line); 0: count it only. ctx is
 * the keeper (the shape of cb_analysis.keep). */
int cb_keeper_wants(void *ctx, const struct cb_event *ev);
/* The id of the first rule whose matcher takes ev (one keep said 2 for),
 * or NULL: named when the memory budget drops such a line. */
const char *cb_keeper_rule(void *ctx, const struct cb_event *ev);
void cb_findings_fini(struct cb_findings *f);

/* ---- incidents ----------------------------------------------------------
 * Findings joined by the causal links the rules declare (<leads-to>): A
 * explains B when B's rule is named by one of A's links, B starts within
 * the link's window after A (or up to two minutes before it: clocks and
 * logging lag), and the two share a host, a node, VM, volume, role or
 * file. Each connected group is an incident; an unlinked finding is an
 * incident of its own. */

struct cb_incident {
    char ref[24];          /* "I1", "I2", ... in rank order */
    const char *title;     /* in the customer's terms */
    const char *summary;   /* one paragraph */
    cb_time first, last;
    const char **hosts;    /* hosts and nodes named, sorted */
    size_t nhosts;
    size_t root;           /* finding index of the probable cause */
    size_t lead;           /* finding index the title speaks of */
    size_t *members;       /* finding indices: root, then by time */
    size_t nmembers;
    enum cb_severity severity; /* the highest of its findings */
    int apart; /* its findings are of hosts outside the cluster (scope.h):
                * ranked after every incident of the cluster */
};

struct cb_incidents {
    struct cb_incident *items; /* ranked: severity, confidence, time */
    size_t count;
    size_t *of_finding;        /* incident index of each finding */
    size_t nfindings;
    struct cb_arena *arena;
};

/* Incidents of a ranked findings list (f may be NULL: none). nodes
 * (may be NULL) are the cluster's nodes, for {other_node}. went_down
 * (may be NULL) gives per finding when its machine really went down
 * (EventLog 6008, converted to UTC) or CB_TIME_NONE: an incident starts
 * then, and its summary says so. CB_OK or CB_E_NOMEM. */
enum cb_status cb_incidents_build(const struct cb_findings *f,
                                  const char *const *nodes, size_t nnodes,
                                  const cb_time *went_down,
                                  struct cb_incidents *out);
/* The same, keeping apart the findings of hosts outside the cluster
 * (apart[f] != 0, scope.h): no link joins them to the cluster's, and
 * their incidents rank after the cluster's. apart may be NULL. */
enum cb_status cb_incidents_build_apart(const struct cb_findings *f,
                                        const char *const *nodes,
                                        size_t nnodes,
                                        const cb_time *went_down,
                                        const unsigned char *apart,
                                        struct cb_incidents *out);
void cb_incidents_fini(struct cb_incidents *in);

/*
 * Does the match named step of rule r (any of its alternatives) take ev?
 * 1 yes, 0 no, -1 no memory. The entities it captures (the alternative
 * capturing most, plus "matched" for a matcher's note) go to ents (at
 * most max), their values copied into arena. For the wording tests and
 * `casebrief rules coverage`: one event at a time, no correlation.
 */
int cb_rule_takes(const struct cb_rules *rules, const struct cb_rule *r,
                  const char *step, const struct cb_event *ev,
                  struct cb_arena *arena, struct cb_entity *ents,
                  unsigned max, unsigned *nents);

/* ---- evidence gaps ----------------------------------------------------- */

enum cb_gap_kind {
    CB_GAP_MISSING_CHANNEL, /* a channel rules read is not in the bundle */
    CB_GAP_TIME_ASSUMED,    /* a source's clock had to be assumed */
    CB_GAP_SILENT,          /* a stretch without events inside a source */
    CB_GAP_CLOCK_SKEW,      /* two nodes' clocks disagree */
    CB_GAP_LOST             /* evidence of an outage lost afterwards: a
                             * cluster log that starts after it, a log
                             * cleared after it (host; from: the outage,
                             * to: when the evidence ends) */
};

struct cb_gap {
    enum cb_gap_kind kind;
    const char *subject;    /* the channel, or the source path */
    const char *detail;     /* what it means */
    const char *collect;    /* how to get it, or NULL */
    const char **rules;     /* ids of the rules it kept from judging */
    size_t nrules;
    const char *host;       /* silent periods: the host, from and to */
    cb_time from, to;
    const char *other_host; /* clock skew: host is ahead of other_host */
    int64_t skew_ms;        /* by this much (median) */
    size_t samples;         /* over this many shared records */
};

struct cb_gaps {
    struct cb_gap *items;
    size_t count;
    struct cb_arena *arena;
};

/* What the bundle lacks for the rules in force, and which sources' time
 * bases are assumptions. Deterministic order. */
enum cb_status cb_gaps_find(const struct cb_rules *rules,
                            const struct cb_analysis *an,
                            const struct cb_timeline *tl,
                            struct cb_gaps *out);
/* The same, knowing the findings (fs may be NULL): a gap lists only the
 * rules it kept from judging, never one that found something; lost
 * evidence around the findings' outages (a cluster log that starts after
 * one, a log cleared after one) becomes a gap of its own. */
enum cb_status cb_gaps_find_for(const struct cb_rules *rules,
                                const struct cb_analysis *an,
                                const struct cb_timeline *tl,
                                const struct cb_findings *fs,
                                struct cb_gaps *out);
void cb_gaps_fini(struct cb_gaps *g);

/* Findings of the rules of type clock-skew from the gaps' measurement of
 * the nodes' clocks, added to out (which cb_correlate filled) and sorted
 * with the others. */
enum cb_status cb_skew_findings(const struct cb_rules *rules,
                                const struct cb_timeline *tl,
                                const struct cb_gaps *gaps,
                                struct cb_findings *out);

/* ---- HRESULT forms ------------------------------------------------------ */

/*
 * A PCRE2 pattern matching every way a log writes this code: 0x80070020,
 * 80070020 after "error", 2147942432, -2147024864, %%2147942432 and its
 * well-known text. Returns the length written, or 0 when buf is too small.
 */
size_t cb_hresult_pattern(unsigned long code, char *buf, size_t size);

#endif
