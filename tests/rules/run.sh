#!/usr/bin/env bash
# The rule test driver: every tests/rules/<case>/ is analyzed with the
# shipped rules only, and its findings compared with expected.json (see
# make_cases.py for the format). Then every rule must fire in some case and
# be a near miss ("absent") in another.
# Needs: $CASEBRIEF (binary), $RULES (rules dir), jq.
set -u
cb=${CASEBRIEF:?}
rules=${RULES:?}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

for case in "$here"/*/; do
    name=$(basename "$case")
    [ -f "$case/expected.json" ] || continue
    out="$work/$name"
    "$cb" analyze -q --no-default-rules --rules "$rules" -o "$out" \
        "$case/input" > /dev/null 2> "$work/$name.err"
    rc=$?
    if [ ! -f "$out/report.json" ] || [ "$rc" -ge 2 ]; then
        bad "$name: casebrief exited $rc: $(head -3 "$work/$name.err")"
        continue
    fi
    # Each expected finding must match a distinct actual one; nothing else
    # may be found; absent ids must not appear.
    verdict=$(jq -n --slurpfile exp "$case/expected.json" \
                    --slurpfile rep "$out/report.json" '
        def fits($e; $f):
            $f.id == $e.id
            and (($e.count // null) == null or $f.count == $e.count)
            and (($e.hosts // null) == null or $f.hosts == $e.hosts)
            and (($e.min_confidence // null) == null or $f.confidence >= $e.min_confidence)
            and (($e.max_confidence // null) == null or $f.confidence <= $e.max_confidence)
            and (($e.entities // {}) | to_entries | all(. as $kv |
                   any($f.entities[]; .name == $kv.key and .value == $kv.value)));
        ($exp[0]) as $x | ($rep[0].findings) as $got
        | reduce $x.findings[] as $e ({left: $got, missing: []};
            ([.left | to_entries[] | select(fits($e; .value)) | .key][0]) as $i
            | if $i == null then .missing += [$e]
              else .left |= (.[:$i] + .[$i + 1:]) end)
        | {missing: .missing,
           unexpected: [.left[] | {id, count, hosts, confidence, entities}],
           forbidden: [$got[] | select(.id as $id | $x.absent | index($id)) | .id]}
        | select(.missing != [] or .unexpected != [] or .forbidden != [])')
    if [ -n "$verdict" ]; then
        bad "$name: $(echo "$verdict" | jq -c .)"
    else
        pass=$((pass + 1))
        echo "ok   $name"
    fi
done

# coverage: each rule fires somewhere and is a near miss somewhere
"$cb" rules list --no-default-rules --rules "$rules" | awk '{print $1}' > "$work/ids"
while read -r id; do
    pos=$(jq -r --arg id "$id" 'select(any(.findings[]; .id == $id)) | 1' "$here"/*/expected.json | head -1)
    neg=$(jq -r --arg id "$id" 'select(.absent | index($id)) | 1' "$here"/*/expected.json | head -1)
    if [ -z "$pos" ] || [ -z "$neg" ]; then
        bad "rule $id lacks a $([ -z "$pos" ] && echo positive) $([ -z "$neg" ] && echo negative) case"
    else
        pass=$((pass + 1))
    fi
done < "$work/ids"

# rules coverage: derived from running the cases; every rule fires in one
"$cb" rules coverage --no-default-rules --tests "$here" "$rules" \
    > "$work/coverage" 2> "$work/coverage.err"
if [ $? -ne 0 ]; then
    bad "rules coverage failed: $(head -3 "$work/coverage.err")"
else
    awk 'NR > 1 && $2 == 0 { print $1 }' "$work/coverage" > "$work/uncovered"
    if [ -s "$work/uncovered" ]; then
        bad "rules coverage: no case fires $(tr '\n' ' ' < "$work/uncovered")"
    elif ! grep -q '^P1.node-isolation .* de' "$work/coverage"; then
        bad "rules coverage: P1.node-isolation not tested in German"
    else
        pass=$((pass + 1))
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
