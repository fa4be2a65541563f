#!/usr/bin/env bash
# The HTML report of a bundle with over a million events stays small: it
# shows the incident windows, not every event. Needs $CASEBRIEF and $GEN
# (bench/gen_clusterlog).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$GEN" -n HV-NODE1 -s 135 -H "$work/HV-NODE1_cluster.log"
"$CASEBRIEF" -q -o "$work/r" "$work/HV-NODE1_cluster.log" > /dev/null
events=$(jq '.summary.events' "$work/r/report.json")
size=$(stat -c %s "$work/r/report.html")
echo "events: $events, report.html: $size bytes, findings: $(jq '.findings | length' "$work/r/report.json")"
pass=0 fail=0
if [ "$events" -ge 1000000 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL fewer than 1M events"; fi
if [ "$size" -lt 10000000 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL report.html is $size bytes"; fi
if grep -q "not shown" "$work/r/report.html"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL no note on the events left out"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
