// Access and spend (docs/access-and-budgets.md) through the real server and a fake upstream
// that records what it received: client keys (401/403/200 on both path families, filtered
// listings, the client's key never forwarded), token limits (exact under concurrent clients,
// streams charged from their usage chunk or by estimate), budgets (rejecting at the crossing,
// alerts once per crossing through a fake webhook receiver) and the usage report. Time is a
// controllable clock: no test waits for a window to pass.
#include <atomic>
#include <thread>

#include "gateway/ledger.h"
#include "gateway_fixture.h"

namespace gw::test {
namespace {

using Clock = std::chrono::system_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

class FakeClock {
 public:
  Clock::time_point now() const { return Clock::time_point(std::chrono::milliseconds(ms_.load())); }
  void advance(std::int64_t ms) { ms_ += ms; }
  std::function<Clock::time_point()> fn() {
    return [this] { return now(); };
  }

 private:
  // 2027-01-31T23:59:00Z: a minute before a day, a month (and not a week) boundary.
  std::atomic<std::int64_t> ms_{1'801'439'940'000};
};

const char* kChat = R"({"messages":[{"role":"user","content":"hi"}]})";
const std::string kKeyA = "team-a-key-0123456789abcdef";
const std::string kKeyB = "team-b-key-0123456789abcdef";
const std::string kAdmin = "admin-key-0123456789abcdef";

Headers bearer(const std::string& key) {
  return {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + key}};
}

std::string v1_chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

// The config of these tests: three OpenAI endpoints on the fake upstream, a route, and keys.
// `a_keys`: more keys of team-a's entry (", tokens: {...}"); `chat_keys`: YAML lines of the
// chat endpoint; `extra`: top-level YAML.
std::string access_config(const std::string& base, const std::string& chat_keys,
                          const std::string& extra, const std::string& a_keys = "") {
  return "auth:\n"
         "  keys:\n"
         "    - {name: team-a, key: " +
         kKeyA + ", endpoints: [chat, via-route]" + a_keys +
         "}\n"
         "    - {name: team-b, key: " +
         kKeyB +
         ", endpoints: [other]}\n"
         "    - {name: ops, key: " +
         kAdmin +
         ", admin: true}\n"
         "endpoints:\n" +
         openai_chat_endpoint("chat", base + "/v1", chat_keys) +
         openai_chat_endpoint("other", base + "/v1") +
         openai_chat_endpoint("hidden", base + "/v1") +
         "routes:\n"
         "  - name: via-route\n"
         "    task_type: llm/v1/chat\n"
         "    destinations: [{name: chat, traffic_percentage: 100}]\n" +
         extra;
}

class AccessTest : public ::testing::Test {
 protected:
  void start(const std::string& chat_keys = "", const std::string& extra = "",
             const std::string& a_keys = "") {
    upstream_.reply_with(ScriptedReply{.body = kChatReply});  // usage 9 + 12 tokens
    ServerOptions o;
    o.clock = clock_.fn();
    server_ = start_gateway(access_config(upstream_.base_url(), chat_keys, extra, a_keys), o);
    ASSERT_TRUE(server_);
  }
  HttpResult post(const std::string& target, const std::string& body, const Headers& h) {
    TestClient c(server_->port());
    return c.request("POST", target, body, h);
  }
  HttpResult get(const std::string& target, const std::string& key) {
    TestClient c(server_->port());
    return c.request("GET", target, "", key.empty() ? Headers{} : bearer(key));
  }
  Json usage(const std::string& query, const std::string& key = kAdmin) {
    return parse(get("/api/2.0/gateway/usage" + query, key).body);
  }

