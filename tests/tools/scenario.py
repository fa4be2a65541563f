#!/usr/bin/env python3
"""scenario - turn a scenario description into a support bundle.

    scenario.py build samples/scenarios/NAME/scenario.json OUTDIR

writes OUTDIR/NAME/ holding what a customer would upload for that case,
plus OUTDIR/NAME.manifest.json (outside the bundle: every .evtx member and
the events written to it, for tests/tools/evtx_readback.py).

Description (JSON): name, seed, collector (TSS | SDP | ClusterLog),
cluster, domain, os ("2019" | "2012R2"), nodes [names], utc_offset_minutes
(local = UTC + offset), locale (en-US | de-DE, for TSS CSV), start, end,
collected (UTC, ISO 8601 with Z), noise_per_hour, clusterlog_per_hour, vms
[{name, id, node}], volumes [{name, resource}], events (the incident, in
order; see EVENTS below), optional clusterlog (false: none), tss_scenario
(TSS zip suffix), dc (time source name), evtx (false: no .evtx members,
the text exports only), message_locale ("de-DE": the text exports carry
German messages for the events GERMAN below renders; rules may rely only
on their untranslated parts).

What it writes, per collector (FORMATS.md):
  TSS   TSSv2_<NODE>_<yyMMdd-HHmmss>_<tss_scenario>.zip per node:
        BasicLog-<stamp>/EventLogs/<NODE>-<channel, '/'->'-'>.evtx, and as
        Export-Csv -UseCulture .csv (locale's delimiter, dates and level
        names, newest first) and a tab-separated .txt; Cluster/
        <NODE>_cluster.log from Get-ClusterLog -UseLocalTime
  SDP   tss_<yyMMdd_HHmmss>_<NODE>_psSDP_Cluster.zip per node: flat
        <NODE>_evt_<short>.evtx, .csv (SDP columns, M/D/YYYY h:mm:ss AM/PM
        local), .txt (wevtutil /f:text), .XML (/f:RenderedXml),
        <NODE>_cluster.log in UTC
  ClusterLog   <NODE>_cluster.log per node, UTC, nothing else
  Pasted  what an engineer gathers by hand from each node, plain files:
        <NODE>_cluster.log (UTC; `clusterlog_node_form` "name-first" or
        "name-in-parentheses" for the "Current node:" line),
        <NODE>-System.txt (Event Viewer "Save All Events As... Text (Tab
        delimited)": Level, Date and Time, Source, Event ID, Task Category,
        the description quoted; local time, en-US M/d/yyyy h:mm:ss tt),
        <NODE>-FailoverClustering-details.txt (Event Viewer "Copy details
        as text" of every FailoverClustering event of System, blocks one
        after the other, each with its Event Xml)
Providers, event ids, levels and data names follow shared/kb/EVENTIDS.md;
where it marks an id UNSURE (Hyper-V checkpoint detail events) the id
chosen is noted below and rules must not depend on it. Data names it
leaves open (FailoverClustering's) are plausible names, not verified.

EVENTS: each {"t": UTC time, "kind": K, "node": N or "nodes": [..],
"stagger": span between nodes, "repeat": {"every": span, "times": n,
"jitter": span}, "retry": {"every": span, "times": n}, ...parameters}.
Spans: "250ms", "90s", "5m", "2h11m", "1d". Kinds (event written):
  node-removed peer          FailoverClustering 1135 (System)
  quorum-lost                FailoverClustering 1177
  csv-paused volume status   FailoverClustering 5120
  csv-no-access volume error FailoverClustering 5142
  netif-failed interface peer network      1127
  network-partitioned network              1129
  resource-failed resource role [type]     1069
  role-failed role                         1205
  resource-timeout resource [type dll]     1230
  rhs-restarted                            1146
  disk-retry [disk lba]      disk 153 (legacy, Qualifiers 32772)
  log-cleared channel user   Microsoft-Windows-Eventlog 104 (UserData)
  replica-cancelled vm       Hyper-V-VMMS 32022, 0x80004004 (VMMS-Admin)
  replica-suspended vm       Hyper-V-VMMS 32086
  checkpoint-locked vm avhdx [code]   VMMS 18012 + Worker 3280 + VMMS
                             16010 naming the AVHDX (ids UNSURE, see above)
  migration-kerberos vm dest Hyper-V-High-Availability 21502, 0x8009030E
  migration-cpu vm dest      21502, processor-specific features
  start-vhd-missing vm vhdx  21502, VHD tree 0x80070002
  start-corrupt vm vhdx      21502, file corrupted 0x80070570
  power-loss [down]          silence, then Kernel-Power 41, EventLog 6008,
                             boot (6005, 6013, services, VMs start 18500)
  restart [user reason down] User32 1074, services stop, 6006, boot
  service-state service state key     Service Control Manager 7036
  clusterlog text [level proc]        a debug-log line in cluster.log
  clusterlog-reset           the node's cluster.log debug log starts here
Background noise (noise_per_hour per node): SCM 7036 pairs, Security-SPP
16384/16394, Time-Service 37, daily EventLog 6013; cluster.log lines from
[NM] [GUM] [DM] [RHS] [RES] [API] [RCM] [NETFTAPI] (clusterlog_per_hour).

Deterministic: one random.Random(seed), no wall clock, sorted iteration,
zip members with fixed timestamps and attributes. Same description, same
bytes.
"""
import bisect
import datetime
import io
import json
import os
import random
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evtxwriter  # noqa: E402

UTC = datetime.timezone.utc

FC = ("Microsoft-Windows-FailoverClustering",
      "baf908ea-3421-4ca9-9b84-6689b8c6f85f")
VMMS = ("Microsoft-Windows-Hyper-V-VMMS",
        "6066f867-7ca1-4418-85fd-36e3f9c0600c")
WORKER = ("Microsoft-Windows-Hyper-V-Worker",
          "51ddfa29-d5c8-4803-be4b-2ecb715570fe")
HA = ("Microsoft-Windows-Hyper-V-High-Availability", None)
KPOWER = ("Microsoft-Windows-Kernel-Power",
          "331c3b3a-2005-44c2-ac5e-77220c37d6b4")
USER32 = ("User32", "b0aa8734-56f7-41cc-b2f4-de228e98b946")
SCM = ("Service Control Manager", "555908d1-a6d7-4695-8e1e-26931d2012f4")
EVENTLOG = ("EventLog", None)
EVENTLOG_MAN = ("Microsoft-Windows-Eventlog",
                "fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148")
DISK = ("disk", None)
SPP = ("Microsoft-Windows-Security-SPP",
       "e23b33b0-c8c9-472c-a5f9-f2bdfea0f156")
TIME = ("Microsoft-Windows-Time-Service",
        "06edcfeb-0fd0-4e53-acca-a6f8bbf81bcb")

SYS = "System"
APP = "Application"
FC_OP = "Microsoft-Windows-FailoverClustering/Operational"
VMMS_ADMIN = "Microsoft-Windows-Hyper-V-VMMS-Admin"
WORKER_ADMIN = "Microsoft-Windows-Hyper-V-Worker-Admin"
HA_ADMIN = "Microsoft-Windows-Hyper-V-High-Availability-Admin"
CHANNELS = [SYS, APP, FC_OP, VMMS_ADMIN, WORKER_ADMIN, HA_ADMIN]
SDP_SHORT = {SYS: "System", APP: "Application",
             FC_OP: "FailoverClustering-Operational",
             VMMS_ADMIN: "HyperVVMMS-Admin", WORKER_ADMIN: "HyperVWorker-Admin",
             HA_ADMIN: "HyperVHighAvailability-Admin"}
