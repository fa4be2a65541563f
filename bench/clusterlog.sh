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
# Prints wall seconds (best of RUNS), MB/s, peak RSS (/usr/bin/time -v's
# "Maximum resident set size") and each tool's ratio to grep -c's MB/s.
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

# best wall time and the peak RSS (KB) of that run
measure() {
    local best="" rss="" rc
    for _ in $(seq "$runs"); do
        rc=0
        local t0 t1 t m
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$work/time.txt" "$@" > /dev/null 2> /dev/null ||
            rc=$?
        t1=$(date +%s%N)
        [ "$rc" -le 1 ] || { echo "failed ($rc): $*" >&2; exit 1; }
        # wall time from the shell: time -v rounds to 10 ms, too coarse
        # for grep and wc
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", (b - a) / 1e9}')
        m=$(sed -n 's/.*Maximum resident set size (kbytes): //p' \
            "$work/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t
            rss=$m
        fi
    done
    echo "$best $rss"
}

export LC_ALL=C
read -r grep_t grep_m < <(measure grep -c ' ERR ' "$log")
read -r wc_t wc_m < <(measure wc -l "$log")
read -r tl_t tl_m < <(measure "$cb" timeline --format jsonl -j1 "$log")
read -r an_t an_m < <(measure "$cb" analyze -q -j1 --no-default-rules \
    --format json -o "$work/report" "$log")

mbs() { awk -v b="$bytes" -v t="$1" 'BEGIN{printf "%.1f", b / 1e6 / (t > 0 ? t : 0.001)}'; }
ratio() { awk -v a="$1" -v g="$grep_t" 'BEGIN{printf "%.2f", (g > 0 ? g : 0.001) / (a > 0 ? a : 0.001)}'; }
row() { # name seconds rss_kb
    printf '%-46s %7.3f %8s %8d MB %7sx\n' "$1" "$2" "$(mbs "$2")" \
        "$(($3 / 1024))" "$(ratio "$2")"
}
printf '\ninput: generated cluster.log, %.1f MB, %d lines, %d events, ' \
    "$(awk -v b="$bytes" 'BEGIN{print b / 1e6}')" "$lines" "$events"
printf '%d ERR lines; best of %d runs\n' "$errs" "$runs"
printf '%-46s %7s %8s %11s %8s\n' tool "wall s" "MB/s" "peak RSS" "vs grep"
row "grep -c ' ERR '" "$grep_t" "$grep_m"
row "wc -l" "$wc_t" "$wc_m"
row "casebrief timeline --format jsonl -j1" "$tl_t" "$tl_m"
row "casebrief analyze -q -j1 --no-default-rules" "$an_t" "$an_m"
printf 'target: casebrief timeline >= 0.5x grep -c MB/s\n'