  FakeClock clock_;
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

TEST_F(AccessTest, MissingOrUnknownKeyIs401OnBothFamilies) {
  start();
  auto none = post("/endpoints/chat/invocations", kChat, {{"Content-Type", "application/json"}});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  EXPECT_EQ(none.body,
            R"({"detail":"Missing API key: send it as 'Authorization: Bearer <key>' or in the )"
            R"(X-API-Key header"})");
  auto wrong = post("/v1/chat/completions", v1_chat("chat"), bearer("not-a-key"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.header("www-authenticate"), "Bearer");
  EXPECT_EQ(wrong.body, R"({"error":{"message":"Invalid API key","type":"invalid_request_error",)"
                        R"("param":null,"code":"invalid_api_key"}})");
  // Every route but /health needs a key, unknown paths included (nothing is revealed).
  EXPECT_EQ(get("/api/2.0/endpoints/", "").status, 401);
  EXPECT_EQ(get("/no/such/path", "").status, 401);
  EXPECT_EQ(get("/health", "").status, 200);
  EXPECT_EQ(upstream_.request_count(), 0u);
}

TEST_F(AccessTest, ValidKeyIsServedAndNeverForwarded) {
  start();
  auto a = post("/endpoints/chat/invocations", kChat, bearer(kKeyA));
  EXPECT_EQ(a.status, 200) << a.body;
  auto b = post("/v1/chat/completions", v1_chat("via-route"),
                {{"Content-Type", "application/json"}, {"X-API-Key", kKeyA}});
  EXPECT_EQ(b.status, 200) << b.body;
  ASSERT_EQ(upstream_.request_count(), 2u);
  for (const auto& r : upstream_.requests()) {
    // The provider sees the provider's key, never the client's.
    EXPECT_EQ(r.header("authorization"), "Bearer sk-test-secret-123");
    EXPECT_EQ(r.header("x-api-key"), "");
    EXPECT_EQ(r.body.find(kKeyA), std::string::npos);
  }
}

TEST_F(AccessTest, EndpointNotAllowedIs403WhetherOrNotItExists) {
  start();
  const std::string forbidden_mlflow =
      R"({"detail":"This API key is not allowed to use this endpoint or route"})";
  auto hidden = post("/endpoints/hidden/invocations", kChat, bearer(kKeyA));
  auto missing = post("/endpoints/no-such/invocations", kChat, bearer(kKeyA));
  EXPECT_EQ(hidden.status, 403);
  EXPECT_EQ(hidden.body, forbidden_mlflow);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.body, forbidden_mlflow);
  auto v1_hidden = post("/v1/chat/completions", v1_chat("hidden"), bearer(kKeyA));
  auto v1_missing = post("/v1/chat/completions", v1_chat("no-such"), bearer(kKeyA));
  EXPECT_EQ(v1_hidden.status, 403);
  EXPECT_EQ(v1_missing.status, 403);
  EXPECT_EQ(v1_hidden.body, v1_missing.body);
  EXPECT_EQ(parse(v1_hidden.body)["error"]["code"], "endpoint_not_allowed");
  EXPECT_EQ(get("/api/2.0/endpoints/hidden", kKeyA).status, 403);
  EXPECT_EQ(get("/v1/models/hidden", kKeyA).status, 403);
  EXPECT_EQ(upstream_.request_count(), 0u);
}

TEST_F(AccessTest, ListingsShowOnlyWhatTheKeyMayUse) {
  start();
  Json mine = parse(get("/api/2.0/endpoints/", kKeyA).body);
  ASSERT_EQ(mine["endpoints"].size(), 1u);
  EXPECT_EQ(mine["endpoints"][0]["name"], "chat");
  Json models = parse(get("/v1/models", kKeyA).body);
  std::vector<std::string> ids;
  for (const auto& m : models["data"]) ids.push_back(m["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"chat", "via-route"}));
  EXPECT_EQ(parse(get("/api/2.0/endpoints/", kAdmin).body)["endpoints"].size(), 3u);
  // The key itself is in no listing.
  EXPECT_EQ(get("/v1/models", kAdmin).body.find(kKeyA), std::string::npos);
}

TEST_F(AccessTest, KeyTokenLimitRefusesOnceTheWindowIsFull) {
  // team-a: 30 tokens a minute; each reply uses 9 + 12 = 21.
  start("", "", ", tokens: {per_minute: 30}");
  auto first = post("/endpoints/chat/invocations", kChat, bearer(kKeyA));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("x-ratelimit-limit-tokens"), "30");
  EXPECT_EQ(first.header("x-ratelimit-remaining-tokens"), "30");
  auto second = post("/endpoints/chat/invocations", kChat, bearer(kKeyA));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("x-ratelimit-remaining-tokens"), "9");
  auto third = post("/v1/chat/completions", v1_chat("chat"), bearer(kKeyA));
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(third.header("retry-after"), "60");
  EXPECT_EQ(third.header("x-ratelimit-limit-tokens"), "30");
  EXPECT_EQ(third.header("x-ratelimit-remaining-tokens"), "0");
  EXPECT_EQ(parse(third.body)["error"]["message"],
            "Token limit exceeded for key 'team-a': 30 tokens per minute (42 used); retry "
            "after 60 s");
  EXPECT_EQ(upstream_.request_count(), 2u);  // never half-served
  clock_.advance(60'000);
  EXPECT_EQ(post("/endpoints/chat/invocations", kChat, bearer(kKeyA)).status, 200);
}

TEST_F(AccessTest, EndpointTokenLimitIsExactUnder16ConcurrentClients) {
  // 210 tokens a minute for all callers: ten replies of 21 tokens.
  start("    tokens: {per_minute: 210}\n");
  std::atomic<int> served{0}, refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t) {
    clients.emplace_back([&] {
      TestClient c(server_->port());
      for (int i = 0; i < 4; ++i) {
        auto r = c.request("POST", "/endpoints/chat/invocations", kChat, bearer(kAdmin));
        (r.status == 200 ? served : r.status == 429 ? refused : other)++;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(served + refused, 64);
  // Admitted while the count was under 210: at least ten; past it only those admitted before
  // the count crossed, at most one per other client in flight.
  EXPECT_GE(served.load(), 10);
  EXPECT_LE(served.load(), 10 + 15);
  EXPECT_EQ(upstream_.request_count(), static_cast<std::size_t>(served.load()));
  // Every answer was charged exactly once: the report's tokens are 21 per request served.
  Json day = usage("?period=day&endpoint=chat");
  EXPECT_EQ(day["current"]["total"]["requests"], served.load());
  EXPECT_EQ(day["current"]["total"]["input_tokens"], 9 * served.load());
  EXPECT_EQ(day["current"]["total"]["output_tokens"], 12 * served.load());
  EXPECT_EQ(post("/endpoints/chat/invocations", kChat, bearer(kAdmin)).status, 429);
}

const std::string kChunk =
    R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello world, streamed"},"finish_reason":"stop"}]})";
const std::string kUsageChunk =
    R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}})";
const char* kStreamChat = R"({"stream":true,"messages":[{"role":"user","content":"hi"}]})";

ScriptedReply stream_reply(bool with_usage) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {"data: " + kChunk + "\n\n" +
                  (with_usage ? "data: " + kUsageChunk + "\n\n" : std::string()) +
                  "data: [DONE]\n\n"};
  return reply;
}

