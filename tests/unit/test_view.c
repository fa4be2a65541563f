/*
 * test_view.c - the report model (reports/view.c) over an analysis built
 * by hand: which hosts each renderer lists, their counts and clock
 * offsets, the timeline's span and counts, where evidence sits, the
 * window, and the short labels. Expected values are worked out from the
 * hand-built data, not taken from the code.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "view.h"

#define SEC 10000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

/* 2024-11-15 10:00:00 UTC */
static cb_time at(int min, int sec)
{
    return cb_time_from_civil(2024, 11, 15, 10, min, sec, 0);
}

/* Interned names: one pointer per name, as the analysis would have. */
static const char N1[] = "N1", N2[] = "N2", N3[] = "N3", N4[] = "N4";
static const char N1_again[] = "N1"; /* the same name, another pointer */

struct hand {
    struct cb_source s[4];
    struct cb_source *sp[4];
    struct cb_analysis an;
    struct cb_event e[6];
    struct cb_event *ep[6];
    struct cb_timeline tl;
    struct cb_evidence ev[2];
    struct cb_finding f[1];
    struct cb_findings fs;
    struct cb_report_input in;
};

/*
 * S0 N2: 3 kept, 1 a duplicate, 2 counted only; its clock is UTC-05:00.
 * S1 N1: 2 kept. S2: no host of its own, its events name N3 and N1.
 * S3 N1: a second source of N1, no events.
 * Timeline: e0 S2/N3 10:01, e1 S2/N1 10:02, e2 S1/N1 10:03:45,
 * e3 S2/N3 10:04:10, e4 S1/N4 10:04:20 (the evidence), e5 S1/N1 10:06.
 */
static void build(struct hand *h)
{
    memset(h, 0, sizeof *h);
    static const char *const paths[4] = {"N2_cluster.log", "N1-System.evtx",
                                         "merged.csv", "N1-App.evtx"};
    static const char *const hosts[4] = {N2, N1, "", N1};
    for (int i = 0; i < 4; i++) {
        h->s[i].path = paths[i];
        h->s[i].host = hosts[i];
        h->s[i].first = h->s[i].last = CB_TIME_NONE;
        h->sp[i] = &h->s[i];
    }
    h->s[0].nevents = 3;
    h->s[0].duplicates = 1;
    h->s[0].not_kept = 2;
    h->s[0].nk_first = at(0, 0) - 5 * MIN; /* 09:55, before every kept one */
    h->s[0].nk_last = at(0, 30);
    h->s[0].first = at(0, 10);
    h->s[0].last = at(5, 0);
    h->s[0].local_known = 1;
    h->s[0].local_east_min = -300;
    h->s[0].time_kind = CB_TK_LOCAL_STATED;
    h->s[0].origin_is_line = 1;
    h->s[1].nevents = 3;
    h->s[1].first = at(3, 45);
    h->s[1].last = at(6, 0);
    h->s[2].nevents = 3;
    h->s[2].mixed_hosts = 1;
    h->s[2].origin_is_line = 1;
    h->an.sources = h->sp;
    h->an.nsources = 4;

    const struct {
        int src;
        const char *host;
        cb_time ts;
    } ev[6] = {{2, N3, at(1, 0)},  {2, N1, at(2, 0)},  {1, N1, at(3, 45)},
               {2, N3, at(4, 10)}, {1, N4, at(4, 20)}, {1, N1, at(6, 0)}};
    for (int i = 0; i < 6; i++) {
        h->e[i].source = &h->s[ev[i].src];
        h->e[i].host = ev[i].host;
        h->e[i].channel = "System";
        h->e[i].ts = ev[i].ts;
        h->e[i].origin = 100 + (uint64_t)i;
        h->ep[i] = &h->e[i];
    }
    h->tl.events = h->ep;
    h->tl.count = 6;
    h->tl.duplicates = 1;
    h->tl.an = &h->an;

    h->ev[0] = (struct cb_evidence){.ev = &h->e[4], .role = "first"};
    h->f[0] =
        (struct cb_finding){.id = "r1", .evidence = h->ev, .nevidence = 1};
    h->fs = (struct cb_findings){.items = h->f, .count = 1};
    h->in = (struct cb_report_input){
        .case_name = "c", .an = &h->an, .tl = &h->tl, .findings = &h->fs};
}

