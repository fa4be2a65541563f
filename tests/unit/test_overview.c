/*
 * test_overview.c - the cluster overview (reports/overview.c): the same
 * objects in every node's cluster.log become one row each, where the logs
 * disagree the row keeps what each log says, VMs are named by their own
 * name with the id Hyper-V's events give, OS builds come from the Nodes
 * table, the log's header or EventLog 6009.
 *
 * The fixtures are ours, in the shapes real sources show:
 * - the section markers and their order (Resources, Groups, ..., Nodes,
 *   Networks, Network Interfaces, Volumes), the header's "Build Number
 *   N" and "Current node: name (X) id (n)" lines: a public PowerShell
 *   reader of the 2016+ cluster.log (found with the search tool by
 *   "Get-LogSectionStartLineNumbers"), which matches `^Build Number
 *   (\d+)$` and `^Current node: name \((.+)\) id \(\d+\)$`; the layout
 *   itself: "Windows Server 2016 Failover Cluster Troubleshooting
 *   Enhancements - Cluster Log", Failover Clustering blog, 2015-05-14
 *   (https://techcommunity.microsoft.com/t5/failover-clustering/windows-
 *   server-2016-failover-cluster-troubleshooting/ba-p/372005), and
 *   shared/kb/FORMATS.md: "CSV-shaped configuration sections";
 * - the column names are the objects' common property names, which the
 *   sections print as CSV headers: Name, Id, State, NodeWeight,
 *   DynamicWeight, BuildNumber, MajorVersion, MinorVersion, CSDVersion
 *   (Microsoft Learn, "Node Common Properties" and "MSCluster_Node
 *   class", https://learn.microsoft.com/en-us/previous-versions/windows/
 *   desktop/cluswmi/mscluster-node); OwnerNode, GroupType, OwnerGroup,
 *   ResourceType as Get-ClusterGroup / Get-ClusterResource name them; the
 *   real column set differs between builds, so two logs here order and
 *   pad their columns differently;
 * - a VM's resources are "Virtual Machine <VM>" and "Virtual Machine
 *   Configuration <VM>" in the group named after the VM (Failover
 *   Cluster Manager's naming; correlate.c strips the same prefix);
 * - Hyper-V events carry UserData/VmlEventLog with VmName and VmId
 *   (shared/kb/EVENTIDS.md, VERIFIED [EZ]); EventLog 6009 carries the
 *   version and build as unnamed Data 1 and 2 ("10.00.", "15063" in the
 *   shared corpus's omer__system.evtx, record 1);
 * - a build's Windows Server release: Microsoft's hcsshim osversion
 *   package (https://pkg.go.dev/github.com/Microsoft/hcsshim/osversion:
 *   RS5 = 17763 "corresponds to Windows Server 2019 (ltsc2019)",
 *   V21H2Server = 20348 "Windows Server 2022 (ltsc2022)").
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "helpers.h"
#include "out.h"
#include "overview.h"

static struct cb_analysis *an;
static struct cb_timeline tl;
static struct cb_overview ov;

static void teardown(void)
{
    cb_overview_fini(&ov);
    cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
}

TestSuite(overview, .fini = teardown);

#define BODY "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] x\r\n"

/* One node's cluster.log: its header, then the configuration sections in
 * the order Windows writes them. node_state2: HV-A02's state in this
 * log; sqlb_owner: the owner of the SQL-B role; with_web: whether the
 * WEB-C role is listed. */
