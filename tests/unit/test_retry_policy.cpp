// gateway/stages/retry_policy.cpp: which failures are retried, backoff bounds, Retry-After,
// the next step of a chain, and the circuit breaker's states, with injected time and draws
// (no sleeps).
#include "gateway/stages/retry_policy.h"

#include <gtest/gtest.h>

#include "gateway/runtime.h"

namespace gw {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

config::RetryConfig defaults() { return {}; }

config::RetryConfig three_tries() {
  config::RetryConfig r;
  r.max_attempts = 3;
  r.backoff_initial_ms = 100;
  r.backoff_max_ms = 1000;
  return r;
}

AttemptFailure status(int s, std::optional<Millis> retry_after = std::nullopt) {
  return {FailureKind::Status, s, retry_after};
}

TEST(Retryable, DefaultListAndKinds) {
  const auto r = defaults();
  for (int s : {429, 500, 502, 503, 504, 529}) EXPECT_TRUE(retryable(r, status(s))) << s;
  for (int s : {400, 401, 403, 404, 408, 409, 422, 501}) EXPECT_FALSE(retryable(r, status(s))) << s;
  EXPECT_TRUE(retryable(r, {FailureKind::Connect, 502, {}}));
  EXPECT_TRUE(retryable(r, {FailureKind::Tls, 502, {}}));
  EXPECT_FALSE(retryable(r, {FailureKind::Timeout, 504, {}}));  // only when listed
  EXPECT_FALSE(retryable(r, {FailureKind::Malformed, 502, {}}));
  EXPECT_FALSE(retryable(r, {FailureKind::Cancelled, 499, {}}));
  EXPECT_FALSE(retryable(r, {FailureKind::Invalid, 422, {}}));
}

TEST(Retryable, ConfiguredList) {
  config::RetryConfig r;
  r.retry_on_status = {503};
  r.retry_on_connect = false;
  r.retry_on_timeout = true;
  EXPECT_TRUE(retryable(r, status(503)));
  EXPECT_FALSE(retryable(r, status(429)));
  EXPECT_FALSE(retryable(r, {FailureKind::Connect, 502, {}}));
  EXPECT_TRUE(retryable(r, {FailureKind::Timeout, 504, {}}));
}

TEST(Backoff, FullJitterUnderADoublingCap) {
  const auto r = three_tries();  // 100 ms, doubling, at most 1000 ms
  EXPECT_EQ(backoff_delay(r, 1, 0.0), 0ms);
  EXPECT_EQ(backoff_delay(r, 1, 0.5), 50ms);
  EXPECT_EQ(backoff_delay(r, 2, 0.5), 100ms);
  EXPECT_EQ(backoff_delay(r, 3, 0.5), 200ms);
  EXPECT_EQ(backoff_delay(r, 5, 0.999999), 999ms);  // 1600 capped at 1000
  EXPECT_EQ(backoff_delay(r, 60, 0.5), 500ms);      // no overflow for large counts
  for (int retry = 1; retry < 12; ++retry)
    for (double d : {0.0, 0.25, 0.5, 0.75, 0.999}) EXPECT_LE(backoff_delay(r, retry, d), 1000ms);
}

TEST(RetryAfter, SecondsMillisecondsAndDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00
  EXPECT_EQ(parse_retry_after({{"Retry-After", "2"}}, now), 2000ms);
  EXPECT_EQ(parse_retry_after({{"retry-after", " 1.5 "}}, now), 1500ms);
  EXPECT_EQ(parse_retry_after({{"retry-after-ms", "250"}}, now), 250ms);
  // retry-after-ms is the more precise one and wins.
  EXPECT_EQ(parse_retry_after({{"Retry-After", "3"}, {"Retry-After-Ms", "1200"}}, now), 1200ms);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "Wed, 21 Oct 2015 07:28:10 GMT"}}, now), 10000ms);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT"}}, now), 0ms);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "soon"}}, now), std::nullopt);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "-1"}}, now), std::nullopt);
  EXPECT_EQ(parse_retry_after({{"X-Other", "1"}}, now), std::nullopt);
  EXPECT_EQ(parse_retry_after({}, now), std::nullopt);
}

TEST(NextStep, NotRetryableStops) {
  for (int s : {400, 401, 403, 404, 422}) {
    EXPECT_EQ(next_step(three_tries(), status(s), 1, 0.5, 10s).kind, NextStep::Stop) << s;
  }
  EXPECT_EQ(next_step(three_tries(), {FailureKind::Malformed, 502, {}}, 1, 0.5, 10s).kind,
            NextStep::Stop);
}

