#!/usr/bin/env python3
"""Make a large, valid .evtx by repeating the live chunks of a real one.

    bench/gen_evtx.py SOURCE.evtx OUT.evtx [SIZE_MB]   (default 128)

The live chunks of SOURCE (the file header's first..last range, with a
chunk signature) are written again and again until OUT holds at least
SIZE_MB megabytes of chunks. Each copy gets fresh record ids and later
times, so that the peers and casebrief see one long, consistent log in
time order, as a real large log is:
- every record's header id, and the EventRecordID substitution value that
  carries the same id (a UInt64 equal to the header id);
- every record's header time, and the TimeCreated substitution value
  equal to it (a FILETIME), moved by the source's time span (plus one
  second) per copy;
- the chunk header's first/last record numbers and ids;
- the chunk's records CRC and header CRC;
- the file header's chunk range, next record id, chunk count and CRC (the
  file is written clean: flags 0).
Everything else is kept. Chunks are self-contained
(templates and names are chunk offsets), so a copy parses like the
original. Python 3 stdlib only.
"""
import struct
import sys
import zlib

FILE_HEADER = 4096
CHUNK = 65536


def fix_record(c, off, size, old, new, old_ft, new_ft):
    """Rewrite the UInt64 substitution of a template instance equal to
    the old record id, and the FILETIME ones equal to the old time.
    Returns 1 when the id was found."""
    pos = off + 24
    end = off + size - 4
    if pos + 4 > end or c[pos] != 0x0F:
        return 0
    pos += 4  # fragment header
    if pos + 10 > end or c[pos] != 0x0C:
        return 0
    def_off = struct.unpack_from('<I', c, pos + 6)[0]
    pos += 10
    if def_off == pos:  # definition stored inline
        if pos + 24 > end:
            return 0
        pos += 24 + struct.unpack_from('<I', c, pos + 20)[0]
    if pos + 4 > end:
        return 0
    n = struct.unpack_from('<I', c, pos)[0]
    pos += 4
    if n > 4096 or pos + 4 * n > end:
        return 0
    val = pos + 4 * n
    found = 0
    for i in range(n):
        vsize, vtype = struct.unpack_from('<HB', c, pos + 4 * i)
        if vsize == 8 and val + 8 <= end:
            v = struct.unpack_from('<Q', c, val)[0]
            if vtype == 0x0A and v == old and not found:
                struct.pack_into('<Q', c, val, new)
                found = 1
            elif vtype == 0x11 and v == old_ft:
                struct.pack_into('<Q', c, val, new_ft)
        val += vsize
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    size_mb = float(sys.argv[3]) if len(sys.argv) > 3 else 128.0
    data = open(src, 'rb').read()
    if data[:8] != b'ElfFile\0':
        sys.exit('%s: no ElfFile header' % src)
    first, last = struct.unpack_from('<QQ', data, 8)
    chunks = []
    for i in range(first, last + 1):
        c = data[FILE_HEADER + i * CHUNK:FILE_HEADER + (i + 1) * CHUNK]
        if len(c) == CHUNK and c[:8] == b'ElfChnk\0':
            chunks.append(c)
    if not chunks:
        sys.exit('%s: no live chunks' % src)
    lo = hi = None
    for c in chunks:
        fso = struct.unpack_from('<I', c, 48)[0]
        off = 512
        while off + 24 <= fso and c[off:off + 4] == b'**\0\0':
            size, _, ft = struct.unpack_from('<IQQ', c, off + 4)
            if size < 28 or off + size > fso:
                break
            lo = ft if lo is None or ft < lo else lo
            hi = ft if hi is None or ft > hi else hi
            off += size
    span = (hi - lo if lo is not None else 0) + 10000000
    want = int(size_mb * 1e6)
    nchunks = (want + CHUNK - 1) // CHUNK
    if nchunks > 65535:
        sys.exit('at most 65535 chunks (4 GiB)')
    rid = 1
    records = unfixed = 0
    with open(out, 'wb') as f:
        f.write(b'\0' * FILE_HEADER)
        for k in range(nchunks):
            c = bytearray(chunks[k % len(chunks)])
            shift = (k // len(chunks)) * span
            fso = struct.unpack_from('<I', c, 48)[0]
            first_rid = rid
            off = 512
            last_off = off
            while off + 24 <= fso and c[off:off + 4] == b'**\0\0':
                size = struct.unpack_from('<I', c, off + 4)[0]
                if size < 28 or off + size > fso:
                    break
                old, old_ft = struct.unpack_from('<QQ', c, off + 8)
                struct.pack_into('<QQ', c, off + 8, rid, old_ft + shift)
                if not fix_record(c, off, size, old, rid, old_ft,
                                  old_ft + shift):
                    unfixed += 1
                last_off = off
                rid += 1
                records += 1
                off += size
            struct.pack_into('<QQQQ', c, 8, first_rid, rid - 1, first_rid,
                             rid - 1)
            struct.pack_into('<I', c, 44, last_off)
            struct.pack_into('<I', c, 52, zlib.crc32(bytes(c[512:fso])))
            struct.pack_into('<I', c, 124,
                             zlib.crc32(bytes(c[:120]) + bytes(c[128:512])))
            f.write(c)
        h = bytearray(data[:FILE_HEADER])
        struct.pack_into('<QQQ', h, 8, 0, nchunks - 1, rid)
        struct.pack_into('<H', h, 42, nchunks)
        struct.pack_into('<I', h, 120, 0)
        struct.pack_into('<I', h, 124, zlib.crc32(bytes(h[:120])))
        f.seek(0)
        f.write(h)
    print('%s: %d chunks, %d records (%d without an EventRecordID value)'
          % (out, nchunks, records, unfixed))


if __name__ == '__main__':
    main()
