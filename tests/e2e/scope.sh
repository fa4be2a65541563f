#!/usr/bin/env bash
# Scope (issue 16 #8): a folder holding a cluster case and unrelated
# machines' logs, and analyze --window / --host.
#  - The P3 scenario (two cluster nodes, 2024) plus two workstations'
#    TSS uploads from 2012 (written here by scenario.py from a description
#    of our own) with a power loss of their own: the workstations are
#    flagged (not in cluster.log's Nodes table, and 12 years away), their
#    findings kept out of the cluster's incidents and ranked after them.
#  - P2 (two stand-alone Hyper-V hosts, no node list) plus the same
#    workstations: only time tells, and it flags the workstations.
#  - --window before the incident gives no finding and says what it left
#    out; a window around it keeps the incident; --host keeps one host.
# Needs: $CASEBRIEF, $SCENARIOS, $TOOLS, python3, jq.
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
scen=${SCENARIOS:?set SCENARIOS to samples/scenarios}
tools=${TOOLS:?set TOOLS to tests/tools}
for tool in python3 jq; do
    command -v "$tool" > /dev/null || { echo "SKIP: no $tool"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

cat > "$work/ws.json" <<'EOF'
{
  "name": "ws", "seed": 7, "collector": "TSS", "cluster": "NONE",
  "domain": "home.local", "os": "2019", "nodes": ["WS-01", "LAPTOP-7"],
  "utc_offset_minutes": 60, "locale": "en-US",
  "start": "2012-03-01T08:00:00Z", "end": "2012-03-04T18:00:00Z",
  "collected": "2012-03-04T18:30:00Z", "noise_per_hour": 2,
  "clusterlog": false, "vms": [], "volumes": [],
  "events": [
    {"t": "2012-03-02T10:15:00Z", "kind": "power-loss",
     "nodes": ["WS-01", "LAPTOP-7"], "down": "40m", "stagger": "20s"}
  ]
}
EOF
for desc in "$work/ws.json" "$scen/p3-power-loss-orphan-avhdx/scenario.json" \
            "$scen/p2-replica-suspended-restart/scenario.json"; do
    python3 "$tools/scenario.py" build "$desc" "$work/gen" > /dev/null ||
        { echo "FAIL: scenario build $desc"; exit 1; }
done
p3=$work/gen/p3-power-loss-orphan-avhdx
mkdir -p "$work/mix" "$work/mix2"
cp "$p3"/* "$work/gen/ws"/* "$work/mix/"
cp "$work/gen/p2-replica-suspended-restart"/* "$work/gen/ws"/* "$work/mix2/"

"$cb" -q -o "$work/alone" "$p3" > /dev/null 2>&1
"$cb" -q -o "$work/out" "$work/mix" > /dev/null 2>&1; rc=$?
j=$work/out/report.json
check "the mixed folder has findings (exit 1)" [ "$rc" -eq 1 ]
check "the node list comes from cluster.log" \
    jqt '.summary.scope.members_from == "cluster.log Nodes" and
         .summary.scope.nodes == ["HV-NODE1", "HV-NODE2"]' "$j"
check "the two workstations are flagged, and only they" \
    jqt '[.summary.scope.outside[].host] == ["LAPTOP-7", "WS-01"]' "$j"
check "each with both reasons: not a node, 12 years before" \
    jqt 'all(.summary.scope.outside[].reason;
             test("not in the cluster.s node list") and
             test("12 years before the cluster"))' "$j"
check "the workstations' findings are counted apart" \
    jqt '.summary.scope.findings_apart > 0 and .summary.scope.findings_apart ==
         ([.findings[] | select(all(.hosts[]; . == "WS-01" or . == "LAPTOP-7"))]
          | length)' "$j"
check "no incident of the cluster names a workstation" \
    jqt 'all(.incidents[] | select(.outside | not);
             all(.hosts[]; . == "HV-NODE1" or . == "HV-NODE2"))' "$j"
check "the workstations' incident is outside and ranked after" \
    jqt '(.incidents | map(.outside)) as $o |
         ($o | index(true)) as $first | $first != null and
         all($o[$first:][]; .) and
         (.incidents[] | select(.hosts | index("WS-01")) | .outside)' "$j"
check "their findings come after the cluster's" \
    jqt '(.findings | map(all(.hosts[]; . == "WS-01" or . == "LAPTOP-7")))
         as $w | ($w | index(true)) as $first |
         $first != null and all($w[$first:][]; .)' "$j"
check "the cluster's incidents are those of the scenario alone" \
    [ "$(jq -c '[.incidents[] | select(.outside | not) | .title]' "$j")" = \
      "$(jq -c '[.incidents[].title]' "$work/alone/report.json")" ]
check "the first incident is still the cluster's (as alone)" \
    jqt '.incidents[0].title | test("APPSRV")' "$j"
line='2 hosts are not nodes of this cluster: LAPTOP-7, WS-01; their findings are listed apart'
check "the HTML says it under its header" grep -qF "$line" "$work/out/report.html"
check "the HTML lists them apart" grep -q '<h2 id="outside">Outside this cluster' "$work/out/report.html"
check "report.md says it" grep -qF "$line" "$work/out/report.md"
check "report.md lists them apart" grep -q '^## Outside this cluster' "$work/out/report.md"
check "the scenario alone flags nothing" \
    jqt '.summary.scope.outside == [] and .summary.scope.focus == null' \
    "$work/alone/report.json"

# No node list: time alone tells
"$cb" -q -f json -o "$work/out2" "$work/mix2" > /dev/null 2>&1
check "without a node list the membership is unknown" \
    jqt '.summary.scope.members_from == "unknown"' "$work/out2/report.json"
check "the 2012 workstations are outside by time alone" \
    jqt '[.summary.scope.outside[] | select(.reason |
          test("^its events \\(2012-03-01 .. 2012-03-04\\) lie 12 years before the rest of the case"))
          | .host] == ["LAPTOP-7", "WS-01"]' "$work/out2/report.json"

# --window before the incident (14 Nov 19:42): nothing found, and said so
"$cb" -q -o "$work/before" --window '2024-11-12T06:00Z..2024-11-13 00:00' \
    "$p3" > /dev/null 2>&1; rc=$?
jb=$work/before/report.json
check "a window before the incident finds nothing (exit 0)" [ "$rc" -eq 0 ]
check "and no finding" jqt '.findings == [] and .incidents == []' "$jb"
check "the focus is stated with what it left out" \
    jqt '.summary.scope.focus.text |
         test("^window 2024-11-12 06:00..2024-11-13 00:00 UTC: [0-9]+ events outside left out$")' "$jb"
check "every event kept is inside the window" \
    jqt '.summary.first >= "2024-11-12T06:00" and .summary.last <= "2024-11-13T00:00:00.000001"' "$jb"
check "the inventory still lists every source" \
    [ "$(jq '.sources | length' "$jb")" -eq "$(jq '.sources | length' "$work/alone/report.json")" ]
check "the sources' left-out counts add up to the total" \
    jqt '([.sources[].left_out] | add) == .summary.scope.focus.left_out' "$jb"
check "the HTML says the focus" grep -q 'id="focus"' "$work/before/report.html"
check "and that nothing matched within it" grep -q 'No rule matched: no known problem pattern was found in these logs within the focus' "$work/before/report.html"
check "report.md too" grep -q '^No known failure pattern was found within the focus' "$work/before/report.md"
check "report.md says the focus" grep -q '^- \*\*Focus:\*\* window 2024-11-12 06:00' "$work/before/report.md"

# A window around the incident keeps it
"$cb" -q -f json -o "$work/during" --window '2024-11-14T19:00Z..2024-11-15T00:00Z' \
    "$p3" > /dev/null 2>&1; rc=$?
check "a window around the incident finds it (exit 1)" [ "$rc" -eq 1 ]
check "with the locked AVHDX and the power loss of both nodes" \
    jqt '([.findings[].id] | index("P3.checkpoint-locked-avhdx") != null) and
         ([.incidents[0].hosts[]] == ["HV-NODE1", "HV-NODE2"])' \
    "$work/during/report.json"

# --host: one node only (a comma list, any case)
"$cb" -q -f json -o "$work/host" --host ws-01,laptop-7 "$work/mix" > /dev/null 2>&1
check "--host keeps the named hosts' findings only" \
    jqt '[.findings[].hosts[]] | unique == ["LAPTOP-7", "WS-01"]' "$work/host/report.json"
check "--host is stated" \
    jqt '.summary.scope.focus.hosts == ["ws-01", "laptop-7"] and
         (.summary.scope.focus.text | test("^hosts ws-01, laptop-7: "))' "$work/host/report.json"
"$cb" -q -f json -o "$work/host1" --host HV-NODE2 "$p3" > /dev/null 2>&1
check "--host HV-NODE2 leaves HV-NODE1's checkpoint failure out" \
    jqt '([.findings[].id] | index("P3.checkpoint-locked-avhdx")) == null and
         all(.findings[].hosts[]; . == "HV-NODE2")' "$work/host1/report.json"

# Bad values are usage errors naming the value
"$cb" -q -o "$work/bad" --window '2024-13-01..' "$p3" > /dev/null 2> "$work/err"; rc=$?
check "a bad window is a usage error (2)" [ "$rc" -eq 2 ]
check "naming the bad value" grep -q "FROM '2024-13-01'" "$work/err"
"$cb" -q -o "$work/bad" --window '2024-11-15..2024-11-14' "$p3" > /dev/null 2> "$work/err"; rc=$?
check "a window ending before it starts is 2" [ "$rc" -eq 2 ]
"$cb" -q -o "$work/bad" --host 'a,,b' "$p3" > /dev/null 2> "$work/err"; rc=$?
check "an empty host name is 2" [ "$rc" -eq 2 ]
check "naming the list" grep -q "'a,,b'" "$work/err"

# timeline takes the same forms
a=$("$cb" timeline --window '2024-11-14T19:00Z..2024-11-14T23:00Z' "$p3" | wc -l)
b=$("$cb" timeline --window '2024-11-14T19:00,2024-11-14T23:00' "$p3" | wc -l)
check "timeline --window FROM..TO and FROM,TO agree" [ "$a" -eq "$b" ] 
check "and leave events out" [ "$a" -gt 0 ] 

finish
