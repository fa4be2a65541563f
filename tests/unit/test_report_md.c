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

static char *render(struct cb_analysis *an, size_t *len)
{
    struct cb_timeline tl;
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    struct cb_rules *rs = NULL;
    struct cb_rule_error *errs = NULL;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../rules", getenv("CB_SAMPLES"));
    cr_assert_eq(cb_rules_load_dir(&rs, dir, &errs), CB_OK);
    cr_assert_null(errs);
    struct cb_findings f;
    struct cb_gaps g;
    cr_assert_eq(cb_correlate(rs, &tl, &f), CB_OK);
    cr_assert_eq(cb_gaps_find(rs, an, &tl, &g), CB_OK);
    struct cb_report_input in = {.case_name = "case <1>", .an = an,
                                 .tl = &tl, .findings = &f, .gaps = &g,
                                 .rules_version = "test"};
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    cr_assert_eq(cb_report_markdown(mem, &in), CB_OK);
    fclose(mem);
    cb_gaps_fini(&g);
    cb_findings_fini(&f);
    cb_rules_free(&rs);
    cb_timeline_fini(&tl);
    return buf;
}

Test(report_md, demo_findings_with_evidence_and_remediation)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo-bundle", getenv("CB_SAMPLES"));
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_path(an, dir, NULL), CB_OK);
    size_t len;
    char *md = render(an, &len);
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
    char *again = render(an, &len2);
    cr_assert_eq(len, len2);
    cr_assert_eq(memcmp(md, again, len), 0);
    free(md);
    free(again);
    cb_analysis_destroy(&an);
}

Test(report_md, evidence_shows_node_local_time_when_the_offset_is_known)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo-bundle", getenv("CB_SAMPLES"));
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    an->tz[0] = (struct cb_tz_override){"HV-NODE1", -330}; /* --tz */
    an->ntz = 1;
    cr_assert_eq(cb_ingest_path(an, dir, NULL), CB_OK);
    size_t len;
    char *md = render(an, &len);
    /* 01:58:12.905 UTC is 20:28:12.905 the day before at UTC-05:30 */
    cr_assert(strstr(md, "| 2024-11-15 01:58:12.905 (local 20:28:12.905 "
                         "UTC-05:30) | HV-NODE1 | System |"), "%s", md);
    cr_assert_null(strstr(md, "UTC-05:30) | HV-NODE2"), "not other nodes");
    free(md);
    cb_analysis_destroy(&an);
}

Test(report_md, hostile_log_text_cannot_break_out)
{
    const char *log =
        /* a quorum loss, so that the line becomes a finding's evidence */
        "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   [QUORUM] lost "
        "quorum <script>alert(1)</script> [click](http://evil.example) "
        "![img](http://evil.example/x.png) `code` | a | b | *bold* "
        "&lt;b&gt; \xff\xfe end\n";
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cb_ingest_leaf_memory(an, "HV-EVIL_cluster.log<b>|x", log, strlen(log),
                          NULL);
    size_t len;
    char *md = render(an, &len);
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
    /* every table row of the inventory has exactly its 8 cells */
    const char *inv = strstr(md, "## Inventory");
    cr_assert_not_null(inv);
    const char *row = strstr(inv, "| HV-EVIL\\_cluster.log");
    cr_assert_not_null(row, "%s", md);
    size_t pipes = 0;
    for (const char *p = row; *p && *p != '\n'; p++)
        pipes += *p == '|' && p[-1] != '\\';
    cr_assert_eq(pipes, 9u, "%.*s", (int)(strchr(row, '\n') - row), row);
    free(md);
    cb_analysis_destroy(&an);
}

/* Found by fuzz_report_md: customer text at the start of a line became a
 * heading or a list item, and C1 controls / line separators went through
 * raw. */
Test(report_md, line_leading_markers_and_c1_controls_are_neutralised)
{
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cb_analysis_warn(an, "# heading", CB_WHERE_NONE, 0, "a\xc2\x85" "b");
    cb_analysis_warn(an, "1. item", CB_WHERE_NONE, 0, "c\xe2\x80\xa8" "d");
    cb_analysis_warn(an, "  \t- dash", CB_WHERE_NONE, 0, "e\xc2\x9b" "f");
    cb_analysis_warn(an, "===", CB_WHERE_NONE, 0, "x");
    size_t len;
    char *md = render(an, &len);
    cr_expect(strstr(md, "\n- \\# heading: a b\n"), "%s", md);
    cr_expect(strstr(md, "\n- 1\\. item: c d\n"), "%s", md);
    cr_expect(strstr(md, "\n- \\- dash: e f\n"), "%s", md);
    cr_expect(strstr(md, "\n- \\===: x\n"), "%s", md);
    cr_expect_null(strstr(md, "\xc2\x85"));
    cr_expect_null(strstr(md, "\xe2\x80\xa8"));
    cr_expect_null(strstr(md, "\xc2\x9b"));
    free(md);
    cb_analysis_destroy(&an);
}
