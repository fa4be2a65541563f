#!/usr/bin/env bash
# README command 1: install dependencies, build, and analyze the shipped
# demo bundle. Prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
./build/casebrief -o demo.casebrief samples/demo-bundle > /dev/null
echo "report: $PWD/demo.casebrief/report.json"
