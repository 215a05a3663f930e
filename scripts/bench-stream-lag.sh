#!/usr/bin/env bash
# Time to first token and inter-token latency of /generate_stream, two server builds side by side (issue 18,
# item 6): the rounds alternate between the jars, so both see the same machine load.
#
#   OLD_JAR=/tmp/old/dcp-server/target/dcp-server.jar scripts/bench-stream-lag.sh   # writes build/stream-lag/latency.csv
#
# Needs both jars (./mvnw -q -pl dcp-server -am -DskipTests package in each checkout) and ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/java-home.sh
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out="${OUT:-build/stream-lag}"
port="${PORT:-18094}"
model="${MODEL:-../shared/models/stories260K/stories260K.bin}"
new_jar="${NEW_JAR:-dcp-server/target/dcp-server.jar}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
csv="$out/latency.csv"
[ -f "$csv" ] || echo "label,clients,streams,ttft_p50_ms,ttft_p99_ms,itl_p50_ms,itl_p99_ms" > "$csv"

run() {
  local label="$1" jar="$2"
  rm -rf "$out/traces-$label".*
  "$java_bin" --enable-native-access=ALL-UNNAMED -jar "$jar" --server.port="$port" --dcp.model="$model" \
    "--spring.datasource.url=jdbc:h2:file:$out/traces-$label;WRITE_DELAY=0" > "$out/server-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 120); do
    curl -sf "localhost:$port/actuator/health" > /dev/null && break
    sleep 1
  done
  for clients in ${CLIENTS:-1 8}; do
    python3 scripts/stream-latency.py "http://localhost:$port" "$label" "$clients" "${REQUESTS:-20}" \
      "${MAX_NEW_TOKENS:-64}" "$csv"
  done
  kill "$pid"
  wait "$pid" 2> /dev/null || true
}

for round in $(seq "${ROUNDS:-3}"); do
  run old "${OLD_JAR:?the old build\'s dcp-server.jar}"
  run new "$new_jar"
done
