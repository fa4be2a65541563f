#!/usr/bin/env bash
# End-to-end on the scenario bundles (samples/scenarios/*/scenario.json):
# generate each one twice (the two must be byte-identical), run
# `casebrief analyze` on it and check report.json against the scenario's
# expected.json: every expected finding (rule id, hosts, entities, time
# window of its first and last occurrence, count, confidence) is there,
# the absent ones are not, and a true negative has nothing above its
# max_severity. Deleting a rule from rules/ makes this fail.
# Needs: $CASEBRIEF, $SCENARIOS (samples/scenarios), $TOOLS (tests/tools),
# $OUT (scratch dir in the build tree), python3, jq.
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
scen=${SCENARIOS:?set SCENARIOS to samples/scenarios}
tools=${TOOLS:?set TOOLS to tests/tools}
out=${OUT:?set OUT to a scratch directory}
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }
command -v jq > /dev/null || { echo "SKIP: jq missing"; exit 77; }
rm -rf "$out"
mkdir -p "$out/a" "$out/b"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }

# One expectation against report.json: the findings matching it.
# shellcheck disable=SC2016
match='
def ts: .[0:19] + "Z" | fromdateiso8601;
def within($w): $w == null or ((ts >= ($w[0] | ts)) and (ts <= ($w[1] | ts)));
[.findings[] | select(.id == $e.id) | . as $f
  | select(all(($e.hosts // [])[]; . as $h | $f.hosts | index($h) != null))
  | select(all(($e.entities // {}) | to_entries[]; . as $k
      | any($f.entities[]; .name == $k.key and (.value | contains($k.value)))))
  | select(.first | within($e.first))
  | select(.last | within($e.last))
  | select(.count >= ($e.min_count // 1))
  | select(.confidence >= ($e.min_confidence // 0))]'

for desc in "$scen"/*/scenario.json; do
    dir=$(dirname "$desc")
    name=$(basename "$dir")
    exp="$dir/expected.json"
    python3 "$tools/scenario.py" build "$desc" "$out/a" > /dev/null ||
        { bad "$name: generate"; continue; }
    python3 "$tools/scenario.py" build "$desc" "$out/b" > /dev/null
    if diff -r "$out/a/$name" "$out/b/$name" > /dev/null &&
        cmp -s "$out/a/$name.manifest.json" "$out/b/$name.manifest.json"; then
        ok "$name: generated twice, byte-identical"
    else
        bad "$name: generated twice, outputs differ"
    fi
    size=$(du -sk "$out/a/$name" | cut -f1)
    if [ "$size" -lt 4096 ]; then ok "$name: bundle ${size} KiB"
    else bad "$name: bundle ${size} KiB, over 4 MiB"; fi

    report="$out/$name.casebrief"
    "$cb" analyze -q -o "$report" "$out/a/$name" > /dev/null 2> "$out/$name.err"
    rc=$?
    want=$(jq -r '.exit // empty' "$exp")
    if [ -n "$want" ]; then
        [ "$rc" -eq "$want" ] && ok "$name: exit $rc" ||
            bad "$name: exit $rc, expected $want" "$(head -3 "$out/$name.err")"
    fi
    [ -s "$report/report.json" ] || { bad "$name: no report.json"; continue; }
    # routine cluster.log lines are only counted by default: keeping every
    # line must not change one finding, gap or count
    all="$out/$name.keep-all"
    "$cb" analyze -q --keep-all -f json -o "$all" "$out/a/$name" > /dev/null 2>&1
    same='{findings, gaps, hosts, events: .summary.events, first: .summary.first,
           last: .summary.last, sources: [.sources[] | {path, events, first, last}]}'
    if [ "$(jq -c "$same" "$report/report.json")" = "$(jq -c "$same" "$all/report.json")" ]; then
        ok "$name: --keep-all finds the same ($(jq '.summary.events_kept' "$report/report.json") of $(jq '.summary.events' "$report/report.json") events kept)"
    else
        bad "$name: --keep-all changes the result" "$(diff <(jq "$same" "$report/report.json") <(jq "$same" "$all/report.json") | head -20)"
    fi

    n=$(jq '.findings | length' "$exp")
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".findings[$i]" "$exp")
        label=$(jq -r '"\(.id) on \(.hosts // [] | join(","))'`
            `' \(.entities // {} | to_entries | map("\(.key)=\(.value)") | join(" "))"' <<< "$e")
        got=$(jq --argjson e "$e" "$match | length" "$report/report.json")
        if [ "$got" -ge 1 ]; then ok "$name: $label"
        else
            bad "$name: $label" "not in report; findings with that id: $(jq -c --arg id \
                "$(jq -r .id <<< "$e")" '[.findings[] | select(.id == $id)
                | {hosts, entities, first, last, count, confidence}]' \
                "$report/report.json" | cut -c1-600)"
        fi
    done
    n=$(jq '.absent | length' "$exp")
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".absent[$i]" "$exp")
        got=$(jq --argjson e "$e" "$match | length" "$report/report.json")
        label=$(jq -r '"no \(.id)\(if .hosts then " on " + (.hosts | join(",")) else "" end)'`
            `'\(.entities // {} | to_entries | map(" \(.key)=\(.value)") | join(""))"' <<< "$e")
        [ "$got" -eq 0 ] && ok "$name: $label" || bad "$name: $label" "$got found"
    done
    # incidents: each README states them, one "- I<n> root RULE: RULE, ..."
    # line per incident in rank order (members as a multiset of rule ids)
    want=$(sed -n 's/^- \(I[0-9]*\) root \([^:]*\): \(.*\)$/\1 \2: \3/p' "$dir/README.md" |
        while read -r ref root rest; do
            echo "$ref ${root%:} $(tr -d ' ' <<< "$rest" | tr ',' '\n' | sort | paste -sd, -)"
        done)
    got=$(jq -r '(.findings | map({key: .ref, value: .id}) | from_entries) as $id
        | .incidents[] | "\(.ref) \($id[.root]) \([.findings[] | $id[.]] | sort | join(","))"' \
        "$report/report.json")
    if [ -z "$want" ] && [ "$(jq '.findings | length' "$report/report.json")" -gt 0 ]; then
        bad "$name: README states no incidents"
    elif [ "$want" = "$got" ]; then
        ok "$name: incidents as the README states ($(jq '.incidents | length' "$report/report.json"))"
    else
        bad "$name: incidents" "README: $(tr '\n' ';' <<< "$want") report: $(tr '\n' ';' <<< "$got")"
    fi
    # report.md as a case note (issue 16 #9): the case summary names each
    # incident the README states with its root rule; rows name files, not
    # nested paths, and every S number they cite is in the Sources list;
    # the inventory is one line per host; no internal path anywhere
    md="$report/report.md"
    summary=$(sed -n '/^```text$/,/^```$/p' "$md")
    miss=""
    while read -r ref root _; do
        [ -n "$ref" ] || continue
        awk -v r="$ref (" -v rule="rule ${root%:})" 'index($0, r) == 1 { on = 1; next }
            on && /^I[0-9]+ \(/ { on = 0 } on && index($0, rule) { found = 1 }
            END { exit !found }' <<< "$summary" || miss="$miss $ref:${root%:}"
    done < <(sed -n 's/^- \(I[0-9]*\) root \([^:]*\): .*$/\1 \2/p' "$dir/README.md")
    [ -n "$summary" ] && [ -z "$miss" ] && ok "$name: report.md case summary names each incident's root" ||
        bad "$name: report.md case summary" "missing:$miss"
    nested=$(grep -c '^| 20.*\.zip!' "$md")
    cited=$(grep -o '^| 20.* (S[0-9]*) |' "$md" | grep -o '(S[0-9]*)' | tr -d '()' | sort -u)
    listed=$(sed -n 's/^- \(S[0-9]*\): .*/\1/p' "$md" | sort -u)
    unlisted=$(comm -23 <(echo "$cited") <(echo "$listed") | tr '\n' ' ')
    [ "$nested" -eq 0 ] && [ -z "${unlisted// /}" ] &&
        ok "$name: report.md rows cite file names, full paths in Sources" ||
        bad "$name: report.md sources" "$nested rows with nested paths; not listed: $unlisted"
    hosts=$(jq '[.sources[] | .host // ""] | unique | length' "$report/report.json")
    lines=$(awk '/^## Inventory$/ { on = 1; next } on && /^- \*\*/ { n++ }
        on && /^(\*\*|## )/ { exit } END { print n + 0 }' "$md")
    [ "$lines" -eq "$hosts" ] && ok "$name: report.md inventory, one line per host ($hosts)" ||
        bad "$name: report.md inventory" "$lines lines for $hosts hosts"
    ! grep -q 'shared/kb\|\.\./' "$md" && ok "$name: report.md names no internal path" ||
        bad "$name: report.md internal path" "$(grep -m2 'shared/kb\|\.\./' "$md")"
    bad_refs=$(jq '[.findings[].incident] - [.incidents[].ref] | length' "$report/report.json")
    [ "$bad_refs" -eq 0 ] && ok "$name: every finding names an existing incident" ||
        bad "$name: findings name unknown incidents"
    # remediation filled with the case's values: each expected command is
    # in a step of that rule's finding, every step says diagnose or fix,
    # and no step is left with a value nothing filled
    n=$(jq '.remediation // [] | length' "$exp")
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".remediation[$i]" "$exp")
        got=$(jq --argjson e "$e" '[.findings[] | select(.id == $e.id) | .remediation[]
            | select((.powershell // "") | contains($e.powershell))] | length' "$report/report.json")
        [ "$got" -ge 1 ] && ok "$name: $(jq -r .id <<< "$e") step filled: $(jq -r .powershell <<< "$e" | cut -c1-60)" ||
            bad "$name: $(jq -r .id <<< "$e") step not filled" "$(jq -r .powershell <<< "$e")"
    done
    if [ "$n" -gt 0 ]; then
        unfilled=$(jq '[.findings[].remediation[] | select(.unknown_values > 0 or
            (.kind != "diagnose" and .kind != "fix"))] | length' "$report/report.json")
        [ "$unfilled" -eq 0 ] && ok "$name: every step filled and marked diagnose or fix" ||
            bad "$name: $unfilled steps unfilled or unmarked"
    fi
    # true times: when a node really went down (EventLog 6008 in the
    # node's local time, converted with its offset) and how (Kernel-Power
    # 41), and the incident starting then rather than at the boot
    n=$(jq '.went_down // [] | length' "$exp")
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".went_down[$i]" "$exp")
        # a one-node finding's went_down, or an outage of a finding that
        # spans several nodes ({host, from, to, stop, how}: to is the boot)
        got=$(jq --argjson e "$e" '[.findings[] | select(.id == $e.id)
            | (select(.hosts == [$e.host] and .went_down != null
                      and (.went_down[0:19] + "Z") == $e.at and .stop == $e.stop)),
              (.outages[] | select(.host == $e.host and .stop != null
                      and (.stop[0:19] + "Z") == $e.at and .how == $e.stop
                      and ($e.back == null or (.to[0:19] + "Z") == $e.back)))] | length' \
            "$report/report.json")
        [ "$got" -ge 1 ] && ok "$name: $(jq -r '"\(.host) went down at \(.at): \(.stop)"' <<< "$e")" ||
            bad "$name: went_down" "$e; report: $(jq -c '[.findings[] | {id, hosts, went_down, stop, outages}]' "$report/report.json")"
    done
    # each finding of an incident's timeline in report.md says where it
    # was logged (two "resources failing" findings read alike otherwise)
    unplaced=$(jq -r '.findings[] | select((.hosts | length) > 0)
        | "\(.ref)\t\(.hosts | join(", "))"' "$report/report.json" |
        while IFS=$'\t' read -r ref hosts; do
            grep -q "UTC, $ref[ :(].*(logged on $hosts)\$" "$report/report.md" || echo "$ref"
        done)
    [ -z "$unplaced" ] && ok "$name: report.md's incident timelines name each finding's hosts" ||
        bad "$name: incident timeline lines without their hosts" "$unplaced"
    # the case summary states each outage from the stop to the boot
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".went_down[$i]" "$exp")
        back=$(jq -r '.back // empty' <<< "$e")
        [ -n "$back" ] || continue
        line="  Down:   $(jq -r '"\(.host) \(.at | sub("T"; " ") | sub("Z"; ""))"' <<< "$e") to $(sed 's/T/ /; s/Z//' <<< "$back") UTC"
        grep -qF "$line" "$report/report.md" &&
            ok "$name: the case summary says $(jq -r .host <<< "$e") was down until $back" ||
            bad "$name: case summary outage" "want '$line'; got: $(grep -F 'Down:' "$report/report.md" | head -3)"
    done
    # the picture draws each outage from that time
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".went_down[$i]" "$exp")
        title="$(jq -r .host <<< "$e") was down from $(jq -r '.at | sub("T"; " ") | sub("Z"; "")' <<< "$e").000 (EventLog 6008's time)"
        grep -qF "<title>$title" "$report/report.html" &&
            ok "$name: the picture draws the outage of $(jq -r .host <<< "$e")" ||
            bad "$name: no outage bar" "$title"
    done
    # every marker of the pictures links to a finding card that exists,
    # and every finding has a marker
    html="$report/report.html"
    missing=$(grep -o '<a href="#F[0-9]*"><g class="fm' "$html" | sed 's/.*#\(F[0-9]*\)".*/\1/' | sort -u |
        while read -r ref; do grep -q "<section class=\"finding [a-z]*\" id=\"$ref\">" "$html" || echo "$ref"; done)
    unmarked=$(jq -r '.findings[].ref' "$report/report.json" |
        while read -r ref; do grep -q "<a href=\"#$ref\"><g class=\"fm" "$html" || echo "$ref"; done)
    [ -z "$missing$unmarked" ] && ok "$name: every marker links to its finding card ($(grep -o '<a href="#F[0-9]*"><g class="fm' "$html" | wc -l) markers)" ||
        bad "$name: markers" "without a card: ${missing:-none}; findings without a marker: ${unmarked:-none}"
    want=$(jq -r '.incident_first // empty' "$exp")
    if [ -n "$want" ]; then
        got=$(jq -r '.incidents[0].first[0:19] + "Z"' "$report/report.json")
        [ "$got" = "$want" ] && ok "$name: I1 starts at the outage, $want" ||
            bad "$name: I1 starts at $got, not at the outage $want"
    fi
    # optional: gaps that must be there (kind, host, a part of the detail)
    n=$(jq '.gaps // [] | length' "$exp")
    for i in $(seq 0 $((n - 1))); do
        e=$(jq -c ".gaps[$i]" "$exp")
        got=$(jq --argjson e "$e" '[.gaps[] | select(.kind == $e.kind
            and ($e.host == null or .host == $e.host)
            and (.detail | contains($e.detail)))] | length' "$report/report.json")
        [ "$got" -ge 1 ] && ok "$name: gap $(jq -r '.detail[0:70]' <<< "$e")" ||
            bad "$name: gap missing" "$e; report: $(jq -c '[.gaps[] | {kind, host, detail}]' "$report/report.json" | cut -c1-600)"
    done
    # a gap lists only the rules it kept from judging: never one that fired
    fired_in_gaps=$(jq '[.findings[].id] as $f | [.gaps[].rules[] | select(. as $r | $f | index($r))] | length' \
        "$report/report.json")
    [ "$fired_in_gaps" -eq 0 ] && ok "$name: no gap lists a rule that fired" ||
        bad "$name: $fired_in_gaps gap rule ids fired"
    # optional: the report's hosts, exactly; the parser of each file
    # whose name ends so
    want=$(jq -c '.hosts // empty' "$exp")
    if [ -n "$want" ]; then
        got=$(jq -c '[.hosts[].name] | sort' "$report/report.json")
        [ "$got" = "$(jq -c 'sort' <<< "$want")" ] && ok "$name: hosts $got" ||
            bad "$name: hosts $got, expected $want"
    fi
    for suffix in $(jq -r '.formats // {} | keys[]' "$exp"); do
        fmt=$(jq -r --arg s "$suffix" '.formats[$s]' "$exp")
        wrong=$(jq -r --arg s "$suffix" --arg f "$fmt" '[.sources[]
            | select(.path | endswith($s)) | select(.format != $f)
            | "\(.path | split("/") | last)=\(.format)"] | join(" ")' \
            "$report/report.json")
        n_src=$(jq --arg s "$suffix" '[.sources[] | select(.path | endswith($s))]
            | length' "$report/report.json")
        [ -z "$wrong" ] && [ "$n_src" -gt 0 ] &&
            ok "$name: *$suffix read as $fmt ($n_src files)" ||
            bad "$name: *$suffix read as $fmt" "${wrong:-no such file}"
    done
    max=$(jq -r '.max_severity // empty' "$exp")
    if [ -n "$max" ]; then
        above=$(jq --arg max "$max" '
            {"info":0,"low":1,"medium":2,"high":3,"critical":4} as $r
            | [.findings[] | select($r[.severity] > $r[$max])
               | "\(.id) \(.severity) \(.hosts | join(","))"]' \
            "$report/report.json")
        [ "$(jq length <<< "$above")" -eq 0 ] &&
            ok "$name: no finding above $max" ||
            bad "$name: findings above $max" "$(jq -c . <<< "$above")"
        events=$(jq '.summary.events' "$report/report.json")
        [ "$events" -gt 1000 ] && ok "$name: $events events read" ||
            bad "$name: only $events events read"
    fi
done

echo "scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
