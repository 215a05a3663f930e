#!/usr/bin/env bash
# Drives a running dcp-serve with the official third-party clients (clients/: @huggingface/inference, openai).
# Builds the service jar, starts it on a free port with a small model, waits for /health, runs
# `npm ci && npm test` in clients/, stops the service; exits non-zero when any client test fails.
#
# The model: $DCP_CLIENT_MODEL if set, else the committed onnx-models/sotu-dcp, else ../shared's stories260K,
# else the random gated GPT-2 package the server tests write (run the tests first).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
source scripts/wait-for-health.sh
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

model="${DCP_CLIENT_MODEL:-}"
for candidate in onnx-models/sotu-dcp ../shared/models/stories260K/stories260K.bin \
                 dcp-server/target/test-models/random-gated-gpt2; do
  if [ -z "$model" ] && [ -e "$candidate" ]; then
    model="$candidate"
  fi
done
if [ -z "$model" ]; then
  echo "client tests: no model to serve (set DCP_CLIENT_MODEL, or run the server tests first)" >&2
  exit 1
fi

nice -n 19 ./mvnw -q -o -pl dcp-server -am -DskipTests package 2>/dev/null \
  || nice -n 19 ./mvnw -q -pl dcp-server -am -DskipTests package

work="$(mktemp -d)"
# A free port, asked of the OS through node (which the client tests need anyway; python may be absent).
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
"$java" --enable-native-access=ALL-UNNAMED -jar dcp-server/target/dcp-server.jar --server.port="$port" \
  --dcp.model="$model" --spring.datasource.url="jdbc:h2:file:$work/traces;WRITE_DELAY=0" >"$work/service.log" 2>&1 &
service=$!
stop_service() {
  kill "$service" 2>/dev/null || true
  wait "$service" 2>/dev/null || true
}
trap stop_service EXIT

echo "client tests: serving $model on port $port"
wait_for_health "client tests" "http://127.0.0.1:$port" "$service" "$work/service.log" 120

cd clients
npm ci --no-audit --no-fund --loglevel=error
DCP_URL="http://127.0.0.1:$port" npm test
