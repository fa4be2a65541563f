/*
 * test_timeline.c - merging sources into one time order and dropping
 * records seen in two sources (analyzer/timeline.c). Events are built by
 * hand in the analysis arena; a few tests go through cluster.log text.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

static struct cb_analysis *an;
static struct cb_timeline tl;

static void setup(void)
{
    an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    memset(&tl, 0, sizeof tl);
}

static void teardown(void)
{
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
}

TestSuite(timeline, .init = setup, .fini = teardown);

static struct cb_source *add_source(const char *path)
{
    if (an->nsources == an->sources_cap) {
        size_t ncap = an->sources_cap ? an->sources_cap * 2 : 8;
        struct cb_source **ns =
            cb_realloc(an->sources, ncap * sizeof *an->sources);
        cr_assert_not_null(ns);
        an->sources = ns;
        an->sources_cap = ncap;
    }
    struct cb_source *src = cb_arena_calloc(an->arena, 1, sizeof *src);
    cr_assert_not_null(src);
    src->path = cb_arena_strdup(an->arena, path);
    src->format = "test";
    src->host = cb_intern_cstr(an->strings, "");
    src->first = src->last = CB_TIME_NONE;
    src->index = (unsigned)an->nsources;
    an->sources[an->nsources++] = src;
    return src;
}

/* An event on host, channel, without ids. */
static struct cb_event *add_event_on(struct cb_source *src, cb_time ts,
                                     const char *host, const char *channel,
                                     const char *msg)
{
    if (src->nevents == src->events_cap) {
        size_t ncap = src->events_cap ? src->events_cap * 2 : 8;
        struct cb_event **ne = cb_realloc(src->events, ncap * sizeof *ne);
        cr_assert_not_null(ne);
        src->events = ne;
        src->events_cap = ncap;
    }
    struct cb_event *e = cb_arena_calloc(an->arena, 1, sizeof *e);
    cr_assert_not_null(e);
    e->ts = ts;
    e->level = CB_LEVEL_INFO;
    e->host = cb_intern_cstr(an->strings, host);
    e->channel = cb_intern_cstr(an->strings, channel);
    e->message = cb_arena_strdup(an->arena, msg);
    e->source = src;
    e->origin = src->nevents + 1;
    /* what ingest keeps up to date as events arrive (event.h) */
    if (src->nevents == 0 || ts < src->events[src->nevents - 1]->ts)
        src->runs++;
    src->events[src->nevents++] = e;
    if (src->first == CB_TIME_NONE || ts < src->first)
        src->first = ts;
    if (src->last == CB_TIME_NONE || ts > src->last)
        src->last = ts;
    return e;
}

static struct cb_event *add_event(struct cb_source *src, cb_time ts,
                                  const char *msg)
{
    return add_event_on(src, ts, "NODE1", "System", msg);
}

static struct cb_event *with_record(struct cb_event *e, uint64_t id)
{
    e->flags |= CB_EV_HAS_RECORD_ID;
    e->record_id = id;
    return e;
}

static struct cb_event *with_id(struct cb_event *e, uint32_t event_id,
                                const char *provider)
{
    e->flags |= CB_EV_HAS_EVENT_ID;
    e->event_id = event_id;
    e->provider = provider ? cb_intern_cstr(an->strings, provider) : NULL;
    return e;
}

static void build(void)
{
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
}

