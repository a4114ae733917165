#include "gateway/stages/chain.h"

#include <boost/asio.hpp>
#include <cstdio>
#include <random>

#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/call.h"
#include "gateway/stages/stream_relay.h"
#include "gateway/stream_writer.h"
#include "gateway/upstream_client.h"
#include "providers/wire/aws_sigv4.h"

namespace gw {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

Payload Payload::serialized(std::string text, bool stream) {
  Payload p;
  p.text_ = std::move(text);
  p.stream_ = stream;
  return p;
}

Payload Payload::parsed(Json json, bool stream) {
  Payload p;
  p.json_ = std::move(json);
  p.stream_ = stream;
  return p;
}

const Json& Payload::json() {
  if (json_.is_null() && text_) json_ = parse_json(*text_);
  return json_;
}

Result<Call> Payload::prepare(const EndpointRuntime& ep, const RequestContext& ctx, bool again) {
  if (text_ && !stream_) {
    // The adapter's serialised path (a copy: a declining adapter leaves the text for json()).
    if (auto request = ep.adapter->prepare_serialized(ctx, *text_))
      return Call(std::move(*request));
  }
  json();
  if (again) return ep.adapter->prepare(ctx, json_);
  return ep.adapter->prepare(ctx, std::move(json_));
}

namespace {

double unit_draw() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

Millis left(Clock::time_point deadline) {
  return std::chrono::duration_cast<Millis>(deadline - Clock::now());
}

std::string ms_text(Clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", std::chrono::duration<double, std::milli>(d).count());
  return text;
}

// One invocation's chain in progress.
struct Chain {
  Payload& payload;
  Invocation& inv;
  Services& s;
  Clock::time_point deadline;
  std::optional<ApiResponse> last;  // the last failure, as the client would see it
  bool wants_usage = false;         // a stream's stream_options.include_usage
  bool probe = false;               // the current attempt is its breaker's half-open probe
};

void record(Invocation& inv, const EndpointRuntime& ep, int status, std::string_view reason) {
  inv.answered_by = ep.config.name;
  inv.answered = &ep;
  inv.attempts.push_back({ep.config.name, status, reason});
}

void log_change(const EndpointRuntime& ep, const std::optional<CircuitBreaker::Change>& change) {
  if (change) log::warn("endpoint '" + ep.config.name + "': circuit breaker " + change->text);
}

// 503 for an endpoint whose breaker is open and that has no fallback left.
ApiResponse breaker_open(const EndpointRuntime& ep, Millis retry_after, PathFamily family) {
  const std::int64_t seconds = std::max<std::int64_t>(1, (retry_after.count() + 999) / 1000);
  ApiResponse r = render_error(
      GatewayError::make(503,
                         "Endpoint '" + ep.config.name +
                             "' is unavailable: its circuit breaker is open after repeated "
                             "upstream failures; retry after " +
                             std::to_string(seconds) + " s",
                         "server_error", "circuit_open"),
      family);
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

// False when the endpoint's breaker is open: the endpoint is skipped (recorded).
bool breaker_allows(Chain& c, const EndpointRuntime& ep) {
  c.probe = false;
  if (!ep.breaker) return true;
  const auto admission = ep.breaker->admit(Clock::now());
  log_change(ep, admission.change);
  c.probe = admission.probe;
  if (admission.allowed) return true;
  record(c.inv, ep, 503, to_string(FailureKind::BreakerOpen));
  c.inv.limit.reset();  // no X-RateLimit-* headers of an endpoint tried earlier
  c.last = breaker_open(ep, admission.retry_after, c.inv.family);
  return false;
}

// Tells the breaker how an attempt went. A retryable failure counts; an answer, or an error
// status the endpoint is not retried on, shows that the provider is up.
// An outcome that says nothing about the provider's health (malformed, the client left, the
// gateway's own failure) only frees a probe's slot.
void report(const EndpointRuntime& ep, const std::optional<AttemptFailure>& f, bool probe) {
  if (!ep.breaker) return;
  if (!f || (f->kind == FailureKind::Status && !retryable(ep.config.retries, *f))) {
    log_change(ep, ep.breaker->on_success(probe));
  } else if (retryable(ep.config.retries, *f)) {
    log_change(ep, ep.breaker->on_failure(Clock::now(), probe));
  } else if (probe) {
    ep.breaker->release_probe();
  }
}

// The headers of a stream's response head, when it begins.
StreamHead stream_head(const Invocation& inv) {
  return [&inv] {
    HeaderList head;
    add_limit_headers(head, inv.limit);
    add_token_headers(head, inv);
    add_gateway_headers(head, inv);
    return head;
  };
}

// One try of a prepared call on `ep`.
net::awaitable<Attempt> attempt_once(Chain& c, const EndpointRuntime& ep, const RequestContext& ctx,
                                     const Call& call, bool can_fail_over) {
  Invocation& inv = c.inv;
  if (const auto* local = std::get_if<Json>(&call)) co_return Attempt{json_response(200, *local)};
  if (const auto* local = std::get_if<LocalStream>(&call)) {
    HeaderList head = stream_head(inv)();
    inv.stream_began = Clock::now();
    co_return co_await relay_local(*local, head, *inv.request.stream,
                                   inv.family == PathFamily::OpenAI);
  }
  UpstreamRequest request = std::get<UpstreamRequest>(call);  // signed per attempt
  request.proxy = ep.config.proxy.value_or("");
  if (!inv.request.request_id.empty())
    request.headers.emplace_back("X-Request-Id", inv.request.request_id);
  // What is left of the chain's deadline bounds each attempt; the chain's first one has it
  // all (its own timeout, as configured, not less the microseconds spent before it).
  Millis remaining = Millis::max();
  if (!inv.attempts.empty()) remaining = std::max(left(c.deadline), Millis(1));
  if (c.payload.stream()) {
    co_return co_await relay_attempt(ep, ctx, std::move(request), c.wants_usage, remaining,
                                     stream_head(inv), can_fail_over, inv, c.s);
  }
  if (auto err = co_await authenticate(request, ep.config.name, c.s))
    co_return Attempt{render_error(*err, inv.family), transport_failure(*err)};
  const auto& t = ep.config.timeouts;
  const auto& defaults = c.s.upstream.options();
  const auto attempt = or_default(t.attempt_ms ? t.attempt_ms : t.total_ms, defaults.total_timeout);
  const CallTimeouts timeouts{
      std::min(or_default(t.connect_ms, defaults.connect_timeout), remaining),
      std::min(attempt, remaining)};
  co_return co_await forward(ep, ctx, request, timeouts, inv, c.s);
}

// Waits `wait` before a retry; false when the client left meanwhile.
net::awaitable<bool> back_off(Chain& c, Millis wait) {
  net::steady_timer timer(co_await net::this_coro::executor, wait);
  bool gone = false;
  DisconnectWatch watch(c.inv.request.stream, [&timer, &gone] {
    gone = true;
    timer.cancel();
  });
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  co_return !gone;
}

// An endpoint's prepared call could not be made: the answer when it is the first endpoint
// tried (the request is invalid), else a failure of this endpoint only.
std::optional<ApiResponse> prepare_failed(Chain& c, const EndpointRuntime& ep, ApiResponse r) {
  if (c.inv.attempts.empty()) return r;
  record(c.inv, ep, r.status, to_string(FailureKind::Invalid));
  c.last = std::move(r);
  return std::nullopt;
}

// The attempts on one endpoint. nullopt: move on to the next endpoint; else the answer.
net::awaitable<std::optional<ApiResponse>> try_endpoint(Chain& c, const EndpointRuntime& ep,
                                                        bool more_endpoints) {
  const RequestContext ctx{ep.config.type, c.s.now_seconds()};
  auto call = c.payload.prepare(ep, ctx, more_endpoints);
  if (!call) co_return prepare_failed(c, ep, render_error(call.error(), c.inv.family));
  if (c.payload.stream()) {
    if (auto no = stream_unsupported(ep, *call, c.inv.family))
      co_return prepare_failed(c, ep, std::move(*no));
  }
  for (int n = 1; left(c.deadline) > Millis(0); ++n) {
    if (!breaker_allows(c, ep)) co_return std::nullopt;
    c.inv.limit.reset();  // the X-RateLimit-* headers are those of the endpoint that answers
    if (auto denied = co_await admit(ep, c.inv, c.s)) {
      if (c.probe) ep.breaker->release_probe();
      record(c.inv, ep, denied->status, to_string(FailureKind::Limited));
      c.last = std::move(*denied);
      co_return std::nullopt;
    }
    ++c.inv.upstream_attempts;
    c.inv.answered_by = ep.config.name;  // for a stream's head, written during the attempt
    c.inv.answered = &ep;
    const bool can_fail_over = more_endpoints || n < ep.config.retries.max_attempts;
    Attempt a = co_await attempt_once(c, ep, ctx, *call, can_fail_over);
    report(ep, a.failure, c.probe);
    if (c.s.metrics && std::holds_alternative<UpstreamRequest>(*call))  // not a local provider
      c.s.metrics->record_attempt(ep.metrics_key, a.failure ? to_string(a.failure->kind) : "ok",
                                  n > 1);
    if (!a.failure) {
      record(c.inv, ep, a.response.status, "ok");
      co_return std::move(a.response);
    }
    record(c.inv, ep, a.failure->status, to_string(a.failure->kind));
    if (a.final || a.failure->kind == FailureKind::Cancelled) co_return std::move(a.response);
    const NextStep step =
        next_step(ep.config.retries, *a.failure, n, unit_draw(), left(c.deadline));
    c.last = std::move(a.response);
    if (step.kind == NextStep::Stop) co_return std::move(*c.last);
    if (step.kind == NextStep::NextEndpoint) co_return std::nullopt;
    if (!co_await back_off(c, step.wait)) co_return std::move(*c.last);
  }
  co_return std::nullopt;
}

// Adds "attempts": [{endpoint, status, reason}, ...] to a failure's JSON body.
void add_summary(ApiResponse& r, const Invocation& inv) {
  Json body = parse_json(r.body);
  if (!body.is_object()) return;
  Json list = Json::array();
  for (const auto& a : inv.attempts)
    list.push_back(Json{{"endpoint", a.endpoint}, {"status", a.status}, {"reason", a.reason}});
  body["attempts"] = std::move(list);
  r.body = to_text(body);
}

// A failed chain's body lists its attempts when the endpoint has resilience keys or more than
// one attempt was made. A plain endpoint's errors keep MLflow's exact bodies.
bool wants_summary(const EndpointRuntime& primary, const Invocation& inv) {
  const auto& cfg = primary.config;
  const bool resilient =
      cfg.retries.max_attempts > 1 || !cfg.fallbacks.empty() || cfg.circuit_breaker.has_value();
  return !inv.attempts.empty() && (resilient || inv.attempts.size() > 1);
}

}  // namespace

net::awaitable<ApiResponse> run_chain(const EndpointRuntime& primary, Payload payload,
                                      Invocation& inv, Services& s) {
  const auto total =
      or_default(primary.config.timeouts.total_ms, s.upstream.options().total_timeout);
  Chain c{payload, inv, s, inv.started + total, std::nullopt};
  c.wants_usage = payload.stream() && client_wants_usage(payload.json());
  inv.answered_by = primary.config.name;
  inv.answered = &primary;
  std::vector<const EndpointRuntime*> plan{&primary};
  plan.insert(plan.end(), primary.fallbacks.begin(), primary.fallbacks.end());
  std::optional<ApiResponse> answer;
  for (std::size_t i = 0; i < plan.size() && !answer && left(c.deadline) > Millis(0); ++i) {
    if (i > 0 && s.metrics) s.metrics->record_fallback(primary.metrics_key);
    answer = co_await try_endpoint(c, *plan[i], i + 1 < plan.size());
  }
  if (!answer && c.last) answer = std::move(c.last);
  if (!answer) {
    // The deadline passed before any attempt could be made.
    answer = render_error(GatewayError::make(504,
                                             "Endpoint '" + primary.config.name +
                                                 "': no attempt could be made within the "
                                                 "timeout",
                                             "upstream_timeout", "gateway_timeout"),
                          inv.family);
  }
  if (!answer->streamed && answer->status >= 400 && wants_summary(primary, inv))
    add_summary(*answer, inv);
  co_return std::move(*answer);
}

void add_token_headers(HeaderList& headers, const Invocation& inv) {
  if (!inv.tokens) return;
  headers.emplace_back("X-RateLimit-Limit-Tokens", std::to_string(inv.tokens->limit));
  headers.emplace_back("X-RateLimit-Remaining-Tokens", std::to_string(inv.tokens->remaining));
  headers.emplace_back("X-RateLimit-Reset-Tokens", std::to_string(inv.tokens->reset_s) + "s");
}

void add_gateway_headers(HeaderList& headers, const Invocation& inv) {
  const auto total = Clock::now() - inv.started;
  const auto overhead = total > inv.upstream_wait ? total - inv.upstream_wait : Clock::duration(0);
  if (!inv.answered_by.empty()) headers.emplace_back("X-Gateway-Endpoint", inv.answered_by);
  headers.emplace_back("X-Gateway-Attempts", std::to_string(inv.upstream_attempts));
  headers.emplace_back("X-MLflow-Gateway-Duration-Ms", ms_text(total));
  headers.emplace_back("X-MLflow-Gateway-Overhead-Duration-Ms", ms_text(overhead));
}

std::optional<InvocationFacts> invocation_facts(const Invocation& inv) {
  if (!inv.answered) return std::nullopt;
  const EndpointRuntime& ep = *inv.answered;
  InvocationFacts f;
  f.endpoint = ep.config.name;
  f.provider = ep.config.model.provider;
  f.model = ep.config.model.name.value_or("");
  const auto total = Clock::now() - inv.started;
  const auto overhead = total > inv.upstream_wait ? total - inv.upstream_wait : Clock::duration(0);
  f.overhead_ms = std::chrono::duration<double, std::milli>(overhead).count();
  if (inv.stream_began)
    f.ttft_ms = std::chrono::duration<double, std::milli>(*inv.stream_began - inv.started).count();
  // The counter key may be a client address or a header's digest: logged as a digest only.
  if (ep.config.limit) f.limit_key = sigv4_sha256_hex(limit_client(ep, inv.request)).substr(0, 16);
  return f;
}

std::string attempts_text(const Invocation& inv) {
  std::string out;
  for (const auto& a : inv.attempts) {
    if (!out.empty()) out += ',';
    out += a.endpoint + ":" + std::to_string(a.status) + ":" + std::string(a.reason);
  }
  return out;
}

}  // namespace gw
