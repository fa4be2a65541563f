/*
 * test_renderers.c - the table of report formats (reports/renderers.c):
 * the names and files the command has always used, "markdown" for
 * "md", and each entry writing what its writer writes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "helpers.h"

Test(renderers, names_files_and_order)
{
    size_t n = 0;
    const struct cb_renderer *const *r = cb_renderers(&n);
    cr_assert_eq(n, 3);
    const char *names[3] = {"json", "md", "html"};
    const char *files[3] = {"report.json", "report.md", "report.html"};
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(r[i]->name, names[i]);
        cr_assert_str_eq(r[i]->file, files[i]);
        cr_assert_not_null(r[i]->write);
        cr_assert_eq(cb_renderer_find(names[i]), r[i]);
    }
    cr_assert_eq(cb_renderer_find("markdown"), r[1]);
    cr_assert_null(cb_renderer_find("pdf"));
    cr_assert_null(cb_renderer_find("HTML"));
    cr_assert_null(cb_renderer_find(""));
    cr_assert_null(cb_renderer_find(NULL));
}

static char *run(enum cb_status (*write)(FILE *,
                                         const struct cb_report_input *),
                 const struct cb_report_input *in, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_eq(write(f, in), CB_OK);
    fclose(f);
    return buf;
}

Test(renderers, each_entry_writes_its_format)
{
    struct cb_analysis *an = analysis(NULL);
    size_t len;
    char *log = clusterlog_lines(10, 20, &len);
    cr_assert_eq(cb_ingest_leaf_memory(an, "N1_cluster.log", log, len, NULL),
                 CB_OK);
    free(log);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    struct cb_timeline tl;
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    struct cb_report_input in = {.case_name = "c", .an = an, .tl = &tl};

    /* JSON through the table is cb_report_json's bytes */
    char *old = NULL;
    size_t oldlen = 0;
    FILE *f = open_memstream(&old, &oldlen);
    cr_assert_eq(cb_report_json(f, an, &tl, NULL, NULL), CB_OK);
    fclose(f);
    size_t n;
    char *json = run(cb_renderer_find("json")->write, &in, &n);
    cr_assert_eq(n, oldlen);
    cr_assert_eq(memcmp(json, old, n), 0);
    cr_assert(strstr(json, "\"name\": \"N1\""), "%s", json);

    char *md = run(cb_renderer_find("md")->write, &in, &n);
    cr_assert(strncmp(md, "# casebrief report: c\n", 22) == 0, "%s", md);
    char *html = run(cb_renderer_find("html")->write, &in, &n);
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    free(old);
    free(json);
    free(md);
    free(html);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
}
