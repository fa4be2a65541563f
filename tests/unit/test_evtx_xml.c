/*
 * test_evtx_xml.c - the event XML parser (parsers/evtx_xml.c) fed through
 * cb_ingest_leaf_memory: our fixtures in tests/data/xml (see its README),
 * small documents written inline, and the two real EvtRender files of the
 * shared corpus when it is there.
 *
 * Expected times are worked out by hand: FILETIME ticks = Unix seconds *
 * 10^7 + 100 ns units + 116444736000000000; 2024-11-15T00:00:00Z is Unix
 * 1731628800, 2020-02-18T00:00:00Z is 1581984000, 2022-03-22T00:00:00Z is
 * 1647907200.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

#define TICKS(unix_s, u100ns)                                                  \
    ((cb_time)(unix_s)*10000000LL + (cb_time)(u100ns) + 116444736000000000LL)
#define D_2024_11_15 1731628800LL
#define D_2020_02_18 1581984000LL
#define D_2022_03_22 1647907200LL
#define HMS(h, m, s) ((h)*3600LL + (m)*60LL + (s))

#define NS "http://schemas.microsoft.com/win/2004/08/events/event"
#define EV_OPEN "<Event xmlns='" NS "'>"

static struct cb_analysis *an;
static char *file_data;
static size_t file_len;

static void teardown(void)
{
    cb_analysis_destroy(&an);
    free(file_data);
    file_data = NULL;
}

TestSuite(evtx_xml, .fini = teardown);

/* ---- helpers ----------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* A fixture of tests/data/xml, kept in file_data until teardown. */
static const char *fixture(const char *name)
{
    const char *dir = getenv("CB_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/xml/%s", dir ? dir : "tests/data", name);
    free(file_data);
    file_data = slurp(path, &file_len);
    cr_assert_not_null(file_data, "fixture %s missing", path);
    return file_data;
}

/* Parse len bytes named name; forced: use evtx-xml without detection. */
static const struct cb_source *parse_bytes(const char *name, const void *data,
                                           size_t len, int forced)
{
    if (!an)
        an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    size_t before = an->nsources;
    cr_assert_eq(
        cb_ingest_leaf_memory(an, name, data, len,
                              forced ? cb_parser_find("evtx-xml") : NULL),
        CB_OK);
    cr_assert_eq(an->nsources, before + 1);
    return an->sources[before];
}

static const struct cb_source *parse_fixture(const char *name, int forced)
{
    fixture(name);
    const struct cb_source *src =
        parse_bytes(name, file_data, file_len, forced);
    cr_assert_str_eq(src->format, "evtx-xml");
    return src;
}

static const struct cb_source *parse_text(const char *text)
{
    const struct cb_source *src =
        parse_bytes("inline.xml", text, strlen(text), 1);
    cr_assert_str_eq(src->format, "evtx-xml");
    return src;
}

static unsigned count_warnings(const struct cb_source *src)
{
    unsigned n = 0;
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        n++;
    return n;
}

/* The warning whose message contains needle, or NULL. */
static const struct cb_warning *warning(const struct cb_source *src,
                                        const char *needle)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next) {
        if (strstr(w->msg, needle))
            return w;
    }
    return NULL;
}

static const struct cb_warning *expect_warning(const struct cb_source *src,
                                               const char *needle)
{
    const struct cb_warning *w = warning(src, needle);
    cr_assert_not_null(w, "no warning containing \"%s\"", needle);
    return w;
}

/* Byte offset of the nth (0-based) "<Event " or "<Event>" in data. */
static uint64_t nth_event_offset(const char *data, size_t len, int nth)
{
    for (size_t i = 0; i + 7 <= len; i++) {
        if (memcmp(data + i, "<Event", 6) == 0 &&
            (data[i + 6] == ' ' || data[i + 6] == '>') && nth-- == 0)
            return i;
    }
    cr_assert_fail("no <Event> number %d", nth);
    return 0;
}

/* No event's message or field value contains needle. */
static void expect_nowhere(const struct cb_source *src, const char *needle)
{
    for (size_t i = 0; i < src->nevents; i++) {
        const struct cb_event *e = src->events[i];
        cr_assert_null(strstr(e->message, needle), "in message %zu", i);
        for (uint32_t k = 0; k < e->nfields; k++)
            cr_assert_null(strstr(e->fields[k].value, needle),
                           "in field %s of event %zu", e->fields[k].name, i);
    }
}

/* A minimal event with the given System/TimeCreated value and body. */
static char *event_xml(const char *system_time, const char *level,
                       const char *body)
{
    char *s;
    int n = asprintf(&s,
                     EV_OPEN "<System><Provider Name='P'/><EventID>7</EventID>"
                             "<Level>%s</Level><TimeCreated SystemTime='%s'/>"
                             "<Channel>System</Channel><Computer>n1</Computer>"
                             "</System>%s</Event>\r\n",
                     level, system_time, body);
    cr_assert_gt(n, 0);
    return s;
}

