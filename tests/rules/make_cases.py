#!/usr/bin/env python3
"""Writes the rule test cases under tests/rules/<case>/: event XML in the
form `wevtutil qe /f:xml` produces (one <Event> per line, no root) and
cluster.log text, plus expected.json. Run it after changing a case; the
generated files are committed so tests need no Python.

expected.json: "findings" lists every finding the case must produce (rule
id and, optionally, count / hosts / entities / min_confidence /
max_confidence); no other finding may appear. "absent" names rules that
must not fire (the near misses); every rule needs at least one case where
it fires and one where it must not.
"""
import json, os, shutil, sys
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "http://schemas.microsoft.com/win/2004/08/events/event"
T0 = datetime(2024, 11, 15, 1, 0, 0)
record = [1000]


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("'", "&apos;"))


def ev(provider, eid, t, host, channel="System", level=2, data=None,
       userdata=None, message=None):
    """One event as EvtRender XML. data: list of (name or None, value)."""
    record[0] += 1
    parts = [f"<Event xmlns='{NS}'><System>",
             f"<Provider Name='{provider}'/>",
             f"<EventID>{eid}</EventID><Version>0</Version>",
             f"<Level>{level}</Level><Task>0</Task><Opcode>0</Opcode>",
             "<Keywords>0x8000000000000000</Keywords>",
             f"<TimeCreated SystemTime='{t.strftime('%Y-%m-%dT%H:%M:%S')}"
             f".{t.microsecond:06d}0Z'/>",
             f"<EventRecordID>{record[0]}</EventRecordID><Correlation/>",
             "<Execution ProcessID='4' ThreadID='64'/>",
             f"<Channel>{channel}</Channel>",
             f"<Computer>{host}.contoso.local</Computer>",
             "<Security UserID='S-1-5-18'/></System>"]
    if userdata:
        tag, fields = userdata
        parts.append(f"<UserData><{tag}>")
        parts += [f"<{k}>{esc(v)}</{k}>" for k, v in fields]
        parts.append(f"</{tag}></UserData>")
    else:
        parts.append("<EventData>")
        for name, value in data or []:
            attr = f" Name='{name}'" if name else ""
            parts.append(f"<Data{attr}>{esc(value)}</Data>")
        parts.append("</EventData>")
    if message:
        parts.append(f"<RenderingInfo Culture='en-US'><Message>{esc(message)}"
                     "</Message></RenderingInfo>")
    parts.append("</Event>")
    return "".join(parts)


def at(minutes=0, seconds=0):
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def background(host, start, end, every=2):
    """Service Control Manager noise so the data covers a window."""
    out, m = [], start
    while m <= end:
        out.append(ev("Service Control Manager", 7036, at(m), host, level=4,
                      data=[("param1", "Windows Update"),
                            ("param2", "running")]))
        m += every
    return out


FC = "Microsoft-Windows-FailoverClustering"
VMMS = "Microsoft-Windows-Hyper-V-VMMS"
VMMS_CH = "Microsoft-Windows-Hyper-V-VMMS-Admin"


def write_case(name, files, findings, absent, description, language="en"):
    """language: the language of the case's message texts ("any" for
    binary .evtx, which carries none): metadata for `rules coverage`."""
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "input"))
    for fname, lines in files.items():
        nl = "\r\n" if fname.endswith(".log") else "\n"
        with open(os.path.join(d, "input", fname), "w", newline="") as f:
            f.write(nl.join(lines) + nl)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"description": description, "language": language,
                   "findings": findings, "absent": absent}, f, indent=2)
        f.write("\n")


def sort_xml(events):
    return sorted(events, key=lambda e: e[e.index("SystemTime"):])


