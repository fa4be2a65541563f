# Sourced by the end-to-end scripts: counters and the check helpers.
# A script ends with 'finish' (exits 1 on any failure).
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
jqt() { jq -e "$@" > /dev/null; }
check() { # name, command...
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
}
