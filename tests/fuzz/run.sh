#!/usr/bin/env bash
# Fuzz one target for a bounded time: tests/fuzz/run.sh TARGET SECONDS [BUILD]
# BUILD is a tree configured with CC=clang -DCB_FUZZ=ON (default build-fuzz).
# New interesting inputs go to a scratch corpus; a crash is left as
# tests/fuzz/crash-* (fix it, then add the input to corpus/TARGET/).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
t=${1:?target}
secs=${2:-60}
build=${3:-build-fuzz}
bin="$build/tests/fuzz/fuzz_$t"
[ -x "$bin" ] || { echo "no $bin: configure with CC=clang -DCB_FUZZ=ON" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dict=()
[ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
"$bin" "$scratch" "$here/corpus/$t" "${dict[@]}" -max_total_time="$secs" \
    -max_len=262144 -rss_limit_mb=2048 -timeout=20 -artifact_prefix="$here/" \
    -print_final_stats=1 > "$scratch.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch.log")
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$scratch.log")
echo "fuzz $t: ${secs}s, ${execs:-?} executions, peak RSS ${rss:-?} MB, exit $rc"
if [ "$rc" -ne 0 ]; then
    grep -E "^==|SUMMARY|artifact" "$scratch.log" | head -40
fi
rm -f "$scratch.log"
exit "$rc"
