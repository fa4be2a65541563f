/*
 * test_evtx_details.c - Event Viewer's "Copy details as text"
 * (parsers/evtx_details.c). Shapes: public copies of Event Viewer details
 * (Security 4776, MsiInstaller 1033: labels padded to align, "Event Xml:"
 * then the event's XML) and the KB quotes in shared/corpus/realworld
 * (04: "Log Name:/Source:/Event ID:/Level:/Description:", 10: "Event
 * Source:/Event ID:/Description:"). Fixtures are ours, in those shapes;
 * tests/data/details/README.md says how the files were made.
 * Expected times are worked out by hand: 2024-11-15 00:00 UTC is Unix
 * 1731628800.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

#define TICKS(unix_s, frac100ns)                                               \
    ((cb_time)(unix_s)*10000000LL + (cb_time)(frac100ns) + 116444736000000000LL)
#define D_2024_11_15 1731628800LL

static struct cb_analysis *an;

static void teardown(void)
{
    cb_analysis_destroy(&an);
}

TestSuite(evtx_details, .fini = teardown);

static const struct cb_source *parse_as(const char *name, const char *text,
                                        enum cb_date_order order)
{
    an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    an->opts.date_order = order;
    cr_assert_eq(cb_ingest_leaf_memory(an, name, text, strlen(text), NULL),
                 CB_OK);
    cr_assert_eq(an->nsources, 1u);
    return an->sources[0];
}

static const struct cb_source *parse(const char *text)
{
    const struct cb_source *src = parse_as("pasted.txt", text, CB_DATE_AUTO);
    cr_assert_str_eq(src->format, "evtx-details");
    return src;
}

static char *slurp(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("CB_TEST_DATA"), rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int has_source_warning(const struct cb_source *src, const char *needle)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next) {
        if (strstr(w->msg, needle))
            return 1;
    }
    return 0;
}

/* The block with Event Xml is read from the XML; the one without from its
 * labels; Task Category, Keywords, User never become fields. */
Test(evtx_details, two_blocks_one_with_event_xml_one_without)
{
    size_t len;
    char *text = slurp("details/hv-node1_1135_32022_details.txt", &len);
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 2u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_eq(e->level, CB_LEVEL_CRITICAL);
    cr_assert_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_assert_str_eq(e->channel, "System");
    cr_assert_str_eq(e->host, "HV-NODE1");
    /* SystemTime, not the local Date label (2:58:12 AM at UTC+1) */
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 1 * 3600 + 58 * 60 + 12, 9051234));
    cr_assert_eq(e->flags & CB_EV_TIME_ASSUMED, 0u);
    cr_assert_eq(e->record_id, 48213u);
    cr_assert_eq(e->origin, 1u, "the block's first line");
    expect_event_field(e, "NodeName", "HV-NODE2");
    expect_event_field(e, "NodeId", "2");
    cr_assert_null(event_field(e, "Task Category"));
    cr_assert_null(event_field(e, "User"));
    cr_assert_eq(strncmp(e->message, "Cluster node 'HV-NODE2' was removed", 35),
                 0, "%s", e->message);
    cr_assert_eq(e->flags & CB_EV_MESSAGE_SYNTH, 0u);

    e = source_event(src, 1);
    cr_assert_eq(e->event_id, 32022u);
    cr_assert_eq(e->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(e->channel, "Microsoft-Windows-Hyper-V-VMMS-Admin");
    cr_assert_str_eq(e->provider, "Microsoft-Windows-Hyper-V-VMMS");
    cr_assert_str_eq(e->host, "HV-NODE1");
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 2 * 3600 + 59 * 60 + 40, 0),
                 "wall clock as if UTC");
    cr_assert(e->flags & CB_EV_TIME_ASSUMED);
    cr_assert_eq(e->nfields, 0u, "no event data without Event Xml");
    cr_assert_eq(e->origin, 35u);
    cr_assert_not_null(strstr(e->message, "virtual machine 'SQL01':"));
    cr_assert_eq(src->time_kind, CB_TK_LOCAL);
    /* 2:59:40 AM with 15 as the second number: month first, decided;
     * the 1135's Date label (2:58:12 AM) and SystemTime (01:58:12Z) show
     * the clock, said once for the block without Event Xml */
    cr_assert_eq(src->nwarnings, 1u);
    cr_assert_str_eq(src->warnings->msg,
                     "the blocks with Event Xml show this machine's clock at "
                     "UTC+01:00; the blocks without it are local time (--tz "
                     "HV-NODE1=+01:00 applies that offset to them)");
    free(text);
}

