#!/usr/bin/env bash
# The core (analyzer/) names no parser and no renderer: no symbol the
# core library leaves undefined is one that cb_parsers or cb_reports
# defines, and no file under analyzer/ includes a header of parsers/ or
# reports/. Needs: $CORE, $PARSERS, $REPORTS (the three static
# libraries), $SRC (the source tree); nm.
set -u
core=${CORE:?set CORE to libcb_core.a}
parsers=${PARSERS:?set PARSERS to libcb_parsers.a}
reports=${REPORTS:?set REPORTS to libcb_reports.a}
src=${SRC:?set SRC to the source tree}
command -v nm > /dev/null || { echo "SKIP: nm missing"; exit 77; }
fail=0

# symbols: what the core needs from outside against what the upper
# layers define
defined=$(nm -g --defined-only "$parsers" "$reports" 2> /dev/null |
    awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u)
needed=$(nm -u "$core" 2> /dev/null | awk '{ print $NF }' |
    LC_ALL=C sort -u)
[ -n "$defined" ] || { echo "FAIL: no symbols read from $parsers"; exit 1; }
both=$(LC_ALL=C comm -12 <(echo "$defined") <(echo "$needed"))
if [ -n "$both" ]; then
    echo "FAIL: libcb_core.a needs symbols of the parsers or reports:"
    echo "$both" | sed 's/^/    /'
    fail=1
fi

# headers: none of parsers/*.h or reports/*.h included under analyzer/,
# by its name or by a path into those directories
names=$(for h in "$src"/parsers/*.h "$src"/reports/*.h; do
    basename "$h" | sed 's/\./\\./g'
done | paste -sd'|' -)
inc='#[[:space:]]*include[[:space:]]*["<]'
hits=$(grep -rnE "$inc([^\">]*/)?($names)[\">]|$inc[^\">]*(parsers|reports)/" \
    "$src/analyzer" 2> /dev/null)
if [ -n "$hits" ]; then
    echo "FAIL: analyzer/ includes a header of parsers/ or reports/:"
    echo "$hits" | sed 's/^/    /'
    fail=1
fi

[ "$fail" -eq 0 ] && echo "ok: the core names no parser and no renderer"
exit "$fail"
