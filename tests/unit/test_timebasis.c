/*
 * test_timebasis.c - local-time sources converted to UTC with the right
 * offset (twin records, a cluster.log header, --tz), the assumption
 * recorded when nothing states one, and the same record in several
 * shapes collapsing to one that lists every source.
 *
 * Fixtures are written here: an XML export (UTC, record ids, data), a
 * wevtutil text export of the same records in the node's local time, and
 * a cluster.log whose System section repeats them. Expected times are
 * spelled out by hand from the scenario, not computed by the code.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"
#include "sort.h"

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

TestSuite(timebasis, .init = setup, .fini = teardown);

/* A growing text buffer. */
struct buf {
    char *p;
    size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[4096];
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    cr_assert(k >= 0 && (size_t)k < sizeof tmp);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        cr_assert_not_null(b->p);
    }
    memcpy(b->p + b->n, tmp, (size_t)k + 1);
    b->n += (size_t)k;
}

/* The records of the scenario: HV-NODE1's System log, 2024-11-15, UTC. */
struct rec {
    unsigned id;     /* event id */
    unsigned rid;    /* record id */
    const char *utc; /* "01:58:14.4821234" (7 fraction digits) */
    const char *vol; /* data value */
};

static const struct rec recs[] = {
    {5120, 1001, "01:58:14.4821234", "Volume1"},
    {5120, 1002, "01:58:14.4829999", "Volume2"}, /* same id, same second */
    {1135, 1003, "01:58:12.9050000", NULL},
    {1069, 1004, "02:10:00.0000001", "Volume1"},
    {7036, 1005, "03:00:01.5000000", NULL},
};
#define NRECS (sizeof recs / sizeof recs[0])

static const char *message_of(const struct rec *r)
{
    static char m[256];
    switch (r->id) {
    case 5120:
        snprintf(m, sizeof m,
                 "Cluster Shared Volume '%s' ('Cluster Disk') has entered a "
                 "paused state because of 'STATUS_CONNECTION_DISCONNECTED'.",
                 r->vol);
        break;
    case 1135:
        snprintf(m, sizeof m, "Cluster node 'HV-NODE2' was removed from the "
                              "active failover cluster membership.");
        break;
    case 1069:
        snprintf(m, sizeof m, "Cluster resource '%s' of type 'Physical Disk' "
                              "failed.", r->vol);
        break;
    default:
        snprintf(m, sizeof m, "The Windows Update service entered the "
                              "running state.");
    }
    return m;
}

static const char *level_of(unsigned id)
{
    return id == 1135 ? "Critical" : id == 7036 ? "Information"
           : id == 5120 ? "Warning" : "Error";
}

static void xml_export(struct buf *b)
{
    for (size_t i = 0; i < NRECS; i++) {
        const struct rec *r = &recs[i];
        put(b,
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/"
            "event'><System><Provider Name='%s'/><EventID>%u</EventID>"
            "<Level>%u</Level><TimeCreated SystemTime='2024-11-15T%sZ'/>"
            "<EventRecordID>%u</EventRecordID><Channel>System</Channel>"
            "<Computer>HV-NODE1.contoso.local</Computer></System>",
            r->id == 7036 ? "Service Control Manager"
                          : "Microsoft-Windows-FailoverClustering",
            r->id, r->id == 1135 ? 1u : r->id == 7036 ? 4u : 3u, r->utc,
            r->rid);
        if (r->vol)
            put(b, "<EventData><Data Name='VolumeName'>%s</Data></EventData>",
                r->vol);
        put(b, "</Event>\n");
    }
}

/* hh:mm:ss.fff of a record's UTC time moved by east minutes, on the
 * same day (the scenario never crosses midnight). */
static void local_time(const char *utc, int east, char *out, size_t size,
                       int ms)
{
    int h = atoi(utc), m = atoi(utc + 3), s = atoi(utc + 6);
    int total = h * 60 + m + east;
    if (ms)
        snprintf(out, size, "%02d:%02d:%02d.%.3s", total / 60, total % 60, s,
                 utc + 9);
    else
        snprintf(out, size, "%02d:%02d:%02d", total / 60, total % 60, s);
}

/* wevtutil qe /f:text of the same records; east[i] is the offset the
 * machine's clock had for record i. */