/* The timeline's messages, in order, must be want[0..n). */
static void expect_messages(const char *const *want, size_t n)
{
    cr_assert_eq(tl.count, n, "timeline has %zu events, want %zu", tl.count,
                 n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(tl.events[i]->message, want[i], "position %zu", i);
}

#define EXPECT(...)                                                         \
    do {                                                                    \
        static const char *const w_[] = {__VA_ARGS__};                      \
        expect_messages(w_, sizeof w_ / sizeof *w_);                        \
    } while (0)

Test(timeline, interleaved_sources_merge_into_time_order)
{
    struct cb_source *a = add_source("a"), *b = add_source("b"),
                     *c = add_source("c");
    add_event(a, 10, "a10");
    add_event(a, 30, "a30");
    add_event(a, 50, "a50");
    add_event(a, 70, "a70");
    add_event(b, 20, "b20");
    add_event(b, 40, "b40");
    add_event(b, 60, "b60");
    add_event(b, 80, "b80");
    add_event(c, 0, "c0");
    add_event(c, 90, "c90");
    build();
    EXPECT("c0", "a10", "b20", "a30", "b40", "a50", "b60", "a70", "b80",
           "c90");
    cr_assert_eq(tl.runs, 3u);
    cr_assert_eq(tl.duplicates, 0u);
    cr_assert_eq(tl.events[0]->source, c);
    cr_assert_eq(tl.events[2]->source, b);
}

Test(timeline, equal_times_keep_source_order_then_input_order)
{
    struct cb_source *a = add_source("a"), *b = add_source("b"),
                     *c = add_source("c");
    add_event(a, 5, "a1");
    add_event(a, 5, "a2");
    add_event(a, 7, "a3");
    add_event(b, 5, "b1");
    add_event(b, 5, "b2");
    add_event(c, 4, "c1");
    add_event(c, 5, "c2");
    add_event(c, 7, "c3");
    build();
    cr_assert_eq(tl.count, 8u, "nothing dropped: equal times are not "
                 "duplicates");
    EXPECT("c1", "a1", "a2", "b1", "b2", "c2", "a3", "c3");
}

Test(timeline, unsorted_source_is_cut_into_runs_and_merged)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    add_event(a, 30, "a30");
    add_event(a, 10, "a10");
    add_event(a, 20, "a20");
    add_event(a, 50, "a50");
    add_event(a, 40, "a40");
    add_event(b, 15, "b15");
    add_event(b, 25, "b25");
    add_event(b, 45, "b45");
    build();
    /* runs: [30] [10 20 50] [40] in a, [15 25 45] in b */
    cr_assert_eq(tl.runs, 4u);
    EXPECT("a10", "b15", "a20", "b25", "a30", "a40", "b45", "a50");
}

Test(timeline, equal_times_in_different_runs_of_one_source_keep_input_order)
{
    struct cb_source *a = add_source("a");
    add_event(a, 30, "first30");
    add_event(a, 10, "x10");
    add_event(a, 20, "first20");
    add_event(a, 15, "x15");
    add_event(a, 20, "second20");
    add_event(a, 30, "second30");
    build();
    cr_assert_eq(tl.runs, 3u);
    EXPECT("x10", "x15", "first20", "second20", "first30", "second30");
}

Test(timeline, merge_runs_directly_with_ties_and_an_empty_run)
{
    struct cb_source *s = add_source("s");
    struct cb_event *e1 = add_event(s, 1, "r0-1"), *e4a = add_event(s, 4, "r0-4a"),
                    *e4b = add_event(s, 4, "r0-4b"), *e9 = add_event(s, 9, "r0-9");
    struct cb_event *f2 = add_event(s, 2, "r2-2"), *f4 = add_event(s, 4, "r2-4"),
                    *f10 = add_event(s, 10, "r2-10");
    struct cb_event *g4 = add_event(s, 4, "r3-4");
    struct cb_event *r0[] = {e1, e4a, e4b, e9};
    struct cb_event *r2[] = {f2, f4, f10};
    struct cb_event *r3[] = {g4};
    struct cb_event **runs[] = {r0, NULL, r2, r3};
    size_t lens[] = {4, 0, 3, 1};
    struct cb_event *out[8] = {0};
    cr_assert_eq(cb_merge_runs(runs, lens, 4, out), CB_OK);
    struct cb_event *want[] = {e1, f2, e4a, e4b, f4, g4, e9, f10};
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(out[i], want[i], "position %zu: %s, want %s", i,
                     out[i] ? out[i]->message : "(null)", want[i]->message);
    /* no runs at all is fine and writes nothing */
    struct cb_event *untouched = e1;
    cr_assert_eq(cb_merge_runs(NULL, NULL, 0, &untouched), CB_OK);
    cr_assert_eq(untouched, e1);
}