def main():
    # P1: 1135 + 5120 on the survivor, network warnings before, follow-ons
    n1 = background("HV-NODE1", 40, 80)
    n1 += [ev(FC, 1126, at(58, 7), "HV-NODE1", level=3,
              data=[("NetInterfaceName", "HV-NODE2 - Cluster"),
                    ("NodeName", "HV-NODE2"), ("NetworkName", "Cluster")]),
           ev(FC, 1135, at(58, 12), "HV-NODE1", level=1,
              data=[("NodeName", "HV-NODE2")]),
           ev(FC, 5120, at(58, 14), "HV-NODE1", level=3,
              data=[("VolumeName", "Volume1"),
                    ("ResourceName", "Cluster Disk 1"),
                    ("ErrorCode", "STATUS_CONNECTION_DISCONNECTED(c000020c)")]),
           ev(FC, 1069, at(58, 16), "HV-NODE1",
              data=[("ResourceName", "Virtual Machine VM-SQL01"),
                    ("ResourceGroup", "VM-SQL01")]),
           ev(FC, 1069, at(58, 40), "HV-NODE1",
              data=[("ResourceName", "Virtual Machine VM-APP03"),
                    ("ResourceGroup", "VM-APP03")]),
           ev(FC, 1205, at(59, 2), "HV-NODE1",
              data=[("ResourceGroup", "VM-APP03")])]
    # the same events newest first, split over two files in the wrong
    # order: the result must not change
    rev = sort_xml(n1)[::-1]
    write_case("p1-out-of-order",
               {"A-late.xml": rev[: len(rev) // 2],
                "B-early.xml": rev[len(rev) // 2:]},
               [{"id": "P1.node-isolation", "count": 1,
                 "hosts": ["HV-NODE1"], "entities": {"node": "HV-NODE2"},
                 "min_confidence": 90},
                {"id": "P1.resource-failures", "count": 3,
                 "hosts": ["HV-NODE1"]}],
               ["P1.node-removed", "P1.quorum-lost"],
               "p1-isolation's events newest first, over two files whose "
               "names sort against time order")
    write_case("p1-isolation",
               {"HV-NODE1-System.xml": sort_xml(n1)},
               [{"id": "P1.node-isolation", "count": 1,
                 "hosts": ["HV-NODE1"], "entities": {"node": "HV-NODE2"},
                 "min_confidence": 90},
                {"id": "P1.resource-failures", "count": 3,
                 "hosts": ["HV-NODE1"]}],
               ["P1.node-removed", "P1.quorum-lost"],
               "1135 + 5120 two seconds apart with 1126 before and three "
               "role failures after: isolation, corroborated")

    # P1 near miss: the CSV paused 20 minutes later, outside the window;
    # role failures spread over 40 minutes and over hosts
    n1 = background("HV-NODE1", 30, 110)
    n1 += [ev(FC, 1135, at(60), "HV-NODE1", level=1,
              data=[("NodeName", "HV-NODE3")]),
           ev(FC, 5120, at(80), "HV-NODE1", level=3,
              data=[("VolumeName", "Volume2"),
                    ("ResourceName", "Cluster Disk 2"),
                    ("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)")]),
           ev(FC, 1069, at(40), "HV-NODE1", data=[("ResourceName", "A")]),
           ev(FC, 1069, at(60), "HV-NODE1", data=[("ResourceName", "B")]),
           ev(FC, 1069, at(80), "HV-NODE1", data=[("ResourceName", "C")])]
    n2 = background("HV-NODE2", 30, 110)
    n2 += [ev(FC, 1069, at(90), "HV-NODE2", data=[("ResourceName", "D")]),
           ev(FC, 1069, at(91), "HV-NODE2", data=[("ResourceName", "E")])]
    write_case("p1-near-miss-window",
               {"HV-NODE1-System.xml": sort_xml(n1),
                "HV-NODE2-System.xml": sort_xml(n2)},
               [{"id": "P1.node-removed", "count": 1,
                 "entities": {"node": "HV-NODE3"}},
                {"id": "P7.csv-paused-storage", "count": 1,
                 "entities": {"volume": "Volume2",
                              "status": "STATUS_IO_TIMEOUT"}}],
               ["P1.node-isolation", "P1.resource-failures"],
               "5120 twenty minutes after 1135 (outside 5 min): the "
               "membership loss, and the pause on its own (a storage "
               "timeout); role failures 20 min apart or 2 on one host and 1 "
               "on another do not count as a burst")

    # P1 quorum from the cluster log; near miss: healthy quorum lines
    log = ["[=== Cluster ===]",
           "Current node: HV-NODE2 (2) id (2)",
           "[=== Cluster Logs ===]",
           "00000d18.00001b44::2024/11/15-01:58:12.911 ERR   [QUORUM] Node 2: "
           "lost quorum (1 of 3 votes)",
           "00000d18.00001b44::2024/11/15-01:58:12.912 ERR   [CS] Cluster "
           "service on node HV-NODE2 is shutting down because quorum was lost"]
    ok = ["[=== Cluster ===]",
          "Current node: HV-NODE1 (1) id (1)",
          "[=== Cluster Logs ===]",
          "00000e4c.00001f38::2024/11/15-01:58:12.903 INFO  [QUORUM] Node 1: "
          "quorum is healthy, 3 of 3 votes",
          "00000e4c.00001f38::2024/11/15-01:58:13.000 INFO  [RCM] a role "
          "lost quorum votes message from another component"]
    write_case("p1-quorum",
               {"HV-NODE2_cluster.log": log, "HV-NODE1_cluster.log": ok},
               [{"id": "P1.quorum-lost", "count": 2,
                 "hosts": ["HV-NODE2"]}],
               ["P1.node-isolation"],
               "quorum loss in cluster.log [QUORUM]/[CS] lines on node 2; "
               "node 1's healthy-quorum and [RCM] lines must not count")

    # P2: replica suspended around a restart of the primary
    p = background("HV-PRIM1", 0, 120)
    p += [ev("User32", 1074, at(55), "HV-PRIM1", level=4,
             data=[("param1", "C:\\Windows\\system32\\winlogon.exe"),
                   ("param2", "HV-PRIM1"), ("param3", "Operating System: "
                    "Upgrade (Planned)"), ("param4", "0x80020003"),
                   ("param5", "restart")]),
          ev(VMMS, 32022, at(58), "HV-PRIM1", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM01"),
                                       ("VmId", "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"),
                                       ("ErrorMessage", "%%2147500036"),
                                       ("ErrorCode", "0x80004004")])),
          ev(VMMS, 32086, at(58, 1), "HV-PRIM1", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM01"),
                                       ("VmId", "1B4E28BA-2FA1-11D2-883F-0016D3CCA427")]))]
    write_case("p2-suspended-at-shutdown",
               {"HV-PRIM1_Microsoft-Windows-Hyper-V-VMMS-Admin.xml": sort_xml(p)},
               [{"id": "P2.replica-suspended-at-shutdown", "count": 1,
                 "entities": {"vm": "VM01"}, "min_confidence": 90}],
               ["P2.replication-failing", "P2.replica-suspended-unexplained"],
               "32022 + 32086 for VM01 three minutes after a planned "
               "restart (1074)")

    # P2 near misses: no shutdown at all (a different cause), and the two
    # events for different VMs
    p = background("HV-PRIM1", 0, 120)
    p += [ev(VMMS, 32022, at(60), "HV-PRIM1", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM02"),
                                       ("ErrorCode", "0x80004004")])),
          ev(VMMS, 32086, at(60, 30), "HV-PRIM1", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM03")]))]
    write_case("p2-no-shutdown",
               {"HV-PRIM1_Microsoft-Windows-Hyper-V-VMMS-Admin.xml": sort_xml(p)},
               [{"id": "P2.replication-failing", "count": 1,
                 "entities": {"vm": "VM02"}}],
               ["P2.replica-suspended-at-shutdown"],
               "32022 with no shutdown within 30 min; its 32086 is for "
               "another VM, so no suspended-at-shutdown pair")

    # P3: nightly recovery checkpoints fail on a locked AVHDX after a
    # power loss two days earlier
    avhdx = ("C:\\ClusterStorage\\ssd_vdisk01\\VMs\\APPSRV\\Virtual Hard "
             "Disks\\APPSRV-01_1E5B4C9F-3A82-4D60-8B14-2C7F9E8D6A53.avhdx")
    n = [ev("EventLog", 6008, at(-2 * 1440), "HV-NODE1",
            data=[(None, "1:58:02 AM"), (None, "11/13/2024")]),
         ev("Microsoft-Windows-Kernel-Power", 41, at(-2 * 1440 + 1),
            "HV-NODE1", level=1, data=[("BugcheckCode", "0")])]
    for night in range(3):
        n.append(ev(VMMS, 12345, at(night * 1440 + 60), "HV-NODE1",
                    channel=VMMS_CH,
                    userdata=("VmlEventLog", [("VmName", "APPSRV"),
                                              ("ErrorMessage", "%%2147942432"),
                                              ("ErrorCode", "0x80070020")]),
                    message=f"'APPSRV' could not create auto virtual hard "
                            f"disk {avhdx}: The process cannot access the "
                            "file because it is being used by another "
                            "process. (0x80070020)."))
    write_case("p3-locked-avhdx",
               {"HV-NODE1_evt_HyperVVMMS-Admin.xml": sort_xml(n)},
               [{"id": "P3.checkpoint-locked-avhdx", "count": 3,
                 "entities": {"vm": "APPSRV"}, "min_confidence": 85},
                {"id": "P6.unexpected-shutdown", "count": 2,
                 "hosts": ["HV-NODE1"]}],
               ["P6.power-event"],
               "three nightly checkpoint failures on the same orphan AVHDX "
               "after a power loss (6008 + Kernel-Power 41) two days earlier")

    # P3 near miss: the same failure text with access denied, not a lock
    n = [ev(VMMS, 12345, at(60), "HV-NODE1", channel=VMMS_CH,
            userdata=("VmlEventLog", [("VmName", "APPSRV"),
                                      ("ErrorMessage", "%%2147942405"),
                                      ("ErrorCode", "0x80070005")]),
            message=f"'APPSRV' could not create auto virtual hard disk "
                    f"{avhdx}: General access denied error (0x80070005).")]
    write_case("p3-other-hresult",
               {"HV-NODE1_evt_HyperVVMMS-Admin.xml": n},
               [{"id": "P5.disk-access-denied", "hosts": ["HV-NODE1"],
                 "entities": {"vm": "APPSRV"}}],
               ["P3.checkpoint-locked-avhdx"],
               "an AVHDX creation failure with 0x80070005 (access denied) "
               "is not the orphan-lock pattern; it is a denied disk (AV, "
               "filter driver or permissions)")

    # P6: logs cleared; near miss: RdpCoreTS also uses id 104
    n = background("HV-NODE1", 0, 20)
    n += [ev("Microsoft-Windows-Eventlog", 104, at(10), "HV-NODE1", level=4,
             userdata=("LogFileCleared", [("SubjectUserName", "admin.jdoe"),
                                          ("SubjectDomainName", "CONTOSO"),
                                          ("Channel", "System"),
                                          ("BackupPath", "")])),
          ev("Microsoft-Windows-Eventlog", 1102, at(11), "HV-NODE1",
             channel="Security", level=4,
             userdata=("LogFileCleared", [("SubjectUserSid", "S-1-5-21-1-2-3-500"),
                                          ("SubjectUserName", "admin.jdoe"),
                                          ("SubjectDomainName", "CONTOSO"),
                                          ("SubjectLogonId", "0x3e7")])),
          ]
    write_case("p6-log-cleared",
               {"HV-NODE1-System.xml": sort_xml(n)},
               [{"id": "P6.log-cleared", "count": 1,
                 "entities": {"channel": "System", "user": "admin.jdoe"}},
                {"id": "P6.security-log-cleared", "count": 1,
                 "entities": {"user": "admin.jdoe"}}],
               [],
               "System cleared (104) and Security cleared (1102) by the "
               "same admin")

    # P6 near misses: other providers' ids 104 and 1102, and a clean
    # planned restart (1074, 6006, 6005) is not an unexpected shutdown
    n = background("HV-NODE1", 0, 20)
    n += [ev("Microsoft-Windows-RemoteDesktopServices-RdpCoreTS", 104,
             at(12), "HV-NODE1",
             channel="Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational",
             level=4, data=[("ConnType", "TCP")]),
          ev(VMMS, 1102, at(13), "HV-NODE1", channel=VMMS_CH,
             data=[(None, "VmmsVirtualMachineSnapshot::GetReplicaType: "
                          "ReadUnsignedInteger failed! HRESULT = 0x80070002")]),
          ev("User32", 1074, at(14), "HV-NODE1", level=4,
             data=[("param1", "C:\\Windows\\system32\\svchost.exe"),
                   ("param5", "restart")]),
          ev("EventLog", 6006, at(15), "HV-NODE1", level=4),
          ev("EventLog", 6005, at(17), "HV-NODE1", level=4)]
    write_case("p6-clean-restart",
               {"HV-NODE1-System.xml": sort_xml(n)},
               [],
               ["P6.log-cleared", "P6.security-log-cleared",
                "P6.unexpected-shutdown", "P6.power-event"],
               "RdpCoreTS 104 and VMMS 1102 are other providers' ids; a "
               "planned restart (1074, 6006, 6005) is clean")

    # P6: both nodes lose power; near misses in p6-one-node
    a = [ev("EventLog", 6008, at(62), "HV-NODE1",
            data=[(None, "1:58:02 AM"), (None, "11/15/2024")])]
    b = [ev("EventLog", 6008, at(66), "HV-NODE2",
            data=[(None, "1:58:04 AM"), (None, "11/15/2024")])]
    write_case("p6-power-event",
               {"HV-NODE1-System.xml": a, "HV-NODE2-System.xml": b},
               [{"id": "P6.power-event", "count": 2,
                 "hosts": ["HV-NODE1", "HV-NODE2"]}],
               ["P6.unexpected-shutdown"],
               "unexpected shutdowns on both nodes four minutes apart: one "
               "power event, which holds each node's shutdown (no separate "
               "per-node findings repeating its events)")
    a = [ev("EventLog", 6008, at(0), "HV-NODE1",
            data=[(None, "12:58 AM"), (None, "11/15/2024")]),
         ev("EventLog", 6008, at(20), "HV-NODE1",
            data=[(None, "1:18 AM"), (None, "11/15/2024")])]
    b = [ev("EventLog", 6008, at(180), "HV-NODE2",
            data=[(None, "3:58 AM"), (None, "11/15/2024")])]
    write_case("p6-one-node",
               {"HV-NODE1-System.xml": a, "HV-NODE2-System.xml": b},
               [{"id": "P6.unexpected-shutdown", "count": 1,
                 "hosts": ["HV-NODE1"]},
                {"id": "P6.unexpected-shutdown", "count": 1,
                 "hosts": ["HV-NODE1"]},
                {"id": "P6.unexpected-shutdown", "count": 1,
                 "hosts": ["HV-NODE2"]}],
               ["P6.power-event"],
               "two dirty shutdowns of one node 20 min apart and one of the "
               "other node 3 h later: no shared power event")

    p4_p5_cases()
    multiline_cases()
    clusterlog_resource_case()
    real_wording_cases()
    new_family_cases()
    evtx_cases()
    clock_skew_cases()
    vm_crash_cases()
    replica_no_system_case()


def vmms(t, host, message, vm=None, code=None):
    fields = [("VmName", vm)] if vm else []
    if code:
        fields.append(("ErrorCode", code))
    return ev(VMMS, 20417, t, host, channel=VMMS_CH,
              userdata=("VmlEventLog", fields), message=message)


def p4_p5_cases():
    p = [vmms(at(10), "HV-NODE1",
              "Live migration of 'VM11' failed. Virtual machine migration "
              "operation for 'VM11' failed at migration source 'HV-NODE1'. "
              "Failed to establish a connection with host 'HV-NODE2': No "
              "credentials are available in the security package "
              "(0x8009030E).", "VM11", "0x8009030E"),
         vmms(at(11), "HV-NODE3",
              "The virtual machine 'VM12' is using processor-specific "
              "features not supported on physical computer 'HV-NODE4'.",
              "VM12"),
         vmms(at(12), "HV-NODE5",
              "Migration failed: The client cannot connect to the "
              "destination specified in the request."),
         vmms(at(13), "HV-NODE5",
              "Virtual machine migration limit 1 was reached, please wait "
              "for completion of an ongoing migration operation."),
         vmms(at(14), "HV-NODE6",
              "'VM13': No matching virtual switch found on the destination "
              "host.", "VM13"),
         vmms(at(15), "HV-NODE6",
              "The key protector for the virtual machine 'VM14' could not "
              "be unwrapped.", "VM14"),
         vmms(at(16), "HV-NODE6",
              "'VM15' cannot restore this virtual machine because the saved "
              "state data cannot be read. Delete the saved state data and "
              "then try to start the virtual machine. (0xC0370027)",
              "VM15", "0xC0370027"),
         vmms(at(17), "HV-NODE7",
              "'VM16' could not be migrated: the virtual machine "
              "configuration version 9.0 is not supported on this host.",
              "VM16"),
         vmms(at(18), "HV-NODE7",
              "Live migration of 'VM17' failed: the shared virtual hard "
              "disk 'D:\\guest\\quorum.vhds' cannot be moved.", "VM17")]
    write_case("p4-migration",
               {"VMMS-Admin.xml": p},
               [{"id": "P4.migration-auth", "hosts": ["HV-NODE1"],
                 "entities": {"vm": "VM11"}},
                {"id": "P4.processor-compat", "hosts": ["HV-NODE3"],
                 "entities": {"vm": "VM12"}},
                {"id": "P4.destination-unreachable", "hosts": ["HV-NODE5"]},
                {"id": "P4.migration-limit", "hosts": ["HV-NODE5"]},
                {"id": "P4.switch-mismatch", "hosts": ["HV-NODE6"],
                 "entities": {"vm": "VM13"}},
                {"id": "P4.key-protector", "hosts": ["HV-NODE6"]},
                {"id": "P4.saved-state-unreadable", "hosts": ["HV-NODE6"],
                 "entities": {"vm": "VM15"}},
                {"id": "P4.config-version", "hosts": ["HV-NODE7"],
                 "entities": {"vm": "VM16"}},
                {"id": "P4.shared-disk", "hosts": ["HV-NODE7"],
                 "entities": {"vm": "VM17"}}],
               [],
               "one event per live-migration failure of the guide's table, "
               "each on its own host")
    p = [vmms(at(10), "HV-NODE1", "Live migration of 'VM11' succeeded.",
              "VM11"),
         vmms(at(11), "HV-NODE1", "'VM11' failed to start: General access "
              "denied error (0x80070005).", "VM11", "0x80070005"),
         vmms(at(12), "HV-NODE3", "Processor compatibility for migration "
              "is enabled for 'VM12'.", "VM12"),
         vmms(at(13), "HV-NODE5", "The WinRM service started."),
         vmms(at(14), "HV-NODE5", "Virtual machine migration limit was "
              "changed to 4."),
         vmms(at(15), "HV-NODE6", "Virtual switch 'External' was created."),
         vmms(at(16), "HV-NODE6", "The key protector for 'VM14' was "
              "updated.", "VM14"),
         vmms(at(17), "HV-NODE6", "The saved state of 'VM15' was deleted "
              "(0xC0370028).", "VM15"),
         vmms(at(18), "HV-NODE7", "The configuration version of 'VM16' "
              "was upgraded to 10.0.", "VM16"),
         vmms(at(19), "HV-NODE7", "'VM17' uses a shared virtual hard disk.",
              "VM17")]
    write_case("p4-near-misses",
               {"VMMS-Admin.xml": p},
               [],
               ["P4.migration-auth", "P4.processor-compat",
                "P4.destination-unreachable", "P4.migration-limit",
                "P4.switch-mismatch", "P4.key-protector",
                "P4.saved-state-unreadable", "P4.config-version",
                "P4.shared-disk"],
               "successes, settings changes and neighbouring error codes "
               "that share words with the migration failures")

    scm = "Service Control Manager"
    p = [vmms(at(10), "HV-NODE1",
              "'VM21' failed to start. 'VM21': Failed to open attachment "
              "'D:\\VMs\\VM21\\disk_8D3C1A2B-1111-2222-3333-444455556666"
              ".avhdx'. Error: 'The system cannot find the file specified.' "
              "(0x80070002).", "VM21", "0x80070002"),
         vmms(at(11), "HV-NODE1",
              "'VM22' failed to read the configuration: The file or "
              "directory is corrupted and unreadable. (0x80070570)",
              "VM22", "0x80070570"),
         vmms(at(12), "HV-NODE2",
              "'VM23' failed to start worker process: Catastrophic failure "
              "(0x8000FFFF).", "VM23", "0x8000FFFF"),
         vmms(at(13), "HV-NODE2",
              "Cannot load a virtual machine configuration: The system "
              "cannot find the path specified. (0x80070003)"),
         vmms(at(14), "HV-NODE2",
              "'VM24' failed to register: a virtual machine with the "
              "identifier 3F2504E0-4F89-11D3-9A0C-0305E82C3301 already "
              "exists.", "VM24"),
         vmms(at(15), "HV-NODE1",
              "'VM25' background disk merge failed to complete: General "
              "access denied error (0x80070005). (Virtual machine ID "
              "6A1E2F3B-0C4D-4E5F-8A9B-0C1D2E3F4A5B)", "VM25", "0x80070005")]
    s1 = [ev(scm, 7031, at(20), "HV-NODE3",
             data=[("param1", "Hyper-V Virtual Machine Management"),
                   ("param2", "1"), ("param3", "60000"), ("param4", "1"),
                   ("param5", "Restart the service")])]
    s1 += [ev("disk", 153, at(30, 40 * i), "HV-NODE3", level=3,
              data=[(None, "\\Device\\Harddisk2\\DR2"),
                    (None, hex(0x416e32 + i)), (None, "2"),
                    (None, "\\Device\\00000034")]) for i in range(5)]
    write_case("p5-start-failures",
               {"HV-VMMS-Admin.xml": p, "HV-NODE3-System.xml": s1},
               [{"id": "P5.vhd-missing", "hosts": ["HV-NODE1"],
                 "entities": {"vm": "VM21"}},
                {"id": "P5.file-corrupted", "hosts": ["HV-NODE1"],
                 "entities": {"vm": "VM22"}},
                {"id": "P5.worker-catastrophic", "hosts": ["HV-NODE2"],
                 "entities": {"vm": "VM23"}},
                {"id": "P5.config-load", "hosts": ["HV-NODE2"]},
                {"id": "P5.duplicate-vm", "hosts": ["HV-NODE2"],
                 "entities": {"vm": "VM24"}},
                {"id": "P5.disk-access-denied", "hosts": ["HV-NODE1"],
                 "entities": {"vm": "VM25"}},
                {"id": "P5.vmms-crashed", "hosts": ["HV-NODE3"]},
                {"id": "P5.storage-retries", "count": 5,
                 "hosts": ["HV-NODE3"]}],
               [],
               "one event per start failure of the guide, VMMS crash 7031, "
               "five disk retries in under three minutes")
    p = [vmms(at(10), "HV-NODE1", "'VM21' could not find the ISO file "
              "'D:\\iso\\setup.iso' (0x80070002).", "VM21", "0x80070002"),
         vmms(at(11), "HV-NODE1", "'VM22' failed: error 0x80070571.", "VM22",
              "0x80070571"),
         vmms(at(12), "HV-NODE2", "'VM23' worker: 0x8000FFFE.", "VM23",
              "0x8000FFFE"),
         vmms(at(13), "HV-NODE2", "The virtual machine configuration was "
              "loaded."),
         vmms(at(14), "HV-NODE2", "The checkpoint 'before patch' of 'VM24' "
              "already exists; a new name was chosen.", "VM24"),
         vmms(at(15), "HV-NODE1", "'VM25' background disk merge completed "
              "successfully.", "VM25"),
         vmms(at(16), "HV-NODE1", "'VM26' could not open attachment "
              "'D:\\VMs\\VM26\\disk.vhdx': the file is in use by another "
              "process (0x80070020).", "VM26", "0x80070020"),
         vmms(at(17), "HV-NODE2", "'VM27' could not create its saved state "
              "file: General access denied error (0x80070005).", "VM27",
              "0x80070005")]
    s1 = [ev(scm, 7036, at(20), "HV-NODE3", level=4,
             data=[("param1", "Hyper-V Virtual Machine Management"),
                   ("param2", "stopped")]),
          ev(scm, 7031, at(21), "HV-NODE3",
             data=[("param1", "Windows Update"), ("param2", "1")])]
    s1 += [ev("disk", 153, at(30, 140 * i), "HV-NODE3", level=3,
              data=[(None, "\\Device\\Harddisk2\\DR2")])
           for i in range(4)]
    write_case("p5-near-misses",
               {"HV-VMMS-Admin.xml": p, "HV-NODE3-System.xml": s1},
               [],
               ["P5.vhd-missing", "P5.file-corrupted",
                "P5.worker-catastrophic", "P5.config-load",
                "P5.vmms-crashed", "P5.storage-retries",
                "P5.duplicate-vm", "P5.disk-access-denied"],
               "file-not-found on an ISO, neighbouring codes, a clean VMMS "
               "stop (7036), another service's crash, four retries in 10 min, "
               "a merge that worked, a disk in use (not denied), access "
               "denied on a saved-state file (not a disk)")



def multiline_cases():
    """Hyper-V High-Availability 21502 passes the whole multi-line text in:
    the VM captured in quotes must come from one line, not from between
    quotes on different lines (found by the P4/P5 scenario bundles)."""
    ha, ha_ch = ("Microsoft-Windows-Hyper-V-High-Availability",
                 "Microsoft-Windows-Hyper-V-High-Availability-Admin")

    def ha21502(t, host, text):
        return ev(ha, 21502, t, host, channel=ha_ch,
                  data=[(None, "Virtual Machine VM21"), (None, "ID"),
                        (None, text)], message=text)
    p = [ha21502(at(10), "HV-NODE1",
                 "Live migration of 'Virtual Machine VM21' failed.\r\n\r\n"
                 "Virtual machine migration operation for 'VM21' failed at "
                 "migration destination 'HV-NODE2'. (Virtual machine ID "
                 "1D3F5B7A-9C2E-4F6A-8B0D-3E5A7C9F1B24)\r\n\r\nThe virtual "
                 "machine 'VM21' is using processor-specific features not "
                 "supported on physical computer 'HV-NODE2'."),
         ha21502(at(20), "HV-NODE3",
                 "'Virtual Machine VM22' failed to start.\r\n\r\n'VM22' "
                 "failed to start. (Virtual machine ID "
                 "6C8E0A2D-4F1B-4D3A-9E7C-0B2D4F6A8C31)\r\n\r\n'VM22' failed "
                 "to generate VHD tree: The system cannot find the file "
                 "specified. (0x80070002).")]
    write_case("p4-p5-multiline",
               {"HA-Admin.xml": p},
               [{"id": "P4.processor-compat", "hosts": ["HV-NODE1"],
                 "entities": {"vm": "VM21"}},
                {"id": "P5.vhd-missing", "hosts": ["HV-NODE3"],
                 "entities": {"vm": "VM22"}}],
               [],
               "21502 with the multi-line text: the VM is the one quoted on "
               "the line that names the failure")



def clusterlog_resource_case():
    """P1.resource-failures from a cluster.log [System] section alone: the
    1230 timeout and the 1146 RHS restart count as text too, as they do by
    event id (found by the cluster-log-only P1 scenario)."""
    log = ["[=== Cluster ===]",
           "Current node: HV-NODE3 (3) id (3)",
           "[=== System ===]",
           "[System] 00000e4c.00001f40::2024/11/15-01:59:28.000 ERR   A "
           "component on the server did not respond in a timely fashion. This "
           "caused the cluster resource 'Virtual Machine VM31' (resource type "
           "'Virtual Machine', DLL 'vmclusres.dll') to exceed its time-out "
           "threshold. As part of cluster health detection, recovery actions "
           "will be taken.",
           "[System] 00000e4c.00001f40::2024/11/15-01:59:30.000 CRIT  The "
           "cluster Resource Hosting Subsystem (RHS) process was terminated "
           "and will be restarted. This is typically associated with cluster "
           "health detection and recovery of a resource.",
           "[System] 00000e4c.00001f40::2024/11/15-01:59:31.000 ERR   Cluster "
           "resource 'Virtual Machine VM31' of type 'Virtual Machine' in "
           "clustered role 'VM31' failed.",
           "[=== Cluster Logs ===]"]
    write_case("p1-resource-text",
               {"HV-NODE3_cluster.log": log},
               [{"id": "P1.resource-failures", "count": 3,
                 "hosts": ["HV-NODE3"]},
                {"id": "P8.rhs-deadlock", "count": 1,
                 "entities": {"resource": "Virtual Machine VM31"}}],
               [],
               "1230, 1146 and 1069 as the cluster log's System section "
               "renders them: three failures in two minutes on one node, "
               "the first two a resource deadlock and RHS recycled")

# ---- issue 17: real wording, names from fields or quotes, localized text --

def cl_line(t, level, text, pid="00000fe4", tid="00001620"):
    """One cluster.log line as Get-ClusterLog writes it (UTC)."""
    return (f"{pid}.{tid}::{t.strftime('%Y/%m/%d-%H:%M:%S')}."
            f"{t.microsecond // 1000:03d} {level:<5} {text}")


def cl_file(node, number, lines):
    return (["[=== Cluster ===]", f"Current node: {node} ({number}) id "
             f"({number})", "[=== Cluster Logs ===]"] + lines)


def wevtutil_text(events):
    """`wevtutil qe System /f:text`: (t, provider, id, task, level, host,
    message) per event."""
    out = []
    for i, (t, prov, eid, task, level, host, msg) in enumerate(events):
        out += [f"Event[{i}]:", "  Log Name: System", f"  Source: {prov}",
                f"  Date: {t.strftime('%Y-%m-%dT%H:%M:%S')}.000Z",
                f"  Event ID: {eid}", f"  Task: {task}", f"  Level: {level}",
                "  Opcode: Info", "  Keyword: N/A", "  User: S-1-5-18",
                "  User Name: NT AUTHORITY\\SYSTEM",
                f"  Computer: {host}.contoso.local", "  Description:", msg]
    return out


def tss_csv_de(rows):
    """TSS Export-Csv -UseCulture on a German server: ';', dd.MM.yyyy,
    German level names, the message in German (newest first)."""
    out = ['\ufeff#TYPE Selected.System.Diagnostics.Eventing.Reader.'
           'EventLogRecord',
           '"LevelDisplayName";"TimeCreated";"ProviderName";"Id";"UserId";'
           '"Message"']
    for t, level, prov, eid, msg in sorted(rows, reverse=True):
        vals = [level, t.strftime("%d.%m.%Y %H:%M:%S"), prov, str(eid),
                "S-1-5-18", msg]
        out.append(";".join('"%s"' % v.replace('"', '""') for v in vals))
    return out


MSG_1135 = ("Cluster node {q0}{node}{q1} was removed from the active failover "
            "cluster membership. The Cluster service on this node may have "
            "stopped. This could also be due to the node having lost "
            "communication with other active nodes in the failover cluster.")
# German texts: our own rendering of the German message (not verified
# wording); the rules may only rely on what is not translated: the quoted
# names and the status code.
DE_1135 = ("Der Clusterknoten \u201e{node}\u201c wurde aus der aktiven "
           "Failoverclustermitgliedschaft entfernt. M\u00f6glicherweise wurde "
           "der Clusterdienst auf diesem Knoten beendet.")
DE_5120 = ("Das freigegebene Clustervolume \u201e{vol}\u201c "
           "(\u201eCluster Virtual Disk ({vol})\u201c) wurde aufgrund von "
           "\u201e{status}\u201c in einen angehaltenen Zustand versetzt. "
           "Alle E/A-Vorg\u00e4nge werden vor\u00fcbergehend in die "
           "Warteschlange gestellt, bis ein Pfad zum Volume wiederhergestellt "
           "ist.")


def real_wording_cases():
    # cluster.log network loss as Microsoft Learn prints it (IaaS SQL
    # network thresholds article; SQL Server AG failover troubleshooting):
    # the isolation finding names the unreachable endpoint
    t = at(58, 7)
    log1 = cl_file("HV-NODE1", 1, [
        cl_line(t, "INFO", "[IM] got event: LocalEndpoint 10.0.20.11:~3343~ "
                "has missed two consecutive heartbeats from "
                "10.0.20.12:~3343~"),
        cl_line(t, "INFO", "[CHM] Received notification for two consecutive "
                "missed HBs to the remote endpoint 10.0.20.12:~3343~ from "
                "10.0.20.11:~3343~"),
        cl_line(at(58, 11), "DBG", "[NETFTAPI] Signaled NetftRemoteUnreachable "
                "event, local address 10.0.20.11:3343 remote address "
                "10.0.20.12:3343"),
        cl_line(at(58, 11), "INFO", "[IM] got event: Remote endpoint "
                "10.0.20.12:~3343~ unreachable from 10.0.20.11:~3343~"),
        cl_line(at(58, 11), "INFO", "[IM] Marking Route from "
                "10.0.20.11:~3343~ to 10.0.20.12:~3343~ as down"),
        cl_line(at(58, 11), "WARN", "[NDP] All routes for route (virtual) "
                "local fe80::38b9:a16d:77b2:d2d:~0~ to remote "
                "fe80::9087:71d9:495b:27bd:~0~ are down"),
        cl_line(at(58, 11), "WARN", "[NODE] Node 1: Connection to Node 2 is "
                "broken. Reason GracefulClose(1226)' because of 'channel to "
                "remote endpoint fe80::9087:71d9:495b:27bd%14:~3343~ is "
                "closed'")])
    n1 = background("HV-NODE1", 40, 80)
    n1 += [ev(FC, 1135, at(58, 12), "HV-NODE1", level=1,
              data=[("NodeName", "HV-NODE2")]),
           ev(FC, 5120, at(58, 14), "HV-NODE1", level=3,
              data=[("VolumeName", "Volume2"),
                    ("ResourceName", "Cluster Virtual Disk (Volume2)"),
                    ("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)")])]
    log2 = cl_file("HV-NODE2", 2, [
        cl_line(at(58, 13), "WARN", "[QUORUM] Node 2: Lost quorum (2)"),
        cl_line(at(58, 13), "WARN", "lost quorum (status = 5925)"),
        cl_line(at(58, 13), "WARN", "lost quorum (status = 5925), executing "
                "OnStop")])
    log3 = cl_file("HV-NODE3", 3, [
        cl_line(at(59, 0), "ERR", "Quorum lost because failed to update "
                "witness epoch after node failure (status = 5925)")])
    write_case("p1-real-clusterlog",
               {"HV-NODE1-System.xml": sort_xml(n1),
                "HV-NODE1_cluster.log": log1,
                "HV-NODE2_cluster.log": log2,
                "HV-NODE3_cluster.log": log3},
               [{"id": "P1.node-isolation", "count": 1,
                 "entities": {"node": "HV-NODE2", "volume": "Volume2",
                              "status": "STATUS_IO_TIMEOUT",
                              "endpoint": "10.0.20.12"},
                 "min_confidence": 85},
                {"id": "P1.quorum-lost", "hosts": ["HV-NODE2"]},
                {"id": "P1.quorum-lost", "hosts": ["HV-NODE3"]}],
               ["P1.node-removed"],
               "cluster.log network loss in Microsoft's wording (NETFTAPI, "
               "IM, CHM, NDP, NODE) corroborates 1135 + 5120 and names the "
               "endpoint; quorum loss from lines with and without [QUORUM]")

    # Event Viewer text (wevtutil /f:text), English: curly and double
    # quotes, "'NODE'was" without a space, 5120 in its 2008 R2 form. The
    # node comes from the quoted name, never from a column (not "Info",
    # not "SYSTEM").
    txt = wevtutil_text([
        (at(10, 0), FC, 1135, "Node Mgr", "Critical", "HV-NODE1",
         MSG_1135.format(q0="\u2018", q1="\u2019", node="HV-NODE2")),
        (at(10, 3), FC, 5120, "Cluster Shared Volume", "Error", "HV-NODE1",
         "Cluster Shared Volume \"Volume1\" is no longer available on this "
         "node because of \"STATUS_BAD_NETWORK_PATH(c00000be)'. All I/O will "
         "temporarily be queued until a path to the volume is "
         "re-established."),
        (at(40, 0), FC, 1135, "Node Mgr", "Critical", "HV-NODE1",
         "Cluster node 'HV-NODE3'was removed from the active failover "
         "cluster membership. The Cluster service on this node might have "
         "stopped."),
        (at(50, 0), "Service Control Manager", 7036, "None", "Information",
         "HV-NODE1", "The Windows Update service entered the running "
         "state.")])
    write_case("p1-text-export",
               {"HV-NODE1-System.txt": txt},
               [{"id": "P1.node-isolation", "count": 1,
                 "entities": {"node": "HV-NODE2", "volume": "Volume1",
                              "status": "STATUS_BAD_NETWORK_PATH"}},
                {"id": "P1.node-removed", "count": 1,
                 "entities": {"node": "HV-NODE3"}}],
               [],
               "wevtutil text export: curly quotes, 5120's 2008 R2 wording, "
               "'NODE'was without a space; names from quotes, not columns")

    # German TSS CSV: matched by provider, id and the untranslated parts,
    # and the finding says so
    de = tss_csv_de([
        (at(20, 0), "Kritisch", FC, 1135, DE_1135.format(node="HV-NODE2")),
        (at(20, 2), "Warnung", FC, 5120,
         DE_5120.format(vol="Volume3",
                        status="STATUS_CONNECTION_DISCONNECTED(c000020c)"))])
    write_case("p1-localized-de",
               {"HV-NODE1-System.csv": de},
               [{"id": "P1.node-isolation", "count": 1,
                 "entities": {"node": "HV-NODE2", "volume": "Volume3",
                              "status": "STATUS_CONNECTION_DISCONNECTED",
                              "matched": "localized text: by provider, event "
                              "id and the quoted node name"}}],
               ["P1.node-removed"],
               "German TSS CSV export: 1135 and 5120 by provider, id, the "
               "quoted names and the status code", language="de")

    # 1069 in its Windows Server 2008 R2 wording, in a cluster.log [System]
    # section (no event id): three failures count
    sec = ["[=== Cluster ===]", "Current node: HV-NODE4 (4) id (4)",
           "[=== System ===]"]
    for k, vm in enumerate(["VM41", "VM42", "VM43"]):
        sec.append(f"[System] 00000e4c.00001f40::2024/11/15-02:0{k}:10.000 "
                   f"ERR   Cluster resource 'Virtual Machine {vm}' in "
                   f"clustered service or application '{vm}' failed.")
    sec.append("[=== Cluster Logs ===]")
    write_case("p1-resource-2008r2",
               {"HV-NODE4_cluster.log": sec},
               [{"id": "P1.resource-failures", "count": 3,
                 "hosts": ["HV-NODE4"]}],
               [],
               "1069's older 'in clustered service or application' wording")

    # 32086 + 32022 with no shutdown anywhere near: replication failing,
    # not suspended-at-shutdown (one explanation per event)
    x = background("HV-PRI01", 0, 120, every=5)
    x += [ev(VMMS, 32086, at(61, 0), "HV-PRI01", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM03"),
                                       ("VmId", "5D2C0E1A-0000-4000-8000-"
                                                "00000000A003")])),
          ev(VMMS, 32022, at(61, 0), "HV-PRI01", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM03"),
                                       ("VmId", "5D2C0E1A-0000-4000-8000-"
                                                "00000000A003"),
                                       ("ErrorMessage", "%%2147500548"),
                                       ("ErrorCode", "0x80004004")]))]
    write_case("p2-suspended-no-shutdown",
               {"HV-PRI01.xml": sort_xml(x)},
               [{"id": "P2.replication-failing", "count": 1,
                 "entities": {"vm": "VM03"}}],
               ["P2.replica-suspended-at-shutdown",
                "P2.replica-suspended-unexplained"],
               "32086 + 32022 for VM03 with no shutdown within 30 minutes: "
               "only replication-failing, never both")


