/*
 * test_corpus_realworld.c - the parsers on real Windows wording: every
 * file of the shared corpus's realworld/ (quotes from Microsoft's support
 * articles, see its README.md). Skipped, visibly, when the corpus is
 * absent (CASEBRIEF_CORPUS overrides its root).
 *
 * Each file is first read as a new user would hand it over (detection by
 * content, no hints); then every cluster.log line and event text in it is
 * checked for time, level, component, host and the quoted names (the
 * entities a rule takes). The articles REFORMATTED some of it: cluster.log
 * timestamps are replaced by "*\<DateTime>*" and the event blocks carry no
 * Date. Where that makes the text unparsable, the test undoes exactly that
 * (a timestamp in place of the placeholder, a Date line added to a block)
 * and leaves every other byte as the article prints it. Expected values
 * are read from the corpus text by the test itself (level words, the
 * bracketed component, the quoted names), never from the parser.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

/* 2024-11-15 10:15:30.123 UTC: Unix 1731665730 */
#define STAMP "2024/11/15-10:15:30.123"
#define STAMP_TICKS                                                            \
    (1731665730LL * 10000000LL + 1230000LL + 116444736000000000LL)

static struct cb_analysis *an;

static void teardown(void)
{
    cb_analysis_destroy(&an);
}

TestSuite(corpus_realworld, .fini = teardown);

/* The text of realworld/<name> (malloc'd, NUL-terminated); skips the
 * test when the corpus or the file is absent. */
static char *load(const char *name, size_t *len)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    char path[1024];
    snprintf(path, sizeof path, "%s/realworld/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        cr_skip_test("realworld/%s not in the corpus: skipped", name);
    char *buf = malloc(1 << 20);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The one source of text read under name (detected, not forced). */
static const struct cb_source *read_as(const char *name, const char *text)
{
    cb_analysis_destroy(&an);
    an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_leaf_memory(an, name, text, strlen(text), NULL),
                 CB_OK);
    cr_assert_eq(an->nsources, 1u);
    return an->sources[0];
}

static int src_warning(const struct cb_source *src, const char *needle)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next) {
        if (strstr(w->msg, needle))
            return 1;
    }
    return 0;
}

/* ---- as handed over ---------------------------------------------------- */

