#!/usr/bin/env bash
# Byte-for-byte comparison of two casebrief binaries' outputs: every report
# (html, md, json) and every timeline format (jsonl, csv, text) on the
# shipped samples, every scenario bundle (generated once with
# tests/tools/scenario.py), every rule case and every file of the shared
# corpus. Used to prove that a restructuring changed no output.
#
#   bash tests/compare/outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Prints one line per input that differs and a count; exits 1 when any
# output differs, 0 when all are identical. The exit status of each run is
# compared too. Needs python3 for the scenarios (skipped without it).
set -u
old=${1:?usage: outputs.sh OLD NEW [WORKDIR]}
new=${2:?usage: outputs.sh OLD NEW [WORKDIR]}
work=${3:-$(mktemp -d)}
old=$(realpath "$old") new=$(realpath "$new")
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CASEBRIEF_CORPUS:-$src/../shared/corpus}
mkdir -p "$work"

inputs=()
for d in "$src"/samples/demo-bundle; do inputs+=("$d"); done
if command -v python3 > /dev/null; then
    mkdir -p "$work/scen"
    for desc in "$src"/samples/scenarios/*/scenario.json; do
        name=$(basename "$(dirname "$desc")")
        [ -d "$work/scen/$name" ] ||
            python3 "$src/tests/tools/scenario.py" build "$desc" "$work/scen" \
                > /dev/null || { echo "generate $name failed"; exit 2; }
        inputs+=("$work/scen/$name")
    done
fi
for d in "$src"/tests/rules/*/input; do inputs+=("$d"); done
if [ -d "$corpus" ]; then
    while IFS= read -r f; do inputs+=("$f"); done < <(
        find "$corpus" -type f ! -name '*.md' | LC_ALL=C sort)
    inputs+=("$corpus/evtx")
fi

# run BIN TAG INPUT N: every output of one binary for one input
run() {
    local bin=$1 tag=$2 in=$3 n=$4
    local o="$work/$tag/$n"
    rm -rf "$o"
    mkdir -p "$o"
    (cd "$work" && "$bin" analyze -q -o "$o/report" "$in" > /dev/null \
        2> "$o/analyze.err"; echo "analyze $?" > "$o/rc")
    (cd "$work" && "$bin" analyze -q --keep-all -f json -o "$o/all" "$in" \
        > /dev/null 2>&1; echo "keep-all $?" >> "$o/rc")
    for f in jsonl csv text; do
        (cd "$work" && "$bin" timeline -q --format "$f" "$in" \
            > "$o/timeline.$f" 2> /dev/null; echo "timeline $f $?" >> "$o/rc")
    done
}

differ=0 n=0
for in in "${inputs[@]}"; do
    n=$((n + 1))
    run "$old" old "$in" "$n"
    run "$new" new "$in" "$n"
    if ! d=$(diff -r "$work/old/$n" "$work/new/$n" 2>&1); then
        differ=$((differ + 1))
        echo "DIFFERS: $in"
        echo "$d" | head -10 | sed 's/^/    /'
    fi
done
echo "$n inputs compared (analyze html+md+json, --keep-all json," \
     "timeline jsonl+csv+text): $differ differ"
[ "$differ" -eq 0 ]