VML_NS = "http://www.microsoft.com/Windows/Virtualization/Events"
EVTLOG_NS = "http://manifests.microsoft.com/win/2004/08/windows/eventlog"

LEVEL_NAMES = {
    "en-US": {1: "Critical", 2: "Error", 3: "Warning", 4: "Information"},
    "de-DE": {1: "Kritisch", 2: "Fehler", 3: "Warnung", 4: "Informationen"},
}
CL_LEVEL = {1: "CRIT", 2: "ERR ", 3: "WARN", 4: "INFO"}

HRESULT_TEXT = {
    "0x80070020": "The process cannot access the file because it is being "
                  "used by another process.",
    "0x80070002": "The system cannot find the file specified.",
    "0x80070570": "The file or directory is corrupted and unreadable.",
    "0x80004004": "The operation has been canceled.",
    "0x8009030E": "No credentials are available in the security package",
}


# German messages of the text exports (message_locale "de-DE"), by
# (provider, event id), from the event's data. Written here, NOT verified
# Windows wording: what a German server writes differs in detail, but it
# keeps names, status codes and paths as they are, and rules may rely only
# on those.
def _d(ev, name, default=""):
    for f in ev.get("data", []):
        if f[0] == name:
            return f[2]
    return default


GERMAN = {
    ("Microsoft-Windows-FailoverClustering", 1129): lambda ev: (
        'Das Clusternetzwerk "%s" ist partitioniert. Einige angeschlossene '
        "Failoverclusterknoten k\u00f6nnen \u00fcber das Netzwerk nicht "
        "miteinander kommunizieren." % _d(ev, "NetworkName")),
    ("Microsoft-Windows-FailoverClustering", 5120): lambda ev: (
        'Das freigegebene Clustervolume "%s" ("%s") wurde aufgrund von "%s" '
        "in einen angehaltenen Zustand versetzt. Alle E/A-Vorg\u00e4nge "
        "werden vor\u00fcbergehend in die Warteschlange gestellt, bis ein "
        "Pfad zum Volume wiederhergestellt ist."
        % (_d(ev, "VolumeName"), _d(ev, "ResourceName"),
           _d(ev, "ErrorCode"))),
    ("Microsoft-Windows-FailoverClustering", 1230): lambda ev: (
        "Eine Komponente auf dem Server hat nicht rechtzeitig reagiert. "
        'Dadurch hat die Clusterressource "%s" (Ressourcentyp "%s", DLL '
        '"%s") den Timeoutschwellenwert \u00fcberschritten.'
        % (_d(ev, "ResourceName"), _d(ev, "ResourceType"),
           _d(ev, "DllName"))),
    ("Microsoft-Windows-FailoverClustering", 1146): lambda ev: (
        "Der Prozess des Ressourcenhostingsubsystems (RHS) des Clusters "
        "wurde beendet und wird neu gestartet."),
    ("Service Control Manager", 7036): lambda ev: (
        'Der Dienst "%s" befindet sich jetzt im Status "%s".'
        % (_d(ev, "param1"), {"running": "Wird ausgef\u00fchrt",
                              "stopped": "Beendet"}.get(_d(ev, "param2"),
                                                         _d(ev, "param2")))),
    ("EventLog", 6013): lambda ev: (
        "Die Systembetriebszeit betr\u00e4gt %s Sekunden."
        % ev["data"][4][2]),
    ("Microsoft-Windows-Time-Service", 37): lambda ev: (
        "Der Zeitanbieter NtpClient empf\u00e4ngt derzeit g\u00fcltige "
        "Zeitdaten von %s." % _d(ev, "TimeSource")),
}

