#!/usr/bin/env bash
# Whole-bundle throughput: one zipped support bundle of several nodes
# (>= 1 GB uncompressed: big cluster.logs from gen_clusterlog, Security and
# System .evtx made of real corpus files copied under many names), through
# the whole pipeline (ingest, parse, timeline, correlate, three reports),
# against, in the same run:
#   - bsdtar -xOf bundle.zip > /dev/null   the decompression floor
#   - evtxexport -f xml over the same .evtx members (extracted beforehand)
#
#   bench/bundle.sh [NODES] [CLUSTERLOG_MB] [EVTX_COPIES] [RUNS] [PERF]
#   (defaults: 3 nodes, 250 MB cluster.log each, 60 copies of the corpus's
#    largest .evtx per node, best of 1 run, PERF=1 records a perf profile)
#
# The copied .evtx have the same record ids, so the timeline counts most
# of their events as duplicates: honest for throughput (every byte is read
# and every record parsed), not a model of a real Security log's content.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-3}
clmb=${2:-250}
copies=${3:-60}
runs=${4:-1}
perf_on=${5:-1}
corpus=${CASEBRIEF_CORPUS:-../shared/corpus}
[ -d "$corpus/evtx" ] || corpus=/work/shared/corpus
out=bench/out/bundle
mkdir -p "$out"
[ -x build/casebrief ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j2 > /dev/null

zip="$out/bundle-${nodes}n-${clmb}M-${copies}x.zip"
if [ ! -f "$zip" ]; then
    echo "generating the bundle ($nodes nodes)..." >&2
    stage="$out/stage"
    rm -rf "$stage"
    # the largest Security and System logs of the corpus
    sec=$(ls -S "$corpus"/evtx/*ecurity*.evtx | head -1)
    sys=$(ls -S "$corpus"/evtx/*ystem*.evtx | head -1)
    for n in $(seq "$nodes"); do
        node="HV-NODE$n"
        d="$stage/$node"
        mkdir -p "$d/evtx"
        ./build/bench/gen_clusterlog -n "$node" -s "$clmb" -H \
            -t $((1731628800 + n * 60)) "$d/${node}_cluster.log"
        for i in $(seq "$copies"); do
            cp "$sec" "$d/evtx/${node}_Security_$i.evtx"
            [ $((i % 4)) -eq 0 ] && cp "$sys" "$d/evtx/${node}_System_$i.evtx"
        done
    done
    (cd "$stage" && bsdtar --format zip -cf "../$(basename "$zip")" .)
    rm -rf "$stage"
fi

bytes=$(bsdtar -xOf "$zip" | wc -c)
zbytes=$(stat -c %s "$zip")
evdir="$out/evtx"
rm -rf "$evdir"
mkdir -p "$evdir"
bsdtar -xf "$zip" -C "$evdir" --include '*.evtx'
evbytes=$(find "$evdir" -name '*.evtx' -printf '%s\n' | awk '{s+=$1} END{print s}')
nev=$(find "$evdir" -name '*.evtx' | wc -l)

# best wall time (with its CPU seconds and peak RSS) over $runs runs; CPU
# seconds (user + sys) say more than wall time on a loaded machine
measure() {
    local best="" rss="" cpu=""
    for _ in $(seq "$runs"); do
        # analyze exits 1 when it has findings: not a failure here
        /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" > /dev/null || true
        read -r t m u s < <(tail -1 "$out/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t; rss=$m; cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')
        fi
    done
    echo "$best $rss $cpu"
}
evtxexport_all() {
    find "$evdir" -name '*.evtx' -print0 |
        xargs -0 -n 1 sh -c 'evtxexport -f xml "$0" > /dev/null 2>&1 || true'
}
export -f evtxexport_all 2> /dev/null || true

read -r floor_t floor_rss floor_cpu < <(measure bsdtar -xOf "$zip")
read -r cb_t cb_rss cb_cpu < <(measure ./build/casebrief analyze -q -o "$out/report" "$zip")
read -r cbj_t cbj_rss cbj_cpu < <(measure ./build/casebrief analyze -q -j 1 -o "$out/report1" "$zip")
read -r cbk_t cbk_rss cbk_cpu < <(measure ./build/casebrief analyze -q --keep-all -o "$out/report-all" "$zip")
ee_t="" ee_rss="" ee_cpu=""
if command -v evtxexport > /dev/null; then
    export evdir
    # minutes per run: once is enough for a peer this far behind
    read -r ee_t ee_rss ee_cpu < <(runs=1 measure bash -c "$(declare -f evtxexport_all); evtxexport_all")
fi
events=$(jq '.summary.events' "$out/report/report.json")
kept=$(jq '.summary.events_kept' "$out/report/report.json")
dups=$(jq '.summary.duplicates' "$out/report/report.json")
findings=$(jq '.findings | length' "$out/report/report.json")

mbs() { awk -v b="$2" -v t="$1" 'BEGIN{printf "%.0f", b / 1e6 / (t > 0 ? t : 0.001)}'; }
printf '\nbundle: %s: %.0f MB zipped, %.0f MB uncompressed; %d .evtx members, %.0f MB\n' \
    "$zip" "$(awk -v b="$zbytes" 'BEGIN{print b/1e6}')" \
    "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" "$nev" \
    "$(awk -v b="$evbytes" 'BEGIN{print b/1e6}')"
printf 'casebrief: %s events read, %s kept, %s duplicates, %s findings; machine: %s cores, load %s\n' \
    "$events" "$kept" "$dups" "$findings" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %8s %9s %8s %10s\n' tool "wall s" "MB/s" "CPU s" "peak RSS"
printf '%-40s %8.2f %9s %8.2f %7d MB\n' "bsdtar -xOf bundle (floor)" "$floor_t" \
    "$(mbs "$floor_t" "$bytes")" "$floor_cpu" "$((floor_rss / 1024))"
printf '%-40s %8.2f %9s %8.2f %7d MB\n' "casebrief analyze (end to end)" "$cb_t" \
    "$(mbs "$cb_t" "$bytes")" "$cb_cpu" "$((cb_rss / 1024))"
printf '%-40s %8.2f %9s %8.2f %7d MB\n' "casebrief analyze -j 1" "$cbj_t" \
    "$(mbs "$cbj_t" "$bytes")" "$cbj_cpu" "$((cbj_rss / 1024))"
printf '%-40s %8.2f %9s %8.2f %7d MB\n' "casebrief analyze --keep-all" "$cbk_t" \
    "$(mbs "$cbk_t" "$bytes")" "$cbk_cpu" "$((cbk_rss / 1024))"
if [ -n "$ee_t" ]; then
    printf '%-40s %8.2f %9s %8.2f %7d MB\n' \
        "evtxexport -f xml, .evtx members only" "$ee_t" \
        "$(mbs "$ee_t" "$evbytes")" "$ee_cpu" "$((ee_rss / 1024))"
fi
printf 'end to end / floor: %.2fx wall (-j 1: %.2fx), %.2fx CPU (target <= 2x)\n' \
    "$(awk -v a="$cb_t" -v b="$floor_t" 'BEGIN{print a / b}')" \
    "$(awk -v a="$cbj_t" -v b="$floor_t" 'BEGIN{print a / b}')" \
    "$(awk -v a="$cbj_cpu" -v b="$floor_cpu" 'BEGIN{print a / b}')"

if [ "$perf_on" = 1 ] && command -v perf > /dev/null; then
    perf record -q -g -o "$out/perf.data" ./build/casebrief analyze -q \
        -o "$out/report" "$zip" > /dev/null 2>&1 || true
    echo
    echo "where the time goes (perf, self time, top 25):"
    perf report -i "$out/perf.data" --no-children --sort dso,symbol \
        --stdio 2> /dev/null | grep -E '^ +[0-9]' | head -25 || true
fi
rm -rf "$evdir"