/* ---- the wevtutil stream (no root element) ----------------------------- */

Test(evtx_xml, rootless_stream_gives_every_event_in_file_order)
{
    fixture("hv-node1_wevtutil.xml");
    const struct cb_source *src =
        parse_bytes("HV-NODE1_evt_System.xml", file_data, file_len, 0);
    cr_assert_str_eq(src->format, "evtx-xml", "detected by its bytes");
    cr_assert_str_eq(src->data_type, "windows:evtx:record");
    cr_assert_eq(src->nevents, 4u);
    static const uint32_t ids[] = {1135, 5120, 32022, 32086};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(source_event(src, i)->event_id, ids[i]);
        cr_assert(source_event(src, i)->flags & CB_EV_HAS_EVENT_ID);
        cr_assert_eq(source_event(src, i)->origin,
                     nth_event_offset(file_data, file_len, (int)i),
                     "origin of event %zu is the offset of its <Event", i);
    }
    cr_assert_eq(count_warnings(src), 0u);
    cr_assert_eq(src->origin_is_line, 0);
}

Test(evtx_xml, system_part_gives_provider_channel_host_level_ids_and_time)
{
    const struct cb_source *src = parse_fixture("hv-node1_wevtutil.xml", 0);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_assert_str_eq(e->channel, "System");
    cr_assert_str_eq(e->host, "HV-NODE1", "short, upper-case computer name");
    expect_event_field(e, "Computer", "HV-NODE1.contoso.local");
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert(e->flags & CB_EV_HAS_RECORD_ID);
    cr_assert_eq(e->record_id, 48213u);
    cr_assert(e->flags & CB_EV_HAS_PID);
    cr_assert_eq(e->pid, 3660u);
    cr_assert_eq(e->tid, 7992u);
    cr_assert_eq(e->flags & CB_EV_TIME_ASSUMED, 0u);
    /* 2024-11-15T01:58:12.9051234Z: all seven fraction digits kept */
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + HMS(1, 58, 12), 9051234));
    cr_assert_eq(source_event(src, 1)->level, CB_LEVEL_WARNING);
    cr_assert_eq(source_event(src, 2)->level, CB_LEVEL_ERROR);
    /* interned: equal strings are the same pointer */
    cr_assert_eq(source_event(src, 0)->channel, source_event(src, 1)->channel);
    cr_assert_eq(source_event(src, 0)->host, source_event(src, 3)->host);
    cr_assert_str_eq(src->time_basis, "UTC (SystemTime)");
}

Test(evtx_xml, named_data_become_fields_and_make_the_message)
{
    const struct cb_source *src = parse_fixture("hv-node1_wevtutil.xml", 0);
    const struct cb_event *e = source_event(src, 0);
    expect_event_field(e, "NodeName", "HV-NODE2");
    expect_event_field(e, "NodeId", "2");
    cr_assert_str_eq(e->fields[0].name, "NodeName", "data fields first");
    cr_assert_str_eq(e->message, "NodeName: HV-NODE2; NodeId: 2",
                     "no RenderingInfo: the message lists the data");
    e = source_event(src, 1);
    expect_event_field(e, "ErrorCode",
                       "STATUS_CONNECTION_DISCONNECTED(c000020c)");
    cr_assert_null(event_field(e, "Qualifiers"), "no Qualifiers attribute");
}

Test(evtx_xml, unnamed_data_are_keyed_by_position_and_qualifiers_kept)
{
    const struct cb_source *src = parse_fixture("hv-node2_eventviewer.xml", 0);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->event_id, 6008u,
                 "the EventID as shown, without the qualifiers");
    expect_event_field(e, "Qualifiers", "32768");
    expect_event_field(e, "1", "1:58:09 AM");
    expect_event_field(e, "2", "11/15/2024");
    expect_event_field(e, "3", "");
    expect_event_field(e, "5", "18221");
    expect_event_field(e, "7", "");
    cr_assert_null(event_field(e, "8"), "seven <Data> elements");
    expect_event_field(e, "Binary", "E8070B0005000F0001003A0009000000E807");
    cr_assert_eq(e->flags & CB_EV_HAS_PID, 0u, "no Execution element");
    cr_assert_null(event_field(e, "UserID"), "<Security/> has no UserID");
}