def replica_no_system_case():
    # the pair of p2-suspended-no-shutdown with only the VMMS log
    # collected: no System log says whether a server shut down, so neither
    # explanation holds; the suspension is still a finding, and says what
    # is missing (generated last: earlier cases keep their record ids)
    x = []
    for m in range(0, 121, 10):
        x.append(ev(VMMS, 32000, at(m), "HV-PRI01", channel=VMMS_CH, level=4,
                    userdata=("VmlEventLog", [("VmName", "VM04")])))
    x += [ev(VMMS, 32022, at(61, 0), "HV-PRI01", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM04"),
                                       ("ErrorMessage", "%%2147500036"),
                                       ("ErrorCode", "0x80004004")])),
          ev(VMMS, 32086, at(61, 1), "HV-PRI01", channel=VMMS_CH,
             userdata=("VmlEventLog", [("VmName", "VM04")]))]
    write_case("p2-suspended-no-system-log",
               {"HV-PRI01_Microsoft-Windows-Hyper-V-VMMS-Admin.xml":
                sort_xml(x)},
               [{"id": "P2.replica-suspended-unexplained", "count": 1,
                 "entities": {"vm": "VM04"}, "max_confidence": 50}],
               ["P2.replica-suspended-at-shutdown", "P2.replication-failing"],
               "32022 + 32086 for VM04 and no System log in the bundle: "
               "suspended for a reason the bundle cannot tell")


