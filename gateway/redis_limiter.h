// Rate-limit counters shared by gateway replicas through Redis (`--rate-limit-storage
// redis://host:port[/db]`, or MLflow's MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI).
//
// One decision = one EVAL of a small Lua script (atomic in Redis, so replicas never admit more
// than `calls` per window together). The window arithmetic is the in-memory limiter's
// (window_of), so both stores behave the same. The protocol is hiredis' (command formatting and
// reply parsing); the I/O is Asio on the worker's own io_context, with a pool of connections.
//
// When Redis cannot be reached (or answers too slowly) hit() returns nullopt and stops trying
// for a back-off period (100 ms doubling to 5 s), so a dead Redis never adds latency to every
// request; the caller then fails open (default) or closed. State changes are logged once.
//
// Thread safety: one instance per worker; hit() runs on that worker's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/limiter.h"
#include "gateway/rate_limit.h"

namespace gw {

struct RedisAddress {
  std::string host = "127.0.0.1";
  std::string port = "6379";
  int db = 0;
  std::string username;  // AUTH <username> <password> (Redis 6 ACLs) when set
  std::string password;  // AUTH <password> when set without a username
  bool tls = false;      // rediss://: TLS, verified against the system store (+ ca_file)
  std::string ca_file;   // extra trusted CA bundle (PEM) for rediss://

  // "redis[s]://host:port/db", with any credentials shown as "***": for logs and errors.
  std::string redacted() const;
};

// Parses "redis[s]://[[username]:password@]host[:port][/db]" (percent-escapes in the
// credentials are decoded). nullopt when it is not such a URI.
std::optional<RedisAddress> parse_redis_uri(const std::string& uri);

// The URI with its credentials replaced by "***" (for logging a URI that did not parse).
std::string redact_uri(const std::string& uri);

class RedisLimiter final : public Limiter {
 public:
  RedisLimiter(boost::asio::io_context& ioc, RedisAddress address,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  ~RedisLimiter();

  // Counts one call of `client` in `scope` (see RateLimiter::hit); nullopt when Redis cannot
  // be reached.
  boost::asio::awaitable<std::optional<LimitDecision>> hit(
      std::string_view scope, std::string_view client, const config::LimitConfig& limit,
      std::chrono::system_clock::time_point now) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw
