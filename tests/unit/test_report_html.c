/*
 * test_report_html.c - report.html (reports/html.c): the demo bundle plus
 * a hostile cluster.log (markup, entities, control characters, invalid
 * UTF-8, URLs, markup in the member path) through ingestion, the shipped
 * rules, correlation and gaps, rendered to memory and checked for what
 * the page promises: every customer string escaped, nothing external,
 * well-formed (expat), valid UTF-8, working links, one SVG lane per host,
 * a capped event table that keeps the evidence, and the same bytes twice.
 */
#include <criterion/criterion.h>
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

#define SEC 10000000LL

/* ---- fixture ------------------------------------------------------------ */

struct fix {
    struct cb_analyze_result r;
    struct cb_report_input in;
    char rules_version[64];
};

/* $CB_SAMPLES (set by ctest), else the samples next to this file. */
static const char *samples_dir(void)
{
    static char dir[4096];
    const char *s = getenv("CB_SAMPLES");
    if (s && s[0])
        return s;
    const char *slash = strrchr(__FILE__, '/');
    snprintf(dir, sizeof dir, "%.*s/../../samples",
             slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
    return dir;
}

/* The inputs through cb_analyze as the command runs them, every event
 * kept; with_rules: the shipped rules. */
static void analyze(struct fix *x, const struct cb_analyze_input *in,
                    size_t n, int with_rules, const char *case_name)
{
    memset(x, 0, sizeof *x);
    char dir[4096];
    snprintf(dir, sizeof dir, "%.4000s/../rules", samples_dir());
    const char *dirs[] = {dir};
    struct cb_analyze_opts o = {.inputs = in, .ninputs = n,
                                .rules_dirs = dirs,
                                .nrules_dirs = with_rules ? 1 : 0,
                                .keep_all = 1};
    o.parsers = cb_parsers(&o.nparsers);
    struct cb_error err = {0};
    cr_assert_eq(cb_analyze(&o, &x->r, &err), CB_OK, "%s", err.msg);
    cr_assert_eq(x->r.inputs_opened, n);
    if (with_rules)
        cr_assert_gt(cb_rules_count(x->r.rules), 0);
    snprintf(x->rules_version, sizeof x->rules_version, "%zu rules",
             cb_rules_count(x->r.rules));
    x->in = (struct cb_report_input){
        .case_name = case_name,
        .an = x->r.an,
        .tl = &x->r.timeline,
        .findings = &x->r.findings,
        .gaps = &x->r.gaps,
        .rules_version = with_rules ? x->rules_version : "no rules"};
}

static void fix_free(struct fix *x)
{
    cb_analyze_result_fini(&x->r);
}

#define HOSTILE_PATH "case.zip!logs/<b>bold</b>/HV-NODE0_cluster.log"

/* Lines inside the demo's findings window (01:58:07..01:58:14 UTC). */
static const char hostile[] =
    "[=== Cluster ===]\n"
    "UTC= localtime + time zone offset; with daylight savings, the time "
    "zone offset of this machine is -60 minutes, or -1 hours\n"
    "Current node: HV-NODE0 (3) id (3)\n"
    "[=== Cluster Logs ===]\n"
    "00000d18.00001a0c::2024/11/15-01:58:09.100 INFO  [NM] "
    "<script>alert(1)</script> before\n"
    "00000d18.00001a0c::2024/11/15-01:58:10.200 ERR   [QUORUM] Node 3: "
    "lost quorum \"><img src=x onerror=alert(1)> &amp; 'q'\n"
    "00000d18.00001a0c::2024/11/15-01:58:10.300 WARN  [RES] bell\x07 "
    "esc\x1b[31m del\x7f bad\xff\xfe end\n"
    "00000d18.00001a0c::2024/11/15-01:58:10.400 ERR   [NM] see "
    "https://evil.example/x and http://evil.example/y\n"
    "00000d18.00001a0c::2024/11/15-01:58:10.500 INFO  [NM] c1 \xc2\x85 "
    "nonchar \xef\xbf\xbf overlong \xc0\xaf surrogate \xed\xa0\x80 "
    "ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n";

static void demo_plus_hostile(struct fix *x)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%.4000s/demo-bundle", samples_dir());
    const struct cb_analyze_input in[] = {
        {.name = dir}, {HOSTILE_PATH, hostile, sizeof hostile - 1}};
    analyze(x, in, 2, 1, "Case <1234> & \"co\"");
}

/* ---- rendering and checks ----------------------------------------------- */

static char *render(const struct cb_report_input *in, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert_not_null(f);
    cr_assert_eq(cb_report_html(f, in), CB_OK);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(strlen(buf), n, "no NUL byte inside the page");
    *len = n;
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p;
         p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

/* Valid UTF-8 (no overlong forms, surrogates or out-of-range code
 * points), and no control character but tab and newline. */
static int check_utf8(const unsigned char *s, size_t n, size_t *bad)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        *bad = i;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
            return 0; /* C1 controls and what XML forbids */
        i += len;
    }
    return 1;
}

struct xml_state {
    int elements;
    int svg, lanes;
    int in_script;
};

