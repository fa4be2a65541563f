#!/usr/bin/env bash
# Cost per event against the number of distinct values (issue 19 #3): a
# cluster.log whose every INFO line has its own component, an event XML
# export whose every event has its own channel, at N lines for each N of
# SIZES, and a zip of N/20 header-less cluster.logs, one node each (a
# source per member). Per-line cost must stay flat: doubling N doubles the
# time.
# Prints seconds, microseconds per line and the ratio to the previous N.
#
#   bash bench/distinct.sh [CASEBRIEF] [SIZES]
#     default: build/casebrief, "100000 200000 400000 800000"
set -eu
cb=${1:-build/casebrief}
sizes=${2:-100000 200000 400000 800000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gen_components() { # N FILE
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
        printf "00000a1c.00001f04::2024/11/15-%02d:%02d:%02d.%03d INFO  " \
               "[COMP%d] routine line %d\r\n",
               int(i / 3600000) % 24, int(i / 60000) % 60, int(i / 1000) % 60,
               i % 1000, i, i }' > "$2"
}
gen_channels() { # N FILE
    awk -v n="$1" 'BEGIN { print "<Events>"; for (i = 0; i < n; i++)
        printf "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">" \
               "<System><Provider Name=\"P\"/><EventID>1</EventID><Level>4</Level>" \
               "<TimeCreated SystemTime=\"2024-11-15T09:%02d:%02d.%03dZ\"/>" \
               "<EventRecordID>%d</EventRecordID><Channel>Chan-%d</Channel>" \
               "<Computer>N1</Computer></System></Event>\n",
               int(i / 60000) % 60, int(i / 1000) % 60, i % 1000, i + 1, i;
        print "</Events>" }' > "$2"
}

gen_members() { # N FILE: N/20 members of one line each
    python3 - "$1" "$2" <<'PY'
import sys, zipfile
n, out = int(sys.argv[1]) // 20, sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for i in range(n):
        z.writestr("logs/N%d_cluster.log" % i,
                   b"00000a1c.00001f04::2024/11/15-09:00:%02d.000 ERR   "
                   b"[RCM] node %d\r\n" % (i % 60, i))
PY
}

run() { # KIND GEN FILENAME
    local prev=""
    for n in $sizes; do
        "$2" "$n" "$work/$3"
        local t0 t1
        t0=$(date +%s.%N)
        "$cb" analyze -q -f json -o "$work/out" "$work/$3" > /dev/null || true
        t1=$(date +%s.%N)
        awk -v k="$1" -v n="$n" -v a="$t0" -v b="$t1" -v p="$prev" 'BEGIN {
            s = b - a; printf "%-11s %8d lines  %7.2f s  %6.2f us/line", k, n, s, s / n * 1e6
            if (p != "") printf "  x%.2f for x2", s / p
            printf "\n" }'
        prev=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
        rm -f "$work/$3"
    done
}
echo "casebrief: $cb"
run components gen_components N1_cluster.log
run channels gen_channels N1_events.xml
run members/20 gen_members members.zip
