#!/usr/bin/env bash
# Side-by-side A/B of two builds on stories260K, alternating so that both see the same machine load:
# the engine (bench-grid, 64 sequences with random gates, 50 % kept, 1 intra-op thread) and the service
# (each build's jar on dense stories260K, 8 then 64 clients). OLD is a worktree of the other build, with
# dcp-server packaged and the dcp tool compiled (dcp-cli; in builds older than that module, dcp-core):
#
#   git worktree add ../old <commit> && (cd ../old && ./mvnw -q -pl dcp-server,dcp-cli -am -DskipTests package)
#   OLD=../old scripts/bench-ab.sh          # appends to docs/bench-http/ab-pooled.csv (CSV=...)
#
# Needs this tree's dcp-server/target/dcp-server.jar, and ../shared; it builds this tree's dcp tool (bin/dcp).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/java-home.sh
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
old="$(cd "${OLD:?set OLD to the worktree of the other build}" && pwd)"
csv="${CSV:-docs/bench-http/ab-pooled.csv}"
port="${PORT:-18095}"
base=../shared/models/stories260K/stories260K.bin
bin/dcp --version > /dev/null   # builds the dcp tool and writes its classpath
# Third-party jars only: each side runs its own tree's classes.
classpath="$(tr ':' '\n' < dcp-cli/target/classpath.txt | grep -v '/org/dcpserve/' | paste -sd :)"

tree() { if [ "$1" = old ]; then echo "$old"; else echo "$root"; fi; }
dcp() {
  local dir main=org.dcpserve.cli.DcpCommand
  dir="$(tree "$1")"
  [ -f "$dir/dcp-cli/target/classes/org/dcpserve/cli/DcpCommand.class" ] || main=org.dcpserve.core.cli.DcpCommand
  "$java_bin" --enable-native-access=ALL-UNNAMED -cp "$dir/dcp-cli/target/classes:$dir/dcp-core/target/classes:$classpath" \
    "$main" "${@:2}"
}

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
