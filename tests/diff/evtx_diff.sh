#!/usr/bin/env bash
# evtx_diff.sh - the EVTX parser against the real peers, on every .evtx of
# the shared corpus: libevtx's evtxexport (Debian libevtx-utils) on every
# file, python-evtx's evtx_dump.py (Debian python3-evtx) on the files up to
# EVTX_DIFF_PY_MAX bytes (default 100 KB: python-evtx needs ~40 s for a
# 2 MB log).
#
# For each file, every record a peer outputs must be in our
# `casebrief timeline --format jsonl` with the same record id, event id,
# timestamp (to the microsecond; python-evtx: within 3 us, it computes the
# time in floating point), channel and provider, and the same EventData
# (names, order, values). Renderings that differ by design are normalised,
# each one named in same() below. Records we output and the peer does not
# are allowed when flagged "recovered", when the peer stopped early (it
# says so on stderr), or when they sit in a chunk cut short by the end of
# the file (libevtx ignores such a chunk).
#
# Environment: CASEBRIEF (the binary), CASEBRIEF_CORPUS (else
# CB_CORPUS_DEFAULT, set by ctest, else ../shared/corpus), EVTX_DIFF_PY_MAX. Exit 0 agree, 1 disagree, 77 skip.
set -uo pipefail

cb=${CASEBRIEF:-casebrief}
corpus=${CASEBRIEF_CORPUS:-${CB_CORPUS_DEFAULT:-../shared/corpus}}
py_max=${EVTX_DIFF_PY_MAX:-100000}

skip() { echo "SKIP: $*"; exit 77; }
command -v "$cb" >/dev/null 2>&1 || skip "no casebrief binary ($cb)"
[ -d "$corpus/evtx" ] || skip "no corpus at $corpus (set CASEBRIEF_CORPUS)"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
lib=$(command -v evtxexport || true)
py=$(command -v evtx_dump.py || true)
[ -n "$lib$py" ] || skip "no peer: apt-get install libevtx-utils python3-evtx"
[ -n "$lib" ] || echo "note: evtxexport missing (libevtx-utils): python-evtx only"
[ -n "$py" ] || echo "note: evtx_dump.py missing (python3-evtx): libevtx only"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Phase 1: every file through us and the peers, two at a time.
run_one() { # index path
    local n=$1 f=$2 size
    size=$(stat -c %s "$f")
    "$cb" timeline --format jsonl "$f" > "$work/$n.ours" 2> "$work/$n.ours.err"
    echo $? > "$work/$n.rc"
    if [ -n "$lib" ]; then
        "$lib" -f xml "$f" > "$work/$n.lib" 2> "$work/$n.lib.err"
    fi
    if [ -n "$py" ] && [ "$size" -le "$py_max" ]; then
        timeout 120 "$py" "$f" > "$work/$n.py" 2> "$work/$n.py.err"
    fi
}
export -f run_one
export cb lib py py_max work

n=0
: > "$work/manifest"
for f in "$corpus"/evtx/*.evtx "$corpus"/evtx-broken/*.evtx; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    printf '%s\t%s\n' "$n" "$f" >> "$work/manifest"
done
[ "$n" -gt 0 ] || skip "no .evtx files under $corpus"
tr '\t' '\0' < <(cut -f1,2 "$work/manifest" | tr '\n' '\t') |
    xargs -0 -n 2 -P 2 bash -c 'run_one "$1" "$2"' _

# Phase 2: compare.
cat > "$work/compare.py" <<'PYEOF'
import base64, calendar, collections, html, json, os, re, sys

work, corpus = sys.argv[1], sys.argv[2]

def us_of(y, mo, d, h, mi, s, frac):
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s)))
    return secs * 1000000 + int(((frac or '') + '000000')[:6])

def eventdata(ed, peer):
    """[(name, value)] of an EventData body: Data by Name or position,
    other children (Binary, ComplexData) by Name or element name."""
    out, unnamed = [], 0
    for m in re.finditer(r'<(\w+)((?: Name="[^"]*")?)(?:\s*/>|>(.*?)</\1>)',
                         ed, re.S):
        tag, nm, val = m.groups()
        nm = re.search(r'Name="([^"]*)"', nm)
        val = html.unescape(val or '')
        if (peer == 'python-evtx' and
                re.fullmatch(r'(?:<string>.*?</string>\n)+', val, re.S)):
            # python-evtx puts a string array in one element as
            # "<string>a</string>\n..."; Windows repeats the element
            items = re.findall(r'<string>(.*?)</string>\n', val, re.S)
        else:
            items = [val]
        for it in items:
            if nm:
                name = html.unescape(nm.group(1))
            elif tag != 'Data':
                name = tag
            else:
                unnamed += 1
                name = str(unnamed)
            out.append((name, it))
    return out

