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
awk -F, 'function pair(key,  bound, fixed) {
    bound = step[key] / (step[key] - (1 - kept[key]) * shrink[key])
    fixed = (step[key] - shrink[key]) / (prunedStep[key] - prunedShrink[key])
    printf "  %s %.3f %.1f %.1f %.2f %.2f %.2f\n", key, kept[key], step[key], prunedStep[key], step[key] / prunedStep[key],
        bound, fixed
    delete step[key]; delete prunedStep[key] }
  NR > 1 && ($4 == "dense-gated" || $4 == "dcp") { key = $1 " " $2 " " $3
    if ($4 == "dense-gated") { step[key] = $8; shrink[key] = $11 + $14 }
    else { prunedStep[key] = $8; prunedShrink[key] = $11 + $14; kept[key] = $6 }
    if ((key in step) && (key in prunedStep)) pair(key) }' \
  "$dir/profile.csv"
echo "Java share of a step: shape context batch policy step_ms java_ms sampling_ms java_share"
awk -F, 'NR > 1 && $4 != "single" { printf "  %s %d %d %s %.1f %.1f %.1f %.1f%%\n", $1, $2, $3, $4, $8, $14, $15, 100 * $14 / $8 }' \
  "$dir/profile.csv"
