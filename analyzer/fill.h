/*
 * fill.h - rule text templates filled from a finding: {count}, {first},
 * {last}, {hosts}, {host} and every captured entity ({vm}, {node},
 * {volume}, {file}, ...), plus values derived from them ({csv_path},
 * {file_name}, {other_node}). The summary, the incident headline and the
 * remediation steps all read their values here, so a value is spelled
 * the same way everywhere.
 */
#ifndef CASEBRIEF_FILL_H
#define CASEBRIEF_FILL_H

#include "casebrief/arena.h"
#include "casebrief/rules.h"

enum cb_fill_mode {
    CB_FILL_TEXT,      /* prose: several values "A, B (+2 more)";
                        * unknown: "(unknown vm)" */
    CB_FILL_STEP,      /* a step's prose: unknown "<vm: unknown>" */
    CB_FILL_POWERSHELL /* inside '...': several values "A', 'B";
                        * unknown "<vm: unknown>" (will not run as is) */
};

/* The cluster's nodes as the bundle names them, for {other_node}; may
 * be empty. */
struct cb_fill_ctx {
    const char *const *nodes;
    size_t nnodes;
};

/*
 * tpl with its placeholders filled from f, in the arena; NULL on out of
 * memory. *unknown (may be NULL) gets the number of placeholders no
 * value could fill. A placeholder is {name} with name of letters, digits
 * and '_' (at most 40): other braces (PowerShell's @{...}, {$_...}) are
 * copied as they are.
 */
char *cb_fill(struct cb_arena *a, const struct cb_finding *f,
              const struct cb_fill_ctx *ctx, const char *tpl,
              enum cb_fill_mode mode, unsigned *unknown);

/* Whether a finding of rule r could ever fill placeholder name: the
 * fixed ones, derived ones whose source the rule captures, and the
 * entities its regexes capture. */
int cb_fill_possible(const struct cb_rule *r, const char *name);

#endif
