/*
 * test_corpus_csv.c - the event CSV parser on the shared corpus:
 * csv/omer__test.csv is Event Viewer's "Save All Events As... CSV" of the
 * Setup log whose binary twin is evtx/omer__test.evtx (PROVENANCE.md).
 * Skipped, visibly, when the corpus is absent.
 *
 * The CSV holds the exporting machine's wall clock, newest row first;
 * the EVTX holds UTC. Matching them row for row gives the machine's
 * offset: derived here from the oldest record (January, standard time)
 * and then expected to hold for every record, one hour less during US
 * daylight saving time (second Sunday of March to first Sunday of
 * November, 02:00 local), which the data turns out to follow: the
 * offsets are -8 h and -7 h, US Pacific.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

static struct cb_analysis *an_csv, *an_evtx;

static void teardown(void)
{
    cb_analysis_destroy(&an_csv);
    cb_analysis_destroy(&an_evtx);
}

TestSuite(corpus_csv, .fini = teardown);

static const struct cb_source *load(struct cb_analysis **an, const char *rel)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        cr_skip_test("%s not in the corpus: skipped", rel);
    fclose(f);
    *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(*an);
    struct cb_error err = {0};
    cr_assert_eq(cb_ingest_path(*an, path, &err), CB_OK, "%s", err.msg);
    /* an .evtx brings its LocaleMetaData (.MTA) along as a second source */
    cr_assert_geq((*an)->nsources, 1u);
    for (size_t i = 1; i < (*an)->nsources; i++)
        cr_assert_str_eq((*an)->sources[i]->format, "mta");
    return (*an)->sources[0];
}

/* Day of the week, 0 = Sunday (Sakamoto's method). */
static int weekday(int y, int m, int d)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* The n-th Sunday of a month. */
static int nth_sunday(int y, int m, int n)
{
    int first = 1 + (7 - weekday(y, m, 1)) % 7;
    return first + 7 * (n - 1);
}

/* US daylight saving time (2007 rules) at a local wall-clock time. */
static int us_dst(int y, int m, int d, int h)
{
    if (m < 3 || m > 11)
        return 0;
    if (m > 3 && m < 11)
        return 1;
    int s = m == 3 ? nth_sunday(y, 3, 2) : nth_sunday(y, 11, 1);
    int after = d > s || (d == s && h >= 2);
    return m == 3 ? after : !after;
}

static int cmp_line_desc(const void *a, const void *b)
{
    const struct cb_event *x = *(const struct cb_event *const *)a;
    const struct cb_event *y = *(const struct cb_event *const *)b;
    return x->origin < y->origin ? 1 : x->origin > y->origin ? -1 : 0;
}

static int cmp_record(const void *a, const void *b)
{
    const struct cb_event *x = *(const struct cb_event *const *)a;
    const struct cb_event *y = *(const struct cb_event *const *)b;
    return x->record_id < y->record_id ? -1 : x->record_id > y->record_id;
}

#define SEC 10000000LL

