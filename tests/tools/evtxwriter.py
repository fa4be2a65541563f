#!/usr/bin/env python3
"""evtxwriter - write binary Windows XML Event Log (.evtx) files.

A test and sample tool, not part of the analyzer: it turns a list of
events into a valid .evtx so scenario bundles can carry the binary logs a
real collector copies. Format: libyal's "Windows XML Event Log (EVTX)"
document (shared/kb/spec/). Output is validated against python-evtx and
libevtx's evtxexport (tests/tools/evtx_readback.py), never only against
casebrief's own parser.

Layout written:
  file header   4 KiB, "ElfFile\\0", version 3.1, CRC32 of bytes 0-119
  chunks        64 KiB, "ElfChnk\\0", header CRC (bytes 0-119 + 128-511),
                event-records CRC, common-string and template hash tables
  records       "**\\0\\0", size, id, written FILETIME, BinXML, size copy
  BinXML        fragment header + one template instance per record; the
                template is defined inline on its first use in a chunk and
                referenced by offset after that; element and attribute names
                are defined inline once per chunk and referenced after that
The template holds literals for what Windows keeps in it (Provider Name
and Guid, Channel, Computer) and substitutions for the rest, typed the way
Windows types them (Level uint8, EventID uint16, Keywords hexint64,
TimeCreated FILETIME, EventRecordID uint64, UserID SID, ...). EventData
(named or unnamed Data) or UserData (one root element with leaf children)
values are typed substitutions too.

Event (a dict; only provider, event_id and time are required):
  provider, guid, source_name (EventSourceName), event_id, qualifiers,
  version, level, task, opcode, keywords, time (FILETIME int or an ISO
  8601 UTC string), activity_id, related_activity_id, pid, tid, channel,
  computer, user_sid, and either
  data:     [[name or null, type, value], ...]          (EventData)
  userdata: {"root": NAME, "xmlns": URI, "fields": [[name, type, value]]}
Types: string uint8 uint16 uint32 uint64 int32 int64 hex32 hex64 bool guid
sid filetime systemtime binary (hex string) null.

CLI: evtxwriter.py EVENTS.json OUT.evtx   (EVENTS.json: a list of events;
record ids are 1, 2, ... in list order unless an event gives record_id).
Deterministic: the same events give the same bytes.
"""
import datetime
import json
import struct
import sys
import uuid
import zlib

CHUNK_SIZE = 0x10000
CHUNK_HEADER = 0x200
FILE_HEADER = 0x1000
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"

# value types (libyal "Value types")
T_NULL, T_STRING, T_INT8, T_UINT8 = 0x00, 0x01, 0x03, 0x04
T_INT16, T_UINT16, T_INT32, T_UINT32 = 0x05, 0x06, 0x07, 0x08
T_INT64, T_UINT64, T_BOOL, T_BINARY = 0x09, 0x0A, 0x0D, 0x0E
T_GUID, T_FILETIME, T_SYSTEMTIME, T_SID = 0x0F, 0x11, 0x12, 0x13
T_HEX32, T_HEX64 = 0x14, 0x15

TYPES = {
    "null": T_NULL, "string": T_STRING, "int8": T_INT8, "uint8": T_UINT8,
    "int16": T_INT16, "uint16": T_UINT16, "int32": T_INT32,
    "uint32": T_UINT32, "int64": T_INT64, "uint64": T_UINT64,
    "bool": T_BOOL, "binary": T_BINARY, "guid": T_GUID,
    "filetime": T_FILETIME, "systemtime": T_SYSTEMTIME, "sid": T_SID,
    "hex32": T_HEX32, "hex64": T_HEX64,
}

EPOCH_DELTA = 116444736000000000  # 1601-01-01 to 1970-01-01 in 100 ns


def filetime(value):
    """FILETIME from an int or an ISO 8601 UTC string ("...Z")."""
    if isinstance(value, int):
        return value
    s = value.rstrip("Z").replace("T", " ")
    frac = 0
    if "." in s:
        s, f = s.split(".", 1)
        frac = int((f + "0000000")[:7])
    dt = datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
    dt = dt.replace(tzinfo=datetime.timezone.utc)
    secs = int(dt.timestamp())
    return secs * 10000000 + frac + EPOCH_DELTA


def filetime_iso(ft):
    """ISO 8601 UTC with 7 fractional digits, as Windows renders it."""
    secs, frac = divmod(ft - EPOCH_DELTA, 10000000)
    dt = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % frac


