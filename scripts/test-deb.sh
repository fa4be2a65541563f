#!/usr/bin/env bash
# CI: the Debian package. Builds casebrief_<version>_<arch>.deb with CPack
# from the release build (build/, made by scripts/test.sh), unpacks it
# into a scratch root (dpkg -x: nothing is installed on this machine),
# checks what it holds and what it depends on, and analyses a sample
# with the unpacked binary, which must find its rules under the root.
#   BUILD  the release build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
[ -x "$build/casebrief" ] || {
    echo "test-deb: no $build/casebrief (run scripts/test.sh first)" >&2
    exit 1
}
(cd "$build" && rm -f casebrief_*.deb && cpack -G DEB > cpack.log 2>&1)
deb=$(ls "$PWD/$build"/casebrief_*.deb)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { # name, command...
    local name=$1
    shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
dpkg-deb -f "$deb" Depends > "$work/depends"
for p in libarchive13 libexpat1 libpcre2-8-0; do
    check "depends on $p" grep -q "$p" "$work/depends"
done
dpkg-deb -c "$deb" > "$work/contents"
check "installs the binary" grep -q '\./usr/bin/casebrief$' "$work/contents"
check "installs the rules" grep -q '\./usr/share/casebrief/rules/.*\.xml$' \
    "$work/contents"
check "installs the man page" grep -q '\./usr/share/man/man1/casebrief\.1' \
    "$work/contents"

dpkg -x "$deb" "$work/root"
cd "$work"
env -u CASEBRIEF_RULES "$work/root/usr/bin/casebrief" rules list > rules.txt
check "the unpacked binary finds its rules" [ -s rules.txt ]
rc=0
env -u CASEBRIEF_RULES "$work/root/usr/bin/casebrief" -q -o out \
    "$OLDPWD/samples/demo-bundle" > /dev/null || rc=$?
check "analyses a sample (exit 1: findings)" [ "$rc" -eq 1 ]
check "writes the report" [ -s out/report.html ]
check "report has findings" jq -e '.findings | length > 0' out/report.json > /dev/null
echo "test-deb: $(basename "$deb") $(stat -c %s "$deb") bytes"
exit $fail