TEST(NextStep, RetriesWhileAttemptsRemainThenMovesOn) {
  const auto r = three_tries();
  const NextStep first = next_step(r, status(503), 1, 0.5, 10s);
  EXPECT_EQ(first.kind, NextStep::Retry);
  EXPECT_EQ(first.wait, 50ms);
  EXPECT_EQ(next_step(r, status(503), 2, 0.5, 10s).wait, 100ms);
  EXPECT_EQ(next_step(r, status(503), 3, 0.5, 10s).kind, NextStep::NextEndpoint);
  EXPECT_EQ(next_step(defaults(), status(503), 1, 0.5, 10s).kind, NextStep::NextEndpoint);
}

TEST(NextStep, RetryAfterHonouredUpToBackoffMax) {
  const auto r = three_tries();
  const NextStep honoured = next_step(r, status(429, 800ms), 1, 0.0, 10s);
  EXPECT_EQ(honoured.kind, NextStep::Retry);
  EXPECT_EQ(honoured.wait, 800ms);
  // Longer than backoff.max: the next fallback at once.
  const NextStep too_long = next_step(r, status(429, 1500ms), 1, 0.0, 10s);
  EXPECT_EQ(too_long.kind, NextStep::NextEndpoint);
  EXPECT_EQ(too_long.wait, 0ms);
}

TEST(NextStep, NoWaitPastTheDeadline) {
  const auto r = three_tries();
  EXPECT_EQ(next_step(r, status(503), 1, 0.5, 60ms).kind, NextStep::Retry);
  EXPECT_EQ(next_step(r, status(503), 1, 0.5, 50ms).kind, NextStep::NextEndpoint);
  EXPECT_EQ(next_step(r, status(429, 800ms), 1, 0.0, 700ms).kind, NextStep::NextEndpoint);
}

TEST(NextStep, OwnLimitAndOpenBreakerMoveOn) {
  EXPECT_EQ(next_step(three_tries(), {FailureKind::Limited, 429, {}}, 1, 0.5, 10s).kind,
            NextStep::NextEndpoint);
  EXPECT_EQ(next_step(three_tries(), {FailureKind::BreakerOpen, 503, {}}, 1, 0.5, 10s).kind,
            NextStep::NextEndpoint);
}

class Breaker : public ::testing::Test {
 protected:
  SteadyTime t0{std::chrono::hours(1)};
  CircuitBreaker breaker{config::BreakerConfig{3, 10'000}};
};

TEST_F(Breaker, OpensAfterConsecutiveFailuresOnly) {
  EXPECT_TRUE(breaker.admit(t0).allowed);
  EXPECT_FALSE(breaker.on_failure(t0));
  EXPECT_FALSE(breaker.on_failure(t0));
  EXPECT_FALSE(breaker.on_success());  // resets the count, no state change
  EXPECT_FALSE(breaker.on_failure(t0));
  EXPECT_FALSE(breaker.on_failure(t0));
  EXPECT_EQ(breaker.state(t0), CircuitBreaker::State::Closed);
  const auto opened = breaker.on_failure(t0);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->to, CircuitBreaker::State::Open);
  EXPECT_EQ(opened->text, "open for 10 s after 3 consecutive failures");
  EXPECT_EQ(breaker.state(t0), CircuitBreaker::State::Open);
}

TEST_F(Breaker, OpenSkipsThenHalfOpenProbesOnce) {
  for (int i = 0; i < 3; ++i) (void)breaker.on_failure(t0);
  const auto refused = breaker.admit(t0 + 4s);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 6000ms);
  EXPECT_EQ(breaker.state(t0 + 10s), CircuitBreaker::State::HalfOpen);
  const auto probe = breaker.admit(t0 + 10s);
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  ASSERT_TRUE(probe.change);
  EXPECT_EQ(probe.change->to, CircuitBreaker::State::HalfOpen);
  // Only one probe at a time.
  EXPECT_FALSE(breaker.admit(t0 + 11s).allowed);
  EXPECT_FALSE(breaker.on_success());  // a late answer of another request does not close it
  const auto closed = breaker.on_success(/*probe=*/true);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->to, CircuitBreaker::State::Closed);
  EXPECT_EQ(closed->text, "closed: the probe succeeded");
  EXPECT_TRUE(breaker.admit(t0 + 11s).allowed);
}

