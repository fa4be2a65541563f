/*
 * test_report_md.c - the Markdown report: the demo bundle's findings in
 * it, and customer text that tries to break out (HTML, links, tables,
 * code spans, invalid UTF-8) neutralised.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

/* The shipped rules over inputs (and tz), through cb_analyze as the
 * command runs it, every event kept. */
static void analyze(struct cb_analyze_result *res,
                    const struct cb_analyze_input *in, size_t n,
                    const struct cb_tz_override *tz, size_t ntz)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../rules", getenv("CB_SAMPLES"));
    const char *dirs[] = {dir};
    struct cb_analyze_opts o = {.inputs = in, .ninputs = n,
                                .rules_dirs = dirs, .nrules_dirs = 1,
                                .keep_all = 1, .tz = tz, .ntz = ntz};
    o.parsers = cb_parsers(&o.nparsers);
    struct cb_error err = {0};
    cr_assert_eq(cb_analyze(&o, res, &err), CB_OK, "%s", err.msg);
}

static void analyze_demo(struct cb_analyze_result *res,
                         const struct cb_tz_override *tz, size_t ntz)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo-bundle", getenv("CB_SAMPLES"));
    struct cb_analyze_input in = {.name = dir};
    analyze(res, &in, 1, tz, ntz);
    cr_assert_eq(res->inputs_opened, 1u);
}

static char *render(const struct cb_analyze_result *res, size_t *len)
{
    struct cb_report_input in = {.case_name = "case <1>", .an = res->an,
                                 .tl = &res->timeline,
                                 .findings = &res->findings,
                                 .gaps = &res->gaps,
                                 .rules_version = "test"};
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    cr_assert_eq(cb_report_markdown(mem, &in), CB_OK);
    fclose(mem);
    return buf;
}

