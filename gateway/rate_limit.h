// Per-endpoint rate limits (issue: limits that hold on every path and across reloads).
//
// Algorithm: fixed windows aligned to the UNIX epoch, as MLflow's default (slowapi/limits
// "fixed-window"), so replicas sharing a store agree on window boundaries. The guarantee the
// tests assert: within each window [k*P, (k+1)*P) at most `calls` requests are admitted per
// (endpoint, limit, client key). (Like every fixed window, up to 2*calls can pass within one P
// that straddles a boundary; docs/rate-limits.md.)
//
// Counters live outside the config snapshot, keyed by endpoint name + limit text + client key,
// so a reload that keeps an endpoint's limit keeps its counters, and a changed limit starts
// fresh. The clock is injected: tests never sleep.
//
// Thread safety: hit() may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.h"

namespace gw {

struct LimitDecision {
  bool allowed = true;
  std::int64_t limit = 0;      // calls per window
  std::int64_t remaining = 0;  // calls left in this window after this one
  std::int64_t reset_ms = 0;   // milliseconds until the window ends
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one call for `key` under `limit` at `now` and says whether it is admitted.
  virtual LimitDecision hit(const std::string& key, const config::LimitConfig& limit,
                            std::chrono::system_clock::time_point now) = 0;
};

class MemoryRateLimiter final : public RateLimiter {
 public:
  LimitDecision hit(const std::string& key, const config::LimitConfig& limit,
                    std::chrono::system_clock::time_point now) override;
  std::size_t size() const;  // live counters (tests)

 private:
  struct Counter {
    std::int64_t window = -1;  // index of the window the count belongs to
    std::int64_t count = 0;
    std::int64_t expires_ms = 0;  // end of that window (for purging)
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Counter> counters;
    std::int64_t next_purge_ms = 0;
  };
  std::array<Shard, 16> shards_;
};

// The window arithmetic, shared with the Redis limiter: window index and its end for `now`.
struct Window {
  std::int64_t index;
  std::int64_t end_ms;
};
Window window_of(const config::LimitConfig& limit, std::int64_t now_ms);

}  // namespace gw
