/*
 * test_batch_index.c - batch mode's files: case names, stamps, the case
 * record, and the index rebuilt from case directories.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "batch.h"
#include "jsonv.h"

static char *tmpdir(void)
{
    char *t = strdup("/tmp/cb-batch-XXXXXX");
    cr_assert_not_null(mkdtemp(t));
    return t;
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
}

static char *get(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(batch, case_names_are_safe)
{
    char n[160];
    cb_batch_case_name("/x/y/case-17.zip", n, sizeof n);
    cr_assert_str_eq(n, "case-17.zip");
    cb_batch_case_name("cases/TSS folder/", n, sizeof n);
    cr_assert_str_eq(n, "TSS_folder");
    cb_batch_case_name("a/.hidden", n, sizeof n);
    cr_assert_str_eq(n, "_hidden");
    cb_batch_case_name("..", n, sizeof n);
    cr_assert_str_eq(n, "case");
    cb_batch_case_name("/", n, sizeof n);
    cr_assert_str_eq(n, "case");
    cb_batch_case_name("d/<script>&\"'\xC3\xA9.zip", n, sizeof n);
    cr_assert_str_eq(n, "_script______.zip");
    for (const char *p = n; *p; p++)
        cr_assert(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789._+~-", *p), "unsafe byte in %s", n);
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cb_batch_case_name(longname, n, sizeof n);
    cr_assert_eq(strlen(n), 120);
}

Test(batch, stamp_follows_sizes_mtimes_and_names)
{
    char *d = tmpdir();
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/logs", d);
    cr_assert_eq(mkdir(sub, 0777), 0);
    put(d, "a.log", "one");
    put(sub, "b.log", "twotwo");
    uint64_t h1, f1, b1, h2, f2, b2;
    cr_assert_eq(cb_stamp_tree(d, &h1, &f1, &b1), 0);
    cr_assert_eq(f1, 2);
    cr_assert_eq(b1, 9);
    cr_assert_eq(cb_stamp_tree(d, &h2, &f2, &b2), 0);
    cr_assert_eq(h1, h2, "same tree, same stamp");
    /* same size, other mtime (recursively): another stamp */
    char p[4200];
    snprintf(p, sizeof p, "%s/b.log", sub);
    struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
    cr_assert_eq(utimes(p, tv), 0);
    cr_assert_eq(cb_stamp_tree(d, &h2, &f2, &b2), 0);
    cr_assert_neq(h1, h2);
    uint64_t h3;
    put(sub, "b.log", "twotwo!");
    cr_assert_eq(utimes(p, tv), 0);
    cr_assert_eq(cb_stamp_tree(d, &h3, &f2, &b2), 0);
    cr_assert_neq(h3, h2, "size change seen");
    cr_assert_eq(b2, 10);
    /* a renamed file is another input */
    char q[4200];
    snprintf(q, sizeof q, "%s/c.log", sub);
    cr_assert_eq(rename(p, q), 0);
    cr_assert_eq(cb_stamp_tree(d, &h2, &f2, &b2), 0);
    cr_assert_neq(h3, h2);
    snprintf(p, sizeof p, "%s/missing", d);
    cr_assert_eq(cb_stamp_tree(p, &h2, &f2, &b2), -1);
    /* rules: content matters, other files do not */
    uint64_t r1 = 1, r2 = 1, r3 = 1;
    put(d, "x.xml", "<rule/>");
    cr_assert_eq(cb_stamp_rules(d, &r1), 0);
    put(d, "notes.txt", "ignored");
    cr_assert_eq(cb_stamp_rules(d, &r2), 0);
    cr_assert_eq(r1, r2);
    put(d, "x.xml", "<rule id='2'/>");
    cr_assert_eq(cb_stamp_rules(d, &r3), 0);
    cr_assert_neq(r1, r3);
    rmrf(d);
    free(d);
}

static void make_case(const char *out, const char *name, int ok,
                      const char *reason, const char *report)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", out, name);
    cr_assert_eq(mkdir(dir, 0777), 0);
    struct cb_case_result r = {.name = name, .input = name, .ok = ok,
                               .reason = reason, .exit_code = ok ? 1 : 3,
                               .seconds = 1.5, .peak_rss_kb = 1000};
    cr_assert_eq(cb_batch_write_case(dir, &r), CB_OK);
    if (report) {
        put(dir, "report.json", report);
        put(dir, "report.html", "<!DOCTYPE html>");
    }
}

static const char rep_a[] =
    "{\"tool\": {\"name\": \"casebrief\", \"version\": \"9.9\"},"
    " \"summary\": {\"sources\": 2, \"events\": 26},"
    " \"findings\": ["
    "{\"id\": \"P1.x\", \"pattern\": \"P1\", \"title\": \"T<1>\","
    " \"severity\": \"critical\", \"count\": 3, \"summary\": \"s\","
    " \"evidence\": [{\"message\": \"long\"}]},"
    "{\"id\": \"P1.x\", \"pattern\": \"P1\", \"title\": \"T<1>\","
    " \"severity\": \"critical\", \"count\": 1, \"summary\": \"s2\"},"
    "{\"id\": \"P3.y\", \"pattern\": \"P3\", \"title\": \"T3\","
    " \"severity\": \"high\", \"count\": 2, \"summary\": \"s3\"}]}";