TEST_F(AccessTest, StreamsAreChargedFromTheirUsageChunkElseByEstimate) {
  start();
  upstream_.reply_with(stream_reply(true));
  auto a = post("/endpoints/chat/invocations", kStreamChat, bearer(kKeyA));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body.find("usage"), std::string::npos);  // not asked for: not passed on
  // The gateway asked the provider for usage.
  EXPECT_EQ(parse(upstream_.last_request().body)["stream_options"]["include_usage"], true);
  Json row = usage("?period=day&key=team-a")["current"]["usage"][0];
  EXPECT_EQ(row["input_tokens"], 3);
  EXPECT_EQ(row["output_tokens"], 5);

  upstream_.reply_with(stream_reply(false));
  ASSERT_EQ(post("/endpoints/chat/invocations", kStreamChat, bearer(kKeyA)).status, 200);
  // No usage: the request body's bytes / 4 in, the text's bytes / 4 out (both rounded up).
  const auto in = (std::string(kStreamChat).size() + 3) / 4;
  const auto out = (std::string("Hello world, streamed").size() + 3) / 4;
  row = usage("?period=day&key=team-a")["current"]["usage"][0];
  EXPECT_EQ(row["requests"], 2);
  EXPECT_EQ(row["input_tokens"], 3 + in);
  EXPECT_EQ(row["output_tokens"], 5 + out);
}

// chat costs 1000 USD per million tokens each way: 21 tokens = 0.021 USD = 21000 micro-dollars.
const char* kChatCost = "    cost: {input_per_million: 1000, output_per_million: 1000}\n";