static void text_export(struct buf *b, const int *east)
{
    for (size_t i = 0; i < NRECS; i++) {
        const struct rec *r = &recs[i];
        char t[32];
        local_time(r->utc, east[i], t, sizeof t, 1);
        put(b,
            "Event[%zu]:\r\n  Log Name: System\r\n  Source: %s\r\n"
            "  Date: 2024-11-15T%s\r\n  Event ID: %u\r\n  Level: %s\r\n"
            "  Computer: HV-NODE1.contoso.local\r\n  Description: \r\n%s\r\n"
            "\r\n",
            i, r->id == 7036 ? "Service Control Manager"
                             : "Microsoft-Windows-FailoverClustering",
            t, r->id, level_of(r->id), message_of(r));
    }
}

static const struct cb_source *ingest(const char *name, const struct buf *b)
{
    size_t before = an->nsources;
    cr_assert_eq(cb_ingest_leaf_memory(an, name, b->p, b->n, NULL), CB_OK);
    cr_assert_eq(an->nsources, before + 1);
    return an->sources[before];
}

static const int east60[NRECS] = {60, 60, 60, 60, 60};

/* 2024-11-15T01:58:14 UTC and friends, as tick counts */
static cb_time utc_of(const char *hms)
{
    cb_time t = cb_time_from_civil(2024, 11, 15, atoi(hms), atoi(hms + 3),
                                   atoi(hms + 6), 0);
    return t;
}

