/*
 * test_evtx_entities.c - issue 15 #4, the parser side: a real 1135 in
 * each text shape (wevtutil /f:text, Get-WinEvent | Export-Csv with every
 * property, Event Viewer's tab-delimited save, Event Viewer details),
 * read by the parsers and then by the shipped rules (rules/, every .xml). The
 * node the findings name must be the one in the message, HV-NODE2 — never
 * a column of the record's System part: Opcode "Info", the SID
 * "S-1-5-18", Version "0", or the reporting Computer.
 * Text of 1135: KB4462487 via shared/kb/EVENTIDS.md. Fixtures ours.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

#define MSG1135                                                                \
    "Cluster node 'HV-NODE2' was removed from the active failover cluster "    \
    "membership. The Cluster service on this node may have stopped."

static const char wevt_info[] =
    "Event[0]:\r\n"
    "  Log Name: System\r\n"
    "  Source: Service Control Manager\r\n"
    "  Date: 2024-11-15T02:30:00.000\r\n"
    "  Event ID: 7036\r\n"
    "  Level: Information\r\n"
    "  Opcode: Info\r\n"
    "  Computer: HV-NODE1\r\n"
    "  Description: \r\n"
    "The Windows Update service entered the running state.\r\n"
    "Event[1]:\r\n"
    "  Log Name: System\r\n"
    "  Source: Microsoft-Windows-FailoverClustering\r\n"
    "  Date: 2024-11-15T02:58:12.905\r\n"
    "  Event ID: 1135\r\n"
    "  Task: Node Mgr\r\n"
    "  Level: Critical\r\n"
    "  Opcode: Info\r\n"
    "  Keyword: N/A\r\n"
    "  User: S-1-5-18\r\n"
    "  User Name: NT AUTHORITY\\SYSTEM\r\n"
    "  Computer: HV-NODE1\r\n"
    "  Description: \r\n" MSG1135 "\r\n"
    "Event[2]:\r\n"
    "  Log Name: System\r\n"
    "  Source: Service Control Manager\r\n"
    "  Date: 2024-11-15T03:20:00.000\r\n"
    "  Event ID: 7036\r\n"
    "  Level: Information\r\n"
    "  Opcode: Info\r\n"
    "  Computer: HV-NODE1\r\n"
    "  Description: \r\n"
    "The Windows Update service entered the stopped state.\r\n";

static const char wevt_na[] =
    "Event[0]:\r\n"
    "  Log Name: System\r\n"
    "  Source: Service Control Manager\r\n"
    "  Date: 2024-11-15T02:30:00.000\r\n"
    "  Event ID: 7036\r\n"
    "  Level: Information\r\n"
    "  Opcode: Info\r\n"
    "  Computer: HV-NODE1\r\n"
    "  Description: \r\n"
    "The Windows Update service entered the running state.\r\n"
    "Event[1]:\r\n"
    "  Log Name: System\r\n"
    "  Source: Microsoft-Windows-FailoverClustering\r\n"
    "  Date: 2024-11-15T02:58:12.905\r\n"
    "  Event ID: 1135\r\n"
    "  Task: N/A\r\n"
    "  Level: Critical\r\n"
    "  Opcode: N/A\r\n"
    "  Keyword: N/A\r\n"
    "  User: S-1-5-18\r\n"
    "  User Name: NT AUTHORITY\\SYSTEM\r\n"
    "  Computer: HV-NODE1.contoso.local\r\n"
    "  Description: \r\n" MSG1135 "\r\n"
    "Event[2]:\r\n"
    "  Log Name: System\r\n"
    "  Source: Service Control Manager\r\n"
    "  Date: 2024-11-15T03:20:00.000\r\n"
    "  Event ID: 7036\r\n"
    "  Level: Information\r\n"
    "  Opcode: Info\r\n"
    "  Computer: HV-NODE1\r\n"
    "  Description: \r\n"
    "The Windows Update service entered the stopped state.\r\n";

static const char csv_all[] =
    "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n"
    "\"Message\",\"Id\",\"Version\",\"Qualifiers\",\"Level\",\"Task\","
    "\"Opcode\",\"Keywords\",\"RecordId\",\"ProviderName\",\"LogName\","
    "\"MachineName\",\"UserId\",\"TimeCreated\",\"LevelDisplayName\","
    "\"OpcodeDisplayName\",\"TaskDisplayName\"\r\n"
    "\"" MSG1135 "\",\"1135\",\"0\",,\"1\",\"3\",\"0\","
    "\"-9223372036854775808\",\"41234\","
    "\"Microsoft-Windows-FailoverClustering\",\"System\",\"HV-NODE1\","
    "\"S-1-5-18\",\"11/15/2024 2:58:12 AM\",\"Critical\",\"Info\","
    "\"Node Mgr\"\r\n"
    "\"Before\",\"7036\",\"0\",,\"4\",\"0\",\"0\",\"0\",\"41200\","
    "\"Service Control Manager\",\"System\",\"HV-NODE1\",,"
    "\"11/15/2024 2:30:00 AM\",\"Information\",\"Info\",\"None\"\r\n"
    "\"After\",\"7036\",\"0\",,\"4\",\"0\",\"0\",\"0\",\"41300\","
    "\"Service Control Manager\",\"System\",\"HV-NODE1\",,"
    "\"11/15/2024 3:20:00 AM\",\"Information\",\"Info\",\"None\"\r\n";

static const char ev_tab[] =
    "Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n"
    "Critical\t11/15/2024 2:58:12 AM\tMicrosoft-Windows-FailoverClustering"
    "\t1135\tNone\t\"" MSG1135 "\"\r\n"
    "Information\t11/15/2024 2:30:00 AM\tService Control Manager\t7036\t"
    "None\tBefore\r\n"
    "Information\t11/15/2024 3:20:00 AM\tService Control Manager\t7036\t"
    "None\tAfter\r\n";

static const char details[] =
    "Log Name:      System\r\n"
    "Source:        Microsoft-Windows-FailoverClustering\r\n"
    "Date:          11/15/2024 2:58:12 AM\r\n"
    "Event ID:      1135\r\n"
    "Task Category: None\r\n"
    "Level:         Critical\r\n"
    "Keywords:      \r\n"
    "User:          SYSTEM\r\n"
    "Computer:      HV-NODE1\r\n"
    "Description:\r\n" MSG1135 "\r\n"
    "Log Name:      System\r\n"
    "Source:        Service Control Manager\r\n"
    "Date:          11/15/2024 2:30:00 AM\r\n"
    "Event ID:      7036\r\n"
    "Level:         Information\r\n"
    "Computer:      HV-NODE1\r\n"
    "Description:\r\nBefore\r\n"
    "Log Name:      System\r\n"
    "Source:        Service Control Manager\r\n"
    "Date:          11/15/2024 3:20:00 AM\r\n"
    "Event ID:      7036\r\n"
    "Level:         Information\r\n"
    "Computer:      HV-NODE1\r\n"
    "Description:\r\nAfter\r\n";

static struct cb_analysis *an;
static struct cb_rules *rules;
static struct cb_findings fs;
static struct cb_timeline tl;
static int have_tl;

static void teardown(void)
{
    cb_findings_fini(&fs);
    if (have_tl)
        cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
    cb_rules_free(&rules);
}

TestSuite(evtx_entities, .fini = teardown);

static void run(const char *name, const char *text, const char *format)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/../rules", getenv("CB_SAMPLES"));
    struct cb_rule_error *errs = NULL;
    cr_assert_eq(cb_rules_load_dir(&rules, dir, &errs), CB_OK);
    cr_assert_null(errs);
    an = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_leaf_memory(an, name, text, strlen(text), NULL),
                 CB_OK);
    cr_assert_str_eq(an->sources[0]->format, format);
    cr_assert_eq(an->sources[0]->nevents, 3u,
                 "the 1135 and a 7036 before and after (the rule for a lone "
                 "removal wants data around it)");
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    have_tl = 1;
    cr_assert_eq(cb_correlate(rules, &tl, &fs), CB_OK);
}

/* The 1135 is found, and every node entity of every finding is HV-NODE2,
 * taken from the message once no System column can be taken for it. */
