/*
 * overview.h - the cluster at a glance, part of the report model
 * (view.h): its nodes, networks, volumes, VMs and other roles, from the
 * configuration sections of every cluster.log in the bundle (Nodes,
 * Networks, Groups, Resources, Volumes), one row per object however many
 * nodes' logs list it, with what each log said where the logs disagree.
 * OS builds come from the Nodes table, a log's header or EventLog 6009;
 * VM ids from Hyper-V events.
 *
 * Ownership: every string and array hangs off the overview's arena or
 * borrows the analysis (which must outlive it); cb_overview_fini frees
 * the arena.
 */
#ifndef CASEBRIEF_REPORTS_OVERVIEW_H
#define CASEBRIEF_REPORTS_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/casebrief.h"

/* Kinds, in the order the overview lists them. */
enum cb_ov_kind {
    CB_OV_NODE = 0,
    CB_OV_NETWORK,
    CB_OV_VOLUME,
    CB_OV_VM,
    CB_OV_ROLE,
    CB_OV_KINDS
};

/* One log's row for an object. */
struct cb_ov_seen {
    const char *host;          /* the log's host (interned; "" when unknown) */
    const char *source;        /* the log's path */
    uint64_t line;             /* of the row */
    const char *state, *owner; /* NULL when that log does not say */
};

struct cb_ov_row {
    enum cb_ov_kind kind;
    const char *name;     /* a VM by its own name ("SQL-B") */
    const char *resource; /* a VM's cluster resource ("Virtual Machine
                           * SQL-B"), a volume's disk resource; or NULL */
    /* what most logs say (a tie: the first log); NULL when none says */
    const char *state, *owner;
    int state_differs, owner_differs;
    /* node: OS build; network: role and address; volume: path; role:
     * group type; VM: NULL; detail_from says where it came from */
    const char *detail, *detail_from;
    const char *id, *id_from;      /* node id, VM id (GUID); or NULL */
    const struct cb_ov_seen *seen; /* logs that list it, in log order */
    size_t nseen;
    /* logs that carry the section but do not list it */
    const char **absent;
    size_t nabsent;
};

/* A section the parser cut short (CB_LIMIT_CLUSTERLOG_TABLE_ROWS): the
 * overview lacks what its rows past the cap said. */
struct cb_ov_cut {
    const char *source, *host, *section;
    uint64_t line;
    size_t rows, rows_cut;
};
#define CB_OV_CUTS 16

struct cb_overview {
    const char *cluster; /* NULL: no log names the cluster */
    /* hosts of the logs the tables came from, in source order */
    const char **logs;
    size_t nlogs;
    struct cb_ov_row *rows; /* by kind, then name */
    size_t nrows;
    size_t cut;    /* objects past CB_LIMIT_REPORT_OVERVIEW_ROWS */
    size_t differ; /* rows whose logs disagree or leave it out */
    struct cb_ov_cut cuts[CB_OV_CUTS]; /* the first ones */
    size_t ncuts;
    struct cb_arena *arena;
};

/* Build the overview of an analysis and its timeline (either may be
 * NULL: an empty overview). CB_OK or CB_E_NOMEM (ov is then empty). */
enum cb_status cb_overview_build(struct cb_overview *ov,
                                 const struct cb_analysis *an,
                                 const struct cb_timeline *tl);
void cb_overview_fini(struct cb_overview *ov);

/* A VM by its own name: "Virtual Machine SQL-B" and "Virtual Machine
 * Configuration SQL-B" (its cluster resources) are "SQL-B". Returns s
 * past the prefix, and the rest's length in *len. */
const char *cb_ov_vm_name(const char *s, size_t *len);

/* "node", "network", "volume", "VM", "role" */
const char *cb_ov_kind_name(enum cb_ov_kind k);

struct out; /* out.h */

/* The overview as a section of the HTML page (nothing when it is empty),
 * of report.md (md escapes the customer's text for Markdown) and as the
 * value of report.json's "overview" (level: its indentation). */
void cb_overview_html(struct out *o, const struct cb_overview *ov);
void cb_overview_md(struct out *o, const struct cb_overview *ov,
                    void (*md)(struct out *o, const char *s));
void cb_overview_json(struct out *o, const struct cb_overview *ov, int level);

/* Whether a log that lists the row disagrees on its state or owner, or a
 * log that carries its section leaves it out. */
static inline int cb_ov_row_differs(const struct cb_ov_row *r)
{
    return r->state_differs || r->owner_differs || r->nabsent != 0;
}

#endif
