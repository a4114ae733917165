// The HTTP/1.1 server: N workers, each an io_context run by one thread with its own upstream
// pool and sessions; connections are dealt to workers in turn; one coroutine per connection
// (docs/architecture.md, "Worker model": why one io_context per thread and no strands).
// Keep-alive, header/body size limits, read and idle timeouts, graceful shutdown; plain HTTP
// and HTTPS (docs/tls.md) through the same session code, a template over the transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/metrics.h"
#include "gateway/rate_limit.h"
#include "gateway/ledger.h"
#include "gateway/redis_ledger.h"
#include "gateway/redis_limiter.h"
#include "gateway/runtime.h"
#include "gateway/upstream_client.h"

namespace gw {

class TlsContextHolder;  // gateway/tls.h

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5000;                      // 0 = pick a free port (tests)
  int workers = 2;                                // worker threads (one io_context each)
  std::size_t max_body_bytes = 10 * 1024 * 1024;  // larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;       // larger headers get 431
  // JSON values (array elements, object members) in one request body; more gets 413 before
  // any parsing, so one body cannot hold a worker for seconds.
  std::size_t max_json_values = 500'000;
  // Open client connections at most; past it a new connection gets 503 and is closed, and near
  // it idle keep-alive connections are closed first. 0: derived from RLIMIT_NOFILE (which
  // start() raises to its hard limit).
  std::size_t max_connections = 0;
  // Time allowed to receive one whole request once its first byte is expected; a client that
  // is slower gets 408 (or is dropped silently if it sent nothing) and the connection closes.
  std::chrono::milliseconds read_timeout{30'000};
  // How long an idle keep-alive connection is kept open waiting for the next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // Longest time given to requests in flight after SIGINT/SIGTERM before the process exits.
  std::chrono::milliseconds shutdown_grace{30'000};
  bool access_log = false;
  bool access_log_json = false;  // with access_log: JSON lines (docs/operations.md)
  bool handle_signals = true;    // install SIGINT/SIGTERM handlers (off for in-process tests)
  UpstreamOptions upstream;
  // Shared rate-limit counters; an in-memory limiter when null. It outlives config reloads.
  std::shared_ptr<RateLimiter> limiter;
  // Shared token and spend counters and usage rows (docs/access-and-budgets.md); in memory when
  // null (made by the server). Like `limiter`, it outlives config reloads.
  std::shared_ptr<MemoryLedgerStore> ledger;
  // Wall clock for responses and rate-limit windows; tests inject a controllable one.
  std::function<std::chrono::system_clock::time_point()> clock;
  // Rate-limit counters in Redis, shared by replicas (one client per worker); memory when unset.
  std::optional<RedisAddress> redis;
  bool rate_limit_fail_closed = false;  // Redis unreachable: 503 instead of admitting
  bool ui = true;                       // the web console at /ui (--no-ui: off)
  // Streams: time to the upstream's first bytes, and the longest silence between later reads.
  std::chrono::milliseconds stream_first_event{60'000};
  std::chrono::milliseconds stream_idle{60'000};
  // Called on SIGHUP (with handle_signals): the config reload hook.
  std::function<void()> on_reload_signal;
  // Prometheus metrics (docs/operations.md, "Metrics"); the server makes its own registry
  // (one shard per worker) when null. GET /metrics is served on the API's port, or only on
  // `metrics_port` when set (0 = any free port, for tests), on the same host.
  std::shared_ptr<metrics::Registry> metrics;
  std::optional<std::uint16_t> metrics_port;
  // HTTPS (docs/tls.md): the certificate generations (null: no TLS). With `tls_port` (0 = any
  // free port, for tests) TLS is served there and plain HTTP stays on `port`; without it TLS
  // replaces plain HTTP on `port`. The metrics listener stays plain.
  std::shared_ptr<TlsContextHolder> tls;
  std::optional<std::uint16_t> tls_port;
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<RuntimeHolder> runtime);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket (throws on failure) and starts the worker threads.
  // Returns the bound port.
  std::uint16_t start();
  // Graceful shutdown: stop accepting, close idle connections, let requests in flight
  // finish (bounded by shutdown_grace). Safe from any thread, idempotent.
  void stop();
  // Blocks until every worker thread has exited (after stop() or a signal).
  void wait();

  std::uint16_t port() const;
  // The bound --metrics-port (0 without one).
  std::uint16_t metrics_port() const;
  // The bound TLS port (port() when TLS replaces plain HTTP there; 0 without TLS).
  std::uint16_t tls_port() const;
  // The metrics registry (the one given in the options, or the server's own).
  metrics::Registry& metrics();
  RuntimeHolder& runtime();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw
