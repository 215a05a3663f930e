#!/usr/bin/env bash
# Reproduces the stories260K DCP experiment of the README into build/stories260k/ (derived from
# ../shared, so nothing here is committed):
#   1. split ../shared/corpora/tinystories/train.txt: the first 140 stories train, the last 35 are held out;
#   2. self-distil 3000 stories from the dense model (the model only knows children's stories, and the
#      shared corpus is small);
#   3. sweep: dense fine-tune, DCP fine-tunes for several gammas, sliding-window baselines at DCP's
#      sparsity, all evaluated on the held-out stories by the serving engine.
# Re-running resumes: finished packages are reused and interrupted runs continue from their checkpoints.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${DCP_SHARED_DIR:-../shared}"
out=build/stories260k
mkdir -p "$out/data"
export OMP_WAIT_POLICY=PASSIVE   # OpenMP threads sleep instead of spinning when the machine is shared

start=$(date +%s)
awk -v train="$out/data/train-140.txt" -v heldout="$out/data/heldout-35.txt" '
  /^<\|endoftext\|>$/ { n++; print > (n < 140 ? train : heldout); next }
  { print > (n < 140 ? train : heldout) }' "$shared/corpora/tinystories/train.txt"

if [ ! -s "$out/data/distilled.txt" ]; then
  bin/dcp-train distill --model "$shared/models/stories260K/stories260K.bin" --out "$out/data/distilled.txt" \
    --stories 3000 --max-tokens 400 --seed 1
fi
cat "$out/data/train-140.txt" "$out/data/distilled.txt" > "$out/data/train-mix.txt"

bin/dcp-train sweep --base "$shared/models/stories260K/stories260K.bin" --data "$out/data/train-mix.txt" \
  --heldout "$out/data/heldout-35.txt" --out-dir "$out/sweep" --gammas "${GAMMAS:-0.1,0.2,0.4,0.8}" \
  --steps "${STEPS:-600}" --lr 1e-3 --warmup 50 --context 256 --batch 8 --seed 1234

echo "wall time: $(( $(date +%s) - start )) s"
times
