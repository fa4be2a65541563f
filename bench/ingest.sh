#!/usr/bin/env bash
# Ingestion throughput on a zipped cluster.log against the decompression
# floor (bsdtar -xOf of the same zip), measured in the same run.
#
#   bench/ingest.sh [SIZE_MB] [RUNS]     (defaults: 500 MB, 3 runs)
#
# Prints wall time (best of RUNS), MB/s of uncompressed data, events/s and
# peak RSS for both, and the ratio casebrief / floor.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-500}
runs=${2:-3}
out=bench/out
mkdir -p "$out"
[ -x build/casebrief ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null; }
cmake --build build -j"$(nproc)" > /dev/null
log="$out/HV-NODE1_cluster.log"
zip="$out/cluster-${size}M.zip"
if [ ! -f "$zip" ]; then
    echo "generating ${size} MB cluster.log and zipping it..." >&2
    ./build/bench/gen_clusterlog -n HV-NODE1 -s "$size" -H "$log"
    (cd "$out" && rm -f "$(basename "$zip")" && bsdtar --format zip -cf "$(basename "$zip")" "$(basename "$log")")
    rm -f "$log"
fi
bytes=$(bsdtar -xOf "$zip" | wc -c)
zbytes=$(stat -c %s "$zip")

# best wall time and its peak RSS over $runs runs of a command
measure() {
    local best="" rss=""
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" > /dev/null
        read -r t m < "$out/time.txt"
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
    done
    echo "$best $rss"
}

read -r floor_t floor_rss < <(measure bsdtar -xOf "$zip")
read -r cb_t cb_rss < <(measure ./build/casebrief analyze -q --no-default-rules --format json -o "$out/report" "$zip")
events=$(jq '.summary.events' "$out/report/report.json")

mbs() { awk -v b="$bytes" -v t="$1" 'BEGIN{printf "%.0f", b / 1e6 / (t > 0 ? t : 0.001)}'; }
printf '\ninput: %s (%.1f MB zipped, %.1f MB uncompressed, %s events)\n' \
    "$zip" "$(awk -v b="$zbytes" 'BEGIN{print b/1e6}')" \
    "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" "$events"
printf '%-28s %8s %9s %12s %10s\n' tool "wall s" "MB/s" "events/s" "peak RSS"
printf '%-28s %8.2f %9s %12s %8d MB\n' "bsdtar -xOf (floor)" "$floor_t" \
    "$(mbs "$floor_t")" "-" "$((floor_rss / 1024))"
printf '%-28s %8.2f %9s %12.0f %8d MB\n' "casebrief analyze" "$cb_t" \
    "$(mbs "$cb_t")" "$(awk -v e="$events" -v t="$cb_t" 'BEGIN{print e/t}')" \
    "$((cb_rss / 1024))"
printf 'casebrief / floor: %.2fx (target <= 1.5x)\n' \
    "$(awk -v a="$cb_t" -v b="$floor_t" 'BEGIN{print a/b}')"
