#!/usr/bin/env bash
# Resilience soak: the gateway in front of an upstream that fails 30 % of calls in random ways
# (429, 500, 502, 503, 529, closed connections, stalls; streams also with an error event
# first), with one healthy fallback. Prints the client-visible failures (expected: 0) and what
# the flaky upstream did. Not a test; see README.md ("Resilience soak").
set -euo pipefail

usage() {
  echo "usage: $0 [--bin build/deployments] [--duration 300] [--connections 32] [--fail-rate 0.3] [--workers 2]" >&2
  exit "${1:-2}"
}
BIN=build/deployments DURATION=300 CONNS=32 FAIL=0.3 WORKERS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --fail-rate) FAIL=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tests/bench"
if [[ "$BIN" != /* && ! -e "$BIN" && -e "$ROOT/$BIN" ]]; then BIN="$ROOT/$BIN"; fi
[[ -x "$BIN" ]] || { echo "error: gateway binary '$BIN' not found (build first)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/gwsoak.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # wait_http URL: bounded, ~10 s
  for _ in $(seq 100); do
    curl -s -m 1 -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "error: $1 did not come up" >&2; exit 1
}

FLAKY=$(free_port) HEALTHY=$(free_port) GW=$(free_port)
python3 "$HERE/flaky_upstream.py" --port "$FLAKY" --fail-rate "$FAIL" >"$T/flaky.out" 2>&1 &
PIDS+=($!); FLAKY_PID=$!
python3 "$HERE/flaky_upstream.py" --port "$HEALTHY" --fail-rate 0 >"$T/healthy.out" 2>&1 &
PIDS+=($!); HEALTHY_PID=$!
cat >"$T/gateway.yaml" <<YAML
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model: {provider: openai, name: m, config: {openai_api_key: sk-soak, openai_api_base: "http://127.0.0.1:$FLAKY/v1"}}
    retries:
      max_attempts: 2
      backoff: {initial: 0.05, max: 0.5}
      retry_on: [connect, timeout, 429, 500, 502, 503, 504, 529]
    timeouts: {total: 10, attempt: 0.5, first_event: 0.5}
    fallbacks: [chat-fallback]
    circuit_breaker: {failures: 5, cooldown: 2}
  - name: chat-fallback
    endpoint_type: llm/v1/chat
    model: {provider: openai, name: m, config: {openai_api_key: sk-soak, openai_api_base: "http://127.0.0.1:$HEALTHY/v1"}}
YAML
"$BIN" start-server --config-path "$T/gateway.yaml" --host 127.0.0.1 --port "$GW" \
  --workers "$WORKERS" >"$T/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
wait_http "http://127.0.0.1:$GW/health"

echo "soak: ${DURATION}s, $CONNS connections, upstream failing $FAIL of calls, one healthy fallback" >&2
python3 "$HERE/soak_client.py" --port "$GW" --duration "$DURATION" --connections "$CONNS" | tee "$T/client.out"
kill -TERM "$FLAKY_PID" "$HEALTHY_PID"
wait "$FLAKY_PID" "$HEALTHY_PID" 2>/dev/null || true
echo "flaky upstream:   $(grep COUNTS "$T/flaky.out" || echo '?')"
echo "healthy fallback: $(grep COUNTS "$T/healthy.out" || echo '?')"
echo "breaker changes:  opened $(grep -c 'circuit breaker open' "$T/gateway.log" || true)," \
  "closed $(grep -c 'circuit breaker closed' "$T/gateway.log" || true)"
kill -0 "$GW_PID" 2>/dev/null && echo "gateway: still running" || { echo "gateway: EXITED" >&2; tail -20 "$T/gateway.log" >&2; exit 1; }
