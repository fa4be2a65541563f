#!/usr/bin/env python3
"""Write the seed corpus of fuzz_evtx_struct (tests/fuzz/corpus/evtx_struct/)
with the project's own EVTX writer (tests/tools/evtxwriter.py): a few
events per chunk, so that files of several chunks (past the 4 the -j 2
path reads before its workers take over) stay small once compressed.
Real logs are not committed; run.sh adds them at run time.

    python3 tests/fuzz/make_evtx_struct_seeds.py tests/fuzz/corpus/evtx_struct
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import evtxwriter as w  # noqa: E402

T0 = 133500000000000000  # a FILETIME in 2024


def event(i, kind):
    ev = {"provider": "Service Control Manager", "event_id": 7036 + kind,
          "time": T0 + i * 10_000_000, "level": 1 + i % 5,
          "computer": "NODE%d.contoso.local" % (i % 3), "pid": 600 + i,
          "tid": 700 + i, "guid": "555908d1-a6d7-4695-8e1e-26931d2012f4",
          "qualifiers": 16384 if kind == 0 else None}
    if kind == 0:
        ev["data"] = [["param1", "string", "Cluster Service %d" % i],
                      ["param2", "string", "running"],
                      ["param3", "binary", "4100420043"]]
    elif kind == 1:
        ev["channel"] = "Security"
        ev["user_sid"] = "S-1-5-21-1004336348-1177238915-682003330-512"
        ev["data"] = [["SubjectUserSid", "sid", "S-1-5-18"],
                      ["LogonGuid", "guid",
                       "00000000-0000-0000-0000-000000000000"],
                      ["TargetLogonId", "hex64", "0x3e7"],
                      ["Elevated", "bool", True],
                      ["When", "filetime", T0],
                      ["At", "systemtime", "2024-01-02T03:04:05.678Z"],
                      ["Count", "int64", -5], ["Small", "int32", -1],
                      ["Mask", "hex32", "0x80000000"]]
    elif kind == 2:
        ev["channel"] = "Microsoft-Windows-FailoverClustering/Operational"
        ev["userdata"] = {"root": "EventXML", "xmlns": "http://x",
                          "fields": [["Node", "string", "N%d" % i],
                                     ["Code", "uint32", 5]]}
    else:
        ev["data"] = [[None, "string", "unnamed %d" % i],
                      [None, "uint8", 7], [None, "null", None]]
    return ev


def chunk(first_id, count, number):
    c = w.Chunk()
    for i in range(first_id, first_id + count):
        tree, values = w.build(dict(event(i, i % 4), record_id=i))
        c.record(i, w.filetime(T0 + i * 10_000_000), tree, values)
    return c.finish(number)


def evtx(chunks, first=0, last=None, flags=0, next_id=None):
    last = len(chunks) - 1 if last is None else last
    h = bytearray(w.FILE_HEADER)
    struct.pack_into("<8sQQQIHHHH", h, 0, b"ElfFile\0", first, last,
                     next_id or 1000, 128, 1, 3, 0x1000, len(chunks))
    struct.pack_into("<I", h, 120, flags)
    struct.pack_into("<I", h, 124, zlib.crc32(bytes(h[:120])))
    return bytes(h) + b"".join(chunks)


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        # six live chunks: the -j 2 workers take the last two
        "six_chunks.evtx": evtx([chunk(1 + 4 * k, 4, 1 + 4 * k)
                                 for k in range(6)]),
        # dirty: the header names chunks 0..1, chunk 2 continues the ids
        "dirty_continuation.evtx": evtx([chunk(1, 3, 1), chunk(4, 3, 4),
                                         chunk(7, 3, 7)], last=1, flags=1),
        # wrapped: first chunk 3, last 1; chunk 2 stale (older ids)
        "wrapped.evtx": evtx([chunk(40, 3, 40), chunk(43, 3, 43),
                              chunk(5, 3, 5), chunk(30, 5, 30),
                              chunk(35, 5, 35)], first=3, last=1),
        # one chunk, every event shape
        "one_chunk.evtx": evtx([chunk(1, 12, 1)]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/evtx_struct")
