#!/usr/bin/env bash
# The machine's side of the single-stream target: how fast two threads stream memory
# (scripts/reference/read-bandwidth.c, best of 10 passes over 440 MiB, the size of the llama-2048 weights)
# and the C floor of a float32 decode step of that shape (scripts/reference/weight-reads.c: only run.c's
# matrix-vector products), alternating. bandwidth / 0.44 GB is the most tokens/s one sequence can decode
# when every step reads every weight once. Prints and appends to build/bench-bounds/bounds.csv:
#   round, read_gb_per_s, tokens_per_s_allowed, c_floor_tokens_per_s
#
#   ROUNDS=5 scripts/bench-bounds.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${OUT:-build/bench-bounds}"
rounds="${ROUNDS:-5}"
threads="$(nproc)"
mkdir -p "$out"
gcc -Ofast -march=native -fopenmp -o "$out/read-bandwidth" scripts/reference/read-bandwidth.c
gcc -Ofast -march=native -fopenmp -o "$out/weight-reads" scripts/reference/weight-reads.c
csv="$out/bounds.csv"
[ -f "$csv" ] || echo "round,read_gb_per_s,tokens_per_s_allowed,c_floor_tokens_per_s" > "$csv"
# llama-2048: 12 x (4 x 768^2 + 3 x 768 x 2048) + 32000 x 768 float32 weights.
weight_bytes=$(( (12 * (4 * 768 * 768 + 3 * 768 * 2048) + 32000 * 768) * 4 ))
for round in $(seq "$rounds"); do
  bandwidth="$(OMP_NUM_THREADS="$threads" "$out/read-bandwidth" 440)"
  floor="$(OMP_NUM_THREADS="$threads" "$out/weight-reads" 64)"
  awk -v r="$round" -v b="$bandwidth" -v w="$weight_bytes" -v f="$floor" \
    'BEGIN { printf "%d,%.1f,%.1f,%.1f\n", r, b, b * 1e9 / w, f }' | tee -a "$csv"
done
