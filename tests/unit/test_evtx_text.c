/*
 * test_evtx_text.c - the wevtutil /f:text parser (parsers/evtx_text.c) fed
 * through cb_ingest_leaf_memory: fixtures in tests/data/text (see its
 * README) and small exports written inline.
 *
 * Dates in these exports have no zone and are taken as UTC as written:
 * FILETIME ticks = Unix seconds * 10^7 + 100 ns units + 116444736000000000,
 * 2024-11-15T00:00:00 is Unix 1731628800.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

#define TICKS(unix_s, u100ns)                                                  \
    ((cb_time)(unix_s)*10000000LL + (cb_time)(u100ns) + 116444736000000000LL)
#define D_2024_11_15 1731628800LL
#define HMS(h, m, s) ((h)*3600LL + (m)*60LL + (s))

#define BASIS "local time of the exporting machine, assumed UTC"

static struct cb_analysis *an;
static char *file_data;
static size_t file_len;

static void teardown(void)
{
    cb_analysis_destroy(&an);
    free(file_data);
    file_data = NULL;
}

TestSuite(evtx_text, .fini = teardown);

/* ---- helpers ----------------------------------------------------------- */

static const char *fixture(const char *name)
{
    const char *dir = getenv("CB_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/text/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "fixture %s missing", path);
    free(file_data);
    size_t cap = 1 << 16, got;
    file_data = malloc(cap);
    file_len = 0;
    while ((got = fread(file_data + file_len, 1, cap - file_len, f)) > 0) {
        file_len += got;
        if (file_len == cap)
            file_data = realloc(file_data, cap *= 2);
    }
    fclose(f);
    return file_data;
}

static const struct cb_source *parse_bytes(const char *name, const void *data,
                                           size_t len, int forced)
{
    if (!an)
        an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    size_t before = an->nsources;
    cr_assert_eq(
        cb_ingest_leaf_memory(an, name, data, len,
                              forced ? cb_parser_find("evtx-text") : NULL),
        CB_OK);
    cr_assert_eq(an->nsources, before + 1);
    return an->sources[before];
}

static const struct cb_source *parse_fixture(const char *name)
{
    fixture(name);
    const struct cb_source *src = parse_bytes(name, file_data, file_len, 0);
    cr_assert_str_eq(src->format, "evtx-text", "detected by its bytes");
    return src;
}

static const struct cb_source *parse_text(const char *text)
{
    const struct cb_source *src =
        parse_bytes("inline.txt", text, strlen(text), 1);
    cr_assert_str_eq(src->format, "evtx-text");
    return src;
}

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

static unsigned count_warnings(const struct cb_source *src)
{
    unsigned n = 0;
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        n++;
    return n;
}

/* ASCII/UTF-8 text widened to UTF-16LE (every byte below 0x80). */
static unsigned char *widen(const char *s, size_t *len, int bom)
{
    size_t n = strlen(s), k = 0;
    unsigned char *w = malloc(2 * n + 2);
    if (bom) {
        w[k++] = 0xFF;
        w[k++] = 0xFE;
    }
    for (size_t i = 0; i < n; i++) {
        w[k++] = (unsigned char)s[i];
        w[k++] = 0;
    }
    *len = k;
    return w;
}

#define REC(n, date, body)                                                     \
    "Event[" #n "]:\r\n"                                                       \
    "  Log Name: System\r\n"                                                   \
    "  Source: Microsoft-Windows-FailoverClustering\r\n"                       \
    "  Date: " date "\r\n"                                                     \
    "  Event ID: 1135\r\n"                                                     \
    "  Task: Node Mgr\r\n"                                                     \
    "  Level: Critical\r\n"                                                    \
    "  Opcode: Info\r\n"                                                       \
    "  Keyword: N/A\r\n"                                                       \
    "  User: S-1-5-18\r\n"                                                     \
    "  User Name: NT AUTHORITY\\SYSTEM\r\n"                                    \
    "  Computer: HV-NODE1.contoso.local\r\n"                                   \
    "  Description: \r\n" body "\r\n\r\n"

/* ---- records ----------------------------------------------------------- */

Test(evtx_text, header_lines_give_the_event_and_its_fields)
{
    const struct cb_source *src = parse_fixture("hv-node1_system.txt");
    cr_assert_eq(src->nevents, 3u);
    cr_assert_str_eq(src->data_type, "windows:evtx:record");
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(e->channel, "System");
    cr_assert_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_assert(e->flags & CB_EV_HAS_EVENT_ID);
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert_str_eq(e->host, "HV-NODE1");
    /* issue 15 #4: the header's Computer, Task, Opcode ("Info"), User
     * ("S-1-5-18") are the System part, not data: a rule matching any
     * field took them for the removed node's name */
    cr_assert_eq(e->nfields, 0u, "no EventData in a text export");
    /* 2024-11-15T02:58:12.905, the exporting machine's clock */
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + HMS(2, 58, 12), 9050000));
    cr_assert(e->flags & CB_EV_TIME_ASSUMED);
    cr_assert_eq(e->flags & CB_EV_HAS_RECORD_ID, 0u,
                 "Event[N] is the export position, not EventRecordID");
    cr_assert_eq(e->flags & CB_EV_HAS_PID, 0u);
    cr_assert_str_eq(e->message,
                     "Cluster node 'HV-NODE2' was removed from the active "
                     "failover cluster membership. The Cluster service on "
                     "this node may have stopped. This could also be due "
                     "to the node having lost communication with other "
                     "active nodes in the failover cluster. Run the "
                     "Validate a Configuration wizard to check your network "
                     "configuration. If the condition persists, check for "
                     "hardware or software errors related to the network "
                     "adapters on this node. Also check for failures in any "
                     "other network components to which the node is "
                     "connected such as hubs, switches, or bridges.");
    cr_assert_eq(source_event(src, 1)->event_id, 5120u);
    cr_assert_eq(source_event(src, 1)->level, CB_LEVEL_WARNING);
    cr_assert_eq(source_event(src, 2)->level, CB_LEVEL_ERROR);
    cr_assert_eq(count_warnings(src), 0u);
}

