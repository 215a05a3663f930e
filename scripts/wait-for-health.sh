# Sourced by the scripts that start the service: wait_for_health LABEL URL PID LOG SECONDS waits until URL/health
# answers, and exits the calling script with the service log's tail when the service died or never answered.
wait_for_health() {
  local label=$1 url=$2 pid=$3 log=$4 seconds=$5
  for _ in $(seq 1 "$seconds"); do
    if curl -sf -o /dev/null "$url/health"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$label: the service exited before it answered:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "$label: no $url/health after $seconds s" >&2
  exit 1
}