def sid_bytes(text):
    parts = text.split("-")
    if len(parts) < 3 or parts[0] != "S":
        raise ValueError("bad SID %r" % text)
    rev, auth, subs = int(parts[1]), int(parts[2]), [int(p) for p in parts[3:]]
    return (struct.pack("<BB", rev, len(subs)) + auth.to_bytes(6, "big") +
            b"".join(struct.pack("<I", s) for s in subs))


def encode_value(vtype, value):
    """Bytes of one substitution value."""
    t = TYPES[vtype]
    if t == T_NULL:
        return t, b""
    if t == T_STRING:
        return t, str(value).encode("utf-16-le")
    if t in (T_INT8, T_UINT8):
        return t, struct.pack("<b" if t == T_INT8 else "<B", int(value))
    if t in (T_INT16, T_UINT16):
        return t, struct.pack("<h" if t == T_INT16 else "<H", int(value))
    if t in (T_INT32, T_UINT32, T_HEX32, T_BOOL):
        if t == T_BOOL:
            value = 1 if value in (True, 1, "true", "1") else 0
        return t, struct.pack("<i" if t == T_INT32 else "<I", int(value, 0)
                              if isinstance(value, str) else int(value))
    if t in (T_INT64, T_UINT64, T_HEX64):
        v = int(value, 0) if isinstance(value, str) else int(value)
        return t, struct.pack("<q" if t == T_INT64 else "<Q", v)
    if t == T_GUID:
        return t, uuid.UUID(str(value)).bytes_le
    if t == T_FILETIME:
        return t, struct.pack("<Q", filetime(value))
    if t == T_SYSTEMTIME:
        ft = filetime(value)
        secs, frac = divmod(ft - EPOCH_DELTA, 10000000)
        dt = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
        return t, struct.pack("<8H", dt.year, dt.month, dt.isoweekday() % 7,
                              dt.day, dt.hour, dt.minute, dt.second,
                              frac // 10000)
    if t == T_SID:
        return t, sid_bytes(str(value))
    if t == T_BINARY:
        return t, bytes.fromhex(str(value))
    raise ValueError(vtype)


def name_hash(name):
    h = 0
    for c in name:
        h = (h * 65599 + ord(c)) & 0xFFFFFFFF
    return h


# ---- template description --------------------------------------------------
# A template is a tree of ("elem", name, attrs, children) where attrs are
# (name, item) and children/items are ("text", str) or ("sub", idx, type,
# optional). It is built per event from the event's shape; events with the
# same shape share one template (and one definition per chunk).

def text(s):
    return ("text", s)


def sub(idx, t, optional=False):
    return ("sub", idx, t, optional)


def elem(name, attrs=(), children=()):
    return ("elem", name, tuple(attrs), tuple(children))


def build(ev):
    """(template tree, [(type, bytes) substitution values]) for an event."""
    values = []

    def add(vtype, value, optional=False):
        values.append(encode_value(vtype, value))
        return sub(len(values) - 1, TYPES[vtype], optional)

    prov_attrs = [("Name", text(ev["provider"]))]
    if ev.get("guid"):
        prov_attrs.append(("Guid", text("{%s}" % str(ev["guid"]).strip(
            "{}").lower())))
    if ev.get("source_name"):
        prov_attrs.append(("EventSourceName", text(ev["source_name"])))
    system = [elem("Provider", prov_attrs)]
    eid_attrs = []
    if ev.get("qualifiers") is not None:
        eid_attrs.append(("Qualifiers", add("uint16", ev["qualifiers"], True)))
    system.append(elem("EventID", eid_attrs,
                       [add("uint16", ev["event_id"])]))
    system.append(elem("Version", (), [add("uint8", ev.get("version", 0))]))
    system.append(elem("Level", (), [add("uint8", ev.get("level", 4))]))
    system.append(elem("Task", (), [add("uint16", ev.get("task", 0))]))
    system.append(elem("Opcode", (), [add("uint8", ev.get("opcode", 0))]))
    system.append(elem("Keywords", (), [add("hex64", ev.get(
        "keywords", "0x8000000000000000"))]))
    system.append(elem("TimeCreated", [("SystemTime", add(
        "filetime", ev["time"]))]))
    system.append(elem("EventRecordID", (), [add("uint64", ev["record_id"])]))
    corr = []
    if ev.get("activity_id"):
        corr.append(("ActivityID", add("guid", ev["activity_id"], True)))
    if ev.get("related_activity_id"):
        corr.append(("RelatedActivityID",
                     add("guid", ev["related_activity_id"], True)))
    system.append(elem("Correlation", corr))
    system.append(elem("Execution", [
        ("ProcessID", add("uint32", ev.get("pid", 4))),
        ("ThreadID", add("uint32", ev.get("tid", 8)))]))
    system.append(elem("Channel", (), [text(ev.get("channel", "System"))]))
    system.append(elem("Computer", (), [text(ev.get("computer", ""))]))
    sec = []
    if ev.get("user_sid"):
        sec.append(("UserID", add("sid", ev["user_sid"], True)))
    system.append(elem("Security", sec))

    body = []
    if "userdata" in ev:
        ud = ev["userdata"]
        leaves = [elem(n, (), [add(t, v)]) for n, t, v in ud["fields"]]
        root_attrs = [("xmlns", text(ud["xmlns"]))] if ud.get("xmlns") else []
        body.append(elem("UserData", (), [elem(ud["root"], root_attrs,
                                                leaves)]))
    else:
        datas = []
        for n, t, v in ev.get("data", []):
            attrs = [("Name", text(n))] if n is not None else []
            datas.append(elem("Data", attrs, [add(t, v)]))
        body.append(elem("EventData", (), datas))
    root = elem("Event", [("xmlns", text(EVENT_NS))],
                [elem("System", (), system)] + body)
    return root, values


# ---- chunk writer -----------------------------------------------------------

class ChunkFull(Exception):
    pass


class Chunk:
    def __init__(self):
        self.buf = bytearray(CHUNK_SIZE)
        self.pos = CHUNK_HEADER
        self.names = {}        # name -> offset of its name structure
        self.name_tail = {}    # bucket -> offset of the last name in it
        self.templates = {}    # template key -> (template id, offset)
        self.tmpl_tail = {}    # bucket -> offset of the last template
        self.first_id = self.last_id = None
        self.last_record = 0

    # A record is serialized into a local bytearray `out` whose first byte
    # lands at chunk offset `base`; names and templates defined inline are
    # registered only when the record is committed.
    def encode_name(self, out, base, name, pending):
        here = base + len(out)
        known = self.names.get(name) or pending.get(name)
        if known:
            out += struct.pack("<I", known)
            return
        out += struct.pack("<I", here + 4)
        pending[name] = here + 4
        u = name.encode("utf-16-le")
        out += struct.pack("<IHH", 0, name_hash(name) & 0xFFFF, len(name))
        out += u + b"\0\0"

    def encode_item(self, out, item, more):
        """Attribute value or element content: text or substitution."""
        if item[0] == "text":
            u = item[1].encode("utf-16-le")
            out += struct.pack("<BBH", 0x45 if more else 0x05, 0x01,
                               len(item[1])) + u
        else:
            _, idx, t, optional = item
            out += struct.pack("<BHB", 0x0E if optional else 0x0D, idx, t)

    def encode_elem(self, out, base, node, pending):
        _, name, attrs, children = node
        start = len(out)
        out += struct.pack("<BHI", 0x41 if attrs else 0x01, 0xFFFF, 0)
        size_at = len(out) - 4
        self.encode_name(out, base, name, pending)
        if attrs:
            out += struct.pack("<I", 0)
            alist_at = len(out) - 4
            for i, (an, item) in enumerate(attrs):
                out += struct.pack("<B", 0x46 if i + 1 < len(attrs) else 0x06)
                self.encode_name(out, base, an, pending)
                self.encode_item(out, item, False)
            struct.pack_into("<I", out, alist_at, len(out) - alist_at - 4)
        if not children:
            out += b"\x03"  # close empty element
        else:
            out += b"\x02"  # close start element
            for c in children:
                if c[0] == "elem":
                    self.encode_elem(out, base, c, pending)
                else:
                    self.encode_item(out, c, False)
            out += b"\x04"  # end element
        struct.pack_into("<I", out, size_at, len(out) - size_at - 4)
        return start

    def record(self, record_id, written, tree, values):
        base = self.pos + 24  # BinXML starts after the record header
        out = bytearray(b"\x0f\x01\x01\x00")  # fragment header
        key = repr(tree)
        pending = {}
        new_tmpl = None
        if key in self.templates:
            tid, toff = self.templates[key]
            out += struct.pack("<BBII", 0x0C, 0x01, tid, toff)
        else:
            guid = uuid.UUID(bytes=bytes.fromhex(
                "%032x" % (zlib.crc32(key.encode()) * 0x1000193 ** 3
                           % (1 << 128))))
            tid = struct.unpack("<I", guid.bytes_le[:4])[0]
            toff = base + len(out) + 10
            out += struct.pack("<BBII", 0x0C, 0x01, tid, toff)
            out += struct.pack("<I", 0) + guid.bytes_le + struct.pack("<I", 0)
            size_at = len(out) - 4
            out += b"\x0f\x01\x01\x00"
            self.encode_elem(out, base, tree, pending)
            out += b"\x00"  # end of file
            struct.pack_into("<I", out, size_at, len(out) - size_at - 4)
            new_tmpl = (key, tid, toff)
        out += struct.pack("<I", len(values))
        for t, b in values:
            out += struct.pack("<HBB", len(b), t, 0)
        for t, b in values:
            out += b
        out += b"\x00"  # end of file
        size = 24 + len(out) + 4
        if self.pos + size > CHUNK_SIZE:
            raise ChunkFull()
        rec = struct.pack("<4sIQQ", b"**\0\0", size, record_id, written)
        rec += out + struct.pack("<I", size)
        self.buf[self.pos:self.pos + size] = rec
        # commit names and the template into the chunk's hash tables
        for name, off in sorted(pending.items(), key=lambda kv: kv[1]):
            self.names[name] = off
            bucket = name_hash(name) % 64
            tail = self.name_tail.get(bucket)
            if tail is None:
                struct.pack_into("<I", self.buf, 0x80 + 4 * bucket, off)
            else:
                struct.pack_into("<I", self.buf, tail, off)
            self.name_tail[bucket] = off
        if new_tmpl:
            k, tid, toff = new_tmpl
            self.templates[k] = (tid, toff)
            bucket = tid % 32
            tail = self.tmpl_tail.get(bucket)
            if tail is None:
                struct.pack_into("<I", self.buf, 0x180 + 4 * bucket, toff)
            else:
                struct.pack_into("<I", self.buf, tail, toff)
            self.tmpl_tail[bucket] = toff
        if self.first_id is None:
            self.first_id = record_id
        self.last_id = record_id
        self.last_record = self.pos
        self.pos += size

    def finish(self, first_number):
        b = self.buf
        count = self.last_id - self.first_id
        struct.pack_into("<8sQQQQIIII", b, 0, b"ElfChnk\0", first_number,
                         first_number + count, self.first_id, self.last_id,
                         128, self.last_record, self.pos,
                         zlib.crc32(bytes(b[CHUNK_HEADER:self.pos])))
        crc = zlib.crc32(bytes(b[0:120]) + bytes(b[128:CHUNK_HEADER]))
        struct.pack_into("<I", b, 124, crc)
        return bytes(b)


def write(events, path=None):
    """Serialize events (dicts, see the module doc) to .evtx bytes; write
    them to path when given. Record ids default to 1, 2, ..."""
    chunks = []
    cur = Chunk()
    next_id = 1
    for ev in events:
        ev = dict(ev)
        ev.setdefault("record_id", next_id)
        next_id = ev["record_id"] + 1
        tree, values = build(ev)
        written = filetime(ev.get("written", ev["time"]))
        try:
            cur.record(ev["record_id"], written, tree, values)
        except ChunkFull:
            chunks.append(cur)
            cur = Chunk()
            cur.record(ev["record_id"], written, tree, values)
    if cur.first_id is not None or not chunks:
        chunks.append(cur)
    out = bytearray(FILE_HEADER)
    struct.pack_into("<8sQQQIHHHH", out, 0, b"ElfFile\0", 0,
                     max(len(chunks) - 1, 0), next_id, 128, 1, 3, 0x1000,
                     len(chunks))
    struct.pack_into("<I", out, 120, 0)  # clean: not dirty, not full
    struct.pack_into("<I", out, 124, zlib.crc32(bytes(out[:120])))
    number = 1
    for c in chunks:
        if c.first_id is None:  # an empty log: header only, no chunk
            struct.pack_into("<HH", out, 42, 0, 0)
            struct.pack_into("<I", out, 124, zlib.crc32(bytes(out[:120])))
            break
        out += c.finish(number)
        number += c.last_id - c.first_id + 1
    data = bytes(out)
    if path:
        with open(path, "wb") as f:
            f.write(data)
    return data


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: evtxwriter.py EVENTS.json OUT.evtx\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        events = json.load(f)
    write(events, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