Test(evtx_text, origin_is_the_line_of_the_event_header)
{
    const struct cb_source *src = parse_fixture("hv-node1_system.txt");
    cr_assert_eq(src->origin_is_line, 1);
    /* 13 header lines, one description line, one blank line each */
    cr_assert_eq(source_event(src, 0)->origin, 1u);
    cr_assert_eq(source_event(src, 1)->origin, 16u);
    cr_assert_eq(source_event(src, 2)->origin, 31u);
}

Test(evtx_text, time_basis_says_local_time_assumed_utc)
{
    const struct cb_source *src = parse_fixture("hv-node1_system.txt");
    cr_assert_str_eq(src->time_basis, BASIS);
}

Test(evtx_text, multi_line_description_keeps_its_inner_blank_line)
{
    const struct cb_source *src = parse_fixture("hv-node1_system.txt");
    const struct cb_event *e = source_event(src, 2);
    cr_assert_eq(e->event_id, 1069u);
    cr_assert_str_eq(
        e->message,
        "Cluster resource 'Virtual Machine VM-SQL01' of type 'Virtual "
        "Machine' in clustered role 'VM-SQL01' failed. The error code was "
        "'0x5b4' ('This operation returned because the timeout period "
        "expired.').\n\nBased on the failure policies for the resource and "
        "role, the cluster service may try to bring the resource online on "
        "this node or move the group to another node of the cluster and "
        "then restart it.  Check the resource and group state using "
        "Failover Cluster Manager or the Get-ClusterResource Windows "
        "PowerShell cmdlet.");
}

