#!/usr/bin/env bash
# The cluster overview (issue 16 #6) on generated scenarios: the nodes,
# volumes and VMs (with their owner nodes and ids) the scenario describes,
# each once although every node's cluster.log lists them; then the same
# bundle with two logs edited so that they disagree, whose rows must say
# which log says what, in report.json, report.md and report.html. Expected
# values come from the scenario descriptions (scenario.json), not from
# casebrief's output.
# Needs: $CASEBRIEF, $SCENARIOS, $TOOLS, $OUT, python3, jq.
set -u
cb=${CASEBRIEF:?}
scen=${SCENARIOS:?}
tools=${TOOLS:?}
out=${OUT:?}
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || { echo "SKIP: jq missing"; exit 77; }
rm -rf "$out"
mkdir -p "$out"

gen() { # scenario name -> bundle directory
    python3 "$tools/scenario.py" build "$scen/$1/scenario.json" "$out/gen" \
        > /dev/null || { bad "$1: generate"; return 1; }
}

# ---- p1 from cluster logs alone: 3 nodes, 2 CSVs, 4 VMs ----------------
name=p1-node-isolation-clusterlogs
desc="$scen/$name/scenario.json"
gen "$name"
"$cb" -q -o "$out/p1" "$out/gen/$name" > /dev/null
j="$out/p1/report.json"
check "p1: overview from the three logs" \
    jqt '.overview.logs == ["HV-A01", "HV-A02", "HV-A03"]' "$j"
check "p1: the scenario's nodes, once each, Up, build 17763 (2019)" \
    jqt --slurpfile d "$desc" '[.overview.nodes[] | .name] == $d[0].nodes
        and all(.overview.nodes[]; .state == "Up"
                and .os == "Windows Server 2019, build 17763"
                and (.logs | length) == 3 and .differs == false)' "$j"
check "p1: the scenario's volumes, once each" \
    jqt --slurpfile d "$desc" '[.overview.volumes[] | .name]
        == ([$d[0].volumes[] | .name] | sort)' "$j"
check "p1: each VM once, by its own name, on the node the scenario puts it" \
    jqt --slurpfile d "$desc" '[.overview.vms[] | {name, owner}]
        == ([$d[0].vms[] | {name, owner: .node}] | sort_by(.name))' "$j"
check "p1: a VM's cluster resource beside its name" \
    jqt '.overview.vms[0].resource == ("Virtual Machine " + .overview.vms[0].name)' "$j"
check "p1: nothing differs" jqt '.overview.differ == 0' "$j"
md="$out/p1/report.md"
check "p1: report.md has one overview section" \
    [ "$(grep -c '^## Cluster overview$' "$md")" = 1 ]
check "p1: report.md lists SQL01 on HV-A02" \
    grep -q '^| VM | SQL01 | Online | HV-A02 |' "$md"
html="$out/p1/report.html"
check "p1: the HTML shows one overview table" \
    [ "$(grep -c '<table class="ov">' "$html")" = 1 ]
check "p1: the page's contents link to the overview" \
    grep -q '<nav class="toc">.*<a href="#overview">Overview</a>' "$html"
check "p1: the three raw copies of the tables are gone" \
    bash -c "! grep -q 'Configuration in the logs' '$html'"
check "p1: the overview comes after the incidents, before the summary" \
    python3 -c '
import sys
t = open(sys.argv[1], encoding="utf-8").read()
a, b, c = (t.find(x) for x in ("id=\"story\"", "id=\"overview\"", "id=\"summary\""))
sys.exit(0 if 0 <= a < b < c else 1)' "$html"

# ---- the same logs, disagreeing ------------------------------------------
# HV-A01's log written while HV-A02 was Down; HV-A03's still has SQL01 on
# HV-A01; HV-A03's leaves RDS01 out (its group and its resources).
bundle="$out/gen/$name"
sed -i 's/^HV-A02,2,Up,/HV-A02,2,Down,/' "$bundle/HV-A01_cluster.log"
sed -i 's/^SQL01,Online,HV-A02,/SQL01,Online,HV-A01,/;/^RDS01,Online,/d
        /^"Virtual Machine \(Configuration \)\?RDS01",/d' \
    "$bundle/HV-A03_cluster.log"
"$cb" -q -o "$out/diff" "$bundle" > /dev/null
j="$out/diff/report.json"
check "diff: three objects differ" jqt '.overview.differ == 3' "$j"
check "diff: HV-A02 is Up by two logs of three; HV-A01's says Down" \
    jqt '.overview.nodes[] | select(.name == "HV-A02") | .state == "Up"
        and .differs and (.logs[] | select(.host == "HV-A01") | .state)
        == "Down"' "$j"
check "diff: SQL01 on HV-A02 by two logs; HV-A03's says HV-A01" \
    jqt '.overview.vms[] | select(.name == "SQL01") | .owner == "HV-A02"
        and (.logs[] | select(.host == "HV-A03") | .owner) == "HV-A01"' "$j"
check "diff: RDS01 is listed by two logs, not by HV-A03's" \
    jqt '.overview.vms[] | select(.name == "RDS01") | .differs
        and (.logs | length) == 2 and .absent_from == ["HV-A03"]' "$j"
md="$out/diff/report.md"
check "diff: report.md says which log says Down" \
    grep -q '^| node | HV-A02 | Up \*\*— differs:\*\* HV-A01'"'"'s log: Down |' "$md"
html="$out/diff/report.html"
check "diff: the HTML highlights the rows that differ" \
    [ "$(grep -c '<tr class="differs">' "$html")" = 3 ]
check "diff: the HTML says which log says what" \
    grep -q '<td class="diff">HV-A02<br><span class="says">HV-A03'"'"'s log: HV-A01</span>' "$html"

# ---- VM ids from Hyper-V's events (the P3 bundle has .evtx) -----------
name=p3-power-loss-orphan-avhdx
desc="$scen/$name/scenario.json"
gen "$name"
"$cb" -q -o "$out/p3" "$out/gen/$name" > /dev/null
check "p3: each VM's id as the scenario gives it" \
    jqt --slurpfile d "$desc" '[.overview.vms[] | {name, vm_id}]
        == ([$d[0].vms[] | {name, vm_id: (.id | ascii_upcase)}]
            | sort_by(.name))' "$out/p3/report.json"

# ---- VMs Hyper-V-High-Availability names by their resource ------------
name=p4-live-migration-failures
desc="$scen/$name/scenario.json"
gen "$name"
"$cb" -q -o "$out/p4" "$out/gen/$name" > /dev/null
check "p4: 'Virtual Machine SQL-B' of 21502 is the VM SQL-B, listed once" \
    jqt --slurpfile d "$desc" '[.overview.vms[] | .name]
        == ([$d[0].vms[] | .name] | sort)' "$out/p4/report.json"
check "p4: the migrating VMs carry the id the scenario gives them" \
    jqt --slurpfile d "$desc" '[.overview.vms[] | select(.vm_id) | {name, vm_id}]
        - [$d[0].vms[] | {name, vm_id: (.id | ascii_upcase)}] == []
        and ([.overview.vms[] | select(.vm_id)] | length) >= 2' \
    "$out/p4/report.json"
finish