Test(timebasis, text_export_takes_the_offset_of_its_xml_twin)
{
    struct buf x = {0}, t = {0};
    xml_export(&x);
    text_export(&t, east60);
    const struct cb_source *xs = ingest("HV-NODE1_evt_System.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    cr_assert_eq(ts->time_kind, CB_TK_LOCAL);
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_str_eq(xs->time_basis, "utc");
    cr_assert_str_eq(ts->time_basis, "local(+01:00, from twin "
                                     "HV-NODE1_evt_System.xml: 5 records)");
    /* 02:58:14.482 local at UTC+1 is 01:58:14.482 UTC, to the millisecond */
    cr_assert_eq(ts->events[0]->ts, utc_of("01:58:14") + 4820000);
    cr_assert_eq(ts->events[4]->ts, utc_of("03:00:01") + 5000000);
    for (size_t i = 0; i < ts->nevents; i++)
        cr_assert_eq(ts->events[i]->flags & CB_EV_TIME_ASSUMED, 0u);
    /* idempotent: a second pass moves nothing */
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_eq(ts->events[0]->ts, utc_of("01:58:14") + 4820000);
    free(x.p);
    free(t.p);
}

Test(timebasis, twins_in_two_copies_name_the_first_copy_in_path_order)
{
    /* Records of equal event id and time in two UTC copies: the twin is
     * the one in the source first in path order, not whichever the C
     * library's sort leaves first (cb_sort_reverse_first plays another
     * library), nor the one read first. */
    struct buf x = {0}, t = {0};
    xml_export(&x);
    text_export(&t, east60);
    cb_sort_reverse_first(1);
    ingest("HV-NODE1_evt_System_copy.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    ingest("HV-NODE1_evt_System.xml", &x);
    enum cb_status st = cb_analysis_finish(an);
    cb_sort_reverse_first(0);
    cr_assert_eq(st, CB_OK);
    cr_assert_str_eq(ts->time_basis, "local(+01:00, from twin "
                                     "HV-NODE1_evt_System.xml: 5 records)");
    free(x.p);
    free(t.p);
}

Test(timebasis, two_shapes_of_five_records_give_five_events_listing_both)
{
    struct buf x = {0}, t = {0};
    xml_export(&x);
    text_export(&t, east60);
    const struct cb_source *xs = ingest("HV-NODE1_evt_System.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(tl.count, NRECS);
    cr_assert_eq(tl.duplicates, NRECS);
    cr_assert_eq(ts->duplicates, NRECS, "the text copies are dropped");
    cr_assert_eq(xs->duplicates, 0u);
    for (size_t i = 0; i < tl.count; i++) {
        const struct cb_event *e = tl.events[i];
        cr_assert_eq(e->source, xs, "the XML copy (UTC, record id) stays");
        cr_assert_not_null(e->also);
        cr_assert_eq(e->also->source, ts);
        cr_assert_null(e->also->next);
        /* the rendered message of the text export completes it */
        cr_assert_not_null(strstr(msg_of(e), e->event_id == 7036
                                                  ? "Windows Update"
                                                  : "luster"),
                           "%s", msg_of(e));
    }
    /* the two 5120s of the same second paired by their data, not order */
    for (size_t i = 0; i < tl.count; i++) {
        const struct cb_event *e = tl.events[i];
        if (e->event_id != 5120)
            continue;
        const char *vol = e->record_id == 1001 ? "'Volume1'" : "'Volume2'";
        cr_assert_not_null(strstr(msg_of(e), vol), "%llu: %s",
                           (unsigned long long)e->record_id, msg_of(e));
    }
    free(x.p);
    free(t.p);
}

Test(timebasis, dst_change_inside_the_export_is_corrected_per_record)
{
    /* The clock moved from +02:00 to +01:00 between records 3 and 4. */
    static const int east[NRECS] = {120, 120, 120, 60, 60};
    struct buf x = {0}, t = {0};
    xml_export(&x);
    text_export(&t, east);
    ingest("N1.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE1-System.txt", &t);
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_not_null(strstr(ts->time_basis, "+02:00"), "%s", ts->time_basis);
    cr_assert_not_null(strstr(ts->time_basis, "+01:00"), "%s", ts->time_basis);
    cr_assert_eq(ts->events[0]->ts, utc_of("01:58:14") + 4820000);
    cr_assert_eq(ts->events[3]->ts, utc_of("02:10:00"));
    cr_assert_eq(ts->events[4]->ts, utc_of("03:00:01") + 5000000);
    free(x.p);
    free(t.p);
}

static const char header_plus1[] =
    "[=== Cluster ===]\r\n"
    "UTC = localtime + time zone offset; with daylight savings, the time "
    "zone offset of this machine is -60 minutes, or -1 hours\r\n"
    "The logs were generated using local time\r\n"
    "Current node: HV-NODE1 (1) id (1)\r\n";

Test(timebasis, without_a_twin_the_nodes_cluster_log_header_gives_the_offset)
{
    struct buf c = {0}, t = {0};
    put(&c, "%s[=== Cluster Logs ===]\r\n"
            "00000a1c.00001f04::2024/11/15-02:58:00.000 INFO  [RCM] x\r\n",
        header_plus1);
    text_export(&t, east60);
    const struct cb_source *cs = ingest("HV-NODE1_cluster.log", &c);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_str_eq(cs->time_basis, "local(+01:00, stated)");
    cr_assert_str_eq(ts->time_basis,
                     "local(+01:00, from HV-NODE1_cluster.log header)");
    cr_assert_eq(ts->events[2]->ts, utc_of("01:58:12") + 9050000);
    cr_assert_eq(cs->events[0]->ts, utc_of("01:58:00"));
    free(c.p);
    free(t.p);
}

Test(timebasis, tz_override_beats_the_header_and_the_twin)
{
    struct buf c = {0}, t = {0}, x = {0};
    put(&c, "%s[=== Cluster Logs ===]\r\n"
            "00000a1c.00001f04::2024/11/15-02:58:00.000 INFO  [RCM] x\r\n",
        header_plus1);
    text_export(&t, east60);
    xml_export(&x);
    an->tz[0] = (struct cb_tz_override){"HV-NODE1", 180};
    an->ntz = 1;
    const struct cb_source *cs = ingest("HV-NODE1_cluster.log", &c);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    ingest("HV-NODE1_evt_System.xml", &x);
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_str_eq(ts->time_basis, "local(+03:00, from --tz)");
    cr_assert_str_eq(cs->time_basis, "local(+03:00, from --tz over the "
                                     "header)");
    /* 02:58:12.905 local at UTC+3 */
    cr_assert_eq(ts->events[2]->ts, utc_of("23:58:12") - 864000000000LL +
                                        9050000);
    cr_assert_eq(cs->events[0]->ts, utc_of("23:58:00") - 864000000000LL);
    free(c.p);
    free(t.p);
    free(x.p);
}

Test(timebasis, nothing_stated_is_recorded_as_assumed_and_stays_flagged)
{
    struct buf t = {0};
    text_export(&t, east60);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_not_null(strstr(ts->time_basis, "assumed"), "%s",
                       ts->time_basis);
    cr_assert_not_null(strstr(ts->time_basis, "--tz HV-NODE1="));
    cr_assert_eq(ts->events[2]->ts, utc_of("02:58:12") + 9050000,
                 "left as written");
    cr_assert_neq(ts->events[2]->flags & CB_EV_TIME_ASSUMED, 0u);
    free(t.p);
}

Test(timebasis, twin_of_another_host_is_not_a_twin)
{
    struct buf x = {0}, t = {0};
    xml_export(&x);
    /* the XML says HV-NODE1; this text export is HV-NODE2's */
    text_export(&t, east60);
    for (char *p = strstr(t.p, "HV-NODE1"); p; p = strstr(p, "HV-NODE1"))
        p[7] = '2';
    ingest("x.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE2_evt_System.txt", &t);
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_not_null(strstr(ts->time_basis, "assumed"), "%s",
                       ts->time_basis);
    free(x.p);
    free(t.p);
}

Test(timebasis, cluster_log_system_section_line_joins_the_record)
{
    struct buf x = {0}, t = {0}, c = {0};
    xml_export(&x);
    text_export(&t, east60);
    /* Get-ClusterLog in UTC, its System section repeating record 1003
     * (the message broken over two lines, as the section does) */
    put(&c, "[=== Cluster ===]\r\nCurrent node: HV-NODE1 (1) id (1)\r\n"
            "[=== System ===]\r\n"
            "[System] 00000244.00001b48::2024/11/15-01:58:12.905 CRIT  "
            "Cluster node 'HV-NODE2' was removed from the active\r\n"
            "failover cluster membership.\r\n"
            "[=== Cluster Logs ===]\r\n"
            "00000a1c.00001f04::2024/11/15-01:58:13.000 INFO  [NM] y\r\n");
    const struct cb_source *xs = ingest("HV-NODE1_evt_System.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    const struct cb_source *cs = ingest("HV-NODE1_cluster.log", &c);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(tl.count, NRECS + 1, "five records and the debug line");
    cr_assert_eq(cs->duplicates, 1u);
    const struct cb_event *rec = NULL;
    for (size_t i = 0; i < tl.count; i++)
        if (tl.events[i]->event_id == 1135 &&
            (tl.events[i]->flags & CB_EV_HAS_EVENT_ID))
            rec = tl.events[i];
    cr_assert_not_null(rec);
    cr_assert_eq(rec->source, xs);
    int saw_text = 0, saw_log = 0, n = 0;
    for (const struct cb_also *a = rec->also; a; a = a->next, n++) {
        saw_text += a->source == ts;
        saw_log += a->source == cs;
    }
    cr_assert_eq(n, 2);
    cr_assert(saw_text && saw_log, "three shapes, one record");
    free(x.p);
    free(t.p);
    free(c.p);
}

Test(timebasis, timeline_jsonl_lists_the_other_sources)
{
    struct buf x = {0}, t = {0};
    xml_export(&x);
    text_export(&t, east60);
    ingest("HV-NODE1_evt_System.xml", &x);
    ingest("HV-NODE1_evt_System.txt", &t);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    cr_assert_not_null(f);
    cr_assert_eq(cb_timeline_write(f, &tl, CB_TL_JSONL), CB_OK);
    fclose(f);
    /* record 1003 (1135) came from line 23 of the text export */
    cr_assert_not_null(strstr(out, "\"seen_in\":[{\"source\":"
                                   "\"HV-NODE1_evt_System.txt\",\"line\":"),
                       "%s", out);
    free(out);
    free(x.p);
    free(t.p);
}

/* Windows Server 2012 R2: no header; the collector decides the basis. */
static const char old_log[] =
    "00000a1c.00001f04::2024/11/15-02:58:00.000 INFO  [RCM] x\r\n";

Test(timebasis, headerless_cluster_log_of_a_tss_bundle_is_local_time)
{
    an->tz[0] = (struct cb_tz_override){NULL, 60}; /* --tz +01:00 */
    an->ntz = 1;
    cr_assert_eq(cb_ingest_leaf_memory(
                     an, "TSSv2_HV-NODE1_241115-030000.zip!HV-NODE1_cluster.log",
                     old_log, sizeof old_log - 1, NULL),
                 CB_OK);
    const struct cb_source *s = an->sources[0];
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_str_eq(s->time_basis, "local(+01:00, from --tz)");
    cr_assert_not_null(strstr(s->time_basis_detail, "TSS"));
    cr_assert_eq(s->events[0]->ts, utc_of("01:58:00"));
}

Test(timebasis, headerless_cluster_log_next_to_sdp_exports_is_utc)
{
    struct buf t = {0};
    text_export(&t, east60);
    cr_assert_eq(cb_ingest_leaf_memory(an, "case/HV-NODE1_evt_System.txt",
                                       t.p, t.n, NULL),
                 CB_OK);
    cr_assert_eq(cb_ingest_leaf_memory(an, "case/HV-NODE1_cluster.log",
                                       old_log, sizeof old_log - 1, NULL),
                 CB_OK);
    const struct cb_source *s = an->sources[1];
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_not_null(strstr(s->time_basis, "utc (assumed"));
    cr_assert_not_null(strstr(s->time_basis, "SDP"), "%s", s->time_basis);
    cr_assert_eq(s->events[0]->ts, utc_of("02:58:00"), "as written");
    free(t.p);
}

Test(timebasis, headerless_cluster_log_elsewhere_stays_utc_assumed)
{
    cr_assert_eq(cb_ingest_leaf_memory(an, "upload/HV-NODE1_cluster.log",
                                       old_log, sizeof old_log - 1, NULL),
                 CB_OK);
    cr_assert_eq(cb_timebasis_resolve(an), CB_OK);
    cr_assert_not_null(strstr(an->sources[0]->time_basis,
                              "utc (assumed: no header"));
    cr_assert_neq(an->sources[0]->events[0]->flags & CB_EV_TIME_ASSUMED, 0u);
}

Test(timebasis, system_section_lines_pair_with_evtx_records_by_their_data)
{
    /* No export with rendered text: the XML records carry only data (as
     * an .evtx does), the cluster.log's System section the rendered
     * messages. Records 1001 and 1002 share host, channel and second. */
    struct buf x = {0}, c = {0};
    xml_export(&x);
    put(&c, "[=== Cluster ===]\r\nCurrent node: HV-NODE1 (1) id (1)\r\n"
            "[=== System ===]\r\n");
    /* in reverse order, so that order alone would pair them wrongly */
    put(&c, "[System] 00000244.00001b48::2024/11/15-01:58:14.482 WARN  "
            "%s\r\n", message_of(&recs[1]));
    put(&c, "[System] 00000244.00001b48::2024/11/15-01:58:14.482 WARN  "
            "%s\r\n", message_of(&recs[0]));
    /* same second as record 1004 (an error), but a different level: a
     * record the .evtx does not hold */
    put(&c, "[System] 00000244.00001b48::2024/11/15-02:10:00.000 INFO  "
            "Something else entirely.\r\n");
    put(&c, "[=== Cluster Logs ===]\r\n");
    const struct cb_source *xs = ingest("HV-NODE1-System.xml", &x);
    const struct cb_source *cs = ingest("HV-NODE1_cluster.log", &c);
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(cs->duplicates, 2u);
    cr_assert_eq(tl.count, NRECS + 1);
    for (size_t i = 0; i < tl.count; i++) {
        const struct cb_event *e = tl.events[i];
        if (e->source != xs || e->event_id != 5120)
            continue;
        cr_assert_not_null(e->also);
        cr_assert_eq(e->also->source, cs);
        /* the line that became its message names its own volume */
        const char *vol = e->record_id == 1001 ? "'Volume1'" : "'Volume2'";
        cr_assert_not_null(strstr(msg_of(e), vol), "%llu: %s",
                           (unsigned long long)e->record_id, msg_of(e));
        cr_assert_eq(e->flags & CB_EV_MESSAGE_SYNTH, 0u);
    }
    free(x.p);
    free(c.p);
}

/* TSS: Select LevelDisplayName,TimeCreated,ProviderName,ID,UserId,Message
 * | Export-Csv -UseCulture (en-US), seconds only, local time. */
static void csv_export(struct buf *b, const int *east)
{
    put(b, "#TYPE Selected.System.Diagnostics.Eventing.Reader."
           "EventLogRecord\r\n\"LevelDisplayName\",\"TimeCreated\","
           "\"ProviderName\",\"Id\",\"UserId\",\"Message\"\r\n");
    for (size_t i = NRECS; i-- > 0;) { /* newest first */
        const struct rec *r = &recs[i];
        char t[32];
        local_time(r->utc, east[i], t, sizeof t, 0);
        int h = atoi(t);
        put(b, "\"%s\",\"11/15/2024 %d:%s %s\",\"%s\",\"%u\",\"S-1-5-18\","
               "\"%s\"\r\n",
            level_of(r->id), h % 12 ? h % 12 : 12, t + 3, h < 12 ? "AM" : "PM",
            r->id == 7036 ? "Service Control Manager"
                          : "Microsoft-Windows-FailoverClustering",
            r->id, message_of(r));
    }
}

Test(timebasis, one_record_in_four_shapes_is_one_event_with_four_sources)
{
    struct buf x = {0}, t = {0}, c = {0}, v = {0};
    xml_export(&x);
    text_export(&t, east60);
    csv_export(&v, east60);
    put(&c, "[=== Cluster ===]\r\nCurrent node: HV-NODE1 (1) id (1)\r\n"
            "[=== System ===]\r\n"
            "[System] 00000244.00001b48::2024/11/15-01:58:12.905 CRIT  "
            "%s\r\n[=== Cluster Logs ===]\r\n", message_of(&recs[2]));
    const struct cb_source *xs = ingest("HV-NODE1_evt_System.xml", &x);
    const struct cb_source *ts = ingest("HV-NODE1_evt_System.txt", &t);
    const struct cb_source *vs = ingest("HV-NODE1_evt_System.csv", &v);
    const struct cb_source *cs = ingest("HV-NODE1_cluster.log", &c);
    cr_assert_str_eq(vs->format, "evtx-csv");
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_str_eq(vs->time_basis, "local(+01:00, from twin "
                                     "HV-NODE1_evt_System.xml: 5 records)");
    cr_assert_eq(tl.count, NRECS, "%zu events", tl.count);
    for (size_t i = 0; i < tl.count; i++) {
        const struct cb_event *e = tl.events[i];
        cr_assert_eq(e->source, xs);
        int n = 0, saw_t = 0, saw_v = 0, saw_c = 0;
        for (const struct cb_also *a = e->also; a; a = a->next, n++) {
            saw_t += a->source == ts;
            saw_v += a->source == vs;
            saw_c += a->source == cs;
        }
        cr_assert(saw_t && saw_v, "record %llu: text and CSV copies",
                  (unsigned long long)e->record_id);
        cr_assert_eq(n, e->record_id == 1003 ? 3 : 2);
        if (e->record_id == 1003)
            cr_assert(saw_c, "and the cluster.log's System line");
    }
    free(x.p);
    free(t.p);
    free(v.p);
    free(c.p);
}

/* A header-less cluster.log is UTC by Get-ClusterLog's default; beside an
 * SDP-named export (<COMPUTER>_evt_<log>.*) in the same folder it is an
 * SDP collection, said so; in another folder, or with the SDP file one
 * folder down, it is not. The folders are looked up once per analysis
 * (issue 19 #3): this pins what that lookup decides. */
Test(timebasis, a_headerless_log_beside_an_sdp_export_is_an_sdp_collection)
{
    static const char line[] =
        "00000a1c.00001f04::2024/11/15-09:00:00.000 ERR   [RCM] x\r\n";
    static const char csv[] = "not read as events\r\n";
    const char *names[] = {"up.zip!case/HV-NODE1_cluster.log",
                           "up.zip!case/HV-NODE1_evt_System.csv",
                           "up.zip!other/HV-NODE2_cluster.log",
                           "up.zip!deep/HV-NODE3_cluster.log",
                           "up.zip!deep/x/HV-NODE3_evt_System.csv"};
    for (size_t i = 0; i < 5; i++) {
        const char *d = strstr(names[i], "_evt_") ? csv : line;
        cr_assert_eq(cb_ingest_leaf_memory(an, names[i], d, strlen(d),
                                           strstr(d, "::") ? cb_parser_find(
                                                                 "clusterlog")
                                                           : NULL),
                     CB_OK);
    }
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    const struct cb_source *sdp = find_source(an, names[0]);
    const struct cb_source *other = find_source(an, names[2]);
    const struct cb_source *deep = find_source(an, names[3]);
    cr_assert(sdp && other && deep);
    cr_expect(strstr(sdp->time_basis, "an SDP collection"), "%s",
              sdp->time_basis);
    cr_expect(!strstr(other->time_basis, "SDP"), "%s", other->time_basis);
    cr_expect(!strstr(deep->time_basis, "SDP"), "%s", deep->time_basis);
}
