#!/usr/bin/env bash
# Throughput/latency benchmark: nginx direct vs nginx reverse proxy vs the gateway,
# all against the same zero-latency nginx OpenAI mock (plain and streaming), plus the
# time to first byte the gateway adds to a stream. Not a test; see README.md.
set -euo pipefail

usage() {
  echo "usage: $0 [--bin build/deployments] [--workers 2] [--duration 10s] [--connections 64] [--threads 2] [--ttfb-requests 200] [--gateway-args 'ARGS']" >&2
  echo "  --gateway-args: extra start-server flags, e.g. '--access-log=off' or '--metrics-port 9100'" >&2
  exit "${1:-2}"
}

BIN=build/deployments WORKERS=2 DURATION=10s CONNS=64 THREADS=2 TTFB_N=200 TTFB_WARM=20 GW_ARGS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --ttfb-requests) TTFB_N=$2; shift 2 ;;
    --gateway-args) GW_ARGS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[[ $# -eq 0 ]] || usage

NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-/usr/bin/wrk}
for t in "$NGINX" "$WRK" curl; do command -v "$t" >/dev/null || { echo "error: $t not found" >&2; exit 1; }; done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [[ "$BIN" != /* && ! -e "$BIN" && -e "$ROOT/$BIN" ]]; then BIN="$ROOT/$BIN"; fi

T=$(mktemp -d "${TMPDIR:-/tmp}/gwbench.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    pkill -TERM -P "$p" 2>/dev/null || true   # direct children (e.g. gateway workers)
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 1; }

# Duration string (wrk syntax: 10, 10s, 2m, 1h) -> seconds, for the hard timeout around wrk.
to_secs() {
  local n=${1%[smh]} u=${1##*[0-9]}
  case "$u" in m) echo $((n * 60)) ;; h) echo $((n * 3600)) ;; *) echo "$n" ;; esac
}
[[ "$DURATION" =~ ^[0-9]+[smh]?$ ]] || die "bad --duration: $DURATION"
WRK_TIMEOUT=$(( $(to_secs "$DURATION") + 30 ))
[[ "$TTFB_N" =~ ^[1-9][0-9]*$ ]] || die "bad --ttfb-requests: $TTFB_N"

# Pick below the ephemeral range: wrk/proxy client sockets can otherwise hold the port.
EPH_LO=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 10000 + RANDOM % (EPH_LO > 11000 ? EPH_LO - 10000 : 1000) ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    if command -v ss >/dev/null && [[ -n "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]]; then continue; fi
    echo "$p"; return
  done
  die "no free port found"
}

wait_port() {  # wait_port PORT PID NAME LOG
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$4" >&2 || true; die "$3 exited during startup"; }
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$4" >&2 || true; die "$3 did not listen on port $1 within 10 s"
}

# ---- nginx configs --------------------------------------------------------
CHAT='{"id":"chatcmpl-bench0001","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":13,"completion_tokens":7,"total_tokens":20},"system_fingerprint":"fp_bench"}'
COMPL='{"id":"cmpl-bench0001","object":"text_completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"text":"Hello! How can I help you today?","index":0,"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}'
EMB='{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093,0.0158,-0.0071,0.0214,0.0005,-0.0132,0.0087]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}}'

# Streaming mock body: STREAM_TOKENS chat.completion.chunk events (one token each), a final
# chunk with finish_reason "stop", then `data: [DONE]`, each event ended by a blank line.
# nginx rejects a quoted parameter longer than its 4 KiB config buffer ("too long parameter"),
# so the ~17 KB body is split over several `set $sseN '...'` variables (real newlines inside the
# quotes) that `return 200 '$sse0$sse1...'` joins per request. Values must not contain `$`.
STREAM_TOKENS=100
STREAM_SETS="" STREAM_VARS="" STREAM_BYTES=0
sse_part="" sse_n=0
sse_flush() {
  STREAM_SETS+="      set \$sse$sse_n '$sse_part';"$'\n'
  STREAM_VARS+="\$sse$sse_n"
  sse_n=$((sse_n + 1)) sse_part=""
}
for ((i = 0; i <= STREAM_TOKENS + 1; i++)); do
  if ((i < STREAM_TOKENS)); then
    printf -v ev 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"tok%d "},"finish_reason":null}]}\n\n' "$i"
  elif ((i == STREAM_TOKENS)); then
    ev=$'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
  else
    ev=$'data: [DONE]\n\n'
  fi
  STREAM_BYTES=$((STREAM_BYTES + ${#ev}))
  ev=${ev//\\/\\\\}; ev=${ev//\'/\\\'}   # nginx quoted string: escape \ and '
  if ((${#sse_part} + ${#ev} > 3000)); then sse_flush; fi
  sse_part+=$ev
done
sse_flush

nginx_conf() {  # nginx_conf NAME SERVER_BODY
  local d="$T/$1"; mkdir -p "$d"
  {
    [[ $EUID -eq 0 ]] && echo "user root root;"   # workers must reach the 0700 mktemp dir
    cat <<EOF
daemon off;
master_process on;
worker_processes $WORKERS;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  keepalive_requests 100000;
  keepalive_timeout 65s;
$2
}
EOF
  } > "$d/nginx.conf"
}

start_nginx() {  # start_nginx NAME PORT
  "$NGINX" -p "$T/$1" -c "$T/$1/nginx.conf" -e "$T/$1/error.log" >"$T/$1/stdout.log" 2>&1 &
  PIDS+=($!)
  wait_port "$2" "$!" "nginx ($1)" "$T/$1/error.log"
}

UP_PORT=$(free_port)
nginx_conf upstream "  server {
    listen 127.0.0.1:$UP_PORT;
    location = /v1/chat/completions { default_type application/json; return 200 '$CHAT'; }
    location = /v1/completions { default_type application/json; return 200 '$COMPL'; }
    location = /v1/embeddings { default_type application/json; return 200 '$EMB'; }
    location = /stream/v1/chat/completions {
      default_type text/event-stream;
$STREAM_SETS      return 200 '$STREAM_VARS';
    }
    location / { default_type application/json; return 404 '{\"error\":{\"message\":\"not found\"}}'; }
  }"
start_nginx upstream "$UP_PORT"

PX_PORT=$(free_port)
nginx_conf proxy "  upstream mock { server 127.0.0.1:$UP_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$PX_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }"
start_nginx proxy "$PX_PORT"

# ---- wrk scripts ----------------------------------------------------------
lua() { printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' "'$2'" > "$T/$1.lua"; }
BODY='{"messages":[{"role":"user","content":"Hello"}]}'
BODY_OAI='{"model":"chat","messages":[{"role":"user","content":"Hello"}]}'
BODY_STREAM='{"messages":[{"role":"user","content":"Hello"}],"stream":true}'
lua body "$BODY"
BENCH_KEY=bench-client-key-0123456789abcdef
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = %s\n' "$BENCH_KEY" "'$BODY'" > "$T/body_key.lua"
lua body_oai "$BODY_OAI"
lua body_stream "$BODY_STREAM"

check_200() {  # check_200 NAME URL BODY
  local code
  code=$(curl -s -m 5 -o "$T/check.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$3" "$2" || true)
  [[ "$code" == 200 ]] || { echo "response body:" >&2; head -c 500 "$T/check.out" >&2 2>/dev/null || true; echo >&2; die "$1: POST $2 returned HTTP ${code:-none}, expected 200"; }
}

check_stream() {  # check_stream NAME URL DONE(yes|no): one stream, framed as expected?
  local r code ctype summary
  r=$(curl -s -m 10 -o "$T/stream.out" -w '%{http_code} %{content_type}' -X POST -H 'Content-Type: application/json' -d "$BODY_STREAM" "$2" || true)
  code=${r%% *} ctype=${r#* }
  [[ "$code" == 200 ]] || { echo "response body:" >&2; head -c 500 "$T/stream.out" >&2 2>/dev/null || true; echo >&2; die "$1: POST $2 (stream) returned HTTP ${code:-none}, expected 200"; }
  [[ "$ctype" == text/event-stream* ]] || die "$1: stream Content-Type is '$ctype', expected text/event-stream"
  # Events are `data: ...` lines each followed by one empty line (real newlines, not "\n").
  summary=$(awk -v want=$((STREAM_TOKENS + 1)) -v done="$3" -v last_tok="tok$((STREAM_TOKENS - 1)) " '
    NR % 2 == 1 {
      if ($0 !~ /^data: /) { bad = "line " NR " is not a data: line"; exit }
      if (saw_done) { bad = "an event follows [DONE]"; exit }
      if ($0 == "data: [DONE]") { saw_done = 1; next }
      if ($0 ~ /^data: \{"error"/) { bad = "error event: " $0; exit }
      chunks++; last = $0
      if (chunks == 1 && index($0, "\"tok0 \"") == 0) { bad = "first chunk lacks tok0"; exit }
      if (chunks == want - 1 && index($0, "\"" last_tok "\"") == 0) { bad = "chunk " chunks " lacks " last_tok; exit }
      next
    }
    $0 != "" { bad = "line " NR " is not empty (events must be separated by a blank line)"; exit }
    END {
      if (bad == "" && NR % 2 != 0) bad = "the last event is not followed by a blank line"
      if (bad == "" && chunks != want) bad = chunks + 0 " chunk events, expected " want
      if (bad == "" && index(last, "\"finish_reason\":\"stop\"") == 0) bad = "the last chunk has no finish_reason \"stop\""
      if (bad == "" && done == "yes" && !saw_done) bad = "no data: [DONE] at the end"
      if (bad == "" && done == "no" && saw_done) bad = "data: [DONE] present, expected none"
      if (bad != "") { print "BAD " bad; exit }
      printf "%d chunk events, %s", chunks, saw_done ? "then data: [DONE]" : "no [DONE]"
    }' "$T/stream.out")
  [[ "$summary" != BAD* ]] || { head -c 600 "$T/stream.out" >&2; echo >&2; die "$1: malformed stream from $2: ${summary#BAD }"; }
  echo "  checked: $1: $summary, $(wc -c <"$T/stream.out") bytes" >&2
}

to_ms() {  # wrk time like 512.00us / 1.23ms / 1.01s / 1.00m -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1;
    if (f < 0) { print "nan"; exit } printf "%.3f", n * f }'
}

rss_mb() {  # sum VmRSS of PID and its direct children, in MB
  local p kb=0 v
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    kb=$(( kb + ${v:-0} ))
  done
  awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'
}

ROWS=() JSON_ROWS=() RSS_MAX=0
declare -A RPS
run() {  # run NAME URL LUA [RSS_PID]
  local name=$1 url=$2 script="$T/$3.lua" out="$T/wrk-$1.txt" wpid rps p50 p99 non2xx r
  timeout 20 "$WRK" -t "$THREADS" -c "$CONNS" -d 2s -s "$script" "$url" >/dev/null 2>&1 || die "$name: wrk warm-up failed"
  timeout "$WRK_TIMEOUT" "$WRK" --latency --timeout 5s -t "$THREADS" -c "$CONNS" -d "$DURATION" -s "$script" "$url" >"$out" 2>&1 &
  wpid=$!
  if [[ -n "${4:-}" ]]; then
    while kill -0 "$wpid" 2>/dev/null; do
      r=$(rss_mb "$4"); RSS_MAX=$(awk -v a="$r" -v b="$RSS_MAX" 'BEGIN { print (a > b) ? a : b }')
      sleep 0.5
    done
  fi
  wait "$wpid" || { cat "$out" >&2; die "$name: wrk failed"; }
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out"); non2xx=${non2xx:-0}
  [[ -n "$rps" && "$p50" != nan && "$p99" != nan ]] || { cat "$out" >&2; die "$name: could not parse wrk output"; }
  RPS[$name]=$rps
  ROWS+=("$(printf '%-22s %12.1f %10.3f %10.3f %9s' "$name" "$rps" "$p50" "$p99" "$non2xx")")
  JSON_ROWS+=("$(printf '{"target":"%s","rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d}' "$name" "$rps" "$p50" "$p99" "$non2xx")")
  echo "  done: $name" >&2
}

# ttfb_measure NAME URL [NAME URL ...]: TTFB_WARM + TTFB_N sequential streaming POSTs per target,
# alternating between the targets request by request (so drift hits all alike). curl's
# time_starttransfer (s, on a new connection each time) of the last TTFB_N -> $T/ttfb-NAME.txt.
ttfb_measure() {
  local i j r args=("$@")
  for ((j = 0; j < ${#args[@]}; j += 2)); do : >"$T/ttfb-${args[j]}.txt"; done
  for ((i = 0; i < TTFB_WARM + TTFB_N; i++)); do
    for ((j = 0; j < ${#args[@]}; j += 2)); do
      r=$(curl -s -m 10 -o /dev/null -w '%{http_code} %{time_starttransfer}' -X POST \
            -H 'Content-Type: application/json' -d "$BODY_STREAM" "${args[j + 1]}" || true)
      [[ "${r%% *}" == 200 ]] || die "${args[j]}: TTFB request $((i + 1)) to ${args[j + 1]} returned HTTP ${r%% *}"
      ((i < TTFB_WARM)) || echo "${r#* }" >>"$T/ttfb-${args[j]}.txt"
    done
  done
}
pctl_ms() {  # pctl_ms NAME P: nearest-rank P-th percentile of $T/ttfb-NAME.txt, in ms
  LC_ALL=C sort -g "$T/ttfb-$1.txt" | awk -v p="$2" '{ v[NR] = $1 }
    END { k = NR * p / 100; i = int(k); if (i < k) i++; if (i < 1) i = 1; printf "%.3f", v[i] * 1000 }'
}

echo "bench: workers=$WORKERS duration=$DURATION connections=$CONNS threads=$THREADS ($(nproc) cores; wrk shares them)" >&2
check_200 nginx-direct "http://127.0.0.1:$UP_PORT/v1/chat/completions" "$BODY"
check_200 nginx-proxy "http://127.0.0.1:$PX_PORT/v1/chat/completions" "$BODY"
check_stream nginx-direct-stream "http://127.0.0.1:$UP_PORT/stream/v1/chat/completions" yes
run nginx-direct "http://127.0.0.1:$UP_PORT/v1/chat/completions" body
run nginx-proxy "http://127.0.0.1:$PX_PORT/v1/chat/completions" body

GW_NOTE="" RSS_IDLE=null RSS_LOAD=null
if [[ ! -x "$BIN" ]]; then
  GW_NOTE="gateway binary '$BIN' not found or not executable; gateway rows skipped (build the project first)"
else
  GW_PORT=$(free_port)
  cat > "$T/gateway.yaml" <<EOF
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: sk-bench
        openai_api_base: http://127.0.0.1:$UP_PORT/v1
  - name: chat-stream
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: sk-bench
        openai_api_base: http://127.0.0.1:$UP_PORT/stream/v1
  - name: chat-resilient
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: sk-bench
        openai_api_base: http://127.0.0.1:$UP_PORT/v1
    retries: {max_attempts: 3}
    fallbacks: [chat]
    circuit_breaker: {failures: 5, cooldown: 30}
EOF
  "$BIN" start-server --config-path "$T/gateway.yaml" --host 127.0.0.1 --port "$GW_PORT" --workers "$WORKERS" $GW_ARGS >"$T/gateway.log" 2>&1 &
  GW_PID=$!; PIDS+=("$GW_PID")
  ok=0
  for _ in $(seq 100); do  # bounded: ~10 s
    kill -0 "$GW_PID" 2>/dev/null || break
    if curl -sf -m 1 -o /dev/null "http://127.0.0.1:$GW_PORT/health"; then ok=1; break; fi
    sleep 0.1
  done
  if [[ $ok -ne 1 ]]; then
    tail -n 30 "$T/gateway.log" >&2 || true
    kill -0 "$GW_PID" 2>/dev/null && die "gateway not healthy on port $GW_PORT within 10 s" || die "gateway exited during startup"
  fi
  sleep 0.5
  RSS_IDLE=$(rss_mb "$GW_PID")
  check_200 gateway-invocations "http://127.0.0.1:$GW_PORT/endpoints/chat/invocations" "$BODY"
  check_200 gateway-openai "http://127.0.0.1:$GW_PORT/v1/chat/completions" "$BODY_OAI"
  check_stream gateway-stream "http://127.0.0.1:$GW_PORT/endpoints/chat-stream/invocations" no  # MLflow framing
  run gateway-invocations "http://127.0.0.1:$GW_PORT/endpoints/chat/invocations" body "$GW_PID"
  run gateway-openai "http://127.0.0.1:$GW_PORT/v1/chat/completions" body_oai "$GW_PID"
  # The same call through an endpoint with retries, a fallback and a breaker (all healthy):
  # the resilience stage's cost on the happy path.
  check_200 gateway-resilient "http://127.0.0.1:$GW_PORT/endpoints/chat-resilient/invocations" "$BODY"
  run gateway-resilient "http://127.0.0.1:$GW_PORT/endpoints/chat-resilient/invocations" body "$GW_PID"
  # The same call with access and spend on (docs/access-and-budgets.md): a client key checked,
  # token limits of the key and the endpoint, cost, budgets of the key, the endpoint and global
  # (limits far above the load, so every call is admitted), charged in memory: their cost on
  # the hot path. A second gateway process, so the rows above are unchanged.
  AC_PORT=$(free_port)
  cat > "$T/access.yaml" <<EOF
auth:
  keys:
    - name: bench
      key: $BENCH_KEY
      tokens: {per_minute: 1000000000000}
      budget: {usd: 1000000, period: month}
budgets:
  global: {usd: 1000000, period: month}
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: sk-bench
        openai_api_base: http://127.0.0.1:$UP_PORT/v1
    tokens: {per_minute: 1000000000000}
    cost: {input_per_million: 0.15, output_per_million: 0.6}
    budget: {usd: 1000000, period: month}
EOF
  "$BIN" start-server --config-path "$T/access.yaml" --host 127.0.0.1 --port "$AC_PORT" --workers "$WORKERS" $GW_ARGS >"$T/access.log" 2>&1 &
  AC_PID=$!; PIDS+=("$AC_PID")
  for _ in $(seq 100); do  # bounded: ~10 s
    curl -sf -m 1 -o /dev/null "http://127.0.0.1:$AC_PORT/health" && break
    sleep 0.1
  done
  code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
           -H "Authorization: Bearer $BENCH_KEY" -d "$BODY" "http://127.0.0.1:$AC_PORT/endpoints/chat/invocations" || true)
  [[ "$code" == 200 ]] || { tail -n 20 "$T/access.log" >&2; die "gateway-access: HTTP ${code:-none}, expected 200"; }
  run gateway-access "http://127.0.0.1:$AC_PORT/endpoints/chat/invocations" body_key "$AC_PID"
  kill "$AC_PID" 2>/dev/null || true
fi


# ---- streaming: streams/s, then time to first byte -------------------------
NX_STREAM="http://127.0.0.1:$UP_PORT/stream/v1/chat/completions"
run nginx-direct-stream "$NX_STREAM" body_stream
if [[ -z "$GW_NOTE" ]]; then
  GW_STREAM="http://127.0.0.1:$GW_PORT/endpoints/chat-stream/invocations"
  run gateway-stream "$GW_STREAM" body_stream "$GW_PID"
  RSS_LOAD=$RSS_MAX
  sleep 1  # let the load's connections drain before the latency probe
  ttfb_measure nginx-direct-stream "$NX_STREAM" \
    nginx-proxy-stream "http://127.0.0.1:$PX_PORT/stream/v1/chat/completions" gateway-stream "$GW_STREAM"
else
  sleep 1
  ttfb_measure nginx-direct-stream "$NX_STREAM"
fi
echo "  done: ttfb" >&2
TTFB_NX50=$(pctl_ms nginx-direct-stream 50) TTFB_NX99=$(pctl_ms nginx-direct-stream 99)
TTFB_GW_JSON=null TTFB_ADD_JSON=null
if [[ -z "$GW_NOTE" ]]; then
  TTFB_GW50=$(pctl_ms gateway-stream 50) TTFB_GW99=$(pctl_ms gateway-stream 99)
  TTFB_ADD50=$(awk -v a="$TTFB_GW50" -v b="$TTFB_NX50" 'BEGIN { printf "%.3f", a - b }')
  TTFB_ADD99=$(awk -v a="$TTFB_GW99" -v b="$TTFB_NX99" 'BEGIN { printf "%.3f", a - b }')
  TTFB_GW_JSON="{\"p50\":$TTFB_GW50,\"p99\":$TTFB_GW99}"
  TTFB_ADD_JSON="{\"p50\":$TTFB_ADD50,\"p99\":$TTFB_ADD99}"
fi

# ---- report ---------------------------------------------------------------
echo
printf '%-22s %12s %10s %10s %9s\n' target "req/s" "p50 ms" "p99 ms" non-2xx
printf '%s\n' "${ROWS[@]}"
echo "(*-stream rows: req/s = streams/s; each stream is $((STREAM_TOKENS + 1)) chunk events, $STREAM_BYTES bytes from the mock)"
echo
ratio() { awk -v a="${RPS[$1]}" -v b="${RPS[nginx-proxy]}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
RATIOS=""
for g in gateway-invocations gateway-openai gateway-resilient; do
  [[ -n "${RPS[$g]:-}" ]] || continue
  r=$(ratio "$g"); echo "ratio gateway/nginx-proxy ($g): $r"
  RATIOS+="${RATIOS:+,}\"$g\":$r"
done
if [[ -n "$GW_NOTE" ]]; then
  echo "note: $GW_NOTE"
else
  echo "gateway RSS idle: $RSS_IDLE MB, under load: $RSS_LOAD MB"
fi
echo "stream TTFB (ms; curl time_starttransfer; $TTFB_N sequential requests per target after $TTFB_WARM warm-up):"
printf '  %-22s p50 %8.3f   p99 %8.3f\n' nginx-direct-stream "$TTFB_NX50" "$TTFB_NX99"
if [[ -z "$GW_NOTE" ]]; then
  TTFB_PX50=$(pctl_ms nginx-proxy-stream 50) TTFB_PX99=$(pctl_ms nginx-proxy-stream 99)
  printf '  %-22s p50 %8.3f   p99 %8.3f\n' nginx-proxy-stream "$TTFB_PX50" "$TTFB_PX99"
  printf '  %-22s p50 %8.3f   p99 %8.3f\n' gateway-stream "$TTFB_GW50" "$TTFB_GW99"
  echo "gateway adds $TTFB_ADD50 ms p50, $TTFB_ADD99 ms p99 to a stream's time to first byte"
  awk -v a="$TTFB_PX50" -v b="$TTFB_NX50" -v c="$TTFB_PX99" -v d="$TTFB_NX99" \
    'BEGIN { printf "(for reference, nginx proxy_pass adds %.3f ms p50, %.3f ms p99)\n", a - b, c - d }'
fi
NOTE_JSON=null; [[ -n "$GW_NOTE" ]] && NOTE_JSON="\"${GW_NOTE//\"/\\\"}\""
JR=$(IFS=,; echo "${JSON_ROWS[*]}")
STREAM_JSON=$(printf '{"chunk_events":%d,"mock_body_bytes":%d,"ttfb_ms":{"requests":%d,"warmup":%d,"nginx_direct_stream":{"p50":%s,"p99":%s},"gateway_stream":%s,"gateway_added":%s}}' \
  $((STREAM_TOKENS + 1)) "$STREAM_BYTES" "$TTFB_N" "$TTFB_WARM" "$TTFB_NX50" "$TTFB_NX99" "$TTFB_GW_JSON" "$TTFB_ADD_JSON")
printf 'RESULT {"workers":%d,"duration":"%s","connections":%d,"threads":%d,"rows":[%s],"ratio_gateway_over_nginx_proxy":{%s},"gateway_rss_mb":{"idle":%s,"load":%s},"stream":%s,"note":%s}\n' \
  "$WORKERS" "$DURATION" "$CONNS" "$THREADS" "$JR" "$RATIOS" "$RSS_IDLE" "$RSS_LOAD" "$STREAM_JSON" "$NOTE_JSON"