static const struct cb_view_host *host(const struct cb_view *v,
                                       const char *name)
{
    for (size_t i = 0; i < v->nhosts; i++)
        if (v->hosts[i].name == name)
            return &v->hosts[i];
    cr_assert_fail("host %s not in the view", name);
    return NULL;
}

Test(view, hosts_sorted_with_where_each_was_seen)
{
    struct hand h;
    build(&h);
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(v.nhosts, 4);
    const char *want[4] = {N1, N2, N3, N4};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(v.hosts[i].name, want[i], "host %zu", i);
    /* Markdown lists N1 and N2, JSON adds N3, HTML also N4 */
    cr_assert_eq(host(&v, N1)->seen, CB_VIEW_SEEN_SOURCE);
    cr_assert_eq(host(&v, N2)->seen, CB_VIEW_SEEN_SOURCE);
    cr_assert_eq(host(&v, N3)->seen, CB_VIEW_SEEN_EVENTS);
    cr_assert_eq(host(&v, N4)->seen, CB_VIEW_SEEN_EVIDENCE);
    cr_assert_eq(v.nnames, 4);
    cb_view_fini(&v);
    cr_assert_null(v.hosts);
}

Test(view, host_counts_from_sources_and_mixed_events)
{
    struct hand h;
    build(&h);
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    /* N1: sources S1 and S3; S1's 3 events plus e1 of the mixed S2 */
    const struct cb_view_host *n1 = host(&v, N1);
    cr_assert_eq(n1->sources, 2);
    cr_assert_eq(n1->events, 4);
    cr_assert_eq(n1->first, at(2, 0));
    cr_assert_eq(n1->last, at(6, 0));
    /* N2: 3 kept - 1 duplicate + 2 counted only */
    const struct cb_view_host *n2 = host(&v, N2);
    cr_assert_eq(n2->sources, 1);
    cr_assert_eq(n2->events, 4);
    cr_assert_eq(n2->first, at(0, 10));
    cr_assert_eq(n2->last, at(5, 0));
    /* N3: only in S2's events */
    const struct cb_view_host *n3 = host(&v, N3);
    cr_assert_eq(n3->sources, 0);
    cr_assert_eq(n3->events, 2);
    cr_assert_eq(n3->first, at(1, 0));
    cr_assert_eq(n3->last, at(4, 10));
    /* N4: evidence only, nothing counted */
    cr_assert_eq(host(&v, N4)->events, 0);
    cr_assert_eq(host(&v, N4)->first, CB_TIME_NONE);
    cb_view_fini(&v);
}

Test(view, one_name_under_two_pointers)
{
    struct hand h;
    build(&h);
    h.e[3].host = N1_again; /* S2 is mixed: its events are walked */
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(v.nhosts, 5);
    cr_assert_eq(v.nnames, 4); /* HTML lists the name once */
    cr_assert_str_eq(v.names[0], "N1");
    cr_assert_str_eq(v.names[1], "N2");
    /* the first seen comes first */
    cr_assert_eq(v.hosts[0].name, N1);
    cr_assert_eq(v.hosts[1].name, N1_again);
    cr_assert_eq(v.hosts[1].seen, CB_VIEW_SEEN_EVENTS);
    cb_view_fini(&v);
}

Test(view, offsets_per_host_negative_and_unknown)
{
    struct hand h;
    build(&h);
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    int32_t off = 1;
    cr_assert_eq(cb_view_utc_offset(&v, N2, &off), 1);
    cr_assert_eq(off, -300);
    cr_assert_eq(host(&v, N2)->offset_known, 1);
    cr_assert_eq(cb_view_utc_offset(&v, N1, &off), 0);
    cr_assert_eq(cb_view_utc_offset(&v, "", &off), 0);
    /* --tz for every host wins over what the sources say */
    h.an.tz[0] = (struct cb_tz_override){.host = NULL, .east_min = 330};
    h.an.ntz = 1;
    cb_view_fini(&v);
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(cb_view_utc_offset(&v, N2, &off), 1);
    cr_assert_eq(off, 330);
    cr_assert_eq(cb_view_utc_offset(&v, N1, &off), 1);
    cr_assert_eq(off, 330);
    cb_view_fini(&v);
}

