// The arithmetic of access and spend (gateway/accounting.h, gateway/stages/access.h,
// gateway/ledger.h): UTC windows and calendar periods (month lengths, leap years, Monday
// weeks), cost in integer micro-dollars, threshold crossings, key matching in constant time,
// ACLs, refusals and the in-memory ledger. The clock is always a parameter.
#include <gtest/gtest.h>

#include "gateway/accounting.h"
#include "gateway/ledger.h"
#include "gateway/stages/access.h"
#include "runtime_fixture.h"

namespace gw {
namespace {

using accounting::Span;
using config::BudgetPeriod;

// UNIX seconds of a UTC date and time.
std::int64_t at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&t));
}

TEST(Accounting, DaysAreUtcCalendarDays) {
  const Span d = accounting::calendar(BudgetPeriod::Day, at(2026, 12, 2, 13, 35, 7));
  EXPECT_EQ(d.start, at(2026, 12, 2));
  EXPECT_EQ(d.end, at(2026, 12, 3));
  EXPECT_EQ(accounting::calendar(BudgetPeriod::Day, at(2026, 12, 2, 23, 59, 59)), d);
  EXPECT_EQ(accounting::calendar(BudgetPeriod::Day, at(2026, 12, 3)).index, d.index + 1);
}

TEST(Accounting, WeeksStartOnMonday) {
  // 2026-12-02 is a Wednesday; its week runs from Monday 2026-11-30 to Monday 2026-12-07.
  const Span w = accounting::calendar(BudgetPeriod::Week, at(2026, 12, 2, 12));
  EXPECT_EQ(w.start, at(2026, 11, 30));
  EXPECT_EQ(w.end, at(2026, 12, 7));
  EXPECT_EQ(accounting::calendar(BudgetPeriod::Week, at(2026, 12, 6, 23, 59, 59)), w);
  EXPECT_EQ(accounting::calendar(BudgetPeriod::Week, at(2026, 12, 7)).start, at(2026, 12, 7));
  // The epoch was a Thursday: its week began on Monday 1969-12-29.
  EXPECT_EQ(accounting::calendar(BudgetPeriod::Week, 0).start, at(1969, 12, 29));
}

