// Rate-limit counters shared by gateway replicas through Redis (`--rate-limit-storage
// redis://host:port[/db]`, or MLflow's MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI).
//
// One decision = one EVAL of a small Lua script (atomic in Redis, so replicas never admit more
// than `calls` per window together). The window arithmetic is the in-memory limiter's
// (window_of), so both stores behave the same. The protocol is hiredis' (command formatting and
// reply parsing); the I/O is Asio on the worker's own io_context, with a pool of connections
// (the connection code is RedisClient's, redis_client.h, shared with RedisLedger).
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
#include <optional>
#include <string_view>

#include "gateway/limiter.h"
#include "gateway/rate_limit.h"
#include "gateway/redis_client.h"

namespace gw {

class RedisLimiter final : public Limiter {
 public:
  RedisLimiter(boost::asio::io_context& ioc, RedisAddress address,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(250));

  // Counts one call of `client` in `scope` (see RateLimiter::hit); nullopt when Redis cannot
  // be reached.
  boost::asio::awaitable<std::optional<LimitDecision>> hit(
      std::string_view scope, std::string_view client, const config::LimitConfig& limit,
      std::chrono::system_clock::time_point now) override;

 private:
  RedisClient client_;
};

}  // namespace gw