static char *cluster_log(const char *node, int id, const char *node_state2,
                         const char *sqlb_owner, int with_web, int other_order)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    fprintf(f,
            "[=== Cluster ===]\r\n"
            "Build Number 17763\r\n"
            "UTC= localtime + time zone offset; with daylight savings, the "
            "time zone offset of this machine is 0 minutes, or 0 hours\r\n"
            "Current node: name (%s) id (%d)\r\n",
            node, id);
    fprintf(f, "[=== Resources ===]\r\n"
               "Name,Id,State,OwnerGroup,ResourceType\r\n"
               "\"Cluster IP Address\",1a,Online,\"Cluster Group\","
               "\"IP Address\"\r\n"
               "\"Cluster Disk 1\",1b,Online,\"Cluster Group\","
               "\"Physical Disk\"\r\n"
               "\"Cluster Virtual Disk (Volume1)\",1c,Online,"
               "\"Cluster Shared Volume\",\"Physical Disk\"\r\n"
               "\"Virtual Machine SQL-B\",1d,Online,SQL-B,"
               "\"Virtual Machine\"\r\n"
               "\"Virtual Machine Configuration SQL-B\",1e,Online,SQL-B,"
               "\"Virtual Machine Configuration\"\r\n");
    if (with_web)
        fprintf(f, "\"Virtual Machine WEB-C\",1f,Online,WEB-C,"
                   "\"Virtual Machine\"\r\n");
    if (other_order)
        fprintf(f,
                "[=== Groups ===]\r\n"
                "GroupType,OwnerNode,Name,State,Priority\r\n"
                "Cluster,HV-A01,\"Cluster Group\",Online,3000\r\n"
                "VirtualMachine,%s,SQL-B,Online,2000\r\n",
                sqlb_owner);
    else
        fprintf(f,
                "[=== Groups ===]\r\n"
                "Name,State,OwnerNode,GroupType\r\n"
                "\"Cluster Group\",Online,HV-A01,Cluster\r\n"
                "SQL-B,Online,%s,VirtualMachine\r\n",
                sqlb_owner);
    if (with_web)
        fprintf(f, other_order ? "VirtualMachine,HV-A03,WEB-C,Online,2000\r\n"
                               : "WEB-C,Online,HV-A03,VirtualMachine\r\n");
    fprintf(f,
            "[=== Nodes ===]\r\n"
            "Name,Id,State,NodeWeight,DynamicWeight\r\n"
            "HV-A01,1,Up,1,1\r\nHV-A02,2,%s,1,1\r\nHV-A03,3,Up,1,1\r\n"
            "[=== Networks ===]\r\n"
            "Name,Id,State,Role,Address,AddressMask\r\n"
            "\"Cluster Network 1\",9f1c,Up,ClusterAndClient,10.0.10.0,"
            "255.255.255.0\r\n"
            "[=== Volumes ===]\r\n"
            "Name,Path,ResourceName,State\r\n"
            "Volume1,C:\\ClusterStorage\\Volume1,"
            "\"Cluster Virtual Disk (Volume1)\",Online\r\n"
            "[=== Cluster Logs ===]\r\n" BODY,
            node_state2);
    fclose(f);
    return buf;
}

static void ingest(const char *name, const char *text)
{
    cr_assert_eq(cb_ingest_leaf_memory(an, name, text, strlen(text), NULL),
                 CB_OK, "%s", name);
}

static void build_overview(void)
{
    cr_assert_eq(cb_analysis_finish(an), CB_OK);
    cr_assert_eq(cb_timeline_build(an, &tl), CB_OK);
    cr_assert_eq(cb_overview_build(&ov, an, &tl), CB_OK);
}

/* Three logs as a healthy cluster writes them, save that HV-A01's log
 * was written while HV-A02 was Down, HV-A03 still saw SQL-B on HV-A01,
 * and HV-A03's log does not list WEB-C. */
static void three_logs(void)
{
    an = analysis(NULL);
    char *a = cluster_log("HV-A01", 1, "Down", "HV-A02", 1, 0);
    char *b = cluster_log("HV-A02", 2, "Up", "HV-A02", 1, 1);
    char *c = cluster_log("HV-A03", 3, "Up", "HV-A01", 0, 0);
    ingest("HV-A01_cluster.log", a);
    ingest("HV-A02_cluster.log", b);
    ingest("HV-A03_cluster.log", c);
    free(a);
    free(b);
    free(c);
    build_overview();
}

static const struct cb_ov_row *row(enum cb_ov_kind k, const char *name)
{
    const struct cb_ov_row *found = NULL;
    for (size_t i = 0; i < ov.nrows; i++) {
        if (ov.rows[i].kind == k && strcmp(ov.rows[i].name, name) == 0) {
            cr_assert_null(found, "%s listed twice", name);
            found = &ov.rows[i];
        }
    }
    cr_assert_not_null(found, "no %s row %s", cb_ov_kind_name(k), name);
    return found;
}

static size_t count(enum cb_ov_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < ov.nrows; i++)
        n += ov.rows[i].kind == k;
    return n;
}

Test(overview, each_object_once_whatever_the_number_of_logs)
{
    three_logs();
    cr_assert_eq(ov.nlogs, 3u);
    cr_assert_str_eq(ov.logs[0], "HV-A01");
    cr_assert_eq(count(CB_OV_NODE), 3u);
    cr_assert_eq(count(CB_OV_NETWORK), 1u);
    /* Volume1 names its disk, which is not listed again; the witness disk
     * no volume names is */
    cr_assert_eq(count(CB_OV_VOLUME), 2u);
    cr_assert_eq(count(CB_OV_VM), 2u, "SQL-B and WEB-C, not their resources");
    cr_assert_eq(count(CB_OV_ROLE), 1u, "Cluster Group");
    const struct cb_ov_row *n3 = row(CB_OV_NODE, "HV-A03");
    cr_assert_eq(n3->nseen, 3u);
    cr_assert_not(cb_ov_row_differs(n3));
    cr_assert_str_eq(n3->state, "Up");
    const struct cb_ov_row *net = row(CB_OV_NETWORK, "Cluster Network 1");
    cr_assert_str_eq(net->detail,
                     "role ClusterAndClient, 10.0.10.0/255.255.255.0");
    const struct cb_ov_row *v1 = row(CB_OV_VOLUME, "Volume1");
    cr_assert_str_eq(v1->detail, "C:\\ClusterStorage\\Volume1");
    cr_assert_str_eq(v1->resource, "Cluster Virtual Disk (Volume1)");
    const struct cb_ov_row *disk = row(CB_OV_VOLUME, "Cluster Disk 1");
    cr_assert_str_eq(disk->detail, "disk in Cluster Group");
    /* sorted: kinds in order, names within */
    for (size_t i = 1; i < ov.nrows; i++)
        cr_assert(ov.rows[i - 1].kind < ov.rows[i].kind ||
                      (ov.rows[i - 1].kind == ov.rows[i].kind &&
                       strcasecmp(ov.rows[i - 1].name, ov.rows[i].name) < 0),
                  "row %zu out of order", i);
}

Test(overview, a_node_down_in_one_log_keeps_the_majority_and_says_who_differs)
{
    three_logs();
    const struct cb_ov_row *n2 = row(CB_OV_NODE, "HV-A02");
    cr_assert_str_eq(n2->state, "Up", "two logs of three say Up");
    cr_assert(n2->state_differs);
    cr_assert_not(n2->owner_differs);
    cr_assert_eq(n2->nseen, 3u);
    cr_assert_str_eq(n2->seen[0].host, "HV-A01");
    cr_assert_str_eq(n2->seen[0].state, "Down");
    cr_assert_str_eq(n2->seen[0].source, "HV-A01_cluster.log");
    cr_assert_gt(n2->seen[0].line, 0u);
    cr_assert_str_eq(n2->seen[1].state, "Up");
    cr_assert_eq(ov.differ, 3u, "HV-A02, SQL-B's owner, WEB-C's absence");
}

