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
check "the filter bar is shown when scripts run" \
    [ "$(js 'return !document.getElementById("evfilter").hidden;')" = true ]
total=$(js 'return document.getElementById("evtab").tBodies[0].rows.length;')
check "the event table lists events" [ "$total" -gt 10 ]
shown=$(js 'var q = document.getElementById("fq"); q.value = "quorum"; q.dispatchEvent(new Event("input"));
    return Array.from(document.getElementById("evtab").tBodies[0].rows).filter(function (r) { return r.offsetParent !== null; }).length;')
check "the text filter keeps only matching rows ($shown of $total)" [ "$shown" -ge 1 ] && [ "$shown" -lt "$total" ]
hostsel=$(js 'var h = document.getElementById("fh"); h.value = "HV-NODE1"; h.dispatchEvent(new Event("change"));
    var q = document.getElementById("fq"); q.value = ""; q.dispatchEvent(new Event("input"));
    return Array.from(document.getElementById("evtab").tBodies[0].rows).every(function (r) { return r.offsetParent === null || r.cells[1].textContent === "HV-NODE1"; });')
check "the host filter shows only that host" [ "$hostsel" = true ]
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
    done
fi
wd DELETE "/session/$sid" > /dev/null
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
