#!/usr/bin/env bash
# casebrief batch end to end: good cases, a corrupt one, a damaged one
# (partial), one over the memory cap and one that hangs; re-runs skip what is up to date; merging
# two partial outputs gives the bytes of one full run; the GNU parallel
# route of deploy/README.md; the deploy files parse.
# Needs: $CASEBRIEF (the binary), $SRC (source tree), jq, bsdtar.
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
src=${SRC:?set SRC to the source tree}
work=$(mktemp -d)
hang_pid=
cleanup() {
    [ -n "$hang_pid" ] && kill "$hang_pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
skipped() { skip=$((skip + 1)); echo "SKIP $1"; }
check() { # name, command...
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
jqt() { jq -e "$@" > /dev/null; }
asan=0
grep -qa __asan_init "$cb" && asan=1
# no memory-cap cases under ASan (it reserves terabytes of address space)
# nor under Wine (CB_UNDER_WINE: Wine does not enforce a Job Object's
# memory limit; Windows does)
nocap=$asan
[ -n "${CB_UNDER_WINE:-}" ] && nocap=1

# ---- the cases --------------------------------------------------------
c=$work/cases
mkdir -p "$c"
cp -r "$src/samples/demo-bundle" "$c/demo-bundle"
(cd "$src/tests/rules/p3-locked-avhdx/input" && bsdtar -a -cf "$c/p3-avhdx.zip" .)
(cd "$src/tests/data/xml" && bsdtar -a -cf "$c/node1-xml.zip" hv-node1_wevtutil.xml)
(cd "$src/tests/data/text" && bsdtar -a -cf "$c/node1-text.tar.gz" hv-node1_system.txt)
head -c 4096 /dev/urandom > "$c/corrupt.zip"
# an upload cut short inside its second member: analyzed, but partial
(cd "$src/samples" && bsdtar -a -cf "$work/demo.zip" demo-bundle)
head -c 1800 "$work/demo.zip" > "$c/cut-demo.zip"
# a second upload with the name of the first: another case, not a clobber
mkdir -p "$work/other"
cp "$c/p3-avhdx.zip" "$work/other/p3-avhdx.zip"
good="demo-bundle p3-avhdx.zip node1-xml.zip node1-text.tar.gz"

# a case that needs more memory than --case-memory allows: a ~100 MB
# cluster.log of error lines (all kept for the report) under a 96 MB
# address space; and the same size of routine info lines, which the
# analysis counts without keeping: that one fits
big=$work/special/big-case
routine=$work/special/routine-case
mkdir -p "$big" "$routine"
if [ "$nocap" = 0 ]; then
    for lv in ERR INFO; do
        d=$big
        [ $lv = INFO ] && d=$routine
        python3 - "$d/HV-NODE3_cluster.log" $lv << 'EOF'
import sys
lv = sys.argv[2].ljust(5)
with open(sys.argv[1], "w") as f:
    f.write("[=== Cluster Logs ===]\n")
    block = "".join(
        "00000e4c.00001d2c::2024/11/15-%02d:%02d:%02d.%03d %s [NM] "
        "Received request %d from client address HV-NODE1.\n"
        % (i // 3600000 % 24, i // 60000 % 60, i // 1000 % 60, i % 1000, lv,
           i)
        for i in range(0, 100000 * 7, 7))
    for _ in range(12):
        f.write(block)
EOF
    done
fi
# a case that hangs: a named pipe whose writer never writes
mkfifo "$work/special/hang-case"
sleep 300 > "$work/special/hang-case" &
hang_pid=$!

# ---- one batch with good and bad cases ----------------------------------
out=$work/out
# ASan reserves terabytes of address space: no memory cap there
bigcase=("$big" "$routine" --case-memory 96M) n=10 nok=6 nfailed=3
failed_names='["big-case", "corrupt.zip", "hang-case"]'
if [ "$nocap" = 1 ]; then
    bigcase=() n=8 nok=5 nfailed=2 failed_names='["corrupt.zip", "hang-case"]'
fi
"$cb" batch --cases-dir "$c" "$work/other/p3-avhdx.zip" \
    "$work/special/hang-case" -o "$out" -j 2 --case-timeout 5 "${bigcase[@]}" \
    > "$work/stdout" 2> "$work/stderr"
rc=$?
cat "$work/stderr"
check "a batch with failed cases exits 3" [ "$rc" -eq 3 ]
check "index path printed" grep -qx "$out/index.html" "$work/stdout"
check "progress counts every case" grep -q "^\[$n/$n\] " "$work/stderr"
check "progress line: case, findings, seconds" \
    grep -qE '^\[[0-9]+/[0-9]+\] demo-bundle: 2 findings \([0-9.]+ s\)$' "$work/stderr"
check "progress line of a damaged case: PARTIAL and why" \
    grep -qE '^\[[0-9]+/[0-9]+\] cut-demo.zip: 1 finding, PARTIAL: damaged input: 2 files could not be read completely' "$work/stderr"
check "closing line counts partial apart" \
    grep -qE '^casebrief batch: [0-9]+ cases, 0 up to date, 1 partial, [0-9]+ failed$' "$work/stderr"
# CASE arguments come before --cases-dir entries: other/p3-avhdx.zip is
# p3-avhdx.zip, cases/p3-avhdx.zip is p3-avhdx.zip~2
for g in $good; do
    # the same report as a direct analyze of the same input
    in=$c/$g
    [ "$g" = p3-avhdx.zip ] && in=$work/other/p3-avhdx.zip
    "$cb" analyze -q -j 1 -o "$work/direct-$g" "$in" > /dev/null
    check "$g: report.json equals a direct analyze" \
        cmp -s "$out/$g/report.json" "$work/direct-$g/report.json"
    check "$g: report.html and report.md written" \
        test -s "$out/$g/report.html" -a -s "$out/$g/report.md"
    check "$g: recorded ok" jqt '.status == "ok"' "$out/$g/case.json"
done
check "demo: node isolation found" \
    jqt '.findings[0].id == "P1.node-isolation"' "$out/demo-bundle/report.json"
check "same base name: second case is p3-avhdx.zip~2" \
    jqt '.status == "ok" and .input == "p3-avhdx.zip"' "$out/p3-avhdx.zip~2/case.json"
check "corrupt case failed: no readable input" \
    jqt '.status == "failed" and .exit == 3 and (.reason | test("no readable input"))' \
    "$out/corrupt.zip/case.json"
check "damaged case: partial, exit 1, the reason names the cut archive" \
    jqt '.status == "partial" and .exit == 1 and (.reason | test("damaged input: 2 files .*/cut-demo.zip: offset 1800: zip cut short or damaged"))' \
    "$out/cut-demo.zip/case.json"
check "damaged case: its report says complete false" \
    jqt '.summary.complete == false and (.summary.damaged | length) == 2' \
    "$out/cut-demo.zip/report.json"
check "hanging case killed at the timeout" \
    jqt '.status == "failed" and (.reason | test("timed out after 5 s"))' \
    "$out/hang-case/case.json"
check "hanging case's process group gone" \
    sh -c '! grep -lasq "[h]ang-case" /proc/[0-9]*/cmdline'
if [ "$nocap" = 1 ]; then
    skipped "memory cap (ASan build or Wine: the caps do not apply)"
else
    check "big case failed on the memory cap" \
        jqt '.status == "failed" and (.reason | test("memory"))' \
        "$out/big-case/case.json"
    check "routine case of the same size fits: its lines counted, not kept" \
        jqt '.status == "ok"' "$out/routine-case/case.json"
    check "routine case: every line counted, a handful kept, span whole" \
        jqt '.summary.events == 1200000 and .summary.events_kept < 10 and
             .sources[0].not_kept + .sources[0].events - .sources[0].not_kept
               == 1200000 and
             .summary.first == "2024-11-15T00:00:00.000000+00:00" and
             .summary.last == "2024-11-15T00:11:39.993000+00:00"' \
        "$out/routine-case/report.json"
fi
check "no temporary directory left" \
    sh -c '! ls -A "$1" | grep -q "^\.tmp"' _ "$out"
s=$out/summary.json
check "summary: $n cases, $nok ok, 1 partial, $nfailed failed" \
    jqt ".cases == {\"total\": $n, \"ok\": $nok, \"partial\": 1, \"failed\": $nfailed, \"with_findings\": 6}" "$s"
check "summary: the partial case with its reason" \
    jqt '[.case_list[] | select(.status == "partial") | .name] == ["cut-demo.zip"] and all(.case_list[] | select(.status == "partial"); .reason | test("damaged input"))' "$s"
check "summary: failed cases with reasons" \
    jqt "[.case_list[] | select(.status == \"failed\") | .name] == $failed_names and all(.case_list[] | select(.status == \"failed\"); .reason | length > 0)" "$s"
check "summary: case list sorted by name" \
    jqt '[.case_list[].name] == ([.case_list[].name] | sort)' "$s"
check "summary: per-pattern counts" \
    jqt '[.patterns[] | select(.pattern == "P3")][0].cases == 2' "$s"
total=0
for g in $good p3-avhdx.zip~2 cut-demo.zip; do
    total=$((total + $(jq '.findings | length' "$out/$g/report.json")))
done
check "findings.jsonl: one line per finding of every case ($total)" \
    [ "$(wc -l < "$out/findings.jsonl")" -eq "$total" ]
check "findings.jsonl: each line names its case and report" \
    jqt -s 'all(.[]; (.case | type == "string") and .report == (.case + "/report.html") and (.id | type == "string"))' \
    "$out/findings.jsonl"
check "summary.json has no wall-clock figure" \
    sh -c '! grep -q seconds "$1"' _ "$s"
h=$out/index.html
check "index links each case's report" grep -q 'href="demo-bundle/report.html"' "$h"
check "index lists failed cases with reasons" grep -q 'timed out after 5 s' "$h"
check "index lists partial cases apart, with reasons" \
    sh -c 'grep -q "<h2 id=\"partial\">Partial cases" "$1" && grep -q "1 <a href=\"#partial\">partial</a>" "$1" && grep -q "damaged input: 2 files" "$1"' _ "$h"
check "index is self-contained" \
    sh -c '! grep -qE "https?://|<link|<script src|<img" "$1"' _ "$h"
check "index matrix sortable by severity" grep -q 'data-key="worst"' "$h"

# ---- re-run: up to date cases skipped, failed ones retried -------------
before=$(stat -c %Y.%i "$out/demo-bundle/report.json")
"$cb" batch --cases-dir "$c" "$work/other/p3-avhdx.zip" -o "$out" -j 2 \
    > /dev/null 2> "$work/stderr2"
cat "$work/stderr2"
check "re-run: good and partial cases up to date" \
    [ "$(grep -c ': up to date, ' "$work/stderr2")" -eq 6 ]
check "re-run: the partial case says so" \
    grep -q 'cut-demo.zip: up to date, 1 finding, partial$' "$work/stderr2"
check "re-run: the report is untouched" \
    [ "$(stat -c %Y.%i "$out/demo-bundle/report.json")" = "$before" ]
check "re-run: the failed case is retried" \
    grep -qE '^\[[0-9]/7\] corrupt.zip: FAILED' "$work/stderr2"
touch -d '2020-01-01' "$c/node1-xml.zip"
"$cb" batch --cases-dir "$c" "$work/other/p3-avhdx.zip" -o "$out" -j 2 \
    > /dev/null 2> "$work/stderr3"
check "a changed input is redone, the others skipped" \
    sh -c 'grep -qE "node1-xml.zip: 2 findings" "$1" && [ "$(grep -c ": up to date," "$1")" -eq 5 ]' _ "$work/stderr3"
"$cb" batch --cases-dir "$c" -o "$out" -j 2 --force > /dev/null 2> "$work/stderr4"
check "--force redoes every case" \
    sh -c '! grep -q ": up to date," "$1" && grep -q "demo-bundle: 2 findings" "$1"' _ "$work/stderr4"
check "--force replaced the report" \
    [ "$(stat -c %Y.%i "$out/demo-bundle/report.json")" != "$before" ]
"$cb" batch -o "$work/x" --max-depth bogus "$c/corrupt.zip" > /dev/null 2>&1
check "a bad passed-through option is a usage error" [ $? -eq 2 ]
"$cb" batch "$c/corrupt.zip" > /dev/null 2>&1
check "no -o is a usage error" [ $? -eq 2 ]
touch "$work/plainfile"
"$cb" batch -q -o "$work/plainfile/out" "$c/demo-bundle" > /dev/null 2>&1
check "an OUT that cannot be created is an output failure (4)" [ $? -eq 4 ]
"$cb" batch -o "$work/x" --tz 'HV-NODE1=+1:0' "$c/corrupt.zip" > /dev/null 2> "$work/badtz"
check "a bad passed-through --tz is a usage error, named as given" \
    sh -c '[ $0 -eq 2 ] && grep -q "bad --tz .HV-NODE1=+1:0." "$1"' $? "$work/badtz"
"$cb" batch -o "$work/x" --rules "$work/no-such-rules" "$c/corrupt.zip" > /dev/null 2>&1
check "an unreadable --rules is a usage error" [ $? -eq 2 ]

# ---- merge: two partial outputs = one full run ---------------------------
set_a=("$c/demo-bundle" "$c/corrupt.zip" "$c/node1-text.tar.gz" "$c/cut-demo.zip")
set_b=("$c/p3-avhdx.zip" "$c/node1-xml.zip")
"$cb" batch -q -j 2 -o "$work/full" "${set_a[@]}" "${set_b[@]}" > /dev/null
"$cb" batch -q -j 1 -o "$work/part-a" "${set_a[@]}" > /dev/null
"$cb" batch -q -j 2 -o "$work/part-b" "${set_b[@]}" > /dev/null
"$cb" batch --merge "$work/part-b" "$work/part-a" -o "$work/merged" > /dev/null
check "merge exits 0" [ $? -eq 0 ]
check "merged summary.json = full run's, byte for byte" \
    cmp "$work/merged/summary.json" "$work/full/summary.json"
check "merged findings.jsonl = full run's, byte for byte" \
    cmp "$work/merged/findings.jsonl" "$work/full/findings.jsonl"
check "merged case reports copied" \
    cmp -s "$work/merged/demo-bundle/report.json" "$work/full/demo-bundle/report.json"
"$cb" batch --merge "$work/part-a" "$work/merged" -o "$work/merged" > /dev/null
check "merging a case already there changes nothing" \
    cmp "$work/merged/summary.json" "$work/full/summary.json"

# ---- the scale-out route: one case per job into a shared OUT --------------
if command -v parallel > /dev/null; then
    shared=$work/shared
    ls -d "$c"/* | parallel -j 2 --halt never \
        "$cb" batch -q --no-index -o "$shared" {} > /dev/null 2>&1
    "$cb" batch --merge "$shared" -o "$shared" > /dev/null
    check "GNU parallel, one case per job, then --merge: 6 cases" \
        jqt '.cases.total == 6 and .cases.failed == 1 and .cases.partial == 1' "$shared/summary.json"
    check "GNU parallel route = one batch run" \
        cmp "$shared/findings.jsonl" "$work/full/findings.jsonl"
    # --sshlogin with the local host only (no ssh here): the same command
    ls -d "$c"/* | parallel -j 2 --sshlogin : \
        "$cb" batch -q --no-index -o "$work/ssh" {} > /dev/null 2>&1
    "$cb" batch --merge "$work/ssh" -o "$work/ssh" > /dev/null
    check "GNU parallel --sshlogin : route = one batch run" \
        cmp "$work/ssh/summary.json" "$work/full/summary.json"
else
    skipped "GNU parallel route (parallel not installed: scripts/deps.sh)"
fi

# ---- the deploy files ------------------------------------------------------
check "deploy/slurm.sh is valid bash" bash -n "$src/deploy/slurm.sh"
check "deploy/slurm.sh is an array job" grep -q '^#SBATCH --array' "$src/deploy/slurm.sh"
y=$src/deploy/k8s-job.yaml
if python3 -c 'import yaml' 2> /dev/null; then
    check "k8s manifest: an Indexed Job (YAML parsed)" python3 - "$y" << 'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
jobs = [d for d in docs if d.get("kind") == "Job"]
assert len(jobs) == 1, docs
spec = jobs[0]["spec"]
assert spec["completionMode"] == "Indexed"
assert spec["completions"] >= 1 and spec["parallelism"] >= 1
c = spec["template"]["spec"]["containers"][0]
assert "casebrief" in " ".join(c["command"] + c.get("args", []))
assert spec["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")
EOF
else
    check "k8s manifest: an Indexed Job (structural check, no PyYAML)" \
        sh -c 'grep -q "^kind: Job" "$1" && grep -q "completionMode: Indexed" "$1" && ! grep -qP "\t" "$1"' _ "$y"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
