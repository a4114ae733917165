#include "gateway/metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gateway/runtime.h"
#include "gateway/version.h"

namespace gw::metrics {
namespace {

// Durations of calls and streams: 5 ms (a local or cached answer) to 5 minutes.
constexpr double kSecondBounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                    2.5,   5,    10,    30,   60,  120,  300};
// The gateway's own time: 25 µs to 1 s, resolving sub-millisecond overhead.
constexpr double kOverheadBounds[] = {0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                      0.0025,   0.005,   0.01,   0.025,   0.1,    1};
constexpr double kPerTokenBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
constexpr double kTokenBounds[] = {16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::size_t code_class(int status) {
  return static_cast<std::size_t>(std::clamp(status / 100, 1, 5) - 1);
}

// The exposition being written, appended in place (a scrape of 1,000 endpoints writes
// megabytes: no temporary strings per line).
class Out {
 public:
  explicit Out(std::size_t reserve) { text_.reserve(reserve); }
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    text_ += help;
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
  }
  // `labels`: already rendered `a="x",b="y"` ("" for none); `extra` one more label pair.
  template <class V>
  void sample(std::string_view name, std::string_view labels, V value,
              std::string_view extra = {}) {
    text_ += name;
    if (!labels.empty() || !extra.empty()) {
      text_ += '{';
      text_ += labels;
      if (!labels.empty() && !extra.empty()) text_ += ',';
      text_ += extra;
      text_ += '}';
    }
    text_ += ' ';
    number(value);
    text_ += '\n';
  }
  void histogram(std::string_view name, std::string_view labels, const Histogram& h);
  std::string take() { return std::move(text_); }

 private:
  template <class V>
  void number(V v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    text_.append(buf, ec == std::errc() ? end : buf);
  }
  std::string text_;
};

// `le="<bound>"` for each bound of `b`, in plain decimal ("0.0005", not "5e-04").
std::vector<std::string> le_labels(const Buckets& b) {
  std::vector<std::string> out;
  char buf[32];
  for (std::size_t i = 0; i < b.size; ++i) {
    const auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, b.bounds[i], std::chars_format::fixed);
    out.push_back("le=\"" + std::string(buf, end) + "\"");
  }
  out.emplace_back("le=\"+Inf\"");
  return out;
}

const std::vector<std::string>& le_of(const Buckets& b) {
  static const std::vector<std::string> seconds = le_labels(kSeconds);
  static const std::vector<std::string> overhead = le_labels(kOverhead);
  static const std::vector<std::string> per_token = le_labels(kPerToken);
  static const std::vector<std::string> tokens = le_labels(kTokens);
  if (&b == &kSeconds) return seconds;
  if (&b == &kOverhead) return overhead;
  return &b == &kPerToken ? per_token : tokens;
}

void Out::histogram(std::string_view name, std::string_view labels, const Histogram& h) {
  char bucket[96], sum[96], count[96];
  const auto n = std::min<std::size_t>(name.size(), 80);
  std::snprintf(bucket, sizeof bucket, "%.*s_bucket", static_cast<int>(n), name.data());
  std::snprintf(sum, sizeof sum, "%.*s_sum", static_cast<int>(n), name.data());
  std::snprintf(count, sizeof count, "%.*s_count", static_cast<int>(n), name.data());
  const auto& le = le_of(h.buckets());
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.buckets().size; ++i) {
    cumulative += h.counts()[i];
    sample(bucket, labels, cumulative, le[i]);
  }
  sample(bucket, labels, h.count(), le.back());
  sample(sum, labels, h.sum());
  sample(count, labels, h.count());
}

