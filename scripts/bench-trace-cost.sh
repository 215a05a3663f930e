#!/usr/bin/env bash
# What storing the drop traces costs the service: stories260K, 64 clients, requests with traces and with
# "trace": false alternating against one running service (bin/dcp load --no-trace).
#
#   scripts/bench-trace-cost.sh            # appends to build/bench-http/trace-cost.csv (CSV=...)
#
# Needs dcp-server/target/dcp-server.jar (./mvnw -q -pl dcp-server -am -DskipTests package) and ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/java-home.sh
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out=build/bench-http
csv="${CSV:-$out/trace-cost.csv}"
port="${PORT:-18096}"
mkdir -p "$out"
rm -rf "$out/traces-cost".*
"$java_bin" --enable-native-access=ALL-UNNAMED -jar dcp-server/target/dcp-server.jar --server.port="$port" \
  --dcp.model=../shared/models/stories260K/stories260K.bin --dcp.max-batch=64 ${SERVER_ARGS:-} \
  "--spring.datasource.url=jdbc:h2:file:$root/$out/traces-cost;WRITE_DELAY=0" > "$out/server-cost.log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "localhost:$port/actuator/health" > /dev/null && break; sleep 1; done
bin/dcp load --url "http://localhost:$port" --clients 64 --seconds 15 --max-new-tokens 200 --label warm-up > /dev/null
for round in 1 2 3; do
  bin/dcp load --url "http://localhost:$port" --clients 64 --seconds 15 --max-new-tokens 200 \
    --label "traced-$round" --csv "$csv" | grep '| 64 |'
  bin/dcp load --url "http://localhost:$port" --clients 64 --seconds 15 --max-new-tokens 200 --no-trace \
    --label "untraced-$round" --csv "$csv" | grep '| 64 |'
done