/* Deterministic pseudo-random numbers (LCG). */
static uint32_t rnd(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

Test(timeline, merge_runs_of_many_random_runs_is_sorted_and_stable)
{
    enum { NRUNS = 41, MAXLEN = 60 };
    uint64_t seed = 12345;
    struct cb_event **runs[NRUNS];
    size_t lens[NRUNS], total = 0;
    struct cb_source *s = add_source("s");
    for (size_t r = 0; r < NRUNS; r++) {
        lens[r] = rnd(&seed) % (MAXLEN + 1); /* some runs are empty */
        runs[r] = calloc(lens[r] ? lens[r] : 1, sizeof *runs[r]);
        cb_time t = rnd(&seed) % 20;
        for (size_t i = 0; i < lens[r]; i++) {
            t += rnd(&seed) % 3; /* ascending, with many ties */
            struct cb_event *e = add_event(s, t, "");
            e->event_id = (uint32_t)r; /* where it came from */
            e->record_id = i;
            runs[r][i] = e;
        }
        total += lens[r];
    }
    struct cb_event **out = calloc(total, sizeof *out);
    cr_assert_eq(cb_merge_runs((struct cb_event **const *)runs, lens, NRUNS,
                               out),
                 CB_OK);
    for (size_t i = 0; i < total; i++)
        cr_assert_not_null(out[i]);
    /* strictly increasing in (ts, run, index): sorted, stable, and (with
     * the count) every event exactly once */
    for (size_t i = 1; i < total; i++) {
        const struct cb_event *p = out[i - 1], *q = out[i];
        int ok = p->ts < q->ts ||
                 (p->ts == q->ts &&
                  (p->event_id < q->event_id ||
                   (p->event_id == q->event_id && p->record_id < q->record_id)));
        cr_assert(ok, "position %zu: (%lld,%u,%llu) before (%lld,%u,%llu)", i,
                  (long long)p->ts, p->event_id,
                  (unsigned long long)p->record_id, (long long)q->ts,
                  q->event_id, (unsigned long long)q->record_id);
    }
    free(out);
    for (size_t r = 0; r < NRUNS; r++)
        free(runs[r]);
}

/* Reference order: by time, then source index, then input index. */
struct ref {
    const struct cb_event *e;
    unsigned src;
    size_t idx;
};

static int cmp_ref(const void *x, const void *y)
{
    const struct ref *a = x, *b = y;
    if (a->e->ts != b->e->ts)
        return a->e->ts < b->e->ts ? -1 : 1;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

Test(timeline, random_unsorted_sources_come_out_as_a_stable_sort)
{
    uint64_t seed = 777;
    enum { NSRC = 6 };
    size_t total = 0;
    for (size_t s = 0; s < NSRC; s++) {
        char name[16];
        snprintf(name, sizeof name, "src%zu", s);
        struct cb_source *src = add_source(name);
        size_t n = 50 + rnd(&seed) % 150;
        cb_time t = 1000;
        for (size_t i = 0; i < n; i++) {
            /* mostly ascending, sometimes a jump back (a new run) */
            if (rnd(&seed) % 10 == 0)
                t -= rnd(&seed) % 50;
            else
                t += rnd(&seed) % 4;
            char msg[32];
            snprintf(msg, sizeof msg, "%zu/%zu", s, i); /* no duplicates */
            add_event(src, t, msg);
        }
        total += n;
    }
    struct ref *ref = calloc(total, sizeof *ref);
    size_t k = 0;
    for (size_t s = 0; s < an->nsources; s++) {
        for (size_t i = 0; i < an->sources[s]->nevents; i++)
            ref[k++] = (struct ref){an->sources[s]->events[i], (unsigned)s, i};
    }
    qsort(ref, total, sizeof *ref, cmp_ref);
    build();
    cr_assert_eq(tl.count, total);
    cr_assert_gt(tl.runs, (size_t)NSRC, "the sources were not sorted");
    for (size_t i = 0; i < total; i++)
        cr_assert_eq(tl.events[i], ref[i].e, "position %zu: %s, want %s", i,
                     tl.events[i]->message, ref[i].e->message);
    free(ref);
}

Test(timeline, same_record_id_in_two_sources_is_kept_once)
{
    struct cb_source *a = add_source("a/NODE1_evt_System.evtx");
    struct cb_source *b = add_source("b/NODE1-System.evtx");
    add_event(a, 5, "a-only");
    with_record(add_event(a, 10, "record 100"), 100);
    with_record(add_event(b, 10, "record 100"), 100);
    add_event(b, 20, "b-only");
    build();
    EXPECT("a-only", "record 100", "b-only");
    cr_assert_eq(tl.events[1]->source, a, "the first in merged order stays");
    cr_assert_eq(tl.duplicates, 1u);
    cr_assert_eq(a->duplicates, 0u);
    cr_assert_eq(b->duplicates, 1u);
}

Test(timeline, duplicate_kept_is_the_first_in_merged_order_not_source_order)
{
    /* the later source holds the earlier copy (e.g. a time rendered
     * differently): the record id decides, the earlier one stays */
    struct cb_source *a = add_source("a"), *b = add_source("b");
    with_record(add_event(a, 50, "from a"), 7);
    with_record(add_event(b, 40, "from b"), 7);
    build();
    EXPECT("from b");
    cr_assert_eq(a->duplicates, 1u);
    cr_assert_eq(b->duplicates, 0u);
}

Test(timeline, record_ids_differ_by_channel_or_host_are_distinct)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    with_record(add_event_on(a, 10, "NODE1", "System", "s"), 100);
    with_record(add_event_on(b, 10, "NODE1", "Application", "s"), 100);
    with_record(add_event_on(b, 10, "NODE2", "System", "s"), 100);
    with_record(add_event_on(b, 10, "NODE1", "System", "s"), 101);
    build();
    cr_assert_eq(tl.count, 4u);
    cr_assert_eq(tl.duplicates, 0u);
    cr_assert_eq(b->duplicates, 0u);
}

Test(timeline, same_event_without_record_id_in_two_sources_is_kept_once)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    with_id(add_event(a, 10, "The Cluster service started"), 1074,
            "Microsoft-Windows-FailoverClustering");
    with_id(add_event(b, 10, "The Cluster service started"), 1074,
            "Microsoft-Windows-FailoverClustering");
    build();
    EXPECT("The Cluster service started");
    cr_assert_eq(tl.events[0]->source, a);
    cr_assert_eq(b->duplicates, 1u);
    cr_assert_eq(tl.duplicates, 1u);
}

