#!/bin/sh
# make bench: every benchmark, one "figure: NAME VALUE UNIT" line per figure.
set -eu
build=${1:-build}
echo "== tap commit (local store, synchronous=FULL)"
"$build/bench/bench_tap_commit"
echo "== kiosk (real binary, SDL dummy driver, software renderer)"
python3 bench/kiosk_bench.py "$build"