Test(evtx_text, description_may_start_on_its_own_line_and_lines_stay_apart)
{
    /* clang-format off */
    static const char text[] =
        REC(0, "2024-11-15T02:58:12.905", "first line\r\n  indented second")
        REC(1, "2024-11-15T02:58:13.000", "")
        "Event[2]:\r\n  Date: 2024-11-15T02:58:14\r\n"
        "  Description: on the label line\r\nand below\r\n";
    /* clang-format on */
    const struct cb_source *src = parse_text(text);
    cr_assert_eq(src->nevents, 3u);
    cr_assert_str_eq(source_event(src, 0)->message,
                     "first line\n  indented second");
    cr_assert_str_eq(source_event(src, 1)->message, "");
    cr_assert_str_eq(source_event(src, 2)->message,
                     "on the label line\nand below");
    cr_assert_eq(source_event(src, 2)->ts,
                 TICKS(D_2024_11_15 + HMS(2, 58, 14), 0));
}

Test(evtx_text, event_header_text_inside_a_description_does_not_split_it)
{
    const struct cb_source *src = parse_text(
        REC(0, "2024-11-15T02:58:12.905",
            "see Event[3]: in the other log\r\n Event[4]:\r\nEvent[5]: x"));
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(source_event(src, 0)->message,
                     "see Event[3]: in the other log\n Event[4]:\n"
                     "Event[5]: x");
}

Test(evtx_text, utf8_bom_is_skipped)
{
    const struct cb_source *src = parse_fixture("hv-node1_vmms_bom.txt");
    cr_assert_eq((unsigned char)file_data[0], 0xEF);
    cr_assert_eq(src->nevents, 2u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(e->channel, "Microsoft-Windows-Hyper-V-VMMS-Admin");
    cr_assert_str_eq(e->provider, "Microsoft-Windows-Hyper-V-VMMS");
    cr_assert_eq(e->event_id, 32022u);
    cr_assert_eq(e->level, CB_LEVEL_ERROR);
    cr_assert_eq(source_event(src, 1)->event_id, 32086u);
    cr_assert_str_eq(source_event(src, 1)->message,
                     "Hyper-V suspended replication for virtual machine "
                     "'VM-SQL01' due to a non-recoverable failure. (Virtual "
                     "Machine ID 5C3A1F0E-8D2B-4B7A-9E61-2F4D8C7B1A90)\n"
                     "Resume replication after correcting the failure.");
    cr_assert_eq(count_warnings(src), 0u);
}

Test(evtx_text, utf16le_with_bom_is_converted)
{
    const struct cb_source *src = parse_fixture("hv-node2_system_utf16.txt");
    cr_assert_eq((unsigned char)file_data[1], 0xFE);
    cr_assert_eq(src->nevents, 2u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->event_id, 6008u);
    cr_assert_str_eq(e->provider, "EventLog");
    cr_assert_str_eq(e->host, "HV-NODE2");
    cr_assert_eq(e->nfields, 0u);
    /* U+200E LEFT-TO-RIGHT MARK, as Windows puts into rendered dates */
    cr_assert_str_eq(e->message, "The previous system shutdown at 2:58:09 "
                                 "AM on \xE2\x80\x8E"
                                 "11/\xE2\x80\x8E"
                                 "15/\xE2\x80\x8E"
                                 "2024 was unexpected.");
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + HMS(3, 3, 41), 5000000));
    cr_assert_eq(source_event(src, 1)->event_id, 1177u);
    cr_assert_eq(source_event(src, 1)->origin, 16u, "lines count the same");
    cr_assert_eq(count_warnings(src), 0u);
}

Test(evtx_text, utf16le_without_bom_is_recognised)
{
    size_t len;
    unsigned char *w =
        widen(REC(0, "2024-11-15T02:58:12.905", "text"), &len, 0);
    const struct cb_source *src = parse_bytes("x.txt", w, len, 0);
    cr_assert_str_eq(src->format, "evtx-text");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(source_event(src, 0)->message, "text");
    cr_assert_eq(source_event(src, 0)->event_id, 1135u);
    free(w);
}