Test(timeline, events_differing_in_any_key_field_are_not_duplicates)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    const char *prov = "Microsoft-Windows-FailoverClustering";
    with_id(add_event(a, 10, "m"), 1074, prov);
    with_id(add_event(b, 11, "m"), 1074, prov);             /* time */
    with_id(add_event(b, 10, "m"), 1075, prov);             /* event id */
    with_id(add_event(b, 10, "m"), 1074, "Service Control Manager");
    with_id(add_event(b, 10, "m2"), 1074, prov);            /* message */
    with_id(add_event_on(b, 10, "NODE1", "Application", "m"), 1074, prov);
    with_id(add_event_on(b, 10, "NODE2", "System", "m"), 1074, prov);
    build();
    cr_assert_eq(tl.count, 7u);
    cr_assert_eq(tl.duplicates, 0u);
}

Test(timeline, event_id_zero_is_not_the_same_as_no_event_id)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    with_id(add_event(a, 10, "m"), 0, NULL);
    add_event(b, 10, "m"); /* no event id at all */
    build();
    cr_assert_eq(tl.count, 2u);
    cr_assert_eq(tl.duplicates, 0u);
}

Test(timeline, identical_lines_within_one_source_are_all_kept)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    add_event(a, 10, "retry");
    add_event(a, 10, "retry");
    add_event(a, 10, "retry");
    add_event(b, 5, "other"); /* a second source, so de-duplication runs */
    build();
    EXPECT("other", "retry", "retry", "retry");
    cr_assert_eq(tl.duplicates, 0u);
    cr_assert_eq(a->duplicates, 0u);
}