Test(overview, a_role_owned_by_different_nodes_and_one_a_log_leaves_out)
{
    three_logs();
    const struct cb_ov_row *sql = row(CB_OV_VM, "SQL-B");
    cr_assert_str_eq(sql->owner, "HV-A02");
    cr_assert(sql->owner_differs);
    cr_assert_not(sql->state_differs);
    cr_assert_str_eq(sql->seen[2].host, "HV-A03");
    cr_assert_str_eq(sql->seen[2].owner, "HV-A01");
    cr_assert_eq(sql->nabsent, 0u);
    const struct cb_ov_row *web = row(CB_OV_VM, "WEB-C");
    cr_assert_eq(web->nseen, 2u);
    cr_assert_eq(web->nabsent, 1u);
    cr_assert_str_eq(web->absent[0], "HV-A03");
    cr_assert(cb_ov_row_differs(web));
    cr_assert_not(cb_ov_row_differs(row(CB_OV_ROLE, "Cluster Group")));
}

Test(overview, a_vm_is_named_by_its_own_name_with_its_resource_beside)
{
    size_t n;
    const char *s = cb_ov_vm_name("Virtual Machine SQL-B", &n);
    cr_assert_eq(n, 5u);
    cr_assert_eq(strncmp(s, "SQL-B", n), 0);
    s = cb_ov_vm_name("Virtual Machine Configuration SQL-B", &n);
    cr_assert_eq(strncmp(s, "SQL-B", n), 0);
    cr_assert_eq(n, 5u);
    s = cb_ov_vm_name("SQL-B", &n);
    cr_assert_eq(n, 5u);
    s = cb_ov_vm_name("Virtual Machine ", &n); /* nothing after it */
    cr_assert_eq(n, strlen("Virtual Machine "));
    three_logs();
    const struct cb_ov_row *sql = row(CB_OV_VM, "SQL-B");
    cr_assert_str_eq(sql->resource, "Virtual Machine SQL-B");
    cr_assert_str_eq(sql->state, "Online");
}

/* A log whose Groups section is missing still names its VMs by their
 * resources, without the "Virtual Machine " prefix. */
Test(overview, a_vm_known_only_by_its_resource)
{
    an = analysis(NULL);
    ingest("HV-A01_cluster.log",
           "[=== Cluster ===]\r\nCurrent node: name (HV-A01) id (1)\r\n"
           "[=== Resources ===]\r\nName,State,OwnerGroup,ResourceType,"
           "OwnerNode\r\n\"Virtual Machine APP-B\",Offline,APP-B,"
           "\"Virtual Machine\",HV-A02\r\n"
           "[=== Cluster Logs ===]\r\n" BODY);
    build_overview();
    cr_assert_eq(ov.nrows, 1u);
    const struct cb_ov_row *app = row(CB_OV_VM, "APP-B");
    cr_assert_str_eq(app->state, "Offline");
    cr_assert_str_eq(app->owner, "HV-A02");
}

Test(overview, os_build_from_the_nodes_table_else_the_node_s_own_header)
{
    an = analysis(NULL);
    ingest("HV-A01_cluster.log",
           "[=== Cluster ===]\r\nBuild Number 17763\r\n"
           "Current node: name (HV-A01) id (1)\r\n"
           "[=== Nodes ===]\r\n"
           "Name,Id,State,BuildNumber,MajorVersion,MinorVersion\r\n"
           "HV-A01,1,Up,,,\r\nHV-A02,2,Up,20348,10,0\r\n"
           "HV-A03,3,Paused,,,\r\n"
           "[=== Cluster Logs ===]\r\n" BODY);
    build_overview();
    const struct cb_ov_row *a1 = row(CB_OV_NODE, "HV-A01");
    cr_assert_str_eq(a1->detail, "Windows Server 2019, build 17763");
    cr_assert_str_eq(a1->detail_from, "its cluster.log header");
    const struct cb_ov_row *a2 = row(CB_OV_NODE, "HV-A02");
    cr_assert_str_eq(a2->detail, "Windows Server 2022, 10.0 build 20348");
    cr_assert_str_eq(a2->detail_from, "Nodes table");
    const struct cb_ov_row *a3 = row(CB_OV_NODE, "HV-A03");
    cr_assert_null(a3->detail, "no log of HV-A03, no build");
    cr_assert_str_eq(a3->state, "Paused");
}