def parse_peer(txt, peer):
    evs = []
    for ev in re.findall(r'<Event xmlns.*?</Event>', txt, re.S):
        g = lambda pat: re.search(pat, ev, re.S)
        rid = g(r'<EventRecordID>(\d+)</EventRecordID>')
        eid = g(r'<EventID[^>]*>(\d+)</EventID>')
        tc = g(r'<TimeCreated SystemTime="(\d{4})-(\d\d)-(\d\d)[T ]'
               r'(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?"')
        ch = g(r'<Channel>([^<]*)</Channel>|<Channel\s*/>')
        pr = g(r'<Provider Name="([^"]*)"')
        ed = g(r'<EventData>(.*?)</EventData>|<EventData\s*/>')
        evs.append(dict(
            rid=int(rid.group(1)) if rid else None,
            eid=int(eid.group(1)) if eid else None,
            us=us_of(*tc.groups()) if tc else None,
            channel=html.unescape(ch.group(1) or '') if ch else None,
            provider=html.unescape(pr.group(1)) if pr else None,
            data=eventdata(ed.group(1) or '', peer) if ed else None))
    return evs

GUID = re.compile(r'\{[0-9A-Fa-f-]{36}\}')
ISO = re.compile(r'(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?')
HEX = re.compile(r'[0-9A-F]*')

def norm(v):
    v = v.replace('\r\n', '\n')
    if GUID.fullmatch(v):
        return v.upper()        # Windows renders GUIDs upper case
    m = ISO.fullmatch(v)
    if m:                       # 9 (FILETIME) or 3 (SYSTEMTIME) digits
        return '%s-%s-%sT%s:%s:%s.%sZ' % (m.groups()[:6] + (
            ((m.group(7) or '') + '0000000')[:7],))
    return v

def same(ours, theirs, peer):
    a, b = norm(ours), norm(theirs)
    if a == b:
        return True
    if not a.strip() and not b.strip():
        return True   # libevtx drops whitespace-only content
    ma, mb = ISO.fullmatch(a), ISO.fullmatch(b)
    if ma and mb and peer == 'python-evtx':
        return abs(us_of(*ma.groups()) - us_of(*mb.groups())) <= 3
    if re.fullmatch(r'0x[0-9a-f]+', a) and re.fullmatch(r'\d+', b):
        return int(a, 16) == int(b)   # size_t: peers decimal, ours hex
    if re.fullmatch(r'-\d+', a) and re.fullmatch(r'-\d+', b):
        n = int(a)    # libevtx prints a negative int32 as -(low 31 bits)
        return n >= -2**31 and int(b) == -((n + 2**32) & 0x7fffffff)
    if a in ('true', 'false') and b in ('True', 'False'):
        return a == b.lower()         # python-evtx: Python's bool
    if HEX.fullmatch(a) and len(a) % 2 == 0 and peer == 'python-evtx':
        try:                          # python-evtx: binary as base64
            return base64.b64decode(b, validate=True) == bytes.fromhex(a)
        except ValueError:
            return False
    if '\ufffd' in a and '\ufffd' in b:
        # libevtx drops the unit after a lone surrogate; we keep it
        return re.sub('\ufffd.', '\ufffd', a, flags=re.S) == b
    try:
        fa, fb = float(a), float(b)
        return abs(fa - fb) <= 1e-6 * max(abs(fa), abs(fb), 1e-30)
    except ValueError:
        return False

def renumber(fields):
    """python-evtx keeps the elements Windows omits (an optional value
    that is absent): compare without empty values, positions redone."""
    out, k = [], 0
    for name, v in fields:
        if v == '':
            continue
        if name.isdigit():
            k += 1
            name = str(k)
        out.append((name, v))
    return out