Test(timeline, repeated_line_in_first_source_and_copy_in_second)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    add_event(a, 10, "retry");
    add_event(a, 10, "retry");
    add_event(b, 10, "retry");
    build();
    EXPECT("retry", "retry");
    cr_assert_eq(tl.events[0]->source, a);
    cr_assert_eq(tl.events[1]->source, a);
    cr_assert_eq(b->duplicates, 1u);
}

Test(timeline, different_hosts_never_deduplicate)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    with_record(add_event_on(a, 10, "NODE1", "System", "same"), 42);
    with_record(add_event_on(b, 10, "NODE2", "System", "same"), 42);
    add_event_on(a, 20, "NODE1", "System", "text");
    add_event_on(b, 20, "NODE2", "System", "text");
    build();
    EXPECT("same", "same", "text", "text");
    cr_assert_eq(tl.events[0]->source, a);
    cr_assert_eq(tl.events[1]->source, b);
    cr_assert_eq(tl.duplicates, 0u);
}

Test(timeline, three_copies_keep_one_and_count_each_copy)
{
    struct cb_source *a = add_source("a"), *b = add_source("b"),
                     *c = add_source("c");
    with_record(add_event(a, 10, "r"), 9);
    with_record(add_event(b, 10, "r"), 9);
    with_record(add_event(c, 10, "r"), 9);
    build();
    cr_assert_eq(tl.count, 1u);
    cr_assert_eq(tl.duplicates, 2u);
    cr_assert_eq(b->duplicates, 1u);
    cr_assert_eq(c->duplicates, 1u);
}

Test(timeline, rebuilding_counts_duplicates_afresh)
{
    struct cb_source *a = add_source("a"), *b = add_source("b");
    with_record(add_event(a, 10, "r"), 9);
    with_record(add_event(b, 10, "r"), 9);
    build();
    cb_timeline_fini(&tl);
    cr_assert_null(tl.events);
    build();
    cr_assert_eq(tl.count, 1u);
    cr_assert_eq(tl.duplicates, 1u);
    cr_assert_eq(b->duplicates, 1u, "not 2 after a second build");
}

Test(timeline, no_sources_give_an_empty_timeline)
{
    build();
    cr_assert_eq(tl.count, 0u);
    cr_assert_eq(tl.duplicates, 0u);
    add_source("empty");
    cb_timeline_fini(&tl);
    build();
    cr_assert_eq(tl.count, 0u);
}