#define XML_HEAD                                                               \
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"    \
    "<System>"
#define XML_SYS(prov, id, when, rec, chan, host)                               \
    "<Provider Name='" prov "'/><EventID>" id "</EventID><Version>0"           \
    "</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>"     \
    "0x8000000000000000</Keywords><TimeCreated SystemTime='" when "'/>"        \
    "<EventRecordID>" rec "</EventRecordID><Correlation/><Execution "          \
    "ProcessID='4' ThreadID='8'/><Channel>" chan "</Channel><Computer>" host   \
    "</Computer><Security UserID='S-1-5-18'/></System>"

/* VM ids from Hyper-V's VmlEventLog, the OS build from EventLog 6009:
 * with no cluster.log at all, both still make an overview. */
Test(overview, vm_ids_from_hyper_v_events_os_build_from_6009)
{
    static const char xml[] = XML_HEAD XML_SYS(
        "EventLog", "6009", "2024-11-15T01:17:00.000Z", "1", "System",
        "HV-NODE1.contoso.local") "<EventData><Data>10.00.</Data><Data>17763</"
                                  "Data><Data></Data>"
                                  "<Data>Multiprocessor "
                                  "Free</Data><Data>0</Data></EventData>"
                                  "</Event>\r\n" XML_HEAD XML_SYS(
                                      "Microsoft-Windows-Hyper-V-Worker",
                                      "18500", "2024-11-15T01:19:00.000Z", "2",
                                      "Microsoft-Windows-Hyper-V-Worker-Admin",
                                      "HV-NODE1.contoso.local") "<UserData><"
                                                                "VmlEventLog "
                                                                "xmlns='http://"
                                                                "www.microsoft."
                                                                "com/Windows/"
                                                                "Virtualization"
                                                                "/Events'><"
                                                                "VmName>SQL-B</"
                                                                "VmName><VmId>"
                                                                "0B6F3C2E-8A41-"
                                                                "4D7B-9E15-"
                                                                "7C3A2D9F1E40</"
                                                                "VmId></"
                                                                "VmlEventLog>"
                                                                "</UserData></"
                                                                "Event>\r\n";
    an = analysis(NULL);
    ingest("HV-NODE1-events.xml", xml);
    build_overview();
    const struct cb_ov_row *n = row(CB_OV_NODE, "HV-NODE1");
    /* a host no cluster table names might be a workstation: no release */
    cr_assert_str_eq(n->detail, "10.00. build 17763");
    cr_assert_str_eq(n->detail_from, "EventLog 6009");
    const struct cb_ov_row *vm = row(CB_OV_VM, "SQL-B");
    cr_assert_str_eq(vm->id, "0B6F3C2E-8A41-4D7B-9E15-7C3A2D9F1E40");
    cr_assert_str_eq(vm->id_from, "Hyper-V events");
    cr_assert_not_null(strstr(vm->detail, "HV-NODE1"));
}

/* A VM in the cluster's tables gets the id Hyper-V's rendered text gives
 * ("'SQL-B' started successfully. (Virtual machine ID ...)", 18500 as
 * EVENTIDS.md quotes it), matched by its own name, not its resource's. */
