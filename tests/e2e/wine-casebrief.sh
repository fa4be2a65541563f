#!/usr/bin/env bash
# casebrief.exe under Wine, called exactly like the Linux binary: the
# end-to-end suites run it as CASEBRIEF=tests/e2e/wine-casebrief.sh with
# CB_EXE=path/to/casebrief.exe (scripts/test-windows.sh sets both, and
# WINEPREFIX, HOME and TMPDIR, which Wine writes to).
# Unix paths in the arguments reach the program as they are: Wine maps
# "/x/y" to Z:\x\y, and casebrief writes '/' back in its reports.
exec wine "${CB_EXE:?set CB_EXE to casebrief.exe}" "$@"
