// The in-memory fixed-window limiter, driven by an injected clock (no sleeping).
#include <gtest/gtest.h>

#include <map>

#include "gateway/rate_limit.h"

namespace gw {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::system_clock;

config::LimitConfig limit(std::int64_t calls, const std::string& period) {
  auto l = config::parse_limit(calls, period);
  EXPECT_TRUE(l.has_value()) << period;
  return *l;
}

Clock::time_point at_ms(std::int64_t ms) { return Clock::time_point(milliseconds(ms)); }

TEST(MemoryRateLimiter, AdmitsCallsThenRejectsUntilTheWindowEnds) {
  MemoryRateLimiter rl;
  auto l = limit(3, "minute");
  const std::int64_t t0 = 60'000 * 1000;  // a window boundary
  for (int i = 0; i < 3; ++i) {
    auto d = rl.hit("k", l, at_ms(t0 + i));
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
    EXPECT_EQ(d.reset_ms, 60'000 - i);
  }
  auto denied = rl.hit("k", l, at_ms(t0 + 59'999));
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_EQ(denied.reset_ms, 1);
  auto next = rl.hit("k", l, at_ms(t0 + 60'000));  // the next window
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.remaining, 2);
}

TEST(MemoryRateLimiter, PeekReadsTheCurrentWindowWithoutCounting) {
  MemoryRateLimiter rl;
  auto l = limit(3, "minute");
  const std::int64_t t0 = 60'000 * 1000;
  auto p = rl.peek("scope", "client", l, at_ms(t0));  // nothing counted yet
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->allowed);
  EXPECT_EQ(p->remaining, 3);
  EXPECT_EQ(p->reset_ms, 60'000);
  rl.hit("scope", "client", l, at_ms(t0 + 1));
  rl.hit("scope", "client", l, at_ms(t0 + 2));
  for (int i = 0; i < 3; ++i) {  // peeking counts nothing
    p = rl.peek("scope", "client", l, at_ms(t0 + 1000));
    EXPECT_EQ(p->remaining, 1);
    EXPECT_EQ(p->reset_ms, 59'000);
  }
  EXPECT_EQ(rl.peek("scope", "other", l, at_ms(t0 + 1000))->remaining, 3);
  rl.hit("scope", "client", l, at_ms(t0 + 3));
  EXPECT_FALSE(rl.peek("scope", "client", l, at_ms(t0 + 4))->allowed);
  EXPECT_EQ(rl.peek("scope", "client", l, at_ms(t0 + 60'000))->remaining, 3);  // next window
}

TEST(MemoryRateLimiter, KeysAreIndependent) {
  MemoryRateLimiter rl;
  auto l = limit(1, "second");
  EXPECT_TRUE(rl.hit("a", l, at_ms(5'000)).allowed);
  EXPECT_FALSE(rl.hit("a", l, at_ms(5'001)).allowed);
  EXPECT_TRUE(rl.hit("b", l, at_ms(5'002)).allowed);
}

TEST(MemoryRateLimiter, ZeroCallsRejectsEverything) {
  MemoryRateLimiter rl;
  EXPECT_FALSE(rl.hit("a", limit(0, "minute"), at_ms(1)).allowed);
}

TEST(MemoryRateLimiter, MultiplesAndLongPeriods) {
  MemoryRateLimiter rl;
  auto l = limit(2, "5 minutes");
  EXPECT_EQ(window_of(l, 300'000 * 7 + 1).index, 7);
  EXPECT_EQ(window_of(l, 300'000 * 7 + 1).end_ms, 300'000 * 8);
  EXPECT_EQ(window_of(limit(1, "day"), 86'400'000LL * 3 - 1).end_ms, 86'400'000LL * 3);
  EXPECT_EQ(window_of(limit(1, "month"), 0).end_ms, 30LL * 86'400'000);
}

// The property the docs promise: in every window, at most `calls` admitted, for any arrival
// pattern (here: a pseudo-random walk of arrivals over many windows).
TEST(MemoryRateLimiter, NeverAdmitsMoreThanCallsPerWindow) {
  MemoryRateLimiter rl;
  auto l = limit(7, "second");
  std::map<std::int64_t, int> admitted;
  std::uint64_t x = 12345;
  std::int64_t t = 1'000'000;
  for (int i = 0; i < 20'000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    t += static_cast<std::int64_t>((x >> 33) % 40);  // 0-39 ms between calls
    if (rl.hit("k", l, at_ms(t)).allowed) ++admitted[t / 1000];
  }
  ASSERT_GT(admitted.size(), 100u);
  for (const auto& [window, n] : admitted) EXPECT_LE(n, 7) << window;
  // And the limit is reached in busy windows (the limiter is not simply refusing).
  int full = 0;
  for (const auto& [window, n] : admitted) full += n == 7;
  EXPECT_GT(full, 100);
}

TEST(MemoryRateLimiter, ExpiredCountersArePurged) {
  MemoryRateLimiter rl;
  auto l = limit(1, "second");
  for (int i = 0; i < 100; ++i) rl.hit("k" + std::to_string(i), l, at_ms(1'000));
  EXPECT_EQ(rl.size(), 100u);
  // Purges run at most every 10 s per shard; 1000 new keys reach every one of the 16 shards.
  for (int i = 0; i < 1000; ++i) rl.hit("z" + std::to_string(i), l, at_ms(1'000 + 20'000));
  EXPECT_EQ(rl.size(), 1000u);  // the 100 counters of the old window are gone
}

// Hardening (docs/security.md): a client spraying distinct keys (header values) cannot grow
// the limiter without bound, and gains nothing: past the cap every new key shares one counter.
TEST(MemoryRateLimiter, LiveCountersPerScopeAreCappedAndOverflowSharesOneCounter) {
  MemoryRateLimiter rl(1000);
  auto l = limit(2, "hour");
  int admitted_past_cap = 0;
  for (int i = 0; i < 100'000; ++i) {
    auto d = rl.hit("endpoint-a|2/hour|header:x|", "h:" + std::to_string(i), l, at_ms(5'000));
    if (i >= 1000 && d.allowed) ++admitted_past_cap;
  }
  EXPECT_EQ(rl.size(), 1001u);      // 1000 clients + the shared overflow counter
  EXPECT_EQ(admitted_past_cap, 2);  // 99,000 sprayed keys bought 2 calls in all
  // Known clients keep their own counters; another scope has its own cap.
  EXPECT_TRUE(rl.hit("endpoint-a|2/hour|header:x|", "h:5", l, at_ms(5'001)).allowed);
  EXPECT_FALSE(rl.hit("endpoint-a|2/hour|header:x|", "h:5", l, at_ms(5'002)).allowed);
  EXPECT_TRUE(rl.hit("endpoint-b|2/hour|header:x|", "h:0", l, at_ms(5'003)).allowed);
  // The next window starts empty: expired counters are purged when the cap is met.
  for (int i = 0; i < 1000; ++i)
    EXPECT_TRUE(
        rl.hit("endpoint-a|2/hour|header:x|", "n:" + std::to_string(i), l, at_ms(3'600'000 + 5'000))
            .allowed);
  EXPECT_LE(rl.size(), 1002u);
}

TEST(MemoryRateLimiter, DefaultCapHoldsUnderOneHundredThousandKeys) {
  MemoryRateLimiter rl;
  auto l = limit(1, "day");
  for (int i = 0; i < 150'000; ++i)
    rl.hit("e|1/day|header:x|", "h:" + std::to_string(i), l, at_ms(1'000));
  EXPECT_EQ(rl.size(), kMaxCountersPerScope + 1);
}

}  // namespace
}  // namespace gw