def compare(ours, peer_file, peer_err, peer, path, size):
    try:
        txt = open(peer_file, errors='replace').read()
        err = open(peer_err, errors='replace').read()
    except OSError:
        txt = err = ''
    theirs = parse_peer(txt, peer)
    stopped = any(s in err for s in ('Unable to export', 'Traceback',
                                     'Error'))
    # python-evtx renders a record cut short as an empty one (id 0)
    junk = [p for p in theirs if p['rid'] == 0 and p['eid'] == 0]
    theirs = [p for p in theirs if not (p['rid'] == 0 and p['eid'] == 0)]
    tol = 3 if peer == 'python-evtx' else 0
    by = collections.defaultdict(list)
    for o in ours:
        by[o['record_id']].append(o)
    matched = bad = dbad = dsame = 0
    used, msgs = set(), []
    for p in theirs:
        hit = None
        for o in by.get(p['rid'], []):
            if (id(o) not in used and o['event_id'] == p['eid'] and
                    o['channel'] == p['channel'] and
                    o['provider'] == p['provider'] and
                    p['us'] is not None and
                    abs(o['timestamp'] - p['us']) <= tol):
                hit = o
                break
        if not hit:
            bad += 1
            if bad <= 3:
                msgs.append('  record differs or is missing: %s %s; ours %s'
                            % (peer, {k: p[k] for k in ('rid', 'eid', 'us',
                                      'channel', 'provider')},
                               [(o['event_id'], o['timestamp'], o['channel'],
                                 o['provider']) for o in by.get(p['rid'], [])]))
            continue
        matched += 1
        used.add(id(hit))
        if p['data'] is None:
            continue
        od = [kv for kv in hit['data'] if kv[0] not in ('Computer',
                                                        'Qualifiers')]
        pd = p['data']
        if peer == 'python-evtx':
            od, pd = renumber(od), renumber(pd)
        if len(od) == len(pd) and all(a[0] == b[0] and same(a[1], b[1], peer)
                                      for a, b in zip(od, pd)):
            dsame += 1
            continue
        dbad += 1
        if dbad <= 3:
            for i in range(max(len(od), len(pd))):
                a = od[i] if i < len(od) else None
                b = pd[i] if i < len(pd) else None
                if (a is None or b is None or a[0] != b[0] or
                        not same(a[1], b[1], peer)):
                    msgs.append('  EventData of record %s: ours %r, %s %r' % (
                        p['rid'], a and (a[0], a[1][:100]), peer,
                        b and (b[0], b[1][:100])))
                    break
    # the chunk cut short by the end of the file, if any
    cut_from = None
    if size > 4096 and (size - 4096) % 65536:
        cut_from = 4096 + (size - 4096) // 65536 * 65536
    extra = [o for o in ours if id(o) not in used]
    flagged = sum(1 for o in extra if o['recovered'])
    in_cut = sum(1 for o in extra if not o['recovered'] and
                 cut_from is not None and o['offset'] >= cut_from)
    other = len(extra) - flagged - in_cut
    why = []
    if flagged:
        why.append('%d flagged recovered' % flagged)
    if in_cut:
        why.append('%d in the chunk cut by the end of the file' % in_cut)
    if other:
        why.append('%d after the peer stopped' % other if stopped
                   else '%d UNEXPLAINED' % other)
    if junk:
        why.append('peer printed %d empty record(s)' % len(junk))
    ok = bad == 0 and dbad == 0 and (other == 0 or stopped)
    print('%s %-11s %s: peer %d, ours %d, agree %d (EventData same %d)%s%s%s'
          % ('ok  ' if ok else 'FAIL', peer, path, len(theirs), len(ours),
             matched, dsame, ', differ %d' % bad if bad else '',
             ', EventData differ %d' % dbad if dbad else '',
             '; ' + ', '.join(why) if why else ''))
    for m in msgs:
        print(m)
    return ok

ok_all = True
totals = collections.Counter()
for line in open(os.path.join(work, 'manifest')):
    n, path = line.rstrip('\n').split('\t')
    base = os.path.join(work, n)
    rel = os.path.relpath(path, corpus)
    if open(base + '.rc').read().strip() != '0':
        print('FAIL casebrief exited non-zero on %s' % rel)
        ok_all = False
        continue
    ours = [dict(json.loads(l, object_pairs_hook=lambda kv: kv))
            for l in open(base + '.ours')]
    size = os.path.getsize(path)
    for peer, ext in (('libevtx', '.lib'), ('python-evtx', '.py')):
        if os.path.exists(base + ext):
            totals[peer] += 1
            ok_all &= compare(ours, base + ext, base + ext + '.err', peer,
                              rel, size)
print('files compared: libevtx %d, python-evtx %d' % (totals['libevtx'],
                                                      totals['python-evtx']))
sys.exit(0 if ok_all else 1)
PYEOF

if python3 "$work/compare.py" "$work" "$corpus"; then
    echo "evtx_diff: every record the peers output agrees"
    exit 0
fi
echo "evtx_diff: DISAGREEMENT (see FAIL lines)"
exit 1