Test(view, span_and_counts_include_what_was_only_counted)
{
    struct hand h;
    build(&h);
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(v.events_read, 6 + 2);
    cr_assert_eq(v.not_kept, 2);
    cr_assert_eq(v.first, at(0, 0) - 5 * MIN);
    cr_assert_eq(v.last, at(6, 0));
    cb_view_fini(&v);
}

Test(view, a_lone_evidence_event_gets_thirty_seconds_either_side)
{
    struct hand h;
    build(&h);
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(v.evoff[0], 0);
    cr_assert_eq(v.evoff[1], 1);
    cr_assert_eq(v.evidx[0], 4);
    cr_assert(v.window);
    cr_assert_eq(v.wfrom, at(3, 50));
    cr_assert_eq(v.wto, at(4, 50));
    /* 10:03:45 is outside, 10:04:10 and 10:04:20 inside, 10:06 not */
    cr_assert_eq(v.lo, 3);
    cr_assert_eq(v.hi, 5);
    cb_view_fini(&v);
}

Test(view, a_long_span_pads_by_a_tenth)
{
    struct hand h;
    build(&h);
    h.e[5].ts = at(0, 0) + 60 * MIN; /* 11:00 */
    h.ev[1] = (struct cb_evidence){.ev = &h.e[0], .role = "a"};
    h.ev[0] = (struct cb_evidence){.ev = &h.e[5], .role = "b"};
    h.f[0].nevidence = 2;
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    /* 10:01 .. 11:00 is 59 min: 5 min 54 s either side */
    cr_assert_eq(v.wfrom, at(1, 0) - (5 * 60 + 54) * SEC);
    cr_assert_eq(v.wto, at(0, 0) + 60 * MIN + (5 * 60 + 54) * SEC);
    cr_assert_eq(v.lo, 0);
    cr_assert_eq(v.hi, 6);
    cr_assert_eq(v.evidx[0], 5);
    cr_assert_eq(v.evidx[1], 0);
    cb_view_fini(&v);
}

Test(view, without_evidence_the_whole_timeline)
{
    struct hand h;
    build(&h);
    h.in.findings = NULL;
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(v.nhosts, 3); /* N4 was only evidence */
    cr_assert_eq(v.wfrom, at(1, 0));
    cr_assert_eq(v.wto, at(6, 0));
    cr_assert_eq(v.lo, 0);
    cr_assert_eq(v.hi, 6);
    cb_view_fini(&v);
}

Test(view, nothing_at_all)
{
    struct cb_report_input in = {0};
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &in), CB_OK);
    cr_assert_eq(v.nhosts, 0);
    cr_assert_eq(v.window, 0);
    cr_assert_eq(v.first, CB_TIME_NONE);
    cr_assert_eq(v.events_read, 0);
    cb_view_fini(&v);
}

Test(view, labels_and_source_facts)
{
    struct hand h;
    build(&h);
    char b[48];
    cb_view_where(&h.e[0], b, sizeof b); /* S2 counts lines */
    cr_assert_str_eq(b, "line 100");
    cb_view_where(&h.e[2], b, sizeof b);
    cr_assert_str_eq(b, "offset 102");
    h.e[2].flags |= CB_EV_HAS_RECORD_ID;
    h.e[2].record_id = 7;
    cb_view_where(&h.e[2], b, sizeof b);
    cr_assert_str_eq(b, "record 7");
    struct cb_warning w = {.where_kind = CB_WHERE_LINE, .where = 12};
    cb_view_warning_where(&w, b, sizeof b);
    cr_assert_str_eq(b, "line 12: ");
    w.where_kind = CB_WHERE_OFFSET;
    cb_view_warning_where(&w, b, sizeof b);
    cr_assert_str_eq(b, "offset 12: ");
    w.where_kind = CB_WHERE_NONE;
    cb_view_warning_where(&w, b, sizeof b);
    cr_assert_str_eq(b, "");
    cr_assert_eq(cb_view_source_events(&h.s[0]), 4);
    h.s[0].nwarnings = CB_LIMIT_WARNINGS_PER_SOURCE;
    cr_assert_eq(cb_view_warnings_suppressed(&h.s[0]), 0);
    h.s[0].nwarnings = CB_LIMIT_WARNINGS_PER_SOURCE + 3;
    cr_assert_eq(cb_view_warnings_suppressed(&h.s[0]), 3);
}

