/*
 * rules_internal.h - compiled rule structures shared by the loader
 * (rules.c) and the engine (correlate.c). Not part of the public API.
 */
#ifndef CASEBRIEF_RULES_INTERNAL_H
#define CASEBRIEF_RULES_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "casebrief/arena.h"
#include "casebrief/rules.h"

struct field_re {
    const char *field; /* NULL: any field */
    pcre2_code *re;
};

/* One <match>: every condition given must hold. Several matchers may share
 * a name (alternatives: by event id, or by text for logs without ids). */
struct matcher {
    unsigned step;  /* index of its name in rule->names */
    const char **channels;
    unsigned nchannels;
    const char **providers;
    unsigned nproviders;
    uint32_t (*ids)[2]; /* inclusive ranges */
    unsigned nids;
    unsigned levels;    /* bit per enum cb_level; 0 = any */
    const char **components;
    unsigned ncomponents;
    struct field_re *fields;
    unsigned nfields;
    pcre2_code *message; /* on the message */
    /* prefilter: the message must contain one of these literals (indices
     * into rules->lits), else the regex cannot match; 0 = no prefilter */
    int message_lits[8];
    unsigned nmessage_lits;
    pcre2_code *hresult; /* on the message and every field value */
    int hresult_lits[8]; /* one of them is in any text the code is in */
    unsigned nhresult_lits;
    pcre2_code *path;    /* likewise */
    const struct cb_rule *rule;
    const char *sig; /* the conditions as text: equal sig, equal verdict */
    const char *note; /* how this matcher matched, as the entity "matched"
                       * (e.g. a localized text by provider and id only) */
};

enum corr_type { CORR_SINGLE, CORR_SEQUENCE, CORR_COOCCUR, CORR_COUNT,
                 CORR_ABSENCE,
                 CORR_SKEW /* from the gaps' clock-skew measurement:
                            * window is the least skew reported */ };

enum group_kind { GROUP_HOST, GROUP_CLUSTER, GROUP_ENTITY };

struct adjust {
    unsigned step;
    int absent;     /* 1: applies when the step has no hit nearby */
    int same_group; /* scope="same" */
    cb_time within;
    int by;
    int gate;       /* <require>: no finding unless the condition holds */
    int coverage;   /* <require covered|uncovered="NAME">: 1 (2) when the
                     * channels NAME reads must (must not) cover the
                     * finding, from within before it to its last event */
};

/* <leads-to rule="ID" within="1d" headline="..."/>: a finding of this
 * rule explains one of rule ID that starts within the window after it
 * and shares a host or an entity with it (analyzer/incidents.c). */
struct link {
    const char *rule;
    cb_time within;
    const char *headline; /* the incident's title when this link holds */
    unsigned line;
};

struct cb_rule {
    const char *id, *pattern, *title, *summary, *cause, *file;
    const char *headline; /* <headline>: the incident title in the
                           * customer's terms when this rule is its root */
    struct link *links;
    unsigned nlinks;
    unsigned line;
    enum cb_severity severity;
    int confidence;
    const char **names; /* matcher names = correlation steps */
    unsigned nnames;
    struct matcher *matchers;
    unsigned nmatchers;
    enum corr_type type;
    unsigned *steps; /* indices into names, in order */
    unsigned nsteps;
    cb_time window;
    unsigned min_count;
    unsigned min_hosts; /* count: distinct hosts needed in the window */
    int both_ways;      /* absence: no B before or after A */
    cb_time same_within; /* single: hits this close (same group) are one
                          * occurrence reported by several logs */
    enum group_kind group;
    const char *group_entity;
    int at_stop; /* time="stop": each event counts at the time its node
                  * went down (unclean-stop events written at boot;
                  * shutdown.h), and findings list the outages */
    struct adjust *adjusts;
    unsigned nadjusts;
    struct cb_remedy *remediation;
    unsigned nremediation;
    const char **collect;
    unsigned ncollect;
    const char **references;
    unsigned nreferences;
    unsigned references_line; /* of <references>, for rules check */
    const char **channels; /* union of the matchers' channels */
    unsigned nchannels;
    const char **needs; /* <needs>: what its matchers without a
                         * <channel> read */
    unsigned nneeds;
};

/* A literal every match of some regex contains: checked with memmem (or
 * a case-blind search) before the regex runs, and remembered per event so
 * that rules sharing a literal pay for it once. */
struct literal {
    const char *s;
    const char *lower; /* s in lower case, for case-blind literals */
    size_t len;
    int ci;
};

struct cb_rules {
    struct cb_arena *arena;
    struct literal *lits;
    size_t nlits, lits_cap;
    struct cb_rule **rules;
    size_t count, cap;
    pcre2_code **codes; /* every compiled pattern, for freeing */
    size_t ncodes, codes_cap;
    pcre2_match_context *mctx;
};

#endif
