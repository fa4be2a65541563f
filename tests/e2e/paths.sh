#!/usr/bin/env bash
# Paths and sizes that differ between systems, on the Linux binary and on
# casebrief.exe under Wine (scripts/test-windows.sh) alike:
#   - non-ASCII names (Fälle/Kunde Ä.zip, a folder "Ordner Ö"): read,
#     named right in the report, the default report directory named
#     after them;
#   - a file over 4 GB (sparse): its size is seen whole (a 32-bit size
#     would wrap to 400 MB and read it) and it is skipped by
#     --max-member-size 4G with its exact size, the rest still analysed.
# Needs: $CASEBRIEF, $SAMPLES (samples dir), jq, bsdtar.
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
samples=${SAMPLES:-$(dirname "$0")/../../samples}
samples=$(cd "$samples" && pwd)
command -v jq > /dev/null || { echo "SKIP: jq missing"; exit 77; }
command -v bsdtar > /dev/null || { echo "SKIP: bsdtar missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

# Non-ASCII: a zip and a folder, then the default output directory.
mkdir -p "$work/Fälle/Ordner Ö"
bsdtar -a -cf "$work/Fälle/Kunde Ä.zip" -C "$samples" demo-bundle
cp "$samples"/demo-bundle/* "$work/Fälle/Ordner Ö/"
"$cb" -q -o "$work/out-zip" "$work/Fälle/Kunde Ä.zip" > /dev/null 2> "$work/err"
rc=$?
check "non-ASCII zip name: analysed, findings (1)" [ "$rc" -eq 1 ]
check "non-ASCII zip name: the report names it" \
    grep -q "Kunde Ä.zip" "$work/out-zip/report.json"
check "non-ASCII zip name: members read" \
    jqt '[.findings[]] | length > 0' "$work/out-zip/report.json"
"$cb" -q -o "$work/out-dir" "$work/Fälle/Ordner Ö" > /dev/null 2> "$work/err"
rc=$?
check "non-ASCII folder: walked, findings (1)" [ "$rc" -eq 1 ]
check "non-ASCII folder: its files named in UTF-8" \
    grep -q "Ordner Ö/HV-NODE1_cluster.log" "$work/out-dir/report.json"
(cd "$work/Fälle" && "$cb" -q "Kunde Ä.zip" > "$work/stdout" 2> "$work/err")
check "default report directory named after the input" \
    [ -s "$work/Fälle/Kunde Ä.casebrief/report.html" ]
check "its path printed in UTF-8" grep -q "Kunde Ä.casebrief/report.html" \
    "$work/stdout"

# Over 4 GB: sparse, so it costs no disk.
mkdir -p "$work/big"
cp "$samples"/demo-bundle/* "$work/big/"
if truncate -s 4500M "$work/big/huge.log" 2> /dev/null; then
    "$cb" -q --max-member-size 4G -o "$work/out-big" "$work/big" \
        > /dev/null 2> "$work/err"
    rc=$?
    check "4.5 GB file beside the logs: the rest analysed (1)" [ "$rc" -eq 1 ]
    check "4.5 GB file: skipped with its exact size" \
        grep -q "size 4718592000 above --max-member-size (4294967296)" \
        "$work/out-big/report.json"
else
    echo "skip 4.5 GB file (no sparse files here)"
fi
finish