// A label value with `\`, `"` and newlines escaped.
std::string escaped(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `endpoint="a",provider="b"` from a series key.
std::string endpoint_labels(const std::string& key) {
  const auto sep = key.find('\x1f');
  return "endpoint=\"" + escaped(key.substr(0, sep)) + "\",provider=\"" +
         escaped(sep == std::string::npos ? "" : key.substr(sep + 1)) + "\"";
}

// The merged series in key order, each with its rendered endpoint and provider labels.
struct Row {
  std::string labels;
  const EndpointSeries* series;
};
using Merged = std::vector<Row>;

void render_requests(Out& o, const Merged& all) {
  o.family("gateway_requests_total", "counter",
           "Requests answered, by endpoint, provider, API family and status class.");
  static const auto extra = [] {
    std::array<std::array<std::string, kCodeClasses>, kFamilies> e;
    for (std::size_t f = 0; f < kFamilies; ++f)
      for (std::size_t c = 0; c < kCodeClasses; ++c)
        e[f][c] = std::string("family=\"") + (f == 0 ? "mlflow" : "openai") + "\",code=\"" +
                  std::to_string(c + 1) + "xx\"";
    return e;
  }();
  for (const auto& [labels, s] : all)
    for (std::size_t f = 0; f < kFamilies; ++f)
      for (std::size_t c = 0; c < kCodeClasses; ++c)
        if (s->requests[f][c])
          o.sample("gateway_requests_total", labels, s->requests[f][c], extra[f][c]);
}

// One histogram family over every endpoint that observed something.
void render_histograms(Out& o, const Merged& all, std::string_view name, std::string_view help,
                       const Histogram EndpointSeries::*member) {
  o.family(name, "histogram", help);
  for (const auto& [labels, s] : all)
    if ((s->*member).count()) o.histogram(name, labels, s->*member);
}

void render_tokens(Out& o, const Merged& all) {
  o.family("gen_ai_client_token_usage", "histogram",
           "Tokens per invocation as the provider reported them (gen_ai.client.token.usage), "
           "by endpoint, provider and token type.");
  for (const auto& [labels, s] : all) {
    if (s->tokens_in.count())
      o.histogram("gen_ai_client_token_usage", labels + ",token_type=\"input\"", s->tokens_in);
    if (s->tokens_out.count())
      o.histogram("gen_ai_client_token_usage", labels + ",token_type=\"output\"", s->tokens_out);
  }
}

void render_attempts(Out& o, const Merged& all) {
  o.family("gateway_upstream_attempts_total", "counter",
           "Upstream attempts, by endpoint, provider and outcome (ok, status, connect, timeout, "
           "tls, malformed).");
  static const auto extra = [] {
    std::array<std::string, kAttemptOutcomes.size()> e;
    for (std::size_t i = 0; i < e.size(); ++i)
      e[i] = "outcome=\"" + std::string(kAttemptOutcomes[i]) + "\"";
    return e;
  }();
  for (const auto& [labels, s] : all)
    for (std::size_t i = 0; i < kAttemptOutcomes.size(); ++i)
      if (s->attempts[i])
        o.sample("gateway_upstream_attempts_total", labels, s->attempts[i], extra[i]);
  o.family("gateway_upstream_retries_total", "counter",
           "Attempts that retried the same endpoint after a failure.");
  for (const auto& [labels, s] : all)
    if (s->retries) o.sample("gateway_upstream_retries_total", labels, s->retries);
  o.family("gateway_fallbacks_total", "counter",
           "Fallback endpoints tried after this (primary) endpoint failed.");
  for (const auto& [labels, s] : all)
    if (s->fallbacks) o.sample("gateway_fallbacks_total", labels, s->fallbacks);
}

void render_limits(Out& o, const Merged& all) {
  o.family("gateway_rate_limit_decisions_total", "counter",
           "Rate-limit decisions, by endpoint and decision (admitted, rejected, store_error).");
  constexpr std::string_view kExtra[] = {R"(decision="admitted")", R"(decision="rejected")",
                                         R"(decision="store_error")"};
  for (const auto& [labels, s] : all)
    for (std::size_t i = 0; i < kLimitOutcomes; ++i)
      if (s->limits[i])
        o.sample("gateway_rate_limit_decisions_total", labels, s->limits[i], kExtra[i]);
}

// Per client key (by name; the names come from the config, so the labels are bounded).
void render_keys(Out& o, const std::vector<std::unique_ptr<Shard>>& shards) {
  std::unordered_map<std::string, KeySeries> merged;
  for (const auto& s : shards) s->merge_keys_into(merged);
  std::vector<std::pair<std::string, const KeySeries*>> rows;
  for (const auto& [name, k] : merged) rows.emplace_back("key=\"" + escaped(name) + "\"", &k);
  std::sort(rows.begin(), rows.end());
  o.family("gateway_client_key_requests_total", "counter",
           "Answered invocations per client key (auth.keys name).");
  for (const auto& [labels, k] : rows)
    o.sample("gateway_client_key_requests_total", labels, k->requests);
  o.family("gateway_client_key_tokens_total", "counter",
           "Tokens charged per client key, by type (input, output).");
  for (const auto& [labels, k] : rows) {
    o.sample("gateway_client_key_tokens_total", labels, k->tokens_in, R"(token_type="input")");
    o.sample("gateway_client_key_tokens_total", labels, k->tokens_out, R"(token_type="output")");
  }
  o.family("gateway_client_key_spend_usd_total", "counter",
           "USD charged per client key (summed in integer micro-dollars).");
  for (const auto& [labels, k] : rows)
    o.sample("gateway_client_key_spend_usd_total", labels,
             static_cast<double>(k->spend_micros) / 1e6);
  o.family("gateway_client_key_refusals_total", "counter",
           "Invocations of a client key refused by its own calls limit, token limits or budget.");
  for (const auto& [labels, k] : rows)
    if (k->refused) o.sample("gateway_client_key_refusals_total", labels, k->refused);
}

void render_breakers(Out& o, const Runtime* rt) {
  o.family("gateway_circuit_breaker_state", "gauge",
           "Circuit breaker of an endpoint that has one: 0 closed, 1 open, 2 half-open.");
  if (!rt) return;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& ep : rt->endpoints()) {
    if (!ep->breaker) continue;
    const auto state = ep->breaker->state(now);
    const double v = state == CircuitBreaker::State::Closed ? 0
                     : state == CircuitBreaker::State::Open ? 1
                                                            : 2;
    o.sample("gateway_circuit_breaker_state", "endpoint=\"" + escaped(ep->config.name) + "\"", v);
  }
}

