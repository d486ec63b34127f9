#!/usr/bin/env bash
# Template benchmark: renders the TechEmpower "Fortunes" page and a dashboard-like page with CroftTemplates,
# Stencil 0.15.1 and swift-mustache 2.1.1 on the same data, and prints renders/s with ratios.
#   Benchmarks/templates.sh            # full run
#   Benchmarks/templates.sh --quick    # shorter measurement
set -euo pipefail
cd "$(dirname "$0")/Templates"
swift build -c release --scratch-path .build-bench 2>&1 | tail -1
taskset -c 1 .build-bench/release/TemplateBenchmarks "$@"
