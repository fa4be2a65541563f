/*
 * test_scope.c - the run's focus (--window, --host) and the host-scope
 * rule (analyzer/scope.c). Expected times are built from the calendar by
 * hand (cb_time_from_civil), not by the parser under test.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "helpers.h"

#define MIN (60 * CB_TICKS_PER_SEC)
#define DAY (86400LL * CB_TICKS_PER_SEC)

static cb_time at(int y, int mo, int d, int h, int mi, int s)
{
    return cb_time_from_civil(y, mo, d, h, mi, s, 0);
}

static int window(const char *arg, cb_time *from, cb_time *to, char *why)
{
    return cb_scope_parse_window(arg, from, to, why, 256);
}

/* ---- window parsing --------------------------------------------------- */

Test(scope, window_in_every_documented_form)
{
    cb_time f, t;
    char why[256];
    cr_assert_eq(window("2026-11-14T19:00Z..2026-11-14T23:00Z", &f, &t, why),
                 0, "%s", why);
    cr_assert_eq(f, at(2026, 11, 14, 19, 0, 0));
    cr_assert_eq(t, at(2026, 11, 14, 23, 0, 0));
    /* a space instead of the T, and TO on FROM's day */
    cr_assert_eq(window("2026-11-14 19:00..23:00", &f, &t, why), 0, "%s", why);
    cr_assert_eq(f, at(2026, 11, 14, 19, 0, 0));
    cr_assert_eq(t, at(2026, 11, 14, 23, 0, 0));
    /* seconds, a fraction, " UTC" */
    cr_assert_eq(window("2026-11-14T19:00:05.5..2026-11-14 20:00 UTC", &f, &t,
                        why),
                 0, "%s", why);
    cr_assert_eq(f, at(2026, 11, 14, 19, 0, 5) + CB_TICKS_PER_SEC / 2);
    cr_assert_eq(t, at(2026, 11, 14, 20, 0, 0));
    /* an offset is converted: 21:00 at +02:00 is 19:00 UTC */
    cr_assert_eq(window("2026-11-14T21:00+02:00..", &f, &t, why), 0, "%s",
                 why);
    cr_assert_eq(f, at(2026, 11, 14, 19, 0, 0));
    cr_assert_eq(t, CB_TIME_NONE);
    /* open start; a date-only TO runs to the end of its day */
    cr_assert_eq(window("..2026-11-14", &f, &t, why), 0, "%s", why);
    cr_assert_eq(f, CB_TIME_NONE);
    cr_assert_eq(t, at(2026, 11, 15, 0, 0, 0) - 1);
    /* the older comma form of timeline --window */
    cr_assert_eq(window("2024-11-15T01:58:05,2024-11-15T01:58:13Z", &f, &t,
                        why),
                 0, "%s", why);
    cr_assert_eq(f, at(2024, 11, 15, 1, 58, 5));
    cr_assert_eq(t, at(2024, 11, 15, 1, 58, 13));
}

