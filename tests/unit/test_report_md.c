/*
 * test_report_md.c - the Markdown report: the demo bundle's findings in
 * it, customer text that tries to break out (HTML, links, tables, code
 * spans, invalid UTF-8) neutralised, and the report as a case note
 * (issue 16 #9): the case summary block, short source labels with one
 * Sources list, cuts at word boundaries, the inventory one line per host,
 * references with public addresses and no internal path.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"
#include "view.h"

/* The shipped rules over inputs (and tz), through cb_analyze as the
 * command runs it, every event kept. */
static void analyze(struct cb_analyze_result *res,
                    const struct cb_analyze_input *in, size_t n,
                    const struct cb_tz_override *tz, size_t ntz)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../rules", getenv("CB_SAMPLES"));
    const char *dirs[] = {dir};
    struct cb_analyze_opts o = {.inputs = in, .ninputs = n,
                                .rules_dirs = dirs, .nrules_dirs = 1,
                                .keep_all = 1, .tz = tz, .ntz = ntz};
    o.parsers = cb_parsers(&o.nparsers);
    struct cb_error err = {0};
    cr_assert_eq(cb_analyze(&o, res, &err), CB_OK, "%s", err.msg);
}

static void analyze_demo(struct cb_analyze_result *res,
                         const struct cb_tz_override *tz, size_t ntz)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo-bundle", getenv("CB_SAMPLES"));
    struct cb_analyze_input in = {.name = dir};
    analyze(res, &in, 1, tz, ntz);
    cr_assert_eq(res->inputs_opened, 1u);
}

static char *render(const struct cb_analyze_result *res, size_t *len)
{
    struct cb_report_input in = {.case_name = "case <1>", .an = res->an,
                                 .tl = &res->timeline,
                                 .findings = &res->findings,
                                 .gaps = &res->gaps,
                                 .rules_version = "test"};
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    cr_assert_eq(cb_report_markdown(mem, &in), CB_OK);
    fclose(mem);
    return buf;
}