Test(evtx_details, german_ui_labels_and_dates)
{
    size_t len;
    char *text = slurp("details/hv-node3_5120_details_de.txt", &len);
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->event_id, 5120u);
    cr_assert_eq(e->level, CB_LEVEL_ERROR, "Fehler");
    cr_assert_str_eq(e->host, "HV-NODE3");
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 3 * 3600 + 1 * 60 + 5, 0));
    cr_assert(e->flags & CB_EV_TIME_ASSUMED);
    cr_assert_str_eq(e->message,
                     "Cluster Shared Volume 'Volume1' ('Cluster Virtual Disk "
                     "(Volume1)') has entered a paused state because of "
                     "'STATUS_IO_TIMEOUT(c00000b5)'. All I/O will "
                     "temporarily be queued until a path to the volume is "
                     "reestablished.");
    free(text);
}

/* 3/4/2024: day and month cannot be told apart. */
Test(evtx_details, ambiguous_dates_follow_date_order_or_the_culture)
{
    const char *text = "Log Name:      System\r\n"
                       "Source:        Microsoft-Windows-FailoverClustering\r\n"
                       "Date:          3/4/2024 1:00:00 PM\r\n"
                       "Event ID:      1135\r\n"
                       "Level:         Critical\r\n"
                       "Computer:      HV-NODE1\r\n"
                       "Description:\r\n"
                       "Cluster node 'HV-NODE2' was removed\r\n";
    /* 2024-03-04 and 2024-04-03 13:00: Unix 1709557200, 1712149200 */
    const struct cb_source *src = parse_as("a.txt", text, CB_DATE_DMY);
    cr_assert_eq(source_event(src, 0)->ts, TICKS(1712149200LL, 0));
    cr_assert_not_null(strstr(src->time_basis, "--date-order"));
    cb_analysis_destroy(&an);
    src = parse_as("a.txt", text, CB_DATE_AUTO);
    cr_assert_eq(source_event(src, 0)->ts, TICKS(1709557200LL, 0),
                 "PM marker: en-US, month first");
    cr_assert(has_source_warning(src, "month first assumed"));
    cr_assert_not_null(strstr(src->time_basis, "assumed"));
}

/* A description whose own lines look like labels (a Security 4776). */
Test(evtx_details, description_lines_that_look_like_labels_stay_in_it)
{
    const char *text =
        "Log Name:      Security\r\n"
        "Source:        Microsoft-Windows-Security-Auditing\r\n"
        "Date:          2024-11-15T10:00:00.000Z\r\n"
        "Event ID:      4776\r\n"
        "Task Category: Credential Validation\r\n"
        "Level:         Information\r\n"
        "Keywords:      Audit Success\r\n"
        "User:          N/A\r\n"
        "Computer:      DC01.contoso.local\r\n"
        "Description:\r\n"
        "The computer attempted to validate the credentials for an "
        "account.\r\n"
        "\r\n"
        "Authentication Package:\tMICROSOFT_AUTHENTICATION_PACKAGE_V1_0\r\n"
        "Logon Account:\tAdministrator\r\n"
        "User:\tnot a label here\r\n"
        "Error Code:\t0x0\r\n";
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_str_eq(
        e->message, "The computer attempted to validate the credentials for "
                    "an account.\n\nAuthentication Package:\t"
                    "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0\nLogon Account:\t"
                    "Administrator\nUser:\tnot a label here\nError Code:\t0x0");
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 10 * 3600, 0));
    cr_assert_eq(e->flags & CB_EV_TIME_ASSUMED, 0u, "a zoned Date");
    cr_assert_eq(src->time_kind, CB_TK_UTC);
    cr_assert_eq(e->nfields, 0u);
}

/* The article layout (realworld 10): "Event Source:", blocks one after
 * the other with no "Log Name:". */
Test(evtx_details, article_layout_blocks_split_on_source)
{
    const char *text =
        "Event Source: Microsoft-Windows-FailoverClustering\n"
        "Event ID: 5120\n"
        "Date: 2024-11-15T10:00:00Z\n"
        "Description:    Cluster Shared Volume 'CSV1' ('Cluster Virtual "
        "Disk (CSV1)') has entered a paused state because of "
        "'STATUS_IO_TIMEOUT(c00000b5)'.\n"
        "\n"
        "Event source: Microsoft-Windows-FailoverClustering\n"
        "Event ID: 1135\n"
        "Date: 2024-11-15T10:00:05Z\n"
        "Description: Cluster node 'HV-NODE2' was removed from the active "
        "failover cluster membership.\n";
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(source_event(src, 0)->event_id, 5120u);
    cr_assert_eq(source_event(src, 1)->event_id, 1135u);
    cr_assert_eq(source_event(src, 1)->origin, 6u);
    cr_assert_str_eq(source_event(src, 1)->message,
                     "Cluster node 'HV-NODE2' was removed from the active "
                     "failover cluster membership.");
}