/*
 * Outages (view.h): N2's clock is UTC-05:00 (S0). N2 logs at 10:00 and
 * 10:05, is silent, boots at 12:00 and writes at 12:00:30 a 6008 saying
 * it went down at 5:07:00 AM local, 10:07 UTC: down 10:07 .. 12:00.
 * N1 (no known offset) logs at 10:00 and 10:02, boots at 11:30 and
 * writes a Kernel-Power 41 at 11:30:10: its longest silence before the
 * 41, 10:02 .. 11:30. A second finding citing the same 41 adds nothing.
 */
Test(view, outages_from_6008_time_or_the_silence_before_the_boot)
{
    struct hand h;
    build(&h);
    static struct cb_event e[8];
    static struct cb_event *ep[8];
    static struct cb_field f6008[2] = {{"1", "5:07:00 AM"},
                                       {"2", "11/15/2024"}};
    const struct {
        const char *host;
        cb_time ts;
    } ev[8] = {{N1, at(0, 0)},          {N2, at(0, 0)},
               {N1, at(2, 0)},          {N2, at(5, 0)},
               {N1, at(30, 0) + HOUR},  {N1, at(30, 10) + HOUR},
               {N2, at(0, 0) + 2 * HOUR}, {N2, at(0, 30) + 2 * HOUR}};
    for (int i = 0; i < 8; i++) {
        e[i] = (struct cb_event){.source = ev[i].host == N2 ? &h.s[0]
                                                            : &h.s[1],
                                 .host = ev[i].host,
                                 .channel = "System",
                                 .ts = ev[i].ts};
        ep[i] = &e[i];
    }
    e[5].flags = e[7].flags = CB_EV_HAS_EVENT_ID;
    e[5].event_id = 41;
    e[5].provider = "Microsoft-Windows-Kernel-Power";
    e[7].event_id = 6008;
    e[7].provider = "EventLog";
    e[7].fields = f6008;
    e[7].nfields = 2;
    h.tl.events = ep;
    h.tl.count = 8;
    static struct cb_evidence x[3];
    static struct cb_finding fd[2];
    x[0] = (struct cb_evidence){.ev = &e[5], .role = "dirty"};
    x[1] = (struct cb_evidence){.ev = &e[7], .role = "dirty"};
    x[2] = (struct cb_evidence){.ev = &e[5], .role = "dirty"};
    fd[0] = (struct cb_finding){.id = "r1", .evidence = x, .nevidence = 2};
    fd[1] = (struct cb_finding){.id = "r2", .evidence = x + 2, .nevidence = 1};
    h.fs = (struct cb_findings){.items = fd, .count = 2};
    struct cb_view v;
    cr_assert_eq(cb_view_build(&v, &h.in), CB_OK);
    cr_assert_eq(v.noutages, 2);
    /* by host: N1, then N2 */
    cr_assert_str_eq(v.outages[0].host, "N1");
    cr_assert_eq(v.outages[0].from, at(2, 0));
    cr_assert_eq(v.outages[0].to, at(30, 0) + HOUR);
    cr_assert_eq(v.outages[0].from_6008, 0);
    cr_assert_eq(v.outages[0].finding, 0);
    cr_assert_str_eq(v.outages[1].host, "N2");
    cr_assert_eq(v.outages[1].from, at(7, 0));
    cr_assert_eq(v.outages[1].to, at(0, 0) + 2 * HOUR);
    cr_assert_eq(v.outages[1].from_6008, 1);
    cb_view_fini(&v);
}