# ---- issue 17: the new families (P7 CSV and storage, P8 cluster health) --

SCM = "Service Control Manager"


def new_family_cases():
    # P7: 5120 with STATUS_IO_TIMEOUT and no node loss, disk retries first
    x = background("HV-NODE1", 0, 40)
    x += [ev("disk", 153, at(10, 0), "HV-NODE1", level=3,
             data=[(None, "\\Device\\Harddisk4\\DR4"), (None, "0x2a31c8"),
                   (None, "4"), (None, "\\Device\\00000052")]),
          ev(FC, 5120, at(10, 40), "HV-NODE1", level=3,
             data=[("VolumeName", "Volume1"),
                   ("ResourceName", "Cluster Virtual Disk (Volume1)"),
                   ("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)"),
                   ("DiskDeviceNumber", "4"),
                   ("DiskDeviceGuid", "{7c4e1a2b-0d3f-4e5a-9b8c-1d2e3f4a5b6c}")
                   ])]
    write_case("p7-csv-io-timeout",
               {"HV-NODE1-System.xml": sort_xml(x)},
               [{"id": "P7.csv-paused-storage", "count": 1,
                 "entities": {"volume": "Volume1", "disk": "4",
                              "status": "STATUS_IO_TIMEOUT"},
                 "min_confidence": 80}],
               ["P7.csv-paused-network", "P1.node-isolation",
                "P1.node-removed"],
               "disk 153 then 5120 STATUS_IO_TIMEOUT, no 1135: the storage "
               "path, not a node loss")

    # P7 from an English text export: the coordinator connection broke;
    # then the volume is lost on the node (5142)
    txt = wevtutil_text([
        (at(5, 0), SCM, 7036, "None", "Information", "HV-NODE2",
         "The Windows Update service entered the running state."),
        (at(10, 0), FC, 5120, "Cluster Shared Volume", "Warning", "HV-NODE2",
         "Cluster Shared Volume 'Volume2' ('Cluster Virtual Disk (Volume2)') "
         "has entered a paused state because of "
         "'STATUS_CONNECTION_DISCONNECTED(c000020c)'. All I/O will "
         "temporarily be queued until a path to the volume is "
         "reestablished."),
        (at(12, 0), FC, 5142, "Cluster Shared Volume", "Error", "HV-NODE2",
         "Cluster Shared Volume 'Volume2' ('Cluster Virtual Disk (Volume2)') "
         "is no longer accessible from this cluster node because of error "
         "'ERROR_TIMEOUT(1460)'. Please troubleshoot this node's "
         "connectivity to the storage device and network connectivity."),
        (at(30, 0), SCM, 7036, "None", "Information", "HV-NODE2",
         "The Windows Update service entered the stopped state.")])
    write_case("p7-csv-network-text",
               {"HV-NODE2-System.txt": txt},
               [{"id": "P7.csv-paused-network", "count": 1,
                 "entities": {"volume": "Volume2",
                              "status": "STATUS_CONNECTION_DISCONNECTED"}},
                {"id": "P7.csv-no-access", "count": 1,
                 "entities": {"volume": "Volume2",
                              "error": "ERROR_TIMEOUT(1460)"}}],
               ["P7.csv-paused-storage"],
               "wevtutil text: 5120 STATUS_CONNECTION_DISCONNECTED and 5142 "
               "without any node loss or storage retry")

    # P7 from a German TSS CSV: status and volume are not translated
    de = tss_csv_de([
        (at(3, 0), "Informationen", SCM, 7036,
         "Der Dienst \"Windows Update\" befindet sich jetzt im Status "
         "\"Wird ausgef\u00fchrt\"."),
        (at(10, 0), "Warnung", FC, 5120,
         DE_5120.format(vol="Volume4", status="STATUS_IO_TIMEOUT(c00000b5)")),
        (at(30, 0), "Informationen", SCM, 7036,
         "Der Dienst \"Windows Update\" befindet sich jetzt im Status "
         "\"Beendet\".")])
    write_case("p7-csv-localized-de",
               {"HV-NODE3-System.csv": de},
               [{"id": "P7.csv-paused-storage", "count": 1,
                 "entities": {"volume": "Volume4",
                              "status": "STATUS_IO_TIMEOUT",
                              "matched": "localized text: by provider, event "
                              "id, the quoted volume name and the status "
                              "code"}}],
               ["P7.csv-paused-network", "P1.node-isolation"],
               "German TSS CSV: 5120 by provider, id, quoted volume and "
               "status code", language="de")

    # P8: a network fails and partitions (grouped by network), a resource
    # call times out and RHS is recycled, the witness cannot be taken and
    # the cluster service dies
    y = background("HV-NODE1", 0, 60)
    y += [ev(FC, 1127, at(5, 0), "HV-NODE1",
             data=[("NetInterfaceName", "HV-NODE2 - Storage1"),
                   ("NodeName", "HV-NODE2"),
                   ("NetworkName", "Cluster Network 2")]),
          ev(FC, 1129, at(5, 30), "HV-NODE1",
             data=[("NetworkName", "Cluster Network 2")]),
          ev(FC, 1230, at(20, 0), "HV-NODE1",
             data=[("ResourceName", "Virtual Machine VM7"),
                   ("ResourceType", "Virtual Machine"),
                   ("ResTypeDll", "vmclusres.dll")]),
          ev(FC, 1146, at(20, 2), "HV-NODE1", level=1, data=[]),
          ev(FC, 1564, at(40, 0), "HV-NODE1", level=1,
             data=[("ResourceName", "File Share Witness"),
                   ("ShareName", "\\\\FS01\\Witness$")]),
          ev(SCM, 7034, at(41, 0), "HV-NODE1",
             data=[("param1", "Cluster Service"), ("param2", "1")])]
    write_case("p8-cluster-health",
               {"HV-NODE1-System.xml": sort_xml(y)},
               [{"id": "P8.network-failed", "count": 2,
                 "entities": {"network": "Cluster Network 2",
                              "interface": "HV-NODE2 - Storage1"}},
                {"id": "P8.rhs-deadlock", "count": 1,
                 "entities": {"resource": "Virtual Machine VM7"}},
                {"id": "P8.witness-arbitration", "count": 1,
                 "entities": {"share": "\\\\FS01\\Witness$"}},
                {"id": "P8.cluster-service-crashed", "count": 1}],
               ["P1.node-isolation", "P1.resource-failures"],
               "1127 + 1129 on one network, 1230 then 1146, 1564 and SCM "
               "7034 for the Cluster Service")

    # P8 from cluster.log and English text without ids: witness lost to
    # another partition, RHS recycled after a timeout (System section)
    log = ["[=== Cluster ===]", "Current node: HV-NODE5 (1) id (1)",
           "[=== System ===]",
           "[System] 00000e4c.00001f40::2024/11/15-01:30:00.000 ERR   A "
           "component on the server did not respond in a timely fashion. "
           "This caused the cluster resource 'Cluster Disk 2' (resource type "
           "'Physical Disk', DLL 'clusres.dll') to exceed its time-out "
           "threshold. As part of cluster health detection, recovery actions "
           "will be taken.",
           "[System] 00000e4c.00001f40::2024/11/15-01:30:03.000 CRIT  The "
           "cluster Resource Hosting Subsystem (RHS) process was terminated "
           "and will be restarted. This is typically associated with cluster "
           "health detection and recovery of a resource.",
           "[=== Cluster Logs ===]",
           cl_line(at(50, 0), "WARN", "[QUORUM] Node 1 CompareAndSetWitnessTag:"
                   " witness tag (87:87:31907) is better than proposed tag "
                   "(87:86:31906)."),
           cl_line(at(50, 0), "ERR", "Quorum lost because failed to update "
                   "witness epoch after node failure (status = 5925)")]
    write_case("p8-clusterlog",
               {"HV-NODE5_cluster.log": log},
               [{"id": "P8.rhs-deadlock", "count": 1,
                 "entities": {"resource": "Cluster Disk 2"}},
                {"id": "P8.witness-arbitration", "count": 1,
                 "hosts": ["HV-NODE5"]},
                {"id": "P1.quorum-lost", "count": 1}],
               [],
               "cluster.log: 1230 and 1146 in the System section; the witness "
               "tag lost to another partition, then quorum lost (AG failover "
               "analysis wording)")

    # near misses: another service crashing, RHS restarted without a
    # timeout before it, a witness that failed to come online (1563, not
    # arbitration), an interface that came back up (1125)
    z = background("HV-NODE1", 0, 60)
    z += [ev(SCM, 7031, at(5, 0), "HV-NODE1",
             data=[("param1", "Windows Update"), ("param2", "1"),
                   ("param3", "60000"), ("param4", "1"),
                   ("param5", "Restart the service")]),
          ev(FC, 1146, at(10, 0), "HV-NODE1", level=1, data=[]),
          ev(FC, 1563, at(20, 0), "HV-NODE1",
             data=[("ResourceName", "File Share Witness"),
                   ("ShareName", "\\\\FS01\\Witness$")]),
          ev(FC, 1125, at(30, 0), "HV-NODE1", level=4,
             data=[("NetInterfaceName", "HV-NODE2 - Storage1"),
                   ("NodeName", "HV-NODE2"),
                   ("NetworkName", "Cluster Network 2")])]
    write_case("p8-near-misses",
               {"HV-NODE1-System.xml": sort_xml(z)},
               [],
               ["P8.cluster-service-crashed", "P8.rhs-deadlock",
                "P8.witness-arbitration", "P8.network-failed",
                "P7.csv-no-access"],
               "SCM 7031 for another service, 1146 without 1230, 1563, 1125")


