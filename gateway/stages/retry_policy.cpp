#include "gateway/stages/retry_policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "gateway/http_text.h"

namespace gw {
namespace {

// A non-negative decimal number (fractions allowed), or nullopt.
std::optional<double> number(std::string_view v) {
  v = trim_ows(v);
  if (v.empty() || v.size() > 20) return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end != v.data() + v.size() || !(d >= 0) || !std::isfinite(d))
    return std::nullopt;
  return d;
}

// An IMF-fixdate (RFC 9110 §5.6.7), e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
std::optional<std::chrono::system_clock::time_point> http_date(std::string_view v) {
  const std::string text(trim_ows(v));
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

constexpr Millis kMaxRetryAfter{24LL * 3600 * 1000};  // a bound for absurd values

}  // namespace

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::Status:
      return "status";
    case FailureKind::Connect:
      return "connect";
    case FailureKind::Tls:
      return "tls";
    case FailureKind::Timeout:
      return "timeout";
    case FailureKind::Malformed:
      return "malformed";
    case FailureKind::Limited:
      return "rate_limited";
    case FailureKind::BreakerOpen:
      return "circuit_open";
    case FailureKind::Cancelled:
      return "client_closed";
    case FailureKind::Gateway:
      return "gateway";
    case FailureKind::Invalid:
      return "invalid_request";
  }
  return "unknown";
}

bool retryable(const config::RetryConfig& retries, const AttemptFailure& f) {
  switch (f.kind) {
    case FailureKind::Status:
      return std::find(retries.retry_on_status.begin(), retries.retry_on_status.end(), f.status) !=
             retries.retry_on_status.end();
    case FailureKind::Connect:
    case FailureKind::Tls:
      return retries.retry_on_connect;
    case FailureKind::Timeout:
      return retries.retry_on_timeout;
    default:
      return false;
  }
}

Millis backoff_delay(const config::RetryConfig& retries, int retry, double unit_draw) {
  const int doublings = std::clamp(retry - 1, 0, 30);
  const double cap =
      std::min(static_cast<double>(retries.backoff_max_ms),
               static_cast<double>(retries.backoff_initial_ms) * std::ldexp(1.0, doublings));
  const double draw = std::clamp(unit_draw, 0.0, 1.0);
  return Millis(static_cast<std::int64_t>(cap * draw));
}

std::optional<Millis> parse_retry_after(
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::system_clock::time_point now) {
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "retry-after-ms")) continue;
    if (auto ms = number(value))
      return std::min(Millis(static_cast<std::int64_t>(*ms)), kMaxRetryAfter);
  }
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "retry-after")) continue;
    if (auto s = number(value))
      return std::min(Millis(static_cast<std::int64_t>(*s * 1000)), kMaxRetryAfter);
    if (auto when = http_date(value)) {
      const auto left = std::chrono::duration_cast<Millis>(*when - now);
      return std::clamp(left, Millis(0), kMaxRetryAfter);
    }
  }
  return std::nullopt;
}

NextStep next_step(const config::RetryConfig& retries, const AttemptFailure& f, int attempts,
                   double unit_draw, Millis remaining) {
  if (f.kind == FailureKind::Limited || f.kind == FailureKind::BreakerOpen ||
      f.kind == FailureKind::Gateway)
    return {NextStep::NextEndpoint, Millis(0)};
  if (!retryable(retries, f)) return {NextStep::Stop, Millis(0)};
  if (attempts >= retries.max_attempts) return {NextStep::NextEndpoint, Millis(0)};
  Millis wait = backoff_delay(retries, attempts, unit_draw);
  if (f.retry_after) {
    // The provider said when it can take the call again: later than backoff.max is too long to
    // wait here, so the next fallback is tried at once.
    if (*f.retry_after > Millis(retries.backoff_max_ms)) return {NextStep::NextEndpoint, Millis(0)};
    wait = *f.retry_after;
  }
  if (wait >= remaining) return {NextStep::NextEndpoint, Millis(0)};
  return {NextStep::Retry, wait};
}

std::string_view to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::Closed:
      return "closed";
    case CircuitBreaker::State::Open:
      return "open";
    case CircuitBreaker::State::HalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreaker::Admission CircuitBreaker::admit(SteadyTime now) {
  std::lock_guard lock(mu_);
  Admission a;
  if (state_ == State::Open) {
    if (now < open_until_) {
      a.allowed = false;
      a.retry_after = std::chrono::duration_cast<Millis>(open_until_ - now);
      return a;
    }
    state_ = State::HalfOpen;
    probe_out_ = false;
    a.change = Change{State::HalfOpen, "half-open: one request probes the endpoint"};
  }
  if (state_ == State::HalfOpen) {
    if (probe_out_ && now < probe_deadline_) {
      a.allowed = false;
      a.retry_after = std::chrono::duration_cast<Millis>(probe_deadline_ - now);
      return a;
    }
    probe_out_ = true;
    probe_deadline_ = now + Millis(config_.cooldown_ms);
    a.probe = true;
  }
  return a;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::on_success(bool probe) {
  std::lock_guard lock(mu_);
  if (state_ == State::Closed) {
    consecutive_ = 0;
    return std::nullopt;
  }
  if (state_ == State::Open || !probe) return std::nullopt;  // not the probe's answer
  state_ = State::Closed;
  probe_out_ = false;
  consecutive_ = 0;
  return Change{State::Closed, "closed: the probe succeeded"};
}

std::optional<CircuitBreaker::Change> CircuitBreaker::on_failure(SteadyTime now, bool probe) {
  std::lock_guard lock(mu_);
  if (state_ == State::HalfOpen) return probe ? open(now) : std::nullopt;
  if (state_ == State::Open) return std::nullopt;  // an attempt admitted before it opened
  if (++consecutive_ < config_.failures) return std::nullopt;
  return open(now);
}

void CircuitBreaker::release_probe() {
  std::lock_guard lock(mu_);
  if (state_ == State::HalfOpen) probe_out_ = false;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::open(SteadyTime now) {
  const bool reopened = state_ == State::HalfOpen;
  state_ = State::Open;
  probe_out_ = false;
  open_until_ = now + Millis(config_.cooldown_ms);
  char secs[32];
  std::snprintf(secs, sizeof secs, "%g", config_.cooldown_ms / 1000.0);
  const int failures = consecutive_;
  consecutive_ = 0;
  return Change{State::Open, reopened
                                 ? std::string("open again for ") + secs + " s: the probe failed"
                                 : std::string("open for ") + secs + " s after " +
                                       std::to_string(failures) + " consecutive failures"};
}

CircuitBreaker::State CircuitBreaker::state(SteadyTime now) const {
  std::lock_guard lock(mu_);
  if (state_ == State::Open && now >= open_until_) return State::HalfOpen;
  return state_;
}

}  // namespace gw
