// GET /api/2.0/gateway/stats (gateway/stats.h): the document's shape, the endpoint's
// cumulative figures from the merged metrics series, limits and the caller's counter, breaker
// states, routes, and a client key seeing only what it may use.
#include <gtest/gtest.h>

#include "gateway/metrics.h"
#include "gateway/stats.h"
#include "providers/json.h"
#include "runtime_fixture.h"

namespace gw {
namespace {

constexpr const char* kConfig = R"(
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model: {provider: mock, name: mock-chat}
    limit: {calls: 10, renewal_period: minute}
    tokens: {per_minute: 1000}
    budget: {usd: 5, period: day, on_exceed: alert}
    circuit_breaker: {failures: 3, cooldown: 30}
  - name: chat-b
    endpoint_type: llm/v1/chat
    model: {provider: mock}
  - name: embeddings
    endpoint_type: llm/v1/embeddings
    model: {provider: mock, name: mock-embeddings}
routes:
  - name: split
    task_type: llm/v1/chat
    destinations:
      - {name: chat, traffic_percentage: 70}
      - {name: chat-b, traffic_percentage: 30}
auth:
  keys:
    - name: team-a
      key: team-a-key-0123456789abcdef0123456789
      endpoints: [chat-b]
)";

Json stats_of(const StatsInput& in) { return Json::parse(stats_json(in)); }

TEST(Stats, EndpointsCarryConfigCountersAndHistograms) {
  const Runtime rt = fixtures::runtime_from(kConfig);
  metrics::Registry reg(2);
  metrics::RequestSample s;
  s.endpoint = "chat";
  s.provider = "mock";
  s.seconds = 0.002;
  s.overhead_seconds = 0.00003;
  s.tokens_in = 12;
  s.tokens_out = 5;
  reg.shard(0).record_request(s);
  s.status = 429;
  s.tokens_in = s.tokens_out = -1;
  reg.shard(1).record_request(s);
  reg.reload_result(true, "abc");
  const auto series = reg.merged_series();

  StatsInput in;
  in.now = 1000.5;
  in.started = 900;
  in.config_sha256 = reg.config_sha256();
  in.reloads = reg.reload_events();
  in.series = &series;
  in.rt = &rt;
  in.steady_now = std::chrono::steady_clock::now();
  in.limit_usage = [](const EndpointRuntime& ep) -> std::optional<LimitDecision> {
    EXPECT_EQ(ep.config.name, "chat");
    return LimitDecision{true, 10, 7, 41'500};
  };
  const Json doc = stats_of(in);
  EXPECT_EQ(doc.at("now"), 1000.5);
  EXPECT_EQ(doc.at("started"), 900);
  EXPECT_EQ(doc.at("config_sha256"), "abc");
  ASSERT_EQ(doc.at("reloads").size(), 1u);
  EXPECT_EQ(doc.at("reloads")[0].at("ok"), true);
  EXPECT_EQ(doc.at("buckets").at("seconds").size(), metrics::kSeconds.size);
  EXPECT_EQ(doc.at("buckets").at("overhead")[0], metrics::kOverhead.bounds[0]);

  const Json& eps = doc.at("endpoints");
  ASSERT_EQ(eps.size(), 3u);  // config order
  const Json& chat = eps[0];
  EXPECT_EQ(chat.at("name"), "chat");
  EXPECT_EQ(chat.at("endpoint_type"), "llm/v1/chat");
  EXPECT_EQ(chat.at("provider"), "mock");
  EXPECT_EQ(chat.at("model"), "mock-chat");
  EXPECT_EQ(chat.at("limit"), Json::parse(R"({"calls":10,"renewal_period":"minute"})"));
  EXPECT_EQ(chat.at("limit_usage"), Json::parse(R"({"used":3,"remaining":7,"resets_in":41.5})"));
  EXPECT_EQ(chat.at("tokens"), Json::parse(R"({"per_minute":1000})"));
  EXPECT_EQ(chat.at("budget"), Json::parse(R"({"usd":"5","period":"day","on_exceed":"alert"})"));
  EXPECT_EQ(chat.at("breaker"), "closed");
  EXPECT_EQ(chat.at("requests"), Json::parse(R"({"1xx":0,"2xx":1,"3xx":0,"4xx":1,"5xx":0})"));
  EXPECT_EQ(chat.at("tokens_in"), 12);
  EXPECT_EQ(chat.at("tokens_out"), 5);
  EXPECT_EQ(chat.at("latency").at("count"), 2);
  EXPECT_EQ(chat.at("latency").at("counts")[0], 2);  // 2 ms is in the first (5 ms) bucket
  EXPECT_EQ(chat.at("latency").at("counts").size(), metrics::kSeconds.size + 1);
  EXPECT_EQ(chat.at("overhead").at("count"), 2);
  EXPECT_EQ(chat.at("ttft").at("count"), 0);

  const Json& b = eps[1];  // never called, no limit, no model name, no breaker
  EXPECT_TRUE(b.at("model").is_null());
  EXPECT_TRUE(b.at("limit").is_null());
  EXPECT_TRUE(b.at("limit_usage").is_null());
  EXPECT_TRUE(b.at("tokens").is_null());
  EXPECT_TRUE(b.at("budget").is_null());
  EXPECT_TRUE(b.at("breaker").is_null());
  EXPECT_EQ(b.at("requests").at("2xx"), 0);
  EXPECT_EQ(b.at("latency").at("count"), 0);

  EXPECT_EQ(doc.at("routes"), Json::parse(R"([{"name":"split","endpoint_type":"llm/v1/chat",
      "destinations":[{"name":"chat","weight":70},{"name":"chat-b","weight":30}]}])"));
}

TEST(Stats, AKeySeesOnlyWhatItMayUseAndUnknownCountersAreNull) {
  const Runtime rt = fixtures::runtime_from(kConfig);
  StatsInput in;
  in.rt = &rt;
  in.caller = &rt.access()->keys.at(0);
  const Json doc = stats_of(in);
  ASSERT_EQ(doc.at("endpoints").size(), 1u);
  EXPECT_EQ(doc.at("endpoints")[0].at("name"), "chat-b");
  EXPECT_EQ(doc.at("routes"), Json::array());

  in.caller = nullptr;  // no limit_usage function: not known (e.g. Redis storage)
  const Json all = stats_of(in);
  EXPECT_TRUE(all.at("endpoints")[0].at("limit_usage").is_null());
  EXPECT_EQ(all.at("reloads"), Json::array());
}

TEST(Stats, ReloadEventsAreBoundedOldestFirst) {
  metrics::Registry reg(1);
  for (std::size_t i = 0; i < metrics::kReloadEventsKept + 5; ++i)
    reg.reload_result(i % 2 == 0, "h");
  const auto events = reg.reload_events();
  ASSERT_EQ(events.size(), metrics::kReloadEventsKept);
  EXPECT_FALSE(events.front().ok);  // event 5 (odd) is now the oldest
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_LE(events[i - 1].time, events[i].time);
}

}  // namespace
}  // namespace gw
