#!/usr/bin/env bash
# Hostile bundles through the CLI.
#  1. A bundle whose members try to escape (../, absolute paths, symlinks,
#     hard links, in tar and zip, nested): `casebrief analyze BUNDLE -o OUT`
#     run in an empty scratch directory with HOME and TMPDIR pointed at
#     scratch directories must create nothing outside OUT: the scratch
#     cwd, HOME, TMPDIR and OUT's parent are listed before and after, and
#     /tmp and / are searched for the members' unique names.
#  2. One corrupt member among good ones: every good member's events are
#     in report.json, and the only warnings name the corrupt member.
#  3. Peak RSS of each analysis (/usr/bin/time -v) under a cap.
# Needs: $CASEBRIEF, python3, jq, /usr/bin/time.
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
for tool in python3 jq /usr/bin/time; do
    command -v "$tool" > /dev/null || { echo "SKIP: no $tool"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
jqt() { jq -e "$@" > /dev/null; }
# Peak RSS cap in MB: ASan builds keep freed memory in quarantine.
cap_mb=${CB_RSS_CAP_MB:-200}
if nm -D "$cb" 2> /dev/null | grep -q __asan_init ||
   nm "$cb" 2> /dev/null | grep -q __asan_init; then
    cap_mb=${CB_RSS_CAP_MB:-900}
fi

tok="cbhostile$$x$RANDOM"
mkdir -p "$work/gen" "$work/cwd" "$work/home" "$work/tmp" "$work/out-parent"
python3 - "$work/gen" "$tok" <<'EOF'
import io, os, sys, tarfile, zipfile
out, tok = sys.argv[1], sys.argv[2]

def log(host, n=5, hour=9):
    return b"".join(b"00000a1c.00001f04::2024/11/15-%02d:00:%02d.000 INFO  "
                    b"[RCM] %s line %d\r\n" % (hour, i, host.encode(), i)
                    for i in range(n))

def tar_bytes(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1731628800
            if kind == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            elif kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                t.addfile(ti)
            elif kind == "hard":
                ti.type, ti.linkname = tarfile.LNKTYPE, data
                t.addfile(ti)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
    return b.getvalue()

def zip_bytes(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, kind, data in entries:
            zi = zipfile.ZipInfo(name, (2024, 11, 15, 0, 0, 0))
            if kind == "sym":  # Info-ZIP symlink: mode in the external attrs
                zi.create_system = 3
                zi.external_attr = (0o120777 << 16)
                z.writestr(zi, data)
            else:
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, data)
    return b.getvalue()

# every name carries tok so that any file it might create can be found
evil = [
    ("../../../%s-up_cluster.log" % tok, "file", log("HV-UP")),
    ("../%s-dotdot/x_cluster.log" % tok, "file", log("HV-UP2")),
    ("/tmp/%s-abs_cluster.log" % tok, "file", log("HV-ABS")),
    ("/%s-root_cluster.log" % tok, "file", log("HV-ROOT")),
    ("%s-link" % tok, "sym", "/tmp"),
    ("%s-link/%s-through_cluster.log" % (tok, tok), "file", log("HV-THRU")),
    ("%s-etc" % tok, "sym", "../../../../../../etc/passwd"),
    ("%s-hard_cluster.log" % tok, "hard", "/etc/passwd"),
    ("%s-hard2_cluster.log" % tok, "hard", "HV-GOOD1_cluster.log"),
    ("%s-dir/" % tok, "dir", None),
]
inner_tar = tar_bytes([("HV-GOOD2_cluster.log", "file", log("HV-GOOD2"))] + evil)
zip_evil = [(n, k, d) for n, k, d in evil if k in ("file", "sym")]
inner_zip = zip_bytes([("HV-GOOD3_cluster.log", "file", log("HV-GOOD3"))] + zip_evil)
top = tar_bytes([("HV-GOOD1_cluster.log", "file", log("HV-GOOD1"))] + evil +
                [("nested/inner.tar", "file", inner_tar),
                 ("nested/inner.zip", "file", inner_zip),
                 ("HV-GOOD4_cluster.log", "file", log("HV-GOOD4"))])
open(os.path.join(out, "hostile.tar"), "wb").write(top)
open(os.path.join(out, "hostile.zip"), "wb").write(
    zip_bytes([("HV-GOOD5_cluster.log", "file", log("HV-GOOD5"))] + zip_evil +
              [("inner.tar", "file", inner_tar)]))

# one corrupt member among good ones: an EVTX with a valid file header
# and a chunk of garbage
hdr = bytearray(4096)
hdr[0:8] = b"ElfFile\0"
hdr[32:36] = (128).to_bytes(4, "little")
hdr[36:38] = (1).to_bytes(2, "little")
hdr[38:40] = (3).to_bytes(2, "little")
hdr[40:42] = (4096).to_bytes(2, "little")
hdr[42:44] = (1).to_bytes(2, "little")
corrupt = bytes(hdr) + b"ElfChnk\0" + bytes(range(256)) * 255
open(os.path.join(out, "corrupt.zip"), "wb").write(zip_bytes([
    ("logs/HV-N1_cluster.log", "file", log("HV-N1", 7)),
    ("logs/HV-N2_cluster.log", "file", log("HV-N2", 6)),
    ("evtx/System.evtx", "file", corrupt),
    ("logs/HV-N3_cluster.log", "file", log("HV-N3", 4)),
]))
EOF
[ -f "$work/gen/hostile.tar" ] || { echo "FAIL generating bundles"; exit 1; }

# listing of a directory tree: path, type, size (not times: reading
# updates atimes)
snap() { (cd "$1" && find . -printf '%p %y %s\n' | LC_ALL=C sort); }
# anything named with tok in /tmp (3 levels), / (1 level), and the
# scratch tree outside OUT
tok_files() {
    { find /tmp -maxdepth 3 -name "*$tok*" 2> /dev/null
      find / -maxdepth 1 -name "*$tok*" 2> /dev/null
      find "$work" -path "$work/out-parent/out*" -prune -o -path "$work/gen" \
           -prune -o -name "*$tok*" -print; } | LC_ALL=C sort
}

rss_of() { sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1"; }
maxrss=0
analyze() { # name bundle out: runs in the scratch cwd with scratch HOME/TMPDIR
    (cd "$work/cwd" && HOME="$work/home" TMPDIR="$work/tmp" \
        /usr/bin/time -v -o "$work/$1.time" \
        "$cb" analyze -q "$2" -o "$3" > "$work/$1.stdout" 2> "$work/$1.stderr")
    local rc=$? kb
    kb=$(rss_of "$work/$1.time")
    echo "     $1: exit $rc, peak RSS $((kb / 1024)) MB"
    [ "$kb" -gt "$maxrss" ] && maxrss=$kb
    check "$1: exit 0 or 1 (findings), not a failure" [ "$rc" -le 1 ]
    check "$1: peak RSS under ${cap_mb} MB" [ "$kb" -lt $((cap_mb * 1024)) ]
}

for b in hostile.tar hostile.zip; do
    before_cwd=$(snap "$work/cwd"); before_home=$(snap "$work/home")
    before_tmp=$(snap "$work/tmp"); before_parent=$(snap "$work/out-parent")
    before_tok=$(tok_files)
    out="$work/out-parent/out-$b"
    analyze "$b" "$work/gen/$b" "$out"
    check "$b: scratch cwd untouched" [ "$(snap "$work/cwd")" = "$before_cwd" ]
    # under Wine (CB_UNDER_WINE) Wine itself writes to HOME and TMPDIR
    if [ -z "${CB_UNDER_WINE:-}" ]; then
        check "$b: HOME untouched" [ "$(snap "$work/home")" = "$before_home" ]
        check "$b: TMPDIR untouched" [ "$(snap "$work/tmp")" = "$before_tmp" ]
    fi
    after_parent=$(snap "$work/out-parent" | grep -v "^\./out-$b\( \|/\)")
    check "$b: OUT's parent holds only OUT" \
        [ "$after_parent" = "$before_parent" ]
    check "$b: no member name on disk (/tmp, /, scratch)" \
        [ "$(tok_files)" = "$before_tok" ]
    check "$b: OUT holds only the reports" \
        [ -z "$(find "$out" -mindepth 1 -not -name 'report.*' -not -name 'timeline.*')" ]
    r="$out/report.json"
    check "$b: report is valid JSON" jqt . "$r"
    # members reach the analysis by name, never the disk
    for m in "../../../$tok-up_cluster.log" "/tmp/$tok-abs_cluster.log" \
             "/$tok-root_cluster.log"; do
        check "$b: $m read in memory (5 events, warned)" \
            jqt --arg p "$work/gen/$b!$m" \
            '([.sources[] | select(.path == $p) | .events] == [5]) and
             ([.warnings[] | select(.source == $p and (.message | test("never extracted")))] | length == 1)' "$r"
    done
    check "$b: links warned as not followed" \
        jqt '[.warnings[] | select(.message | test("link .*not followed"))] | length >= 2' "$r"
done
r="$work/out-parent/out-hostile.tar/report.json"
check "tar: good members at every level analyzed" \
    jqt '[.hosts[].name] as $h | ["HV-GOOD1","HV-GOOD2","HV-GOOD3","HV-GOOD4"] | all(. as $g | $h | index($g) != null)' "$r"
check "tar: hard links not followed" \
    jqt '[.warnings[] | select(.message | test("hard link"))] | length >= 2' "$r"
check "tar: /etc/passwd never read" \
    sh -c '! grep -q "root:x:0:0" "$1"' _ "$work/out-parent/out-hostile.tar/report.md"

# one corrupt member among good ones
out="$work/out-parent/out-corrupt"
analyze corrupt "$work/gen/corrupt.zip" "$out"
r="$out/report.json"
check "corrupt: every good member's events there (7+6+4)" \
    [ "$(jq '.summary.events' "$r")" = 17 ]
bad_member="$work/gen/corrupt.zip!evtx/System.evtx"
check "corrupt: the bad member has warnings, no events" \
    jqt --arg p "$bad_member" '.sources[] | select(.path == $p) | (.warnings | length >= 1) and .events == 0' "$r"
check "corrupt: no warning on any good member" \
    jqt --arg p "$bad_member" '[.sources[] | select(.path != $p) | .warnings[]] | length == 0' "$r"
check "corrupt: bundle warnings name only the bad member" \
    jqt --arg p "$bad_member" '[.warnings[] | select(.source != $p)] | length == 0' "$r"
check "corrupt: the Markdown inventory shows the bad member's warning" \
    grep -q '^- `System.evtx` (S[0-9]*): .*chunk 0' "$out/report.md"
check "corrupt: its full path once, in the Markdown's Sources list" \
    sh -c '[ "$(grep -cF -- "$2" "$1")" = 1 ] && grep -qF -- ": \`$2\`" "$1"' _ "$out/report.md" "$bad_member"

# issue 19 #4: a FIFO named on the command line whose writer comes late was
# opened non-blocking, read as empty and analysed as "0 findings". It is
# read blocking: the late writer's lines are the analysis.
if [ -n "${CB_UNDER_WINE:-}" ]; then
    echo "skip fifo (under Wine: Windows has no named pipes in the file system)"
else
    mkfifo "$work/late.fifo"
    # (the writer gives up after 20 s: a reader that never comes must not hang
    # the test)
    timeout 20 sh -c 'sleep 2; printf "%s\r\n" \
        "00000a1c.00001f04::2024/11/15-09:00:00.000 ERR   [RCM] fifo line" > "$1"' \
        sh "$work/late.fifo" &
    timeout 60 "$cb" analyze -q -f json -o "$work/out-fifo" "$work/late.fifo" \
        > /dev/null 2>&1
    wait
    check "fifo: a late writer's line is read" \
        jqt '.summary.events == 1' "$work/out-fifo/report.json"
fi

# issue 19 #1: a volume name holding an OSC title and a CSI colour reached
# the terminal raw through the finding summary on stderr. Nothing printed
# to stderr may hold ESC, BEL or an 8-bit CSI.
mkdir -p "$work/esc"
demo="$(dirname "$0")/../../samples/demo-bundle"
sed "s/'Volume1'/'Vol"$'\033'"]0;pwned"$'\007\033'"[31mume1'/" \
    "$demo/HV-NODE1_cluster.log" > "$work/esc/HV-NODE1_cluster.log"
cp "$demo/HV-NODE2_cluster.log" "$work/esc/"
"$cb" analyze -o "$work/out-esc" "$work/esc" > /dev/null 2> "$work/esc.err"
check "terminal: the summary names the volume" grep -q "Vol?]0;pwned" "$work/esc.err"
check "terminal: no ESC, BEL or 8-bit CSI on stderr" \
    sh -c '! LC_ALL=C grep -q "$(printf "[\033\007\233]")" "$1"' sh "$work/esc.err"

# A zip cut short whose members are zips stored uncompressed: libarchive's
# seeking reader found the end record of the first inner zip near the cut
# and read the upload as that zip, so the cut went unseen (complete: true)
# and the inner zip's files were labelled as the upload's own. The upload
# is read member by member instead, and the cut is damage.
python3 - "$work/cutouter.zip" <<'PY'
import io, sys, zipfile
def inner(node):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for k in range(3):
            z.writestr(f"{node}/{node}_{k}_cluster.log", "".join(
                f"00000a1c.00001f04::2024/11/15-09:{m:02d}:{s:02d}.000 ERR   "
                f"[RCM] {node} {k} line {m} {s} {'x' * (s * 7 % 50)}\r\n"
                for m in range(10) for s in range(60)))
    return b.getvalue()
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
    z.writestr("case/TSSv2_N1.zip", inner("HV-N1"))
    z.writestr("case/TSSv2_N2.zip", inner("HV-N2"))
data = b.getvalue()
cut = data.index(b"case/TSSv2_N2.zip") + 2000   # 2000 bytes into the second
open(sys.argv[1], "wb").write(data[:cut])
PY
"$cb" analyze -q -f json -o "$work/out-cutouter" "$work/cutouter.zip" > /dev/null 2>&1
r="$work/out-cutouter/report.json"
check "cut outer zip: not complete" jqt '.summary.complete == false' "$r"
check "cut outer zip: the upload itself is damaged" \
    jqt '[.summary.damaged[] | select((.source | endswith("/cutouter.zip")) and (.detail | test("no end-of-central-directory")))] | length == 1' "$r"
check "cut outer zip: the first inner zip's files carry its name" \
    jqt '[.sources[].path | select(test("/cutouter.zip!case/TSSv2_N1.zip!HV-N1/"))] | length == 3' "$r"

echo "peak RSS over the hostile bundles: $((maxrss / 1024)) MB"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