# ---- binary .evtx cases (tests/tools/evtxwriter.py): named data fields --

def evx(provider, eid, t, host, level=2, data=(), channel="System",
        qualifiers=None):
    e = {"provider": provider, "event_id": eid, "level": level,
         "time": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "channel": channel,
         "computer": host + ".contoso.local", "user_sid": "S-1-5-18",
         "data": [[n, "string", v] for n, v in data]}
    if provider == FC:
        e["guid"] = "baf908ea-3421-4ca9-9b84-6689b8c6f85f"
    if qualifiers is not None:
        e["qualifiers"] = qualifiers
    return e


def write_evtx_case(name, files, findings, absent, description):
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    import evtxwriter
    write_case(name, {}, findings, absent, description, language="any")
    for fname, events in files.items():
        events = sorted(events, key=lambda e: e["time"])
        with open(os.path.join(HERE, name, "input", fname), "wb") as f:
            f.write(evtxwriter.write(events))


def evtx_cases():
    n1 = [evx(SCM, 7036, at(m), "HV-NODE1", level=4, qualifiers=16384,
              data=[("param1", "Windows Update"), ("param2", "running")])
          for m in range(40, 81, 4)]
    n1 += [evx(FC, 1127, at(58, 9), "HV-NODE1",
               data=[("NetInterfaceName", "HV-NODE2 - Storage1"),
                     ("NodeName", "HV-NODE2"),
                     ("NetworkName", "Cluster Network 2")]),
           evx(FC, 1135, at(58, 12), "HV-NODE1", level=1,
               data=[("NodeName", "HV-NODE2")]),
           evx(FC, 5120, at(58, 14), "HV-NODE1", level=3,
               data=[("VolumeName", "Volume2"),
                     ("ResourceName", "Cluster Virtual Disk (Volume2)"),
                     ("ErrorCode", "STATUS_CONNECTION_DISCONNECTED(c000020c)"),
                     ("DiskDeviceNumber", "3"),
                     ("DiskDeviceGuid",
                      "{7c4e1a2b-0d3f-4e5a-9b8c-1d2e3f4a5b6c}")])]
    write_evtx_case("p1-isolation-evtx",
                    {"HV-NODE1-System.evtx": n1},
                    [{"id": "P1.node-isolation", "count": 1,
                      "entities": {"node": "HV-NODE2", "volume": "Volume2",
                                   "status": "STATUS_CONNECTION_DISCONNECTED",
                                   "network": "Cluster Network 2",
                                   "interface": "HV-NODE2 - Storage1"},
                      "min_confidence": 85}],
                    ["P1.node-removed", "P8.network-failed",
                     "P7.csv-paused-network"],
                    "binary .evtx: 1127, 1135 and 5120 by provider, id and "
                    "named data: language-neutral, names from fields")

    y = [evx(SCM, 7036, at(m), "HV-NODE1", level=4, qualifiers=16384,
             data=[("param1", "Windows Update"), ("param2", "running")])
         for m in range(0, 61, 5)]
    y += [evx(FC, 1130, at(5, 0), "HV-NODE1",
              data=[("NetworkName", "Cluster Network 3")]),
          evx(FC, 1230, at(20, 0), "HV-NODE1",
              data=[("ResourceName", "Virtual Machine VM8"),
                    ("ResourceType", "Virtual Machine"),
                    ("ResTypeDll", "vmclusres.dll")]),
          evx(FC, 1146, at(20, 2), "HV-NODE1", level=1),
          evx(FC, 1564, at(40, 0), "HV-NODE1", level=1,
              data=[("ResourceName", "File Share Witness"),
                    ("ShareName", "\\\\FS01\\Witness$")]),
          evx(SCM, 7031, at(41, 0), "HV-NODE1", qualifiers=49152,
              data=[("param1", "Cluster Service"), ("param2", "1"),
                    ("param3", "60000"), ("param4", "1"),
                    ("param5", "Restart the service")])]
    write_evtx_case("p8-cluster-health-evtx",
                    {"HV-NODE1-System.evtx": y},
                    [{"id": "P8.network-failed", "count": 1,
                      "entities": {"network": "Cluster Network 3"}},
                     {"id": "P8.rhs-deadlock", "count": 1,
                      "entities": {"resource": "Virtual Machine VM8"}},
                     {"id": "P8.witness-arbitration", "count": 1,
                      "entities": {"share": "\\\\FS01\\Witness$"}},
                     {"id": "P8.cluster-service-crashed", "count": 1}],
                    ["P1.resource-failures"],
                    "binary .evtx: 1130, 1230 then 1146, 1564 and SCM 7031 "
                    "for the Cluster Service, by named data")