TEST(Accounting, MonthsHaveTheirOwnLengths) {
  struct Row {
    int y, m, days;
  };
  for (const Row r : {Row{2026, 1, 31}, Row{2026, 2, 28}, Row{2028, 2, 29}, Row{2100, 2, 28},
                      Row{2000, 2, 29}, Row{2026, 4, 30}, Row{2026, 12, 31}}) {
    const Span s = accounting::calendar(BudgetPeriod::Month, at(r.y, r.m, 15, 12));
    EXPECT_EQ(s.start, at(r.y, r.m, 1)) << r.y << "-" << r.m;
    EXPECT_EQ(s.end - s.start, r.days * 86'400) << r.y << "-" << r.m;
  }
  const Span dec = accounting::calendar(BudgetPeriod::Month, at(2026, 12, 31, 23, 59, 59));
  EXPECT_EQ(dec.end, at(2027, 1, 1));
  const Span jan = accounting::calendar(BudgetPeriod::Month, at(2027, 1, 1));
  EXPECT_EQ(jan.index, dec.index + 1);
  EXPECT_EQ(accounting::previous(BudgetPeriod::Month, jan), dec);
  const Span mar = accounting::calendar(BudgetPeriod::Month, at(2028, 3, 1));
  EXPECT_EQ(accounting::previous(BudgetPeriod::Month, mar).start, at(2028, 2, 1));
  EXPECT_EQ(
      accounting::previous(BudgetPeriod::Day, accounting::calendar(BudgetPeriod::Day, 0)).start,
      -86'400);
}

TEST(Accounting, FixedWindowsAlignToTheEpoch) {
  const Span m = accounting::fixed_window(60, at(2026, 12, 2, 13, 35, 7));
  EXPECT_EQ(m.start, at(2026, 12, 2, 13, 35));
  EXPECT_EQ(m.end, at(2026, 12, 2, 13, 36));
  EXPECT_EQ(accounting::fixed_window(86'400, at(2026, 12, 2, 13)).start, at(2026, 12, 2));
}

TEST(Accounting, UtcText) {
  EXPECT_EQ(accounting::utc_text(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(accounting::utc_text(at(2028, 2, 29, 23, 59, 58)), "2028-02-29T23:59:58Z");
}

TEST(Accounting, CostIsIntegerMicroDollarsRoundedHalfUp) {
  const config::CostConfig c{150'000, 600'000};  // 0.15 and 0.60 USD per million tokens
  EXPECT_EQ(accounting::cost(1'000'000, 0, c), 150'000);
  EXPECT_EQ(accounting::cost(1'000'000, 1'000'000, c), 750'000);
  EXPECT_EQ(accounting::cost(10, 0, c), 2);  // 1.5 micro-dollars -> 2
  EXPECT_EQ(accounting::cost(3, 0, c), 0);   // 0.45 -> 0
  EXPECT_EQ(accounting::cost(0, 0, c), 0);
  EXPECT_EQ(accounting::cost(-5, -5, c), 0);  // "not reported" is never negative spend
  // No overflow for huge counts (128-bit intermediate), saturating at INT64_MAX.
  EXPECT_EQ(accounting::cost(INT64_MAX, INT64_MAX, config::CostConfig{INT64_MAX, INT64_MAX}),
            INT64_MAX);
  // Sums of many small costs are exact: no float ever holds money.
  std::int64_t sum = 0;
  for (int i = 0; i < 1000; ++i) sum += accounting::cost(100, 100, c);
  EXPECT_EQ(sum, 75'000);
}

TEST(Accounting, UsdText) {
  EXPECT_EQ(accounting::usd_text(50'000'000), "50");
  EXPECT_EQ(accounting::usd_text(150'000), "0.15");
  EXPECT_EQ(accounting::usd_text(1), "0.000001");
  EXPECT_EQ(accounting::usd_text(63'000), "0.063");
  EXPECT_EQ(accounting::usd_text(0), "0");
}

TEST(Accounting, EstimateIsBytesOverFourRoundedUp) {
  EXPECT_EQ(accounting::estimate_tokens(0), 0);
  EXPECT_EQ(accounting::estimate_tokens(1), 1);
  EXPECT_EQ(accounting::estimate_tokens(8), 2);
  EXPECT_EQ(accounting::estimate_tokens(9), 3);
}

TEST(Accounting, ThresholdCrossingsAreSeenByOneAdditionEach) {
  using V = std::vector<int>;
  EXPECT_EQ(accounting::crossings(0, 79, 100), V{});
  EXPECT_EQ(accounting::crossings(79, 80, 100), V{80});
  EXPECT_EQ(accounting::crossings(80, 99, 100), V{});
  EXPECT_EQ(accounting::crossings(99, 100, 100), V{100});
  EXPECT_EQ(accounting::crossings(10, 250, 100), (V{80, 100}));
  EXPECT_EQ(accounting::crossings(100, 150, 100), V{});
  EXPECT_EQ(accounting::crossings(0, 10, 0), V{});
  // Exact in integers: 80 % of 3 micro-dollars is 2.4.
  EXPECT_EQ(accounting::crossings(2, 3, 3), (V{80, 100}));
}

const char* kAuthYaml =
    "auth:\n"
    "  header: X-Gateway-Key\n"
    "  keys:\n"
    "    - {name: a, key: key-a-0123456789abcdef, endpoints: [chat]}\n"
    "    - {name: b, key_sha256: "
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}\n"
    "endpoints:\n"
    "  - name: chat\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: mock}\n"
    "    tokens: {per_minute: 100, per_day: 1000}\n"
    "    cost: {input_per_million: 1, output_per_million: 2}\n"
    "    budget: {usd: 5, period: week, on_exceed: alert}\n"
    "  - name: other\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: mock}\n";

ApiRequest with_headers(std::vector<std::pair<std::string, std::string>> h) {
  ApiRequest r;
  r.headers = std::move(h);
  return r;
}

TEST(Access, KeysAreMatchedByDigestFromTheConfiguredHeaderOrXApiKey) {
  const Runtime rt = fixtures::runtime_from(kAuthYaml);
  const AccessRuntime& access = *rt.access();
  EXPECT_EQ(presented_key(access, with_headers({{"X-Gateway-Key", " key-a-0123456789abcdef "}})),
            "key-a-0123456789abcdef");
  EXPECT_EQ(presented_key(access, with_headers({{"x-gateway-key", "Bearer tok"}})), "tok");
  EXPECT_EQ(presented_key(access, with_headers({{"X-API-Key", "test"}})), "test");
  EXPECT_EQ(presented_key(access, with_headers({{"Authorization", "Bearer test"}})), "");
  const ClientKey* a = match_key(access, "key-a-0123456789abcdef");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->config.name, "a");
  const ClientKey* b = match_key(access, "test");  // SHA-256 "test" = b's key_sha256
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->config.name, "b");
  EXPECT_EQ(match_key(access, "key-a-0123456789abcdeF"), nullptr);
  EXPECT_EQ(match_key(access, ""), nullptr);
}

TEST(Access, BearerIsTheDefaultHeaderScheme) {
  const Runtime rt = fixtures::runtime_from(
      "auth: {keys: [{name: a, key: key-a-0123456789abcdef}]}\n"
      "endpoints: [{name: chat, endpoint_type: llm/v1/chat, model: {provider: mock}}]\n");
  const AccessRuntime& access = *rt.access();
  EXPECT_EQ(presented_key(access, with_headers({{"authorization", "bearer  k1 "}})), "k1");
  EXPECT_EQ(presented_key(access, with_headers({{"Authorization", "Basic abc"}})), "");
  EXPECT_EQ(
      presented_key(access, with_headers({{"Authorization", "Basic abc"}, {"X-Api-Key", "k"}})),
      "k");
  EXPECT_TRUE(rt.access()->keys[0].may_use("chat"));  // endpoints default to [all]
  EXPECT_TRUE(rt.access()->keys[0].may_use("anything"));
}

TEST(Access, AclsAllowOnlyListedNames) {
  const Runtime rt = fixtures::runtime_from(kAuthYaml);
  const ClientKey& a = rt.access()->keys[0];
  EXPECT_TRUE(a.may_use("chat"));
  EXPECT_FALSE(a.may_use("other"));
  EXPECT_FALSE(a.may_use("no-such"));
  EXPECT_TRUE(rt.access()->keys[1].may_use("other"));
}

TEST(Access, MetersAndRefusals) {
  const Runtime rt = fixtures::runtime_from(kAuthYaml);
  const std::int64_t now = at(2026, 12, 2, 13, 35, 30);
  const auto meters = endpoint_meters(*rt.endpoint("chat"), now);
  ASSERT_EQ(meters.size(), 3u);  // per_minute, per_day, the weekly budget
  EXPECT_EQ(meters[0].counter, "tok:e:chat:60:" + std::to_string(now / 60));
  EXPECT_EQ(meters[0].resets_at, at(2026, 12, 2, 13, 36));
  EXPECT_TRUE(meters[2].spend);
  EXPECT_EQ(meters[2].limit, 5'000'000);
  EXPECT_EQ(meters[2].resets_at, at(2026, 12, 7));
  // Under every limit: admitted, and the tightest token limit is shown.
  EXPECT_FALSE(refusal(meters, {99, 500, 0}, PathFamily::Mlflow, now));
  const auto room = headroom(meters, {60, 950, 0}, now);
  ASSERT_TRUE(room);
  EXPECT_EQ(room->limit, 100);  // 40 left this minute is less than 50 left today
  EXPECT_EQ(room->remaining, 40);
  EXPECT_EQ(room->reset_s, 30);
  // At the minute's limit: 429 with the token headers.
  const auto r = refusal(meters, {100, 500, 0}, PathFamily::Mlflow, now);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->body,
            R"({"error":"Token limit exceeded for endpoint 'chat': 100 tokens per minute (100 )"
            R"(used); retry after 30 s"})");
  // An `alert` budget over its limit does not refuse.
  EXPECT_FALSE(refusal(meters, {0, 0, 9'000'000}, PathFamily::OpenAI, now));
  EXPECT_TRUE(caller_meters(nullptr, rt.budgets(), now).empty());
}

TEST(MeterCache, BuiltOncePerWindowRebuiltWhenOneEndsOrTheClockGoesBack) {
  MeterCache cache;
  int builds = 0;
  auto build = [&] {
    ++builds;
    Meter minute;
    minute.counter = "tok:e:chat:60:" + std::to_string(builds);
    minute.resets_at = 120;  // the window ends at 120 s
    Meter day;
    day.resets_at = 86'400;
    return std::vector<Meter>{minute, day};
  };
  const MeterList first = cache.get(60, build);
  EXPECT_EQ(cache.get(119, build), first);  // the same list, shared
  EXPECT_EQ(builds, 1);
  const MeterList second = cache.get(120, build);  // the minute's window ended
  EXPECT_EQ(builds, 2);
  EXPECT_NE(second, first);
  EXPECT_EQ((*first)[0].counter, "tok:e:chat:60:1");  // a request holding the old list keeps it
  EXPECT_EQ((*second)[0].counter, "tok:e:chat:60:2");
  cache.get(100, build);  // an earlier time than the build: rebuilt
  EXPECT_EQ(builds, 3);
  MeterCache none;  // no meter at all: built once, valid for good
  for (std::int64_t t : {0, 1'000'000'000})
    none.get(t, [&] {
      ++builds;
      return std::vector<Meter>();
    });
  EXPECT_EQ(builds, 4);
}

TEST(MeterCache, TheSnapshotsCachesGiveTheMetersOfTheCurrentWindows) {
  const Runtime rt = fixtures::runtime_from(R"(
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model: {provider: mock}
    tokens: {per_minute: 100}
budgets:
  global: {usd: 5, period: day}
)");
  const EndpointRuntime& ep = *rt.endpoint("chat");
  const std::int64_t now = at(2026, 12, 2) + 90;
  EXPECT_EQ(*cached_endpoint_meters(ep, now), endpoint_meters(ep, now));
  EXPECT_EQ(cached_endpoint_meters(ep, now + 20), cached_endpoint_meters(ep, now));
  EXPECT_EQ((*cached_endpoint_meters(ep, now + 30))[0].counter,
            endpoint_meters(ep, now + 30)[0].counter);
  EXPECT_NE((*cached_endpoint_meters(ep, now + 30))[0].counter,
            endpoint_meters(ep, now)[0].counter);
  const MeterList global = cached_caller_meters(rt, nullptr, now);
  ASSERT_EQ(global->size(), 1u);
  EXPECT_EQ((*global)[0].scope, 'g');
}

TEST(MemoryLedger, CountersExpireAndRowsSum) {
  MemoryLedgerStore store;
  EXPECT_EQ(store.read({"x"}, 0), std::vector<std::int64_t>{0});
  EXPECT_EQ(store.add({{"x", 5, 1000}}, {}, 0), std::vector<std::int64_t>{5});
  EXPECT_EQ(store.add({{"x", 7, 1000}}, {}, 10), std::vector<std::int64_t>{12});
  EXPECT_EQ(store.read({"x", "y"}, 999), (std::vector<std::int64_t>{12, 0}));
  EXPECT_EQ(store.read({"x"}, 1000), std::vector<std::int64_t>{0});  // expired
  EXPECT_EQ(store.add({{"x", 1, 2000}}, {}, 1000), std::vector<std::int64_t>{1});
  store.add({}, {{"d:1", "k", "chat", 1, 10, 20, 30, 5000}, {"d:1", "", "chat", 1, 1, 1, 1, 5000}},
            0);
  store.add({}, {{"d:1", "k", "chat", 1, 10, 20, 30, 5000}}, 0);
  const auto rows = store.usage("d:1", 100);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (UsageRow{"", "chat", 1, 1, 1, 1}));
  EXPECT_EQ(rows[1], (UsageRow{"k", "chat", 2, 20, 40, 60}));
  EXPECT_TRUE(store.usage("d:1", 5000).empty());
}

}  // namespace
}  // namespace gw