Test(corpus_realworld, every_file_as_a_new_user_hands_it_over)
{
    static const struct {
        const char *file, *format;
    } want[] = {
        /* Event Viewer details layout, no Date in the article */
        {"04_msdocs_hyperv_replica_suspended_kb.txt", "evtx-details"},
        {"10_msdocs_s2d_troubleshooting_5120_1135.txt", "evtx-details"},
        {"11_msdocs_csv_2008r2_5120_variant.txt", "evtx-details"},
        {"12_msdocs_physical_disk_clusterlog.txt", "evtx-details"},
        /* descriptions and fragments without any layout */
        {"09_msdocs_live_migration_events.txt", "unknown"},
        {"16_msdocs_1069_clusterlog_strings.txt", "unknown"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        size_t len;
        char *text = load(want[i].file, &len);
        const struct cb_source *src = read_as(want[i].file, text);
        cr_expect_str_eq(src->format, want[i].format, "%s", want[i].file);
        if (strcmp(want[i].format, "evtx-details") == 0) {
            /* the article dropped the Date: said once, not per block */
            cr_expect_eq(src->nevents, 0u);
            cr_expect(src_warning(src, "without a usable Date or Event Xml"),
                      "%s", want[i].file);
        }
        free(text);
    }
}

/* ---- cluster.log lines ------------------------------------------------- */

/* Level and component as the line itself writes them, read here with no
 * help from the parser: "LEVEL [COMP] rest". */
static void expect_clusterlog_line(const struct cb_event *e, const char *line)
{
    const char *p = strstr(line, STAMP) + strlen(STAMP);
    while (*p == ' ')
        p++;
    int level = strncmp(p, "ERR", 3) == 0    ? CB_LEVEL_ERROR
                : strncmp(p, "WARN", 4) == 0 ? CB_LEVEL_WARNING
                : strncmp(p, "INFO", 4) == 0 ? CB_LEVEL_INFO
                                             : CB_LEVEL_DEBUG;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    cr_expect_eq(e->level, level, "%s", line);
    cr_expect_eq(e->ts, STAMP_TICKS, "%s", line);
    cr_expect_str_eq(e->host, "HV-NODE1", "%s", line);
    if (*p == '[') {
        const char *end = strchr(p, ']');
        char comp[32];
        snprintf(comp, sizeof comp, "%.*s", (int)(end - p - 1), p + 1);
        cr_expect_str_eq(e->component, comp, "%s", line);
        p = end + 1;
        while (*p == ' ')
            p++;
    } else {
        cr_expect_null(e->component, "%s", line);
    }
    char rest[512];
    snprintf(rest, sizeof rest, "%s", p);
    size_t n = strlen(rest);
    while (n && (rest[n - 1] == ' ' || rest[n - 1] == '\r'))
        rest[--n] = '\0';
    cr_expect_str_eq(e->message, rest, "%s", line);
}

/* 12: whole lines with the timestamp replaced by the article. */
Test(corpus_realworld, clusterlog_lines_of_the_physical_disk_article)
{
    size_t len;
    char *text = load("12_msdocs_physical_disk_clusterlog.txt", &len);
    char *log = calloc(1, len * 2 + 64);
    size_t nlines = 0, o = 0;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        char *ph = strstr(l, "::*\\<DateTime>*");
        if (!ph)
            continue;
        /* undo the article: a timestamp where it put its placeholder */
        o += (size_t)sprintf(log + o, "%.*s::" STAMP "%s\n", (int)(ph - l), l,
                             ph + strlen("::*\\<DateTime>*"));
        nlines++;
    }
    cr_assert_eq(nlines, 3u, "the article quotes three lines");
    const struct cb_source *src = read_as("HV-NODE1_cluster.log", log);
    cr_assert_str_eq(src->format, "clusterlog");
    cr_assert_eq(src->nevents, 3u);
    char *save = NULL, *l = strtok_r(log, "\n", &save);
    for (size_t i = 0; l; i++, l = strtok_r(NULL, "\n", &save))
        expect_clusterlog_line(source_event(src, i), l);
    cr_expect_eq(src->nwarnings, 0u);
    free(log);
    free(text);
}

/* 16: the strings Microsoft tells engineers to search for, each made a
 * whole line in both level paddings. */
Test(corpus_realworld, clusterlog_search_strings_of_the_1069_article)
{
    size_t len;
    char *text = load("16_msdocs_1069_clusterlog_strings.txt", &len);
    char *log = calloc(1, len * 4 + 256);
    size_t o = 0, n = 0;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        if (l[0] == '#' || !l[0])
            continue;
        o += (size_t)sprintf(log + o,
                             "00000a1c.00001f04::" STAMP
                             " ERR   %s\n00000a1c.00001f04::" STAMP " ERR %s\n",
                             l, l);
        n += 2;
    }
    cr_assert_geq(n, 8u);
    const struct cb_source *src = read_as("HV-NODE1_cluster.log", log);
    cr_assert_eq(src->nevents, n);
    char *save = NULL, *l = strtok_r(log, "\n", &save);
    for (size_t i = 0; l; i++, l = strtok_r(NULL, "\n", &save))
        expect_clusterlog_line(source_event(src, i), l);
    free(log);
    free(text);
}

/* 10: a row of [=== SBL Disks ===] as the article prints it (leading
 * blank, trailing comma), in a header of the name-in-parentheses form. */
Test(corpus_realworld, sbl_disks_section_of_the_s2d_article)
{
    size_t len;
    char *text = load("10_msdocs_s2d_troubleshooting_5120_1135.txt", &len);
    char *sec = strstr(text, "[=== SBL Disks ===]");
    cr_assert_not_null(sec);
    char *log = calloc(1, len + 512);
    sprintf(log,
            "[=== Cluster ===]\r\n"
            "Current node: name (S2D-NODE1) id (1)\r\n"
            "%s\n"
            "[=== Cluster Logs ===]\n"
            "00000a1c.00001f04::" STAMP " INFO  [RCM] x\n",
            sec);
    const struct cb_source *src = read_as("report.txt", log);
    cr_assert_str_eq(src->format, "clusterlog");
    cr_assert_str_eq(src->host, "S2D-NODE1");
    const struct cb_table *t = src->tables;
    cr_assert_not_null(t);
    cr_assert_str_eq(t->section, "SBL Disks");
    /* the article gives no column names: its row is the table's first
     * line; 19 values and the empty one after the trailing comma */
    cr_assert_eq(t->ncols, 20u);
    cr_assert_str_eq(t->cols[7], "CacheDiskStateInitializedAndBound");
    cr_assert_str_eq(t->cols[13], "HGST");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(src->nwarnings, 0u);
    free(log);
    free(text);
}