Test(report_md, demo_findings_with_evidence_and_remediation)
{
    struct cb_analyze_result res;
    analyze_demo(&res, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    cr_assert(strstr(md, "### 1. Cluster node isolated"), "%s", md);
    cr_assert(strstr(md, "| 2024-11-15 01:58:12.905 (local 02:58:12.905 "
                         "UTC+01:00) | HV-NODE1 | System |"),
              "evidence row with time (and the node's, from its cluster.log "
              "header), host and channel");
    cr_assert(strstr(md, "line 14"), "evidence traceable to its line");
    cr_assert(strstr(md, "````powershell\n   Test-Cluster"),
              "remediation PowerShell fenced");
    cr_assert(strstr(md, "**Missing channel** Microsoft-Windows-Hyper-V-"
                         "VMMS-Admin"));
    cr_assert(strstr(md, "# casebrief report: case &lt;1&gt;"));
    /* two renderings: the same bytes */
    size_t len2;
    char *again = render(&res, &len2);
    cr_assert_eq(len, len2);
    cr_assert_eq(memcmp(md, again, len), 0);
    free(md);
    free(again);
    cb_analyze_result_fini(&res);
}

Test(report_md, evidence_shows_node_local_time_when_the_offset_is_known)
{
    const struct cb_tz_override tz = {"HV-NODE1", -330}; /* --tz */
    struct cb_analyze_result res;
    analyze_demo(&res, &tz, 1);
    size_t len;
    char *md = render(&res, &len);
    /* 01:58:12.905 UTC is 20:28:12.905 the day before at UTC-05:30 */
    cr_assert(strstr(md, "| 2024-11-15 01:58:12.905 (local 20:28:12.905 "
                         "UTC-05:30) | HV-NODE1 | System |"), "%s", md);
    cr_assert_null(strstr(md, "UTC-05:30) | HV-NODE2"), "not other nodes");
    free(md);
    cb_analyze_result_fini(&res);
}

Test(report_md, hostile_log_text_cannot_break_out)
{
    const char *log =
        /* a quorum loss, so that the line becomes a finding's evidence */
        "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   [QUORUM] lost "
        "quorum <script>alert(1)</script> [click](http://evil.example) "
        "![img](http://evil.example/x.png) `code` | a | b | *bold* "
        "&lt;b&gt; \xff\xfe end\n";
    struct cb_analyze_input in = {"HV-EVIL_cluster.log<b>|x", log,
                                  strlen(log)};
    struct cb_analyze_result res;
    analyze(&res, &in, 1, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    cr_assert_null(strstr(md, "<script>"));
    cr_assert_null(strstr(md, "<b>"));
    for (const char *p = md; (p = strstr(p, "](")) != NULL; p++)
        cr_assert_eq(p[-1], '\\', "an unescaped ']' could close a link");
    cr_assert(strstr(md, "!\\[img\\](http"), "image syntax escaped");
    cr_assert(strstr(md, "&amp;lt;b&amp;gt;"), "entities in data escaped");
    cr_assert(strstr(md, "cluster.log&lt;b&gt;\\|x"),
              "the member name's tag and pipe escaped");
    cr_assert(strstr(md, "\\[click\\]"));
    cr_assert(strstr(md, "\\| a \\| b \\|"), "pipes cannot split a cell");
    cr_assert(strstr(md, "\xEF\xBF\xBD\xEF\xBF\xBD end"),
              "invalid UTF-8 replaced");
    /* the evidence row naming the file has exactly its 6 cells: the
     * name's pipe cannot go in a code span, so it is escaped instead */
    const char *row = strstr(md, "\n| 2024-11-15 01:58:12.000 | ");
    cr_assert_not_null(row, "%s", md);
    row++;
    cr_assert(strstr(row, "| HV-EVIL\\_cluster.log&lt;b&gt;\\|x line 1 (S1) |"),
              "%.*s", (int)(strchr(row, '\n') - row), row);
    size_t pipes = 0;
    for (const char *p = row; *p && *p != '\n'; p++)
        pipes += *p == '|' && p[-1] != '\\';
    cr_assert_eq(pipes, 7u, "%.*s", (int)(strchr(row, '\n') - row), row);
    /* the case summary shows it as it is, in its fenced text block,
     * where no markup works */
    cr_assert(strstr(md, "```text\nCase:      case <1>\n"), "%s", md);
    free(md);
    cb_analyze_result_fini(&res);
}

/* Found by fuzz_report_md: customer text at the start of a line became a
 * heading or a list item, and C1 controls / line separators went through
 * raw. */
Test(report_md, line_leading_markers_and_c1_controls_are_neutralised)
{
    /* nothing read: the warnings are added to the finished analysis */
    struct cb_analyze_result res;
    analyze(&res, NULL, 0, NULL, 0);
    struct cb_analysis *an = res.an;
    cb_analysis_warn(an, "# heading", CB_WHERE_NONE, 0, "a\xc2\x85" "b");
    cb_analysis_warn(an, "1. item", CB_WHERE_NONE, 0, "c\xe2\x80\xa8" "d");
    cb_analysis_warn(an, "  \t- dash", CB_WHERE_NONE, 0, "e\xc2\x9b" "f");
    cb_analysis_warn(an, "===", CB_WHERE_NONE, 0, "x");
    size_t len;
    char *md = render(&res, &len);
    cr_expect(strstr(md, "\n- \\# heading: a b\n"), "%s", md);
    cr_expect(strstr(md, "\n- 1\\. item: c d\n"), "%s", md);
    cr_expect(strstr(md, "\n- \\- dash: e f\n"), "%s", md);
    cr_expect(strstr(md, "\n- \\===: x\n"), "%s", md);
    cr_expect_null(strstr(md, "\xc2\x85"));
    cr_expect_null(strstr(md, "\xe2\x80\xa8"));
    cr_expect_null(strstr(md, "\xc2\x9b"));
    free(md);
    cb_analyze_result_fini(&res);
}

/* ---- the report as a case note (issue 16 #9) ------------------------------ */

/* The lines between "```text" and "```": the case summary. */
static char *case_block(const char *md)
{
    const char *a = strstr(md, "## Case summary\n\n```text\n");
    cr_assert_not_null(a, "%s", md);
    a += strlen("## Case summary\n\n```text\n");
    const char *b = strstr(a, "\n```\n");
    cr_assert_not_null(b);
    return strndup(a, (size_t)(b - a) + 1);
}

/* The demo bundle's sample README: two nodes, HV-NODE1 and HV-NODE2 (the
 * Nodes section), a heartbeat loss at 01:58 UTC in which node 1 removes
 * node 2 from membership and CSV 'Volume1' pauses. */
Test(report_md, case_summary_block_holds_the_case_as_it_is)
{
    struct cb_analyze_result res;
    analyze_demo(&res, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    /* it opens the report, right under the title */
    cr_assert(strncmp(md, "# casebrief report: case &lt;1&gt;\n\n## Case "
                          "summary\n", 44) == 0, "%.200s", md);
    char *cs = case_block(md);
    cr_expect(strstr(cs, "Case:      case <1>\n"), "raw, no escapes:\n%s", cs);
    cr_expect(strstr(cs, "Upload:    complete\nRead:      2 files, "), "%s",
              cs);
    cr_expect(strstr(cs, "Nodes:     HV-NODE1, HV-NODE2\n"), "%s", cs);
    /* the span of the two logs: 01:57:58.101 to 01:59:44.660, seconds */
    cr_expect(strstr(cs, "Span:      2024-11-15 01:57:58 to 2024-11-15 "
                         "01:59:44 UTC\n"), "%s", cs);
    cr_expect(strstr(cs, "Incidents: 1\n"), "%s", cs);
    cr_expect_null(strstr(cs, "Clocks:"), "both headers state the offset");
    /* the incident: node 2 removed at 01:58:12, Volume1 paused 01:58:14 */
    const char *i1 = strstr(cs, "\nI1 (critical): ");
    cr_assert_not_null(i1, "%s", cs);
    const char *title = strchr(i1 + 1, '\n');
    cr_expect(strstr(i1, "HV-NODE2") && strstr(i1, "Volume1") &&
                  strstr(i1, "HV-NODE2") < title,
              "headline names the node and the volume: %s", cs);
    cr_expect(strstr(i1, "\n  When:   2024-11-15 01:58:12"), "%s", cs);
    cr_expect(strstr(i1, "\n  Where:  HV-NODE1, HV-NODE2\n"), "%s", cs);
    cr_expect(strstr(i1, "\n  Cause:  ") &&
                  strstr(i1, "rule P1.node-isolation)"), "%s", cs);
    cr_expect(strstr(i1, "\n  First:  (read-only) "), "%s", cs);
    /* what to ask for: the rule's own list, then what the bundle lacks
     * (two cluster.logs: no Security, no Application log) */
    const char *col = strstr(cs, "\nCollect next:\n  - ");
    cr_assert_not_null(col, "%s", cs);
    cr_expect(strstr(col, "\n  - logs not in the upload: Application, "),
              "%s", cs);
    cr_expect(strstr(col, "Security\n"), "%s", cs);
    /* the block has no Markdown escapes: it pastes as it is */
    cr_expect_null(strstr(cs, "\\_"), "%s", cs);
    cr_expect_null(strstr(cs, "\\["), "%s", cs);
    free(cs);
    free(md);
    cb_analyze_result_fini(&res);
}

/* A damaged upload: the banner stays first, the summary says so. */
Test(report_md, case_summary_of_a_damaged_upload_under_the_banner)
{
    struct cb_analyze_result res;
    analyze(&res, NULL, 0, NULL, 0);
    static struct cb_damage d = {"up.zip!N1-System.evtx", 2,
                                 "offset 9: member cut short", 1};
    res.an->damaged = &d;
    res.an->ndamaged = 1;
    size_t len;
    char *md = render(&res, &len);
    cr_assert(strncmp(md, "> **The upload is damaged: 1 member could not "
                          "be read completely", 60) == 0, "%.200s", md);
    const char *t = strstr(md, "\n# casebrief report: ");
    cr_assert_not_null(t);
    char *cs = case_block(md);
    cr_expect(strstr(cs, "Upload:    DAMAGED: 1 member could not be read "
                         "completely; findings may be missing\n"), "%s", cs);
    cr_expect(strstr(cs, "Incidents: none: nothing in the upload could be "
                         "read\n"), "%s", cs);
    res.an->damaged = NULL;
    res.an->ndamaged = 0;
    free(cs);
    free(md);
    cb_analyze_result_fini(&res);
}

/* Evidence rows name the file, not its nested path; the path is written
 * once, in the Sources list, under the number the rows give. */
Test(report_md, evidence_rows_carry_short_labels_and_one_sources_list)
{
    /* one member in a nested archive path, as a TSS upload has it */
    const char *path = "case.zip!TSSv2_HV-NODE1_241115-102644_Cluster.zip!"
                       "TSSv2_HV-NODE1_241115-102644_Cluster/Cluster/"
                       "HV-NODE1_cluster.log";
    const char *log =
        "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   [QUORUM] Node 1: "
        "quorum was lost\n";
    struct cb_analyze_input in = {path, log, strlen(log)};
    struct cb_analyze_result res;
    analyze(&res, &in, 1, NULL, 0);
    cr_assert(res.findings.count >= 1);
    size_t len;
    char *md = render(&res, &len);
    cr_expect(strstr(md, "| `HV-NODE1_cluster.log` line 1 (S1) |"), "%s",
              md);
    cr_expect(strstr(md, "\n## Sources\n\n- S1: `case.zip!TSSv2_HV-NODE1_"
                         "241115-102644_Cluster.zip!TSSv2_HV-NODE1_241115-"
                         "102644_Cluster/Cluster/HV-NODE1_cluster.log`\n"),
              "%s", md);
    /* no header states this cluster.log's time basis: the summary warns
     * that HV-NODE1's times rest on an assumption */
    char *cs = case_block(md);
    cr_expect(strstr(cs, "\nClocks:    assumed (no UTC offset stated) for "
                         "HV-NODE1;"), "%s", cs);
    free(cs);
    /* the full path appears once */
    const char *first = strstr(md, "Cluster.zip!");
    cr_assert_not_null(first);
    cr_expect_null(strstr(first + 1, "Cluster.zip!TSSv2_HV-NODE1_241115-"
                                     "102644_Cluster/"),
                   "%s", md);
    free(md);
    cb_analyze_result_fini(&res);
}

/* The 16010 text of the P3 scenario (VMMS could not create the AVHDX:
 * "'VM' could not create auto virtual hard disk PATH: The process cannot
 * access the file because it is being used by another process.
 * (0x80070020). (Virtual machine ID GUID)"). Wherever the limit falls,
 * the cut is never inside the path, the disk's GUID, the VM id or the
 * quoted VM name: positions worked out from the text itself. */
Test(report_md, a_cut_never_splits_a_guid_a_path_or_a_vm_id)
{
    const char *m =
        "'APPSRV' could not create auto virtual hard disk "
        "C:\\ClusterStorage\\ssd_vdisk01\\VMs\\APPSRV\\Virtual Hard Disks\\"
        "APPSRV-01_1E5B4C9F-3A82-4D60-8B14-2C7F9E8D6A53.avhdx: The process "
        "cannot access the file because it is being used by another "
        "process. (0x80070020). (Virtual machine ID "
        "8F2E5A91-4D3B-4F1C-9A22-9A0B12C34D56)";
    size_t n = strlen(m);
    const char *keep_whole[] = {
        "'APPSRV'",
        ("C:\\ClusterStorage\\ssd_vdisk01\\VMs\\APPSRV\\Virtual Hard Disks\\"
         "APPSRV-01_1E5B4C9F-3A82-4D60-8B14-2C7F9E8D6A53.avhdx"),
        "1E5B4C9F-3A82-4D60-8B14-2C7F9E8D6A53",
        "(Virtual machine ID 8F2E5A91-4D3B-4F1C-9A22-9A0B12C34D56)",
        "8F2E5A91-4D3B-4F1C-9A22-9A0B12C34D56", "(0x80070020)."};
    cr_assert_eq(cb_view_cut_words(m, n), n, "it fits: no cut");
    for (size_t max = 9; max < n; max++) {
        size_t k = cb_view_cut_words(m, max);
        cr_assert(k <= max && k > 0, "max %zu: %zu", max, k);
        for (size_t w = 0; w < sizeof keep_whole / sizeof *keep_whole; w++) {
            size_t a = (size_t)(strstr(m, keep_whole[w]) - m);
            size_t b = a + strlen(keep_whole[w]);
            cr_assert(k <= a || k >= b, "max %zu cuts %s at %zu", max,
                      keep_whole[w], k);
        }
        /* ends on a word, not on a blank or a dangling separator */
        cr_assert(m[k - 1] != ' ' && m[k - 1] != ':' && m[k - 1] != '(',
                  "max %zu ends \"%.*s\"", max, (int)k, m);
        cr_assert(m[k] == ' ' || m[k] == ':' || m[k] == '.' || m[k] == ',',
                  "max %zu: the next byte starts no word: %.*s|%s", max,
                  (int)k, m, m + k);
    }
    /* a plain sentence: the last whole word */
    cr_expect_eq(cb_view_cut_words("alpha beta gamma", 12), 10);
    cr_expect_eq(cb_view_cut_words("alpha beta gamma", 10), 10);
    /* one token longer than the limit: cut inside it, on a character */
    cr_expect_eq(cb_view_cut_words("\xc3\xa9\xc3\xa9\xc3\xa9", 3), 2);
}

/* The same through the report: a message longer than the Markdown's
 * limit with a VM id astride it shows up to the id, then "…"; the full
 * text stays in JSON. */
Test(report_md, evidence_message_cut_before_the_vm_id_with_an_ellipsis)
{
    char log[1024];
    char pad[400] = "";
    /* words up to just before the limit, so that the id straddles it */
    while (strlen(pad) + 5 < CB_LIMIT_MD_MESSAGE - 40)
        strcat(pad, "word ");
    snprintf(log, sizeof log,
             "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   [QUORUM] "
             "quorum was lost %sVirtual machine ID "
             "8F2E5A91-4D3B-4F1C-9A22-9A0B12C34D56 end\n",
             pad);
    struct cb_analyze_input in = {"N1_cluster.log", log, strlen(log)};
    struct cb_analyze_result res;
    analyze(&res, &in, 1, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    cr_assert_null(strstr(md, "8F2E5A91-4D3B"),
                   "no part of the id in a row: the row is cut before it");
    cr_assert(strstr(md, "word word Virtual machine ID … |"), "%s", md);
    free(md);
    cb_analyze_result_fini(&res);
}

/* One line per host, files counted by format; copies and empty files
 * said as such, not one row each. */
Test(report_md, inventory_is_one_line_per_host)
{
    const char *n1 = "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   "
                     "[QUORUM] quorum was lost\n"
                     "00000a1c.00001f04::2024/11/15-01:58:13.000 INFO  "
                     "[NM] x\n";
    const char *n2 = "00000a1c.00001f04::2024/11/15-01:59:00.000 INFO  "
                     "[NM] y\n";
    struct cb_analyze_input in[] = {
        {"up.zip!HV-N1/HV-N1_cluster.log", n1, strlen(n1)},
        {"up.zip!HV-N2/HV-N2_cluster.log", n2, strlen(n2)},
        {"up.zip!HV-N2/HV-N2_notes.bin", "\x01\x02\x03", 3},
    };
    struct cb_analyze_result res;
    analyze(&res, in, 3, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    const char *inv = strstr(md, "\n## Inventory\n\n");
    cr_assert_not_null(inv, "%s", md);
    inv += strlen("\n## Inventory\n\n");
    const char *end = strstr(inv, "\n\n");
    size_t lines = 0;
    for (const char *p = inv; p && p < (end ? end : md + len);
         p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        lines++;
    /* the .bin names no host by any convention: a line of its own */
    cr_expect_eq(lines, 3u, "two hosts and the unattributed: %s", inv);
    cr_expect(strstr(inv, "- **HV-N1** (events 2024-11-15 01:58:12 to "
                          "2024-11-15 01:58:13 UTC): 1 cluster.log (2 "
                          "events)\n"), "%s", inv);
    cr_expect(strstr(inv, "- **HV-N2** (events 2024-11-15 01:59:00 to "
                          "2024-11-15 01:59:00 UTC): 1 cluster.log (1 "
                          "event)\n"), "%s", inv);
    cr_expect(strstr(inv, "- **host not identified**: 1 file of unknown "
                          "format (HV-N2\\_notes.bin)\n"), "%s", inv);
    cr_expect_null(strstr(md, "| file | format |"), "no per-file table");
    free(md);
    cb_analyze_result_fini(&res);
}

/* References as the rules write them (rules/p*.xml): a public address is
 * kept, a path of our own tree never shown. */
Test(report_md, references_keep_public_addresses_and_drop_internal_paths)
{
    char t[512];
    const char *url;
    size_t ul;
    cr_assert(cb_view_reference(
        "Troubleshoot cluster service fails to start (Microsoft Learn): "
        "https://learn.microsoft.com/troubleshoot/windows-server/"
        "high-availability/troubleshoot-cluster-service-fails-to-start",
        t, sizeof t, &url, &ul));
    cr_expect_str_eq(t, "Troubleshoot cluster service fails to start "
                        "(Microsoft Learn)");
    cr_expect(ul > 0 && strncmp(url, "https://learn.microsoft.com/troubl"
                                     "eshoot/windows-server/high-availab"
                                     "ility/troubleshoot-cluster-service-"
                                     "fails-to-start", ul) == 0 &&
              url[ul] == '\0');
    /* p8-cluster-health.xml */
    cr_assert(cb_view_reference("Service Control Manager events 7031 and "
                                "7034 (shared/kb/EVENTIDS.md)",
                                t, sizeof t, &url, &ul));
    cr_expect_str_eq(t, "Service Control Manager events 7031 and 7034");
    cr_expect_null(url);
    cr_assert(cb_view_reference("Hyper-V-Worker events (wording from field "
                                "reports; ids UNSURE, shared/kb/EVENTIDS.md)",
                                t, sizeof t, &url, &ul));
    cr_expect_str_eq(t, "Hyper-V-Worker events");
    /* numbers with slashes are not paths */
    cr_assert(cb_view_reference("Failover Clustering system log events, "
                                "1126/1127/1129/1130 (Microsoft Learn): "
                                "https://learn.microsoft.com/x",
                                t, sizeof t, &url, &ul));
    cr_expect_str_eq(t, "Failover Clustering system log events, "
                        "1126/1127/1129/1130 (Microsoft Learn)");
    /* a command's switches are not paths (rules/p7-csv-storage.xml) */
    cr_assert(cb_view_reference("Run the chkdsk /f command on a shared "
                                "cluster disk (Microsoft Learn): https://"
                                "learn.microsoft.com/troubleshoot/x",
                                t, sizeof t, &url, &ul));
    cr_expect_str_eq(t, "Run the chkdsk /f command on a shared cluster disk "
                        "(Microsoft Learn)");
    /* nothing but an internal path: nothing to show */
    cr_expect_not(cb_view_reference("../shared/kb/sources/002", t, sizeof t,
                                    &url, &ul));
    cr_expect(cb_view_reference("see ../shared/kb/PATTERNS.md and KB4462487",
                                t, sizeof t, &url, &ul));
    cr_expect_str_eq(t, "see and KB4462487");
}

/* Through the report, with every shipped rule's references: each
 * "**References**" item of the demo shows its address, none a path. */
Test(report_md, references_in_the_report_have_addresses_not_paths)
{
    struct cb_analyze_result res;
    analyze_demo(&res, NULL, 0);
    size_t len;
    char *md = render(&res, &len);
    cr_expect_null(strstr(md, "shared/kb"), "%s", md);
    cr_expect_null(strstr(md, "../"));
    const char *r = strstr(md, "**References**\n\n- ");
    cr_assert_not_null(r, "%s", md);
    cr_expect(strstr(md, ": https://learn.microsoft.com/"), "%s", md);
    free(md);
    cb_analyze_result_fini(&res);
}

/* What to collect next does not ask again for what the upload has: a
 * cluster.log whose debug log starts before the incident on every node
 * is said to be there; one that starts after it (reset or rolled over,
 * as in the P3 scenario) is not. P1.quorum-lost asks for
 * "Get-ClusterLog -UseLocalTime from every node". */
Test(report_md, collect_next_says_what_the_upload_already_has)
{
    const char *before =
        "00000a1c.00001f04::2024/11/15-01:50:00.000 INFO  [NM] up\n"
        "00000a1c.00001f04::2024/11/15-01:58:12.000 ERR   [QUORUM] quorum "
        "was lost\n";
    const char *other =
        "00000b1c.00001f04::2024/11/15-01:51:00.000 INFO  [NM] up\n";
    const char *reset = /* its debug log begins after the incident */
        "00000b1c.00001f04::2024/11/15-02:41:00.000 INFO  [NM] up\n";
    const char *want = "Get-ClusterLog -UseLocalTime from every node (the "
                       "upload already has every node's cluster.log from "
                       "before the incident)\n";
    for (int k = 0; k < 2; k++) {
        const char *n2 = k ? reset : other;
        struct cb_analyze_input in[] = {
            {"HV-N1_cluster.log", before, strlen(before)},
            {"HV-N2_cluster.log", n2, strlen(n2)}};
        struct cb_analyze_result res;
        analyze(&res, in, 2, NULL, 0);
        size_t len;
        char *md = render(&res, &len);
        char *cs = case_block(md);
        cr_assert(strstr(cs, "\n  - Get-ClusterLog -UseLocalTime from every "
                             "node"), "%s", cs);
        if (k)
            cr_expect_null(strstr(cs, want), "HV-N2 reset:\n%s", cs);
        else
            cr_expect(strstr(cs, want), "%s", cs);
        free(cs);
        free(md);
        cb_analyze_result_fini(&res);
    }
}