Test(evtx_xml, userdata_leaves_become_fields_named_by_element)
{
    const struct cb_source *src = parse_fixture("hv-node1_wevtutil.xml", 0);
    const struct cb_event *e = source_event(src, 2);
    cr_assert_str_eq(e->provider, "Microsoft-Windows-Hyper-V-VMMS");
    cr_assert_str_eq(e->channel, "Microsoft-Windows-Hyper-V-VMMS-Admin");
    expect_event_field(e, "VmName", "VM-SQL01");
    expect_event_field(e, "VmId", "5C3A1F0E-8D2B-4B7A-9E61-2F4D8C7B1A90");
    expect_event_field(e, "ErrorMessage", "%%2147500036");
    expect_event_field(e, "ErrorCode", "0x80004004");
    cr_assert_null(event_field(e, "VmlEventLog"), "the wrapper is not a leaf");
    expect_event_field(e, "UserID", "S-1-5-18");
}

Test(evtx_xml, channel_comes_only_from_system_never_from_userdata)
{
    const struct cb_source *src = parse_fixture("hv-node2_eventviewer.xml", 0);
    const struct cb_event *e = source_event(src, 1);
    cr_assert_eq(e->event_id, 104u);
    cr_assert_str_eq(e->channel, "System");
    expect_event_field(e, "Channel", "Microsoft-Windows-Hyper-V-VMMS-Admin");
    expect_event_field(e, "SubjectUserName", "svc-backup");
    expect_event_field(e, "BackupPath", "");
}

Test(evtx_xml, rendering_info_message_is_the_message)
{
    const struct cb_source *src = parse_fixture("hv-node2_eventviewer.xml", 0);
    cr_assert_str_eq(source_event(src, 0)->message,
                     "The previous system shutdown at "
                     "1:58:09 AM on 11/15/2024 was "
                     "unexpected.");
    cr_assert_str_eq(source_event(src, 1)->message,
                     "The Microsoft-Windows-Hyper-V-"
                     "VMMS-Admin log file was cleared.");
    /* &#13; then a line feed: CR LF, as the provider wrote it */
    const char *m = source_event(src, 2)->message;
    cr_assert(strncmp(m, "The Cluster service is shutting down", 36) == 0);
    cr_assert_not_null(strstr(m, "witness disk.\r\nRun the Validate"), "%s", m);
    cr_assert_null(event_field(source_event(src, 2), "Message"),
                   "RenderingInfo is not data");
}

Test(evtx_xml, events_document_with_bom_and_declaration_reads_cleanly)
{
    fixture("hv-node2_eventviewer.xml");
    size_t len = file_len + 3;
    char *bom = malloc(len);
    memcpy(bom, "\xEF\xBB\xBF", 3);
    memcpy(bom + 3, file_data, file_len);
    const struct cb_source *src = parse_bytes("x.xml", bom, len, 0);
    cr_assert_str_eq(src->format, "evtx-xml");
    cr_assert_eq(src->nevents, 3u);
    cr_assert_eq(count_warnings(src), 0u, "%s",
                 src->warnings ? src->warnings->msg : "");
    cr_assert_eq(source_event(src, 0)->origin,
                 3 + nth_event_offset(file_data, file_len, 0),
                 "offsets count the BOM and the declaration");
    cr_assert_str_eq(source_event(src, 2)->host, "HV-NODE2");
    free(bom);
}

