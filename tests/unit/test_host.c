/*
 * test_host.c - host names from the file and folder naming conventions of
 * Get-ClusterLog, SDP and TSS (analyzer/host.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "casebrief/casebrief.h"

/* path must give host want by a rule whose name contains rule_part. */
static void expect_host(const char *path, const char *want,
                        const char *rule_part)
{
    char out[128];
    memset(out, 'Z', sizeof out);
    const char *rule = NULL;
    int r = cb_host_from_path(path, out, sizeof out, &rule);
    cr_assert_eq(r, 1, "%s: no host found", path);
    cr_assert_str_eq(out, want, "%s: host", path);
    cr_assert_not_null(rule, "%s: rule named", path);
    cr_assert_not_null(strstr(rule, rule_part), "%s: rule \"%s\", want \"%s\"",
                       path, rule, rule_part);
}

static void expect_none(const char *path)
{
    char out[128] = "untouched";
    const char *rule = NULL;
    cr_assert_eq(cb_host_from_path(path, out, sizeof out, &rule), 0,
                 "%s: should match no convention (got %s)", path, out);
}

Test(host, get_clusterlog_node_prefix)
{
    expect_host("HV-NODE1_cluster.log", "HV-NODE1", "_cluster.log");
    expect_host("NODE9_Cluster.Log", "NODE9", "_cluster.log");
}

Test(host, sdp_evt_prefix)
{
    expect_host("NODE2_evt_HyperVVMMS-Admin.evtx", "NODE2", "SDP");
    expect_host("HV-NODE2_evt_System.csv", "HV-NODE2", "SDP");
}

Test(host, tss_timestamp_prefix)
{
    expect_host("NODE3_241115-101530_System.evtx", "NODE3", "yyMMdd-HHmmss");
    expect_host("HV-NODE3_241115-101530_System.evtx", "HV-NODE3",
                "yyMMdd-HHmmss");
    /* a TSS-prefixed cluster log: "NODE3_241115-101530" is no name */
    expect_host("NODE3_241115-101530_cluster.log", "NODE3", "yyMMdd-HHmmss");
}

Test(host, tss_event_log_with_hyphen_in_host_name)
{
    /* the host ends at the hyphen before the channel, not the first one */
    expect_host("HV-NODE4-Microsoft-Windows-Hyper-V-VMMS-Admin.evtx",
                "HV-NODE4", "<COMPUTER>-<channel>");
    /* a channel word inside the host name is not the channel */
    expect_host("MICROSOFT-HV1-Microsoft-Windows-Hyper-V-Worker-Admin.evtx",
                "MICROSOFT-HV1", "<COMPUTER>-<channel>");
    expect_host("SYSTEM01-System.evtx", "SYSTEM01", "<COMPUTER>-<channel>");
}

Test(host, tss_event_log_classic_channels)
{
    expect_host("NODE5-System.evtx", "NODE5", "<COMPUTER>-<channel>");
    expect_host("NODE5-Application.evtx", "NODE5", "<COMPUTER>-<channel>");
    /* ' ' in the channel name written as '-' or kept */
    expect_host("NODE5-Windows-PowerShell.evtx", "NODE5",
                "<COMPUTER>-<channel>");
}

Test(host, tss_cluster_script_log_name)
{
    expect_host("NODE6_Microsoft-Windows-FailoverClustering_Operational.evtx",
                "NODE6", "cluster script");
    expect_host("HV-NODE6_System.evtx", "HV-NODE6", "cluster script");
}

Test(host, tss_folder_ancestor_of_a_nested_member)
{
    expect_host("TSSv2_NODE7_241115-101530_.zip!BasicLog/EventLogs/System.evtx",
                "NODE7", "TSS folder");
    /* backslashes separate folders too */
    expect_host("C:\\cases\\TSSv2_NODE7_241115-101530_\\EventLogs\\System.evtx",
                "NODE7", "TSS folder");
}

Test(host, sdp_folder_ancestor)
{
    expect_host("SDP_NODE8_Cluster.zip!Setup.evtx", "NODE8", "SDP folder");
}

Test(host, file_name_rule_beats_folder_rule)
{
    expect_host("TSSv2_NODE7_241115-101530_.zip!logs/HV-NODE1_cluster.log",
                "HV-NODE1", "_cluster.log");
    expect_host("case.zip!TSSv2_NODE7_241115-101530_/NODE2_evt_System.evtx",
                "NODE2", "SDP");
}

Test(host, nearest_matching_folder_wins)
{
    expect_host("TSSv2_OUTER_241115-101530_.zip!SDP_INNER_x.zip!System.evtx",
                "INNER", "SDP folder");
}

Test(host, lower_case_names_come_out_upper_case)
{
    expect_host("hv-node1_cluster.log", "HV-NODE1", "_cluster.log");
    expect_host("node3_241115-101530_system.evtx", "NODE3", "yyMMdd-HHmmss");
    expect_host("hv-node4-microsoft-windows-hyper-v-vmms-admin.evtx",
                "HV-NODE4", "<COMPUTER>-<channel>");
    expect_host("tssv2_node7_241115-101530_.zip!System.evtx", "NODE7",
                "TSS folder");
}

Test(host, names_without_a_convention_give_nothing)
{
    expect_none("cluster.log");
    expect_none("notes.txt");
    expect_none("_cluster.log");
    expect_none("logs/cluster.log");
    expect_none("case.zip!EventLogs/System.evtx");
    expect_none("");
}

Test(host, invalid_computer_names_are_rejected)
{
    expect_none("12345_cluster.log");  /* no letter: a number, not a name */
    expect_none("-NODE_cluster.log");  /* may not start with '-' */
    expect_none("NO.DE_cluster.log");  /* '.' separates, is not part of it */
    expect_none("NODE1_24111-101530_System.evtx"); /* stamp one digit short */
    char longname[128];
    memset(longname, 'A', 64);
    strcpy(longname + 64, "_cluster.log"); /* 64 characters: over 63 */
    expect_none(longname);
}

Test(host, output_buffer_too_small_is_no_match_not_an_overflow)
{
    char out[9];
    const char *rule = NULL;
    /* "HV-NODE1" needs 9 bytes with its NUL */
    cr_assert_eq(cb_host_from_path("HV-NODE1_cluster.log", out, 9, &rule), 1);
    cr_assert_str_eq(out, "HV-NODE1");
    char small[12] = "0123456789a";
    cr_assert_eq(cb_host_from_path("HV-NODE1_cluster.log", small, 8, &rule), 0);
    cr_assert_eq(small[8], '8', "nothing written past size");
}
