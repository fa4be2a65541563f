/*
 * fuzz_report_html.c - report.html over whatever the cluster.log parser
 * makes of arbitrary bytes, with rules that turn most lines into
 * findings (entities and summaries from the data), and the page checked:
 * valid UTF-8 without control bytes, one <html>, no URL and no src=, every
 * in-page link with its target, and well-formed XML (expat). Any breach
 * aborts.
 */
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "fuzz_check.h"

static const char rules_xml[] =
    "<rules>"
    "<rule id='F.any' pattern='P1' severity='high' confidence='50'>"
    "<title>Anything &lt;b&gt; &amp; \"q\"</title>"
    "<summary>{word} on {hosts} {count}x from {first} to {last}</summary>"
    "<match name='m'><message>(?'word'\\S+)</message></match>"
    "<correlate type='single' window='10m' group='entity:word'>"
    "<step match='m'/></correlate>"
    "<cause>C &lt;script&gt;</cause>"
    "<remediation><step><do>D</do><powershell>Get-X \"a\" | b &gt; c"
    "</powershell><warning>W</warning></step></remediation>"
    "<collect><item>logs</item></collect>"
    "<references><ref>ref</ref></references>"
    "</rule>"
    "<rule id='F.err' pattern='P6' severity='critical' confidence='90'>"
    "<title>Errors</title>"
    "<match name='e'><channel>System</channel><message>.</message></match>"
    "<correlate type='single' window='1m' group='host'>"
    "<step match='e'/></correlate>"
    "<cause>C</cause>"
    "<remediation><step><do>D</do></step></remediation>"
    "</rule>"
    "</rules>";

static struct cb_rules *rules;

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p;
         p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

struct span {
    const char *s;
    size_t n;
};

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void XMLCALL start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)ud;
    if (strcmp(name, "img") == 0 || strcmp(name, "link") == 0 ||
        strcmp(name, "iframe") == 0)
        abort();
    for (int i = 0; atts[i]; i += 2) {
        if (strcmp(atts[i], "src") == 0 || strncmp(atts[i], "on", 2) == 0)
            abort();
        if (strcmp(atts[i], "href") == 0 && atts[i + 1][0] != '#')
            abort();
    }
}

static void check_page(const char *html, size_t len)
{
    if (strlen(html) != len)
        abort();
    check_utf8((const unsigned char *)html, len, 2);
    if (count(html, "<html") != 1 || count(html, "</html>") != 1 ||
        strstr(html, "http://") || strstr(html, "https://") ||
        strstr(html, " src=") || strstr(html, "<script>alert") ||
        count(html, "<script") != 1)
        abort();
    /* every id once, every in-page link to one of them */
    size_t nids = count(html, " id=\""), k = 0;
    struct span *ids = malloc((nids + 1) * sizeof *ids);
    if (!ids)
        return;
    for (const char *p = strstr(html, " id=\""); p;
         p = strstr(p + 1, " id=\"")) {
        const char *t = p + 5, *q = strchr(t, '"');
        if (!q)
            abort();
        ids[k++] = (struct span){t, (size_t)(q - t)};
    }
    qsort(ids, k, sizeof *ids, cmp_span);
    for (size_t i = 1; i < k; i++) {
        if (cmp_span(&ids[i - 1], &ids[i]) == 0)
            abort();
    }
    for (const char *p = strstr(html, "href=\"#"); p;
         p = strstr(p + 1, "href=\"#")) {
        const char *t = p + 7, *q = strchr(t, '"');
        if (!q)
            abort();
        struct span want = {t, (size_t)(q - t)};
        if (!bsearch(&want, ids, k, sizeof *ids, cmp_span))
            abort();
    }
    free(ids);
    XML_Parser x = XML_ParserCreate("UTF-8");
    if (!x)
        return;
    XML_SetElementHandler(x, start, NULL);
    if (XML_Parse(x, html, (int)len, 1) != XML_STATUS_OK)
        abort();
    XML_ParserFree(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules) {
        struct cb_rule_error *errs = NULL;
        if (cb_rules_load_memory(&rules, "fuzz.xml", rules_xml,
                                 sizeof rules_xml - 1, &errs) != CB_OK ||
            errs || cb_rules_count(rules) != 2)
            abort();
    }
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    if (!an)
        return 0;
    cb_ingest_leaf_memory(an, "logs/<i>\"x\"</i>/FUZZ_cluster.log", data, size,
                          cb_parser_find("clusterlog"));
    struct cb_timeline tl;
    if (cb_analysis_finish(an) == CB_OK && cb_timeline_build(an, &tl) == CB_OK) {
        struct cb_findings fs = {0};
        struct cb_gaps gaps = {0};
        int have_fs = cb_correlate(rules, &tl, &fs) == CB_OK;
        int have_gaps = cb_gaps_find(rules, an, &tl, &gaps) == CB_OK;
        struct cb_report_input in = {.case_name = "fuzz <case>",
                                     .an = an,
                                     .tl = &tl,
                                     .findings = have_fs ? &fs : NULL,
                                     .gaps = have_gaps ? &gaps : NULL,
                                     .rules_version = "2 rules"};
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f) {
            enum cb_status rc = cb_report_html(f, &in);
            if (fclose(f) == 0 && rc == CB_OK)
                check_page(buf, len);
            free(buf);
        }
        if (have_gaps)
            cb_gaps_fini(&gaps);
        if (have_fs)
            cb_findings_fini(&fs);
        cb_timeline_fini(&tl);
    }
    cb_analysis_destroy(&an);
    return 0;
}
