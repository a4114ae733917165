#include "gateway/rate_limit.h"

#include <functional>

namespace gw {

Window window_of(const config::LimitConfig& limit, std::int64_t now_ms) {
  const std::int64_t period_ms = std::max<std::int64_t>(1, limit.period_seconds) * 1000;
  const std::int64_t index = now_ms / period_ms;
  return Window{index, (index + 1) * period_ms};
}

LimitDecision MemoryRateLimiter::hit(const std::string& key, const config::LimitConfig& limit,
                                     std::chrono::system_clock::time_point now) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const Window w = window_of(limit, now_ms);
  Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mu);
  // Drop counters of windows that are over, now and then, so memory follows live clients.
  if (now_ms >= shard.next_purge_ms) {
    std::erase_if(shard.counters, [&](const auto& kv) { return kv.second.expires_ms <= now_ms; });
    shard.next_purge_ms = now_ms + 10'000;
  }
  Counter& c = shard.counters[key];
  if (c.window != w.index) {
    c.window = w.index;
    c.count = 0;
    c.expires_ms = w.end_ms;
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

std::size_t MemoryRateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.counters.size();
  }
  return n;
}

}  // namespace gw