def parse_time(s):
    """UTC ISO 8601 with Z, optional fraction of a second."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in s else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.datetime.strptime(s, fmt).replace(tzinfo=UTC)


def parse_span(s):
    """"90s", "5m", "2h11m", "1d", "250ms"."""
    import re
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise ValueError("bad span %r" % s)
    return datetime.timedelta(seconds=sum(float(a) * unit[b]
                                          for a, b in parts))


def iso7(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ" % (
        dt.microsecond * 10)


def hr_dec(code):
    return "%%%%%d" % int(code, 16)


# Windows Server builds of the "os" a scenario names (the 2012 R2 log has
# no header at all)
OS_BUILD = {"2016": 14393, "2019": 17763, "2022": 20348}

class Gen:
    def __init__(self, desc):
        self.d = desc
        self.rng = random.Random(desc["seed"])
        self.nodes = desc["nodes"]
        self.off = datetime.timedelta(minutes=desc.get("utc_offset_minutes",
                                                       0))
        self.domain = desc.get("domain", "contoso.local")
        self.start = parse_time(desc["start"])
        self.end = parse_time(desc["end"])
        self.collected = parse_time(desc["collected"])
        self.events = {n: [] for n in self.nodes}   # node -> [record]
        self.cl = {n: [] for n in self.nodes}       # node -> [(t, line)]
        self.down = {n: [] for n in self.nodes}     # [(from, to)]
        self.cleared = {n: {} for n in self.nodes}  # channel -> time
        self.cl_from = {n: self.start for n in self.nodes}
        self.pids = {n: {"clussvc": 0x0e4c + 0x40 * i, "rhs": 0x122c + 0x30 * i,
                         "vmms": 0x0b58 + 0x24 * i}
                     for i, n in enumerate(self.nodes)}
        self.vm_by = {v["name"]: v for v in desc.get("vms", [])}
        self.vol_by = {v["name"]: v for v in desc.get("volumes", [])}
        self.seq = 0

    # ---- helpers ---------------------------------------------------------
    def fqdn(self, node):
        return "%s.%s" % (node, self.domain)

    def local(self, t):
        return t + self.off

    def is_down(self, node, t):
        return any(a <= t < b for a, b in self.down[node])

    def tid(self):
        return 0x1000 + self.rng.randrange(0x3000) * 4

    def emit(self, node, t, chan, prov, eid, level, message, data=None,
             userdata=None, task=0, opcode=0, keywords=None,
             qualifiers=None, version=0, pid=None, tid=None,
             user="S-1-5-18", source_name=None, cl_section=True):
        """One event: kept for the .evtx, the text exports and (System and
        FailoverClustering/Operational) the cluster.log's embedded
        sections."""
        self.seq += 1
        ev = {"provider": prov[0], "event_id": eid, "level": level,
              "task": task, "opcode": opcode, "version": version,
              "keywords": keywords or ("0x80000000000000" if qualifiers
                                       is not None else
                                       "0x8000000000000000"),
              "time": iso7(t), "channel": chan, "computer": self.fqdn(node),
              "pid": pid if pid is not None else 4,
              "tid": tid if tid is not None else self.tid()}
        if prov[1]:
            ev["guid"] = prov[1]
        if source_name:
            ev["source_name"] = source_name
        if qualifiers is not None:
            ev["qualifiers"] = qualifiers
        if user:
            ev["user_sid"] = user
        if userdata is not None:
            ev["userdata"] = userdata
        else:
            ev["data"] = data or []
        self.events[node].append({"t": t, "seq": self.seq, "ev": ev,
                                  "message": message, "cl": cl_section})

    def cl_line(self, node, t, level, text, proc="clussvc", tid=None):
        pid = self.pids[node][proc]
        self.seq += 1
        self.cl[node].append((t, self.seq, pid, tid or self.tid(), level,
                              text))

    def vml(self, vm, extra=()):
        v = self.vm_by[vm]
        return {"root": "VmlEventLog", "xmlns": VML_NS,
                "fields": [["VmName", "string", v["name"]],
                           ["VmId", "string", v["id"].upper()]] +
                [list(x) for x in extra]}

    # ---- catalog of incident events ---------------------------------------
    # Each takes (node, t, spec). Texts: EVENTIDS.md templates.
    def ev_node_removed(self, node, t, s):
        msg = ("Cluster node '%s' was removed from the active failover "
               "cluster membership. The Cluster service on this node may "
               "have stopped. This could also be due to the node having lost "
               "communication with other active nodes in the failover "
               "cluster. Run the Validate a Configuration wizard to check "
               "your network configuration. If the condition persists, check "
               "for hardware or software errors related to the network "
               "adapters on this node. Also check for failures in any other "
               "network components to which the node is connected such as "
               "hubs, switches, or bridges." % s["peer"])
        self.emit(node, t, SYS, FC, 1135, 1, msg,
                  [["NodeName", "string", s["peer"]]], task=3,
                  pid=self.pids[node]["clussvc"])

    def ev_quorum_lost(self, node, t, s):
        msg = ("The Cluster service is shutting down because quorum was "
               "lost. This could be due to the loss of network connectivity "
               "between some or all nodes in the cluster, or a failover of "
               "the witness disk. Run the Validate a Configuration wizard to "
               "check your network configuration. If the condition persists, "
               "check for hardware or software errors related to the network "
               "adapter. Also check for failures in any other network "
               "components to which the node is connected such as hubs, "
               "switches, or bridges.")
        self.emit(node, t, SYS, FC, 1177, 1, msg, [], task=3,
                  pid=self.pids[node]["clussvc"])

    def ev_csv_paused(self, node, t, s):
        vol = self.vol_by[s["volume"]]
        status = s.get("status", "STATUS_CONNECTION_DISCONNECTED(c000020c)")
        msg = ("Cluster Shared Volume '%s' ('%s') has entered a paused state "
               "because of '%s'. All I/O will temporarily be queued until a "
               "path to the volume is reestablished."
               % (vol["name"], vol["resource"], status))
        self.emit(node, t, SYS, FC, 5120, 3, msg,
                  [["VolumeName", "string", vol["name"]],
                   ["ResourceName", "string", vol["resource"]],
                   ["ErrorCode", "string", status]], task=38,
                  pid=self.pids[node]["clussvc"])

    def ev_resource_failed(self, node, t, s):
        res, role = s["resource"], s["role"]
        rtype = s.get("type", "Virtual Machine")
        msg = ("Cluster resource '%s' of type '%s' in clustered role '%s' "
               "failed.\r\n\r\nBased on the failure policies for the resource "
               "and role, the cluster service may try to bring the resource "
               "online on this node or move the group to another node of the "
               "cluster and then restart it.  Check the resource and group "
               "state using Failover Cluster Manager or the "
               "Get-ClusterResource Windows PowerShell cmdlet."
               % (res, rtype, role))
        self.emit(node, t, SYS, FC, 1069, 2, msg,
                  [["ResourceName", "string", res],
                   ["ResourceGroup", "string", role],
                   ["ResTypeDll", "string", rtype]], task=16,
                  pid=self.pids[node]["clussvc"])

    def ev_role_failed(self, node, t, s):
        msg = ("The Cluster service failed to bring clustered role '%s' "
               "completely online or offline. One or more resources may be "
               "in a failed state. This may impact the availability of the "
               "clustered role." % s["role"])
        self.emit(node, t, SYS, FC, 1205, 2, msg,
                  [["ResourceGroup", "string", s["role"]]], task=16,
                  pid=self.pids[node]["clussvc"])

    def ev_csv_no_access(self, node, t, s):
        vol = self.vol_by[s["volume"]]
        err = s.get("error", "The device is not ready.")
        msg = ("Cluster Shared Volume '%s' ('%s') is no longer accessible "
               "from this cluster node because of error '%s'. Please "
               "troubleshoot this node's connectivity to the storage device "
               "and network connectivity." % (vol["name"], vol["resource"],
                                              err))
        self.emit(node, t, SYS, FC, 5142, 2, msg,
                  [["VolumeName", "string", vol["name"]],
                   ["ResourceName", "string", vol["resource"]],
                   ["ErrorCode", "string", err]], task=38,
                  pid=self.pids[node]["clussvc"])

    def ev_resource_timeout(self, node, t, s):
        msg = ("A component on the server did not respond in a timely "
               "fashion. This caused the cluster resource '%s' (resource type "
               "'%s', DLL '%s') to exceed its time-out threshold. As part of "
               "cluster health detection, recovery actions will be taken. The "
               "cluster will try to automatically recover by terminating and "
               "restarting the Resource Hosting Subsystem (RHS) process that "
               "is running this resource. Verify that the underlying "
               "infrastructure (such as storage, networking, or services) "
               "that are associated with the resource are functioning "
               "correctly." % (s["resource"], s.get("type", "Virtual Machine"),
                               s.get("dll", "vmclusres.dll")))
        self.emit(node, t, SYS, FC, 1230, 2, msg,
                  [["ResourceName", "string", s["resource"]],
                   ["ResourceType", "string", s.get("type", "Virtual Machine")],
                   ["DllName", "string", s.get("dll", "vmclusres.dll")]],
                  task=16, pid=self.pids[node]["clussvc"])

    def ev_rhs_restarted(self, node, t, s):
        msg = ("The cluster Resource Hosting Subsystem (RHS) process was "
               "terminated and will be restarted. This is typically "
               "associated with cluster health detection and recovery of a "
               "resource. Refer to the System event log to determine which "
               "resource and resource DLL is causing the issue.")
        self.emit(node, t, SYS, FC, 1146, 1, msg, [], task=16,
                  pid=self.pids[node]["clussvc"])

    def ev_netif_failed(self, node, t, s):
        msg = ("Cluster network interface '%s' for cluster node '%s' on "
               "network '%s' failed. Run the Validate a Configuration wizard "
               "to check your network configuration. If the condition "
               "persists, check for hardware or software errors related to "
               "the network adapter. Also check for failures in any other "
               "network components to which the node is connected such as "
               "hubs, switches, or bridges."
               % (s["interface"], s["peer"], s["network"]))
        self.emit(node, t, SYS, FC, 1127, 2, msg,
                  [["NetInterfaceName", "string", s["interface"]],
                   ["NodeName", "string", s["peer"]],
                   ["NetworkName", "string", s["network"]]], task=9,
                  pid=self.pids[node]["clussvc"])

    def ev_network_partitioned(self, node, t, s):
        msg = ("Cluster network '%s' is partitioned. Some attached failover "
               "cluster nodes cannot communicate with each other over the "
               "network. The failover cluster was not able to determine the "
               "location of the failure. Run the Validate a Configuration "
               "wizard to check your network configuration. If the condition "
               "persists, check for hardware or software errors related to "
               "the network adapter. Also check for failures in any other "
               "network components to which the node is connected such as "
               "hubs, switches, or bridges." % s["network"])
        self.emit(node, t, SYS, FC, 1129, 2, msg,
                  [["NetworkName", "string", s["network"]]], task=9,
                  pid=self.pids[node]["clussvc"])

    def ev_disk_retry(self, node, t, s):
        disk = s.get("disk", 2)
        lba = "0x%x" % s.get("lba", 0x3a2f10)
        msg = ("The IO operation at logical block address %s for Disk %d "
               "(PDO name: \\Device\\%08X) was retried."
               % (lba, disk, 0x30 + disk))
        self.emit(node, t, SYS, DISK, 153, 3, msg,
                  [[None, "string", "\\Device\\Harddisk%d\\DR%d" % (disk, disk)],
                   [None, "string", lba],
                   [None, "string", str(disk)],
                   [None, "string", "\\Device\\%08X" % (0x30 + disk)],
                   [None, "binary", "0F01040004002C0000000000990004800000"
                    "0000000000000000000000000000000000"]],
                  qualifiers=32772, user=None)

    def ev_log_cleared(self, node, t, s):
        chan = s["channel"]
        dom, user = s.get("user", "CONTOSO\\admin").split("\\")
        self.cleared[node][chan] = t
        self.emit(node, t, SYS, EVENTLOG_MAN, 104, 4,
                  "The %s log file was cleared." % chan,
                  userdata={"root": "LogFileCleared", "xmlns": EVTLOG_NS,
                            "fields": [["SubjectUserName", "string", user],
                                       ["SubjectDomainName", "string", dom],
                                       ["Channel", "string", chan],
                                       ["BackupPath", "string", ""]]},
                  task=104, user="S-1-5-21-1004336348-1177238915-"
                  "682003330-1107")

    def ev_replica_suspended(self, node, t, s):
        vm = self.vm_by[s["vm"]]
        msg = ("Hyper-V suspended replication for virtual machine '%s' due "
               "to a non-recoverable failure. Resume replication after "
               "correcting the failure. (Virtual machine ID %s)"
               % (vm["name"], vm["id"].upper()))
        self.emit(node, t, VMMS_ADMIN, VMMS, 32086, 2, msg,
                  userdata=self.vml(s["vm"]), pid=self.pids[node]["vmms"])

    def ev_replica_cancelled(self, node, t, s):
        vm = self.vm_by[s["vm"]]
        msg = ("Hyper-V could not replicate changes for virtual machine "
               "'%s': The operation has been canceled (0x80004004). "
               "(Virtual machine ID %s)" % (vm["name"], vm["id"].upper()))
        self.emit(node, t, VMMS_ADMIN, VMMS, 32022, 2, msg,
                  userdata=self.vml(s["vm"], [
                      ("ErrorMessage", "string", hr_dec("0x80004004")),
                      ("ErrorCode", "string", "0x80004004")]),
                  pid=self.pids[node]["vmms"])

    def ev_checkpoint_locked(self, node, t, s):
        """The three VMMS/Worker lines of a checkpoint blocked by a locked
        AVHDX (real text: EVENTIDS.md C). Ids 18012/3280/16010 are UNSURE
        there: rules key on provider, fields and the error code."""
        vm = self.vm_by[s["vm"]]
        code = s.get("code", "0x80070020")
        text = HRESULT_TEXT[code]
        vid = vm["id"].upper()
        pid = self.pids[node]["vmms"]
        err = [("ErrorMessage", "string", hr_dec(code)),
               ("ErrorCode", "string", code)]
        self.emit(node, t, VMMS_ADMIN, VMMS, 18012, 2,
                  "Checkpoint operation for '%s' failed. (Virtual machine ID "
                  "%s)" % (vm["name"], vid),
                  userdata=self.vml(s["vm"]), pid=pid)
        t2 = t - datetime.timedelta(milliseconds=180)
        self.emit(node, t2, WORKER_ADMIN, WORKER, 3280, 2,
                  "'%s' could not initiate a checkpoint operation: %s (%s). "
                  "(Virtual machine ID %s)" % (vm["name"], text, code, vid),
                  userdata=self.vml(s["vm"], err), pid=pid + 0x400)
        t3 = t - datetime.timedelta(milliseconds=240)
        self.emit(node, t3, VMMS_ADMIN, VMMS, 16010, 2,
                  "'%s' could not create auto virtual hard disk %s: %s (%s). "
                  "(Virtual machine ID %s)" % (vm["name"], s["avhdx"], text,
                                               code, vid),
                  userdata=self.vml(s["vm"], [("Path", "string", s["avhdx"])]
                                    + err), pid=pid)

    def ha_21502(self, node, t, vm, detail):
        v = self.vm_by[vm]
        msg = detail % {"vm": v["name"], "id": v["id"].upper(), "node": node}
        self.emit(node, t, HA_ADMIN, HA, 21502, 2, msg,
                  [[None, "string", "Virtual Machine %s" % v["name"]],
                   [None, "string", v["id"].upper()],
                   [None, "string", msg]],
                  pid=self.pids[node]["rhs"])

    def ev_migration_kerberos(self, node, t, s):
        self.ha_21502(
            node, t, s["vm"],
            "Live migration of 'Virtual Machine %(vm)s' failed.\r\n\r\n"
            "Virtual machine migration operation for '%(vm)s' failed at "
            "migration source '%(node)s'. (Virtual machine ID %(id)s)\r\n\r\n"
            "Failed to establish a connection with host '" + s["dest"] +
            "': No credentials are available in the security package "
            "(0x8009030E).")

    def ev_migration_cpu(self, node, t, s):
        self.ha_21502(
            node, t, s["vm"],
            "Live migration of 'Virtual Machine %(vm)s' failed.\r\n\r\n"
            "Virtual machine migration operation for '%(vm)s' failed at "
            "migration destination '" + s["dest"] + "'. (Virtual machine ID "
            "%(id)s)\r\n\r\nThe virtual machine '%(vm)s' is using "
            "processor-specific features not supported on physical computer "
            "'" + s["dest"] + "'. To allow for migration of this virtual "
            "machine to physical computers with different processors, modify "
            "the virtual machine settings to limit the processor features "
            "used by the virtual machine. (Virtual machine ID %(id)s)")

    def ev_start_vhd_missing(self, node, t, s):
        self.ha_21502(
            node, t, s["vm"],
            "'Virtual Machine %(vm)s' failed to start.\r\n\r\n"
            "'%(vm)s' failed to start. (Virtual machine ID %(id)s)\r\n\r\n"
            "'%(vm)s' failed to generate VHD tree: The system cannot find the "
            "file specified. (0x80070002). Disk: '" + s["vhdx"] + "'. "
            "(Virtual machine ID %(id)s)")

    def ev_start_corrupt(self, node, t, s):
        self.ha_21502(
            node, t, s["vm"],
            "'Virtual Machine %(vm)s' failed to start.\r\n\r\n"
            "'%(vm)s' failed to start. (Virtual machine ID %(id)s)\r\n\r\n"
            "'%(vm)s' failed to open attachment '" + s["vhdx"] + "'. Error: "
            "'The file or directory is corrupted and unreadable.' "
            "(0x80070570). (Virtual machine ID %(id)s)")

    def ev_service_state(self, node, t, s):
        self.svc(node, t, s["service"], s["state"], s.get("key", "Unknown"))

    def ev_clusterlog(self, node, t, s):
        self.cl_line(node, t, s.get("level", "INFO"), s["text"],
                     s.get("proc", "clussvc"))

    def ev_clusterlog_reset(self, node, t, s):
        """The customer reset the cluster log: nothing before t survives."""
        self.cl_from[node] = t

    def ev_power_loss(self, node, t, s):
        boot = t + parse_span(s.get("down", "20m"))
        self.down[node].append((t, boot))
        self.boot(node, boot, dirty_at=t)

    def ev_restart(self, node, t, s):
        """Planned restart: User32 1074, services stop, 6006, boot."""
        who = s.get("user", "CONTOSO\\admin")
        reason = s.get("reason", "Operating System: Service pack (Planned)")
        msg = ("The process C:\\Windows\\system32\\shutdown.exe (%s) has "
               "initiated the restart of computer %s on behalf of user %s for "
               "the following reason: %s\r\n Reason Code: 0x80020010\r\n "
               "Shutdown Type: restart\r\n Comment: " % (node, node, who,
                                                         reason))
        self.emit(node, t, SYS, USER32, 1074, 4, msg,
                  [["param1", "string", "C:\\Windows\\system32\\shutdown.exe "
                    "(%s)" % node], ["param2", "string", node],
                   ["param3", "string", reason],
                   ["param4", "string", "0x80020010"],
                   ["param5", "string", "restart"], ["param6", "string", ""],
                   ["param7", "string", who]], qualifiers=32768,
                  user="S-1-5-21-1004336348-1177238915-682003330-1107")
        self.svc(node, t + datetime.timedelta(seconds=21), "Cluster Service",
                 "stopped", "ClusSvc")
        self.svc(node, t + datetime.timedelta(seconds=38),
                 "Hyper-V Virtual Machine Management", "stopped", "vmms")
        down = t + datetime.timedelta(seconds=47)
        self.emit(node, down, SYS, EVENTLOG, 6006, 4,
                  "The Event log service was stopped.",
                  [[None, "binary", ""]], qualifiers=32768, user=None)
        boot = t + parse_span(s.get("down", "6m"))
        self.down[node].append((down + datetime.timedelta(seconds=1), boot))
        self.boot(node, boot)

    def svc(self, node, t, name, state, key):
        self.emit(node, t, SYS, SCM, 7036, 4,
                  "The %s service entered the %s state." % (name, state),
                  [["param1", "string", name], ["param2", "string", state],
                   ["Binary", "binary", key.encode("utf-16-le").hex().upper()]],
                  qualifiers=16384, keywords="0x8080000000000000",
                  pid=0x2ac, user=None, source_name="Service Control Manager")

    def boot(self, node, b, dirty_at=None):
        sec = datetime.timedelta(seconds=1)
        self.emit(node, b, SYS, EVENTLOG, 6005, 4,
                  "The Event log service was started.",
                  [[None, "binary", ""]], qualifiers=32768, user=None)
        self.emit(node, b + sec, SYS, EVENTLOG, 6013, 4,
                  "The system uptime is 9 seconds.",
                  [[None, "string", ""], [None, "string", ""],
                   [None, "string", ""], [None, "string", ""],
                   [None, "string", "9"], [None, "string", ""],
                   [None, "string", "%d UTC" % (-self.off.total_seconds()
                                                // 60)]],
                  qualifiers=32768, user=None)
        if dirty_at is not None:
            lt = self.local(dirty_at)
            self.emit(node, b + 2 * sec, SYS, EVENTLOG, 6008, 2,
                      "The previous system shutdown at %s on %s was "
                      "unexpected." % (ampm(lt), mdy(lt)),
                      [[None, "string", ampm(lt)], [None, "string", mdy(lt)],
                       [None, "string", ""], [None, "string", ""],
                       [None, "string", "%d" % (self.rng.randrange(40000) +
                                                20000)],
                       [None, "string", ""], [None, "string", ""],
                       [None, "binary", systemtime_hex(dirty_at)]],
                      qualifiers=32768, user=None)
            self.emit(node, b - 2 * sec, SYS, KPOWER, 41, 1,
                      "The system has rebooted without cleanly shutting down "
                      "first. This error could be caused if the system "
                      "stopped responding, crashed, or lost power "
                      "unexpectedly.",
                      [["BugcheckCode", "uint32", 0],
                       ["BugcheckParameter1", "hex64", "0x0"],
                       ["BugcheckParameter2", "hex64", "0x0"],
                       ["BugcheckParameter3", "hex64", "0x0"],
                       ["BugcheckParameter4", "hex64", "0x0"],
                       ["SleepInProgress", "uint32", 0],
                       ["PowerButtonTimestamp", "uint64", 0],
                       ["BootAppStatus", "uint32", 0],
                       ["Checkpoint", "uint8", 0],
                       ["ConnectedStandbyInProgress", "bool", False],
                       ["SystemSleepTransitionsToOn", "uint32", 0],
                       ["CsEntryScenarioInstanceId", "uint8", 0],
                       ["BugcheckInfoFromEFI", "bool", False],
                       ["CheckpointStatus", "uint8", 0]],
                      task=63, version=8, keywords="0x8000400000000002")
        self.svc(node, b + 41 * sec, "Hyper-V Virtual Machine Management",
                 "running", "vmms")
        self.svc(node, b + 58 * sec, "Cluster Service", "running", "ClusSvc")
        self.cl_line(node, b + 59 * sec, "INFO",
                     "[CS] Starting clussvc as a service")
        self.cl_line(node, b + 60 * sec, "INFO",
                     "[CS] cluster service logging level is 3")
        for vm in sorted(self.vm_by):
            if self.vm_by[vm].get("node") == node:
                v = self.vm_by[vm]
                self.emit(node, b + (95 + len(vm)) * sec, WORKER_ADMIN,
                          WORKER, 18500, 4,
                          "'%s' started successfully. (Virtual machine ID "
                          "%s)" % (v["name"], v["id"].upper()),
                          userdata=self.vml(vm),
                          pid=self.pids[node]["vmms"] + 0x400)

    # ---- background noise -------------------------------------------------
    def noise(self):
        rate = self.d.get("noise_per_hour", 3)
        clrate = self.d.get("clusterlog_per_hour", 10)
        hour = datetime.timedelta(hours=1)
        for node in self.nodes:
            t = self.start
            while t < self.end:
                for _ in range(self.count(rate)):
                    at = t + datetime.timedelta(
                        seconds=self.rng.randrange(3600),
                        microseconds=self.rng.randrange(10 ** 6))
                    if at < self.end and not self.is_down(node, at):
                        self.noise_event(node, at)
                if self.d.get("clusterlog", True):
                    for _ in range(self.count(clrate)):
                        at = t + datetime.timedelta(
                            seconds=self.rng.randrange(3600),
                            microseconds=self.rng.randrange(1000) * 1000)
                        if at < self.end and not self.is_down(node, at):
                            self.noise_cl(node, at)
                lt = self.local(t)
                if lt.hour == 12 and not self.is_down(node, t):
                    up = int((t - self.start).total_seconds()) + 86400 * 9
                    self.emit(node, t + datetime.timedelta(seconds=3), SYS,
                              EVENTLOG, 6013, 4,
                              "The system uptime is %d seconds." % up,
                              [[None, "string", ""], [None, "string", ""],
                               [None, "string", ""], [None, "string", ""],
                               [None, "string", str(up)],
                               [None, "string", ""], [None, "string", ""]],
                              qualifiers=32768, user=None)
                t += hour

    def count(self, rate):
        n = int(rate)
        return n + (1 if self.rng.random() < rate - n else 0)

    def noise_event(self, node, t):
        r = self.rng.random()
        if r < 0.35:
            name, key = self.rng.choice([
                ("Windows Modules Installer", "TrustedInstaller"),
                ("WinHTTP Web Proxy Auto-Discovery Service", "WinHttpAutoProxySvc"),
                ("Windows Update", "wuauserv"),
                ("Software Protection", "sppsvc"),
                ("Background Intelligent Transfer Service", "BITS"),
                ("Microsoft Account Sign-in Assistant", "wlidsvc")])
            self.svc(node, t, name, "running", key)
            self.svc(node, t + datetime.timedelta(seconds=self.rng.randrange(
                30, 600)), name, "stopped", key)
        elif r < 0.55:
            lt = t + datetime.timedelta(seconds=self.rng.randrange(60, 86400))
            self.emit(node, t, APP, SPP, 16384, 4,
                      "Successfully scheduled Software Protection service for "
                      "re-start at %s. Reason: RulesEngine." % iso7(lt)[:-1],
                      [["Time", "string", iso7(lt)[:-1]],
                       ["Reason", "string", "RulesEngine"]],
                      qualifiers=16384, keywords="0x80000000000000",
                      user=None, source_name="Software Protection Platform "
                      "Service")
        elif r < 0.7:
            self.emit(node, t, APP, SPP, 16394, 4,
                      "Offline downlevel migration succeeded.", [],
                      qualifiers=16384, keywords="0x80000000000000",
                      user=None, source_name="Software Protection Platform "
                      "Service")
        else:
            dc = self.d.get("dc", "DC01")
            self.emit(node, t, SYS, TIME, 37, 4,
                      "The time provider NtpClient is currently receiving "
                      "valid time data from %s.%s (ntp.d|0.0.0.0:123->"
                      "10.0.0.10:123)." % (dc, self.domain),
                      [["TimeSource", "string", "%s.%s (ntp.d|0.0.0.0:123->"
                        "10.0.0.10:123)" % (dc, self.domain)]],
                      task=0, keywords="0x8000000000000000",
                      user="S-1-5-19")

    def noise_cl(self, node, t):
        i = self.nodes.index(node) + 1
        peer = self.nodes[(i) % len(self.nodes)] if len(self.nodes) > 1 \
            else node
        vms = sorted(v for v in self.vm_by if self.vm_by[v].get("node") ==
                     node) or sorted(self.vm_by) or ["VM01"]
        vm = self.rng.choice(vms)
        vols = sorted(self.vol_by) or ["Volume1"]
        vol = self.vol_by.get(self.rng.choice(vols), {"resource":
                                                      "Cluster Disk 1"})
        gum = 4000 + self.rng.randrange(90000)
        lines = [
            ("INFO", "[NM] Received request from client address %s." % peer),
            ("INFO", "[GUM] Node %d: Processing RequestLock %d:%d" %
             (i, i, gum)),
            ("INFO", "[GUM] Node %d: executing request locally, gumId:%d, my "
             "action: /dm/update, # of updates: 1" % (i, gum)),
            ("INFO", "[DM] Node %d: Paxos Tag Read from Hive: %d:%d:%d" %
             (i, i, gum // 7, gum)),
            ("DBG ", "[RHS] Resource Virtual Machine %s called "
             "SetResourceLockedMode. LockedModeEnabled0, LockedModeReason0."
             % vm),
            ("INFO", "[RES] Physical Disk <%s>: VolumeIsNtfs: Volume "
             "\\\\?\\GLOBALROOT\\Device\\Harddisk2\\ClusterPartition2\\ has "
             "FS type NTFS" % vol["resource"]),
            ("INFO", "[API] s_ApiGetQuorumResource final status 0."),
            ("DBG ", "[RCM] rcm::RcmApi::GetResourceState: (Virtual Machine "
             "%s)" % vm),
            ("INFO", "[RCM] rcm::RcmGroup::UpdateStateIfChanged: (%s, "
             "Online --> Online)" % vm),
            ("DBG ", "[NETFTAPI] received NsiParameterNotification for "
             "169.254.%d.%d (IpDadStatePreferred)" % (i, 17 + i)),
        ]
        level, text = self.rng.choice(lines)
        proc = "rhs" if text.startswith(("[RHS]", "[RES]")) else "clussvc"
        self.cl_line(node, t, level, text, proc)

    # ---- the incident -----------------------------------------------------
    def incident(self):
        for spec in self.d.get("events", []):
            t0 = parse_time(spec["t"])
            rep = spec.get("repeat", {})
            times = rep.get("times", 1)
            every = parse_span(rep.get("every", "1d"))
            retry = spec.get("retry", {})
            for k in range(times):
                t = t0 + every * k
                if "jitter" in rep and k:
                    t += datetime.timedelta(seconds=self.rng.randrange(
                        int(parse_span(rep["jitter"]).total_seconds())))
                fn = getattr(self, "ev_" + spec["kind"].replace("-", "_"))
                for r in range(retry.get("times", 1)):
                    tr = t + parse_span(retry.get("every", "10m")) * r
                    stagger = parse_span(spec.get("stagger", "0s"))
                    for j, node in enumerate(spec.get("nodes",
                                                      [spec.get("node")])):
                        fn(node, tr + stagger * j, spec)

    # ---- output -----------------------------------------------------------
    def channel_events(self, node):
        """channel -> events sorted by time, with record ids; events before
        a clear of that channel dropped, ids restarting after it."""
        out = {}
        for rec in sorted(self.events[node], key=lambda r: (r["t"],
                                                            r["seq"])):
            if rec["t"] < self.start - datetime.timedelta(days=1) or \
                    rec["t"] > self.collected:
                continue
            ch = rec["ev"]["channel"]
            cl = self.cleared[node].get(ch)
            if cl is not None and rec["t"] < cl:
                continue
            out.setdefault(ch, []).append(rec)
        base = {}
        for ch in sorted(out):
            cleared = ch in self.cleared[node]
            base[ch] = 1 if cleared else 1000 + self.rng.randrange(90000)
            for i, rec in enumerate(out[ch]):
                rec["ev"]["record_id"] = base[ch] + i
        return out

    def cluster_log(self, node, chans, local_time):
        i = self.nodes.index(node) + 1
        off_min = int(self.off.total_seconds() // 60)

        def stamp(t):
            lt = self.local(t) if local_time else t
            return lt.strftime("%Y/%m/%d-%H:%M:%S.") + "%03d" % (
                lt.microsecond // 1000)
        L = []
        L.append("[=== Cluster ===]")
        # "Build Number N" as a public PowerShell reader of the header
        # matches it (^Build Number (\d+)$; tests/unit/test_clusterlog.c)
        build = OS_BUILD.get(self.d.get("os"))
        if build:
            L.append("Build Number %d" % build)
        L.append("UTC= localtime + time zone offset; with daylight savings, "
                 "the time zone offset of this machine is %d minutes, or %d "
                 "hours" % (-off_min, -off_min // 60))
        if local_time:
            L.append("The logs were generated using local time")
        if self.d.get("clusterlog_node_form") == "name-in-parentheses":
            L.append("Current node: name (%s) id (%d)" % (node, i))
        else:
            L.append("Current node: %s (%d) id (%d)" % (node, i, i))
        L.append("[=== Networks ===]")
        L.append("Name,Id,State,Role,Address,AddressMask")
        L.append('"Cluster Network 1",%s,Up,ClusterAndClient,10.0.10.0,'
                 '255.255.255.0' % guid_of(self.d["name"] + "net1"))
        L.append('"Cluster Network 2",%s,Up,Cluster,10.0.20.0,255.255.255.0'
                 % guid_of(self.d["name"] + "net2"))
        L.append("[=== Nodes ===]")
        L.append("Name,Id,State,NodeWeight,DynamicWeight")
        for j, n in enumerate(self.nodes):
            L.append("%s,%d,Up,1,1" % (n, j + 1))
        L.append("[=== Groups ===]")
        L.append("Name,State,OwnerNode,GroupType")
        L.append('"Cluster Group",Online,%s,Cluster' % self.nodes[0])
        for vm in sorted(self.vm_by):
            L.append("%s,Online,%s,VirtualMachine" % (
                vm, self.vm_by[vm].get("node", self.nodes[0])))
        L.append("[=== Resources ===]")
        L.append("Name,State,OwnerGroup,ResourceType")
        L.append('"Cluster IP Address",Online,"Cluster Group","IP Address"')
        L.append('"Cluster Name",Online,"Cluster Group","Network Name"')
        for vol in sorted(self.vol_by):
            L.append('"%s",Online,"Cluster Shared Volume","Physical Disk"'
                     % self.vol_by[vol]["resource"])
        for vm in sorted(self.vm_by):
            L.append('"Virtual Machine %s",Online,%s,"Virtual Machine"'
                     % (vm, vm))
            L.append('"Virtual Machine Configuration %s",Online,%s,'
                     '"Virtual Machine Configuration"' % (vm, vm))
        L.append("[=== Volumes ===]")
        L.append("Name,Path,ResourceName,State")
        for vol in sorted(self.vol_by):
            v = self.vol_by[vol]
            L.append('%s,C:\\ClusterStorage\\%s,"%s",Online'
                     % (v["name"], v["name"], v["resource"]))
        since = self.cl_from[node]
        for ch, title in ((SYS, "System"),
                          (FC_OP, FC_OP + " logs")):
            L.append("[=== %s ===]" % title)
            for rec in chans.get(ch, []):
                # the event logs themselves survive a cluster-log reset
                if rec["t"] < self.start or not rec["cl"]:
                    continue
                ev = rec["ev"]
                L.append("[%s] %08x.%08x::%s %s  %s" % (
                    ch, ev["pid"], ev["tid"], stamp(rec["t"]),
                    CL_LEVEL[ev["level"]], rec["message"].replace(
                        "\r\n\r\n", "\r\n")))
        L.append("[=== Cluster Logs ===]")
        for t, _, pid, tid, level, text in sorted(self.cl[node]):
            if t < since or t > self.end:
                continue
            L.append("%08x.%08x::%s %s  %s" % (pid, tid, stamp(t), level,
                                               text))
        return ("\r\n".join(L) + "\r\n").encode("utf-8")

    def build(self):
        self.incident()
        self.noise()
        coll = self.d.get("collector", "TSS")
        stamp = self.local(self.collected)
        files = {}     # container -> {member: bytes}
        manifest = {}
        for node in self.nodes:
            chans = self.channel_events(node)
            if coll == "TSS":
                cont = "TSSv2_%s_%s_%s.zip" % (
                    node, stamp.strftime("%y%m%d-%H%M%S"),
                    self.d.get("tss_scenario", "Cluster"))
                top = cont[:-4] + "/"
            elif coll == "SDP":
                cont = "tss_%s_%s_psSDP_Cluster.zip" % (
                    stamp.strftime("%y%m%d_%H%M%S"), node)
                top = ""
            else:
                cont, top = None, ""
            members = files.setdefault(cont, {})
            if coll in ("TSS", "SDP"):
                for ch in CHANNELS:  # collected even when empty
                    recs = chans.get(ch, [])
                    if coll == "TSS":
                        base = "%sBasicLog-%s/EventLogs/%s-%s" % (
                            top, stamp.strftime("%y%m%d-%H%M%S"), node,
                            ch.replace("/", "-").replace(" ", "-"))
                    else:
                        base = "%s_evt_%s" % (node, SDP_SHORT[ch])
                    evs = [r["ev"] for r in recs]
                    if self.d.get("evtx", True):
                        members[base + ".evtx"] = evtxwriter.write(evs)
                        manifest.setdefault(cont or "", {})[
                            base + ".evtx"] = [
                            {"record_id": e["record_id"],
                             "event_id": e["event_id"],
                             "provider": e["provider"], "time": e["time"],
                             "level": e["level"], "computer": e["computer"],
                             "data": data_of(e)} for e in evs]
                    if coll == "TSS":
                        members[base + ".csv"] = self.tss_csv(recs, ",")
                        members[base + ".txt"] = self.tss_csv(recs, "\t")
                    else:
                        members[base + ".csv"] = self.sdp_csv(node, recs)
                        members[base + ".txt"] = self.wevtutil_text(recs, ch)
                        members[base + ".XML"] = self.rendered_xml(recs)
            if coll == "Pasted":
                recs = chans.get(SYS, [])
                members["%s-System.txt" % node] = self.ev_tab(recs)
                members["%s-FailoverClustering-details.txt" % node] = \
                    self.ev_details([r for r in recs
                                     if r["ev"]["provider"] == FC[0]])
            if self.d.get("clusterlog", True):
                local_time = coll == "TSS" or self.d.get("uselocaltime")
                name = "%s_cluster.log" % node
                if coll == "TSS":
                    name = top + "Cluster/" + name
                members[name] = self.cluster_log(node, chans, local_time)
        return files, manifest

    # ---- text exports -----------------------------------------------------
    def text_of(self, rec):
        """The message as the text exports show it: German when
        message_locale is de-DE and GERMAN renders the event."""
        ev = rec["ev"]
        tr = GERMAN.get((ev["provider"], ev["event_id"]))
        if self.d.get("message_locale") == "de-DE" and tr:
            return tr(ev)
        return rec["message"]

    def tss_csv(self, recs, delim):
        loc = self.d.get("locale", "en-US")
        if delim == ",":
            delim = ";" if loc == "de-DE" else ","
        names = LEVEL_NAMES[loc]
        rows = ['#TYPE Selected.System.Diagnostics.Eventing.Reader.'
                'EventLogRecord',
                delim.join('"%s"' % c for c in (
                    "LevelDisplayName", "TimeCreated", "ProviderName", "Id",
                    "UserId", "Message"))]
        for rec in reversed(recs):  # Get-WinEvent: newest first
            ev = rec["ev"]
            lt = self.local(rec["t"])
            when = (lt.strftime("%d.%m.%Y %H:%M:%S") if loc == "de-DE"
                    else "%s %s" % (mdy(lt), ampm(lt)))
            vals = [names[ev["level"]], when, ev["provider"],
                    str(ev["event_id"]), ev.get("user_sid", ""),
                    self.text_of(rec)]
            rows.append(delim.join('"%s"' % v.replace('"', '""')
                                   for v in vals))
        return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8")

    def sdp_csv(self, node, recs):
        rows = ["Date,Time,Type/Level,Computer Name,Event Code,Source,"
                "Task Category,Username,Description"]
        for rec in recs:
            ev = rec["ev"]
            lt = self.local(rec["t"])
            vals = [mdy(lt), ampm(lt), LEVEL_NAMES["en-US"][ev["level"]],
                    self.fqdn(node), str(ev["event_id"]), ev["provider"],
                    "None", "N/A" if not ev.get("user_sid") else
                    "NT AUTHORITY\\SYSTEM", rec["message"]]
            rows.append(",".join(csvq(v) for v in vals))
        return ("\r\n".join(rows) + "\r\n").encode("utf-8")

    def rendered_xml(self, recs):
        """`wevtutil qe <log> /f:RenderedXml`: one <Event> per line, no
        root, single-quoted attributes, RenderingInfo with the message."""
        lines = []
        for rec in recs:
            ev = rec["ev"]
            p = ["<Event xmlns='http://schemas.microsoft.com/win/2004/08/"
                 "events/event'><System><Provider Name='%s'" % xq(
                     ev["provider"])]
            if ev.get("guid"):
                p.append(" Guid='{%s}'" % ev["guid"])
            if ev.get("source_name"):
                p.append(" EventSourceName='%s'" % xq(ev["source_name"]))
            p.append("/><EventID")
            if ev.get("qualifiers") is not None:
                p.append(" Qualifiers='%d'" % ev["qualifiers"])
            p.append(">%d</EventID><Version>%d</Version><Level>%d</Level>"
                     "<Task>%d</Task><Opcode>%d</Opcode><Keywords>%s"
                     "</Keywords><TimeCreated SystemTime='%s'/>"
                     "<EventRecordID>%d</EventRecordID><Correlation/>"
                     "<Execution ProcessID='%d' ThreadID='%d'/>"
                     "<Channel>%s</Channel><Computer>%s</Computer>" % (
                         ev["event_id"], ev["version"], ev["level"],
                         ev["task"], ev["opcode"], ev["keywords"],
                         ev["time"], ev["record_id"], ev["pid"], ev["tid"],
                         xq(ev["channel"]), xq(ev["computer"])))
            p.append("<Security UserID='%s'/>" % ev["user_sid"]
                     if ev.get("user_sid") else "<Security/>")
            p.append("</System>")
            if "userdata" in ev:
                ud = ev["userdata"]
                p.append("<UserData><%s xmlns='%s'>" % (ud["root"],
                                                        ud["xmlns"]))
                for n, t, v in ud["fields"]:
                    p.append("<%s>%s</%s>" % (n, xq(xml_value(t, v)), n))
                p.append("</%s></UserData>" % ud["root"])
            else:
                p.append("<EventData>")
                for n, t, v in ev.get("data", []):
                    if t == "binary":
                        p.append("<Binary>%s</Binary>" % v)
                        continue
                    p.append("<Data%s>%s</Data>" % (
                        " Name='%s'" % n if n else "", xq(xml_value(t, v))))
                p.append("</EventData>")
            p.append("<RenderingInfo Culture='en-US'><Message>%s</Message>"
                     "<Level>%s</Level><Task></Task><Opcode>Info</Opcode>"
                     "<Channel>%s</Channel><Provider>%s</Provider>"
                     "<Keywords></Keywords></RenderingInfo></Event>" % (
                         xq(rec["message"]),
                         LEVEL_NAMES["en-US"][ev["level"]],
                         xq(ev["channel"]), xq(ev["provider"])))
            lines.append("".join(p))
        return ("\r\n".join(lines) + ("\r\n" if lines else "")).encode(
            "utf-8")

    def ev_tab(self, recs):
        """Event Viewer "Save All Events As... Text (Tab delimited)":
        newest first, the description in an unnamed sixth column."""
        rows = ["Level\tDate and Time\tSource\tEvent ID\tTask Category"]
        for rec in reversed(recs):
            ev = rec["ev"]
            lt = self.local(rec["t"])
            msg = rec["message"]
            if any(c in msg for c in '\t"\r\n'):
                msg = '"%s"' % msg.replace('"', '""')
            rows.append("\t".join([
                LEVEL_NAMES["en-US"][ev["level"]],
                "%s %s" % (mdy(lt), ampm(lt)), ev["provider"],
                str(ev["event_id"]), "None", msg]))
        return ("\r\n".join(rows) + "\r\n").encode("utf-8")

    def ev_details(self, recs):
        """Event Viewer "Copy details as text", one block per event pasted
        one after the other: padded labels, local en-US Date, the
        description, then "Event Xml:" and the event's XML on indented
        lines (no RenderingInfo)."""
        out = []
        for rec in recs:
            ev = rec["ev"]
            lt = self.local(rec["t"])
            sid = ev.get("user_sid")
            out += ["Log Name:      %s" % ev["channel"],
                    "Source:        %s" % ev["provider"],
                    "Date:          %s %s" % (mdy(lt), ampm(lt)),
                    "Event ID:      %d" % ev["event_id"],
                    "Task Category: None",
                    "Level:         %s" % LEVEL_NAMES["en-US"][ev["level"]],
                    "Keywords:      ",
                    "User:          %s" % ("SYSTEM" if sid else "N/A"),
                    "Computer:      %s" % ev["computer"],
                    "Description:",
                    rec["message"],
                    "Event Xml:"]
            xml = self.rendered_xml([rec]).decode("utf-8").strip()
            xml = xml[:xml.index("<RenderingInfo")] + "</Event>"
            xml = xml.replace("'", '"').replace("><", ">\r\n  <")
            out.append(xml)
        return ("\r\n".join(out) + "\r\n").encode("utf-8")

    def wevtutil_text(self, recs, ch):
        out = []
        for i, rec in enumerate(recs):
            ev = rec["ev"]
            lt = self.local(rec["t"])
            out.append("Event[%d]:" % i)
            out.append("  Log Name: %s" % ch)
            out.append("  Source: %s" % ev["provider"])
            out.append("  Date: %s" % lt.strftime("%Y-%m-%dT%H:%M:%S.") +
                       "%03d" % (lt.microsecond // 1000))
            out.append("  Event ID: %d" % ev["event_id"])
            out.append("  Task: N/A")
            out.append("  Level: %s" % LEVEL_NAMES["en-US"][ev["level"]])
            out.append("  Opcode: Info")
            out.append("  Keyword: Classic" if ev.get("qualifiers") is not
                       None else "  Keyword: N/A")
            sid = ev.get("user_sid")
            out.append("  User: %s" % (sid or "N/A"))
            out.append("  User Name: %s" % ("NT AUTHORITY\\SYSTEM"
                                            if sid == "S-1-5-18" else
                                            "N/A" if not sid else sid))
            out.append("  Computer: %s" % ev["computer"])
            out.append("  Description: ")
            out.append(rec["message"])
            out.append("")
        return ("\r\n".join(out) + "\r\n").encode("utf-8")


def xq(v):
    return (str(v).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("'", "&apos;"))


def xml_value(vtype, v):
    """A substitution value as EvtRender prints it."""
    if vtype == "bool":
        return "true" if v in (True, 1, "true") else "false"
    if vtype in ("hex32", "hex64"):
        return "0x%x" % (int(v, 0) if isinstance(v, str) else v)
    if vtype == "guid":
        return "{%s}" % str(v).strip("{}").upper()
    return str(v).replace("\r\n", "\n")


def csvq(v):
    if any(c in v for c in ',"\r\n'):
        return '"%s"' % v.replace('"', '""')
    return v


def mdy(dt):
    return "%d/%d/%d" % (dt.month, dt.day, dt.year)


def ampm(dt):
    h = dt.hour % 12 or 12
    return "%d:%02d:%02d %s" % (h, dt.minute, dt.second,
                                "AM" if dt.hour < 12 else "PM")


def systemtime_hex(dt):
    import struct
    return struct.pack("<8H", dt.year, dt.month, dt.isoweekday() % 7, dt.day,
                       dt.hour, dt.minute, dt.second,
                       dt.microsecond // 1000).hex().upper()


def guid_of(s):
    import hashlib
    h = hashlib.sha1(s.encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def data_of(ev):
    """[[name, type, value]]; unnamed data are named by position."""
    if "userdata" in ev:
        return [list(f) for f in ev["userdata"]["fields"]]
    return [[n if n is not None else str(i + 1), t, v]
            for i, (n, t, v) in enumerate(ev.get("data", []))]


def write_bundle(files, outdir, collected):
    """Zips with fixed timestamps (the collection time) and attributes,
    members in sorted order; plain files for a collector without zip."""
    os.makedirs(outdir, exist_ok=True)
    dt = collected.timetuple()[:6]
    for cont in sorted(files, key=lambda c: c or ""):
        members = files[cont]
        if cont is None:
            for name in sorted(members):
                with open(os.path.join(outdir, name), "wb") as f:
                    f.write(members[name])
            continue
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for name in sorted(members):
                zi = zipfile.ZipInfo(name, date_time=dt)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                zi.create_system = 0
                z.writestr(zi, members[name], compresslevel=6)
        with open(os.path.join(outdir, cont), "wb") as f:
            f.write(buf.getvalue())


def build(desc_path, outdir):
    with open(desc_path, encoding="utf-8") as f:
        desc = json.load(f)
    g = Gen(desc)
    files, manifest = g.build()
    bundle = os.path.join(outdir, desc["name"])
    if os.path.isdir(bundle):
        for n in os.listdir(bundle):
            os.remove(os.path.join(bundle, n))
    write_bundle(files, bundle, g.local(g.collected))
    with open(os.path.join(outdir, desc["name"] + ".manifest.json"), "w",
              encoding="utf-8") as f:
        json.dump({"name": desc["name"], "evtx": manifest}, f, indent=1,
                  sort_keys=True)
    return bundle


def main(argv):
    if len(argv) != 4 or argv[1] != "build":
        sys.stderr.write("usage: scenario.py build SCENARIO.json OUTDIR\n")
        return 2
    print(build(argv[2], argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
