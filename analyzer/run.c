/*
 * run.c - the pipeline in one call (run.h): rules, ingestion with the
 * keeper, finish, timeline, correlation, gaps. The order matters: the
 * rules come first because they say which routine lines need not be kept
 * while parsing.
 */
#include <string.h>

#include "alloc.h"
#include "casebrief/run.h"
#include "casebrief/scope.h"

enum cb_status cb_rules_load_dirs(struct cb_rules **rules,
                                  const char *const *dirs, size_t ndirs,
                                  struct cb_rule_error **errors,
                                  struct cb_error *err)
{
    for (size_t i = 0; i < ndirs; i++) {
        if (!dirs[i])
            continue;
        enum cb_status st = cb_rules_load_dir(rules, dirs[i], errors);
        if (st == CB_E_IO)
            return cb_error_set(err, st, CB_WHERE_NONE, 0,
                                "cannot read rules directory %s", dirs[i]);
        if (st != CB_OK)
            return cb_error_set(err, st, CB_WHERE_NONE, 0,
                                "out of memory loading rules");
    }
    if (*errors) {
        cb_rules_free(rules);
        return cb_error_set(err, CB_E_CORRUPT, CB_WHERE_NONE, 0, "%s: %s",
                            (*errors)->where, (*errors)->msg);
    }
    return CB_OK;
}

size_t cb_analysis_parsed_sources(const struct cb_analysis *an)
{
    size_t n = 0;
    for (size_t i = 0; i < an->nsources; i++) {
        const char *f = an->sources[i]->format;
        if (strcmp(f, "unknown") && strcmp(f, "skipped") &&
            strcmp(f, "ambiguous"))
            n++;
    }
    return n;
}

size_t cb_analysis_read_sources(const struct cb_analysis *an)
{
    size_t n = 0;
    for (size_t i = 0; an && i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        n += s->nevents || s->not_kept || s->tables;
    }
    return n;
}

static void phase(const struct cb_analyze_opts *o, const char *name)
{
    if (o->phase)
        o->phase(o->ctx, name);
}

static struct cb_analysis *create(const struct cb_analyze_opts *o)
{
    struct cb_analysis *an = cb_analysis_create(o->limits);
    if (!an)
        return NULL;
    cb_analysis_use_parsers(an, o->parsers, o->nparsers);
    an->forced = o->forced;
    an->opts.jobs = o->jobs ? o->jobs : 1;
    an->opts.date_order = o->date_order;
    an->ntz = 0;
    for (size_t i = 0; i < o->ntz && i < CB_LIMIT_TZ_OVERRIDES; i++)
        an->tz[an->ntz++] = o->tz[i];
    an->progress = o->progress;
    if (o->scope)
        an->scope = *o->scope;
    return an;
}

/* Every input into res->an; only out of memory stops it. */
static enum cb_status ingest(const struct cb_analyze_opts *o,
                             struct cb_analyze_result *res,
                             struct cb_error *err)
{
    for (size_t i = 0; i < o->ninputs; i++) {
        const struct cb_analyze_input *in = &o->inputs[i];
        struct cb_error ierr = {0};
        enum cb_status st =
            in->data
                ? cb_ingest_memory(res->an, in->name, in->data, in->len, &ierr)
                : cb_ingest_path(res->an, in->name, &ierr);
        if (st == CB_E_NOMEM)
            return cb_error_set(err, st, CB_WHERE_NONE, 0,
                                "out of memory reading %s", in->name);
        if (st != CB_OK) {
            if (o->input_failed)
                o->input_failed(o->ctx, in->name, &ierr);
            continue;
        }
        res->inputs_opened++;
    }
    return CB_OK;
}

/* Without rules or with keep_all, and a memory budget: every event is
 * wanted, until the budget says otherwise. */
static int keep_each(void *ctx, const struct cb_event *ev)
{
    (void)ctx;
    (void)ev;
    return 1;
}

/* The rules and, unless keep_all, the keeper over them, then the inputs;
 * the keeper is asked while parsing only. */
static enum cb_status read_inputs(const struct cb_analyze_opts *o,
                                  struct cb_analyze_result *res,
                                  struct cb_error *err)
{
    enum cb_status st = CB_OK;
    if (!o->timeline_only)
        st = cb_rules_load_dirs(&res->rules, o->rules_dirs, o->nrules_dirs,
                                &res->rule_errors, err);
    if (st != CB_OK)
        return st;
    struct cb_keeper *keeper = NULL;
    if (!o->timeline_only && !o->keep_all && res->rules &&
        !(keeper = cb_keeper_create(res->rules)))
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
    res->an = create(o);
    if (!res->an)
        st = cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
    if (st == CB_OK && keeper) {
        res->an->keep = cb_keeper_wants;
        res->an->keep_rule = cb_keeper_rule;
        res->an->keep_ctx = keeper;
    } else if (st == CB_OK && res->an->budget.bytes) {
        res->an->keep = keep_each; /* only the budget drops lines */
    }
    if (st == CB_OK)
        st = ingest(o, res, err);
    if (res->an) {
        res->an->keep = NULL;
        res->an->keep_rule = NULL;
        res->an->keep_ctx = NULL;
    }
    cb_keeper_free(&keeper);
    return st;
}

/* Findings of hosts outside the cluster (scope.h) rank after the
 * cluster's, each part in its own order. */
static enum cb_status rank_outside_last(struct cb_analyze_result *res)
{
    struct cb_findings *fs = &res->findings;
    struct cb_scope_result sr;
    if (cb_scope_hosts(res->an, &res->timeline, &sr) != CB_OK)
        return CB_E_NOMEM;
    enum cb_status st = CB_OK;
    unsigned char *out = sr.noutside && fs->count
                             ? cb_calloc(fs->count, sizeof *out)
                             : NULL;
    struct cb_finding *tmp =
        out ? cb_malloc(fs->count * sizeof *tmp) : NULL;
    if (out && tmp) {
        for (size_t i = 0; i < fs->count; i++)
            out[i] = (unsigned char)cb_scope_finding_outside(&sr,
                                                             &fs->items[i]);
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < fs->count; i++)
                if (out[i] == pass)
                    tmp[k++] = fs->items[i];
        memcpy(fs->items, tmp, fs->count * sizeof *tmp);
    } else if (sr.noutside && fs->count) {
        st = CB_E_NOMEM;
    }
    cb_free(out);
    cb_free(tmp);
    cb_scope_result_fini(&sr);
    return st;
}

enum cb_status cb_analyze(const struct cb_analyze_opts *o,
                          struct cb_analyze_result *res, struct cb_error *err)
{
    memset(res, 0, sizeof *res);
    enum cb_status st = read_inputs(o, res, err);
    if (st != CB_OK)
        return st;
    phase(o, "ingest");
    if (cb_analysis_finish(res->an) != CB_OK ||
        cb_timeline_build(res->an, &res->timeline) != CB_OK)
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                            "out of memory building the timeline");
    /* after finish: pairing may settle a sidecar's format */
    res->sources_parsed = cb_analysis_parsed_sources(res->an);
    phase(o, "timeline");
    if (o->timeline_only)
        return CB_OK;
    if (cb_correlate(res->rules, &res->timeline, &res->findings) != CB_OK)
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                            "out of memory correlating");
    phase(o, "correlate");
    if (cb_gaps_find_for(res->rules, res->an, &res->timeline,
                         &res->findings, &res->gaps) != CB_OK)
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                            "out of memory finding gaps");
    /* the clock-skew rules read the gaps' measurement of the clocks */
    if (cb_skew_findings(res->rules, &res->timeline, &res->gaps,
                         &res->findings) != CB_OK)
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                            "out of memory correlating");
    cb_scope_gaps(&res->an->scope, &res->gaps);
    if (rank_outside_last(res) != CB_OK)
        return cb_error_set(err, CB_E_NOMEM, CB_WHERE_NONE, 0,
                            "out of memory ranking findings");
    phase(o, "gaps");
    return CB_OK;
}

void cb_analyze_result_fini(struct cb_analyze_result *res)
{
    cb_gaps_fini(&res->gaps);
    cb_findings_fini(&res->findings);
    cb_rule_errors_free(&res->rule_errors);
    cb_rules_free(&res->rules);
    cb_timeline_fini(&res->timeline);
    cb_analysis_destroy(&res->an);
}