Test(evtx_xml, times_with_0_to_9_digits_z_and_offsets_become_utc)
{
    static const struct {
        const char *text;
        cb_time want;
    } t[] = {
        {"2024-11-15T01:58:12Z", TICKS(D_2024_11_15 + HMS(1, 58, 12), 0)},
        {"2024-11-15T01:58:12.5Z",
         TICKS(D_2024_11_15 + HMS(1, 58, 12), 5000000)},
        {"2024-11-15T01:58:12.9051234Z",
         TICKS(D_2024_11_15 + HMS(1, 58, 12), 9051234)},
        {"2024-11-15T01:58:12.905123456Z", /* digits 8 and 9 dropped */
         TICKS(D_2024_11_15 + HMS(1, 58, 12), 9051234)},
        {"2024-11-15T01:58:12.25+02:00", /* = 23:58:12.25 the day before */
         TICKS(D_2024_11_15 - 86400 + HMS(23, 58, 12), 2500000)},
        {"2024-11-15T01:58:12-0530", TICKS(D_2024_11_15 + HMS(7, 28, 12), 0)},
        {"2024-11-15T01:58:12.100", /* no zone: SystemTime is UTC */
         TICKS(D_2024_11_15 + HMS(1, 58, 12), 1000000)},
    };
    size_t n = sizeof t / sizeof *t;
    char *doc = strdup("");
    for (size_t i = 0; i < n; i++) {
        char *e = event_xml(t[i].text, "4", ""), *d;
        cr_assert_gt(asprintf(&d, "%s%s", doc, e), 0);
        free(doc);
        free(e);
        doc = d;
    }
    const struct cb_source *src = parse_text(doc);
    free(doc);
    cr_assert_eq(src->nevents, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(source_event(src, i)->ts, t[i].want, "%s", t[i].text);
}

Test(evtx_xml, record_without_a_usable_time_is_skipped_with_a_warning)
{
    char *a = event_xml("yesterday", "2", ""),
         *b = event_xml("2024-11-15T01:58:12.9051234Z", "2", ""), *d;
    cr_assert_gt(asprintf(&d, "%s%s", a, b), 0);
    const struct cb_source *src = parse_text(d);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(source_event(src, 0)->origin, strlen(a));
    expect_warning(src, "bad SystemTime 'yesterday'");
    const struct cb_warning *w = expect_warning(src, "no usable TimeCreated");
    cr_assert_eq(w->where_kind, CB_WHERE_OFFSET);
    cr_assert_eq(w->where, 0u);
    free(a);
    free(b);
    free(d);
}

Test(evtx_xml, levels_map_to_windows_levels_and_unknown_is_info)
{
    static const struct {
        const char *level;
        uint8_t want;
    } t[] = {{"0", CB_LEVEL_INFO},  {"1", CB_LEVEL_CRITICAL},
             {"2", CB_LEVEL_ERROR}, {"3", CB_LEVEL_WARNING},
             {"4", CB_LEVEL_INFO},  {"5", CB_LEVEL_VERBOSE},
             {"16", CB_LEVEL_INFO}, {"x", CB_LEVEL_INFO}};
    size_t n = sizeof t / sizeof *t;
    char *doc = strdup("");
    for (size_t i = 0; i < n; i++) {
        char *e = event_xml("2024-11-15T01:58:12Z", t[i].level, ""), *d;
        cr_assert_gt(asprintf(&d, "%s%s", doc, e), 0);
        free(doc);
        free(e);
        doc = d;
    }
    const struct cb_source *src = parse_text(doc);
    free(doc);
    cr_assert_eq(src->nevents, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(source_event(src, i)->level, t[i].want, "Level %s",
                     t[i].level);
}

Test(evtx_xml, crlf_inside_data_is_kept_and_lf_stays_lf)
{
    char *e = event_xml("2024-11-15T01:58:12Z", "4",
                        "<EventData><Data Name='a'>one\r\ntwo</Data>"
                        "<Data Name='b'>three\nfour</Data>"
                        "<Data Name='c'>&lt;x&gt; &amp; &#x41;</Data>"
                        "<Data Name='d'><![CDATA[<raw>]]></Data>"
                        "</EventData>");
    const struct cb_source *src = parse_text(e);
    free(e);
    expect_event_field(source_event(src, 0), "a", "one\r\ntwo");
    expect_event_field(source_event(src, 0), "b", "three\nfour");
    expect_event_field(source_event(src, 0), "c", "<x> & A");
    expect_event_field(source_event(src, 0), "d", "<raw>");
}

Test(evtx_xml, text_and_comments_between_events_are_ignored)
{
    char *a = event_xml("2024-11-15T01:58:12Z", "4", ""),
         *b = event_xml("2024-11-15T01:58:13Z", "4", ""), *d;
    cr_assert_gt(asprintf(&d,
                          "PS C:\\> Get-WinEvent ...\r\n%s<!-- x -->\r\n"
                          "<?pi data?>%s",
                          a, b),
                 0);
    const struct cb_source *src = parse_text(d);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(count_warnings(src), 0u);
    free(a);
    free(b);
    free(d);
}

/* ---- hostile input ----------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(evtx_xml, entity_bomb_ends_at_once_with_a_warning, .timeout = 10)
{
    double t0 = now_s();
    const struct cb_source *src = parse_fixture("billion_laughs.xml", 1);
    double took = now_s() - t0;
    cr_assert_lt(took, 1.0, "took %.3f s", took);
    const struct cb_warning *w = expect_warning(src, "DOCTYPE");
    cr_assert_eq(w->where, 0u, "the DOCTYPE starts the file");
    cr_assert_eq(src->nevents, 1u, "the event using &lol9; is dropped");
    cr_assert_eq(source_event(src, 0)->event_id, 32086u,
                 "the one after it is kept");
    expect_warning(src, "undefined entity");
    expect_nowhere(src, "lol");
}

Test(evtx_xml, entity_declared_after_a_declaration_is_not_expanded)
{
    const char *doc =
        "<?xml version='1.0'?>\n<!DOCTYPE Events [<!ENTITY big \"AAAA\">]>\n"
        "<Events>" EV_OPEN "<System><TimeCreated SystemTime='2024-11-15T"
        "01:58:12Z'/></System><EventData><Data>&big;</Data></EventData>"
        "</Event></Events>";
    const struct cb_source *src = parse_text(doc);
    cr_assert_eq(src->nevents, 0u);
    expect_warning(src, "DOCTYPE");
    expect_nowhere(src, "AAAA");
}

Test(evtx_xml, external_entity_is_never_fetched)
{
    char path[] = "/tmp/cb_xxe_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char secret[] = "SECRET-CONTENT-4711";
    cr_assert_eq(write(fd, secret, sizeof secret - 1),
                 (ssize_t)(sizeof secret - 1));
    close(fd);
    char *good = event_xml("2024-11-15T01:58:13Z", "4", "");
    char *doc;
    cr_assert_gt(
        asprintf(&doc,
                 "<!DOCTYPE Event [<!ENTITY xxe SYSTEM \"file://%s\">"
                 "<!ENTITY xxe2 SYSTEM \"%s\">]>\n" EV_OPEN
                 "<System><TimeCreated SystemTime='2024-11-15T01:58:12Z'/>"
                 "</System><EventData><Data Name='a'>&xxe;</Data><Data "
                 "Name='b'>&xxe2;</Data></EventData></Event>\n%s",
                 path, path, good),
        0);
    const struct cb_source *src = parse_text(doc);
    unlink(path);
    expect_nowhere(src, "SECRET");
    cr_assert_eq(src->nevents, 1u, "only the event without references");
    cr_assert_eq(source_event(src, 0)->ts,
                 TICKS(D_2024_11_15 + HMS(1, 58, 13), 0));
    expect_warning(src, "DOCTYPE");
    free(good);
    free(doc);
}

Test(evtx_xml, deep_nesting_is_refused_and_the_next_event_kept)
{
    size_t depth = 200;
    size_t cap = depth * 8 + 4096;
    char *doc = malloc(cap);
    size_t n = (size_t)snprintf(doc, cap, "%s",
                                EV_OPEN "<System><TimeCreated SystemTime='"
                                        "2024-11-15T01:58:12Z'/></System>"
                                        "<UserData>");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)snprintf(doc + n, cap - n, "<a>");
    char *good = event_xml("2024-11-15T01:58:13Z", "4", "");
    snprintf(doc + n, cap - n, "\n%s", good);
    const struct cb_source *src = parse_text(doc);
    expect_warning(src, "nested deeper than 64");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(source_event(src, 0)->ts,
                 TICKS(D_2024_11_15 + HMS(1, 58, 13), 0));
    free(good);
    free(doc);
}

Test(evtx_xml, data_beyond_the_event_budget_is_dropped_with_a_warning)
{
    size_t big = (1u << 20) + 100;
    char *doc = malloc(big + 1024);
    int n = snprintf(doc, 1024,
                     EV_OPEN "<System><TimeCreated SystemTime='2024-11-15T"
                             "01:58:12Z'/></System><EventData><Data "
                             "Name='small'>ok</Data><Data Name='huge'>");
    memset(doc + n, 'x', big);
    strcpy(doc + n + big, "</Data></EventData></Event>");
    const struct cb_source *src = parse_text(doc);
    cr_assert_eq(src->nevents, 1u, "the event itself is kept");
    expect_event_field(source_event(src, 0), "small", "ok");
    cr_assert_null(event_field(source_event(src, 0), "huge"));
    expect_warning(src, "more than 1048576 bytes");
    free(doc);
}

Test(evtx_xml, markup_that_never_ends_is_skipped_without_buffering_it_all)
{
    size_t big = 3u << 20;
    char *good = event_xml("2024-11-15T01:58:13Z", "4", "");
    size_t glen = strlen(good);
    char *doc = malloc(big + glen + 64);
    memcpy(doc, "<!-- ", 5);
    memset(doc + 5, 'c', big);
    memcpy(doc + 5 + big, " -->\n", 5);
    memcpy(doc + 10 + big, good, glen + 1);
    const struct cb_source *src = parse_text(doc);
    expect_warning(src, "no markup completed");
    cr_assert_eq(src->nevents, 1u, "the event after the comment is kept");
    free(good);
    free(doc);
}

/* ---- damage ------------------------------------------------------------ */

Test(evtx_xml, invalid_character_warns_at_its_offset_and_keeps_the_rest)
{
    const struct cb_source *src = parse_fixture("invalid_char.xml", 0);
    const char *bad = memchr(file_data, '\x01', file_len);
    cr_assert_not_null(bad);
    uint64_t at = (uint64_t)(bad - file_data);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(source_event(src, 0)->event_id, 1135u, "the event before");
    cr_assert_eq(source_event(src, 1)->event_id, 32086u, "the event after");
    const struct cb_warning *w = expect_warning(src, "not well-formed");
    cr_assert_eq(w->where_kind, CB_WHERE_OFFSET);
    cr_assert_eq(w->where, at);
    char want[64];
    snprintf(want, sizeof want, "record at offset %llu is dropped",
             (unsigned long long)nth_event_offset(file_data, file_len, 1));
    cr_assert_not_null(strstr(w->msg, want), "%s", w->msg);
    cr_assert_eq(count_warnings(src), 1u);
}

Test(evtx_xml, damage_spread_over_a_large_stream_loses_only_damaged_records)
{
    /* ~1 MB: many 64 KiB reads and window slides; every 97th record
     * carries a control character, each at a different chunk position */
    enum { N = 4000, EVERY = 97 };
    size_t cap = (size_t)N * 400, n = 0;
    char *doc = malloc(cap);
    for (int i = 1; i <= N; i++)
        n += (size_t)snprintf(
            doc + n, cap - n,
            EV_OPEN "<System><EventID>%d</EventID><TimeCreated SystemTime='"
                    "2024-11-15T01:%02d:%02d.%07dZ'/><EventRecordID>%d"
                    "</EventRecordID></System><EventData><Data Name='v'>%s"
                    "%.*s</Data></EventData></Event>\r\n",
            i % 65536, i / 60 % 60, i % 60, i, i,
            i % EVERY == 0 ? "bad\x01" : "ok", i % 150,
            "pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-"
            "pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-"
            "pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-pad-");
    const struct cb_source *src = parse_bytes("big.xml", doc, n, 0);
    cr_assert_str_eq(src->format, "evtx-xml");
    cr_assert_eq(src->nevents, (size_t)(N - N / EVERY));
    cr_assert_eq(src->nwarnings, (unsigned)(N / EVERY));
    uint64_t want = 1;
    for (size_t i = 0; i < src->nevents; i++, want++) {
        if (want % EVERY == 0)
            want++;
        const struct cb_event *e = source_event(src, i);
        cr_assert_eq(e->record_id, want);
        char probe[32];
        int k = snprintf(probe, sizeof probe, "<EventRecordID>%llu<",
                         (unsigned long long)want);
        cr_assert_lt(e->origin, n);
        size_t span = n - e->origin < 400 ? n - e->origin : 400;
        cr_assert(memmem(doc + e->origin, span, probe, (size_t)k) != NULL,
                  "origin of record %llu", (unsigned long long)want);
        cr_assert_eq(memcmp(doc + e->origin, "<Event ", 7), 0);
    }
    free(doc);
}

Test(evtx_xml, truncated_document_keeps_the_complete_records)
{
    const struct cb_source *src = parse_fixture("truncated.xml", 0);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(source_event(src, 0)->event_id, 1135u);
    const struct cb_warning *w = expect_warning(src, "truncated");
    cr_assert_eq(w->where, nth_event_offset(file_data, file_len, 1),
                 "the warning names the cut record");
}

Test(evtx_xml, record_cut_short_by_the_next_event_is_dropped_alone)
{
    const struct cb_source *src = parse_fixture("cut_record.xml", 0);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(source_event(src, 0)->event_id, 1135u);
    cr_assert_eq(source_event(src, 1)->event_id, 32022u);
    expect_event_field(source_event(src, 1), "VmName", "VM-SQL01");
    const struct cb_warning *w = expect_warning(src, "cut short");
    cr_assert_eq(w->where, nth_event_offset(file_data, file_len, 1));
    cr_assert_eq(source_event(src, 1)->origin,
                 nth_event_offset(file_data, file_len, 2));
}

Test(evtx_xml, events_after_a_resync_inside_an_events_document_are_kept)
{
    char *a = event_xml("2024-11-15T01:58:12Z", "4", ""),
         *b = event_xml("2024-11-15T01:58:13Z", "4", ""), *d;
    cr_assert_gt(asprintf(&d, "<Events>%s<bad<%s</Events>", a, b), 0);
    const struct cb_source *src = parse_text(d);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(count_warnings(src), 1u,
                 "one for the damage, none for </Events> after it");
    free(a);
    free(b);
    free(d);
}

Test(evtx_xml, empty_and_foreign_input_give_no_events_and_no_crash)
{
    const struct cb_source *src = parse_bytes("e.xml", "", 0, 1);
    cr_assert_eq(src->nevents, 0u);
    size_t len;
    char *log = clusterlog_lines(1, 20, &len);
    src = parse_bytes("n_cluster.log", log, len, 1);
    cr_assert_eq(src->nevents, 0u);
    free(log);
    src = parse_bytes("z.xml", "\0\0\0\0<<<&&&", 11, 1);
    cr_assert_eq(src->nevents, 0u);
}

Test(evtx_xml, every_allocation_failure_is_reported_never_a_crash)
{
    /* fail the 1st, 2nd, ... allocation made while parsing: each run ends
     * with CB_OK or CB_E_NOMEM (ASan checks that nothing leaks) */
    fixture("hv-node1_wevtutil_utf16.xml");
    int completed = 0;
    for (unsigned long n = 1; n < 400 && completed < 5; n++) {
        struct cb_analysis *a = cb_analysis_create_all(NULL);
        cr_assert_not_null(a);
        cb_alloc_fail_after(n);
        enum cb_status st = cb_ingest_leaf_memory(
            a, "x.xml", file_data, file_len, cb_parser_find("evtx-xml"));
        cb_alloc_fail_after(0);
        cr_assert(st == CB_OK || st == CB_E_NOMEM, "n=%lu: %d", n, (int)st);
        if (st == CB_OK && a->nsources == 1 && a->sources[0]->nevents == 4)
            completed++;
        cb_analysis_destroy(&a);
    }
    cr_assert_eq(completed, 5, "the failure points were all passed");
}

/* ---- UTF-16 ------------------------------------------------------------ */

Test(evtx_xml, utf16le_with_bom_reads_like_its_utf8_original)
{
    const struct cb_source *u8 = parse_fixture("hv-node1_wevtutil.xml", 0);
    fixture("hv-node1_wevtutil_utf16.xml");
    cr_assert_eq((unsigned char)file_data[0], 0xFF);
    const struct cb_source *u16 =
        parse_bytes("HV-NODE1_evt.xml", file_data, file_len, 0);
    cr_assert_str_eq(u16->format, "evtx-xml", "detected");
    cr_assert_eq(u16->nevents, 4u);
    cr_assert_eq(count_warnings(u16), 0u);
    for (size_t i = 0; i < 4; i++) {
        const struct cb_event *a = source_event(u8, i),
                              *b = source_event(u16, i);
        cr_assert_eq(a->ts, b->ts);
        cr_assert_eq(a->event_id, b->event_id);
        cr_assert_eq(a->provider, b->provider);
        cr_assert_eq(a->host, b->host);
        cr_assert_str_eq(a->message, b->message);
    }
}

Test(evtx_xml, utf16le_without_bom_and_with_non_ascii_text)
{
    /* "é" (U+00E9) and "€" (U+20AC) in UTF-16LE become UTF-8 */
    const char *text = EV_OPEN "<System><TimeCreated SystemTime='2024-11-"
                               "15T01:58:12Z'/></System><EventData><Data>"
                               "caf\x01 \x02</Data></EventData></Event>";
    size_t n = strlen(text);
    unsigned char *w = malloc(2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned cu = text[i] == 1   ? 0xE9
                      : text[i] == 2 ? 0x20AC
                                     : (unsigned char)text[i];
        w[2 * i] = (unsigned char)(cu & 0xFF);
        w[2 * i + 1] = (unsigned char)(cu >> 8);
    }
    const struct cb_source *src = parse_bytes("w.xml", w, 2 * n, 0);
    cr_assert_str_eq(src->format, "evtx-xml");
    cr_assert_eq(src->nevents, 1u);
    expect_event_field(source_event(src, 0), "1", "caf\xC3\xA9 \xE2\x82\xAC");
    free(w);
}

/* ---- detection --------------------------------------------------------- */

static const char *detected(const void *head, size_t len, const char *name)
{
    const struct cb_parser_ops *ops = NULL;
    struct cb_error err = {0};
    if (cb_parser_detect(head, len, name, &ops, &err) != CB_OK)
        return "none";
    return ops->name;
}

Test(evtx_xml, detection_claims_event_xml_and_nothing_else)
{
    const char *rootless = EV_OPEN "<System>";
    cr_assert_str_eq(detected(rootless, strlen(rootless), "a.txt"), "evtx-xml");
    const char *dq = "<Event xmlns=\"" NS "\"><System>";
    cr_assert_str_eq(detected(dq, strlen(dq), "a"), "evtx-xml");
    const char *doc = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\" "
                      "standalone=\"yes\"?>\r\n<Events>\r\n" EV_OPEN;
    cr_assert_str_eq(detected(doc, strlen(doc), "a.xml"), "evtx-xml");
    fixture("hv-node1_wevtutil_utf16.xml");
    cr_assert_str_eq(detected(file_data, file_len, "a.xml"), "evtx-xml");
    /* not ours */
    size_t len;
    char *log = clusterlog_lines(1, 3, &len);
    cr_assert_str_eq(detected(log, len, "HV-NODE1_cluster.log"), "clusterlog");
    cr_assert_str_eq(detected(log, len, "events.xml"), "clusterlog");
    free(log);
    const char *other_ns = "<Event xmlns='urn:other'><System>";
    cr_assert_str_eq(detected(other_ns, strlen(other_ns), "a.xml"), "none");
    const char *other = "<?xml version='1.0'?><Objs Version='1.1.0.1'>";
    cr_assert_str_eq(detected(other, strlen(other), "a.xml"), "none");
    const char *text = "Event[0]:\r\n  Log Name: System\r\n";
    cr_assert_str_eq(detected(text, strlen(text), "a.txt"), "evtx-text");
    cr_assert_str_eq(detected("", 0, "a.xml"), "none");
    const struct cb_parser_ops *x = cb_parser_find("evtx-xml");
    cr_assert_not_null(x);
    cr_assert_eq(x->bid((const unsigned char *)"\xFF\xFE", 2, NULL), 0,
                 "a bare BOM is not enough");
}

/* ---- the real EvtRender output of the shared corpus -------------------- */

static const struct cb_source *corpus_file(const char *name)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    char path[1024];
    snprintf(path, sizeof path, "%s/xml/%s", dir, name);
    free(file_data);
    file_data = slurp(path, &file_len);
    if (!file_data)
        cr_skip_test("%s not in the corpus: skipped", path);
    const struct cb_source *src = parse_bytes(name, file_data, file_len, 0);
    cr_assert_str_eq(src->format, "evtx-xml", "detected");
    cr_assert_eq(count_warnings(src), 0u);
    return src;
}

Test(evtx_xml, corpus_windows_error_reporting_event)
{
    const struct cb_source *src =
        corpus_file("beats__application-windows-error-reporting.xml");
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(e->provider, "Windows Error Reporting");
    cr_assert_eq(e->event_id, 1001u);
    expect_event_field(e, "Qualifiers", "0");
    cr_assert_str_eq(e->channel, "Application");
    cr_assert_str_eq(e->host, "VAGRANT");
    expect_event_field(e, "Computer", "vagrant");
    cr_assert_eq(e->record_id, 420107u);
    cr_assert_eq(e->level, CB_LEVEL_INFO);
    /* 2020-02-18T02:52:37.1211986Z */
    cr_assert_eq(e->ts, TICKS(D_2020_02_18 + HMS(2, 52, 37), 1211986));
    expect_event_field(e, "3", "WindowsWcpOtherFailure3");
    expect_event_field(e, "11", "0xaad0d4fb");
    /* the 16th <Data> spans 18 lines with CRLF inside: kept as written */
    const char *files = event_field(e, "16");
    cr_assert_not_null(files);
    cr_assert(strncmp(files, "\r\n\\\\?\\C:\\Windows\\Logs\\CBS\\CBS.log\r\n",
                      35) == 0,
              "%.60s", files);
    unsigned crlf = 0, lf = 0;
    for (const char *c = files; *c; c++) {
        lf += *c == '\n';
        crlf += *c == '\n' && c > files && c[-1] == '\r';
    }
    cr_assert_eq(crlf, 17u);
    cr_assert_eq(lf, 17u, "every line break is a CRLF");
    cr_assert(strstr(files, "WERCAD4.tmp.WERDataCollectionStatus.txt") != NULL);
    expect_event_field(e, "20", "5e9de0ad-0fa4-4daa-aec1-8127dc88e6c7");
    expect_event_field(e, "22", "");
    expect_event_field(e, "23", "0");
    cr_assert_null(event_field(e, "24"), "23 <Data> elements");
}

Test(evtx_xml, corpus_two_system_events_in_one_rootless_file)
{
    const struct cb_source *src = corpus_file("beats__ec3and4.xml");
    cr_assert_eq(src->nevents, 2u);
    const struct cb_event *a = source_event(src, 0), *b = source_event(src, 1);
    cr_assert_str_eq(a->provider, "Backup");
    cr_assert_str_eq(b->provider, "system");
    cr_assert_eq(a->event_id, 5u);
    cr_assert_eq(b->event_id, 5u);
    cr_assert_eq(a->record_id, 1414u);
    cr_assert_eq(b->record_id, 1413u);
    cr_assert_eq(a->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(a->channel, "System");
    cr_assert_str_eq(b->host, "VAGRANT");
    cr_assert_str_eq(a->message, "1: Backup failure");
    cr_assert_str_eq(b->message, "1: Catastrophe!");
    expect_event_field(a, "UserID",
                       "S-1-5-21-2297499104-2362337018-4092230427-1000");
    cr_assert(a->flags & CB_EV_HAS_PID);
    cr_assert_eq(a->pid, 0u);
    /* 02:03:11.8616638Z and 02:03:11.5455572Z */
    cr_assert_eq(a->ts, TICKS(D_2022_03_22 + HMS(2, 3, 11), 8616638));
    cr_assert_eq(b->ts, TICKS(D_2022_03_22 + HMS(2, 3, 11), 5455572));
    cr_assert_eq(b->origin, nth_event_offset(file_data, file_len, 1));
}
