/*
 * report.h - renderers over an analysis and its timeline, and the table
 * of report formats (reports/renderer_list.h).
 *
 * Ownership: a renderer owns nothing it is given; it reads the analysis,
 * timeline, findings and gaps and writes to the caller's FILE, which the
 * caller closes.
 */
#ifndef CASEBRIEF_REPORT_H
#define CASEBRIEF_REPORT_H

#include <stdio.h>

#include "analysis.h"
#include "rules.h"
#include "timeline.h"

enum cb_timeline_format {
    CB_TL_JSONL = 0,
    CB_TL_CSV,
    CB_TL_TEXT
};

/* One event per line / row. Returns CB_E_IO when writing fails. */
enum cb_status cb_timeline_write(FILE *out, const struct cb_timeline *tl,
                                 enum cb_timeline_format fmt);
/* The same bytes, formatted on `jobs` threads in blocks of events while
 * the calling thread writes the blocks in order; jobs <= 1, or a short
 * timeline, is cb_timeline_write. */
enum cb_status cb_timeline_write_jobs(FILE *out, const struct cb_timeline *tl,
                                      enum cb_timeline_format fmt,
                                      unsigned jobs);

/* Everything a human-facing report shows. */
struct cb_report_input {
    const char *case_name;            /* e.g. the first input's name */
    const struct cb_analysis *an;
    const struct cb_timeline *tl;
    const struct cb_findings *findings; /* may be NULL */
    const struct cb_gaps *gaps;         /* may be NULL */
    const char *rules_version;        /* e.g. "24 rules" */
};

/* report.json: tool, summary, sources, warnings, hosts, configuration,
 * findings, gaps. in->findings and in->gaps may be NULL (written as
 * empty lists); case_name and rules_version are not written. Returns
 * CB_E_IO when writing fails, CB_E_NOMEM. */
enum cb_status cb_report_json_input(FILE *out,
                                    const struct cb_report_input *in);
/* The same from its parts, for callers without a cb_report_input. */
enum cb_status cb_report_json(FILE *out, const struct cb_analysis *an,
                              const struct cb_timeline *tl,
                              const struct cb_findings *findings,
                              const struct cb_gaps *gaps);

/* Markdown for a case note or an RCA (GitHub-flavoured tables); every
 * customer string escaped. Returns CB_E_IO when writing fails. */
enum cb_status cb_report_markdown(FILE *out, const struct cb_report_input *in);

/* One self-contained HTML file: inline CSS and a little inline JS, no
 * external resources, readable with JS off; every customer string
 * escaped. Returns CB_E_IO when writing fails. */
enum cb_status cb_report_html(FILE *out, const struct cb_report_input *in);

/* A report format: what --format names, the file it writes in the output
 * folder, and its writer (CB_OK, CB_E_IO when writing fails,
 * CB_E_NOMEM). Listed once in reports/renderer_list.h. */
struct cb_renderer {
    const char *name; /* --format word: "html", "md", "json" */
    const char *file; /* file written in the output folder: "report.html" */
    enum cb_status (*write)(FILE *out, const struct cb_report_input *in);
};

/* Every report format, in the order a report folder is written (json,
 * md, html); *count gets their number. */
const struct cb_renderer *const *cb_renderers(size_t *count);
/* The format a --format word names ("markdown" is "md"), or NULL. */
const struct cb_renderer *cb_renderer_find(const char *name);

#endif
