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
#include <optional>
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

// Live counters one scope (an endpoint's limit) may hold at once. A client key past it (someone
// spraying distinct header values) is counted in the scope's one shared overflow counter, so
// memory stays bounded and spraying keys buys no extra calls.
inline constexpr std::size_t kMaxCountersPerScope = 100'000;
// The client part of the overflow counter's key (no client key can be equal: they are
// "ip:<address>", "h:<hex digest>", an address, or empty).
inline constexpr std::string_view kOverflowClient = "~overflow";

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one call of `client` in `scope` (an endpoint's limit: name, limit and key kind)
  // under `limit` at `now` and says whether it is admitted.
  virtual LimitDecision hit(std::string_view scope, std::string_view client,
                            const config::LimitConfig& limit,
                            std::chrono::system_clock::time_point now) = 0;
  // The count of `client` in `scope` for the window of `now`, without counting a call
  // (`remaining` and `reset_ms` as after the last call; `allowed`: a call would be admitted).
  // nullopt when this store cannot tell.
  virtual std::optional<LimitDecision> peek(std::string_view scope, std::string_view client,
                                            const config::LimitConfig& limit,
                                            std::chrono::system_clock::time_point now) const {
    (void)scope, (void)client, (void)limit, (void)now;
    return std::nullopt;
  }
  // One scope, one client: the whole key is the scope.
  LimitDecision hit(const std::string& key, const config::LimitConfig& limit,
                    std::chrono::system_clock::time_point now) {
    return hit(key, std::string_view(), limit, now);
  }
};

class MemoryRateLimiter final : public RateLimiter {
 public:
  explicit MemoryRateLimiter(std::size_t max_counters_per_scope = kMaxCountersPerScope)
      : max_per_scope_(max_counters_per_scope) {}
  using RateLimiter::hit;
  LimitDecision hit(std::string_view scope, std::string_view client,
                    const config::LimitConfig& limit,
                    std::chrono::system_clock::time_point now) override;
  std::optional<LimitDecision> peek(std::string_view scope, std::string_view client,
                                    const config::LimitConfig& limit,
                                    std::chrono::system_clock::time_point now) const override;
  std::size_t size() const;  // live counters (tests)

 private:
  struct Counter {
    std::int64_t window = -1;  // index of the window the count belongs to
    std::int64_t count = 0;
    std::int64_t expires_ms = 0;  // end of that window (for purging)
  };
  // Lookups by string_view without building a std::string per call.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;
  struct Scope {
    TextMap<Counter> counters;  // by client key
    // The earliest window end among the counters: a full scope is purged only once something
    // in it can have expired (a purge is a scan of the scope).
    std::int64_t earliest_end_ms = INT64_MAX;
  };
  struct Shard {
    mutable std::mutex mu;
    TextMap<Scope> scopes;
    std::int64_t next_purge_ms = 0;
  };
  static void purge(Scope& scope, std::int64_t now_ms);
  std::size_t max_per_scope_;
  std::array<Shard, 16> shards_;
};

// The window arithmetic, shared with the Redis limiter: window index and its end for `now`.
struct Window {
  std::int64_t index;
  std::int64_t end_ms;
};
Window window_of(const config::LimitConfig& limit, std::int64_t now_ms);

}  // namespace gw