def clock_skew_cases():
    """The same records on two nodes: HV-NODE2's stamps 7 minutes after
    HV-NODE1's (its clock ahead), or 90 seconds (near miss)."""
    for name, skew, findings, absent in (
            ("p8-clock-skew", 7 * 60,
             [{"id": "P8.clock-skew", "hosts": ["HV-NODE1", "HV-NODE2"],
               "entities": {"ahead": "HV-NODE2", "behind": "HV-NODE1",
                            "skew": "7 min 0 s"}}], []),
            ("p8-clock-skew-small", 90, [], ["P8.clock-skew"])):
        files = {}
        for host, shift in (("HV-NODE1", 0), ("HV-NODE2", skew)):
            evs = []
            for k, vm in enumerate(["VM11", "VM12", "VM13", "VM14"]):
                t = at(10 + 10 * k, shift)
                evs.append(ev(FC, 1201, t, host, level=4,
                              data=[("ResourceGroup", vm)],
                              message="The Cluster service successfully "
                              f"brought the clustered role '{vm}' online."))
            files[f"{host}-System.xml"] = sort_xml(evs)
        write_case(name, files, findings, absent,
                   f"four records both nodes logged, HV-NODE2 {skew} s "
                   "later: the timeline's skew measurement")


WORKER_CH = "Microsoft-Windows-Hyper-V-Worker-Admin"


