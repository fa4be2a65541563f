/*
 * test_order.c - no output of the core depends on the order equal
 * elements leave a sort in, nor on the order inputs are given in.
 *
 * cb_sort_reverse_first turns every array around before it is sorted:
 * equal elements then come out in the opposite order, as on a C library
 * whose qsort breaks ties differently. Every comparator whose result
 * decides output must make that invisible. The inputs are the shipped
 * samples and the rule cases (tests/rules/<case>/input), whose files are
 * also fed in reverse.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "helpers.h"
#include "registry.h"
#include "sort.h"

/* A growing text: everything the reports are made of, one line each. */
struct text {
    char *p;
    size_t n, cap;
};

static void say(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct text *t, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cr_assert(k >= 0);
    size_t len = strlen(line);
    if (t->n + len + 2 > t->cap) {
        t->cap = (t->n + len + 2) * 2;
        t->p = realloc(t->p, t->cap);
        cr_assert_not_null(t->p);
    }
    memcpy(t->p + t->n, line, len);
    t->n += len;
    t->p[t->n++] = '\n';
    t->p[t->n] = '\0';
}

static const char *rules_dir(void)
{
    static char dir[4096];
    const char *samples = getenv("CB_SAMPLES");
    cr_assert_not_null(samples, "CB_SAMPLES not set");
    snprintf(dir, sizeof dir, "%s/../rules", samples);
    return dir;
}

/* The files of dir, sorted by name; n receives their count. */
static char **files_of(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    char **v = NULL;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        v = realloc(v, (*n + 1) * sizeof *v);
        cr_assert_not_null(v);
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        v[*n] = malloc(len);
        cr_assert_not_null(v[*n]);
        snprintf(v[*n], len, "%s/%s", dir, de->d_name);
        (*n)++;
    }
    closedir(d);
    for (size_t i = 1; i < *n; i++) /* insertion sort: a handful */
        for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return v;
}

static void describe_event(struct text *t, const struct cb_event *e)
{
    struct cb_msgbuf mb;
    say(t, "event %lld %s %s %u %s:%llu %s", (long long)e->ts, e->host,
        e->channel, e->event_id, e->source->path, (unsigned long long)e->origin,
        cb_event_message(e, &mb));
    for (const struct cb_also *a = e->also; a; a = a->next)
        say(t, "  also %s:%llu", a->source->path,
            (unsigned long long)a->origin);
}

/* Analyze the files (in reverse when backwards) and describe what the
 * reports would show: sources, warnings, timeline, findings, gaps. */
static void analyze(char **files, size_t n, int backwards,
                    const struct cb_rules *rs, struct text *t)
{
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    for (size_t i = 0; i < n; i++) {
        struct cb_error err = {0};
        const char *f = files[backwards ? n - 1 - i : i];
        cr_assert_eq(cb_ingest_path(an, f, &err), CB_OK, "%s", f);
    }
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    struct cb_timeline tl;
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        say(t, "source %u %s %s %s dup=%llu", s->index, s->path, s->format,
            s->time_basis, (unsigned long long)s->duplicates);
        for (const struct cb_warning *w = s->warnings; w; w = w->next)
            say(t, "  warning %llu %s", (unsigned long long)w->where, w->msg);
    }
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        say(t, "warning %s %s", w->source ? w->source : "-", w->msg);
    for (size_t i = 0; i < tl.count; i++)
        describe_event(t, tl.events[i]);
    struct cb_findings fs;
    cr_assert_eq(cb_correlate(rs, &tl, &fs), CB_OK);
    for (size_t i = 0; i < fs.count; i++) {
        const struct cb_finding *f = &fs.items[i];
        say(t, "finding %s %d %lld %lld %zu %s", f->id, f->confidence,
            (long long)f->first, (long long)f->last, f->count, f->summary);
        for (size_t k = 0; k < f->nhosts; k++)
            say(t, "  host %s", f->hosts[k]);
        for (size_t k = 0; k < f->nentities; k++)
            say(t, "  entity %s=%s", f->entities[k].name, f->entities[k].value);
        for (size_t k = 0; k < f->nevidence; k++)
            say(t, "  evidence %s %s:%llu", f->evidence[k].role,
                f->evidence[k].ev->source->path,
                (unsigned long long)f->evidence[k].ev->origin);
    }
    struct cb_gaps gs;
    cr_assert_eq(cb_gaps_find(rs, an, &tl, &gs), CB_OK);
    for (size_t i = 0; i < gs.count; i++) {
        const struct cb_gap *g = &gs.items[i];
        say(t, "gap %d %s %s %s %lld", (int)g->kind, g->subject,
            g->detail ? g->detail : "-", g->host ? g->host : "-",
            (long long)g->skew_ms);
    }
    cb_gaps_fini(&gs);
    cb_findings_fini(&fs);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
}

