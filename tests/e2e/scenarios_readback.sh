#!/usr/bin/env bash
# Every .evtx of every generated scenario read back by the peers
# (python-evtx, libevtx's evtxexport) and checked against the generator's
# event list and the scenario description (tests/tools/evtx_readback.py).
# Skipped (77) when neither peer is installed.
# Needs: $SCENARIOS, $TOOLS, $OUT, python3.
set -u
scen=${SCENARIOS:?set SCENARIOS to samples/scenarios}
tools=${TOOLS:?set TOOLS to tests/tools}
out=${OUT:?set OUT to a scratch directory}
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }
# python-evtx is a Debian package: the system python has it even when
# another python3 comes first on PATH.
py=python3
for p in python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null && "$p" -c 'import Evtx.Evtx' 2> /dev/null
    then py=$p; break; fi
done
rm -rf "$out"
mkdir -p "$out"
rc=0 skipped=0 n=0
# The writer alone: every value type, 240 records over several chunks.
"$py" "$tools/evtx_readback.py" --events "$tools/evtx_types.json" 80 \
    "$out/types"
r=$?
n=$((n + 1))
if [ "$r" -eq 77 ]; then skipped=$((skipped + 1))
elif [ "$r" -ne 0 ]; then rc=1; fi
for desc in "$scen"/*/scenario.json; do
    name=$(basename "$(dirname "$desc")")
    python3 "$tools/scenario.py" build "$desc" "$out" > /dev/null || {
        echo "FAIL $name: generate"; rc=1; continue; }
    "$py" "$tools/evtx_readback.py" "$desc" "$out/$name" \
        "$out/$name.manifest.json"
    r=$?
    n=$((n + 1))
    if [ "$r" -eq 77 ]; then skipped=$((skipped + 1))
    elif [ "$r" -ne 0 ]; then rc=1; fi
done
[ "$skipped" -eq "$n" ] && [ "$n" -gt 0 ] && exit 77
exit "$rc"