static void XMLCALL xml_start(void *ud, const XML_Char *name,
                              const XML_Char **atts)
{
    struct xml_state *st = ud;
    st->elements++;
    if (strcmp(name, "svg") == 0)
        st->svg++;
    if (strcmp(name, "script") == 0)
        st->in_script = 1;
    for (int i = 0; atts[i]; i += 2) {
        /* nothing is loaded from anywhere and no handler is inline */
        cr_assert_neq(strcmp(atts[i], "src"), 0, "src= on <%s>", name);
        cr_assert_neq(strncmp(atts[i], "on", 2), 0, "%s= on <%s>", atts[i],
                      name);
        if (strcmp(atts[i], "href") == 0)
            cr_assert_eq(atts[i + 1][0], '#', "href=\"%s\" is not local",
                         atts[i + 1]);
        if (strcmp(name, "g") == 0 && strcmp(atts[i], "class") == 0 &&
            strcmp(atts[i + 1], "lane") == 0)
            st->lanes++;
    }
    cr_assert_neq(strcmp(name, "link"), 0, "no <link>");
    cr_assert_neq(strcmp(name, "img"), 0, "no <img>");
    cr_assert_neq(strcmp(name, "iframe"), 0, "no <iframe>");
}

static void XMLCALL xml_end(void *ud, const XML_Char *name)
{
    struct xml_state *st = ud;
    if (strcmp(name, "script") == 0)
        st->in_script = 0;
}

/* Well-formed as XML (the page is written XHTML-compatible). */
static struct xml_state parse_xml(const char *html, size_t len)
{
    struct xml_state st = {0};
    XML_Parser p = XML_ParserCreate("UTF-8");
    cr_assert_not_null(p);
    XML_SetUserData(p, &st);
    XML_SetElementHandler(p, xml_start, xml_end);
    enum XML_Status rc = XML_Parse(p, html, (int)len, 1);
    if (rc != XML_STATUS_OK) {
        unsigned long line = XML_GetCurrentLineNumber(p);
        const char *ls = html;
        for (unsigned long l = 1; l < line && ls; l++) {
            ls = strchr(ls, '\n');
            if (ls)
                ls++;
        }
        cr_assert_fail("not well-formed: %s at line %lu: %.200s",
                       XML_ErrorString(XML_GetErrorCode(p)), line,
                       ls ? ls : "");
    }
    XML_ParserFree(p);
    return st;
}

/* Every in-page link has its target. Returns how many href="#ev-..." */
static size_t check_links(const char *html)
{
    size_t ev = 0;
    for (const char *p = strstr(html, "href=\"#"); p;
         p = strstr(p + 1, "href=\"#")) {
        const char *t = p + 7;
        const char *q = strchr(t, '"');
        cr_assert_not_null(q);
        char id[128];
        cr_assert_lt((size_t)(q - t), sizeof id - 8);
        snprintf(id, sizeof id, "id=\"%.*s\"", (int)(q - t), t);
        cr_assert_eq(count(html, id), 1, "link target %s: %zu times", id,
                     count(html, id));
        ev += strncmp(t, "ev-", 3) == 0;
    }
    return ev;
}

/* The checks every page must pass. */
static void check_page(const char *html, size_t len)
{
    size_t bad = 0;
    cr_assert(check_utf8((const unsigned char *)html, len, &bad),
              "invalid UTF-8 or control byte at %zu: %.40s", bad, html + bad);
    cr_assert_eq(strncmp(html, "<!DOCTYPE html>\n<html", 21), 0);
    cr_assert_eq(count(html, "<html"), 1);
    cr_assert_eq(count(html, "</html>"), 1);
    cr_assert_eq(strcmp(html + len - 8, "</html>\n"), 0);
    cr_assert_eq(count(html, "<body"), 1);
    cr_assert_null(strstr(html, "http://"));
    cr_assert_null(strstr(html, "https://"));
    cr_assert_null(strstr(html, "<link"));
    cr_assert_null(strstr(html, " src="));
    cr_assert_null(strstr(html, "url("), "no CSS resource");
    cr_assert_null(strstr(html, "@import"));
    cr_assert_null(strstr(html, "&nbsp;"), "XML entities only");
    check_links(html);
    struct xml_state st = parse_xml(html, len);
    cr_assert_gt(st.elements, 20);
}

/* ---- tests -------------------------------------------------------------- */

Test(report_html, escapes_every_hostile_string_in_data_and_paths)
{
    struct fix x;
    demo_plus_hostile(&x);
    size_t len;
    char *html = render(&x.in, &len);
    check_page(html, len);

    /* no markup of the data survives, its escaped form is there */
    cr_assert_null(strstr(html, "<script>alert"));
    cr_assert_null(strstr(html, "<img"));
    cr_assert_null(strstr(html, "onerror="));
    cr_assert_null(strstr(html, "<b>bold"));
    cr_assert_geq(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), 1);
    cr_assert_geq(count(html, "&quot;&gt;&lt;img src&#61;x "
                              "onerror&#61;alert(1)&gt; &amp;amp; "
                              "&#39;q&#39;"),
                  1);
    cr_assert_geq(count(html, "case.zip!logs/&lt;b&gt;bold&lt;/b&gt;/"
                              "HV-NODE0_cluster.log"),
                  2, "inventory and time basis");
    /* the case name in <title> and <h1> */
    cr_assert_eq(count(html, "Case &lt;1234&gt; &amp; &quot;co&quot;"), 2);
    /* a URL in the data is shown, but is no URL */
    cr_assert_geq(count(html, "https&#58;//evil.example/x"), 1);
    cr_assert_geq(count(html, "http&#58;//evil.example/y"), 1);
    /* control characters as control pictures: BEL, ESC, DEL */
    cr_assert_geq(count(html, "bell\xE2\x90\x87 esc\xE2\x90\x9B[31m "
                              "del\xE2\x90\xA1 "),
                  1);
    /* invalid UTF-8: one U+FFFD per bad byte */
    cr_assert_geq(count(html, "bad\xEF\xBF\xBD\xEF\xBF\xBD end"), 1);
    /* C1 control, noncharacter, overlong form and surrogate replaced;
     * valid multibyte text kept */
    cr_assert_geq(count(html, "c1 \xEF\xBF\xBD nonchar \xEF\xBF\xBD "
                              "overlong \xEF\xBF\xBD\xEF\xBF\xBD surrogate "
                              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD ok "
                              "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
                  1);
    free(html);
    fix_free(&x);
}