Test(timeline, cluster_logs_collected_twice_merge_and_deduplicate)
{
    const char *n1 =
        "00000a1c.00001f04::2024/11/15-10:00:00.000 INFO  [RCM] one\r\n"
        "00000a1c.00001f04::2024/11/15-10:00:02.000 INFO  [RCM] three\r\n";
    const char *n1_copy =
        "00000a1c.00001f04::2024/11/15-10:00:00.000 INFO  [RCM] one\r\n"
        "00000a1c.00001f04::2024/11/15-10:00:02.000 INFO  [RCM] three\r\n"
        "00000a1c.00001f04::2024/11/15-10:00:03.000 INFO  [RCM] four\r\n";
    const char *n2 =
        "00000b00.00000c00::2024/11/15-10:00:00.000 INFO  [RCM] one\r\n"
        "00000b00.00000c00::2024/11/15-10:00:01.000 INFO  [RCM] two\r\n";
    cr_assert_eq(cb_ingest_leaf_memory(an, "sdp/HV-NODE1_cluster.log", n1,
                                       strlen(n1), NULL),
                 CB_OK);
    /* sources are in path order once finished: sdp/ N1, N2, then tss/ */
    cr_assert_eq(cb_ingest_leaf_memory(an, "sdp/HV-NODE2_cluster.log", n2,
                                       strlen(n2), NULL),
                 CB_OK);
    cr_assert_eq(cb_ingest_leaf_memory(an, "tss/HV-NODE1_cluster.log",
                                       n1_copy, strlen(n1_copy), NULL),
                 CB_OK);
    cr_assert_eq(an->nsources, 3u);
    build();
    /* NODE1 "one", NODE2 "one" (another host), NODE2 "two", NODE1
     * "three", NODE1 "four" (only in the copy) */
    EXPECT("one", "one", "two", "three", "four");
    cr_assert_str_eq(tl.events[0]->host, "HV-NODE1");
    cr_assert_str_eq(tl.events[1]->host, "HV-NODE2");
    cr_assert_eq(tl.events[0]->source, an->sources[0]);
    cr_assert_eq(tl.events[3]->source, an->sources[0]);
    cr_assert_eq(tl.events[4]->source, an->sources[2]);
    cr_assert_eq(tl.duplicates, 2u);
    cr_assert_eq(an->sources[2]->duplicates, 2u);
    cr_assert_eq(an->sources[1]->duplicates, 0u);
}

Test(timeline, newest_first_source_is_one_run_turned_around)
{
    struct cb_source *a = add_source("newest-first.csv");
    struct cb_event *e3 = add_event(a, 30, "c");
    struct cb_event *e2b = add_event(a, 20, "b2");
    struct cb_event *e2 = add_event(a, 20, "b");
    struct cb_event *e1 = add_event(a, 10, "a");
    struct cb_source *b = add_source("other");
    struct cb_event *x = add_event(b, 15, "x");
    cr_assert_eq(a->runs, 3u, "descending with a tie: three runs as read");
    build();
    cr_assert_eq(tl.runs, 2u, "one run per source");
    cr_assert_eq(tl.count, 5u);
    cr_assert_eq(tl.events[0], e1);
    cr_assert_eq(tl.events[1], x);
    cr_assert_eq(tl.events[2], e2);
    cr_assert_eq(tl.events[3], e2b);
    cr_assert_eq(tl.events[4], e3);
}

/* Only (host, channel) pairs held by two sources or more go through the
 * duplicate table; enough pairs to grow the pair table several times, and
 * sequential record ids (which a weak hash would pile into neighbouring
 * slots). */
Test(timeline, many_pairs_some_shared_sequential_record_ids)
{
    struct cb_source *a = add_source("a"), *b = add_source("b"),
                     *c = add_source("c");
    char ch[32];
    for (uint64_t id = 1; id <= 5000; id++)
        with_record(add_event_on(a, (cb_time)id, "NODE1", "Security", "s"),
                    id);
    for (uint64_t id = 2501; id <= 7500; id++)
        with_record(add_event_on(b, (cb_time)id, "NODE1", "Security", "s"),
                    id);
    for (int i = 0; i < 100; i++) { /* shared channels, one copy each */
        snprintf(ch, sizeof ch, "X%d", i);
        with_record(add_event_on(a, 8000 + i, "NODE1", ch, "x"), 7);
        with_record(add_event_on(b, 8000 + i, "NODE1", ch, "x"), 7);
    }
    for (int i = 0; i < 300; i++) { /* one source only: never duplicates */
        snprintf(ch, sizeof ch, "C%d", i);
        with_record(add_event_on(c, 9000 + i, "NODE3", ch, "c"), 7);
        with_record(add_event_on(c, 9000 + i, "NODE3", ch, "c"), 7);
    }
    build();
    cr_assert_eq(tl.duplicates, 2500u + 100u);
    cr_assert_eq(b->duplicates, 2600u);
    cr_assert_eq(c->duplicates, 0u);
    cr_assert_eq(tl.count, 7500u + 100u + 600u);
    for (size_t i = 1; i < tl.count; i++)
        cr_assert_leq(tl.events[i - 1]->ts, tl.events[i]->ts);
}
