// Prometheus metrics (docs/operations.md, "Metrics"): what the gateway counts and how a scrape
// renders it in the text exposition format 0.0.4.
//
// Cost on the request path: every worker thread writes only its own MetricsShard. Gauges are
// relaxed atomics written by that one thread; the per-endpoint series sit in a map behind a
// mutex that only the worker and a scrape ever take (uncontended: a few tens of nanoseconds per
// request). A scrape merges the shards. Labels are bounded: endpoint and provider names come
// from the config, never from a request (an unknown name is recorded with endpoint="").
//
// Pure: no Asio, no sockets. The server feeds it (server.cpp) and asks it to render.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gw {

class Runtime;

namespace metrics {

// Fixed bucket bounds (upper, inclusive), +Inf implied.
struct Buckets {
  const double* bounds;
  std::size_t size;
};
// Seconds of a call or a stream: 5 ms to 5 minutes.
extern const Buckets kSeconds;
// Seconds of the gateway's own time: 25 µs to 1 s.
extern const Buckets kOverhead;
// Seconds per output token.
extern const Buckets kPerToken;
// Token counts.
extern const Buckets kTokens;

class Histogram {
 public:
  explicit Histogram(const Buckets& b) : buckets_(&b), counts_(b.size + 1, 0) {}
  void observe(double v);
  void merge(const Histogram& o);
  const Buckets& buckets() const { return *buckets_; }
  // Per bucket (not cumulative), +Inf last.
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  const Buckets* buckets_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// The `family` label: which API the request came through.
enum class Family : std::uint8_t { Mlflow, OpenAI };
inline constexpr std::size_t kFamilies = 2;
// The `code` label: 1xx..5xx.
inline constexpr std::size_t kCodeClasses = 5;

// Why an upstream attempt ended: "ok" or a failure kind (retry_policy.h's to_string names).
inline constexpr std::array<std::string_view, 6> kAttemptOutcomes{"ok",      "status", "connect",
                                                                  "timeout", "tls",    "malformed"};
enum class LimitOutcome : std::uint8_t { Admitted, Rejected, StoreError };
inline constexpr std::size_t kLimitOutcomes = 3;

// Everything counted for one (endpoint, provider) pair.
struct EndpointSeries {
  EndpointSeries();
  void merge(const EndpointSeries& o);

  std::array<std::array<std::uint64_t, kCodeClasses>, kFamilies> requests{};
  Histogram duration, overhead, ttft, per_token, tokens_in, tokens_out;
  std::array<std::uint64_t, kAttemptOutcomes.size()> attempts{};
  std::uint64_t retries = 0;
  std::uint64_t fallbacks = 0;  // fallbacks tried after this (primary) endpoint failed
  std::array<std::uint64_t, kLimitOutcomes> limits{};
};

// What one client key (`auth.keys`, by name) used: answered invocations, tokens and spend
// (docs/access-and-budgets.md). Never the key itself.
struct KeySeries {
  std::uint64_t requests = 0;
  std::uint64_t tokens_in = 0;
  std::uint64_t tokens_out = 0;
  std::int64_t spend_micros = 0;  // integer micro-dollars
  std::uint64_t refused = 0;      // 429s of its limits and budgets
};

// One answered request, as the session saw it.
struct RequestSample {
  Family family = Family::Mlflow;
  int status = 200;
  double seconds = 0;  // arrival of the request to the end of the response
  // Invocations only (endpoint empty otherwise):
  std::string_view endpoint;
  std::string_view provider;
  double overhead_seconds = -1;  // time not spent waiting for upstreams
  double ttft_seconds = -1;      // streams
  long long tokens_in = -1;      // -1: not reported
  long long tokens_out = -1;
};

// "endpoint\x1fprovider": the key of an endpoint's series.
std::string series_key(std::string_view endpoint, std::string_view provider);

// One worker's counters. The request-path calls are made by the worker's thread only.
class Shard {
 public:
  void record_request(const RequestSample& s);
  // `outcome`: "ok" or a failure kind name; kinds that are not upstream outcomes are ignored.
  void record_attempt(const std::string& key, std::string_view outcome, bool retry);
  void record_fallback(const std::string& key);
  void record_limit(const std::string& key, LimitOutcome outcome);
  // A client key's charged invocation (tokens and micro-dollars), or a refusal by its limits.
  void record_key_usage(const std::string& key_name, long long in, long long out,
                        std::int64_t micros);
  void record_key_refusal(const std::string& key_name);

  // Gauges (open - closed), written by the worker, read by a scrape.
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> streams{0};

  // Adds this shard's series into `into` (a scrape).
  void merge_into(std::unordered_map<std::string, EndpointSeries>& into) const;
  void merge_keys_into(std::unordered_map<std::string, KeySeries>& into) const;

 private:
  EndpointSeries& series(const std::string& key);  // with mu_ held
  mutable std::mutex mu_;
  std::unordered_map<std::string, EndpointSeries> series_;
  std::unordered_map<std::string, KeySeries> keys_;  // by key name
};

// An upstream connection pool's figures (one per worker).
struct PoolFigures {
  std::size_t idle = 0;
  std::uint64_t opened = 0;
  std::uint64_t reused = 0;
};

// A config reload, for the console's markers (docs/console.md).
struct ReloadEvent {
  double time = 0;  // UNIX seconds
  bool ok = true;
};
// Reload events a registry keeps (the oldest are dropped).
inline constexpr std::size_t kReloadEventsKept = 50;

// Process-wide: the workers' shards plus what is not per request (reloads, config hash).
class Registry {
 public:
  explicit Registry(std::size_t shards);
  Shard& shard(std::size_t i) { return *shards_[i]; }
  std::size_t shards() const { return shards_.size(); }

  // A config reload's outcome; `config_sha256` is the served file's hash after a success.
  void reload_result(bool ok, const std::string& config_sha256);
  // The config served at start-up.
  void set_config(const std::string& config_sha256);

  // The whole exposition. `rt` (may be null) gives circuit-breaker states and the endpoint
  // count; `pools` the upstream pools.
  std::string render(const Runtime* rt, const std::vector<PoolFigures>& pools) const;

  // For GET /api/2.0/gateway/stats (gateway/stats.h): every shard's series added up, by
  // series key; the recent reloads, oldest first; start time and served config hash.
  std::unordered_map<std::string, EndpointSeries> merged_series() const;
  std::vector<ReloadEvent> reload_events() const;
  double started() const { return started_; }
  std::string config_sha256() const;

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> reloads_ok_{0};
  std::atomic<std::uint64_t> reloads_failed_{0};
  std::atomic<double> last_reload_{0};
  mutable std::mutex config_mu_;
  std::string config_sha256_;
  std::deque<ReloadEvent> reload_events_;          // with config_mu_
  double started_ = 0;                             // UNIX seconds
  mutable std::atomic<std::size_t> last_size_{0};  // the last exposition's size (to reserve)
};

// The content type of the exposition.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace metrics
}  // namespace gw