Test(report_html, shows_ranked_findings_linked_to_sections_and_events)
{
    struct fix x;
    demo_plus_hostile(&x);
    cr_assert_geq(x.r.findings.count, 2);
    size_t len;
    char *html = render(&x.in, &len);

    /* header */
    cr_assert_not_null(strstr(html, "HV-NODE0, HV-NODE1, HV-NODE2"));
    cr_assert_not_null(strstr(html, "casebrief " CASEBRIEF_VERSION));
    cr_assert_not_null(strstr(html, x.rules_version));
    cr_assert_not_null(strstr(html, "2024-11-15 01:57:58.101 \xE2\x80\x93 "
                                    "2024-11-15 01:59:44.660"));
    /* the summary lists the findings in their order, each linking to
     * its section (the incident story above it links them by time) */
    const char *prev = strstr(html, "id=\"summary\"");
    cr_assert_not_null(prev);
    for (size_t i = 0; i < x.r.findings.count; i++) {
        char link[64], id[64];
        snprintf(link, sizeof link, "<a href=\"#F%zu\">", i + 1);
        snprintf(id, sizeof id, "id=\"F%zu\"", i + 1);
        const char *l = strstr(prev, link);
        cr_assert_not_null(l, "%s", link);
        cr_assert_gt(l, prev, "summary in rank order");
        prev = l;
        cr_assert_eq(count(html, id), 1);
    }
    cr_assert_null(strstr(html, "#F0\""));
    cr_assert_not_null(strstr(html, "Cluster node isolated"));
    cr_assert_not_null(strstr(html, "Cluster service stopped because "
                                    "quorum was lost"));
    /* remediation as PowerShell in <pre><code>; the copy button is made
     * by script only */
    cr_assert_not_null(strstr(html, "<pre class=\"ps\"><code>Test-Cluster "
                                    "-Include &quot;Network&quot;"));
    cr_assert_null(strstr(html, "<button"));
    /* every evidence event links to its row; count the links */
    size_t nev = 0;
    for (size_t i = 0; i < x.r.findings.count; i++)
        nev += x.r.findings.items[i].nevidence;
    /* the evidence tables */
    cr_assert_geq(check_links(html), nev);
    for (size_t i = 0; i < x.r.findings.count; i++) {
        for (size_t k = 0; k < x.r.findings.items[i].nevidence; k++) {
            size_t idx = 0;
            while (x.r.timeline.events[idx] != x.r.findings.items[i].evidence[k].ev)
                idx++;
            char a[64], row[64];
            snprintf(a, sizeof a, "<a href=\"#ev-%zu\"", idx);
            snprintf(row, sizeof row, "<tr id=\"ev-%zu\"", idx);
            cr_assert_geq(count(html, a), 1, "%s", a);
            cr_assert_eq(count(html, row), 1, "%s", row);
        }
    }
    /* the hostile quorum loss on HV-NODE0 became a finding whose
     * evidence row shows its source and line */
    cr_assert_not_null(strstr(html, "HV-NODE0_cluster.log<div class=\"sub\">"
                                    "line 6</div>"));
    /* line of the malformed demo line in the inventory */
    cr_assert_not_null(strstr(html, "<li>line 12: "));
    /* gaps: missing channel with its rules and the command */
    cr_assert_not_null(strstr(html, "<h3>Missing channels</h3>"));
    cr_assert_not_null(strstr(html, "<code>P6.security-log-cleared</code>"));
    cr_assert_not_null(strstr(html, "wevtutil epl &quot;Security&quot;"));
    /* the canonical basis, with the parser's reason under it */
    cr_assert_not_null(strstr(html, "<td>utc<div class=\"sub\">UTC (header)"
                                    "</div></td>"));
    free(html);
    fix_free(&x);
}

/* The first picture of the page (the whole window), NUL-terminated
 * copy. */
static char *first_svg(const char *html)
{
    const char *svg = strstr(html, "<svg");
    cr_assert_not_null(svg);
    const char *end = strstr(svg, "</svg>");
    cr_assert_not_null(end);
    return strndup(svg, (size_t)(end - svg) + 6);
}

