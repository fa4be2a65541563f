#!/usr/bin/env python3
"""Write the seed corpus of fuzz_mta (tests/fuzz/corpus/mta/): small
LocaleMetaData .MTA files laid out as parsers/mta.c describes, written
from scratch here (the real corpus file is not to be committed).

    python3 tests/fuzz/make_mta_seeds.py tests/fuzz/corpus/mta
"""
import os
import struct
import sys


def u16(s):
    return s.encode('utf-16-le', 'surrogatepass')


def section(bodies):
    """Pages of a 0x58-byte header and 100 offset slots, then entries."""
    out = bytearray()
    page, first = 0, 0
    while True:
        pg = len(out)
        cnt = min(100, len(bodies) - first)
        out += struct.pack('<I', 0xFFFFFFFF)
        out += struct.pack('<14I', *([(first + cnt - 1) & 0xFFFFFFFF] * 14))
        out += struct.pack('<I', 0xFFFFFFFF)
        out += struct.pack('<QQQ', page, 0, pg)
        slots = len(out)
        out += bytes(800)
        for i in range(cnt):
            struct.pack_into('<Q', out, slots + 8 * i, len(out))
            b = bodies[first + i]
            out += struct.pack('<II', first + i, len(b)) + b
        first += cnt
        nxt = len(out) if first < len(bodies) else pg
        struct.pack_into('<Q', out, pg + 0x48, nxt)
        page += 1
        if first >= len(bodies):
            return bytes(out)


def mta(records, publishers=('Test-Provider',), sections=('EVT', 'MSG', 'PUB')):
    names = ['Log Always', 'Critical', 'Error', 'Warning', 'Information']
    msg = [u16(n) + b'\0\0' for n in names]
    msg += [u16(text) + b'\0\0' for _, text in records]
    msg = [struct.pack('<I', len(s)) + s for s in msg]
    evt = [struct.pack('<QQ', rid, len(names) + i)
           for i, (rid, _) in enumerate(records)]
    pub = []
    for k, name in enumerate(('DEFAULT_PUBLISHER',) + tuple(publishers)):
        b = struct.pack('<I', 5) + b''.join(struct.pack('<II', v, v)
                                            for v in range(5))
        b += struct.pack('<I', 0)                       # tasks
        b += struct.pack('<III', 1, 1 << 16, 4)         # opcodes
        b += struct.pack('<III', 1, 55, 3)              # keywords
        n = u16(name)
        pub.append(b + struct.pack('<I', len(n)) + n)
    body = {'EVT': section(evt), 'MSG': section(msg), 'PUB': section(pub)}
    table = b''
    off = 24 + sum(20 + 2 * len(s) for s in sections)
    for s in sections:
        data = body.get(s[:3], b'')
        table += struct.pack('<QQI', off, len(data), 2 * len(s)) + u16(s)
        off += len(data)
    head = b'MTAFile\0' + struct.pack('<IIII', 1, 1, len(table), len(sections))
    return head + table + b''.join(body.get(s[:3], b'') for s in sections)


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        'three_records.mta': mta([(10, 'Package KB1 was installed.'),
                                  (11, 'caf\u00e9 %1 \r\n tab\tend'),
                                  (12, 'x\ud83d\ude00y \udc00 lone')]),
        'two_pages.mta': mta([(1000 + i, 'message %d' % i)
                              for i in range(130)]),
        'no_pub.mta': mta([(5, 'only EVT and MSG')], sections=('EVT', 'MSG')),
        'empty.mta': mta([]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'tests/fuzz/corpus/mta')
