#!/usr/bin/env bash
# The Hugging Face shapes of bin/dcp bench-grid (qwen2.5-0.5b, llama3.2-1b; random float32 weights), one JVM per
# shape: one sequence decoding, each round between two read-bandwidth probes (scripts/reference/read-bandwidth.c)
# so that its bound (bandwidth / weight bytes read per token) is measured beside it; then batch 16, dense
# against DCP at 80 % sparsity with calibrated random gates, at context 2048 (and 4096 on the 0.5B), profiled
# per kind of graph call. Needs about 13 GB for the 1B shape: it takes /work/bigmem.lock when there is one.
# Appends to $OUT/single-bound.csv, profile.csv, grid.csv (and writes grid.md and the PNGs).
#
#   OUT=docs/bench-grid/shapes ROUNDS=6 scripts/bench-shapes.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${OUT:-build/bench-shapes}"
rounds="${ROUNDS:-6}"
dcp="${DCP:-bin/dcp}"
mkdir -p "$out" build/bench-shapes
gcc -Ofast -march=native -fopenmp -o build/bench-shapes/read-bandwidth scripts/reference/read-bandwidth.c
lock=()
[ -e /work/bigmem.lock ] && lock=(flock /work/bigmem.lock)
# The 1B shape's random weights are 6 GB of Java arrays before they become graphs: past the default heap.
export JDK_JAVA_OPTIONS="${JDK_JAVA_OPTIONS:--Xmx12g}"
run() {
  "${lock[@]}" "$dcp" bench-grid --single "$1" --rounds "$rounds" --bandwidth-probe build/bench-shapes/read-bandwidth \
      --policies dense,dcp --sparsities 0.8 --batches 16 --steps 8 --profile --out "$out" "${@:2}"
}
run 24 --shapes qwen2.5-0.5b --contexts 2048,4096
run 12 --shapes llama3.2-1b --contexts 2048
