#!/usr/bin/env bash
# CI after the Linux suite: casebrief.exe under Wine.
#   1. cross-build it (scripts/build-windows.sh; the static libraries come
#      from the cache after the first run) and the win64 zip,
#   2. the end-to-end suites against it: CLI, scenarios, rules, batch,
#      hostile (tests/e2e/wine-casebrief.sh runs the .exe like a binary),
#   3. the reports of every scenario and sample byte-identical to the
#      Linux build's (BUILD, default build/),
#   4. a non-ASCII path and a file over 4 GB (tests/e2e/paths.sh).
# Wine writes to $HOME and $TMPDIR: both are pinned to a scratch
# directory; its prefix is kept in the cache (CB_WIN_CACHE).
# Prints the time each step took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$(realpath "${BUILD:-build}")
[ -x "$build/casebrief" ] || {
    echo "test-windows: no $build/casebrief (run scripts/test.sh first)" >&2
    exit 1
}
t0=$SECONDS
step() { printf 'test-windows: %-28s %4d s\n' "$1" $((SECONDS - t0)) >&2; t0=$SECONDS; }

dpkg-query -W -f='${Status}' wine64 2>/dev/null | grep -q "install ok installed" || {
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends wine wine64 >&2
}
bash scripts/build-windows.sh
step "cross-build"

cache=${CB_WIN_CACHE:-$HOME/.cache/casebrief-win}
work=$(mktemp -d)
trap 'wineserver -k 2> /dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/tmp" "$cache"
export WINEPREFIX=$cache/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export HOME=$work/home TMPDIR=$work/tmp
export CB_EXE=$root/build-win/casebrief.exe
export CASEBRIEF=$root/tests/e2e/wine-casebrief.sh CB_UNDER_WINE=1
wineboot -i > /dev/null 2>&1 || true
wine "$CB_EXE" --version
step "wine prefix"

fail=0
suite() { # name, script, env...
    local name=$1 script=$2
    shift 2
    if env "$@" bash "$script" > "$work/$name.log" 2>&1; then
        echo "ok   $name under Wine ($(tail -1 "$work/$name.log"))"
    else
        echo "FAIL $name under Wine:"
        grep -E '^FAIL|rror' "$work/$name.log" | head -20 | sed 's/^/    /'
        fail=1
    fi
    step "$name"
}
suite cli tests/e2e/cli.sh SAMPLES="$root/samples"
suite scenarios tests/e2e/scenarios.sh SCENARIOS="$root/samples/scenarios" \
    TOOLS="$root/tests/tools" OUT="$work/scen"
suite rules tests/rules/run.sh RULES="$root/rules"
suite batch tests/e2e/batch.sh SRC="$root"
suite hostile tests/e2e/hostile.sh
suite paths tests/e2e/paths.sh SAMPLES="$root/samples"

# Reports of the Linux and the Windows build on the same inputs, from the
# same directory: the same bytes (path normalisation: none is needed, as
# Wine hands the .exe the same '/' paths and casebrief writes them back).
mkdir -p "$work/cmp"
inputs=("$root/samples/demo-bundle")
for desc in "$root"/samples/scenarios/*/scenario.json; do
    name=$(basename "$(dirname "$desc")")
    python3 tests/tools/scenario.py build "$desc" "$work/cmp/in" > /dev/null
    inputs+=("$work/cmp/in/$name")
done
n=0 differ=0
for in in "${inputs[@]}"; do
    n=$((n + 1))
    for side in linux windows; do
        bin=$build/casebrief
        [ $side = windows ] && bin=$CASEBRIEF
        o=$work/cmp/$side/$n
        mkdir -p "$o"
        (cd "$work/cmp"
            rc=0
            "$bin" analyze -q -o "$o/report" "$in" > /dev/null 2>&1 || rc=$?
            echo "analyze $rc" > "$o/rc"
            rc=0
            "$bin" timeline -q --format jsonl "$in" > "$o/timeline.jsonl" \
                2> /dev/null || rc=$?
            echo "timeline $rc" >> "$o/rc")
    done
    if ! diff -r "$work/cmp/linux/$n" "$work/cmp/windows/$n" > "$work/cmp/d"; then
        differ=$((differ + 1))
        echo "FAIL reports differ: $in"
        head -10 "$work/cmp/d" | sed 's/^/    /'
    fi
done
if [ "$differ" -eq 0 ]; then
    echo "ok   reports of $n inputs byte-identical (Linux, Windows)"
else
    fail=1
fi
step "Linux = Windows reports"
exit $fail
