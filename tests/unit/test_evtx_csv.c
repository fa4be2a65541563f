/*
 * test_evtx_csv.c - the event CSV parser (parsers/evtx_csv.c) fed through
 * cb_ingest_leaf_memory, with exports written inline in the shapes of
 * shared/kb/FORMATS.md: Export-Csv (with #TYPE, -UseCulture ';' and tab),
 * TSS, the cluster script's .Log, SDP and Event Viewer CSV.
 *
 * Expected times are written by hand as the wall clock of the exporting
 * machine ("as if UTC": the parser does not know the zone) and compared
 * with the event's time printed by cb_time_format_iso.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

static struct cb_analysis *an;

static void teardown(void)
{
    cb_analysis_destroy(&an);
}

TestSuite(evtx_csv, .fini = teardown);

/* ---- helpers ----------------------------------------------------------- */

static const struct cb_source *parse_named(const char *name, const void *data,
                                           size_t len, int forced)
{
    if (!an)
        an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    size_t before = an->nsources;
    cr_assert_eq(
        cb_ingest_leaf_memory(an, name, data, len,
                              forced ? cb_parser_find("evtx-csv") : NULL),
        CB_OK);
    cr_assert_eq(an->nsources, before + 1);
    return an->sources[before];
}

/* Detected by its bytes (not forced). */
static const struct cb_source *parse(const char *name, const char *text)
{
    const struct cb_source *src = parse_named(name, text, strlen(text), 0);
    cr_assert_str_eq(src->format, "evtx-csv", "%s detected as %s", name,
                     src->format);
    return src;
}

/* want: "YYYY-MM-DDTHH:MM:SS[.ffffff]" */
static void expect_time(const struct cb_event *e, const char *want)
{
    char buf[40];
    cb_time_format_iso(e->ts, buf, sizeof buf);
    size_t n = strlen(want);
    cr_assert(strncmp(buf, want, n) == 0, "time %s, want %s (line %llu)", buf,
              want, (unsigned long long)e->origin);
    if (n == 19)
        cr_assert_str_eq(buf + 19, ".000000+00:00", "time %s", buf);
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

static void expect_local(const struct cb_source *src)
{
    cr_assert_eq(src->time_kind, CB_TK_LOCAL);
    cr_assert_not_null(src->time_basis);
    cr_assert(strncmp(src->time_basis, "local", 5) == 0, "time basis %s",
              src->time_basis);
    cr_assert(strstr(src->time_basis, "offset unknown"), "time basis %s",
              src->time_basis);
    for (size_t i = 0; i < src->nevents; i++)
        cr_assert(src->events[i]->flags & CB_EV_TIME_ASSUMED);
}

/* UTF-8 (BMP only) to UTF-16LE with a BOM. */
static unsigned char *utf16le(const char *s, size_t *len)
{
    size_t n = strlen(s), k = 0;
    unsigned char *w = malloc(2 * n + 2);
    w[k++] = 0xFF;
    w[k++] = 0xFE;
    for (size_t i = 0; i < n;) {
        unsigned c = (unsigned char)s[i];
        if (c < 0x80) {
            i += 1;
        } else if ((c & 0xE0) == 0xC0) {
            c = (c & 0x1F) << 6 | ((unsigned char)s[i + 1] & 0x3F);
            i += 2;
        } else {
            c = (c & 0x0F) << 12 | ((unsigned char)s[i + 1] & 0x3F) << 6 |
                ((unsigned char)s[i + 2] & 0x3F);
            i += 3;
        }
        w[k++] = (unsigned char)(c & 0xFF);
        w[k++] = (unsigned char)(c >> 8);
    }
    *len = k;
    return w;
}

/* ---- locales ----------------------------------------------------------- */

/* TSS: Select LevelDisplayName,TimeCreated,ProviderName,ID,UserId,Message |
 * Export-Csv -UseCulture on a de-DE machine. */
static const char GERMAN[] =
    "\xEF\xBB\277\"LevelDisplayName\";\"TimeCreated\";\"ProviderName\";\"Id\";"
    "\"UserId\";\"Message\"\r\n"
    "\"Kritisch\";\"15.11.2024 01:52:07\";"
    "\"Microsoft-Windows-FailoverClustering\";\"1135\";\"S-1-5-18\";"
    "\"Der Clusterknoten \"\"HV-NODE2\"\" wurde entfernt.\"\r\n"
    "\"Fehler\";\"03.11.2024 23:05:59\";\"Microsoft-Windows-Hyper-V-VMMS\";"
    "\"20864\";\"\";\"Fehler beim Erstellen; Pr\xC3\274fpunkt.\"\r\n"
    "\"Warnung\";\"01.02.2024 00:00:01\";\"Service Control Manager\";"
    "\"7036\";\"\";\"Warnung\"\r\n"
    "\"Informationen\";\"29.02.2024 12:00:00\";\"EventLog\";\"6005\";\"\";"
    "\"Gestartet.\"\r\n";

Test(evtx_csv, german_semicolons_day_first_and_german_levels)
{
    const struct cb_source *src =
        parse("HV-NODE1_241115-101530_System.csv", GERMAN);
    cr_assert_eq(src->nevents, 4u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T01:52:07");
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_assert(e->flags & CB_EV_HAS_EVENT_ID);
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_str_eq(e->message, "Der Clusterknoten \"HV-NODE2\" wurde "
                                 "entfernt.");
    cr_assert_null(event_field(e, "User"), "the System part: no field");
    cr_assert_str_eq(e->channel, "System", "from the file name");
    cr_assert_str_eq(e->host, "HV-NODE1", "from the file name");
    cr_assert_eq(e->origin, 2u);
    e = source_event(src, 1);
    expect_time(e, "2024-11-03T23:05:59");
    cr_assert_eq(e->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(e->message, "Fehler beim Erstellen; Pr\xC3\274fpunkt.");
    cr_assert_null(event_field(e, "User"), "empty value, no field");
    e = source_event(src, 2);
    expect_time(e, "2024-02-01T00:00:01");
    cr_assert_eq(e->level, CB_LEVEL_WARNING);
    e = source_event(src, 3);
    expect_time(e, "2024-02-29T12:00:00");
    cr_assert_eq(e->level, CB_LEVEL_INFO);
    expect_local(src);
    cr_assert(strstr(src->time_basis, "day/month"), "%s", src->time_basis);
    cr_assert_null(warning(src, "assumed"));
}

Test(evtx_csv, french_spanish_italian_japanese_levels)
{
    static const char csv[] =
        "LevelDisplayName,TimeCreated,ProviderName,Id\r\n"
        "Critique,2024-11-15 10:00:00,P,1\r\n"
        "Erreur,2024-11-15 10:00:01,P,2\r\n"
        "Avertissement,2024-11-15 10:00:02,P,3\r\n"
        "Advertencia,2024-11-15 10:00:03,P,4\r\n"
        "Informaci\xC3\xB3n,2024-11-15 10:00:04,P,5\r\n"
        "Errore,2024-11-15 10:00:05,P,6\r\n"
        "Avviso,2024-11-15 10:00:06,P,7\r\n"
        "\xE3\x82\xA8\xE3\x83\xA9\xE3\x83\xBC,2024-11-15 10:00:07,P,8\r\n"
        "\xE8\xAD\xA6\xE5\x91\x8A,2024-11-15 10:00:08,P,9\r\n"
        "\xE9\x87\x8D\xE5\xA4\xA7,2024-11-15 10:00:09,P,10\r\n"
        "B\xC5\x82\xC4\205d,2024-11-15 10:00:10,P,11\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 11u);
    static const int want[] = {CB_LEVEL_CRITICAL,
                               CB_LEVEL_ERROR,
                               CB_LEVEL_WARNING,
                               CB_LEVEL_WARNING,
                               CB_LEVEL_INFO,
                               CB_LEVEL_ERROR,
                               CB_LEVEL_WARNING,
                               CB_LEVEL_ERROR,
                               CB_LEVEL_WARNING,
                               CB_LEVEL_CRITICAL,
                               0};
    for (size_t i = 0; i < 11; i++) {
        cr_assert_eq(source_event(src, i)->level, want[i], "row %zu", i);
        cr_assert_eq(source_event(src, i)->event_id, i + 1);
    }
    /* Polish "Błąd" is not mapped: kept raw, level unknown */
    cr_assert_str_eq(event_field(source_event(src, 10), "Level"),
                     "B\xC5\x82\xC4\205d");
    expect_warning(src, "not known");
    expect_time(source_event(src, 10), "2024-11-15T10:00:10");
}

/* ---- SDP ---------------------------------------------------------------- */

static const char SDP[] =
    "Date,Time,Type/Level,Computer Name,Event Code,Source,Task Category,"
    "Username,Description\r\n"
    "11/15/2024,1:52:07 AM,Error,HV-NODE1.contoso.local,1135,"
    "Microsoft-Windows-FailoverClustering,Node Mgr,N/A,"
    "\"Cluster node 'HV-NODE2' was removed from the active failover "
    "cluster membership.\"\r\n"
    "11/15/2024,12:05:09 PM,Warning,HV-NODE1.contoso.local,1069,"
    "Microsoft-Windows-FailoverClustering,Resource Control Manager,N/A,"
    "Cluster resource failed.\r\n"
    "11/16/2024,12:30:00 AM,Information,HV-NODE1.contoso.local,7036,"
    "Service Control Manager,None,N/A,The service entered the running "
    "state.\r\n"
    "2/3/2024,11:59:59 PM,Information,HV-NODE1.contoso.local,6005,"
    "EventLog,None,N/A,The Event log service was started.\r\n"
    ",,,,,,[Info],,[Export operation completed]\r\n"
    ",,,,,,[Info],,[Total events: 4]\r\n";

Test(evtx_csv, sdp_layout_with_am_pm_and_trailer_rows)
{
    const struct cb_source *src = parse("HV-NODE1_evt_System.csv", SDP);
    cr_assert_eq(src->nevents, 4u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T01:52:07");
    cr_assert_eq(e->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(e->host, "HV-NODE1");
    cr_assert_null(event_field(e, "Computer"), "the host, not a field");
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_assert_eq(e->nfields, 0u, "Task Category, Username: no fields");
    cr_assert_str_eq(e->channel, "System", "from <C>_evt_System.csv");
    cr_assert(strstr(e->message, "'HV-NODE2' was removed"));
    expect_time(source_event(src, 1),
                "2024-11-15T12:05:09"); /* 12 PM is noon */
    cr_assert_eq(source_event(src, 1)->level, CB_LEVEL_WARNING);
    expect_time(source_event(src, 2),
                "2024-11-16T00:30:00"); /* 12 AM is midnight */
    expect_time(source_event(src, 3), "2024-02-03T23:59:59"); /* month first */
    const struct cb_warning *w = expect_warning(src, "2 rows without a date");
    cr_assert_eq(w->where, 6u, "the first trailer row is line 6");
    expect_local(src);
}

Test(evtx_csv, sdp_short_channel_names_and_cluster_script_log)
{
    static const char row[] =
        "Date,Time,Type/Level,Computer Name,Event Code,Source,Task Category,"
        "Username,Description\r\n"
        "11/15/2024,1:52:07 AM,Error,N1,18590,Microsoft-Windows-Hyper-V-VMMS,"
        "None,N/A,x\r\n";
    const struct cb_source *src = parse("N1_evt_HyperVVMMS-Admin.csv", row);
    cr_assert_str_eq(source_event(src, 0)->channel,
                     "Microsoft-Windows-Hyper-V-VMMS-Admin");
    /* TSS cluster script: <C>_<LogName with '/' as '_'>.Log, newest first,
     * with its own LogName column (which wins) */
    static const char log[] =
        "\"MachineName\",\"LevelDisplayName\",\"TimeCreated\","
        "\"ProviderName\",\"Id\",\"LogName\",\"Message\"\r\n"
        "\"hv-node2.contoso.local\",\"Error\",\"11/15/2024 2:00:00 AM\","
        "\"Microsoft-Windows-FailoverClustering\",\"1069\","
        "\"Microsoft-Windows-FailoverClustering/Operational\",\"m\"\r\n";
    src = parse("HV-NODE2_Microsoft-Windows-FailoverClustering_"
                "Operational.Log",
                log);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(source_event(src, 0)->channel,
                     "Microsoft-Windows-FailoverClustering/Operational");
    cr_assert_str_eq(source_event(src, 0)->host, "HV-NODE2", "MachineName");
    /* the same file without LogName: the channel from its name */
    static const char log2[] =
        "\"MachineName\",\"LevelDisplayName\",\"TimeCreated\","
        "\"ProviderName\",\"Id\",\"Message\"\r\n"
        "\"hv-node2\",\"Error\",\"11/15/2024 2:00:00 "
        "AM\",\"P\",\"1\",\"m\"\r\n";
    src = parse("HV-NODE2_Microsoft-Windows-FailoverClustering_"
                "Operational.Log",
                log2);
    cr_assert_str_eq(source_event(src, 0)->channel,
                     "Microsoft-Windows-FailoverClustering/Operational");
}

/* ---- day/month order ------------------------------------------------------
 */

Test(evtx_csv, ambiguous_dates_corrected_by_a_later_day_first_row)
{
    static const char csv[] = "TimeCreated,Id,ProviderName,Message\r\n"
                              "03/04/2024 10:00:00,1,P,a\r\n"
                              "05/06/2024 11:00:00,2,P,b\r\n"
                              "12/11/2024 12:00:00,3,P,c\r\n"
                              "25/06/2024 13:00:00,4,P,d\r\n"
                              "01/02/2024 14:00:00,5,P,e\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 5u);
    /* the 25 on line 5 says day first: every row is read so */
    expect_time(source_event(src, 0), "2024-04-03T10:00:00");
    expect_time(source_event(src, 1), "2024-06-05T11:00:00");
    expect_time(source_event(src, 2), "2024-11-12T12:00:00");
    expect_time(source_event(src, 3), "2024-06-25T13:00:00");
    expect_time(source_event(src, 4), "2024-02-01T14:00:00");
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(source_event(src, i)->event_id, i + 1, "parse order kept");
    cr_assert_eq(source_event(src, 0)->origin, 2u);
    cr_assert(strstr(src->time_basis, "day/month order of dates from the "
                                      "data, line 5"),
              "%s", src->time_basis);
    cr_assert_null(warning(src, "assumed"));
}

Test(evtx_csv, ambiguous_dates_corrected_by_a_later_month_first_row)
{
    static const char csv[] = "TimeCreated\tId\tProviderName\tMessage\r\n"
                              "03/04/2024 10:00:00\t1\tP\ta\r\n"
                              "05/06/2024 11:00:00\t2\tP\tb\r\n"
                              "06/25/2024 13:00:00\t3\tP\td\r\n"
                              "07/08/2024 14:00:00\t4\tP\te\r\n";
    const struct cb_source *src = parse("x.txt", csv);
    cr_assert_eq(src->nevents, 4u);
    expect_time(source_event(src, 0), "2024-03-04T10:00:00");
    expect_time(source_event(src, 1), "2024-05-06T11:00:00");
    expect_time(source_event(src, 2), "2024-06-25T13:00:00");
    expect_time(source_event(src, 3), "2024-07-08T14:00:00");
}

Test(evtx_csv, undecided_file_records_its_assumption)
{
    static const char csv[] = "TimeCreated,Id,ProviderName,Message\r\n"
                              "12/9/2025 5:37:32 PM,2,P,a\r\n"
                              "12/9/2025 9:12:08 AM,4,P,b\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 2u);
    /* 12-hour clock: en-US, month first */
    expect_time(source_event(src, 0), "2025-12-09T17:37:32");
    expect_time(source_event(src, 1), "2025-12-09T09:12:08");
    expect_warning(src, "month/day order assumed");
    cr_assert(strstr(src->time_basis, "assumed"), "%s", src->time_basis);
    expect_local(src);
}

Test(evtx_csv, date_order_option_overrides_the_data)
{
    an = cb_analysis_create_all(NULL);
    an->opts.date_order = CB_DATE_DMY;
    static const char csv[] =
        "TimeCreated,Id,ProviderName,Message\r\n"
        "12/9/2025 5:37:32 PM,2,P,a\r\n"
        "11/18/2025 2:30:28 PM,1,P,contradicts day first\r\n"
        "18/11/2025 2:30:28 PM,3,P,b\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 2u);
    expect_time(source_event(src, 0), "2025-09-12T17:37:32");
    expect_time(source_event(src, 1), "2025-11-18T14:30:28");
    cr_assert_eq(source_event(src, 1)->event_id, 3u);
    const struct cb_warning *w = expect_warning(src, "contradicts");
    cr_assert_eq(w->where, 3u);
    cr_assert(strstr(src->time_basis, "--date-order"), "%s", src->time_basis);
    cr_assert_null(warning(src, "assumed"));

    an->opts.date_order = CB_DATE_MDY;
    static const char csv2[] = "TimeCreated;Id;ProviderName;Message\r\n"
                               "03.04.2024 10:00:00;1;P;a\r\n";
    src = parse("y.csv", csv2);
    expect_time(source_event(src, 0), "2024-03-04T10:00:00");
}

Test(evtx_csv, dot_dates_never_decided_are_taken_day_first)
{
    static const char csv[] = "TimeCreated;Id;ProviderName;Message\r\n"
                              "03.04.2024 10:00:00;1;P;a\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    expect_time(source_event(src, 0), "2024-04-03T10:00:00");
    expect_warning(src, "day/month order assumed");
}

Test(evtx_csv, twelve_hour_forms)
{
    static const char csv[] =
        "TimeCreated,Id\r\n"
        "2024/11/15 \xE5\x8D\x88\xE5\xBE\x8C 5:37:32,1\r\n" /* ja */
        "15/11/2024 5:37:32 p. m.,2\r\n"                    /* es */
        "11/15/2024 5:37:32\xE2\x80\xAFPM,3\r\n" /* .NET on ICU: U+202F */
        "15/11/2024 12:00:00 a.m.,4\r\n"
        "2024-11-15 17:37,5\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    /* rows 2 and 3 disagree on the order: the first one (day first)
     * decides, the second is reported */
    cr_assert_eq(src->nevents, 4u);
    expect_time(source_event(src, 0), "2024-11-15T17:37:32");
    expect_time(source_event(src, 1), "2024-11-15T17:37:32");
    expect_time(source_event(src, 2), "2024-11-15T00:00:00");
    cr_assert_eq(source_event(src, 2)->event_id, 4u);
    cr_assert_eq(source_event(src, 2)->origin, 5u);
    expect_time(source_event(src, 3), "2024-11-15T17:37:00");
    expect_warning(src, "line 4: date '11/15/2024 5:37:32");
}

Test(evtx_csv, zoned_times_are_utc)
{
    static const char csv[] = "TimeCreated,Id\r\n"
                              "2024-11-15T01:52:07.1234567Z,1\r\n"
                              "2024-11-15T03:52:07+01:00,2\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 2u);
    expect_time(source_event(src, 0), "2024-11-15T01:52:07.123456");
    expect_time(source_event(src, 1), "2024-11-15T02:52:07");
    cr_assert_eq(source_event(src, 0)->flags & CB_EV_TIME_ASSUMED, 0u);
    cr_assert_eq(src->time_kind, CB_TK_UTC);
}

/* ---- Export-Csv shapes -------------------------------------------------- */

Test(evtx_csv, type_line_and_every_property)
{
    static const char csv[] =
        "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n"
        "\"Message\",\"Id\",\"Version\",\"Qualifiers\",\"Level\",\"Task\","
        "\"Opcode\",\"Keywords\",\"RecordId\",\"ProviderName\","
        "\"ProviderId\",\"LogName\",\"ProcessId\",\"ThreadId\","
        "\"MachineName\",\"UserId\",\"TimeCreated\",\"ActivityId\","
        "\"LevelDisplayName\",\"OpcodeDisplayName\",\"TaskDisplayName\","
        "\"KeywordsDisplayNames\",\"Properties\"\r\n"
        "\"Cluster node 'HV-NODE2' was removed.\",\"1135\",\"0\",,\"1\","
        "\"3\",\"0\",\"-9223372036854775808\",\"41234\","
        "\"Microsoft-Windows-FailoverClustering\","
        "\"{baf908ea-3421-4ca9-9b84-6689b8c6f85f}\",\"System\",\"2404\","
        "\"4476\",\"HV-NODE1.contoso.local\",\"S-1-5-18\","
        "\"11/15/2024 1:52:07 AM\",,\"Critical\",\"Info\",\"Node Mgr\","
        "\"System.Collections.ObjectModel.ReadOnlyCollection`1[System."
        "String]\",\"System.Collections.Generic.List`1[System.Diagnostics."
        "Eventing.Reader.EventProperty]\"\r\n";
    const struct cb_source *src = parse("whatever.csv", csv);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T01:52:07");
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert(e->flags & CB_EV_HAS_RECORD_ID);
    cr_assert_eq(e->record_id, 41234u);
    cr_assert(e->flags & CB_EV_HAS_PID);
    cr_assert_eq(e->pid, 2404u);
    cr_assert_eq(e->tid, 4476u);
    cr_assert_str_eq(e->channel, "System");
    cr_assert_str_eq(e->host, "HV-NODE1");
    cr_assert_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_assert_str_eq(e->message, "Cluster node 'HV-NODE2' was removed.");
    /* issue 15 #4: Opcode "Info", UserId "S-1-5-18", Version "0" were
     * fields, and a rule matching any field took them for the removed
     * node; every column here is the System part */
    cr_assert_eq(e->nfields, 0u, "%s=%s", e->nfields ? e->fields[0].name : "",
                 e->nfields ? e->fields[0].value : "");
    cr_assert_eq(e->origin, 3u);
}

Test(evtx_csv, tab_delimited_tss_txt)
{
    static const char txt[] =
        "LevelDisplayName\tTimeCreated\tProviderName\tId\tUserId\tMessage\r\n"
        "Error\t11/15/2024 1:52:07 AM\tMicrosoft-Windows-Hyper-V-VMMS\t"
        "18590\t\t'VM-SQL01' failed to start, a, b; c\r\n";
    const struct cb_source *src = parse("N1_241115-101530_evt_x.txt", txt);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T01:52:07");
    cr_assert_eq(e->event_id, 18590u);
    cr_assert_str_eq(e->message, "'VM-SQL01' failed to start, a, b; c");
}

Test(evtx_csv, quoted_multi_line_message)
{
    static const char csv[] =
        "TimeCreated,Id,Message,ProviderName\r\n"
        "11/15/2024 1:52:07 AM,1069,\"Cluster resource 'Virtual Machine "
        "VM1' of type 'Virtual Machine' failed.\r\n"
        "\r\n"
        "Based on the \"\"failure policies\"\", the cluster, or not.\","
        "FailoverClustering\r\n"
        "11/15/2024 1:52:08 AM,1070,\"\",x\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 2u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(e->message,
                     "Cluster resource 'Virtual Machine VM1' of type "
                     "'Virtual Machine' failed.\r\n\r\nBased on the "
                     "\"failure policies\", the cluster, or not.");
    cr_assert_str_eq(e->provider, "FailoverClustering");
    cr_assert_eq(e->origin, 2u);
    cr_assert_eq(source_event(src, 1)->origin, 5u,
                 "lines inside quotes counted");
    cr_assert_str_eq(source_event(src, 1)->message, "");
}

Test(evtx_csv, event_viewer_csv_with_unnamed_message_column)
{
    static const char csv[] =
        "\xEF\xBB\xBFLevel,Date and Time,Source,Event ID,Task Category\r\n"
        "Information,12/9/2025 5:37:32 PM,Microsoft-Windows-Servicing,2,(1),"
        "Package KB5071959 was successfully changed to the Installed "
        "state.\r\n"
        "Error,11/18/2025 2:30:28 PM,Microsoft-Windows-Servicing,1,(1),"
        "\"Initiating changes, for package KB5063523.\"\r\n";
    const struct cb_source *src = parse("Setup.csv", csv);
    cr_assert_eq(src->nevents, 2u);
    expect_time(source_event(src, 0), "2025-12-09T17:37:32");
    expect_time(source_event(src, 1), "2025-11-18T14:30:28");
    cr_assert_eq(source_event(src, 1)->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(source_event(src, 0)->message,
                     "Package KB5071959 was "
                     "successfully changed to the "
                     "Installed state.");
    cr_assert_str_eq(source_event(src, 1)->message,
                     "Initiating changes, for package KB5063523.");
    cr_assert_null(event_field(source_event(src, 0), "Task"));
    cr_assert(strstr(src->time_basis, "line 3"), "%s", src->time_basis);
}

Test(evtx_csv, utf16le_with_bom)
{
    size_t len;
    unsigned char *w =
        utf16le("LevelDisplayName;TimeCreated;ProviderName;Id;Message\r\n"
                "Warnung;15.11.2024 01:52:07;Microsoft-Windows-Hyper-V-VMMS;"
                "18590;Datentr\xC3\xA4ger \xE2\x80\236VM1\xE2\x80\x9C voll\r\n",
                &len);
    const struct cb_source *src = parse_named("N1_evt_System.csv", w, len, 0);
    free(w);
    cr_assert_str_eq(src->format, "evtx-csv");
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T01:52:07");
    cr_assert_eq(e->level, CB_LEVEL_WARNING);
    cr_assert_eq(e->event_id, 18590u);
    cr_assert_str_eq(e->message,
                     "Datentr\xC3\xA4ger \xE2\x80\236VM1\xE2\x80\x9C voll");
}

/* ---- damage ------------------------------------------------------------- */

Test(evtx_csv, truncated_inside_quotes_keeps_the_records_before)
{
    static const char csv[] = "TimeCreated,Id,Message\r\n"
                              "11/15/2024 1:52:07 AM,1,\"one\"\r\n"
                              "11/15/2024 1:52:08 AM,2,two\r\n"
                              "11/15/2024 1:52:09 AM,3,\"three, cut\r\n"
                              "in the middle";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(source_event(src, 1)->event_id, 2u);
    const struct cb_warning *w = expect_warning(src, "inside the quoted "
                                                     "field opened at line 4");
    cr_assert_eq(w->where, 4u);
}

Test(evtx_csv, bad_rows_are_skipped_with_their_line)
{
    static const char csv[] = "TimeCreated,Id\r\n"
                              "yesterday,1\r\n"
                              "31/31/2024 10:00:00,2\r\n"
                              "2/30/2024 10:00:00,3\r\n"
                              "11/15/2024 25:00:00,4\r\n"
                              "11/15/2024 10:00:00,5\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(source_event(src, 0)->event_id, 5u);
    cr_assert_eq(source_event(src, 0)->origin, 6u);
    expect_warning(src, "line 2: date 'yesterday'");
    expect_warning(src, "line 3: date '31/31/2024");
    expect_warning(src, "line 4: date '2/30/2024 10:00:00' not understood");
    expect_warning(src, "line 5: date '11/15/2024 25:00:00'");
}

Test(evtx_csv, header_without_a_date_column_is_refused)
{
    static const char csv[] = "Id,Message\r\n1,x\r\n";
    const struct cb_source *src = parse_named("x.csv", csv, strlen(csv), 1);
    cr_assert_eq(src->nevents, 0u);
    expect_warning(src, "no date or time column");
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

Test(evtx_csv, a_100_mb_field_is_cut_with_bounded_memory)
{
    static const char head[] = "TimeCreated,Id,Message\r\n"
                               "11/15/2024 1:52:07 AM,1,\"";
    static const char tail[] = "\"\r\n11/15/2024 1:52:08 AM,2,after\r\n";
    size_t big = (size_t)100 << 20;
    size_t len = sizeof head - 1 + big + sizeof tail - 1;
    char *data = malloc(len);
    cr_assert_not_null(data);
    memcpy(data, head, sizeof head - 1);
    memset(data + sizeof head - 1, 'x', big);
    /* a quote pair and a line break inside, to keep the state machine
     * honest */
    memcpy(data + sizeof head - 1 + big / 2, "\"\"\n", 3);
    memcpy(data + sizeof head - 1 + big, tail, sizeof tail - 1);
    long before = max_rss_kb();
    const struct cb_source *src = parse_named("x.csv", data, len, 1);
    long grew = max_rss_kb() - before;
    free(data);
    cr_assert_eq(src->nevents, 2u);
    size_t mlen = strlen(source_event(src, 0)->message);
    cr_assert_leq(mlen, (size_t)CB_LIMIT_CSV_RECORD);
    cr_assert_geq(mlen, (size_t)CB_LIMIT_CSV_RECORD / 2);
    cr_assert_str_eq(source_event(src, 1)->message, "after");
    cr_assert_eq(source_event(src, 1)->origin, 4u);
    const struct cb_warning *w = expect_warning(src, "longer than");
    cr_assert_eq(w->where, 2u);
    cr_assert_lt(grew, 24 * 1024, "peak RSS grew by %ld KB", grew);
}

Test(evtx_csv, not_bid_on_other_text)
{
    const struct cb_parser_ops *ops = cb_parser_find("evtx-csv");
    cr_assert_not_null(ops);
    static const char cl[] =
        "00000a1c.00001b3c::2024/11/15-01:52:07.123 INFO  [RCM] x\r\n";
    cr_assert_eq(
        ops->bid((const unsigned char *)cl, sizeof cl - 1, "N1_cluster.log"),
        0);
    static const char txt[] = "Event[0]:\r\n  Log Name: System\r\n";
    cr_assert_eq(ops->bid((const unsigned char *)txt, sizeof txt - 1, "x.txt"),
                 0);
    static const char other[] = "Name,Value\r\na,b\r\n";
    cr_assert_eq(
        ops->bid((const unsigned char *)other, sizeof other - 1, "x.csv"), 0);
    cr_assert_gt(ops->bid((const unsigned char *)SDP, sizeof SDP - 1, "x.csv"),
                 0);
}

Test(evtx_csv, rows_held_back_are_capped)
{
    /* more undecided rows than CB_LIMIT_CSV_UNDECIDED_ROWS: the order is
     * assumed when the cap is reached (no hint: month first), and a later
     * day-first row contradicts it */
    static const char head[] = "TimeCreated,Id\r\n";
    static const char row[] = "01/02/2024 10:00:00,1\r\n";
    static const char last[] = "25/02/2024 10:00:00,2\r\n";
    size_t rows = CB_LIMIT_CSV_UNDECIDED_ROWS + 10;
    size_t len = sizeof head - 1 + rows * (sizeof row - 1) + sizeof last - 1;
    char *data = malloc(len), *p = data;
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    for (size_t i = 0; i < rows; i++, p += sizeof row - 1)
        memcpy(p, row, sizeof row - 1);
    memcpy(p, last, sizeof last - 1);
    const struct cb_source *src = parse_named("x.csv", data, len, 1);
    free(data);
    cr_assert_eq(src->nevents, rows);
    expect_time(source_event(src, 0), "2024-01-02T10:00:00");
    expect_time(source_event(src, rows - 1), "2024-01-02T10:00:00");
    expect_warning(src, "do not tell day from month: month/day order "
                        "assumed");
    const struct cb_warning *w = expect_warning(src, "contradicts");
    cr_assert_eq(w->where, rows + 2);
    cr_assert(strstr(src->time_basis, "assumed"), "%s", src->time_basis);
}

/* ---- issue 15: Event Viewer "Save All Events As..." Text (Tab delimited)
 * Same columns as its CSV (the corpus's omer__test.csv: Level, Date and
 * Time, Source, Event ID, Task Category, the description in an unnamed
 * sixth column), tabs between them, a multi-line description in double
 * quotes; the header in the UI language. Fixtures ours. */

Test(evtx_csv, event_viewer_tab_delimited_text_with_multi_line_description)
{
    static const char txt[] =
        "Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n"
        "Critical\t11/15/2024 2:58:12 AM\tMicrosoft-Windows-FailoverClustering"
        "\t1135\tNode Mgr\t\"Cluster node 'HV-NODE2' was removed from the "
        "active failover cluster membership.\r\n"
        "\r\n"
        "Run the Validate a Configuration wizard.\"\r\n"
        "Error\t11/15/2024 2:58:40 AM\tMicrosoft-Windows-FailoverClustering"
        "\t1069\tResource Control Manager\t\"Cluster resource 'Virtual "
        "Machine SQL01' of type 'Virtual Machine' in clustered role "
        "'SQL01' failed.\"\r\n";
    const struct cb_source *src = parse("HV-NODE1-System.txt", txt);
    cr_assert_eq(src->nevents, 2u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T02:58:12");
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_str_eq(e->message,
                     "Cluster node 'HV-NODE2' was removed from the active "
                     "failover cluster membership.\r\n\r\nRun the Validate "
                     "a Configuration wizard.");
    cr_assert_eq(e->nfields, 0u, "Task Category is no field");
    e = source_event(src, 1);
    cr_assert_eq(e->origin, 5u);
    cr_assert_eq(e->event_id, 1069u);
    cr_assert(e->flags & CB_EV_TIME_ASSUMED);
}

Test(evtx_csv, event_viewer_tab_delimited_in_french_and_japanese)
{
    static const char fr[] =
        "Niveau\tDate et heure\tSource\tID de l\xE2\x80\x99\xC3\xA9v\xC3\xA9"
        "nement\tCat\xC3\xA9gorie de la t\xC3\xA2" "che\r\n"
        "Critique\t15/11/2024 02:58:12\tMicrosoft-Windows-FailoverClustering"
        "\t1135\tGestionnaire de n\xC5\x93uds\t\"Le n\xC5\x93ud de cluster "
        "\xC2\xAB\xC2\xA0HV-NODE2\xC2\xA0\xC2\xBB a \xC3\xA9t\xC3\xA9 "
        "supprim\xC3\xA9.\"\r\n";
    const struct cb_source *src = parse("systeme.txt", fr);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    expect_time(e, "2024-11-15T02:58:12");
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_eq(e->nfields, 0u, "the French Task Category is no field");
    static const char ja[] =
        "\xE3\x83\xAC\xE3\x83\x99\xE3\x83\xAB\t"             /* レベル */
        "\xE6\x97\xA5\xE4\xBB\x98\xE3\x81\xA8\xE6\x99\x82\xE5\x88\xBB\t"
        "\xE3\x82\xBD\xE3\x83\xBC\xE3\x82\xB9\t"             /* ソース */
        "\xE3\x82\xA4\xE3\x83\x99\xE3\x83\xB3\xE3\x83\x88 ID\t"
        "\xE3\x82\xBF\xE3\x82\xB9\xE3\x82\xAF\xE3\x81\xAE\xE3\x82\xAB"
        "\xE3\x83\x86\xE3\x82\xB4\xE3\x83\xAA\r\n"          /* タスクのカテゴリ */
        "\xE9\x87\x8D\xE5\xA4\xA7\t2024/11/15 2:58:12\t"
        "Microsoft-Windows-FailoverClustering\t1135\tNode Mgr\t"
        "\"x\"\r\n";
    src = parse("system_ja.txt", ja);
    cr_assert_eq(src->nevents, 1u);
    e = source_event(src, 0);
    expect_time(e, "2024-11-15T02:58:12");
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert_eq(e->nfields, 0u, "the Japanese Task Category is no field");
}

/* A column a custom Select added is data and stays a named field. */
Test(evtx_csv, custom_columns_stay_named_fields)
{
    static const char csv[] =
        "TimeCreated,Id,ProviderName,Opcode,Version,NodeName,Message\r\n"
        "11/15/2024 1:52:07 AM,1135,Microsoft-Windows-FailoverClustering,"
        "Info,0,HV-NODE2,\"Cluster node 'HV-NODE2' was removed.\"\r\n";
    const struct cb_source *src = parse("x.csv", csv);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->nfields, 1u);
    expect_event_field(e, "NodeName", "HV-NODE2");
}