Test(evtx_text, utf16_line_longer_than_the_buffer_is_cut_safely)
{
    /* 1.2 M code units on one line, two thirds of them U+4E00 (three
     * UTF-8 bytes each): the conversion is asked for every size of read,
     * down to one byte, as the line buffer fills */
    const char *head = "Event[0]:\r\n  Date: 2024-11-15T02:58:12\r\n"
                       "  Description: \r\n";
    const char *tail = "\r\nEvent[1]:\r\n  Date: 2024-11-15T02:58:13\r\n"
                       "  Description: after\r\n";
    size_t units = 1200000, hl = strlen(head), tl = strlen(tail);
    size_t len = 2 + 2 * (hl + units + tl);
    unsigned char *w = malloc(len), *o = w;
    *o++ = 0xFF;
    *o++ = 0xFE;
    for (size_t i = 0; i < hl; i++, o += 2)
        o[0] = (unsigned char)head[i], o[1] = 0;
    unsigned r = 12345;
    for (size_t i = 0; i < units; i++, o += 2) {
        r = r * 1103515245u + 12345u;
        unsigned cu = (r >> 16) % 3 ? 0x4E00 : 'a';
        o[0] = (unsigned char)(cu & 0xFF), o[1] = (unsigned char)(cu >> 8);
    }
    for (size_t i = 0; i < tl; i++, o += 2)
        o[0] = (unsigned char)tail[i], o[1] = 0;
    const struct cb_source *src = parse_bytes("wide.txt", w, len, 0);
    cr_assert_str_eq(src->format, "evtx-text");
    cr_assert_eq(src->nevents, 2u);
    expect_warning(src, "line longer than");
    cr_assert_str_eq(source_event(src, 1)->message, "after");
    const char *m = source_event(src, 0)->message;
    cr_assert_gt(strlen(m), (size_t)1000000);
    cr_assert(m[0] == 'a' || memcmp(m, "\xE4\xB8\x80", 3) == 0,
              "starts with a whole character");
    free(w);
}

Test(evtx_text, utf16be_is_refused_with_a_clear_warning)
{
    const char *t = REC(0, "2024-11-15T02:58:12.905", "text");
    size_t n = strlen(t);
    unsigned char *w = malloc(2 * n + 2);
    w[0] = 0xFE;
    w[1] = 0xFF;
    for (size_t i = 0; i < n; i++) {
        w[2 + 2 * i] = 0;
        w[3 + 2 * i] = (unsigned char)t[i];
    }
    const struct cb_source *src = parse_bytes("be.txt", w, 2 * n + 2, 1);
    cr_assert_eq(src->nevents, 0u);
    expect_warning(src, "UTF-16BE");
    cr_assert(has_warning(an, "not parsed as evtx-text"));
    free(w);
}

/* ---- incomplete and damaged exports ------------------------------------ */

Test(evtx_text, missing_fields_are_tolerated_and_a_record_without_date_skipped)
{
    const struct cb_source *src = parse_fixture("missing_fields.txt");
    cr_assert_eq(src->nevents, 3u);
    const struct cb_warning *w = expect_warning(src, "no usable Date");
    cr_assert_eq(w->where_kind, CB_WHERE_LINE);
    cr_assert_eq(w->where, 1u);
    /* Event[1]: no Event ID, Level or Computer */
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(e->provider, "Service Control Manager");
    cr_assert_eq(e->flags & CB_EV_HAS_EVENT_ID, 0u);
    cr_assert_eq(e->level, CB_LEVEL_INFO);
    cr_assert_str_eq(e->host, "", "the file name gives no host either");
    cr_assert_eq(e->nfields, 0u);
    cr_assert_str_eq(e->message,
                     "The Cluster Service service terminated unexpectedly.");
    /* Event[2]: a level name that is not English, an empty description */
    e = source_event(src, 1);
    cr_assert_eq(e->event_id, 1146u);
    cr_assert_eq(e->level, CB_LEVEL_INFO);
    cr_assert_str_eq(e->message, "");
    expect_warning(src, "level 'Kritisch' not known");
    /* Event[3]: the file ends inside its description */
    e = source_event(src, 2);
    cr_assert_eq(e->event_id, 1205u);
    cr_assert_str_eq(e->message, "The Cluster service failed to bring "
                                 "clustered role 'VM-SQL01' completely "
                                 "online or off");
}