TEST_F(Breaker, FailedProbeOpensAgain) {
  for (int i = 0; i < 3; ++i) (void)breaker.on_failure(t0);
  ASSERT_TRUE(breaker.admit(t0 + 10s).probe);
  EXPECT_FALSE(breaker.on_failure(t0 + 10s));  // not the probe's
  const auto again = breaker.on_failure(t0 + 10s, /*probe=*/true);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->to, CircuitBreaker::State::Open);
  EXPECT_EQ(again->text, "open again for 10 s: the probe failed");
  EXPECT_FALSE(breaker.admit(t0 + 19s).allowed);
  EXPECT_TRUE(breaker.admit(t0 + 20s).probe);
}

TEST_F(Breaker, OpenIgnoresLateOutcomes) {
  for (int i = 0; i < 3; ++i) (void)breaker.on_failure(t0);
  EXPECT_FALSE(breaker.on_success());
  EXPECT_FALSE(breaker.on_success(true));
  EXPECT_EQ(breaker.state(t0 + 1s), CircuitBreaker::State::Open);
}

TEST_F(Breaker, AReleasedProbeLetsTheNextRequestProbe) {
  for (int i = 0; i < 3; ++i) (void)breaker.on_failure(t0);
  ASSERT_TRUE(breaker.admit(t0 + 10s).probe);
  EXPECT_FALSE(breaker.admit(t0 + 11s).allowed);
  breaker.release_probe();
  EXPECT_TRUE(breaker.admit(t0 + 11s).probe);
}

TEST_F(Breaker, AProbeThatNeverReportsFreesItsSlot) {
  for (int i = 0; i < 3; ++i) (void)breaker.on_failure(t0);
  ASSERT_TRUE(breaker.admit(t0 + 10s).probe);  // its client left; no report
  EXPECT_FALSE(breaker.admit(t0 + 19s).allowed);
  EXPECT_TRUE(breaker.admit(t0 + 20s).probe);
}

TEST(FailureKindNames, AsTheAccessLogShowsThem) {
  EXPECT_EQ(to_string(FailureKind::Status), "status");
  EXPECT_EQ(to_string(FailureKind::Connect), "connect");
  EXPECT_EQ(to_string(FailureKind::Timeout), "timeout");
  EXPECT_EQ(to_string(FailureKind::Limited), "rate_limited");
  EXPECT_EQ(to_string(FailureKind::BreakerOpen), "circuit_open");
  EXPECT_EQ(to_string(CircuitBreaker::State::HalfOpen), "half_open");
}

// A reload keeps an endpoint's breaker (its state) when its provider config and breaker
// settings are unchanged, and starts a fresh one otherwise.
std::shared_ptr<const Runtime> runtime_of(const std::string& a_model, const std::string& breaker,
                                          const Runtime* previous) {
  auto loaded = config::load_config_string(
      "endpoints:\n"
      "  - {name: a, endpoint_type: llm/v1/chat, model: " +
          a_model + ", circuit_breaker: " + breaker +
          ", fallbacks: [b]}\n"
          "  - {name: b, endpoint_type: llm/v1/chat, model: {provider: mock}}\n",
      [](const std::string&) { return std::nullopt; });
  EXPECT_TRUE(loaded.ok());
  return std::make_shared<const Runtime>(std::move(*loaded.config), previous);
}

TEST(RuntimeResilience, FallbacksResolvedAndBreakersKeptAcrossReloads) {
  const std::string mock = "{provider: mock}";
  auto first = runtime_of(mock, "{failures: 2}", nullptr);
  const EndpointRuntime* a = first->endpoint("a");
  ASSERT_EQ(a->fallbacks.size(), 1u);
  EXPECT_EQ(a->fallbacks[0], first->endpoint("b"));
  ASSERT_TRUE(a->breaker);
  EXPECT_FALSE(first->endpoint("b")->breaker);
  auto same = runtime_of(mock, "{failures: 2}", first.get());
  EXPECT_EQ(same->endpoint("a")->breaker, a->breaker);
  EXPECT_EQ(same->endpoint("a")->fallbacks[0], same->endpoint("b"));  // its own snapshot
  auto other_model =
      runtime_of("{provider: mock, config: {response: x}}", "{failures: 2}", first.get());
  EXPECT_NE(other_model->endpoint("a")->breaker, a->breaker);
  auto other_breaker = runtime_of(mock, "{failures: 3}", first.get());
  EXPECT_NE(other_breaker->endpoint("a")->breaker, a->breaker);
}

}  // namespace
}  // namespace gw