/* ---- event text -------------------------------------------------------- */

/* Copy text, adding "Date: <iso>" before every "Event ID:" line (the one
 * label every quoted block has): the Date the article dropped. */
static char *with_dates(const char *text)
{
    char *out = calloc(1, strlen(text) * 2 + 4096);
    size_t o = 0;
    int k = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p + 1) : strlen(p);
        if (strncmp(p, "Event ID:", 9) == 0)
            o +=
                (size_t)sprintf(out + o, "Date: 2024-11-15T10:%02d:00Z\n", k++);
        memcpy(out + o, p, n);
        o += n;
        p += n;
    }
    return out;
}

/* The first quoted name after `after` in s, in any quote style the
 * articles use ('x', "x", ‘x’): into buf. */
static const char *quoted_after(const char *s, const char *after, char *buf,
                                size_t size)
{
    const char *p = strstr(s, after);
    cr_assert_not_null(p, "%s", after);
    p += strlen(after);
    while (*p == ' ')
        p++;
    size_t open = strncmp(p, "\xE2\x80\x98", 3) == 0 ? 3 : 1;
    const char *close = open == 3 ? "\xE2\x80\x99" : (char[]){p[0], 0};
    const char *q = strstr(p + open, close);
    cr_assert_not_null(q);
    snprintf(buf, size, "%.*s", (int)(q - p - (ptrdiff_t)open), p + open);
    return buf;
}

struct block_want {
    unsigned id;
    int level;          /* 0: the block has no Level label */
    const char *after;  /* the quoted name follows this text */
    const char *entity; /* what the quotes hold in the article */
};

static void check_blocks(const char *file, const struct block_want *w, size_t n)
{
    size_t len;
    char *text = load(file, &len);
    char *dated = with_dates(text);
    const struct cb_source *src = read_as(file, dated);
    cr_assert_str_eq(src->format, "evtx-details");
    cr_assert_eq(src->nevents, n, "%s", file);
    for (size_t i = 0; i < n; i++) {
        const struct cb_event *e = source_event(src, i);
        cr_expect_eq(e->event_id, w[i].id, "%s block %zu", file, i);
        if (w[i].level)
            cr_expect_eq(e->level, w[i].level, "%s block %zu", file, i);
        /* 2024-11-15T10:00:00Z is Unix 1731664800; block i at 10:i:00 */
        cr_expect_eq(e->ts,
                     (1731664800LL + (long long)i * 60) * 10000000LL +
                         116444736000000000LL,
                     "%s block %zu: 10:%02zu:00Z", file, i, i);
        cr_expect_eq(e->flags & CB_EV_TIME_ASSUMED, 0u);
        char q[128];
        quoted_after(e->message, w[i].after, q, sizeof q);
        cr_expect_str_eq(q, w[i].entity, "%s block %zu: %s", file, i,
                         e->message);
        cr_expect_null(e->fields, "no System column is a field");
    }
    free(dated);
    free(text);
}

Test(corpus_realworld, event_text_of_the_replica_article)
{
    static const struct block_want w[] = {
        {32086, CB_LEVEL_ERROR, "virtual machine", "VM Name"},
        {32022, CB_LEVEL_ERROR, "virtual machine", "VM Name"},
    };
    /* the article's placeholder <VM Name> is read as a name in <> */
    size_t len;
    char *text = load("04_msdocs_hyperv_replica_suspended_kb.txt", &len);
    char *dated = with_dates(text);
    const struct cb_source *src = read_as("04.txt", dated);
    cr_assert_eq(src->nevents, 2u);
    for (size_t i = 0; i < 2; i++) {
        const struct cb_event *e = source_event(src, i);
        cr_expect_eq(e->event_id, w[i].id);
        cr_expect_eq(e->level, w[i].level);
        cr_expect_str_eq(e->provider, "Hyper-V-VMMS");
        cr_expect_str_eq(e->channel, "Microsoft-Windows-Hyper-V-VMMS/Admin");
        cr_expect_not_null(strstr(e->message, "virtual machine <VM Name>"),
                           "%s", e->message);
    }
    free(dated);
    free(text);
}

