#!/usr/bin/env bash
# Binary EVTX throughput against libevtx's evtxexport and python-evtx's
# evtx_dump.py, measured in the same run on the same input.
#
#   bench/evtx.sh [REPEAT] [RUNS]        (defaults: 10 copies, best of 3)
#   CB_BUILD=dir selects the build tree (default build/).
#
# Input A: every .evtx of the shared corpus (CASEBRIEF_CORPUS, evtx/ and
# evtx-broken/), copied REPEAT times into a scratch directory (removed at
# the end; nothing is copied into the repository). Each tool reads every
# file and prints every record: casebrief `timeline --format jsonl` per
# file (the peers' way), casebrief over the whole directory in one process
# (timeline, and `analyze -q`: the copies are then de-duplicated in the
# output, not in the parsing), evtxexport -f xml per file.
# Input B: python-evtx needs ~40 s for a 2 MB log, so it runs once over a
# small subset (SUBSET below), against the other two on the same subset.
#
# Prints wall seconds (best of RUNS), records/s (each tool's own record
# count), MB/s of input and peak RSS. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-10}
runs=${2:-3}
corpus=${CASEBRIEF_CORPUS:-/work/shared/corpus}
[ -d "$corpus/evtx" ] || { echo "no corpus at $corpus" >&2; exit 1; }
build=${CB_BUILD:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j"$(nproc)" --target casebrief > /dev/null
cb=$(cd "$build" && pwd)/casebrief
lib=$(command -v evtxexport || true)
py=$(command -v evtx_dump.py || true)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/a" "$work/b"
i=0
for r in $(seq "$repeat"); do
    for f in "$corpus"/evtx/*.evtx "$corpus"/evtx-broken/*.evtx; do
        i=$((i + 1))
        cp "$f" "$work/a/$i.evtx"
    done
done
SUBSET="evtx/omer__Security_short_selected.evtx evtx/omer__new-user-security.evtx
evtx/eas__ppl_bypass_ppldump_knowdll_hijack_sysmon_security.evtx
evtx/eas__WinDefender_Events_1117_1116_AtomicRedTeam.evtx
evtx/eas__LM_xp_cmdshell_MSSQL_Events.evtx evtx/pyevtx__issue_38.evtx
evtx/eas__RemotePowerShell_MS_Windows-Remote_Management_EventID_169.evtx
evtx/eas__rogue_msi_url_1040_1042.evtx"
for f in $SUBSET; do cp "$corpus/$f" "$work/b/"; done

# best wall time and its peak RSS (KB) over $runs runs of a command; exit
# status 1 is allowed (casebrief analyze: "findings")
measure() {
    local best="" rss="" rc
    for _ in $(seq "$runs"); do
        rc=0
        /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null \
            2> /dev/null || rc=$?
        [ "$rc" -le 1 ] || { echo "failed ($rc): $*" >&2; exit 1; }
        read -r t m < <(tail -1 "$work/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t
            rss=$m
        fi
    done
    echo "$best $rss"
}

# one tool over every file of a directory, one process per file
each() { # dir command...
    local d=$1
    shift
    for f in "$d"/*.evtx; do "$@" "$f"; done
}
export -f each

# record counts, outside the timed runs
count_cb() { each "$1" "$cb" timeline --format jsonl | wc -l; }
count_lib() { each "$1" "$lib" -f xml 2> /dev/null | grep -c '^<Event xmlns'; }
count_py() { each "$1" "$py" 2> /dev/null | grep -c '^<Event xmlns'; }

row() { # name dir seconds rss_kb records
    local bytes
    bytes=$(du -sb "$2" | cut -f1)
    printf '%-44s %8.2f %10.0f %8.1f %7d MB\n' "$1" "$3" \
        "$(awk -v n="$5" -v t="$3" 'BEGIN{print n / (t > 0 ? t : 0.001)}')" \
        "$(awk -v b="$bytes" -v t="$3" 'BEGIN{print b / 1e6 / (t > 0 ? t : 0.001)}')" \
        "$(($4 / 1024))"
}
header() {
    printf '\n%s\n' "$1"
    printf '%-44s %8s %10s %8s %10s\n' tool "wall s" "records/s" "MB/s" "peak RSS"
}

for set in a b; do
    d=$work/$set
    mb=$(du -sb "$d" | awk '{printf "%.1f", $1 / 1e6}')
    nfiles=$(ls "$d" | wc -l)
    if [ "$set" = a ]; then
        header "input A: every corpus .evtx x $repeat ($nfiles files, $mb MB)"
    else
        header "input B: python-evtx subset ($nfiles files, $mb MB)"
    fi
    n=$(count_cb "$d")
    read -r t m < <(measure bash -c 'each "$0" "$1" timeline --format jsonl' "$d" "$cb")
    row "casebrief timeline --format jsonl, per file" "$d" "$t" "$m" "$n"
    if [ "$set" = a ]; then
        n1=$("$cb" timeline --format jsonl "$d" | wc -l)
        read -r t m < <(measure "$cb" timeline --format jsonl "$d")
        row "casebrief timeline, one process (out: $n1)" "$d" "$t" "$m" "$n"
        read -r t m < <(measure "$cb" analyze -q -o "$work/report" "$d")
        row "casebrief analyze -q, one process" "$d" "$t" "$m" "$n"
    fi
    if [ -n "$lib" ]; then
        n=$(count_lib "$d")
        read -r t m < <(measure bash -c 'each "$0" "$1" -f xml' "$d" "$lib")
        row "evtxexport -f xml (libevtx 20181227)" "$d" "$t" "$m" "$n"
    fi
    if [ -n "$py" ] && [ "$set" = b ]; then
        n=$(count_py "$d")
        read -r t m < <(runs=1 measure bash -c 'each "$0" "$1"' "$d" "$py")
        row "evtx_dump.py (python-evtx, 1 run)" "$d" "$t" "$m" "$n"
    fi
done
echo
echo "records/s uses each tool's own output count (evtxexport stops early"
echo "on the CAPI2 and MSExchange logs; python-evtx fails on some files)."