Test(overview, vm_id_from_a_rendered_message_joins_the_table_row)
{
    an = analysis(NULL);
    char *a = cluster_log("HV-A01", 1, "Up", "HV-A02", 0, 0);
    ingest("HV-A01_cluster.log", a);
    free(a);
    ingest("HV-A02-Worker.txt",
           "Event[0]:\r\n"
           "  Log Name: Microsoft-Windows-Hyper-V-Worker-Admin\r\n"
           "  Source: Microsoft-Windows-Hyper-V-Worker\r\n"
           "  Date: 2024-11-15T01:19:00.000\r\n"
           "  Event ID: 18500\r\n"
           "  Task: N/A\r\n"
           "  Level: Information\r\n"
           "  Opcode: Info\r\n"
           "  Keyword: N/A\r\n"
           "  User: S-1-5-83-1-1\r\n"
           "  User Name: NT VIRTUAL MACHINE\\0B6F3C2E\r\n"
           "  Computer: HV-A02.fabrikam.local\r\n"
           "  Description: \r\n"
           "'SQL-B' started successfully. (Virtual machine ID "
           "0B6F3C2E-8A41-4D7B-9E15-7C3A2D9F1E40)\r\n");
    build_overview();
    const struct cb_ov_row *vm = row(CB_OV_VM, "SQL-B");
    cr_assert_str_eq(vm->id, "0B6F3C2E-8A41-4D7B-9E15-7C3A2D9F1E40");
    cr_assert_str_eq(vm->resource, "Virtual Machine SQL-B");
    cr_assert_eq(count(CB_OV_VM), 1u, "the event's VM is the table's");
}

/* The overview as HTML (json 0) or JSON, NUL-terminated. */
static char *render(int json)
{
    struct out_mem m = {0};
    struct out *o = malloc(sizeof *o);
    cr_assert_not_null(o);
    out_init_mem(o, &m);
    if (json)
        cb_overview_json(o, &ov, 0);
    else
        cb_overview_html(o, &ov);
    cr_assert_eq(out_finish(o), 0);
    free(o);
    char *text = strndup(m.p ? m.p : "", m.n);
    free(m.p);
    cr_assert_not_null(text);
    return text;
}

/* The customer's names reach every report escaped for it (Markdown: the
 * e2e test, through markdown.c's escaper). */
Test(overview, names_are_escaped_for_html_markdown_and_json)
{
    an = analysis(NULL);
    ingest("HV-A01_cluster.log",
           "[=== Cluster ===]\r\nCurrent node: name (HV-A01) id (1)\r\n"
           "[=== Groups ===]\r\nName,State,OwnerNode,GroupType\r\n"
           "\"<img src=x onerror=alert(1)>|*x*\",Online,HV-A01,"
           "VirtualMachine\r\n"
           "[=== Cluster Logs ===]\r\n" BODY);
    build_overview();
    char *html = render(0), *json = render(1);
    cr_assert_null(strstr(html, "<img"), "%s", html);
    cr_assert_not_null(strstr(html, "&lt;img src"));
    cr_assert_not_null(
        strstr(json, "\"name\": \"<img src=x onerror=alert(1)>|*x*\""), "%s",
        json);
    free(html);
    free(json);
}

/* Every allocation failing in turn: CB_E_NOMEM and an empty overview, or
 * the whole overview; never a half-made row. */
Test(overview, out_of_memory_at_any_point_fails_cleanly)
{
    three_logs();
    size_t rows = ov.nrows;
    cb_overview_fini(&ov);
    int failed = 0;
    for (unsigned long n = 1; n < 200; n++) {
        cb_alloc_fail_after(n);
        enum cb_status rc = cb_overview_build(&ov, an, &tl);
        cb_alloc_fail_after(0);
        cr_assert(rc == CB_OK || rc == CB_E_NOMEM, "rc %d", rc);
        if (rc == CB_E_NOMEM) {
            failed++;
            cr_assert_eq(ov.nrows, 0u);
            cr_assert_null(ov.arena);
        } else {
            cr_assert_eq(ov.nrows, rows, "n %lu", n);
        }
        cb_overview_fini(&ov);
    }
    cr_assert_gt(failed, 3);
}

