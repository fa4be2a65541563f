#!/usr/bin/env bash
# The order inputs come in decides nothing: each case's files (the demo
# bundle, every rule case's input, every scenario bundle generated with
# tests/tools/scenario.py) are given to `casebrief analyze` in several
# orders on the command line, and packed into zips with their members in
# several orders; report.json, report.md, report.html, the exit status and
# `casebrief timeline` must be byte-identical across orders.
#
# The case's name in the report headers is the first input's name (a
# documented choice of the command), so every run names the same empty
# directory first and shuffles everything after it.
#
# Needs: $CASEBRIEF, $SRC (the source tree), $OUT (scratch dir); python3
# for the scenarios and the zips (skipped without it).
set -u
cb=${CASEBRIEF:?set CASEBRIEF to the casebrief binary}
src=${SRC:?set SRC to the source tree}
out=${OUT:?set OUT to a scratch directory}
cb=$(realpath "$cb")
rm -rf "$out"
mkdir -p "$out"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
have_python=0
command -v python3 > /dev/null && have_python=1

# orders N: distinct permutations of 0..N-1, one a line: as given
# (sorted), reversed, and a seeded shuffle.
orders() {
    awk -v n="$1" 'BEGIN {
        s = ""; for (i = 0; i < n; i++) s = s i " "; o[0] = s
        s = ""; for (i = n - 1; i >= 0; i--) s = s i " "; o[1] = s
        srand(1)
        for (i = 0; i < n; i++) p[i] = i
        for (i = n - 1; i > 0; i--) {
            j = int(rand() * (i + 1)); t = p[i]; p[i] = p[j]; p[j] = t
        }
        s = ""; for (i = 0; i < n; i++) s = s p[i] " "; o[2] = s
        for (k = 0; k < 3; k++) if (!seen[o[k]]++) print o[k]
    }'
}

# run DIR TAG ARGS...: analyze and timeline, run from DIR (relative
# paths keep the names in the reports the same), into $out/TAG.
run() {
    local dir=$1 tag=$2
    shift 2
    local o="$out/$tag"
    mkdir -p "$o"
    (cd "$dir" && "$cb" analyze -q -j 1 -o "$o/report" "$@" > /dev/null \
        2> "$o/analyze.err"; echo "analyze $?" > "$o/rc")
    (cd "$dir" && "$cb" timeline -q -j 1 "$@" > "$o/timeline.jsonl" \
        2> /dev/null; echo "timeline $?" >> "$o/rc")
}

# same NAME TAG_A TAG_B: the two runs' outputs are byte-identical.
same() {
    local d
    if d=$(diff -r "$out/$2" "$out/$3" 2>&1); then
        ok
    else
        bad "$1" "$2 and $3 differ"
        echo "$d" | head -8 | sed 's/^/    /'
    fi
}

# pack SRC ZIP ORDER: the members of zip SRC (names, bytes, times), or
# the files of directory SRC, into ZIP in ORDER (sorted | reversed |
# shuffled).
pack() {
    python3 - "$1" "$2" "$3" << 'EOF'
import os, random, sys, zipfile
src, dst, order = sys.argv[1:]
if os.path.isdir(src):
    def load(n):
        with open(os.path.join(src, n), "rb") as f:
            return f.read()
    items = [(zipfile.ZipInfo(n, (2024, 11, 15, 10, 0, 0)), n)
             for n in os.listdir(src)]
else:
    zi = zipfile.ZipFile(src)
    load = zi.read
    items = [(i, i.filename) for i in zi.infolist()]
items.sort(key=lambda x: x[1])
if order == "reversed":
    items.reverse()
elif order == "shuffled":
    random.Random(7).shuffle(items)
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for info, name in items:
        z.writestr(info, load(name))
EOF
}

# check NAME DIR: DIR's files in every order of orders(), then (with
# python3) packed into zips: one zip of them all, and each zip among them
# repacked, in other member orders.
check() {
    local name=$1 dir=$2
    local files=()
    while IFS= read -r f; do files+=("$f"); done < <(
        cd "$dir" && find . -maxdepth 1 -type f | sed 's|^\./||' | LC_ALL=C sort)
    local n=${#files[@]} k=0 first=""
    [ "$n" -gt 0 ] || { bad "$name" "no files in $dir"; return; }
    local lead="$out/cases/$name"
    mkdir -p "$lead"
    while read -r perm; do
        local args=()
        for i in $perm; do args+=("${files[$i]}"); done
        run "$dir" "$name/args$k" "$lead" "${args[@]}"
        [ -n "$first" ] && same "$name" "$first" "$name/args$k"
        first=${first:-$name/args$k}
        k=$((k + 1))
    done < <(orders "$n")
    [ "$have_python" = 1 ] || return
    # every zip among the files repacked with its members in other orders
    local zips=0
    for f in "${files[@]}"; do case $f in *.zip) zips=1 ;; esac; done
    if [ "$zips" = 1 ]; then
        for order in shuffled; do
            local rd="$out/repack/$name/$order"
            mkdir -p "$rd"
            for f in "${files[@]}"; do
                case $f in
                *.zip) pack "$dir/$f" "$rd/$f" "$order" ;;
                *) cp "$dir/$f" "$rd/$f" ;;
                esac
            done
            local args=()
            for ((i = n - 1; i >= 0; i--)); do args+=("${files[$i]}"); done
            run "$rd" "$name/repack-$order" "$lead" "${args[@]}"
            same "$name" "$first" "$name/repack-$order"
        done
    fi
    # all of them in one zip, members in two orders
    local zfirst=""
    for order in sorted reversed; do
        local zd="$out/zip/$name/$order"
        mkdir -p "$zd"
        pack "$dir" "$zd/case.zip" "$order"
        run "$zd" "$name/zip-$order" case.zip
        [ -n "$zfirst" ] && same "$name" "$zfirst" "$name/zip-$order"
        zfirst=${zfirst:-$name/zip-$order}
    done
}

check demo-bundle "$src/samples/demo-bundle"
for d in "$src"/tests/rules/*/input; do
    check "rules-$(basename "$(dirname "$d")")" "$d"
done
if [ "$have_python" = 1 ]; then
    mkdir -p "$out/scen"
    for desc in "$src"/samples/scenarios/*/scenario.json; do
        name=$(basename "$(dirname "$desc")")
        if python3 "$src/tests/tools/scenario.py" build "$desc" \
            "$out/scen" > /dev/null; then
            check "scenario-$name" "$out/scen/$name"
        else
            bad "scenario-$name" "generation failed"
        fi
    done
else
    echo "python3 missing: scenarios and zips not checked"
fi

echo "$pass comparisons identical, $fail differ"
[ "$fail" -eq 0 ]
