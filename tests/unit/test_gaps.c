/*
 * test_gaps.c - evidence gaps that depend on the findings
 * (analyzer/gaps.c, cb_gaps_find_for): lost evidence after an outage (a
 * cluster log that starts after it, a log cleared after it) and gaps
 * that list only the rules they kept from judging.
 *
 * Inputs are written here in the shapes Windows writes them: events as
 * `wevtutil qe /f:xml` prints them; EventLog 6008 with its two unnamed
 * Data (time and date as localized strings, kb/EVENTIDS.md, and the
 * message "The previous system shutdown at 9:03:23 AM on 6/28/2018 was
 * unexpected." quoted in Microsoft's Netlogon troubleshooting article);
 * Eventlog 104 with UserData/LogFileCleared and its Channel field (the
 * "The %3 log file was cleared." manifest text, kb/EVENTIDS.md, verified
 * there against the event schema); a cluster.log header whose offset line
 * is "UTC = localtime + time zone offset; with daylight savings, the time
 * zone offset of this machine is -120 minutes, or -2 hours" and "The logs
 * were generated using local time" (the forms public cluster.log readers
 * match, e.g. "^UTC = localtime \+ time zone offset;the time zone offset
 * of this machine is (.+)$"). The times are those of the P3 scenario.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "helpers.h"
#include "registry.h"

#define EV_HEAD "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"

/* One System event of HV-NODE1 (record id rec) in wevtutil's XML. */
static void event(char *buf, size_t size, const char *provider, int id,
                  int level, const char *utc, int rec, const char *body)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n,
             EV_HEAD "<Provider Name='%s'/><EventID>%d</EventID><Version>0"
             "</Version><Level>%d</Level><Task>0</Task><Opcode>0</Opcode>"
             "<Keywords>0x8000000000000000</Keywords><TimeCreated "
             "SystemTime='%s'/><EventRecordID>%d</EventRecordID>"
             "<Correlation/><Execution ProcessID='4' ThreadID='64'/>"
             "<Channel>System</Channel><Computer>HV-NODE1.contoso.local"
             "</Computer><Security UserID='S-1-5-18'/></System>%s</Event>\n",
             provider, id, level, utc, rec, body);
}

static const char SCM_BODY[] =
    "<EventData><Data Name='param1'>Windows Update</Data>"
    "<Data Name='param2'>running</Data></EventData>";

/* HV-NODE1's System log: routine events every ten minutes until 19:40
 * UTC, power lost at 19:42:10 UTC (21:42:10 local, UTC+2), the boot at
 * 21:53 (Kernel-Power 41, BugcheckCode 0: power loss; 6008), routine
 * events again, and at 22:34:50 the FailoverClustering/Operational log
 * cleared (104). */
static char *system_log(void)
{
    size_t size = 64 * 1024;
    char *b = calloc(1, size);
    cr_assert_not_null(b);
    int rec = 100;
    char t[40];
    for (int m = 0; m <= 100; m += 10) { /* 18:00 .. 19:40 */
        snprintf(t, sizeof t, "2024-11-14T%02d:%02d:00.0000000Z", 18 + m / 60,
                 m % 60);
        event(b, size, "Service Control Manager", 7036, 4, t, rec++, SCM_BODY);
    }
    event(b, size, "Microsoft-Windows-Kernel-General", 12, 4,
          "2024-11-14T21:53:00.0000000Z", rec++, "<EventData/>");
    event(b, size, "Microsoft-Windows-Kernel-Power", 41, 1,
          "2024-11-14T21:53:05.0000000Z", rec++,
          "<EventData><Data Name='BugcheckCode'>0</Data><Data "
          "Name='PowerButtonTimestamp'>0</Data></EventData>");
    event(b, size, "EventLog", 6008, 2, "2024-11-14T21:53:08.0000000Z", rec++,
          "<EventData><Data>9:42:10 PM</Data><Data>11/14/2024</Data>"
          "</EventData>");
    for (int m = 0; m <= 60; m += 10) { /* 22:00 .. 23:00 */
        snprintf(t, sizeof t, "2024-11-14T%02d:%02d:00.0000000Z", 22 + m / 60,
                 m % 60);
        event(b, size, "Service Control Manager", 7036, 4, t, rec++, SCM_BODY);
    }
    event(b, size, "Microsoft-Windows-Eventlog", 104, 4,
          "2024-11-14T22:34:50.0000000Z", rec++,
          "<UserData><LogFileCleared xmlns='http://manifests.microsoft.com/"
          "win/2004/08/windows/eventlog'><SubjectUserName>admin.it"
          "</SubjectUserName><SubjectDomainName>CONTOSO</SubjectDomainName>"
          "<Channel>Microsoft-Windows-FailoverClustering/Operational"
          "</Channel><BackupPath></BackupPath></LogFileCleared></UserData>");
    return b;
}