static void expect_node_from_message(void)
{
    int seen = 0, removed = 0;
    for (size_t i = 0; i < fs.count; i++) {
        const struct cb_finding *f = &fs.items[i];
        for (size_t k = 0; k < f->nevidence; k++)
            removed |= f->evidence[k].ev->event_id == 1135;
        for (size_t k = 0; k < f->nentities; k++) {
            if (strcmp(f->entities[k].name, "node") != 0)
                continue;
            cr_assert_str_eq(f->entities[k].value, "HV-NODE2",
                             "finding %s names node %s", f->id,
                             f->entities[k].value);
            seen = 1;
        }
    }
    cr_assert(removed, "the 1135 is in no finding");
    cr_assert(seen, "no finding names the removed node");
}

Test(evtx_entities, wevtutil_text_with_opcode_info)
{
    run("HV-NODE1_System.txt", wevt_info, "evtx-text");
    expect_node_from_message();
}

Test(evtx_entities, wevtutil_text_with_opcode_na_and_a_sid)
{
    run("HV-NODE1_System.txt", wevt_na, "evtx-text");
    expect_node_from_message();
}

Test(evtx_entities, export_csv_with_every_property)
{
    run("HV-NODE1_System.csv", csv_all, "evtx-csv");
    expect_node_from_message();
}

Test(evtx_entities, event_viewer_tab_delimited_with_task_category_none)
{
    run("HV-NODE1_System.txt", ev_tab, "evtx-csv");
    expect_node_from_message();
}

Test(evtx_entities, event_viewer_details_with_a_short_computer_name)
{
    run("pasted.txt", details, "evtx-details");
    expect_node_from_message();
}
