#!/usr/bin/env bash
# Runs the README's run command exactly as written (no JAVA_HOME needed) and checks that the service it starts
# answers: /health, a /generate on the default model, and that request's drop trace at /explain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wait-for-health.sh
run_command="$(grep -m 1 -E '^    \./mvnw .*spring-boot:run$' README.md | sed 's/^    //')"
if [ -z "$run_command" ]; then
  echo "readme run check: README.md has no indented './mvnw ... spring-boot:run' line" >&2
  exit 1
fi
if curl -s -o /dev/null localhost:8080/health; then
  echo "readme run check: port 8080 is already taken; stop what listens there first" >&2
  exit 1
fi

log="$(mktemp)"
echo "readme run check: $run_command"
setsid bash -c "$run_command" >"$log" 2>&1 &
service=$!
stop_service() { kill -- -"$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; }
trap stop_service EXIT

wait_for_health "readme run check" http://localhost:8080 "$service" "$log" 300
response="$(curl -sf localhost:8080/generate -H 'Content-Type: application/json' \
  -d '{"inputs": "The Congress", "parameters": {"max_new_tokens": 12}}')" || {
  echo "readme run check: /generate failed; service log:" >&2; tail -n 30 "$log" >&2; exit 1; }
echo "readme run check: /generate -> $response"
request_id="$(sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p' <<<"$response")"
text="$(sed -n 's/.*"generated_text":"\([^"]*\)".*/\1/p' <<<"$response")"
if [ -z "$request_id" ] || [ -z "$text" ]; then
  echo "readme run check: /generate answered without generated_text or request_id" >&2
  exit 1
fi
curl -sf -o /dev/null "localhost:8080/explain/$request_id" || {
  echo "readme run check: /explain/$request_id is not served" >&2; exit 1; }
echo "readme run check: the run command serves the default model and its drop traces"
