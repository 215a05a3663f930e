#!/usr/bin/env bash
# Service-level benchmark (issue 8): N concurrent HTTP clients (1, 8, 32, 64 by default) against the running
# service, dense stories260K and the same model with random DCP gates: aggregate tokens/s, latency p50/p99,
# 429s, and /explain checked right after every 10th response (the trace must already be committed).
#
#   scripts/bench-http.sh                          # writes build/bench-http/load.csv
#   SERVER_ARGS="--dcp.intra-op-threads=1" LEVEL_SECONDS=20 scripts/bench-http.sh
#
# Needs dcp-server/target/dcp-server.jar (./mvnw -q -pl dcp-server -am -DskipTests package) and ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/java-home.sh
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
dcp="${DCP:-bin/dcp}"
out="${OUT:-build/bench-http}"
port="${PORT:-18093}"
clients="${CLIENTS:-1,8,32,64}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
base="${MODEL:-../shared/models/stories260K/stories260K.bin}"
gated="$out/stories260K-gated"
[ -f "$gated/config.json" ] || "$dcp" import "$base" "$gated" --random-gates 8:2.0

run_mode() {
  local label="$1" model="$2"
  rm -rf "$out/traces-$label".*
  "$java_bin" --enable-native-access=ALL-UNNAMED -jar dcp-server/target/dcp-server.jar --server.port="$port" \
    --dcp.model="$model" --dcp.max-batch="${MAX_BATCH:-64}" \
    "--spring.datasource.url=jdbc:h2:file:$out/traces-$label;WRITE_DELAY=0" ${SERVER_ARGS:-} \
    > "$out/server-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 120); do
    curl -sf "localhost:$port/actuator/health" > /dev/null && break
    sleep 1
  done
  "$dcp" load --url "http://localhost:$port" --clients "$clients" --seconds "${LEVEL_SECONDS:-20}" \
    --max-new-tokens "${MAX_NEW_TOKENS:-200}" --label "$label${LABEL_SUFFIX:-}" --csv "$out/load.csv"
  curl -s "localhost:$port/actuator/prometheus" | grep -E '^dcp_(scheduler|generation_sparsity|trace_group)' \
    > "$out/metrics-$label.txt" || true
  kill "$pid"
  wait "$pid" 2> /dev/null || true
}

run_mode dense "$base"
run_mode dcp "$gated"
