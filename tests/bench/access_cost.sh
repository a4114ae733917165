#!/usr/bin/env bash
# The cost of access and spend on the hot path, in instructions per request (valgrind
# --tool=callgrind counts instructions: the same figure on every run of the same binary,
# whatever else the machine does, unlike req/s on 2 shared cores). docs/benchmarks.md,
# "Access and spend".
#
#   tests/bench/access_cost.sh [BIN]        (default build/deployments; needs valgrind, nginx)
#
# One gateway worker, one keep-alive client, the call of bench.sh's gateway-access row against
# an nginx mock, through two configs: plain (no auth) and access (a key with a token limit and
# a budget, a global budget, an endpoint with tokens, cost and budget, all far above the load).
# Each config runs 100 and 1,100 calls; the difference / 1,000 is the cost of one call
# (start-up and shutdown cancel out).
set -euo pipefail
BIN=$(realpath "${1:-build/deployments}")
for tool in valgrind callgrind_annotate nginx python3 curl; do
  command -v "$tool" >/dev/null || { echo "access_cost.sh: $tool is needed" >&2; exit 2; }
done
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(free_port)
REPLY='{"id":"chatcmpl-bench0001","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":13,"completion_tokens":7,"total_tokens":20},"system_fingerprint":"fp_bench"}'
{
  [[ $EUID -eq 0 ]] && echo "user root root;"
  cat <<NGINX
daemon off; worker_processes 1; pid $T/nginx.pid; error_log $T/nginx.err warn;
events { worker_connections 256; }
http { access_log off; client_body_temp_path $T/cb; keepalive_requests 100000;
  server { listen 127.0.0.1:$UP;
    location = /v1/chat/completions { default_type application/json; return 200 '$REPLY'; } } }
NGINX
} > "$T/nginx.conf"
nginx -c "$T/nginx.conf" -p "$T" &
KEY=bench-client-key-0123456789abcdef
ENDPOINT="endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config: {openai_api_key: sk-bench, openai_api_base: \"http://127.0.0.1:$UP/v1\"}"
echo "$ENDPOINT" > "$T/plain.yaml"
cat > "$T/access.yaml" <<YAML
auth:
  keys:
    - {name: bench, key: $KEY, tokens: {per_minute: 1000000000000}, budget: {usd: 1000000, period: month}}
budgets:
  global: {usd: 1000000, period: month}
$ENDPOINT
    tokens: {per_minute: 1000000000000}
    cost: {input_per_million: 0.15, output_per_million: 0.6}
    budget: {usd: 1000000, period: month}
YAML
cat > "$T/client.py" <<'PY'
import http.client, sys
port, n, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
body = '{"messages":[{"role":"user","content":"Hello, how are you?"}],"max_tokens":16}'
headers = {"Content-Type": "application/json"}
if key: headers["Authorization"] = "Bearer " + key
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("POST", "/endpoints/chat/invocations", body, headers)
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(f"HTTP {r.status}")
PY
instructions() {  # instructions CONFIG CALLS KEY
  local port out; port=$(free_port); out="$T/cg.$1.$2"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" start-server \
    --config-path "$T/$1.yaml" --port "$port" --workers 1 --no-reload >"$T/gw.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do curl -sf -m 1 -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
  python3 "$T/client.py" "$port" "$2" "$3"
  kill -TERM "$pid"; wait "$pid" || true
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
declare -A per_call
for config in plain access; do
  key=""; [[ $config == access ]] && key=$KEY
  a=$(instructions "$config" 100 "$key"); b=$(instructions "$config" 1100 "$key")
  per_call[$config]=$(( (b - a) / 1000 ))
  printf '%-7s %8d instructions per call\n' "$config" "${per_call[$config]}"
done
python3 -c "p, a = ${per_call[plain]}, ${per_call[access]}; print(f'access costs {a - p} instructions per call: {100 * (a - p) / p:.1f} % of a plain call')"
