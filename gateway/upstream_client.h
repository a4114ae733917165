// The upstream HTTP(S) client (docs/architecture.md, "Upstream client"): keep-alive
// connection pool per (scheme, host, port), TLS with SNI and certificate + hostname verification
// against the system store (plus an optional CA file), connect and total timeouts.
//
// Outcomes that are not an HTTP reply become GatewayErrors: connection failure (refused,
// DNS, TLS handshake, reset) -> 502, timeout -> 504, an unparsable HTTP response -> 502. The
// messages name the endpoint and the upstream host, never a header value.
//
// Thread safety: one client per io_context, and that io_context is run by one thread (the
// server has one per worker thread). send() must be called from coroutines running on it; any
// number of them may be in flight at once. A connection serves one request at a time.
// idle_connections() may be called from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/metrics.h"
#include "config/proxy.h"
#include "providers/adapter.h"
#include "providers/errors.h"

namespace gw {

struct UpstreamOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{300'000};  // MLflow's 300 s default
  std::string ca_file;                  // extra trusted CA bundle (PEM); system store always used
  std::size_t max_idle_per_host = 256;  // idle keep-alive connections kept per host
  std::chrono::seconds idle_ttl{50};    // idle connections older than this are closed
  std::chrono::seconds max_age{600};    // connections are not reused past this age
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (docs/outbound-proxies.md); empty = no proxy unless an
  // endpoint sets its own (UpstreamRequest::proxy). main() fills it from the process environment.
  config::ProxyEnvironment proxy_env;
};

// Per-call limits (an endpoint may override the global ones).
struct CallTimeouts {
  std::chrono::milliseconds connect;
  std::chrono::milliseconds total;
};

// An upstream response whose body is read incrementally (streaming). It owns its connection:
// a body read to its end on a keep-alive connection goes back to the pool; anything else (an
// error, a stream abandoned because the client left) closes the connection.
class UpstreamStream {
 public:
  ~UpstreamStream();
  int status() const;
  const std::string& content_type() const;
  // The response headers when the status is an error (>= 400), else empty.
  const HeaderList& error_headers() const;
  // The next bytes of the body, waiting at most `idle`; an empty string at the end of the body.
  // A timeout is a 504, a broken connection a 502.
  boost::asio::awaitable<Result<std::string>> next(std::chrono::milliseconds idle);
  // The rest of the body (for error statuses), up to 1 MiB, waiting at most `idle` per read.
  boost::asio::awaitable<Result<std::string>> rest(std::chrono::milliseconds idle);
  // Aborts a pending next() (it returns an error) and closes the connection: the client left.
  void cancel();
  // The body has been read to its end (the connection went back to the pool if keep-alive).
  bool body_done() const;

  struct Impl;
  explicit UpstreamStream(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// Lets the caller abort one send() in flight, e.g. when its client has disconnected: the
// pending network operation fails at once, send() returns an error and the connection is
// closed, not pooled. Single-threaded like the client: cancel() runs on the client's thread.
class CancelSignal {
 public:
  void cancel() {
    cancelled_ = true;
    if (abort_) abort_();
  }
  bool cancelled() const { return cancelled_; }

  // For the client: what cancel() must do while an exchange is in flight (empty otherwise).
  void set_abort(std::function<void()> abort) { abort_ = std::move(abort); }

 private:
  std::function<void()> abort_;
  bool cancelled_ = false;
};

class UpstreamClient {
 public:
  UpstreamClient(boost::asio::io_context& ioc, UpstreamOptions options);
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  const UpstreamOptions& options() const;

  // Sends one request and reads the whole reply. `endpoint` names the gateway endpoint in
  // error messages.
  boost::asio::awaitable<Result<UpstreamReply>> send(const UpstreamRequest& request,
                                                     std::string_view endpoint);
  boost::asio::awaitable<Result<UpstreamReply>> send(const UpstreamRequest& request,
                                                     std::string_view endpoint,
                                                     CallTimeouts timeouts,
                                                     CancelSignal* cancel = nullptr);

  // Sends the request and returns once the response header has arrived (within
  // `first_byte` after the request was sent, bounded by the connect timeout before that).
  boost::asio::awaitable<Result<std::unique_ptr<UpstreamStream>>> open_stream(
      const UpstreamRequest& request, std::string_view endpoint,
      std::chrono::milliseconds first_byte);

  // Number of idle pooled connections (for tests and metrics).
  std::size_t idle_connections() const;
  // Idle connections, connections opened and exchanges on a reused connection (any thread).
  metrics::PoolFigures pool_figures() const;

 private:
  friend class UpstreamStream;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw
