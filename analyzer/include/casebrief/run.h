/*
 * run.h - one call for the whole pipeline: inputs in; the ingested and
 * finished analysis, its timeline, the rules in force, findings and gaps
 * out. The command line, the fuzzers and the tests go through it, so the
 * stages are chained in one place.
 *
 * Ownership: everything in a cb_analyze_result belongs to it and is freed
 * by cb_analyze_result_fini, whatever cb_analyze returned.
 */
#ifndef CASEBRIEF_RUN_H
#define CASEBRIEF_RUN_H

#include <stddef.h>

#include "analysis.h"
#include "error.h"
#include "rules.h"
#include "timeline.h"

/* A file, directory or archive on disk (data NULL), or bytes in memory
 * named name (tests, fuzzers). */
struct cb_analyze_input {
    const char *name;
    const void *data;
    size_t len;
};

struct cb_analyze_opts {
    /* REQUIRED: what to read, in this order. */
    const struct cb_analyze_input *inputs;
    size_t ninputs;
    /* REQUIRED: the formats to read (the core names none: every shipped
     * one is cb_parsers() of parsers/registry.h); must outlive the
     * result. */
    const struct cb_parser_ops *const *parsers;
    size_t nparsers;
    /* optional: parse every non-archive file with this parser */
    const struct cb_parser_ops *forced;
    /* optional: NULL for the defaults */
    const struct cb_limits *limits;
    /* optional: rules directories loaded in order, a rule with the id of
     * an earlier one replacing it; none: no findings */
    const char *const *rules_dirs;
    size_t nrules_dirs;
    /* stop after the timeline: no rules loaded, no findings, no gaps */
    int timeline_only;
    /* keep every event; by default, with rules, the routine lines no rule
     * reads are counted, not kept (cb_keeper_wants) */
    int keep_all;
    unsigned jobs;                   /* parse threads; 0 is 1 */
    enum cb_date_order date_order;   /* numeric dates in text exports */
    const struct cb_tz_override *tz; /* optional, at most
                                      * CB_LIMIT_TZ_OVERRIDES */
    size_t ntz;
    int progress; /* progress lines on stderr */
    /* optional: --window, --host (scope.h); NULL: everything */
    const struct cb_scope *scope;
    /* optional: an input that could not be opened (the run goes on) */
    void (*input_failed)(void *ctx, const char *name,
                         const struct cb_error *err);
    /* optional: a stage is done ("ingest", "timeline", "correlate",
     * "gaps"), for timing */
    void (*phase)(void *ctx, const char *name);
    void *ctx;
};

struct cb_analyze_result {
    struct cb_analysis *an;
    struct cb_timeline timeline;
    struct cb_rules *rules; /* NULL when no rules were loaded */
    /* problems in rule files, "file:line" each (status CB_E_CORRUPT) */
    struct cb_rule_error *rule_errors;
    struct cb_findings findings;
    struct cb_gaps gaps;
    size_t inputs_opened;  /* inputs that could be read at all */
    size_t sources_parsed; /* files some parser recognised */
};

/*
 * Run the pipeline: rules (unless timeline_only), ingestion of every
 * input, the parsers' finish pass, the timeline, correlation and gaps.
 * An input that cannot be opened is reported to input_failed and skipped.
 * Returns CB_OK when every stage ran (inputs_opened and sources_parsed
 * then say whether anything was read), CB_E_IO when a rules directory
 * cannot be read, CB_E_CORRUPT when a rule file is broken (rule_errors
 * lists where), CB_E_NOMEM; err says which stage failed. res is
 * overwritten; free it with cb_analyze_result_fini in every case.
 */
enum cb_status cb_analyze(const struct cb_analyze_opts *opts,
                          struct cb_analyze_result *res, struct cb_error *err);

/* Load rules directories into *rules in order (see cb_rules_load_dir).
 * CB_OK, CB_E_IO (err names the directory), CB_E_CORRUPT (*errors says
 * where; *rules is then freed), CB_E_NOMEM. */
enum cb_status cb_rules_load_dirs(struct cb_rules **rules,
                                  const char *const *dirs, size_t ndirs,
                                  struct cb_rule_error **errors,
                                  struct cb_error *err);

/* Files that some parser recognised (neither unknown, skipped nor
 * ambiguous). */
size_t cb_analysis_parsed_sources(const struct cb_analysis *an);

/* Files that yielded something: an event (kept or not) or a configuration
 * table. None: nothing readable (exit 3, and the reports say so). */
size_t cb_analysis_read_sources(const struct cb_analysis *an);

void cb_analyze_result_fini(struct cb_analyze_result *res);

#endif
