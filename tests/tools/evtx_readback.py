#!/usr/bin/env python3
"""evtx_readback - read the .evtx files of a generated scenario bundle back
with the peers (python-evtx's Evtx module, libevtx's evtxexport) and check
them against what the generator meant to write and against the scenario
description. Independent of casebrief's own EVTX parser.

    evtx_readback.py SCENARIO.json BUNDLE_DIR MANIFEST.json
    evtx_readback.py --events EVENTS.json REPEAT DIR   (the writer alone)

Checks, per .evtx member and per peer: record count; per record: record
id, event id, provider, computer, level, TimeCreated (to the microsecond)
and every EventData/UserData value (by name, or by position when unnamed,
compared by type: integers as numbers, binary as bytes). Then, from the
description alone: every incident event appears in its node's logs with
the event id its kind stands for, as often as its repeats say, carrying
the VM, node and path names the description gives.

Exit status: 0 all agree, 1 a mismatch (listed), 77 no peer available.
"""
import base64
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"

# incident kind -> (channel, event ids) it must leave in the .evtx
KIND_EVENTS = {
    "node-removed": ("System", [1135]),
    "quorum-lost": ("System", [1177]),
    "csv-paused": ("System", [5120]),
    "csv-no-access": ("System", [5142]),
    "resource-failed": ("System", [1069]),
    "role-failed": ("System", [1205]),
    "rhs-restarted": ("System", [1146]),
    "netif-failed": ("System", [1127]),
    "network-partitioned": ("System", [1129]),
    "disk-retry": ("System", [153]),
    "log-cleared": ("System", [104]),
    "power-loss": ("System", [6008, 41, 6005]),
    "restart": ("System", [1074, 6006, 6005]),
    "replica-suspended": ("Microsoft-Windows-Hyper-V-VMMS-Admin", [32086]),
    "replica-cancelled": ("Microsoft-Windows-Hyper-V-VMMS-Admin", [32022]),
    # the detail event that names the AVHDX (its id is UNSURE, see
    # EVENTIDS.md; it is the one the generator writes)
    "checkpoint-locked": ("Microsoft-Windows-Hyper-V-VMMS-Admin", [16010]),
    "migration-kerberos": (
        "Microsoft-Windows-Hyper-V-High-Availability-Admin", [21502]),
    "migration-cpu": (
        "Microsoft-Windows-Hyper-V-High-Availability-Admin", [21502]),
    "start-vhd-missing": (
        "Microsoft-Windows-Hyper-V-High-Availability-Admin", [21502]),
    "start-corrupt": (
        "Microsoft-Windows-Hyper-V-High-Availability-Admin", [21502]),
}

failures = []


def fail(msg):
    failures.append(msg)


# ---- peers ----------------------------------------------------------------

def read_pyevtx(path):
    import Evtx.Evtx as evtx
    out = []
    with evtx.Evtx(path) as log:
        for rec in log.records():
            out.append(ET.fromstring(rec.xml()))
    return out


