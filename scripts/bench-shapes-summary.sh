#!/usr/bin/env bash
# The figures docs/benchmarks.md quotes from a scripts/bench-shapes.sh run, computed from its CSVs:
#  - per single-stream round, tokens/s over the bound (from single-bound.csv);
#  - per dcp cell and the dense-gated cell run right before it on the same model (profile.csv): the ratio of
#    their step times, and the bound from the dense step's own profile. Pruning keeps a fraction `kept` of the
#    cache, so it can shrink at most what scales with the cache: the attention calls and the Java around them
#    (masks, votes, the pooled queries). bound = step / (step - (1 - kept) * (attend + java)); the projections,
#    MLPs and the head read the same weights on both sides, so the ratio of those fixed parts (fixed_ratio) should
#    be 1: where it is not, the host's load changed between the two cells;
#  - per profiled cell, the Java share of the step (java / step) and the sampling within it.
#
#   scripts/bench-shapes-summary.sh docs/bench-grid/shapes
set -euo pipefail
dir="${1:-build/bench-shapes}"
echo "single stream: shape round tokens/s bound ratio fastest-step-ratio"
awk -F, 'NR > 1 { printf "  %s %d %.2f %.2f %.3f %.3f\n", $1, $2, $4, $9, $10, $11 }' "$dir/single-bound.csv"
echo "dcp vs dense-gated (same model, one next to the other): shape context batch kept dense_ms dcp_ms ratio bound fixed_ratio"
pairs="$(awk -F, 'function pair(key,  bound, fixed) {
    bound = step[key] / (step[key] - (1 - kept[key]) * shrink[key])
    fixed = (step[key] - shrink[key]) / (prunedStep[key] - prunedShrink[key])
    printf "  %s %.3f %.1f %.1f %.2f %.2f %.2f\n", key, kept[key], step[key], prunedStep[key], step[key] / prunedStep[key],
        bound, fixed
    delete step[key]; delete prunedStep[key] }
  NR > 1 && ($4 == "dense-gated" || $4 == "dcp") { key = $1 " " $2 " " $3
    if ($4 == "dense-gated") { step[key] = $8; shrink[key] = $11 + $14 }
    else { prunedStep[key] = $8; prunedShrink[key] = $11 + $14; kept[key] = $6 }
    if ((key in step) && (key in prunedStep)) pair(key) }' \
  "$dir/profile.csv")"
echo "$pairs"
echo "Java share of a step: shape context batch policy step_ms java_ms sampling_ms java_share"
awk -F, 'NR > 1 && $4 != "single" { printf "  %s %d %d %s %.1f %.1f %.1f %.1f%%\n", $1, $2, $3, $4, $8, $14, $15, 100 * $14 / $8 }' \
  "$dir/profile.csv"
# Medians per shape: of the single-stream ratios (over all steps, fastest step), and of the dcp/dense ratios.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for shape in $(awk -F, 'FNR > 1 { print $1 }' "$dir/single-bound.csv" | sort -u); do
  ratio="$(awk -F, -v s="$shape" 'NR > 1 && $1 == s { print $10 }' "$dir/single-bound.csv" | median)"
  fastest="$(awk -F, -v s="$shape" 'NR > 1 && $1 == s { print $11 }' "$dir/single-bound.csv" | median)"
  echo "median $shape: single stream / bound ${ratio:--}, fastest step / bound ${fastest:--}"
done
echo "$pairs" | awk '{ print $1, $2, $3 }' | sort -u | while read -r shape context batch; do
  [ -n "$shape" ] || continue
  ratio="$(echo "$pairs" | awk -v k="$shape $context $batch" '$1 " " $2 " " $3 == k { print $7 }' | median)"
  bound="$(echo "$pairs" | awk -v k="$shape $context $batch" '$1 " " $2 " " $3 == k { print $8 }' | median)"
  echo "median $shape context $context batch $batch: dcp / dense $ratio, bound $bound"
done
# Where one sequence's step goes: the median over the single-stream rounds of each kind's milliseconds.
for shape in $(awk -F, 'FNR > 1 && $4 == "single" { print $1 }' "$dir/profile.csv" | sort -u); do
  line="median $shape single-stream step, ms:"
  for column in 8:step 9:embed 10:project 11:attend 12:output 13:head 14:java; do
    value="$(awk -F, -v s="$shape" -v c="${column%%:*}" 'FNR > 1 && $1 == s && $4 == "single" { print $c }' \
      "$dir/profile.csv" | median)"
    line="$line ${column#*:} $value"
  done
  echo "$line"
done
