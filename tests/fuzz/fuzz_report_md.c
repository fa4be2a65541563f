/*
 * fuzz_report_md.c - the Markdown report over events any parser makes of
 * arbitrary bytes (first byte picks the parser), with rules that put the
 * data into titles' neighbours, summaries, entities and evidence.
 *
 * The invariant: customer text cannot change the document's structure.
 * Outside the rule's own fenced PowerShell block the output is valid
 * UTF-8 without control bytes, and:
 *  - no unescaped '<' (no HTML tag, no <autolink>), '[' or ']' (no link
 *    or image), and every '&' starts &amp; &lt; or &gt; (no entity of the
 *    customer's choosing);
 *  - unescaped '`' come in pairs on a line (no code span left open);
 *  - every table row has the header's number of unescaped '|' cells;
 *  - after the template's own line prefix ("- ", "1. ", "### 1. ", ...)
 *    no line starts a block (heading, list, quote, fence, setext
 *    underline, thematic break, indented code).
 * The case summary's ```text block is plain text: no line in it but its
 * last may close it.
 * Any breach aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "fuzz_check.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Does the text at s (a line's remainder, n bytes) open a block? */
static int starts_block(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 4 && memcmp(s, "    ", 4) == 0)
        return 1;
    if (n && s[0] == '\t')
        return 1;
    while (i < n && i < 3 && s[i] == ' ')
        i++;
    if (i == n)
        return 0;
    char c = s[i];
    if (c == '#' || c == '>')
        return 1;
    if ((c == '-' || c == '+' || c == '*') &&
        (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t'))
        return 1;
    if (n - i >= 3 && (memcmp(s + i, "```", 3) == 0 ||
                       memcmp(s + i, "~~~", 3) == 0))
        return 1;
    if (c == '=' || c == '-' || c == '_') {
        /* setext underline or thematic break: only c and blanks */
        size_t k = i;
        while (k < n && (s[k] == c || s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k == n)
            return 1;
    }
    if (is_digit(c)) {
        size_t k = i;
        while (k < n && k - i < 10 && is_digit(s[k]))
            k++;
        if (k < n && (s[k] == '.' || s[k] == ')') &&
            (k + 1 == n || s[k + 1] == ' ' || s[k + 1] == '\t'))
            return 1;
    }
    return 0;
}

/* Skip the template's own prefix of a line; returns its length. */
static size_t template_prefix(const char *s, size_t n)
{
    /* "> - ", "> " and ">": the damage banner's quote block */
    static const char *const fixed[] = {"# casebrief report: ", "## ",
                                        "   > **Warning:** ", "- ",
                                        "> - ", "> ", ">", NULL};
    size_t i = 0;
    if (n >= 4 && memcmp(s, "### ", 4) == 0)
        i = 4;
    for (int k = 0; !i && fixed[k]; k++) {
        size_t l = strlen(fixed[k]);
        if (n >= l && memcmp(s, fixed[k], l) == 0)
            i = l;
    }
    /* "1. " remediation steps, "### 1. " findings */
    size_t k = i;
    while (k < n && is_digit(s[k]))
        k++;
    if (k > i && n - k >= 2 && s[k] == '.' && s[k + 1] == ' ')
        i = k + 2;
    return i;
}

/* Abort, showing the line with CB_FUZZ_DUMP set. */
static void breach(const char *s, size_t n, const char *why)
{
    if (getenv("CB_FUZZ_DUMP"))
        fprintf(stderr, "\nMarkdown breach (%s) in: %.*s\n", why, (int)n, s);
    abort();
}

static void check_line(const char *s, size_t n, size_t *table_cells)
{
    size_t ticks = 0, pipes = 0;
    int in_code = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && !in_code && i + 1 < n) {
            i++;
            continue;
        }
        if (c == '`') {
            ticks++;
            in_code = !in_code;
            continue;
        }
        if (in_code)
            continue;
        if (c == '<' || c == '[' || c == ']')
            breach(s, n, "tag or link");
        if (c == '&' && strncmp(s + i, "&amp;", 5) != 0 &&
            strncmp(s + i, "&lt;", 4) != 0 && strncmp(s + i, "&gt;", 4) != 0)
            breach(s, n, "entity");
        if (c == '|')
            pipes++;
    }
    if (ticks % 2)
        breach(s, n, "code span");
    if (n && s[0] == '|') {
        if (*table_cells == 0)
            *table_cells = pipes;
        else if (pipes != *table_cells)
            breach(s, n, "table cells");
        return;
    }
    *table_cells = 0;
    size_t p = template_prefix(s, n);
    if (starts_block(s + p, n - p))
        breach(s, n, "block");
}

/* Would this line close a ``` fence (up to three spaces, then three
 * backticks)? Inside the case summary only its own last line may. */
static int closes_fence(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && s[i] == ' ')
        i++;
    return n - i >= 3 && memcmp(s + i, "```", 3) == 0;
}

static void check_md(const char *md, size_t len)
{
    if (strlen(md) != len)
        abort();
    check_utf8((const unsigned char *)md, len, 1);
    int fence = 0;
    size_t table_cells = 0;
    for (const char *p = md; p < md + len;) {
        const char *nl = memchr(p, '\n', (size_t)(md + len - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(md + len - p);
        if (!fence && n == 17 && memcmp(p, "   ````powershell", 17) == 0)
            fence = 1;
        else if (fence == 1 && n == 7 && memcmp(p, "   ````", 7) == 0)
            fence = 0;
        else if (!fence && n == 7 && memcmp(p, "```text", 7) == 0)
            fence = 2; /* the case summary: plain text */
        else if (fence == 2 && n == 3 && memcmp(p, "```", 3) == 0)
            fence = 0;
        else if (fence == 2 && closes_fence(p, n))
            breach(p, n, "case summary closed early");
        else if (!fence)
            check_line(p, n, &table_cells);
        p += n + (nl ? 1 : 0);
    }
    if (fence)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_rules *rules = fuzz_rules();
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    if (!an)
        return 0;
    fuzz_bundle(an, "- [a](b)/<i>`x`|*_~#/1. N1_cluster.log", data, size);
    cb_analysis_warn(an, "# x\n- [y](javascript:z)|<b>", CB_WHERE_NONE, 0,
                     "%s", "1. `w` | <img src=x> \\");
    struct cb_timeline tl;
    if (cb_analysis_finish(an) == CB_OK && cb_timeline_build(an, &tl) == CB_OK) {
        struct cb_findings fs = {0};
        struct cb_gaps gaps = {0};
        int have_fs = cb_correlate(rules, &tl, &fs) == CB_OK;
        int have_gaps = cb_gaps_find(rules, an, &tl, &gaps) == CB_OK;
        struct cb_report_input in = {.case_name = "# <case> [x](y) `z`",
                                     .an = an,
                                     .tl = &tl,
                                     .findings = have_fs ? &fs : NULL,
                                     .gaps = have_gaps ? &gaps : NULL,
                                     .rules_version = "2 rules | `x`"};
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f) {
            enum cb_status rc = cb_report_markdown(f, &in);
            if (fclose(f) == 0 && rc == CB_OK) {
                if (getenv("CB_FUZZ_DUMP"))
                    fwrite(buf, 1, len, stderr);
                check_md(buf, len);
            }
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