/* The inputs of one case give the same description whatever order they
 * are named in and whatever order ties leave the sorts in. */
static void same_in_every_order(const char *dir, const struct cb_rules *rs)
{
    size_t n;
    char **files = files_of(dir, &n);
    struct text ref = {0}, other = {0};
    cb_sort_reverse_first(0);
    analyze(files, n, 0, rs, &ref);
    cr_assert_gt(ref.n, 0);
    for (int variant = 1; variant < 4; variant++) {
        other.n = 0;
        cb_sort_reverse_first(variant & 1);
        analyze(files, n, (variant & 2) != 0, rs, &other);
        cb_sort_reverse_first(0);
        cr_assert(other.n == ref.n && memcmp(other.p, ref.p, ref.n) == 0,
                  "%s: %s sorts and %s inputs change the analysis", dir,
                  variant & 1 ? "reversed" : "plain",
                  variant & 2 ? "reversed" : "sorted");
    }
    free(ref.p);
    free(other.p);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

Test(order, samples_and_rule_cases_do_not_depend_on_ties_or_input_order,
     .timeout = 120)
{
    struct cb_rules *rs = NULL;
    cr_assert_eq(cb_rules_load_dir(&rs, rules_dir(), NULL), CB_OK);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo-bundle", getenv("CB_SAMPLES"));
    same_in_every_order(dir, rs);
    char rules_cases[4096];
    snprintf(rules_cases, sizeof rules_cases, "%s/../rules",
             getenv("CB_TEST_DATA"));
    size_t ncases;
    char **cases = files_of(rules_cases, &ncases);
    size_t checked = 0;
    for (size_t i = 0; i < ncases; i++) {
        snprintf(dir, sizeof dir, "%s/input", cases[i]);
        DIR *d = opendir(dir);
        if (d) {
            closedir(d);
            same_in_every_order(dir, rs);
            checked++;
        }
        free(cases[i]);
    }
    free(cases);
    cr_assert_gt(checked, 10u);
    cb_rules_free(&rs);
}

Test(order, sources_come_out_in_path_order_whatever_the_input_order)
{
    static const char *names[] = {"b/x.log", "a-b/y.log", "a/z.log",
                                  "a.zip x/w.log"};
    static const char *want[] = {"a/z.log", "a-b/y.log", "a.zip x/w.log",
                                 "b/x.log"};
    const char *line =
        "00000a1c.00001f04::2024/11/15-10:00:00.000 INFO  [RCM] one\r\n";
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(cb_ingest_memory(an, names[i], line, strlen(line), NULL),
                     CB_OK);
    cr_assert_eq(an->nsources, 4u);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_str_eq(an->sources[i]->path, want[i]);
        cr_assert_eq(an->sources[i]->index, i);
    }
    cb_analysis_destroy(&an);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

Test(order, cb_sort_reversed_first_still_sorts_and_accepts_nothing)
{
    int v[] = {3, 1, 2, 5, 4};
    cb_sort_reverse_first(1);
    cb_sort(v, 5, sizeof *v, cmp_int);
    cb_sort(NULL, 0, sizeof *v, cmp_int); /* no elements, no array */
    cb_sort_reverse_first(0);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(v[i], i + 1);
}