// Fields of /proc/self/stat after the command name: utime (14), stime (15), starttime (22),
// vsize (23), rss (24), counted from 1 over the whole line.
struct ProcStat {
  double cpu_seconds = 0, start_seconds = 0, virtual_bytes = 0, resident_bytes = 0;
  bool ok = false;
};

ProcStat read_proc_stat() {
  ProcStat p;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return p;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return p;
  std::vector<std::string> f;
  std::size_t pos = close + 2;
  while (pos < line.size()) {
    const auto sp = line.find(' ', pos);
    f.push_back(line.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos));
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  if (f.size() < 22) return p;  // f[0] is field 3
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  p.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / tick;
  double boot = 0;
  std::ifstream uptime_stat("/proc/stat");
  for (std::string l; std::getline(uptime_stat, l);)
    if (l.rfind("btime ", 0) == 0) boot = std::stod(l.substr(6));
  p.start_seconds = boot + std::stod(f[19]) / tick;
  p.virtual_bytes = std::stod(f[20]);
  p.resident_bytes = std::stod(f[21]) * page;
  p.ok = true;
  return p;
}

void render_process(Out& o) {
  const ProcStat p = read_proc_stat();
  if (p.ok) {
    o.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, seconds.");
    o.sample("process_cpu_seconds_total", "", p.cpu_seconds);
    o.family("process_resident_memory_bytes", "gauge", "Resident memory size, bytes.");
    o.sample("process_resident_memory_bytes", "", p.resident_bytes);
    o.family("process_virtual_memory_bytes", "gauge", "Virtual memory size, bytes.");
    o.sample("process_virtual_memory_bytes", "", p.virtual_bytes);
    o.family("process_start_time_seconds", "gauge", "Start time of the process, UNIX seconds.");
    o.sample("process_start_time_seconds", "", p.start_seconds);
  }
  std::error_code ec;
  std::uint64_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  o.family("process_open_fds", "gauge", "Open file descriptors.");
  o.sample("process_open_fds", "", fds);
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    o.family("process_max_fds", "gauge", "Limit on open file descriptors.");
    o.sample("process_max_fds", "", static_cast<double>(rl.rlim_cur));
  }
}