def read_evtxexport(path):
    r = subprocess.run(["evtxexport", "-f", "xml", path], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.stderr.strip():
        fail("%s: evtxexport complained: %s" % (path, r.stderr.decode(
            "utf-8", "replace").strip()[:300]))
    text = r.stdout.decode("utf-8")
    body = text[text.find("<Event"):] if "<Event" in text else ""
    return list(ET.fromstring("<root>" + body + "</root>"))


# ---- comparison -----------------------------------------------------------

def norm_time(s):
    """TimeCreated as either peer writes it -> microseconds string."""
    s = s.strip().replace("T", " ").rstrip("Z")
    frac = ""
    if "." in s:
        s, frac = s.split(".", 1)
    return s + "." + (frac + "000000")[:6]


def to_us(s):
    d = datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f")
    return int(d.replace(tzinfo=datetime.timezone.utc).timestamp()) * \
        1000000 + d.microsecond


def expected_time(iso):
    return norm_time(iso)


def value_ok(vtype, want, got, peer):
    got = (got or "").replace("\r\n", "\n")
    if vtype == "string":
        return str(want).replace("\r\n", "\n") == got
    if vtype in ("int8", "int16", "uint8", "uint16", "uint32", "uint64",
                 "int32", "int64",
                 "hex32", "hex64"):
        w = int(want, 0) if isinstance(want, str) else int(want)
        bits = {"int8": 8, "int32": 32, "int64": 64}.get(vtype)
        if peer == "evtxexport" and bits and w < 0 and \
                got == "-%d" % (w & ((1 << (bits - 1)) - 1)):
            return True  # libevtx 20181227 drops the two's complement
        try:
            return int(got, 0) == w
        except ValueError:
            return False
    if vtype in ("filetime", "systemtime"):
        try:
            return abs(to_us(norm_time(got)) - to_us(norm_time(want))) <= 2
        except ValueError:
            return False
    if vtype == "bool":
        return got.lower() == ("true" if want in (True, 1, "true") else
                               "false")
    if vtype == "binary":
        want_b = bytes.fromhex(want)
        if not got:
            return not want_b
        try:
            if bytes.fromhex(got) == want_b:
                return True
        except ValueError:
            pass
        try:  # python-evtx writes binary as base64
            return base64.b64decode(got) == want_b
        except ValueError:
            return False
    return str(want).lower().strip("{}") == got.lower().strip("{}")


def data_of(ev):
    """EventData: (name or position) -> text; UserData: leaf -> text."""
    out = {}
    ed = ev.find(NS + "EventData")
    if ed is not None:
        for i, d in enumerate(ed):
            out[d.get("Name") or str(i + 1)] = d.text or ""
    ud = ev.find(NS + "UserData")
    if ud is not None and len(ud):
        for leaf in ud[0]:
            out[leaf.tag.split("}")[-1]] = leaf.text or ""
    return out


def compare(label, peer, want, got):
    if len(want) != len(got):
        fail("%s [%s]: %d records, expected %d" % (label, peer, len(got),
                                                   len(want)))
        return
    for w, g in zip(want, got):
        sysel = g.find(NS + "System")
        where = "%s [%s] record %d" % (label, peer, w["record_id"])
        checks = [
            ("EventRecordID", sysel.findtext(NS + "EventRecordID"),
             str(w["record_id"])),
            ("EventID", sysel.findtext(NS + "EventID"), str(w["event_id"])),
            ("Level", sysel.findtext(NS + "Level"), str(w["level"])),
            ("Computer", sysel.findtext(NS + "Computer"), w["computer"]),
            ("Provider", sysel.find(NS + "Provider").get("Name"),
             w["provider"]),
            ("TimeCreated", norm_time(sysel.find(NS + "TimeCreated").get(
                "SystemTime")), expected_time(w["time"])),
        ]
        for name, a, b in checks:
            if name == "TimeCreated" and peer == "python-evtx":
                # python-evtx converts FILETIME through a float: +-2 us
                if abs(to_us(a) - to_us(b)) <= 2:
                    continue
            if (a or "").strip() != b:
                fail("%s: %s is %r, expected %r" % (where, name, a, b))
        got_data = data_of(g)
        for name, vtype, value in w["data"]:
            if vtype == "systemtime" and peer == "python-evtx":
                continue  # python-evtx renders milliseconds as microseconds
            if name not in got_data:
                fail("%s: data %s missing" % (where, name))
            elif not value_ok(vtype, value, got_data[name], peer):
                fail("%s: data %s is %r, expected %r" % (
                    where, name, got_data[name], value))


def check_description(desc, readback):
    """Every incident event left its records in the node's .evtx."""
    per_node = {}
    for (node, chan), evs in readback.items():
        per_node.setdefault((node, chan), []).extend(evs)
    for spec in desc.get("events", []):
        kind = spec["kind"]
        if kind not in KIND_EVENTS:
            continue
        chan, ids = KIND_EVENTS[kind]
        times = spec.get("repeat", {}).get("times", 1) * \
            spec.get("retry", {}).get("times", 1)
        for node in spec.get("nodes", [spec.get("node")]):
            evs = per_node.get((node, chan), [])
            for eid in ids:
                hits = [e for e in evs if e["event_id"] == eid]
                names = [v for k, v in (("vm", spec.get("vm")),
                                        ("peer", spec.get("peer")),
                                        ("avhdx", spec.get("avhdx")))
                         if v and eid not in (41, 6005, 6006, 6008, 1074)]
                hits = [e for e in hits if all(
                    any(n in (v or "") for v in e["data"].values())
                    for n in names)]
                if len(hits) < times:
                    fail("description: %s on %s: %d x event %d in %s "
                         "naming %s, expected %d" % (kind, node, len(hits),
                                                     eid, chan, names, times))


def events_manifest(events_path, repeat, tmpdir):
    """--events: write EVENTS.json (repeated, so that records cross chunk
    boundaries) with evtxwriter and describe it as a manifest would."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import evtxwriter
    from scenario import data_of as scenario_data
    base = json.load(open(events_path, encoding="utf-8"))
    events = []
    for i in range(repeat):
        for ev in base:
            ev = json.loads(json.dumps(ev))
            ev["record_id"] = len(events) + 1
            ev["event_id"] = ev["event_id"] + i % 3
            events.append(ev)
    os.makedirs(tmpdir, exist_ok=True)
    evtxwriter.write(events, os.path.join(tmpdir, "types.evtx"))
    return {"evtx": {"": {"types.evtx": [
        {"record_id": e["record_id"], "event_id": e["event_id"],
         "provider": e["provider"], "time": e["time"], "level": e["level"],
         "computer": e["computer"], "data": scenario_data(e)}
        for e in events]}}}


def main(argv):
    if len(argv) == 5 and argv[1] == "--events":
        # evtx_readback.py --events EVENTS.json REPEAT DIR
        manifest = events_manifest(argv[2], int(argv[3]), argv[4])
        with open(os.path.join(argv[4], "types.manifest.json"), "w") as f:
            json.dump(manifest, f)
        argv = [argv[0], "-", argv[4],
                os.path.join(argv[4], "types.manifest.json")]
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    desc = (json.load(open(argv[1], encoding="utf-8")) if argv[1] != "-"
            else {"name": "evtxwriter types", "events": []})
    bundle, manifest = argv[2], json.load(open(argv[3], encoding="utf-8"))
    peers = []
    try:
        import Evtx.Evtx  # noqa: F401
        peers.append(("python-evtx", read_pyevtx))
    except ImportError:
        print("note: python-evtx not importable by %s" % sys.executable)
    if shutil.which("evtxexport"):
        peers.append(("evtxexport", read_evtxexport))
    else:
        print("note: evtxexport (libevtx-utils) not installed")
    if not peers:
        print("SKIP: no EVTX peer (apt-get install python3-evtx "
              "libevtx-utils)")
        return 77
    tmp = tempfile.mkdtemp(prefix="readback")
    readback = {}
    files = 0
    try:
        for cont in sorted(manifest["evtx"]):
            members = manifest["evtx"][cont]
            z = zipfile.ZipFile(os.path.join(bundle, cont)) if cont else None
            for member in sorted(members):
                data = z.read(member) if z else open(os.path.join(
                    bundle, member), "rb").read()
                path = os.path.join(tmp, "f%d.evtx" % files)
                files += 1
                with open(path, "wb") as f:
                    f.write(data)
                label = (cont + "!" if cont else "") + member
                want = members[member]
                for peer, reader in peers:
                    try:
                        got = reader(path)
                    except Exception as e:  # a peer that cannot read it
                        fail("%s [%s]: cannot read: %s" % (label, peer, e))
                        continue
                    compare(label, peer, want, got)
                    if peer == peers[0][0]:
                        for g in got:
                            s = g.find(NS + "System")
                            node = s.findtext(NS + "Computer").split(".")[0]
                            chan = s.findtext(NS + "Channel")
                            readback.setdefault((node, chan), []).append({
                                "event_id": int(s.findtext(NS + "EventID")),
                                "data": data_of(g)})
        if files:
            check_description(desc, readback)
        else:
            print("note: %s: no .evtx in this bundle (collector %s)"
                  % (desc["name"], desc.get("collector")))
    finally:
        shutil.rmtree(tmp)
    nrec = sum(len(v) for c in manifest["evtx"].values() for v in c.values())
    seen = set()
    for f in failures:
        key = f.split("]", 1)[0] + f.split(": data ")[-1].split(" ")[0]
        if key in seen:
            continue
        seen.add(key)
        print("FAIL:", f)  # one per file, peer and field
    if failures:
        print("%d mismatches" % len(failures))
        return 1
    print("ok: %s: %d .evtx, %d records agree with %s and the description"
          % (desc["name"], files, nrec, " and ".join(p for p, _ in peers)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
