#!/usr/bin/env bash
# README command 1: install dependencies, build, generate the P3 scenario
# bundle (two-node cluster, power loss, checkpoints failing on an orphan
# AVHDX; samples/scenarios/) and analyze it. Prints where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
scenario=p3-power-loss-orphan-avhdx
python3 tests/tools/scenario.py build \
    "samples/scenarios/$scenario/scenario.json" build/scenarios > /dev/null
echo "bundle: $PWD/build/scenarios/$scenario/ (what happened: samples/scenarios/$scenario/README.md)"
# exit status 1 means "findings": the demo has some
./build/casebrief -o demo.casebrief "build/scenarios/$scenario" > /dev/null || [ $? -eq 1 ]
echo "report: $PWD/demo.casebrief/report.html (also report.md, report.json)"
