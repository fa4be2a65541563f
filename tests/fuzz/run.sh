#!/usr/bin/env bash
# Fuzz one target for a bounded time:
#   tests/fuzz/run.sh TARGET SECONDS [BUILD [EXTRA_SEED_DIR...]]
# BUILD is a tree configured with CC=clang -DCB_FUZZ=ON (default build-fuzz).
# Extra seed directories are read, never written (real files stay out of
# the repository). evtx_struct also takes the shared corpus' .evtx files
# ($CASEBRIEF_CORPUS, default ../shared/corpus beside the repository) when
# it is there, and inputs up to 8 chunks (the -j 2 workers start after 4).
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
extra=("${@:4}")
max_len=262144
if [ "$t" = evtx_struct ]; then
    max_len=$((4096 + 8 * 65536))
    corpus=${CASEBRIEF_CORPUS:-$here/../../../shared/corpus}
    mkdir "$scratch/real"
    for f in "$corpus"/evtx/*.evtx "$corpus"/evtx-broken/*.evtx; do
        [ -f "$f" ] && ln -s "$f" "$scratch/real/"
    done
    extra+=("$scratch/real")
fi
mkdir "$scratch/new"
"$bin" "$scratch/new" "$here/corpus/$t" "${extra[@]}" "${dict[@]}" \
    -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb=2048 \
    -timeout=20 -artifact_prefix="$here/" -print_final_stats=1 \
    > "$scratch.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch.log")
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$scratch.log")
eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch.log")
cov=$(grep -E '^#[0-9]+' "$scratch.log" | tail -1 |
      sed -n 's/.*cov: \([0-9]*\).*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/cov \1, corpus \2/p')
echo "fuzz $t: ${secs}s, ${execs:-?} executions (${eps:-?}/s), ${cov:-cov ?}," \
     "peak RSS ${rss:-?} MB, exit $rc"
if [ "$rc" -ne 0 ]; then
    grep -E "^==|SUMMARY|artifact" "$scratch.log" | head -40
fi
rm -f "$scratch.log"
exit "$rc"