void render_gauges(Out& o, const std::vector<std::unique_ptr<Shard>>& shards) {
  std::int64_t conns = 0, flight = 0, streams = 0;
  for (const auto& s : shards) {
    conns += s->connections.load(std::memory_order_relaxed);
    flight += s->in_flight.load(std::memory_order_relaxed);
    streams += s->streams.load(std::memory_order_relaxed);
  }
  o.family("gateway_open_connections", "gauge", "Open client connections.");
  o.sample("gateway_open_connections", "", static_cast<double>(conns));
  o.family("gateway_in_flight_requests", "gauge", "Requests being answered.");
  o.sample("gateway_in_flight_requests", "", static_cast<double>(flight));
  o.family("gateway_open_streams", "gauge", "Streamed responses in progress.");
  o.sample("gateway_open_streams", "", static_cast<double>(streams));
}

void render_pools(Out& o, const std::vector<PoolFigures>& pools) {
  PoolFigures t;
  for (const auto& p : pools) {
    t.idle += p.idle;
    t.opened += p.opened;
    t.reused += p.reused;
  }
  o.family("gateway_upstream_pool_idle_connections", "gauge",
           "Idle keep-alive connections in the upstream pools.");
  o.sample("gateway_upstream_pool_idle_connections", "", static_cast<double>(t.idle));
  o.family("gateway_upstream_connections_opened_total", "counter", "Upstream connections opened.");
  o.sample("gateway_upstream_connections_opened_total", "", t.opened);
  o.family("gateway_upstream_connection_reuses_total", "counter",
           "Upstream exchanges sent on a pooled (reused) connection.");
  o.sample("gateway_upstream_connection_reuses_total", "", t.reused);
}

}  // namespace

const Buckets kSeconds{kSecondBounds, std::size(kSecondBounds)};
const Buckets kOverhead{kOverheadBounds, std::size(kOverheadBounds)};
const Buckets kPerToken{kPerTokenBounds, std::size(kPerTokenBounds)};
const Buckets kTokens{kTokenBounds, std::size(kTokenBounds)};

void Histogram::observe(double v) {
  const double* end = buckets_->bounds + buckets_->size;
  const auto i =
      static_cast<std::size_t>(std::lower_bound(buckets_->bounds, end, v) - buckets_->bounds);
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::merge(const Histogram& o) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  sum_ += o.sum_;
  count_ += o.count_;
}

EndpointSeries::EndpointSeries()
    : duration(kSeconds),
      overhead(kOverhead),
      ttft(kSeconds),
      per_token(kPerToken),
      tokens_in(kTokens),
      tokens_out(kTokens) {}

void EndpointSeries::merge(const EndpointSeries& o) {
  for (std::size_t f = 0; f < kFamilies; ++f)
    for (std::size_t c = 0; c < kCodeClasses; ++c) requests[f][c] += o.requests[f][c];
  duration.merge(o.duration);
  overhead.merge(o.overhead);
  ttft.merge(o.ttft);
  per_token.merge(o.per_token);
  tokens_in.merge(o.tokens_in);
  tokens_out.merge(o.tokens_out);
  for (std::size_t i = 0; i < attempts.size(); ++i) attempts[i] += o.attempts[i];
  retries += o.retries;
  fallbacks += o.fallbacks;
  for (std::size_t i = 0; i < kLimitOutcomes; ++i) limits[i] += o.limits[i];
}

