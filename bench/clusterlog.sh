#!/usr/bin/env bash
# cluster.log parse throughput against grep -c and wc -l on the same file,
# measured in the same run (issue 4: target >= 0.5x grep -c's MB/s,
# single-threaded).
#
#   bench/clusterlog.sh [SIZE_MB] [RUNS]    (defaults: 512 MB, best of 3)
#   CB_BUILD=dir selects the build tree (default build/).
#
# The log is written by gen_clusterlog (2016+ header, one node) into a
# scratch directory and removed at the end. Timed, each on the plain file:
#   casebrief timeline --format jsonl -j1 FILE > /dev/null
#       the whole path a user pays for: read, parse every line into an
#       event, sort, de-duplicate, write every event as a JSONL line;
#       -j1: parsing strictly on the calling thread;
#   casebrief analyze -q -j1 --no-default-rules --format json
#       the same without the JSONL writer (parse, timeline, gaps, report);
#   grep -c ' ERR ' FILE       (LC_ALL=C, the way a support engineer
#                               counts errors);
#   wc -l FILE.
# grep and wc write to a file: GNU grep stops at the first match when its
# output is /dev/null. casebrief's 2+ GB of JSONL goes to /dev/null (it
# does not look where its output goes).
# Prints wall seconds (best of RUNS), CPU seconds (user + sys) of that
# run, MB/s of wall time, peak RSS (/usr/bin/time -v's "Maximum resident
# set size") and each tool's ratio to grep -c's MB/s. On a shared machine
# wall time includes waiting for a CPU: compare CPU seconds too.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-512}
runs=${2:-3}
build=${CB_BUILD:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j2 --target casebrief gen_clusterlog > /dev/null
cb=$(cd "$build" && pwd)/casebrief
gen=$(cd "$build" && pwd)/bench/gen_clusterlog

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/HV-NODE1_cluster.log
"$gen" -n HV-NODE1 -s "$size" -H "$log"
bytes=$(stat -c %s "$log")
lines=$(wc -l < "$log")
errs=$(LC_ALL=C grep -c ' ERR ' "$log" || true)
events=$("$cb" timeline --format jsonl -j1 "$log" | wc -l)

# best wall time, the CPU seconds and peak RSS (KB) of that run; the
# first argument is where stdout goes
measure() {
    local best="" rss="" cpu="" rc out=$1
    shift
    for _ in $(seq "$runs"); do
        rc=0
        local t0 t1 t m c
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$work/time.txt" "$@" > "$out" 2> /dev/null ||
            rc=$?
        t1=$(date +%s%N)
        [ "$rc" -le 1 ] || { echo "failed ($rc): $*" >&2; exit 1; }
        # wall time from the shell: time -v rounds to 10 ms, too coarse
        # for grep and wc
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", (b - a) / 1e9}')
        m=$(sed -n 's/.*Maximum resident set size (kbytes): //p' \
            "$work/time.txt")
        c=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' \
            "$work/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t
            rss=$m
            cpu=$c
        fi
    done
    echo "$best $rss $cpu"
}

export LC_ALL=C
read -r grep_t grep_m grep_c < <(measure "$work/out.txt" grep -c ' ERR ' "$log")
[ "$(cat "$work/out.txt")" = "$errs" ] || { echo "grep -c miscounted" >&2; exit 1; }
read -r wc_t wc_m wc_c < <(measure "$work/out.txt" wc -l "$log")
read -r tl_t tl_m tl_c < <(measure /dev/null "$cb" timeline --format jsonl -j1 "$log")
read -r an_t an_m an_c < <(measure /dev/null "$cb" analyze -q -j1 \
    --no-default-rules --format json -o "$work/report" "$log")

mbs() { awk -v b="$bytes" -v t="$1" 'BEGIN{printf "%.1f", b / 1e6 / (t > 0 ? t : 0.001)}'; }
ratio() { awk -v a="$1" -v g="$grep_t" 'BEGIN{printf "%.2f", (g > 0 ? g : 0.001) / (a > 0 ? a : 0.001)}'; }
row() { # name seconds rss_kb cpu_seconds
    printf '%-46s %7.3f %7.2f %8s %8d MB %7sx\n' "$1" "$2" "$4" "$(mbs "$2")" \
        "$(($3 / 1024))" "$(ratio "$2")"
}
printf '\ninput: generated cluster.log, %.1f MB, %d lines, %d events, ' \
    "$(awk -v b="$bytes" 'BEGIN{print b / 1e6}')" "$lines" "$events"
printf '%d ERR lines; best of %d runs\n' "$errs" "$runs"
printf '%-46s %7s %7s %8s %11s %8s\n' tool "wall s" "CPU s" "MB/s" \
    "peak RSS" "vs grep"
row "grep -c ' ERR '" "$grep_t" "$grep_m" "$grep_c"
row "wc -l" "$wc_t" "$wc_m" "$wc_c"
row "casebrief timeline --format jsonl -j1" "$tl_t" "$tl_m" "$tl_c"
row "casebrief analyze -q -j1 --no-default-rules" "$an_t" "$an_m" "$an_c"
printf 'target: casebrief timeline >= 0.5x grep -c MB/s\n'