Test(report_html, svg_has_one_lane_per_host_sorted_and_integer_coordinates)
{
    struct fix x;
    demo_plus_hostile(&x);
    size_t len;
    char *html = render(&x.in, &len);
    struct xml_state st = parse_xml(html, len);
    /* the whole window, and one picture per incident */
    size_t nzoom = x.r.findings.count ? 1 : 0;
    cr_assert_geq(x.r.findings.count, 2);
    cr_assert_eq((size_t)st.svg, 1 + count(html, "<h3 id=\"zoom-I"));
    cr_assert_geq(count(html, "<h3 id=\"zoom-I"), nzoom);

    /* the distinct hosts of the sources, sorted */
    const char *hosts[16];
    size_t nh = 0;
    for (size_t i = 0; i < x.r.an->nsources; i++) {
        const char *h = x.r.an->sources[i]->host;
        size_t k = 0;
        while (k < nh && strcmp(hosts[k], h) != 0)
            k++;
        if (k == nh && h[0])
            hosts[nh++] = h;
    }
    cr_assert_eq(nh, 3);
    char *svg = first_svg(html);
    cr_assert_eq(count(svg, "<g class=\"lane\">"), nh);
    const char *p = svg;
    const char *order[] = {"HV-NODE0", "HV-NODE1", "HV-NODE2"};
    for (size_t i = 0; i < 3; i++) {
        char t[64];
        snprintf(t, sizeof t, "<title>%s</title>%s</text>", order[i], order[i]);
        const char *q = strstr(p, t);
        cr_assert_not_null(q, "lane %s in order", order[i]);
        p = q;
    }
    /* coordinates are integers: no '.' inside the numeric attributes,
     * in every picture */
    static const char *const attrs[] = {" x=\"",  " y=\"",  " x1=\"",
                                        " x2=\"", " y1=\"", " y2=\"",
                                        " width=\"", " height=\""};
    size_t seen = 0;
    for (const char *s0 = strstr(html, "<svg"); s0; s0 = strstr(s0 + 1, "<svg")) {
        const char *end = strstr(s0, "</svg>");
        cr_assert_not_null(end);
        for (size_t a = 0; a < sizeof attrs / sizeof *attrs; a++) {
            for (const char *q = strstr(s0, attrs[a]); q && q < end;
                 q = strstr(q + 1, attrs[a])) {
                const char *v = q + strlen(attrs[a]);
                size_t digits = strspn(v, "0123456789");
                cr_assert_gt(digits, 0);
                cr_assert_eq(v[digits], '"', "integer %s", attrs[a]);
                seen++;
            }
        }
    }
    cr_assert_gt(seen, 10);
    /* every finding has a numbered marker of its severity, linked to its
     * card (check_page: every link has exactly one target) */
    for (size_t i = 0; i < x.r.findings.count; i++) {
        char m[96];
        snprintf(m, sizeof m, "<a href=\"#F%zu\"><g class=\"fm %s\">", i + 1,
                 cb_severity_name(x.r.findings.items[i].severity));
        cr_assert_geq(count(svg, m), 1, "%s", m);
        snprintf(m, sizeof m, "text-anchor=\"middle\">F%zu</text>", i + 1);
        cr_assert_geq(count(svg, m), 1, "%s", m);
    }
    /* the incidents as spans linked to their story, which links to the
     * incident's own picture */
    cr_assert_geq(count(svg, "<a href=\"#incident-I1\"><g class=\"inc "), 1);
    cr_assert_eq(count(html, "<a href=\"#zoom-I1\">On the timeline</a>"), 1);
    cr_assert_lt(strstr(html, "<a href=\"#zoom-I1\">"),
                 strstr(html, "<h3 id=\"zoom-I1\">"));
    /* the error events of the window are drawn with their text */
    cr_assert_geq(count(svg, "<rect class=\"m2\""), 1);
    cr_assert_not_null(strstr(svg, "<title>error 2024-11-15 01:58:10.400 "
                                   "UTC: [NM] see https&#58;//evil.example/x"
                                   " and http&#58;//evil.example/y</title>"
                                   "</rect>"));
    /* and how many events each host logged */
    cr_assert_eq(count(svg, "<path class=\"dens\""), nh);
    free(svg);
    free(html);
    fix_free(&x);
}

Test(report_html, same_input_gives_the_same_bytes)
{
    struct fix x;
    demo_plus_hostile(&x);
    size_t l1, l2, l3;
    char *a = render(&x.in, &l1);
    char *b = render(&x.in, &l2);
    cr_assert_eq(l1, l2);
    cr_assert_eq(memcmp(a, b, l1), 0);
    free(b);
    fix_free(&x);

    /* and a fresh analysis of the same input (other addresses) */
    struct fix y;
    demo_plus_hostile(&y);
    char *c = render(&y.in, &l3);
    cr_assert_eq(l1, l3);
    cr_assert_eq(memcmp(a, c, l1), 0);
    free(a);
    free(c);
    fix_free(&y);
}