std::string series_key(std::string_view endpoint, std::string_view provider) {
  std::string key;
  key.reserve(endpoint.size() + provider.size() + 1);
  key.append(endpoint);
  key += '\x1f';
  key.append(provider);
  return key;
}

EndpointSeries& Shard::series(const std::string& key) {
  auto it = series_.find(key);
  if (it == series_.end()) it = series_.emplace(key, EndpointSeries()).first;
  return it->second;
}

void Shard::record_request(const RequestSample& s) {
  const std::string key = series_key(s.endpoint, s.provider);
  std::lock_guard lock(mu_);
  EndpointSeries& e = series(key);
  ++e.requests[static_cast<std::size_t>(s.family)][code_class(s.status)];
  if (s.endpoint.empty()) return;
  e.duration.observe(s.seconds);
  if (s.overhead_seconds >= 0) e.overhead.observe(s.overhead_seconds);
  if (s.ttft_seconds >= 0) e.ttft.observe(s.ttft_seconds);
  if (s.tokens_in >= 0) e.tokens_in.observe(static_cast<double>(s.tokens_in));
  if (s.tokens_out >= 0) e.tokens_out.observe(static_cast<double>(s.tokens_out));
  // Time per output token after the first (a stream that reported its usage).
  if (s.ttft_seconds >= 0 && s.tokens_out > 1 && s.seconds > s.ttft_seconds)
    e.per_token.observe((s.seconds - s.ttft_seconds) / static_cast<double>(s.tokens_out - 1));
}

void Shard::record_attempt(const std::string& key, std::string_view outcome, bool retry) {
  const auto it = std::find(kAttemptOutcomes.begin(), kAttemptOutcomes.end(), outcome);
  if (it == kAttemptOutcomes.end()) return;
  std::lock_guard lock(mu_);
  EndpointSeries& e = series(key);
  ++e.attempts[static_cast<std::size_t>(it - kAttemptOutcomes.begin())];
  if (retry) ++e.retries;
}

void Shard::record_fallback(const std::string& key) {
  std::lock_guard lock(mu_);
  ++series(key).fallbacks;
}

void Shard::record_limit(const std::string& key, LimitOutcome outcome) {
  std::lock_guard lock(mu_);
  ++series(key).limits[static_cast<std::size_t>(outcome)];
}

void Shard::merge_into(std::unordered_map<std::string, EndpointSeries>& into) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, s] : series_) into[key].merge(s);
}

void Shard::record_key_usage(const std::string& key_name, long long in, long long out,
                             std::int64_t micros) {
  std::lock_guard lock(mu_);
  KeySeries& k = keys_[key_name];
  ++k.requests;
  k.tokens_in += static_cast<std::uint64_t>(std::max(in, 0LL));
  k.tokens_out += static_cast<std::uint64_t>(std::max(out, 0LL));
  k.spend_micros += micros;
}

void Shard::record_key_refusal(const std::string& key_name) {
  std::lock_guard lock(mu_);
  ++keys_[key_name].refused;
}

void Shard::merge_keys_into(std::unordered_map<std::string, KeySeries>& into) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, k] : keys_) {
    KeySeries& t = into[name];
    t.requests += k.requests;
    t.tokens_in += k.tokens_in;
    t.tokens_out += k.tokens_out;
    t.spend_micros += k.spend_micros;
    t.refused += k.refused;
  }
}

Registry::Registry(std::size_t shards) : started_(unix_now()) {
  for (std::size_t i = 0; i < std::max<std::size_t>(shards, 1); ++i)
    shards_.push_back(std::make_unique<Shard>());
}

