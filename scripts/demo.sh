#!/usr/bin/env bash
# README command 1: install dependencies, build, and analyze the shipped
# demo bundle. Prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
# exit status 1 means "findings": the demo has some
./build/casebrief -o demo.casebrief samples/demo-bundle > /dev/null || [ $? -eq 1 ]
echo "report: $PWD/demo.casebrief/report.html (also report.md, report.json)"
