#!/usr/bin/env bash
# One sequence, all cores, dense, llama-2048 shape: our engine (bench-grid --single) next to the C floor of
# the same step (scripts/reference/weight-reads.c: only run.c's matrix-vector products), alternating, so both
# see the same machine load. Prints and appends to build/bench-single/single-vs-c.csv:
#   round, tokens, c_tokens_per_s (mean of the runs before and after), engine_tokens_per_s, ratio
#
#   ROUNDS=3 TOKENS=256 scripts/bench-single-vs-c.sh
# Needs gcc with OpenMP. -Ofast as llama2.c's "runomp" build: without it the float sums are not vectorized.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${OUT:-build/bench-single}"
rounds="${ROUNDS:-3}"
tokens="${TOKENS:-256}"
threads="$(nproc)"
mkdir -p "$out"
gcc -Ofast -march=native -fopenmp -o "$out/weight-reads" scripts/reference/weight-reads.c
csv="$out/single-vs-c.csv"
[ -f "$csv" ] || echo "round,tokens,c_tokens_per_s,engine_tokens_per_s,ratio" > "$csv"
c_rate() { OMP_NUM_THREADS="$threads" "$out/weight-reads" "$tokens"; }
before="$(c_rate)"
for round in $(seq "$rounds"); do
  rm -f "$out/grid/single.csv"
  bin/dcp bench-grid --shapes llama-2048 --policies none --single "$tokens" --out "$out/grid" > "$out/grid.log" 2>&1
  engine="$(tail -1 "$out/grid/single.csv" | cut -d, -f3)"
  after="$(c_rate)"
  line="$(awk -v r="$round" -v t="$tokens" -v b="$before" -v a="$after" -v e="$engine" \
    'BEGIN { c = (a + b) / 2; printf "%d,%d,%.1f,%.1f,%.2f", r, t, c, e, e / c }')"
  echo "$line" | tee -a "$csv"
  before="$after"
done