Test(evtx_text, bad_date_and_event_id_are_warned_about)
{
    const struct cb_source *src = parse_text(
        "Event[0]:\r\n  Date: 11/15/2024 2:58 AM\r\n  Description: a\r\n"
        "Event[1]:\r\n  Date: 2024-11-15T02:58:12.905\r\n"
        "  Event ID: 99999999999\r\n  Description: b\r\n");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(source_event(src, 0)->message, "b");
    cr_assert_eq(source_event(src, 0)->flags & CB_EV_HAS_EVENT_ID, 0u);
    const struct cb_warning *w = expect_warning(src, "bad Date");
    cr_assert_eq(w->where, 2u);
    w = expect_warning(src, "bad Event ID");
    cr_assert_eq(w->where, 6u);
}

Test(evtx_text, localized_labels_are_reported_once)
{
    const struct cb_source *src = parse_text(
        "Event[0]:\r\n  Protokollname: System\r\n  Quelle: EventLog\r\n"
        "  Datum: 2024-11-15T02:58:12.905\r\n  Beschreibung: \r\nx\r\n");
    cr_assert_eq(src->nevents, 0u, "no Date label understood");
    expect_warning(src, "label 'Protokollname' not understood");
    expect_warning(src, "5 header lines not understood");
}

Test(evtx_text, zoned_dates_are_used_as_given)
{
    const struct cb_source *src =
        parse_text(REC(0, "2024-11-15T01:58:12.905Z", "a")
                       REC(1, "2024-11-15T03:58:12+02:00", "b"));
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(source_event(src, 0)->ts,
                 TICKS(D_2024_11_15 + HMS(1, 58, 12), 9050000));
    cr_assert_eq(source_event(src, 1)->ts,
                 TICKS(D_2024_11_15 + HMS(1, 58, 12), 0));
    cr_assert_eq(source_event(src, 0)->flags & CB_EV_TIME_ASSUMED, 0u);
    cr_assert_str_eq(src->time_basis, "UTC (every Date carries a zone)");
}

Test(evtx_text, lines_before_the_first_record_are_counted)
{
    const struct cb_source *src =
        parse_text("PS C:\\> wevtutil qe System /f:text\r\n\r\nnoise\r\n" REC(
            0, "2024-11-15T02:58:12.905", "a"));
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(source_event(src, 0)->origin, 4u);
    expect_warning(src, "2 lines before the first Event[N]");
}

Test(evtx_text, long_description_is_cut_with_a_warning)
{
    size_t big = (1u << 20) + 10, line = 1000;
    char *doc = malloc(big + big / line * 2 + 4096);
    size_t n = (size_t)sprintf(doc, "Event[0]:\r\n  Date: 2024-11-15T02:58:12"
                                    "\r\n  Description: \r\n");
    for (size_t done = 0; done < big; done += line) {
        memset(doc + n, 'd', line);
        n += line;
        memcpy(doc + n, "\r\n", 2);
        n += 2;
    }
    n += (size_t)sprintf(doc + n, "Event[1]:\r\n  Date: 2024-11-15T02:58:13"
                                  "\r\n  Description: after\r\n");
    const struct cb_source *src = parse_bytes("long.txt", doc, n, 0);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_leq(strlen(source_event(src, 0)->message), (size_t)1 << 20);
    cr_assert_geq(strlen(source_event(src, 0)->message),
                  ((size_t)1 << 20) - line - 1);
    cr_assert_str_eq(source_event(src, 1)->message, "after");
    expect_warning(src, "longer than 1048576 bytes; cut");
    free(doc);
}

Test(evtx_text, many_records_stream_in_order)
{
    enum { N = 5000 };
    size_t cap = (size_t)N * 160, n = 0;
    char *doc = malloc(cap);
    for (int i = 0; i < N; i++)
        n += (size_t)snprintf(doc + n, cap - n,
                              "Event[%d]:\r\n  Source: S\r\n  Date: 2024-11-15"
                              "T%02d:%02d:%02d.%03d\r\n  Event ID: %d\r\n"
                              "  Description: \r\nrecord %d\r\nline two\r\n"
                              "\r\n",
                              i, i / 3600, i / 60 % 60, i % 60, i % 1000, i, i);
    const struct cb_source *src = parse_bytes("many.txt", doc, n, 0);
    cr_assert_eq(src->nevents, (size_t)N);
    for (int i = 0; i < N; i += 499) {
        char want[64];
        snprintf(want, sizeof want, "record %d\nline two", i);
        cr_assert_str_eq(source_event(src, (size_t)i)->message, want);
        cr_assert_eq(source_event(src, (size_t)i)->event_id, (uint32_t)i);
        cr_assert_eq(source_event(src, (size_t)i)->origin, (uint64_t)i * 8 + 1);
    }
    cr_assert_eq(count_warnings(src), 0u);
    free(doc);
}

Test(evtx_text, empty_and_foreign_input_give_no_events_and_no_crash)
{
    const struct cb_source *src = parse_bytes("e.txt", "", 0, 1);
    cr_assert_eq(src->nevents, 0u);
    size_t len;
    char *log = clusterlog_lines(1, 20, &len);
    src = parse_bytes("n_cluster.log", log, len, 1);
    cr_assert_eq(src->nevents, 0u);
    free(log);
    src = parse_bytes("odd.txt",
                      "\xFF\xFE"
                      "E\0v\0e\0n\0t\0[\0"
                      "0",
                      15, 1);
    cr_assert_eq(src->nevents, 0u);
}

Test(evtx_text, every_allocation_failure_is_reported_never_a_crash)
{
    fixture("hv-node2_system_utf16.txt");
    int completed = 0;
    for (unsigned long n = 1; n < 200 && completed < 5; n++) {
        struct cb_analysis *a = cb_analysis_create_all(NULL);
        cr_assert_not_null(a);
        cb_alloc_fail_after(n);
        enum cb_status st = cb_ingest_leaf_memory(
            a, "x.txt", file_data, file_len, cb_parser_find("evtx-text"));
        cb_alloc_fail_after(0);
        cr_assert(st == CB_OK || st == CB_E_NOMEM, "n=%lu: %d", n, (int)st);
        if (st == CB_OK && a->nsources == 1 && a->sources[0]->nevents == 2)
            completed++;
        cb_analysis_destroy(&a);
    }
    cr_assert_eq(completed, 5, "the failure points were all passed");
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

Test(evtx_text, detection_claims_wevtutil_text_and_nothing_else)
{
    const char *t0 = "Event[0]:\r\n  Log Name: System\r\n";
    cr_assert_str_eq(detected(t0, strlen(t0), "HV-NODE1_evt_System.txt"),
                     "evtx-text");
    const char *t1 = "\xEF\xBB\xBF\r\nEvent[1]:\n  Log Name: System\n";
    cr_assert_str_eq(detected(t1, strlen(t1), "x"), "evtx-text");
    size_t len;
    unsigned char *w = widen(t0, &len, 1);
    cr_assert_str_eq(detected(w, len, "x.txt"), "evtx-text");
    free(w);
    w = widen(t0, &len, 0);
    cr_assert_str_eq(detected(w, len, "x.txt"), "evtx-text");
    free(w);
    /* not ours */
    char *log = clusterlog_lines(1, 3, &len);
    cr_assert_str_eq(detected(log, len, "Event[0].txt"), "clusterlog");
    free(log);
    const char *x = "Event[x]:\r\n  Log Name: System\r\n";
    cr_assert_str_eq(detected(x, strlen(x), "a.txt"), "none");
    const char *later = "header\r\nEvent[0]:\r\n";
    cr_assert_str_eq(detected(later, strlen(later), "a.txt"), "none");
    const char *xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/"
                      "08/events/event'>";
    cr_assert_str_eq(detected(xml, strlen(xml), "a.txt"), "evtx-xml");
}
