// One interface for admitting a call against an endpoint's limit, whatever holds the counters:
// this process (LocalLimiter over a RateLimiter, rate_limit.h) or Redis, shared by replicas
// (RedisLimiter, redis_limiter.h). The admit stage (gateway/stages/admit.h) sees only this.
//
// Thread safety: an instance belongs to one worker; hit() runs on that worker's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "gateway/rate_limit.h"

namespace gw {

class Limiter {
 public:
  virtual ~Limiter() = default;
  // Counts one call of `client` in `scope` (see RateLimiter::hit). nullopt when the counters
  // cannot be reached (a remote store that is down); the caller fails open or closed.
  virtual boost::asio::awaitable<std::optional<LimitDecision>> hit(
      std::string_view scope, std::string_view client, const config::LimitConfig& limit,
      std::chrono::system_clock::time_point now) = 0;
};

// Counters in this process. The RateLimiter is shared by every worker's LocalLimiter, so a
// limit holds across workers and across config reloads.
class LocalLimiter final : public Limiter {
 public:
  explicit LocalLimiter(std::shared_ptr<RateLimiter> counters) : counters_(std::move(counters)) {}
  boost::asio::awaitable<std::optional<LimitDecision>> hit(
      std::string_view scope, std::string_view client, const config::LimitConfig& limit,
      std::chrono::system_clock::time_point now) override;

 private:
  std::shared_ptr<RateLimiter> counters_;
};

}  // namespace gw