Test(evtx_details, blocks_without_a_date_are_skipped_in_one_warning)
{
    const char *text = "Log Name:  Microsoft-Windows-Hyper-V-VMMS/Admin\n"
                       "Source:      Hyper-V-VMMS\n"
                       "Event ID: 32086\n"
                       "Level:  Error\n"
                       "Description:\n"
                       "Hyper-V suspended replication\n"
                       "\n"
                       "Log Name:  Microsoft-Windows-Hyper-V-VMMS/Admin\n"
                       "Source:      Hyper-V-VMMS\n"
                       "Event ID: 32022\n"
                       "Level:  Error\n"
                       "Description:\n"
                       "Hyper-V could not replicate changes\n";
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 0u);
    cr_assert(has_source_warning(src, "2 event blocks without a usable "
                                      "Date or Event Xml skipped"));
    cr_assert_eq(src->nwarnings, 1u);
}

Test(evtx_details, damaged_event_xml_falls_back_to_the_labels)
{
    const char *text =
        "Log Name:      System\n"
        "Source:        Microsoft-Windows-FailoverClustering\n"
        "Date:         11/15/2024 2:58:12 AM\n"
        "Event ID:      1135\n"
        "Level:         Critical\n"
        "Computer:      HV-NODE1\n"
        "Description:\n"
        "Cluster node 'HV-NODE2' was removed\n"
        "Event Xml:\n"
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/"
        "event\"><System><EventID>1135</Event ID></System>\n";
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->event_id, 1135u);
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 2 * 3600 + 58 * 60 + 12, 0));
    cr_assert(has_source_warning(src, "Event Xml of the block at line 1 not "
                                      "read"));
}

/* wevtutil's text export stays with its own parser; a details paste is
 * found under any name, after a few lines of preamble. */
Test(evtx_details, detection)
{
    const char *wevt = "Event[0]:\r\n  Log Name: System\r\n"
                       "  Source: Microsoft-Windows-FailoverClustering\r\n"
                       "  Date: 2024-11-15T10:00:00.000\r\n"
                       "  Event ID: 1135\r\n  Description:\r\nx\r\n";
    const struct cb_source *src = parse_as("a.txt", wevt, CB_DATE_AUTO);
    cr_assert_str_eq(src->format, "evtx-text");
    cb_analysis_destroy(&an);
    const char *pasted = "Hi team, the customer sent this:\n\n"
                         "Log Name:      System\n"
                         "Source:        Microsoft-Windows-FailoverClustering\n"
                         "Date:          2024-11-15T10:00:00Z\n"
                         "Event ID:      1135\n"
                         "Description:\nCluster node 'N2' was removed\n";
    src = parse_as("ticket-1234", pasted, CB_DATE_AUTO);
    cr_assert_str_eq(src->format, "evtx-details");
    cr_assert_eq(src->nevents, 1u);
    cr_assert(has_source_warning(src, "1 lines outside any event block"));
}

/* "Event Xml:" with the whole event on the same line (a paste that lost
 * its line breaks) */
Test(evtx_details, event_xml_on_the_label_line)
{
    const char *text =
        "Log Name:      System\n"
        "Source:        Microsoft-Windows-FailoverClustering\n"
        "Date:          11/15/2024 2:58:12 AM\n"
        "Event ID:      1135\n"
        "Description:\n"
        "Cluster node 'HV-NODE2' was removed\n"
        "Event Xml: <Event xmlns=\"http://schemas.microsoft.com/win/2004/08/"
        "events/event\"><System><Provider Name=\"Microsoft-Windows-"
        "FailoverClustering\"/><EventID>1135</EventID><Level>1</Level>"
        "<TimeCreated SystemTime=\"2024-11-15T01:58:12.0000000Z\"/>"
        "<Channel>System</Channel><Computer>HV-NODE1</Computer></System>"
        "<EventData><Data Name=\"NodeName\">HV-NODE2</Data></EventData>"
        "</Event>\n";
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = source_event(src, 0);
    cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 1 * 3600 + 58 * 60 + 12, 0),
                 "from the Event Xml");
    expect_event_field(e, "NodeName", "HV-NODE2");
    cr_assert_str_eq(e->message, "Cluster node 'HV-NODE2' was removed");
    cr_assert_eq(src->nwarnings, 0u);
}