Test(report_html, event_table_has_filters_and_fields_visible_without_js)
{
    struct fix x;
    demo_plus_hostile(&x);
    size_t len;
    char *html = render(&x.in, &len);
    /* the filter bar works without script: radio inputs ahead of the
     * table, CSS rules hiding what the checked one leaves out; the
     * script only adds the text box */
    cr_assert_not_null(strstr(html, "<div id=\"evfilter\" class=\"filter\">"));
    cr_assert_not_null(strstr(html, "<span id=\"fxt\" class=\"fg\" "
                                    "hidden=\"hidden\">"));
    cr_assert_not_null(strstr(html, "<input type=\"radio\" class=\"fr\" "
                                    "name=\"fl\" id=\"fl-3\" "
                                    "checked=\"checked\"/>"),
                       "warning and above by default");
    cr_assert_not_null(strstr(html, "<label for=\"fh-0\">all</label>"
                                    "<label for=\"fh-1\">HV-NODE0</label>"
                                    "<label for=\"fh-2\">HV-NODE1</label>"
                                    "<label for=\"fh-3\">HV-NODE2</label>"));
    cr_assert_not_null(strstr(html, "#fh-2:checked~table tr:not(.h2)"
                                    "{display:none}"));
    cr_assert_not_null(strstr(html, "#fl-3:checked~table tr.r:not(.x)"
                                    "{display:none}"));
    cr_assert_not_null(strstr(html, "<label for=\"fi-1\" title=\""));
    cr_assert_not_null(strstr(html, "#fi-1:checked~table tr:not(.i1)"
                                    "{display:none}"));
    /* the inputs come before the table, as the rules need */
    cr_assert_lt(strstr(html, "id=\"fi-0\""), strstr(html, "id=\"evtab\""));
    /* no row is hidden in the markup */
    cr_assert_null(strstr(html, "class=\"hide\""));
    cr_assert_null(strstr(html, " hide\""));
    /* the window: the evidence 01:58:07.814 .. 01:58:14.482 and 30 s
     * either side */
    size_t in_window = 0;
    cb_time from = cb_time_from_civil(2024, 11, 15, 1, 57, 37, 8140000);
    cb_time to = cb_time_from_civil(2024, 11, 15, 1, 58, 44, 4820000);
    for (size_t i = 0; i < x.r.timeline.count; i++) {
        cb_time t = x.r.timeline.events[i]->ts;
        in_window += t >= from && t <= to;
    }
    cr_assert_eq(count(html, "<tr id=\"ev-"), in_window);
    cr_assert_null(strstr(html, "are not shown"), "no cap note");
    cr_assert_lt(in_window, x.r.timeline.count);
    cr_assert_not_null(strstr(html, "Received request from client address "
                                    "HV-NODE1."));
    /* outside the window: HV-NODE2's restart at 01:59:41 */
    cr_assert_null(strstr(html, "Starting clussvc as a service"));
    free(html);
    fix_free(&x);
}

Test(report_html, event_fields_are_shown_in_details)
{
    /* events with data fields: built by hand into a timeline */
    struct cb_source src = {.path = "x.evtx",
                            .format = "evtx",
                            .host = "H1",
                            .time_basis = "UTC",
                            .first = CB_TIME_NONE,
                            .last = CB_TIME_NONE};
    struct cb_field fields[2] = {{"TargetName", "<vm> & co"},
                                 {"2", "value two"}};
    struct cb_event ev = {.ts = cb_time_from_civil(2024, 1, 2, 3, 4, 5, 0),
                          .flags = CB_EV_HAS_EVENT_ID | CB_EV_HAS_RECORD_ID,
                          .event_id = 1069,
                          .record_id = 77,
                          .level = CB_LEVEL_ERROR,
                          .host = "H1",
                          .channel = "System",
                          .provider = "Microsoft-Windows-FailoverClustering",
                          .message = "m",
                          .fields = fields,
                          .nfields = 2,
                          .source = &src};
    struct cb_event *evs[1] = {&ev};
    struct cb_timeline tl = {.events = evs, .count = 1};
    struct cb_report_input in = {.case_name = "c", .tl = &tl};
    size_t len;
    char *html = render(&in, &len);
    check_page(html, len);
    cr_assert_not_null(strstr(html, "<details><summary>2 fields</summary>"));
    cr_assert_not_null(strstr(html, "<tr><th>TargetName</th><td>&lt;vm&gt; "
                                    "&amp; co</td></tr>"));
    cr_assert_not_null(strstr(html, "x.evtx, record 77"));
    cr_assert_not_null(strstr(html, "<td>1069<div class=\"sub\">"
                                    "Microsoft-Windows-FailoverClustering"));
    cr_assert_not_null(strstr(html, "<tr id=\"ev-0\" class=\"e h1\">"));
    free(html);
}

Test(report_html, empty_analysis_still_renders_a_valid_page)
{
    struct fix x;
    analyze(&x, NULL, 0, 0, NULL);
    size_t len;
    char *html = render(&x.in, &len);
    check_page(html, len);
    /* nothing was read: never "no known problem pattern was found" */
    cr_assert_not_null(strstr(html, "Nothing readable:"));
    cr_assert_null(strstr(html, "No rule matched"));
    cr_assert_not_null(strstr(html, "No events to draw."));
    cr_assert_null(strstr(html, "<svg"));
    cr_assert_null(strstr(html, "<tr id=\"ev-"));
    free(html);

    /* no findings or gaps at all, no timeline, no analysis */
    struct cb_report_input bare = {0};
    html = render(&bare, &len);
    check_page(html, len);
    cr_assert_not_null(strstr(html, "Evidence gaps were not computed."));
    free(html);
    fix_free(&x);
}

