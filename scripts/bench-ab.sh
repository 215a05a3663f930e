#!/usr/bin/env bash
# Side-by-side A/B of two builds on stories260K, alternating so that both see the same machine load:
# the engine (bench-grid, 64 sequences with random gates, 50 % kept, 1 intra-op thread) and the service
# (each build's jar on dense stories260K, 8 then 64 clients). OLD is a worktree of the other build, with
# dcp-core compiled and dcp-server packaged:
#
#   git worktree add ../old <commit> && (cd ../old && ./mvnw -q -pl dcp-server -am -DskipTests package)
#   OLD=../old scripts/bench-ab.sh          # appends to docs/bench-http/ab-pooled.csv (CSV=...)
#
# Needs this tree's dcp-server/target/dcp-server.jar and dcp-core/target/classes, and ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/java-home.sh
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
old="$(cd "${OLD:?set OLD to the worktree of the other build}" && pwd)"
csv="${CSV:-docs/bench-http/ab-pooled.csv}"
port="${PORT:-18095}"
base=../shared/models/stories260K/stories260K.bin
classpath="$(cat dcp-core/target/classpath.txt)"

tree() { if [ "$1" = old ]; then echo "$old"; else echo "$root"; fi; }
dcp() { "$java_bin" --enable-native-access=ALL-UNNAMED -cp "$(tree "$1")/dcp-core/target/classes:$classpath" \
  org.dcpserve.core.cli.DcpCommand "${@:2}"; }

# Each build imports its own copy (the same random gates): an older build may not read a newer package format.
for side in old new; do
  [ -f "build/bench-ab/stories260K-gated-$side/config.json" ] \
    || dcp "$side" import "$base" "build/bench-ab/stories260K-gated-$side" --random-gates 8:2.0 > /dev/null 2>&1
done

for round in 1 2 3; do
  for side in old new; do
    dcp "$side" bench-grid --shapes "build/bench-ab/stories260K-gated-$side" --contexts 256 --batches 64 \
      --policies dcp --sparsities 0.5 --steps 32 --threads 1 --out "build/bench-ab/grid-$side" 2>&1 \
      | grep 'tok/s' | sed "s/^/$side round $round: /"
  done
done

for round in 1 2; do
  for side in old new; do
    rm -rf "build/bench-ab/traces-$side".*
    "$java_bin" --enable-native-access=ALL-UNNAMED -jar "$(tree $side)/dcp-server/target/dcp-server.jar" \
      --server.port="$port" --dcp.model="$base" --dcp.max-batch=64 --dcp.intra-op-threads=1 \
      "--spring.datasource.url=jdbc:h2:file:$root/build/bench-ab/traces-$side;WRITE_DELAY=0" \
      > "build/bench-ab/server-$side.log" 2>&1 &
    pid=$!
    for _ in $(seq 120); do curl -sf "localhost:$port/actuator/health" > /dev/null && break; sleep 1; done
    bin/dcp load --url "http://localhost:$port" --clients 8,64 --seconds 15 --max-new-tokens 200 \
      --label "$side-round$round" --csv "$csv" | grep '| 64 |'
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
