#!/usr/bin/env bash
# 'cmake --install' into a temporary prefix, the prefix moved elsewhere,
# then the installed binary run from / on the demo bundle: it must find
# its own knowledge base (relative to the executable, not the source
# tree), write the reports and the findings; and the man page must render
# without a warning.
# Needs: $CMAKE, $BUILD (the build tree), $SAMPLES, jq; man and groff for
# the man page checks (exit 77, skipped, when they are missing).
set -u
cmake=${CMAKE:?set CMAKE to cmake}
build=${BUILD:?set BUILD to the build directory}
samples=${SAMPLES:?set SAMPLES to the samples directory}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log" 2>&1
check "cmake --install succeeds" [ $? -eq 0 ]
mv "$work/prefix" "$work/moved"
p="$work/moved"
check "binary in bin/" [ -x "$p/bin/casebrief" ]
check "rules in share/casebrief/rules" \
    sh -c 'ls "$1"/share/casebrief/rules/*.xml > /dev/null' _ "$p"
check "the rule language's README beside them" [ -f "$p/share/casebrief/rules/README.md" ]
check "man page in share/man/man1" [ -f "$p/share/man/man1/casebrief.1" ]
check "the man page carries the version" \
    grep -q "^\.TH CASEBRIEF 1 .*\"casebrief $("$p/bin/casebrief" --version | cut -d' ' -f2)\"" \
    "$p/share/man/man1/casebrief.1"

# From /, without CASEBRIEF_RULES: the moved prefix's own rules
cd /
env -u CASEBRIEF_RULES "$p/bin/casebrief" rules list > "$work/rules.txt"
check "rules list from the moved prefix" grep -q "^P1.node-isolation " "$work/rules.txt"
env -u CASEBRIEF_RULES "$p/bin/casebrief" rules check \
    --tests "$samples/../tests/rules" > "$work/check.txt" 2>&1
check "the rules in force are the installed ones" \
    grep -q "^$p/bin/../share/casebrief/rules: [0-9]* rules, 0 errors" "$work/check.txt"
env -u CASEBRIEF_RULES "$p/bin/casebrief" -q -o "$work/out" \
    "$samples/demo-bundle" > "$work/stdout"
rc=$?
check "analyze from / exits 1 (findings)" [ "$rc" -eq 1 ]
for f in report.html report.md report.json; do
    check "$f written" [ -s "$work/out/$f" ]
done
check "the HTML report's path printed" grep -qx "$work/out/report.html" "$work/stdout"
check "the node isolation found" \
    jq -e '.findings[0].id == "P1.node-isolation"' "$work/out/report.json"
# with its rules gone, the moved binary says so (and finds nothing)
mv "$p/share/casebrief/rules" "$p/share/casebrief/rules.off"
env -u CASEBRIEF_RULES "$p/bin/casebrief" rules check --tests "$work" \
    > "$work/check2.txt" 2>&1
check "without the installed rules it does not claim them" \
    sh -c '! grep -q "^$1/bin/../share" "$2"' _ "$p" "$work/check2.txt"
mv "$p/share/casebrief/rules.off" "$p/share/casebrief/rules"

skip=0
if command -v man > /dev/null && command -v groff > /dev/null; then
    page="$p/share/man/man1/casebrief.1"
    MANWIDTH=80 man -l "$page" > "$work/man.txt" 2> "$work/man.err"
    check "man renders the page" grep -q "EXIT STATUS" "$work/man.txt"
    check "man says nothing on stderr" [ ! -s "$work/man.err" ]
    for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES ENVIRONMENT EXAMPLES; do
        check "man page has $s" grep -q "^$s" "$work/man.txt"
    done
    groff -man -ww -z "$page" 2> "$work/groff.err"
    check "groff -ww: no warnings" [ ! -s "$work/groff.err" ]
    # every long option of both --help texts is in the man page
    for o in $( ("$p/bin/casebrief" --help; "$p/bin/casebrief" batch --help) |
                grep -o -- '--[a-z][a-z-]*' | sort -u); do
        check "man page documents $o" grep -q -- "$o" "$work/man.txt"
    done
else
    echo "skip man page checks: man or groff missing (scripts/deps.sh)"
    skip=1
fi

finish
[ "$skip" -eq 0 ] || exit 77