Test(corpus_csv, event_viewer_csv_matches_its_evtx_twin_row_for_row)
{
    const struct cb_source *csv = load(&an_csv, "csv/omer__test.csv");
    const struct cb_source *evtx = load(&an_evtx, "evtx/omer__test.evtx");
    cr_assert_str_eq(csv->format, "evtx-csv");
    cr_assert_eq(csv->nevents, 239u, "239 data rows");
    cr_assert_eq(evtx->nevents, 239u);
    cr_assert_null(csv->warnings, "first warning: %s",
                   csv->warnings ? csv->warnings->msg : "");
    cr_assert_eq(csv->time_kind, CB_TK_LOCAL);
    /* 11/18/2025 on line 7 is the first date with a number over 12 */
    cr_assert(strstr(csv->time_basis, "month/day order of dates from the "
                                      "data, line 7"),
              "%s", csv->time_basis);

    size_t n = csv->nevents;
    struct cb_event **c = malloc(n * sizeof *c), **e = malloc(n * sizeof *e);
    memcpy(c, csv->events, n * sizeof *c);
    memcpy(e, evtx->events, n * sizeof *e);
    qsort(c, n, sizeof *c, cmp_line_desc); /* oldest row first */
    qsort(e, n, sizeof *e, cmp_record);

    /* the offset, local - UTC, from the oldest record (2024-01-22) */
    cb_time base = c[0]->ts - (e[0]->ts - e[0]->ts % SEC);
    cr_assert_eq(base % (3600 * SEC), 0, "a whole number of hours");
    unsigned dst_rows = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(c[i]->event_id, e[i]->event_id, "row %zu (line %llu)", i,
                     (unsigned long long)c[i]->origin);
        cr_assert_str_eq(c[i]->provider, e[i]->provider, "row %zu", i);
        cr_assert_str_eq(c[i]->provider, "Microsoft-Windows-Servicing");
        cr_assert(c[i]->flags & CB_EV_TIME_ASSUMED);
        char iso[40];
        cb_time_format_iso(c[i]->ts, iso, sizeof iso);
        int y = atoi(iso), m = atoi(iso + 5), d = atoi(iso + 8),
            h = atoi(iso + 11);
        int dst = us_dst(y, m, d, h);
        dst_rows += (unsigned)dst;
        cb_time want = base + (dst ? 3600 * SEC : 0);
        cb_time got = c[i]->ts - (e[i]->ts - e[i]->ts % SEC);
        cr_assert_eq(got, want,
                     "row %zu (line %llu, local %s): offset %lld s, want "
                     "%lld s",
                     i, (unsigned long long)c[i]->origin, iso,
                     (long long)(got / SEC), (long long)(want / SEC));
    }
    cr_assert_eq(base / SEC, -8 * 3600, "US Pacific standard time");
    cr_assert_gt(dst_rows, 0u, "the data spans summers");
    cr_assert_lt(dst_rows, n);
    free(c);
    free(e);
}

/* Both files in one analysis: the CSV (local time, no host, no record id)
 * finds its offsets from its twin, per record across the DST changes, and
 * every row collapses into its .evtx record. */
Test(corpus_csv, csv_and_evtx_together_are_one_timeline_of_the_evtx_records)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    char csv[1024], evtx[1024];
    snprintf(csv, sizeof csv, "%s/csv/omer__test.csv", dir);
    snprintf(evtx, sizeof evtx, "%s/evtx/omer__test.evtx", dir);
    FILE *f = fopen(csv, "rb"), *g = fopen(evtx, "rb");
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    if (!f || !g)
        cr_skip_test("omer__test.csv/.evtx not in the corpus: skipped");
    an_csv = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_path(an_csv, evtx, NULL), CB_OK);
    cr_assert_eq(cb_ingest_path(an_csv, csv, NULL), CB_OK);
    /* evtx, the .MTA beside it, csv */
    cr_assert_eq(an_csv->nsources, 3u);
    const struct cb_source *e = an_csv->sources[0], *c = an_csv->sources[2];
    cr_assert_eq(e->nevents, 239u);
    cr_assert_eq(c->nevents, 239u);
    struct cb_timeline tl;
    cr_assert_eq(cb_analysis_finish(an_csv), CB_OK);
    cr_assert_eq(cb_timeline_build(an_csv, &tl), CB_OK);
    cr_assert_eq(tl.count, 239u, "one event per record, not %zu", tl.count);
    cr_assert_eq(c->duplicates, 239u);
    cr_assert_str_eq(c->time_basis, "local(-07:00 and -08:00, from twin "
                                    "omer__test.evtx: 239 records)");
    for (size_t i = 0; i < tl.count; i++) {
        cr_assert_eq(tl.events[i]->source, e);
        cr_assert_not_null(tl.events[i]->also);
        cr_assert_eq(tl.events[i]->also->source, c);
        cr_assert_eq(tl.events[i]->flags & CB_EV_MESSAGE_SYNTH, 0u,
                     "the CSV's rendered message completes the record");
    }
    cb_timeline_fini(&tl);
}