static const char rep_b[] =
    "{\"tool\": {\"version\": \"9.9\"}, \"summary\": {\"events\": 4},"
    " \"findings\": [{\"id\": \"P3.y\", \"pattern\": \"P3\", \"title\":"
    " \"T3\", \"severity\": \"high\", \"count\": 1, \"summary\":"
    " \"<img src=x onerror=alert(1)>\"}]}";

Test(batch, index_from_case_directories)
{
    char *out = tmpdir();
    make_case(out, "b-case", 1, NULL, rep_b);
    make_case(out, "a-case", 1, NULL, rep_a);
    make_case(out, "bad<case>", 0, "crashed: <signal> & \"11\"", NULL);
    make_case(out, "noreport", 1, NULL, NULL);
    make_case(out, "garbled", 1, NULL, "{\"findings\": [");
    char other[4096];
    snprintf(other, sizeof other, "%s/not-a-case", out);
    cr_assert_eq(mkdir(other, 0777), 0);
    size_t n = 0;
    const char *err = NULL;
    cr_assert_eq(cb_batch_index(out, &n, &err), CB_OK, "%s", err);
    cr_assert_eq(n, 5);

    char *jl = get(out, "findings.jsonl");
    cr_assert_not_null(jl);
    /* cases in name order, one line per finding, evidence left out */
    const char *first = strstr(jl, "\"case\": \"a-case\"");
    const char *last = strstr(jl, "\"case\": \"b-case\"");
    cr_assert(first && last && first < last);
    size_t lines = 0;
    for (const char *p = jl; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 4);
    cr_assert_null(strstr(jl, "evidence"));
    cr_assert_not_null(strstr(jl, "\"report\": \"a-case/report.html\""));
    free(jl);

    struct cb_jdoc *d = cb_json_load(
        (snprintf(other, sizeof other, "%s/summary.json", out), other),
        1 << 20);
    cr_assert_not_null(d, "summary.json parses");
    const struct cb_jv *s = cb_json_root(d);
    const struct cb_jv *cases = cb_json_get(s, "cases");
    cr_assert_eq(cb_json_int(cases, "total", -1), 5);
    cr_assert_eq(cb_json_int(cases, "ok", -1), 2);
    cr_assert_eq(cb_json_int(cases, "failed", -1), 3);
    const struct cb_jv *f = cb_json_get(s, "findings");
    cr_assert_eq(cb_json_int(f, "total", -1), 4);
    cr_assert_eq(cb_json_int(cb_json_get(f, "by_severity"), "critical", -1),
                 2);
    /* P3: two cases, two findings; P1: one case, two findings */
    const struct cb_jv *p = cb_json_get(s, "patterns")->child;
    cr_assert_str_eq(cb_json_str(p, "pattern"), "P1");
    cr_assert_eq(cb_json_int(p, "cases", -1), 1);
    cr_assert_eq(cb_json_int(p, "findings", -1), 2);
    cr_assert_eq(cb_json_int(p->next, "cases", -1), 2);
    const struct cb_jv *cl = cb_json_get(s, "case_list")->child;
    cr_assert_str_eq(cb_json_str(cl, "name"), "a-case");
    cr_assert_str_eq(cb_json_str(cl, "worst"), "critical");
    cl = cl->next->next; /* bad<case> */
    cr_assert_str_eq(cb_json_str(cl, "status"), "failed");
    cr_assert_str_eq(cb_json_str(cl, "reason"),
                     "crashed: <signal> & \"11\"");
    cl = cl->next->next; /* noreport */
    cr_assert_str_eq(cb_json_str(cl, "name"), "noreport");
    cr_assert_str_eq(cb_json_str(cl, "status"), "failed");
    cb_json_free(&d);
    char *sj = get(out, "summary.json");
    cr_assert_null(strstr(sj, "seconds"), "no timing in summary.json");
    free(sj);

    char *html = get(out, "index.html");
    cr_assert_not_null(html);
    cr_assert_null(strstr(html, "<img"), "customer text escaped");
    cr_assert_null(strstr(html, "bad<case>"));
    cr_assert_not_null(strstr(html, "bad&lt;case&gt;"));
    cr_assert_not_null(strstr(html, "crashed: &lt;signal&gt; &amp; &quot;11"));
    cr_assert_not_null(strstr(html, "<a href=\"a-case/report.html\">"));
    cr_assert_null(strstr(html, "http"), "no external resource");
    /* most severe case first without JavaScript */
    const char *ra = strstr(html, "<tr data-name=\"a-case\"");
    const char *rb = strstr(html, "<tr data-name=\"b-case\"");
    cr_assert(ra && rb && ra < rb);
    free(html);

    /* the same directories give the same bytes */
    char *s1 = get(out, "summary.json"), *j1 = get(out, "findings.jsonl");
    cr_assert_eq(cb_batch_index(out, NULL, NULL), CB_OK);
    char *s2 = get(out, "summary.json"), *j2 = get(out, "findings.jsonl");
    cr_assert_str_eq(s1, s2);
    cr_assert_str_eq(j1, j2);
    free(s1), free(s2), free(j1), free(j2);
    rmrf(out);
    free(out);
}
