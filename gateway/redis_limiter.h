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

#include "gateway/rate_limit.h"

namespace gw {

struct RedisAddress {
  std::string host = "127.0.0.1";
  std::string port = "6379";
  int db = 0;
};

// Parses "redis://host[:port][/db]". nullopt when it is not such a URI.
std::optional<RedisAddress> parse_redis_uri(const std::string& uri);

class RedisLimiter {
 public:
  RedisLimiter(boost::asio::io_context& ioc, RedisAddress address,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  ~RedisLimiter();

  boost::asio::awaitable<std::optional<LimitDecision>> hit(
      const std::string& key, const config::LimitConfig& limit,
      std::chrono::system_clock::time_point now);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw
