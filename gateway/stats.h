// GET /api/2.0/gateway/stats (docs/console.md, "Stats"): the live figures the console's
// dashboard and endpoint list read, as JSON, so that no browser parses the Prometheus text.
// Counters are cumulative since the process started; the client takes differences between two
// polls (request rate, and quantiles from the histogram buckets' differences).
// Pure (no Asio): the unit tests link it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/metrics.h"
#include "gateway/rate_limit.h"
#include "gateway/runtime.h"

namespace gw {

struct StatsInput {
  double now = 0;      // UNIX seconds
  double started = 0;  // UNIX seconds
  std::string config_sha256;
  std::vector<metrics::ReloadEvent> reloads;
  // The registry's merged series, by series key (metrics::Registry::merged_series).
  const std::unordered_map<std::string, metrics::EndpointSeries>* series = nullptr;
  const Runtime* rt = nullptr;
  // With `auth`: the caller's key; only endpoints and routes it may use are listed.
  const ClientKey* caller = nullptr;
  // An endpoint's calls-limit counter as the caller would be counted (null or nullopt: not
  // known, e.g. with Redis storage).
  std::function<std::optional<LimitDecision>(const EndpointRuntime&)> limit_usage;
  std::chrono::steady_clock::time_point steady_now{};  // circuit-breaker states
};

// The stats document (the shape is in docs/console.md).
std::string stats_json(const StatsInput& in);

}  // namespace gw