def vm_crash_cases():
    """vmwp.exe crashing (Application Error 1000, unnamed data) and a
    guest's fatal error in the Worker-Admin log; near misses: another
    application's crash, a guest shut down on purpose."""
    def app_error(t, app, module, code="0xc0000005"):
        msg = (f"Faulting application name: {app}, version: 10.0.17763.5830, "
               "time stamp: 0x9f1b2c3d\nFaulting module name: "
               f"{module}, version: 10.0.17763.5830, time stamp: 0x6a7b8c9d\n"
               f"Exception code: {code}\nFault offset: 0x000000000006e31c\n"
               "Faulting process id: 0x1f2c\nFaulting application start "
               "time: 0x01db7c2a3b4c5d6e\nFaulting application path: "
               f"C:\\Windows\\System32\\{app}\nFaulting module path: "
               f"C:\\Windows\\System32\\{module}\nReport Id: "
               "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b")
        return ev("Application Error", 1000, t, "HV-NODE1",
                  channel="Application",
                  data=[(None, app), (None, "10.0.17763.5830"),
                        (None, "9f1b2c3d"), (None, module),
                        (None, "10.0.17763.5830"), (None, "6a7b8c9d"),
                        (None, code), (None, "000000000006e31c")],
                  message=msg)
    a = background("HV-NODE1", 0, 60)
    a += [app_error(at(10), "vmwp.exe", "vmchipset.dll"),
          ev(VMMS.replace("VMMS", "Worker"), 18590, at(20), "HV-NODE1",
             channel=WORKER_CH, level=1,
             userdata=("VmlEventLog", [("VmName", "VM21"),
                                       ("VmId", "0B1C2D3E-0000-4000-8000-"
                                                "000000000021")]),
             message="'VM21' has encountered a fatal error. The guest "
             "operating system reported that it failed with the following "
             "error codes: ErrorCode0: 0x7E, ErrorCode1: 0xFFFFFFFFC0000005, "
             "ErrorCode2: 0xFFFFF8012A3B4C5D, ErrorCode3: 0xFFFFD0012B3C4D5E, "
             "ErrorCode4: 0xFFFFD0012B3C4D60. If the problem persists, "
             "contact Product Support for the guest operating system. "
             "(Virtual machine ID 0B1C2D3E-0000-4000-8000-000000000021)")]
    write_case("p8-vm-crashes",
               {"HV-NODE1.xml": sort_xml(a)},
               [{"id": "P8.vm-worker-crashed", "count": 1,
                 "entities": {"module": "vmchipset.dll"}},
                {"id": "P8.vm-guest-crashed", "count": 1,
                 "entities": {"vm": "VM21"}}],
               [],
               "Application Error 1000 for vmwp.exe; a guest's fatal error "
               "(Worker-Admin)")
    b = background("HV-NODE1", 0, 60)
    b += [app_error(at(10), "w3wp.exe", "ntdll.dll"),
          ev(VMMS.replace("VMMS", "Worker"), 18508, at(20), "HV-NODE1",
             channel=WORKER_CH, level=4,
             userdata=("VmlEventLog", [("VmName", "VM22"),
                                       ("VmId", "0B1C2D3E-0000-4000-8000-"
                                                "000000000022")]),
             message="'VM22' was shut down by the guest operating system. "
             "(Virtual machine ID 0B1C2D3E-0000-4000-8000-000000000022)")]
    write_case("p8-vm-crash-near-misses",
               {"HV-NODE1.xml": sort_xml(b)},
               [],
               ["P8.vm-worker-crashed", "P8.vm-guest-crashed"],
               "another process crashing (w3wp.exe); a guest shut down on "
               "purpose")


if __name__ == "__main__":
    main()
