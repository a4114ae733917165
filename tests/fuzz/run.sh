#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/README.md).
#
#   tests/fuzz/run.sh TARGET SECONDS [BUILD_DIR]   one target, e.g. `run.sh sse 60` or `run.sh fuzz_sse 60`
#   tests/fuzz/run.sh all SECONDS [BUILD_DIR]      every target in turn, one summary line each
#
# BUILD_DIR defaults to build-fuzz in the repository (configured with -DGATEWAY_FUZZ=ON, see the
# README). The seed corpus tests/fuzz/corpus/<target>/ is copied into a temporary working corpus,
# so the repository's corpus is never modified. Exit status: 0 when every run ended cleanly,
# 1 when a target found a crash (the path of the crash file is printed), 2 on usage errors.
#
# Environment: FUZZ_WORK_ROOT (default /tmp) holds the working directories; a run that found a
# crash keeps its directory (corpus, log, crash file); FUZZ_KEEP=1 keeps every directory.
# FUZZ_TIMEOUT (default 10) is libFuzzer's per-input -timeout in seconds; it is wall-clock time,
# so on a loaded machine a `nice -n 19` run can be starved past it (check a timeout-* file by
# running it alone). Extra libFuzzer flags can be passed in FUZZ_FLAGS.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
targets=(config request sse ndjson eventstream provider_reply provider_stream provider_request url sigv4 sts http_request)

usage() {
  echo "usage: $0 TARGET|all SECONDS [BUILD_DIR]" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
}

[ $# -ge 2 ] || usage
what="${1#fuzz_}"
seconds="$2"
build="${3:-$repo/build-fuzz}"
build="$(cd "$build" 2>/dev/null && pwd || echo "$build")"  # targets run from a temp dir
case "$seconds" in '' | *[!0-9]*) usage ;; esac

max_len_of() {
  case "$1" in
    url | sts) echo 1024 ;;
    sigv4) echo 4096 ;;
    sse | ndjson | eventstream) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

dict_of() {
  case "$1" in
    config) echo "$here/dict/yaml.dict" ;;
    sse | url | sigv4 | eventstream | http_request) echo "$here/dict/http.dict" ;;
    sts) echo "$here/dict/xml.dict" ;;
    *) echo "$here/dict/json.dict" ;;
  esac
}

# Sets: r_execs r_cov r_ft r_speed r_corpus r_status r_crash
run_one() {
  local name="$1" bin="$build/tests/fuzz/fuzz_$1"
  r_execs="-" r_cov="-" r_ft="-" r_speed="-" r_corpus="-" r_status="CRASH" r_crash=""
  if [ ! -x "$bin" ]; then
    echo "$name: $bin not found (build it: cmake --build $build --target fuzz_$name)" >&2
    r_status="MISSING"
    return 1
  fi
  local work
  work="$(mktemp -d "${FUZZ_WORK_ROOT:-/tmp}/gw-fuzz-$name.XXXXXX")"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [ -d "$here/corpus/$name" ]; then cp -R "$here/corpus/$name/." "$work/corpus/"; fi
  local dict
  dict="$(dict_of "$name")"
  local -a flags=(
    "-max_total_time=$seconds" "-max_len=$(max_len_of "$name")" -rss_limit_mb=2048 "-timeout=${FUZZ_TIMEOUT:-10}"
    -print_final_stats=1 "-artifact_prefix=$work/artifacts/")
  [ -f "$dict" ] && flags+=("-dict=$dict")
  # The in-process server frees a connection's memory on its own thread, just after the client
  # saw the close: libFuzzer's per-input leak check would report that as a leak.
  [ "$name" = http_request ] && flags+=(-detect_leaks=0)
  echo "== fuzz_$name for ${seconds}s (work dir $work)"
  # The working directory is the temp dir: nothing a target might write lands in the repo.
  # shellcheck disable=SC2086
  (cd "$work" && UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}" \
    "$bin" "${flags[@]}" ${FUZZ_FLAGS:-} "$work/corpus") >"$work/log" 2>&1
  local rc=$?
  # The last status line: "#N DONE cov: C ft: F corp: K/SIZE lim: L exec/s: E rss: R".
  local last
  last="$(grep -E '^#[0-9]+' "$work/log" | tail -n 1)"
  r_execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)"
  r_speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)"
  [ -n "$r_execs" ] || r_execs="$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')"
  [ -n "$r_speed" ] || r_speed="$(echo "$last" | sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p')"
  r_cov="$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')"
  r_ft="$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')"
  r_corpus="$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')"
  : "${r_execs:=-}" "${r_speed:=-}" "${r_cov:=-}" "${r_ft:=-}" "${r_corpus:=-}"
  [ -n "$last" ] && echo "$last"
  if [ $rc -eq 0 ]; then
    r_status="OK"
    [ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"
    return 0
  fi
  r_crash="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | tail -n 1)"
  case "$(basename "${r_crash:-x}")" in
    timeout-*) r_status="CRASH (timeout)" ;;
    oom-*) r_status="CRASH (out of memory)" ;;
    leak-*) r_status="CRASH (leak)" ;;
  esac
  grep -E '^==[0-9]+==ERROR|^==FUZZ CHECK FAILED==|runtime error:|SUMMARY:|deadly signal|ERROR: libFuzzer' \
    "$work/log" | head -n 8
  echo "fuzz_$name: FAILED (exit $rc); log: $work/log"
  [ -n "$r_crash" ] && echo "crash file: $r_crash"
  return 1
}

summary() {
  local line="$1: $r_execs execs, cov $r_cov, ft $r_ft, $r_speed exec/s, $r_status (corpus $r_corpus)"
  [ -n "$r_crash" ] && line+=" $r_crash"
  echo "$line"
}

if [ "$what" = all ]; then
  lines=()
  failed=0
  for t in "${targets[@]}"; do
    run_one "$t" || failed=1
    lines+=("$(summary "$t")")
  done
  echo
  echo "== summary (${seconds}s per target)"
  printf '%s\n' "${lines[@]}"
  exit $failed
fi

known=0
for t in "${targets[@]}"; do [ "$t" = "$what" ] && known=1; done
[ $known = 1 ] || usage
run_one "$what"
rc=$?
summary "$what"
exit $rc