void Registry::reload_result(bool ok, const std::string& config_sha256) {
  const double now = unix_now();
  {
    std::lock_guard lock(config_mu_);
    reload_events_.push_back(ReloadEvent{now, ok});
    if (reload_events_.size() > kReloadEventsKept) reload_events_.pop_front();
  }
  if (!ok) {
    ++reloads_failed_;
    return;
  }
  ++reloads_ok_;
  last_reload_.store(now);
  set_config(config_sha256);
}

std::unordered_map<std::string, EndpointSeries> Registry::merged_series() const {
  std::unordered_map<std::string, EndpointSeries> merged;
  for (const auto& s : shards_) s->merge_into(merged);
  return merged;
}

std::vector<ReloadEvent> Registry::reload_events() const {
  std::lock_guard lock(config_mu_);
  return {reload_events_.begin(), reload_events_.end()};
}

std::string Registry::config_sha256() const {
  std::lock_guard lock(config_mu_);
  return config_sha256_;
}

void Registry::set_config(const std::string& config_sha256) {
  std::lock_guard lock(config_mu_);
  config_sha256_ = config_sha256;
}

std::string Registry::render(const Runtime* rt, const std::vector<PoolFigures>& pools) const {
  const std::unordered_map<std::string, EndpointSeries> merged = merged_series();
  Merged all;
  all.reserve(merged.size());
  for (const auto& [key, series] : merged) all.push_back({endpoint_labels(key), &series});
  std::sort(all.begin(), all.end(), [](const Row& a, const Row& b) { return a.labels < b.labels; });
  Out o(last_size_.load(std::memory_order_relaxed) + 4096);
  o.family("gateway_build_info", "gauge", "The gateway's version (always 1).");
  o.sample("gateway_build_info", "version=\"" GW_VERSION "\"", 1.0);
  render_process(o);
  render_gauges(o, shards_);
  render_requests(o, all);
  render_histograms(o, all, "gen_ai_server_request_duration_seconds",
                    "Invocation duration, seconds (gen_ai.server.request.duration).",
                    &EndpointSeries::duration);
  render_histograms(o, all, "gateway_request_overhead_seconds",
                    "Time of an invocation not spent waiting for an upstream, seconds.",
                    &EndpointSeries::overhead);
  render_histograms(o, all, "gen_ai_server_time_to_first_token_seconds",
                    "Streams: time until the first bytes went to the client, seconds "
                    "(gen_ai.server.time_to_first_token).",
                    &EndpointSeries::ttft);
  render_histograms(o, all, "gen_ai_server_time_per_output_token_seconds",
                    "Streams: time per output token after the first, seconds "
                    "(gen_ai.server.time_per_output_token).",
                    &EndpointSeries::per_token);
  render_tokens(o, all);
  render_attempts(o, all);
  render_limits(o, all);
  render_keys(o, shards_);
  render_breakers(o, rt);
  render_pools(o, pools);
  o.family("gateway_config_reloads_total", "counter", "Config reloads, by result.");
  o.sample("gateway_config_reloads_total", "result=\"success\"", reloads_ok_.load());
  o.sample("gateway_config_reloads_total", "result=\"failure\"", reloads_failed_.load());
  o.family("gateway_config_last_reload_success_timestamp_seconds", "gauge",
           "When the config was last loaded successfully, UNIX seconds.");
  const double last = last_reload_.load();
  o.sample("gateway_config_last_reload_success_timestamp_seconds", "", last > 0 ? last : started_);
  {
    std::lock_guard lock(config_mu_);
    o.family("gateway_config_info", "gauge", "The served config file's SHA-256 (always 1).");
    o.sample("gateway_config_info", "sha256=\"" + escaped(config_sha256_) + "\"", 1.0);
  }
  o.family("gateway_endpoints", "gauge", "Endpoints in the served config.");
  o.sample("gateway_endpoints", "", static_cast<double>(rt ? rt->endpoints().size() : 0));
  std::string text = o.take();
  last_size_.store(text.size(), std::memory_order_relaxed);
  return text;
}

}  // namespace gw::metrics