/* HV-NODE1's cluster.log, local time (UTC+2): its debug lines start at
 * 00:41:51 local on 15 Nov, i.e. 22:41:51 UTC on the 14th. */
static const char CLUSTER_LOG[] =
    "[=== Cluster ===]\r\n"
    "UTC = localtime + time zone offset; with daylight savings, the time "
    "zone offset of this machine is -120 minutes, or -2 hours\r\n"
    "The logs were generated using local time\r\n"
    "\r\n"
    "[=== Cluster Logs ===]\r\n"
    "00000e4c.00001220::2024/11/15-00:41:51.767 INFO  [NM] Received request "
    "from client address HV-NODE2.\r\n"
    "00000e4c.00009bc8::2024/11/15-00:44:09.636 INFO  [RCM] rcm::"
    "RcmApi::GetResourceState: (Cluster IP Address)\r\n"
    "00000e4c.00009bc8::2024/11/15-01:10:00.000 INFO  [RCM] rcm::"
    "RcmApi::GetResourceState: (Cluster Name)\r\n";

struct run {
    struct cb_analyze_result res;
    char *sys;
};

static void analyze(struct run *r, int with_cluster_log)
{
    r->sys = system_log();
    struct cb_analyze_input in[2] = {
        {.name = "HV-NODE1-System.xml", .data = r->sys,
         .len = strlen(r->sys)},
        {.name = "HV-NODE1_cluster.log", .data = CLUSTER_LOG,
         .len = sizeof CLUSTER_LOG - 1}};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../rules", getenv("CB_SAMPLES"));
    const char *dirs[] = {dir};
    struct cb_analyze_opts o = {.inputs = in,
                                .ninputs = with_cluster_log ? 2 : 1,
                                .rules_dirs = dirs,
                                .nrules_dirs = 1};
    o.parsers = cb_parsers(&o.nparsers);
    struct cb_error err = {0};
    cr_assert_eq(cb_analyze(&o, &r->res, &err), CB_OK, "%s", err.msg);
}

static void done(struct run *r)
{
    cb_analyze_result_fini(&r->res);
    free(r->sys);
}

static const struct cb_gap *lost(const struct cb_gaps *g, const char *needle)
{
    for (size_t i = 0; i < g->count; i++)
        if (g->items[i].kind == CB_GAP_LOST &&
            strstr(g->items[i].detail, needle))
            return &g->items[i];
    return NULL;
}

Test(gaps, cluster_log_starting_after_the_outage_is_lost_evidence)
{
    struct run r;
    analyze(&r, 1);
    const struct cb_gap *g = lost(&r.res.gaps, "cluster log was reset");
    cr_assert_not_null(g, "no reset cluster-log gap");
    cr_assert_str_eq(g->detail,
                     "the cluster log was reset or rolled over: it starts "
                     "at 2024-11-14 22:41 UTC, after the outage of HV-NODE1 "
                     "at 2024-11-14 19:42 UTC; in-flight I/O at the outage "
                     "is not recorded");
    cr_assert_str_eq(g->host, "HV-NODE1");
    cr_assert_eq(g->from, cb_time_from_civil(2024, 11, 14, 19, 42, 10, 0),
                 "from: the 6008 time converted with the header's offset");
    cr_assert_eq(g->to, cb_time_from_civil(2024, 11, 14, 22, 41, 51, 7670000),
                 "to: the first debug line");
    cr_assert(strstr(g->subject, "HV-NODE1_cluster.log"));
    done(&r);
}