/* Hyper-V-High-Availability names a clustered VM by its resource
 * ("Live migration of 'Virtual Machine SQL-B' failed.", 21502's text as
 * EVENTIDS.md gives it): still the table's SQL-B, not a VM of its own. */
Test(overview, a_vm_named_by_its_resource_in_an_event_is_the_table_s_vm)
{
    an = analysis(NULL);
    char *a = cluster_log("HV-A01", 1, "Up", "HV-A02", 0, 0);
    ingest("HV-A01_cluster.log", a);
    free(a);
    ingest("HV-A01-HA.txt",
           "Event[0]:\r\n"
           "  Log Name: Microsoft-Windows-Hyper-V-High-Availability-Admin\r\n"
           "  Source: Microsoft-Windows-Hyper-V-High-Availability\r\n"
           "  Date: 2024-11-15T01:19:00.000\r\n"
           "  Event ID: 21502\r\n"
           "  Task: None\r\n"
           "  Level: Error\r\n"
           "  Opcode: Info\r\n"
           "  Keyword: N/A\r\n"
           "  User: S-1-5-18\r\n"
           "  User Name: NT AUTHORITY\\SYSTEM\r\n"
           "  Computer: HV-A01.fabrikam.local\r\n"
           "  Description: \r\n"
           "Live migration of 'Virtual Machine SQL-B' failed.\r\n"
           "\r\n"
           "Virtual machine migration operation for 'SQL-B' failed at "
           "migration source 'HV-A01'. (Virtual machine ID "
           "0B6F3C2E-8A41-4D7B-9E15-7C3A2D9F1E40)\r\n");
    build_overview();
    cr_assert_eq(count(CB_OV_VM), 1u);
    cr_assert_str_eq(row(CB_OV_VM, "SQL-B")->id,
                     "0B6F3C2E-8A41-4D7B-9E15-7C3A2D9F1E40");
}

static void plain(struct out *o, const char *s)
{
    out_str(o, s);
}

/* report.md stays a case note: every row the logs disagree on, and 40 of
 * the others, then how many more report.json lists. */
Test(overview, markdown_keeps_every_differing_row_and_forty_others)
{
    an = analysis(NULL);
    for (int log = 0; log < 2; log++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_not_null(f);
        fprintf(f,
                "[=== Cluster ===]\r\nCurrent node: name (HV-A0%d) id (%d)\r\n"
                "[=== Groups ===]\r\nName,State,OwnerNode,GroupType\r\n",
                log + 1, log + 1);
        for (int vm = 0; vm < 50; vm++) /* VM49 moved between the logs */
            fprintf(f, "VM%02d,Online,%s,VirtualMachine\r\n", vm,
                    vm == 49 && log == 1 ? "HV-A02" : "HV-A01");
        fprintf(f, "[=== Cluster Logs ===]\r\n" BODY);
        fclose(f);
        ingest(log ? "HV-A02_cluster.log" : "HV-A01_cluster.log", buf);
        free(buf);
    }
    build_overview();
    cr_assert_eq(ov.nrows, 50u);
    struct out_mem m = {0};
    struct out *o = malloc(sizeof *o);
    cr_assert_not_null(o);
    out_init_mem(o, &m);
    cb_overview_md(o, &ov, plain);
    cr_assert_eq(out_finish(o), 0);
    free(o);
    char *md = strndup(m.p, m.n);
    free(m.p);
    size_t rows = 0;
    for (const char *p = md; (p = strstr(p, "\n| VM | ")) != NULL; p++)
        rows++;
    cr_assert_eq(rows, 41u, "%s", md);
    cr_assert_not_null(strstr(md, "| VM | VM39 |"));
    cr_assert_null(strstr(md, "| VM | VM40 |"));
    cr_assert_not_null(strstr(md, "| VM | VM49 | Online | HV-A01 **"));
    cr_assert_not_null(strstr(md, "\n9 more objects that all logs agree on"));
    free(md);
}
