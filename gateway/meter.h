// The token limits and budgets that apply to a request, as ledger counters (docs/access-and-
// budgets.md), and a cache of them: the counter keys change only when a window or period
// ends, so a client key's or an endpoint's meters are built once per window, not per request.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace gw {

// A limit on one ledger counter: a token limit (tokens per window) or a budget (micro-dollars
// per calendar period).
struct Meter {
  bool spend = false;   // a budget (else a token limit)
  char scope = 'e';     // 'k' key, 'e' endpoint, 'g' global
  std::string name;     // the key's or endpoint's name ("" for global)
  std::string counter;  // the ledger key
  std::int64_t limit = 0;
  std::int64_t resets_at = 0;      // UNIX seconds: the window's or period's end
  std::int64_t expires_at_ms = 0;  // how long the store keeps the counter
  std::string_view per;            // "minute", "hour", "day", "week", "month"
  config::OnExceed on_exceed = config::OnExceed::Reject;
  // "key 'team-a'", "endpoint 'chat'", "the global budget".
  std::string who() const;
  bool operator==(const Meter&) const = default;
};

// Meters shared by the requests of one window (immutable once built).
using MeterList = std::shared_ptr<const std::vector<Meter>>;

// The meters of one owner (a client key, an endpoint, the global budget) for the current
// windows, shared by every worker. Rebuilt when the clock reaches the earliest window end
// (or goes back before the build). Lives in the runtime snapshot, so a reload starts afresh.
class MeterCache {
 public:
  template <class Build>
  MeterList get(std::int64_t now, Build&& build) {
    std::shared_ptr<const Entry> e = current_.load(std::memory_order_acquire);
    if (!e || now < e->built_at || now >= e->valid_until) {
      auto fresh = std::make_shared<Entry>();
      fresh->meters = build();
      fresh->built_at = now;
      for (const Meter& m : fresh->meters)
        fresh->valid_until = std::min(fresh->valid_until, m.resets_at);
      current_.store(fresh, std::memory_order_release);
      e = std::move(fresh);
    }
    return MeterList(e, &e->meters);
  }

 private:
  struct Entry {
    std::int64_t built_at = 0;
    std::int64_t valid_until = std::numeric_limits<std::int64_t>::max();
    std::vector<Meter> meters;
  };
  std::atomic<std::shared_ptr<const Entry>> current_;
};

}  // namespace gw