Test(gaps, log_cleared_after_the_outage_says_what_it_hides)
{
    struct run r;
    analyze(&r, 1);
    const struct cb_gap *g = lost(&r.res.gaps, "was cleared at");
    cr_assert_not_null(g, "no cleared-log gap");
    cr_assert_str_eq(g->subject,
                     "Microsoft-Windows-FailoverClustering/Operational");
    cr_assert(strstr(g->detail, "log of HV-NODE1 was cleared at 2024-11-14 "
                                "22:34 UTC, after the outage of HV-NODE1 at "
                                "2024-11-14 19:42 UTC: what it held about the "
                                "outage"),
              "%s", g->detail);
    done(&r);
}

Test(gaps, without_the_offset_the_outage_starts_at_the_last_event)
{
    /* without the offset (no cluster.log header) the 6008 time cannot be
     * converted; the outage is still there (from the last event before
     * the boot), so the clearing after it is still lost evidence, and
     * without a cluster log there is no reset to speak of */
    struct run r;
    analyze(&r, 0);
    cr_assert_null(lost(&r.res.gaps, "cluster log was reset"));
    const struct cb_gap *g = lost(&r.res.gaps, "was cleared at");
    cr_assert_not_null(g);
    cr_assert(strstr(g->detail, "after the outage of HV-NODE1 at 2024-11-14 "
                                "19:40 UTC"),
              "without a 6008 time the outage starts at the last event "
              "before it: %s", g->detail);
    done(&r);
}

Test(gaps, a_gap_lists_only_rules_it_kept_from_judging)
{
    struct run r;
    analyze(&r, 1);
    const struct cb_findings *fs = &r.res.findings;
    int saw_vmms = 0;
    for (size_t i = 0; i < r.res.gaps.count; i++) {
        const struct cb_gap *g = &r.res.gaps.items[i];
        for (size_t k = 0; k < g->nrules; k++)
            for (size_t f = 0; f < fs->count; f++)
                cr_assert_str_neq(g->rules[k], fs->items[f].id,
                                  "gap %s lists %s, which fired", g->subject,
                                  g->rules[k]);
        if (g->kind != CB_GAP_MISSING_CHANNEL)
            continue;
        int p2 = 0, p8_guest = 0;
        for (size_t k = 0; k < g->nrules; k++) {
            p2 |= !strcmp(g->rules[k], "P2.replica-suspended-at-shutdown");
            p8_guest |= !strcmp(g->rules[k], "P8.vm-guest-crashed");
        }
        if (!strcmp(g->subject, "Microsoft-Windows-Hyper-V-VMMS-Admin")) {
            saw_vmms = 1;
            cr_assert(p2, "P2 reads VMMS-Admin (<needs>) and nothing else");
            cr_assert(!p8_guest, "P8.vm-guest-crashed reads Worker-Admin");
        }
        if (!strcmp(g->subject, "Microsoft-Windows-Hyper-V-Worker-Admin"))
            cr_assert(!p2, "P2 needs VMMS-Admin: its text fallback also "
                           "accepts Worker-Admin, which does not make it "
                           "Worker-Admin's rule");
        /* the unexpected shutdown found: its rule is on no gap */
    }
    cr_assert(saw_vmms);
    int shutdown_found = 0;
    for (size_t f = 0; f < fs->count; f++)
        shutdown_found |= !strcmp(fs->items[f].id, "P6.unexpected-shutdown");
    cr_assert(shutdown_found);
    done(&r);
}
