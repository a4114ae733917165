// The rules of the resilience stage (docs/resilience.md), as pure functions of the endpoint's
// config, the failure and injected time and randomness, so they are tested without sockets or
// sleeps: which failures are retried, how long to back off, what `Retry-After` means, and the
// per-endpoint circuit breaker.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"

namespace gw {

using Millis = std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// Why one attempt failed.
enum class FailureKind {
  Status,       // the provider answered with an error status
  Connect,      // connect, DNS, or the connection closed before any response
  Tls,          // the TLS handshake failed (retried as `connect`)
  Timeout,      // connect or response timeout
  Malformed,    // the provider's reply could not be read or translated
  Limited,      // the endpoint's own rate limit (or its store) refused the attempt
  BreakerOpen,  // the endpoint's circuit breaker is open: not attempted
  Cancelled,    // the client left
  Gateway,      // the gateway could not make the request (credentials, a bad request line)
  Invalid,      // the request itself is invalid for this endpoint (never retried)
};

std::string_view to_string(FailureKind kind);

struct AttemptFailure {
  FailureKind kind = FailureKind::Status;
  int status = 502;                   // the status the client would see
  std::optional<Millis> retry_after;  // from Retry-After / retry-after-ms, when sent
};

// A failure `retry_on` lists: a listed status (kind Status), `connect` (Connect, Tls) or
// `timeout` (Timeout). Nothing else is retried or failed over: any other status, a malformed
// reply, an invalid request, a client that left.
bool retryable(const config::RetryConfig& retries, const AttemptFailure& failure);

// The wait before retry number `retry` (1 = the second attempt): full jitter, a uniform draw
// in [0, min(max, initial * 2^(retry-1))]. `unit_draw` is in [0, 1).
Millis backoff_delay(const config::RetryConfig& retries, int retry, double unit_draw);

// The wait a response asks for: `retry-after-ms` (milliseconds), else `Retry-After` (seconds,
// or an HTTP date relative to `now`). nullopt when absent or unreadable; a past date is 0.
std::optional<Millis> parse_retry_after(
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::system_clock::time_point now);

// What the chain does after a failed attempt on one endpoint.
struct NextStep {
  enum Kind { Retry, NextEndpoint, Stop } kind = Stop;
  Millis wait{0};  // for Retry: the backoff or the provider's Retry-After
};

// `attempts` tries have been made on this endpoint (1 after the first), `remaining` is what is
// left of the chain's deadline. Not retryable: Stop (the failure is the answer), except a
// refusal by the endpoint's own limit or breaker, which moves on. Retryable: retry while
// attempts remain and the wait fits before the deadline; a Retry-After longer than
// backoff.max moves on at once.
NextStep next_step(const config::RetryConfig& retries, const AttemptFailure& failure, int attempts,
                   double unit_draw, Millis remaining);

// A per-endpoint circuit breaker, shared by every worker of the process (so it locks) and kept
// across reloads that leave the endpoint's provider config unchanged. Closed: requests pass and
// consecutive retryable failures are counted. At `failures` it opens for `cooldown`: requests
// skip the endpoint. After the cooldown it is half-open: one request probes; its success
// closes the breaker, its failure opens it again. A probe that never reports (its client left)
// frees the slot after another cooldown.
class CircuitBreaker {
 public:
  enum class State { Closed, Open, HalfOpen };
  // A state change, for the caller to log once.
  struct Change {
    State to;
    std::string text;  // "opened for 30 s after 5 consecutive failures", "half-open", "closed"
  };
  struct Admission {
    bool allowed = true;
    bool probe = false;     // this request is the half-open probe
    Millis retry_after{0};  // when refused: until the next probe may go
    std::optional<Change> change;
  };

  explicit CircuitBreaker(config::BreakerConfig config) : config_(config) {}

  Admission admit(SteadyTime now);
  // The outcome of an admitted attempt (`probe`: Admission::probe of that attempt). A
  // non-retryable outcome (e.g. a 400) shows the provider is up: it counts as a success.
  // While open, outcomes are ignored (attempts admitted before it opened); while half-open,
  // only the probe's counts.
  std::optional<Change> on_success(bool probe = false);
  std::optional<Change> on_failure(SteadyTime now, bool probe = false);
  // A probe that ends without an outcome (refused by the rate limit, the client left, a reply
  // that says nothing about the provider's health): the next request may probe at once.
  void release_probe();

  State state(SteadyTime now) const;
  const config::BreakerConfig& config() const { return config_; }

 private:
  std::optional<Change> open(SteadyTime now);

  const config::BreakerConfig config_;
  mutable std::mutex mu_;
  State state_ = State::Closed;
  int consecutive_ = 0;
  SteadyTime open_until_{};
  SteadyTime probe_deadline_{};  // HalfOpen: when an unreported probe's slot is freed
  bool probe_out_ = false;
};

std::string_view to_string(CircuitBreaker::State state);

}  // namespace gw
