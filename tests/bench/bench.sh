#!/usr/bin/env bash
# Throughput/latency benchmark: nginx direct vs nginx reverse proxy vs the gateway,
# all against the same zero-latency nginx OpenAI mock. Not a test; see README.md.
set -euo pipefail

usage() {
  echo "usage: $0 [--bin build/deployments] [--workers 2] [--duration 10s] [--connections 64] [--threads 2]" >&2
  exit "${1:-2}"
}

BIN=build/deployments WORKERS=2 DURATION=10s CONNS=64 THREADS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
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
lua body "$BODY"
lua body_oai "$BODY_OAI"

check_200() {  # check_200 NAME URL BODY
  local code
  code=$(curl -s -m 5 -o "$T/check.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$3" "$2" || true)
  [[ "$code" == 200 ]] || { echo "response body:" >&2; head -c 500 "$T/check.out" >&2 2>/dev/null || true; echo >&2; die "$1: POST $2 returned HTTP ${code:-none}, expected 200"; }
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

echo "bench: workers=$WORKERS duration=$DURATION connections=$CONNS threads=$THREADS ($(nproc) cores; wrk shares them)" >&2
check_200 nginx-direct "http://127.0.0.1:$UP_PORT/v1/chat/completions" "$BODY"
check_200 nginx-proxy "http://127.0.0.1:$PX_PORT/v1/chat/completions" "$BODY"
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
EOF
  "$BIN" start-server --config-path "$T/gateway.yaml" --host 127.0.0.1 --port "$GW_PORT" --workers "$WORKERS" >"$T/gateway.log" 2>&1 &
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
  run gateway-invocations "http://127.0.0.1:$GW_PORT/endpoints/chat/invocations" body "$GW_PID"
  run gateway-openai "http://127.0.0.1:$GW_PORT/v1/chat/completions" body_oai "$GW_PID"
  RSS_LOAD=$RSS_MAX
fi

# ---- report ---------------------------------------------------------------
echo
printf '%-22s %12s %10s %10s %9s\n' target "req/s" "p50 ms" "p99 ms" non-2xx
printf '%s\n' "${ROWS[@]}"
echo
ratio() { awk -v a="${RPS[$1]}" -v b="${RPS[nginx-proxy]}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
RATIOS=""
for g in gateway-invocations gateway-openai; do
  [[ -n "${RPS[$g]:-}" ]] || continue
  r=$(ratio "$g"); echo "ratio gateway/nginx-proxy ($g): $r"
  RATIOS+="${RATIOS:+,}\"$g\":$r"
done
if [[ -n "$GW_NOTE" ]]; then
  echo "note: $GW_NOTE"
else
  echo "gateway RSS idle: $RSS_IDLE MB, under load: $RSS_LOAD MB"
fi
NOTE_JSON=null; [[ -n "$GW_NOTE" ]] && NOTE_JSON="\"${GW_NOTE//\"/\\\"}\""
JR=$(IFS=,; echo "${JSON_ROWS[*]}")
printf 'RESULT {"workers":%d,"duration":"%s","connections":%d,"threads":%d,"rows":[%s],"ratio_gateway_over_nginx_proxy":{%s},"gateway_rss_mb":{"idle":%s,"load":%s},"note":%s}\n' \
  "$WORKERS" "$DURATION" "$CONNS" "$THREADS" "$JR" "$RATIOS" "$RSS_IDLE" "$RSS_LOAD" "$NOTE_JSON"
