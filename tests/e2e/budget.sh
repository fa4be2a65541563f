#!/usr/bin/env bash
# The memory budget (issue 19 #2): a zip of a few MB that inflates to
# ~290 MB of ERR lines kept 2.2 M events in 0.5 GB. Here the P1 cluster-log
# scenario has those lines spliced into one node's debug log, ahead of the
# incident, and is analysed with --max-memory 256M:
#  - peak RSS (/usr/bin/time -v) stays within the budget + 64 MiB
#    (release builds; ASan's quarantine makes RSS meaningless there);
#  - the findings are the scenario's own (the lines rules read were kept);
#  - report.json says what the budget cost and a bundle warning says it.
# Needs: $CASEBRIEF, $SCENARIOS, $TOOLS, python3, jq, /usr/bin/time.
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
scen=${SCENARIOS:?set SCENARIOS to samples/scenarios}
tools=${TOOLS:?set TOOLS to tests/tools}
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
asan=0
if nm -D "$cb" 2> /dev/null | grep -q __asan_init ||
   nm "$cb" 2> /dev/null | grep -q __asan_init; then
    asan=1
fi

name=p1-node-isolation-clusterlogs
python3 "$tools/scenario.py" build "$scen/$name/scenario.json" "$work/gen" \
    > /dev/null || { echo "FAIL: scenario build"; exit 1; }
# 2.9 M ERR lines (Windows' own shape: pid.tid::date-time.ms, level padded
# to five, [RES] component) on 2024/11/14, before the incident of the 15th,
# spliced in where that day starts, and the three logs zipped (deflate 9).
python3 - "$work/gen/$name" "$work/big.zip" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
line = ("00000a1c.00001f04::2024/11/14-%02d:%02d:%02d.%03d ERR   [RES] Physical "
        "Disk <Cluster Disk 2>: Failed to get volume information, status 1117.\r\n")
def padding():
    n = 0
    for i in range(2_900_000):
        ms = i // 10   # ten lines each millisecond
        s, ms = divmod(ms, 1000)
        m, s = divmod(s, 60)
        h, m = divmod(m, 60)
        yield (line % (h, m, s, ms)).encode()
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for f in sorted(os.listdir(src)):
        data = open(os.path.join(src, f), "rb").read()
        with z.open(f, "w", force_zip64=True) as out:
            if not f.startswith("HV-A01"):
                out.write(data)
                continue
            done = debug = False
            for ln in data.splitlines(keepends=True):
                debug = debug or ln.startswith(b"[=== Cluster Logs ===]")
                if (debug and not done and not ln.startswith(b"[") and
                        b"::2024/11/14-" in ln):
                    buf = []
                    for p in padding():
                        buf.append(p)
                        if len(buf) == 10000:
                            out.write(b"".join(buf))
                            buf = []
                    out.write(b"".join(buf))
                    done = True
                out.write(ln)
            assert done
EOF
zip_mb=$(( $(stat -c %s "$work/big.zip") / 1048576 ))
echo "bundle: ${zip_mb} MB zip"

rss_of() { sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1"; }
/usr/bin/time -v -o "$work/time.txt" \
    "$cb" analyze -q -f json,md --max-memory 256M -o "$work/out" "$work/big.zip" \
    > /dev/null 2> "$work/err.txt"
rc=$?
r="$work/out/report.json"
want_rc=$(jq .exit "$scen/$name/expected.json")
check "exit code is the scenario's ($want_rc)" [ "$rc" -eq "$want_rc" ]
check "the budget is in the report" jqt '.summary.memory.budget == 268435456' "$r"
check "over a million lines counted, not kept, for the budget" \
    jqt '.summary.memory.lines_not_kept > 1000000' "$r"
check "no line a rule reads was dropped" \
    jqt '.summary.memory.evidence_not_kept == 0 and (.summary.memory.rules_affected | length == 0)' "$r"
check "every line was read" jqt '.summary.events > 2900000' "$r"
check "a bundle warning says what the budget cost" \
    jqt '[.warnings[].message | select(test("^memory budget 256 MiB \\(--max-memory\\): [0-9]+ lines no rule reads"))] | length == 1' "$r"
check "report.md carries that warning" grep -q "memory budget 256 MiB" "$work/out/report.md"
# the findings of the scenario without the padding, as its expected.json
# lists them (ids and hosts)
jq -S '[.findings[] | {id, hosts: (.hosts | sort)}] | sort' \
    "$scen/$name/expected.json" > "$work/want.json"
jq -S '[.findings[] | {id, hosts: (.hosts | sort)}] | sort' "$r" > "$work/got.json"
check "the findings are the scenario's own" cmp -s "$work/want.json" "$work/got.json"
rss=$(rss_of "$work/time.txt")
echo "peak RSS with --max-memory 256M: $((rss / 1024)) MB"
if [ "$asan" -eq 1 ]; then
    echo "skip RSS bound: ASan build"
else
    check "peak RSS within 256 MiB + 64 MiB" [ "$rss" -le $(((256 + 64) * 1024)) ]
fi

# Past the whole budget (lines rules read dropped too, the rules named):
# tests/unit/test_ingest.c, memory_budget_drops_plain_lines_first_...
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