Test(corpus_realworld, event_text_of_the_s2d_article)
{
    static const struct block_want w[] = {
        {5120, 0, "Cluster Shared Volume", "CSVName"},
        {1135, 0, "Cluster node", "NODENAME"},
    };
    check_blocks("10_msdocs_s2d_troubleshooting_5120_1135.txt", w, 2);
}

Test(corpus_realworld, event_text_of_the_2008r2_csv_article)
{
    static const struct block_want w[] = {
        {5120, CB_LEVEL_ERROR, "Cluster Shared Volume", "volume_name"},
    };
    check_blocks("11_msdocs_csv_2008r2_5120_variant.txt", w, 1);
}

Test(corpus_realworld, event_text_of_the_physical_disk_article)
{
    size_t len;
    char *text = load("12_msdocs_physical_disk_clusterlog.txt", &len);
    /* its block has a Date label holding the placeholder: replace it */
    char *ph = strstr(text, "Date: *\\<DateTime>*");
    cr_assert_not_null(ph);
    const char *iso = "Date: 2024-11-15T10:00:00Z";
    size_t phn = strlen("Date: *\\<DateTime>*");
    char *fixed = calloc(1, len + 64);
    sprintf(fixed, "%.*s%s%s", (int)(ph - text), text, iso, ph + phn);
    free(text);
    text = fixed;
    const struct cb_source *src = read_as("12.txt", text);
    cr_assert_str_eq(src->format, "evtx-details");
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    cr_expect_eq(e->event_id, 1066u);
    cr_expect_eq(e->level, CB_LEVEL_WARNING);
    cr_expect_str_eq(e->channel, "System");
    cr_expect_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    char q[128];
    cr_expect_str_eq(
        quoted_after(e->message, "Cluster disk resource", q, sizeof q),
        "Cluster Disk 1");
    cr_expect_eq(e->ts, 1731664800LL * 10000000LL + 116444736000000000LL);
    free(text);
}

/* 09: descriptions without any layout; each is put into a details block
 * of its own and must come out whole, quotes and all. */
Test(corpus_realworld, live_migration_descriptions_come_out_whole)
{
    size_t len;
    char *text = load("09_msdocs_live_migration_events.txt", &len);
    char *buf = calloc(1, len * 2 + 8192);
    size_t o = 0, n = 0;
    const char *msgs[32];
    for (char *l = strtok(text, "\n"); l && n < 32; l = strtok(NULL, "\n")) {
        if (l[0] == '#' || !l[0])
            continue;
        msgs[n] = l;
        o += (size_t)sprintf(buf + o,
                             "Log Name:      Microsoft-Windows-Hyper-V-VMMS-"
                             "Admin\r\nSource:        Microsoft-Windows-"
                             "Hyper-V-VMMS\r\nDate:          11/15/2024 "
                             "10:%02zu:00 PM\r\nEvent ID:      21502\r\n"
                             "Level:         Error\r\nComputer:      "
                             "HYP1.contoso.local\r\nDescription:\r\n%s\r\n",
                             n, l);
        n++;
    }
    cr_assert_geq(n, 10u);
    const struct cb_source *src = read_as("09.txt", buf);
    cr_assert_eq(src->nevents, n);
    for (size_t i = 0; i < n; i++) {
        const struct cb_event *e = source_event(src, i);
        char want[1024];
        snprintf(want, sizeof want, "%s", msgs[i]);
        size_t k = strlen(want);
        while (k && (want[k - 1] == ' ' || want[k - 1] == '\r'))
            want[--k] = '\0';
        /* leading blanks are the text's own (" \"vm1\" could not ...") */
        cr_expect_str_eq(e->message, want);
        cr_expect_str_eq(e->host, "HYP1");
        cr_expect_eq(e->level, CB_LEVEL_ERROR);
        /* 10:nn PM local, as if UTC: 22:nn */
        cr_expect_eq(e->ts, (1731628800LL + 22 * 3600 + (long long)i * 60) *
                                    10000000LL +
                                116444736000000000LL);
        cr_expect(e->flags & CB_EV_TIME_ASSUMED);
    }
    free(buf);
    free(text);
}
