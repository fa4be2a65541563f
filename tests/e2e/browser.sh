#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium driven through
# chromedriver's WebDriver HTTP API with curl and jq. A hostile bundle
# (event text carrying <script>, an onerror image and a javascript: URL) is
# analyzed; the page must run none of it, request nothing from the network,
# show its filter bar and filter rows, and a screenshot is saved. An
# upload cut short shows its damage banner on the first screen.
# Needs $CASEBRIEF, $SAMPLES, $OUT (where the screenshot goes); exits 77
# (skipped) when chromium or chromedriver is not installed.
set -u
cb=${CASEBRIEF:?}
out=${OUT:?}
chrome=$(command -v chromium || command -v chromium-browser || true)
driver=$(command -v chromedriver || true)
if [ -z "$chrome" ] || [ -z "$driver" ]; then
    echo "SKIP: chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
    exit 77
fi
work=$(mktemp -d)
port=$(( 20000 + $$ % 20000 ))
dpid=
cleanup() { [ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
pass=0 fail=0
check() { local name=$1; shift; if "$@"; then pass=$((pass+1)); echo "ok   $name"; else fail=$((fail+1)); echo "FAIL $name"; fi; }

# a quorum loss (so the line becomes evidence too) with hostile text
mkdir -p "$work/bundle"
{
    echo '00000d18.00001b44::2024/11/15-01:58:10.000 INFO  [NM] Node 2: heartbeat ok'
    echo '00000d18.00001b44::2024/11/15-01:58:12.911 ERR   [QUORUM] Node 2: lost quorum <script>window.__cbpwned=1</script><img src=x onerror="window.__cbpwned=2"> <a href="javascript:window.__cbpwned=3">x</a>'
    echo '00000d18.00001b44::2024/11/15-01:58:13.000 INFO  [RCM] terminating resource monitors'
} > "$work/bundle/HV-NODE2_cluster.log"
cp "$SAMPLES/demo-bundle/HV-NODE1_cluster.log" "$work/bundle/"
"$cb" -q -o "$work/report" "$work/bundle" > /dev/null
page="$work/report/report.html"
check "report written" [ -s "$page" ]

"$driver" --port="$port" > "$work/driver.log" 2>&1 &
dpid=$!
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/status" > /dev/null && break
    sleep 0.2
done
wd() { # method path [json]
    curl -sf -X "$1" "http://127.0.0.1:$port$2" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
caps=$(jq -n --arg bin "$chrome" --arg dir "$work/profile" '{capabilities: {alwaysMatch: {browserName: "chrome",
    "goog:chromeOptions": {binary: $bin, args: ["--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--no-first-run",
      "--disable-sync", "--window-size=1300,1600", ("--user-data-dir=" + $dir)]}}}}')
sid=$(wd POST /session "$caps" | jq -r '.value.sessionId // empty')
if [ -z "$sid" ]; then
    echo "FAIL could not start a browser session: $(tail -3 "$work/driver.log")"
    echo "$pass passed, $((fail + 1)) failed"
    exit 1
fi
js() { # script -> value (JSON)
    wd POST "/session/$sid/execute/sync" "$(jq -n --arg s "$1" '{script: $s, args: []}')" | jq -c '.value'
}
wd POST "/session/$sid/url" "$(jq -n --arg u "file://$page" '{url: $u}')" > /dev/null

check "no script from event data ran" [ "$(js 'return window.__cbpwned || 0;')" = 0 ]
check "the hostile text is shown as text" \
    [ "$(js 'return document.body.textContent.indexOf("<script>window.__cbpwned=1</script>") >= 0;')" = true ]
check "no network request was made" \
    [ "$(js 'return performance.getEntriesByType("resource").length;')" = 0 ]
check "no link points at a javascript: URL" \
    [ "$(js 'return Array.from(document.links).filter(function (a) { return a.protocol !== "file:"; }).length;')" = 0 ]
check "the filter bar is shown" \
    [ "$(js 'return document.getElementById("evfilter").offsetParent !== null;')" = true ]
check "scripts add the text box" \
    [ "$(js 'return !document.getElementById("fxt").hidden;')" = true ]
# rows the page shows (display:none rows have no offsetParent)
visible='function vis() { return Array.from(document.getElementById("evtab").tBodies[0].rows).filter(function (r) { return r.offsetParent !== null; }); }'
clk() { # click the filter label whose text is $1 in group $2
    js "var l = Array.from(document.querySelectorAll('label[for^=\"$2-\"]')).filter(function (x) { return x.textContent === '$1'; })[0]; l.click(); return true;" > /dev/null
}
clk "any level" fl
total=$(js 'return document.getElementById("evtab").tBodies[0].rows.length;')
check "the event table lists events" [ "$total" -gt 10 ]
check "any level shows every row" [ "$(js "$visible return vis().length;")" = "$total" ]
shown=$(js "$visible"'var q = document.getElementById("fq"); q.value = "quorum"; q.dispatchEvent(new Event("input"));
    return vis().length;')
check "the text filter keeps only matching rows ($shown of $total)" [ "$shown" -ge 1 ] && [ "$shown" -lt "$total" ]
check "the count says so" [ "$(js 'return document.getElementById("fn").textContent;')" = "\"$shown of $total rows shown\"" ]
js 'var q = document.getElementById("fq"); q.value = ""; q.dispatchEvent(new Event("input")); return 1;' > /dev/null
clk HV-NODE1 fh
hostsel=$(js "$visible"'return vis().length > 0 && vis().every(function (r) { return r.cells[1].textContent === "HV-NODE1"; });')
check "the host filter shows only that host" [ "$hostsel" = true ]
clk all fh
mkdir -p "$out"
wd GET "/session/$sid/screenshot" | jq -r '.value' | base64 -d > "$out/report-screenshot.png"
check "screenshot saved" [ -s "$out/report-screenshot.png" ]

# issue 15 #6: an upload cut short says so on the first screen of a
# 1400x900 window, before anything else
if command -v bsdtar > /dev/null; then
    (cd "$SAMPLES" && bsdtar -a -cf "$work/demo.zip" demo-bundle)
    head -c 1800 "$work/demo.zip" > "$work/cut.zip"
    "$cb" -q -o "$work/cut" "$work/cut.zip" > /dev/null
    wd POST "/session/$sid/window/rect" '{"width": 1400, "height": 900}' > /dev/null
    wd POST "/session/$sid/url" "$(jq -n --arg u "file://$work/cut/report.html" '{url: $u}')" > /dev/null
    check "damaged upload: the banner is shown" \
        [ "$(js 'var b = document.getElementById("damaged"); return !!b && b.offsetParent !== null && b.textContent.indexOf("The upload is damaged: 1 archive and 1 member could not be read completely; findings may be missing.") >= 0;')" = true ]
    check "damaged upload: the banner is whole on the first screen" \
        [ "$(js 'var r = document.getElementById("damaged").getBoundingClientRect(); return window.scrollY === 0 && r.top >= 0 && r.bottom <= window.innerHeight && window.innerHeight <= 900;')" = true ]
    check "damaged upload: nothing is above the banner" \
        [ "$(js 'return document.body.firstElementChild.id;')" = '"damaged"' ]
    wd GET "/session/$sid/screenshot" | jq -r '.value' | base64 -d > "$out/report-damaged-screenshot.png"
    check "damaged upload: screenshot saved" [ -s "$out/report-damaged-screenshot.png" ]
else
    echo "SKIP damaged-upload banner (bsdtar missing)"
fi
# The first screen is the story: on every scenario, in a 1400x900 window,
# the first incident's headline (report.json's incidents[0].title), its
# cause and its first step are in view without scrolling.
if [ -n "${SCENARIOS:-}" ] && [ -n "${TOOLS:-}" ] && command -v python3 > /dev/null; then
    wd POST "/session/$sid/window/rect" '{"width": 1400, "height": 900}' > /dev/null
    for desc in "$SCENARIOS"/*/scenario.json; do
        name=$(basename "$(dirname "$desc")")
        python3 "$TOOLS/scenario.py" build "$desc" "$work/scen" > /dev/null || continue
        "$cb" -q -o "$work/scen-$name" "$work/scen/$name" > /dev/null
        json="$work/scen-$name/report.json"
        [ "$(jq '.incidents | length' "$json")" -gt 0 ] || continue
        want=$(jq -r '.incidents[0].title' "$json")
        wd POST "/session/$sid/url" "$(jq -n --arg u "file://$work/scen-$name/report.html" '{url: $u}')" > /dev/null
        seen=$(js 'var a = document.querySelector("#story article"); if (!a) return null;
            function inview(e) { if (!e) return false; var r = e.getBoundingClientRect();
                return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }
            var h = a.querySelector("h2"), c = a.querySelector(".cause"),
                s = a.querySelector(".first-steps li");
            return {h: h ? h.textContent : "", hv: inview(h), cv: inview(c), sv: inview(s),
                    iw: window.innerWidth};')
        check "$name: first screen shows the headline" \
            [ "$(jq -r '.hv' <<< "$seen")" = true ]
        titled() { jq -e --arg t "$want" '.h | contains($t)' <<< "$seen" > /dev/null; }
        check "$name: the headline is incident I1's title" titled
        check "$name: first screen shows the cause" [ "$(jq -r '.cv' <<< "$seen")" = true ]
        check "$name: first screen shows the first step" [ "$(jq -r '.sv' <<< "$seen")" = true ]
        wd GET "/session/$sid/screenshot" | jq -r '.value' | base64 -d > "$out/first-screen-$name.png"
        # the picture: every marker links to a finding card on the page,
        # every finding has one, every incident a span and a picture
        pic=$(js 'var m = Array.from(document.querySelectorAll("#timeline svg a[href^=\"#F\"]"));
            var bad = m.filter(function (a) { var t = document.getElementById(a.getAttribute("href").slice(1));
                return !t || !t.classList.contains("finding"); }).length;
            var refs = {}; m.forEach(function (a) { refs[a.getAttribute("href").slice(1)] = 1; });
            return {n: m.length, bad: bad, refs: Object.keys(refs).sort(),
                    spans: document.querySelectorAll("#timeline svg a[href^=\"#incident-I\"]").length,
                    zooms: document.querySelectorAll("#timeline h3[id^=\"zoom-I\"]").length};')
        check "$name: every marker links to an existing finding card" \
            [ "$(jq '.bad' <<< "$pic")" = 0 ] && [ "$(jq '.n' <<< "$pic")" -gt 0 ]
        check "$name: every finding has a marker" \
            [ "$(jq -c '.refs' <<< "$pic")" = "$(jq -c '[.findings[].ref] | sort' "$json")" ]
        ninc=$(jq '.incidents | length' "$json")
        check "$name: every incident has a span and a picture" \
            [ "$(jq '.spans' <<< "$pic")" -ge "$ninc" ] && [ "$(jq '.zooms' <<< "$pic")" -eq "$(( ninc < 12 ? ninc : 12 ))" ]
    done
    wd DELETE "/session/$sid" > /dev/null
    # JavaScript off: the page's own script does not run (the text box
    # stays hidden), the default table shows warnings and worse and every
    # evidence row, and the filters still work by CSS alone
    caps=$(jq -n --arg bin "$chrome" --arg dir "$work/profile-nojs" '{capabilities: {alwaysMatch: {browserName: "chrome",
        "goog:chromeOptions": {binary: $bin, args: ["--headless", "--no-sandbox", "--disable-gpu",
          "--disable-background-networking", "--disable-component-update", "--no-first-run",
          "--disable-sync", "--blink-settings=scriptEnabled=false", "--window-size=1400,900",
          ("--user-data-dir=" + $dir)]}}}}')
    sid=$(wd POST /session "$caps" | jq -r '.value.sessionId // empty')
    for desc in "$SCENARIOS"/*/scenario.json; do
        name=$(basename "$(dirname "$desc")")
        page="$work/scen-$name/report.html"
        [ -s "$page" ] || continue
        wd POST "/session/$sid/url" "$(jq -n --arg u "file://$page" '{url: $u}')" > /dev/null
        st=$(js 'var rows = Array.from(document.getElementById("evtab").tBodies[0].rows);
            function vis(r) { return r.offsetParent !== null; }
            function routine(r) { return r.classList.contains("r"); }
            function ev(r) { return r.classList.contains("x"); }
            var shown = rows.filter(vis);
            var res = {nojs: document.getElementById("fxt").hidden, total: rows.length, shown: shown.length,
                routine_shown: shown.filter(function (r) { return routine(r) && !ev(r); }).length,
                evidence_hidden: rows.filter(function (r) { return ev(r) && !vis(r); }).length,
                loud_hidden: rows.filter(function (r) { return !routine(r) && !vis(r); }).length,
                count: document.getElementById("fn").textContent,
                dflt: document.querySelector("input[name=fl]:checked").id};
            document.querySelector("label[for=\"fl-4\"]").click();
            res.all = rows.filter(vis).length;
            document.querySelector("label[for=\"fl-3\"]").click();
            var h = document.querySelector("label[for=\"fh-1\"]"); h.click();
            res.host_only = rows.filter(vis).every(function (r) { return r.cells[1].textContent === h.textContent; });
            document.querySelector("label[for=\"fh-0\"]").click();
            return res;')
        check "$name (no JS): the page script did not run" [ "$(jq '.nojs' <<< "$st")" = true ]
        if [ "$(jq -r '.dflt' <<< "$st")" = fl-4 ]; then # nothing but routine rows
            check "$name (no JS): only routine rows, all shown" [ "$(jq '.shown == .total' <<< "$st")" = true ]
        else
            check "$name (no JS): no routine row in the default table" [ "$(jq '.routine_shown' <<< "$st")" = 0 ]
        fi
        check "$name (no JS): every evidence row, warning and worse shown" \
            [ "$(jq '.evidence_hidden + .loud_hidden' <<< "$st")" = 0 ] && [ "$(jq '.shown' <<< "$st")" -gt 0 ]
        check "$name (no JS): the count is right ($(jq -r '.count' <<< "$st"))" \
            [ "$(jq -r '.count | gsub(",";"")' <<< "$st")" = "$(jq -r '"\(.shown) of \(.total) rows shown"' <<< "$st")" ]
        check "$name (no JS): any level shows all $(jq '.total' <<< "$st") rows" [ "$(jq '.all == .total' <<< "$st")" = true ]
        check "$name (no JS): the host filter works" [ "$(jq '.host_only' <<< "$st")" = true ]
        [ "$name" = p3-power-loss-orphan-avhdx ] &&
            wd GET "/session/$sid/screenshot" | jq -r '.value' | base64 -d > "$out/nojs-$name.png"
    done
fi
wd DELETE "/session/$sid" > /dev/null
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