TEST_F(AccessTest, BudgetRejectsAtTheCrossingAndSaysWhenItResets) {
  start(std::string(kChatCost) + "    budget: {usd: 0.05, period: month}\n");
  for (int i = 0; i < 3; ++i)  // 0, 0.021, 0.042 spent before each: all under 0.05
    EXPECT_EQ(post("/endpoints/chat/invocations", kChat, bearer(kKeyA)).status, 200);
  auto over = post("/endpoints/chat/invocations", kChat, bearer(kKeyA));
  EXPECT_EQ(over.status, 429);
  Json body = parse(over.body);
  EXPECT_EQ(body["error"],
            "Budget exceeded for endpoint 'chat': 0.05 USD per month, 0.063 USD spent; it "
            "resets at 2027-02-01T00:00:00Z");
  EXPECT_EQ(body["budget"]["scope"], "endpoint");
  EXPECT_EQ(body["budget"]["name"], "chat");
  EXPECT_EQ(body["budget"]["resets_at"], "2027-02-01T00:00:00Z");
  EXPECT_EQ(over.header("retry-after"), "60");  // a minute before the month ends
  auto v1 = post("/v1/chat/completions", v1_chat("chat"), bearer(kKeyA));
  EXPECT_EQ(v1.status, 429);
  EXPECT_EQ(parse(v1.body)["error"]["code"], "budget_exceeded");
  EXPECT_EQ(parse(v1.body)["error"]["type"], "insufficient_quota");
  EXPECT_EQ(upstream_.request_count(), 3u);
  // A new calendar month (UTC) starts a new budget.
  clock_.advance(60'000);
  EXPECT_EQ(post("/endpoints/chat/invocations", kChat, bearer(kKeyA)).status, 200);
}

TEST_F(AccessTest, AlertBudgetKeepsServingAndPostsOncePerCrossing) {
  FakeUpstream hook;
  std::atomic<int> calls{0};
  hook.set_handler([&](const RecordedRequest&) {
    // The first delivery fails: the alert is retried.
    return ++calls == 1 ? ScriptedReply{.status = 500} : ScriptedReply{.status = 204, .body = ""};
  });
  start(std::string(kChatCost),
        "budgets:\n"
        "  global: {usd: 0.05, period: day, on_exceed: alert}\n"
        "  alert_webhook: " +
            hook.base_url() + "/budget\n");
  // 0.021, 0.042 (80 % crossed), 0.063 (100 % crossed), 0.084: all served.
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(post("/endpoints/chat/invocations", kChat, bearer(kKeyA)).status, 200);
  ASSERT_TRUE(hook.wait_for_requests(3, 10'000));  // 80 % (failed, then retried) and 100 %
  std::vector<int> thresholds;
  for (const auto& r : hook.requests()) {
    EXPECT_EQ(r.target, "/budget");
    Json j = parse(r.body);
    EXPECT_EQ(j["type"], "budget_threshold");
    EXPECT_EQ(j["budget"]["scope"], "global");
    thresholds.push_back(j["threshold_percent"]);
  }
  std::sort(thresholds.begin(), thresholds.end());
  EXPECT_EQ(thresholds, (std::vector<int>{80, 80, 100}));
  EXPECT_EQ(upstream_.request_count(), 4u);
}

TEST_F(AccessTest, UsageReportMatchesTheTrafficAndKeysSeeTheirOwn) {
  start(kChatCost);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(post("/endpoints/chat/invocations", kChat, bearer(kKeyA)).status, 200);
  ASSERT_EQ(post("/v1/chat/completions", v1_chat("other"), bearer(kKeyB)).status, 200);
  Json all = usage("?period=month");
  EXPECT_EQ(all["period"], "month");
  EXPECT_EQ(all["current"]["start"], "2027-01-01T00:00:00Z");
  EXPECT_EQ(all["current"]["end"], "2027-02-01T00:00:00Z");
  EXPECT_EQ(all["previous"]["start"], "2026-12-01T00:00:00Z");
  EXPECT_EQ(all["previous"]["usage"].size(), 0u);
  ASSERT_EQ(all["current"]["usage"].size(), 2u);
  const Json& a = all["current"]["usage"][0];
  EXPECT_EQ(a, parse(R"({"key":"team-a","endpoint":"chat","requests":3,"input_tokens":27,)"
                     R"("output_tokens":36,"usd":0.063,"usd_micros":63000})"));
  EXPECT_EQ(all["current"]["usage"][1]["key"], "team-b");
  EXPECT_EQ(all["current"]["usage"][1]["usd_micros"], 0);  // `other` has no cost
  EXPECT_EQ(all["current"]["total"]["requests"], 4);
  // A key that is not admin sees only its own rows, and may not ask for another key's.
  Json own = usage("?period=month", kKeyB);
  ASSERT_EQ(own["current"]["usage"].size(), 1u);
  EXPECT_EQ(own["current"]["usage"][0]["key"], "team-b");
  EXPECT_EQ(get("/api/2.0/gateway/usage?key=team-a", kKeyB).status, 403);
  auto bad = get("/api/2.0/gateway/usage?period=year", kAdmin);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"detail":"Invalid period 'year': use day, week or month"})");
  // The next month reports this one as `previous`.
  clock_.advance(60'000);
  Json next = usage("?period=month");
  EXPECT_EQ(next["current"]["usage"].size(), 0u);
  EXPECT_EQ(next["previous"]["total"]["usd_micros"], 63000);
}

}  // namespace
}  // namespace gw::test
