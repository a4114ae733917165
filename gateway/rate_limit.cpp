#include "gateway/rate_limit.h"

#include <algorithm>
#include <climits>
#include <functional>

namespace gw {

Window window_of(const config::LimitConfig& limit, std::int64_t now_ms) {
  const std::int64_t period_ms = std::max<std::int64_t>(1, limit.period_seconds) * 1000;
  const std::int64_t index = now_ms / period_ms;
  return Window{index, (index + 1) * period_ms};
}

void MemoryRateLimiter::purge(Scope& scope, std::int64_t now_ms) {
  std::int64_t earliest = INT64_MAX;
  std::erase_if(scope.counters, [&](const auto& kv) {
    if (kv.second.expires_ms <= now_ms) return true;
    earliest = std::min(earliest, kv.second.expires_ms);
    return false;
  });
  scope.earliest_end_ms = earliest;
}

LimitDecision MemoryRateLimiter::hit(std::string_view scope_key, std::string_view client,
                                     const config::LimitConfig& limit,
                                     std::chrono::system_clock::time_point now) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const Window w = window_of(limit, now_ms);
  Shard& shard = shards_[std::hash<std::string_view>{}(scope_key) % shards_.size()];
  std::lock_guard lock(shard.mu);
  // Drop counters of windows that are over, now and then, so memory follows live clients.
  if (now_ms >= shard.next_purge_ms) {
    for (auto it = shard.scopes.begin(); it != shard.scopes.end();) {
      purge(it->second, now_ms);
      it = it->second.counters.empty() ? shard.scopes.erase(it) : std::next(it);
    }
    shard.next_purge_ms = now_ms + 10'000;
  }
  auto sit = shard.scopes.find(scope_key);
  if (sit == shard.scopes.end()) sit = shard.scopes.emplace(std::string(scope_key), Scope{}).first;
  Scope& scope = sit->second;
  auto it = scope.counters.find(client);
  if (it == scope.counters.end()) {
    if (scope.counters.size() >= max_per_scope_ && now_ms >= scope.earliest_end_ms)
      purge(scope, now_ms);
    // Full of live clients: this one shares the overflow counter (one slot beyond the cap).
    if (scope.counters.size() >= max_per_scope_) client = kOverflowClient;
    it = scope.counters.try_emplace(std::string(client)).first;
  }
  Counter& c = it->second;
  if (c.window != w.index) {
    c.window = w.index;
    c.count = 0;
    c.expires_ms = w.end_ms;
    scope.earliest_end_ms = std::min(scope.earliest_end_ms, w.end_ms);
  }
  LimitDecision d;
  d.limit = limit.calls;
  d.reset_ms = w.end_ms - now_ms;
  if (c.count >= limit.calls) {
    d.allowed = false;
    d.remaining = 0;
    return d;
  }
  ++c.count;
  d.allowed = true;
  d.remaining = limit.calls - c.count;
  return d;
}

std::optional<LimitDecision> MemoryRateLimiter::peek(
    std::string_view scope_key, std::string_view client, const config::LimitConfig& limit,
    std::chrono::system_clock::time_point now) const {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const Window w = window_of(limit, now_ms);
  std::int64_t count = 0;
  const Shard& shard = shards_[std::hash<std::string_view>{}(scope_key) % shards_.size()];
  {
    std::lock_guard lock(shard.mu);
    if (auto sit = shard.scopes.find(scope_key); sit != shard.scopes.end()) {
      if (auto it = sit->second.counters.find(client);
          it != sit->second.counters.end() && it->second.window == w.index)
        count = it->second.count;
    }
  }
  LimitDecision d;
  d.limit = limit.calls;
  d.allowed = count < limit.calls;
  d.remaining = std::max<std::int64_t>(0, limit.calls - count);
  d.reset_ms = w.end_ms - now_ms;
  return d;
}

std::size_t MemoryRateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [k, scope] : s.scopes) n += scope.counters.size();
  }
  return n;
}

}  // namespace gw