Test(report_html, without_findings_the_window_is_the_whole_timeline)
{
    struct fix x;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.4000s/demo-bundle", samples_dir());
    struct cb_analyze_input in = {.name = dir};
    analyze(&x, &in, 1, 0, "demo"); /* no rules: no findings */
    cr_assert_eq(x.r.findings.count, 0);
    size_t len;
    char *html = render(&x.in, &len);
    check_page(html, len);
    cr_assert_eq(count(html, "<tr id=\"ev-"), x.r.timeline.count);
    /* a picture without findings is no empty grid: the lanes show how
     * many events each host logged, and the page says why nothing else */
    cr_assert_eq(count(html, "<g class=\"lane\">"), 2);
    cr_assert_eq(count(html, "<path class=\"dens\""), 2);
    cr_assert_null(strstr(html, "class=\"fm "));
    cr_assert_eq(count(html, "<svg"), 1, "no incident, no zoom");
    cr_assert_not_null(strstr(html, "No findings: nothing to mark. The lanes "
                                    "show how many events each host logged "
                                    "over the whole timeline"));
    cr_assert_not_null(strstr(html, "Evidence gaps and assumptions"));
    /* events were read and no rule matched: said so, not "nothing
     * readable" */
    cr_assert_not_null(strstr(html, "No rule matched"));
    cr_assert_null(strstr(html, "Nothing readable"));
    free(html);
    fix_free(&x);
}

/* One line every 2 ms from 09:59:20 for 80 s (40,000 events), a quorum
 * loss at 10:00:00.000, errors, warnings and an info line far from it:
 * the evidence window (09:59:30 .. 10:00:30, the 30 s minimum margin)
 * holds 30,001 events, over the cap. */
static char *big_log(size_t *len)
{
    size_t cap = 8u << 20, n = 0;
    char *b = malloc(cap);
    cr_assert_not_null(b);
    n += (size_t)snprintf(b + n, cap - n,
                          "[=== Cluster ===]\nUTC= localtime + time zone "
                          "offset; with daylight savings, the time zone "
                          "offset of this machine is 0 minutes, or 0 "
                          "hours\nCurrent node: BIG (1) id (1)\n"
                          "[=== Cluster Logs ===]\n");
    for (int i = 0; i < 40000; i++) {
        long ms = (9 * 3600 + 59 * 60 + 20) * 1000L + 2L * i;
        const char *lvl = "INFO ", *comp = "NM", *text = "tick";
        if (i == 20000)
            lvl = "ERR  ", comp = "QUORUM", text = "lost quorum";
        else if (i == 5500 || i == 34500)
            lvl = "ERR  ", text = "far error";
        else if (i == 6000 || i == 34000)
            lvl = "WARN ", text = "far warning";
        else if (i == 12500)
            text = "far info";
        else if (i == 20001)
            text = "near info";
        n += (size_t)snprintf(
            b + n, cap - n,
            "00000001.00000002::2024/11/15-%02ld:%02ld:%02ld.%03ld %s [%s] "
            "%s %d\n",
            ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000, lvl, comp,
            text, i);
        cr_assert_lt(n, cap);
    }
    *len = n;
    return b;
}

Test(report_html, event_table_is_capped_keeping_evidence_errors_and_nearest)
{
    struct fix x;
    size_t blen;
    char *log = big_log(&blen);
    struct cb_analyze_input in = {"BIG_cluster.log", log, blen};
    analyze(&x, &in, 1, 1, "big");
    free(log);
    cr_assert_eq(x.r.timeline.count, 40000);
    cr_assert_eq(x.r.findings.count, 1, "the quorum loss");
    cr_assert_eq(x.r.findings.items[0].nevidence, 1);
    size_t len;
    char *html = render(&x.in, &len);
    check_page(html, len);
    cr_assert_eq(count(html, "<tr id=\"ev-"), 5000);
    /* the window: evidence +- 30 s, both ends included */
    cb_time t = x.r.findings.items[0].evidence[0].ev->ts;
    size_t in_window = 0;
    for (size_t i = 0; i < x.r.timeline.count; i++) {
        cb_time u = x.r.timeline.events[i]->ts;
        in_window += u >= t - 30 * SEC && u <= t + 30 * SEC;
    }
    cr_assert_eq(in_window, 30001);
    const char *note = "25,001 of the 30,001 events of this window are not "
                       "shown (at most 5,000 rows)";
    cr_assert_not_null(strstr(html, note), "%s", note);
    /* evidence row present and linked; errors and warnings at the edges
     * kept; info nearest the evidence kept, far info dropped */
    cr_assert_eq(check_links(html), 1);
    cr_assert_eq(count(html, "<td class=\"msg\">[QUORUM] lost quorum 20000"), 1,
                 "evidence table");
    cr_assert_eq(count(html, "<td class=\"msg\">far error 5500<"), 1);
    cr_assert_eq(count(html, "<td class=\"msg\">far error 34500<"), 1);
    cr_assert_eq(count(html, "<td class=\"msg\">far warning 6000<"), 1);
    cr_assert_eq(count(html, "<td class=\"msg\">far warning 34000<"), 1);
    cr_assert_eq(count(html, ">near info 20001<"), 1);
    cr_assert_eq(count(html, ">far info 12500<"), 0);
    /* the rows kept are the ones nearest the evidence: 4,995 info lines,
     * a contiguous run of about 5 s either side */
    cr_assert_eq(count(html, ">tick 18000<"), 1);
    cr_assert_eq(count(html, ">tick 22000<"), 1);
    cr_assert_eq(count(html, ">tick 17502<"), 1);
    cr_assert_eq(count(html, ">tick 22497<"), 1);
    cr_assert_eq(count(html, ">tick 17501<"), 0);
    cr_assert_eq(count(html, ">tick 22498<"), 0);
    cr_assert_eq(count(html, ">tick 10000<"), 0);
    cr_assert_eq(count(html, ">tick 30000<"), 0);
    free(html);
    fix_free(&x);
}

Test(report_html, out_of_memory_fails_cleanly)
{
    struct fix x;
    demo_plus_hostile(&x);
    int failed = 0, ok = 0;
    /* past the page's allocations (the pictures take some per incident)
     * the report is whole */
    for (unsigned long n = 1; n < 100; n++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_not_null(f);
        cb_alloc_fail_after(n);
        enum cb_status rc = cb_report_html(f, &x.in);
        cb_alloc_fail_after(0);
        fclose(f);
        free(buf);
        cr_assert(rc == CB_OK || rc == CB_E_NOMEM, "rc %d", rc);
        failed += rc == CB_E_NOMEM;
        ok += rc == CB_OK;
    }
    cr_assert_gt(failed, 0);
    cr_assert_gt(ok, 0);
    fix_free(&x);
}

Test(report_html, write_failure_is_reported)
{
    struct fix x;
    demo_plus_hostile(&x);
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        cr_skip_test("no /dev/full");
    cr_assert_eq(cb_report_html(f, &x.in), CB_E_IO);
    fclose(f);
    fix_free(&x);
}

/* issue 19 #9: a configuration table past its row cap says in the report
 * how many rows were counted and not kept, so the inventory never looks
 * complete when it is not. */
Test(report_html, a_capped_configuration_table_says_what_was_left_out)
{
    size_t extra = 5, size = 256 + (CB_LIMIT_CLUSTERLOG_TABLE_ROWS + extra) * 32;
    char *text = malloc(size), *p = text;
    cr_assert_not_null(text);
    p += sprintf(p, "[=== Cluster ===]\r\nCurrent node: HV-NODE1 (1) id (1)\r\n"
                    "[=== Resources ===]\r\nName,State\r\n");
    for (size_t r = 0; r < CB_LIMIT_CLUSTERLOG_TABLE_ROWS + extra; r++)
        p += sprintf(p, "\"Res %zu\",Online\r\n", r);
    p += sprintf(p, "[=== Cluster Logs ===]\r\n00000a1c.00001f04::2024/11/15-"
                    "10:15:30.123 ERR   [RCM] one line\r\n");
    const struct cb_analyze_input in[] = {
        {"HV-NODE1_cluster.log", text, (size_t)(p - text)}};
    struct fix x;
    analyze(&x, in, 1, 0, "capped");
    size_t len;
    char *html = render(&x.in, &len);
    /* the raw tables gave way to the cluster overview (issue 16 #6),
     * which says the same */
    cr_expect(strstr(html, "The Resources section of HV-NODE1_cluster.log "
                           "(line 3) was cut: 10000 rows read, 5 more "
                           "counted, not kept"));
    cr_expect(!strstr(html, "Res 10000<"), "a row past the cap is not shown");
    free(html);
    fix_free(&x);
    free(text);
}

/* The class of the row of timeline index idx ("" when none). */
static void row_class(const char *html, size_t idx, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "<tr id=\"ev-%zu\" class=\"", idx);
    const char *p = strstr(html, pat);
    out[0] = '\0';
    if (!p)
        return;
    p += strlen(pat);
    const char *q = strchr(p, '"');
    cr_assert_not_null(q);
    snprintf(out, size, "%.*s", (int)(q - p), p);
}

static int has_word(const char *cls, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(cls, w); p; p = strstr(p + 1, w)) {
        if ((p == cls || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return 1;
    }
    return 0;
}

Test(report_html, default_table_filter_is_warning_and_above_plus_evidence)
{
    struct fix x;
    demo_plus_hostile(&x);
    size_t len;
    char *html = render(&x.in, &len);
    /* every row is classed by level; evidence marked whatever its level;
     * the routine rows the default hides are exactly the information and
     * lower rows that are no evidence */
    size_t rows = 0, shown = 0, routine = 0, evid_routine = 0;
    for (size_t i = 0; i < x.r.timeline.count; i++) {
        char cls[256];
        row_class(html, i, cls, sizeof cls);
        if (!cls[0])
            continue;
        rows++;
        const struct cb_event *e = x.r.timeline.events[i];
        int evidence = 0;
        for (size_t f = 0; f < x.r.findings.count; f++)
            for (size_t k = 0; k < x.r.findings.items[f].nevidence; k++)
                evidence |= x.r.findings.items[f].evidence[k].ev == e;
        cr_assert_eq(has_word(cls, "x"), evidence, "row %zu: %s", i, cls);
        const char *want = e->level == CB_LEVEL_CRITICAL  ? "c"
                           : e->level == CB_LEVEL_ERROR   ? "e"
                           : e->level == CB_LEVEL_WARNING ? "w"
                                                          : "r";
        cr_assert(has_word(cls, want), "row %zu: %s, want %s", i, cls, want);
        int hidden = has_word(cls, "r") && !evidence;
        routine += hidden;
        evid_routine += has_word(cls, "r") && evidence;
        shown += !hidden;
    }
    cr_assert_gt(rows, 20);
    cr_assert_gt(routine, 0, "routine information rows exist and are hidden");
    cr_assert_gt(shown, 0);
    char want[96];
    snprintf(want, sizeof want, "<span id=\"fn\" class=\"mut small\">%zu of "
             "%zu rows shown</span>", shown, rows);
    cr_assert_not_null(strstr(html, want), "%s", want);
    (void)evid_routine;
    free(html);
    fix_free(&x);
}

/* A hand-built timeline: n events of host h spread over [from, to]. */
static struct cb_timeline spread(struct cb_event *evs, struct cb_event **ptrs,
                                 size_t n, cb_time from, cb_time to,
                                 struct cb_source *src)
{
    for (size_t i = 0; i < n; i++) {
        evs[i] = (struct cb_event){
            .ts = from + (cb_time)((uint64_t)(to - from) / (n - 1) * i),
            .level = i % 3 ? CB_LEVEL_INFO : CB_LEVEL_ERROR,
            .host = i % 2 ? "HV-B" : "HV-A",
            .channel = "System",
            .message = "m",
            .source = src};
        ptrs[i] = &evs[i];
    }
    evs[n - 1].ts = to;
    return (struct cb_timeline){.events = ptrs, .count = n};
}

/* The axis labels of the first picture, in order, "|" between. */
static void axis_labels(const char *html, char *out, size_t size)
{
    char *svg = first_svg(html);
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = strstr(svg, "<text class=\"ax\""); p;
         p = strstr(p + 1, "<text class=\"ax\"")) {
        const char *gt = strchr(p, '>');
        const char *lt = strchr(gt, '<');
        int w = snprintf(out + n, size - n, "%s%.*s", n ? "|" : "",
                         (int)(lt - gt - 1), gt + 1);
        if (w > 0 && (size_t)w < size - n)
            n += (size_t)w;
    }
    free(svg);
}

Test(report_html, axis_shows_years_across_years_and_times_within_a_day)
{
    static struct cb_event evs[40];
    static struct cb_event *ptrs[40];
    struct cb_source src = {.path = "x.evtx", .format = "evtx", .host = "HV-A",
                            .time_basis = "UTC", .first = CB_TIME_NONE,
                            .last = CB_TIME_NONE};
    char labels[2048];
    size_t len;

    /* 2011-03-02 .. 2026-01-20: years, every second one (at most 8
     * ticks) */
    struct cb_timeline tl =
        spread(evs, ptrs, 40, cb_time_from_civil(2011, 3, 2, 8, 0, 0, 0),
               cb_time_from_civil(2026, 1, 20, 9, 0, 0, 0), &src);
    struct cb_report_input in = {.case_name = "years", .tl = &tl};
    char *html = render(&in, &len);
    check_page(html, len);
    axis_labels(html, labels, sizeof labels);
    cr_assert_str_eq(labels, "2012|2014|2016|2018|2020|2022|2024|2026");
    free(html);

    /* 2024-11-15 10:07 .. 16:52: whole hours, the date once */
    tl = spread(evs, ptrs, 40, cb_time_from_civil(2024, 11, 15, 10, 7, 0, 0),
                cb_time_from_civil(2024, 11, 15, 16, 52, 0, 0), &src);
    html = render(&in, &len);
    check_page(html, len);
    axis_labels(html, labels, sizeof labels);
    cr_assert_str_eq(labels, "11:00|15 Nov 2024|12:00|13:00|14:00|15:00|16:00");
    free(html);

    /* across a new year by days: the year where it changes */
    tl = spread(evs, ptrs, 40, cb_time_from_civil(2024, 12, 28, 10, 0, 0, 0),
                cb_time_from_civil(2025, 1, 3, 12, 0, 0, 0), &src);
    html = render(&in, &len);
    check_page(html, len);
    axis_labels(html, labels, sizeof labels);
    cr_assert_str_eq(labels, "29 Dec|2024|30 Dec|31 Dec|1 Jan|2025|2 Jan|3 Jan");
    free(html);

    /* eight months: each month, the year once */
    tl = spread(evs, ptrs, 40, cb_time_from_civil(2023, 1, 10, 0, 0, 0, 0),
                cb_time_from_civil(2023, 9, 10, 0, 0, 0, 0), &src);
    html = render(&in, &len);
    check_page(html, len);
    axis_labels(html, labels, sizeof labels);
    cr_assert_str_eq(labels, "Feb|2023|Mar|Apr|May|Jun|Jul|Aug|Sep");
    free(html);
}

Test(report_html, events_without_a_host_still_get_a_lane)
{
    static struct cb_event evs[10];
    static struct cb_event *ptrs[10];
    struct cb_source src = {.path = "x.csv", .format = "csv", .host = "",
                            .time_basis = "UTC", .first = CB_TIME_NONE,
                            .last = CB_TIME_NONE};
    struct cb_timeline tl =
        spread(evs, ptrs, 10, cb_time_from_civil(2024, 1, 1, 0, 0, 0, 0),
               cb_time_from_civil(2024, 1, 2, 0, 0, 0, 0), &src);
    for (size_t i = 0; i < 10; i++) {
        evs[i].host = "";
        evs[i].level = CB_LEVEL_INFO;
    }
    struct cb_report_input in = {.case_name = "nohost", .tl = &tl};
    size_t len;
    char *html = render(&in, &len);
    check_page(html, len);
    char *svg = first_svg(html);
    cr_assert_eq(count(svg, "<g class=\"lane\">"), 1);
    cr_assert_not_null(strstr(svg, "<title>(no host)</title>"));
    cr_assert_eq(count(svg, "<path class=\"dens\""), 1);
    free(svg);
    free(html);
}