Test(scope, window_errors_name_the_bad_value)
{
    static const struct {
        const char *arg, *needle;
    } bad[] = {
        {"2026-11-14T19:00Z", "no '..'"},
        {"..", "neither FROM nor TO"},
        {"2026-11-14T25:00..", "FROM '2026-11-14T25:00'"},
        {"2026-13-01..", "FROM '2026-13-01'"},
        {"yesterday..2026-11-14", "FROM 'yesterday'"},
        {"2026-11-14T19:00..soon", "TO 'soon'"},
        {"..23:00", "TO '23:00'"}, /* a time only needs FROM's day */
        {"2026-11-14T19:00+25:00..", "FROM '2026-11-14T19:00+25:00'"},
        {"2026-11-14T23:00..2026-11-14T19:00", "ends before it starts"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cb_time f, t;
        char why[256] = "";
        cr_expect_eq(window(bad[i].arg, &f, &t, why), -1, "%s", bad[i].arg);
        cr_expect(strstr(why, bad[i].needle) != NULL, "%s: %s", bad[i].arg,
                  why);
    }
}

Test(scope, host_lists_and_names)
{
    struct cb_scope s;
    char why[256];
    cb_scope_init(&s);
    cr_assert_not(cb_scope_active(&s));
    cr_assert_eq(cb_scope_add_hosts(&s, "HV-NODE1, hv-node2", why, sizeof why),
                 0);
    cr_assert_eq(cb_scope_add_hosts(&s, "ws-01", why, sizeof why), 0);
    cr_assert_eq(s.nhosts, 3);
    cr_assert_str_eq(s.hosts[1], "hv-node2");
    cr_assert(cb_scope_active(&s));
    cr_assert_eq(cb_scope_add_hosts(&s, "a,,b", why, sizeof why), -1);
    cr_assert(strstr(why, "'a,,b'") != NULL, "%s", why);
    /* a NetBIOS name names its FQDN and the other way round; two FQDNs
     * must agree whole */
    cr_assert(cb_scope_host_matches("hv-node1", "HV-NODE1.contoso.local"));
    cr_assert(cb_scope_host_matches("HV-NODE1.contoso.local", "HV-NODE1"));
    cr_assert_not(cb_scope_host_matches("hv-node1", "HV-NODE10"));
    cr_assert_not(cb_scope_host_matches("hv-node1.a.local", "hv-node1.b.local"));
    cr_assert(cb_scope_keeps(&s, "HV-NODE2.contoso.local", 0));
    cr_assert_not(cb_scope_keeps(&s, "HV-NODE3", 0));
}

Test(scope, describe_says_the_window_once_a_day)
{
    struct cb_scope s;
    char buf[256], why[256];
    cb_scope_init(&s);
    cr_assert_eq(window("2026-11-14 19:00..23:00", &s.from, &s.to, why), 0);
    cb_scope_describe(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "window 2026-11-14 19:00..23:00 UTC");
    s.to = CB_TIME_NONE;
    cb_scope_add_hosts(&s, "A,B", why, sizeof why);
    cb_scope_describe(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "window from 2026-11-14 19:00 UTC, hosts A, B");
}

/* ---- the host-scope rule ---------------------------------------------- */

static struct cb_scope_host host(const char *name, cb_time first, int days,
                                 int member)
{
    return (struct cb_scope_host){.name = name,
                                  .first = first,
                                  .last = first + days * DAY,
                                  .events = 1000,
                                  .member = member};
}

Test(scope, nodes_table_flags_hosts_not_in_it)
{
    cb_time t = at(2026, 11, 10, 0, 0, 0), rf, rl;
    struct cb_scope_host h[] = {host("N1", t, 4, 1), host("N2", t, 4, 1),
                                host("WS-01", t + DAY, 1, 0)};
    cr_assert_eq(cb_scope_judge(h, 3, CB_MEMBERS_NODES, &rf, &rl), 1);
    cr_assert_eq(h[2].outside, CB_OUTSIDE_NOT_NODE);
    cr_assert_eq(h[0].outside | h[1].outside, 0);
    cr_assert_eq(rf, t);
    cr_assert_eq(rl, t + 4 * DAY);
}

Test(scope, far_in_time_is_outside_even_without_membership)
{
    cb_time t = at(2026, 11, 10, 0, 0, 0), old = at(2012, 3, 1, 0, 0, 0);
    cb_time rf, rl;
    /* the workstation has more events: the two hosts of 2026 still win */
    struct cb_scope_host h[] = {host("N1", t, 4, 0), host("N2", t, 4, 0),
                                host("WS-01", old, 3, 0)};
    h[2].events = 50000;
    cr_assert_eq(cb_scope_judge(h, 3, CB_MEMBERS_UNKNOWN, &rf, &rl), 1);
    cr_assert_eq(h[2].outside, CB_OUTSIDE_TIME);
    /* one host alone, two groups: the latest is the case's */
    struct cb_scope_host g[] = {host("NEW", t, 4, 0), host("OLD", old, 3, 0)};
    cr_assert_eq(cb_scope_judge(g, 2, CB_MEMBERS_UNKNOWN, &rf, &rl), 1);
    cr_assert_eq(g[1].outside, CB_OUTSIDE_TIME);
    cr_assert_eq(rf, t);
}

Test(scope, nothing_tells_so_nothing_is_flagged)
{
    cb_time t = at(2026, 11, 10, 0, 0, 0), rf, rl;
    /* 29 days apart: still one group */
    struct cb_scope_host h[] = {host("A", t, 2, 0),
                                host("B", t + 31 * DAY, 2, 0),
                                host("C", t, 0, 0)};
    h[2].first = h[2].last = CB_TIME_NONE; /* no events at all */
    cr_assert_eq(cb_scope_judge(h, 3, CB_MEMBERS_UNKNOWN, &rf, &rl), 0);
    cr_assert_eq(h[0].outside | h[1].outside | h[2].outside, 0);
    /* 31 days after the end: another group */
    h[1].first = t + 2 * DAY + 31 * DAY;
    h[1].last = h[1].first + DAY;
    h[1].events = 10;
    cr_assert_eq(cb_scope_judge(h, 2, CB_MEMBERS_UNKNOWN, &rf, &rl), 1);
}

Test(scope, a_listed_node_is_never_flagged_for_time)
{
    cb_time t = at(2026, 11, 10, 0, 0, 0), old = at(2012, 3, 1, 0, 0, 0);
    cb_time rf, rl;
    struct cb_scope_host h[] = {host("N1", t, 4, 1), host("N2", old, 4, 1),
                                host("N3", t, 4, 1)};
    cr_assert_eq(cb_scope_judge(h, 3, CB_MEMBERS_NODES, &rf, &rl), 0);
    /* named only by events, it is */
    cr_assert_eq(cb_scope_judge(h, 3, CB_MEMBERS_EVENTS, &rf, &rl), 1);
    cr_assert_eq(h[1].outside, CB_OUTSIDE_TIME);
}

Test(scope, reasons_and_headline_in_words)
{
    cb_time t = at(2026, 11, 10, 0, 0, 0), old = at(2012, 3, 1, 0, 0, 0);
    struct cb_scope_host h[] = {host("LAPTOP-7", old, 3, 0),
                                host("N1", t, 4, 1), host("WS-01", t, 1, 0)};
    struct cb_scope_result r = {.members = CB_MEMBERS_NODES,
                                .hosts = h,
                                .nhosts = 3};
    r.noutside = cb_scope_judge(h, 3, r.members, &r.ref_first, &r.ref_last);
    cr_assert_eq(r.noutside, 2);
    char buf[512];
    cb_scope_reason(&r, &h[0], buf, sizeof buf);
    cr_assert_str_eq(buf, "not in the cluster's node list (cluster.log "
                          "Nodes); its events (2012-03-01 .. 2012-03-04) lie "
                          "14 years before the cluster's (2026-11-10 .. "
                          "2026-11-14)");
    cb_scope_headline(&r, buf, sizeof buf);
    cr_assert_str_eq(buf, "2 hosts are not nodes of this cluster: LAPTOP-7, "
                          "WS-01; their findings are listed apart");
}

/* ---- the window at timeline build -------------------------------------- */

Test(scope, timeline_leaves_out_what_is_outside_and_counts_it)
{
    struct cb_analysis *an = analysis(NULL);
    size_t n1, n2;
    char *a = clusterlog_lines(1, 120, &n1); /* 01:00:00 .. 01:01:59 */
    char *b = clusterlog_lines(2, 60, &n2);  /* 02:00:00 .. 02:00:59 */
    cr_assert_eq(cb_ingest_memory(an, "NODE1_cluster.log", a, n1, NULL),
                 CB_OK);
    cr_assert_eq(cb_ingest_memory(an, "NODE2_cluster.log", b, n2, NULL),
                 CB_OK);
    char why[256];
    cr_assert_eq(window("2024-11-15T01:01..", &an->scope.from, &an->scope.to,
                        why),
                 0, "%s", why);
    cr_assert_eq(cb_scope_add_hosts(&an->scope, "node1", why, sizeof why), 0);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    struct cb_timeline tl;
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    /* node 1's second minute only: 60 lines; node 2 wholly left out */
    cr_assert_eq(tl.count, 60);
    for (size_t i = 0; i < tl.count; i++) {
        cr_assert_str_eq(tl.events[i]->host, "NODE1");
        cr_assert_geq(tl.events[i]->ts, at(2024, 11, 15, 1, 1, 0));
    }
    cr_assert_eq(cb_timeline_left_out(&tl), 120);
    cr_assert_eq(cb_timeline_events_read(&tl), 180);
    cr_assert_eq(find_source(an, "NODE1_cluster.log")->scope_out, 60);
    cr_assert_eq(find_source(an, "NODE2_cluster.log")->scope_out, 60);
    cb_time first, last;
    cb_timeline_span(&tl, &first, &last);
    /* line 60: 01:01:00.060 (helpers.c writes i % 1000 as milliseconds) */
    cr_assert_eq(first, at(2024, 11, 15, 1, 1, 0) + 60 * 10000);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
    free(a);
    free(b);
}

/* ---- findings apart ------------------------------------------------------ */

Test(scope, incidents_of_outside_hosts_rank_after_the_clusters)
{
    const char *ws[] = {"WS-01"}, *n1[] = {"N1"};
    struct cb_finding f[2] = {
        {.id = "a", .title = "crash", .severity = CB_SEV_CRITICAL,
         .confidence = 90, .hosts = ws, .nhosts = 1},
        {.id = "b", .title = "warn", .severity = CB_SEV_MEDIUM,
         .confidence = 50, .hosts = n1, .nhosts = 1}};
    struct cb_findings fs = {.items = f, .count = 2};
    struct cb_incidents in;
    /* without scope, the critical workstation crash ranks first */
    cr_assert_eq(cb_incidents_build(&fs, NULL, 0, NULL, &in), CB_OK);
    cr_assert_eq(in.items[0].root, 0);
    cb_incidents_fini(&in);
    const unsigned char apart[2] = {1, 0};
    cr_assert_eq(cb_incidents_build_apart(&fs, NULL, 0, NULL, apart, &in),
                 CB_OK);
    cr_assert_eq(in.count, 2);
    cr_assert_eq(in.items[0].root, 1);
    cr_assert_not(in.items[0].apart);
    cr_assert_eq(in.items[1].root, 0);
    cr_assert(in.items[1].apart);
    cr_assert_str_eq(in.items[1].ref, "I2");
    cb_incidents_fini(&in);
}