Test(report_md, demo_findings_with_evidence_and_remediation)
{
    struct cb_analyze_result res;
    analyze_demo(&res, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    cr_assert(strstr(md, "### 1. Cluster node isolated"), "%s", md);
    cr_assert(strstr(md, "| 2024-11-15 01:58:12.905 (local 02:58:12.905 "
                         "UTC+01:00) | HV-NODE1 | System |"),
              "evidence row with time (and the node's, from its cluster.log "
              "header), host and channel");
    cr_assert(strstr(md, "line 14"), "evidence traceable to its line");
    cr_assert(strstr(md, "````powershell\n   Test-Cluster"),
              "remediation PowerShell fenced");
    cr_assert(strstr(md, "**Missing channel** Microsoft-Windows-Hyper-V-"
                         "VMMS-Admin"));
    cr_assert(strstr(md, "# casebrief report: case &lt;1&gt;"));
    /* two renderings: the same bytes */
    size_t len2;
    char *again = render(&res, &len2);
    cr_assert_eq(len, len2);
    cr_assert_eq(memcmp(md, again, len), 0);
    free(md);
    free(again);
    cb_analyze_result_fini(&res);
}

Test(report_md, evidence_shows_node_local_time_when_the_offset_is_known)
{
    const struct cb_tz_override tz = {"HV-NODE1", -330}; /* --tz */
    struct cb_analyze_result res;
    analyze_demo(&res, &tz, 1);
    size_t len;
    char *md = render(&res, &len);
    /* 01:58:12.905 UTC is 20:28:12.905 the day before at UTC-05:30 */
    cr_assert(strstr(md, "| 2024-11-15 01:58:12.905 (local 20:28:12.905 "
                         "UTC-05:30) | HV-NODE1 | System |"), "%s", md);
    cr_assert_null(strstr(md, "UTC-05:30) | HV-NODE2"), "not other nodes");
    free(md);
    cb_analyze_result_fini(&res);
}

Test(report_md, hostile_log_text_cannot_break_out)
{
    const char *log =
        /* a quorum loss, so that the line becomes a finding's evidence */
        "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   [QUORUM] lost "
        "quorum <script>alert(1)</script> [click](http://evil.example) "
        "![img](http://evil.example/x.png) `code` | a | b | *bold* "
        "&lt;b&gt; \xff\xfe end\n";
    struct cb_analyze_input in = {"HV-EVIL_cluster.log<b>|x", log,
                                  strlen(log)};
    struct cb_analyze_result res;
    analyze(&res, &in, 1, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    cr_assert_null(strstr(md, "<script>"));
    cr_assert_null(strstr(md, "<b>"));
    for (const char *p = md; (p = strstr(p, "](")) != NULL; p++)
        cr_assert_eq(p[-1], '\\', "an unescaped ']' could close a link");
    cr_assert(strstr(md, "!\\[img\\](http"), "image syntax escaped");
    cr_assert(strstr(md, "&amp;lt;b&amp;gt;"), "entities in data escaped");
    cr_assert(strstr(md, "cluster.log&lt;b&gt;\\|x"),
              "the member name's tag and pipe escaped");
    cr_assert(strstr(md, "\\[click\\]"));
    cr_assert(strstr(md, "\\| a \\| b \\|"), "pipes cannot split a cell");
    cr_assert(strstr(md, "\xEF\xBF\xBD\xEF\xBF\xBD end"),
              "invalid UTF-8 replaced");
    /* the evidence row naming the file has exactly its 6 cells: the
     * name's pipe cannot go in a code span, so it is escaped instead */
    const char *row = strstr(md, "\n| 2024-11-15 01:58:12.000 | ");
    cr_assert_not_null(row, "%s", md);
    row++;
    cr_assert(strstr(row, "| HV-EVIL\\_cluster.log&lt;b&gt;\\|x line 1 (S1) |"),
              "%.*s", (int)(strchr(row, '\n') - row), row);
    size_t pipes = 0;
    for (const char *p = row; *p && *p != '\n'; p++)
        pipes += *p == '|' && p[-1] != '\\';
    cr_assert_eq(pipes, 7u, "%.*s", (int)(strchr(row, '\n') - row), row);
    /* the case summary shows it as it is, in its fenced text block,
     * where no markup works */
    cr_assert(strstr(md, "```text\nCase:      case <1>\n"), "%s", md);
    free(md);
    cb_analyze_result_fini(&res);
}

/* Found by fuzz_report_md: customer text at the start of a line became a
 * heading or a list item, and C1 controls / line separators went through
 * raw. */
Test(report_md, line_leading_markers_and_c1_controls_are_neutralised)
{
    /* nothing read: the warnings are added to the finished analysis */
    struct cb_analyze_result res;
    analyze(&res, NULL, 0, NULL, 0);
    struct cb_analysis *an = res.an;
    cb_analysis_warn(an, "# heading", CB_WHERE_NONE, 0, "a\xc2\x85" "b");
    cb_analysis_warn(an, "1. item", CB_WHERE_NONE, 0, "c\xe2\x80\xa8" "d");
    cb_analysis_warn(an, "  \t- dash", CB_WHERE_NONE, 0, "e\xc2\x9b" "f");
    cb_analysis_warn(an, "===", CB_WHERE_NONE, 0, "x");
    size_t len;
    char *md = render(&res, &len);
    cr_expect(strstr(md, "\n- \\# heading: a b\n"), "%s", md);
    cr_expect(strstr(md, "\n- 1\\. item: c d\n"), "%s", md);
    cr_expect(strstr(md, "\n- \\- dash: e f\n"), "%s", md);
    cr_expect(strstr(md, "\n- \\===: x\n"), "%s", md);
    cr_expect_null(strstr(md, "\xc2\x85"));
    cr_expect_null(strstr(md, "\xe2\x80\xa8"));
    cr_expect_null(strstr(md, "\xc2\x9b"));
    free(md);
    cb_analyze_result_fini(&res);
}
