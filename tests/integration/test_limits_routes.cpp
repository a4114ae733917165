// Rate limits on every path that reaches an endpoint, and traffic-split routes, through the
// real server. Time is a controllable clock: no test waits for a window to pass.
#include <atomic>

#include "gateway_fixture.h"

namespace gw::test {
namespace {

using Clock = std::chrono::system_clock;

class FakeClock {
 public:
  Clock::time_point now() const { return Clock::time_point(std::chrono::milliseconds(ms_.load())); }
  void advance(std::int64_t ms) { ms_ += ms; }
  std::function<Clock::time_point()> fn() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> ms_{1'800'000'000'000};  // a minute boundary
};

const char* kChat = R"({"messages":[{"role":"user","content":"hi"}]})";
const char* kChatV1 = R"({"model":"limited","messages":[{"role":"user","content":"hi"}]})";

class RateLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.clock = clock_.fn();
    server_ = start_gateway(
        "endpoints:\n"
        "  - name: limited\n"
        "    endpoint_type: llm/v1/chat\n"
        "    model: {provider: mock}\n"
        "    limit: {calls: 3, renewal_period: minute}\n"
        "  - name: per-user\n"
        "    endpoint_type: llm/v1/chat\n"
        "    model: {provider: mock}\n"
        "    limit: {calls: 1, renewal_period: hour, key: 'header:X-User-Id'}\n"
        "  - name: free\n"
        "    endpoint_type: llm/v1/chat\n"
        "    model: {provider: mock}\n"
        "routes:\n"
        "  - name: via-route\n"
        "    task_type: llm/v1/chat\n"
        "    destinations: [{name: limited, traffic_percentage: 100}]\n",
        o);
    ASSERT_TRUE(server_);
  }
  std::uint16_t port() const { return server_->port(); }

  FakeClock clock_;
  std::unique_ptr<Server> server_;
};

TEST_F(RateLimitTest, OneCounterForEveryPathThatReachesTheEndpoint) {
  auto a = http_request(port(), "POST", "/endpoints/limited/invocations", kChat);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.header("x-ratelimit-limit"), "3");
  EXPECT_EQ(a.header("x-ratelimit-remaining"), "2");
  EXPECT_EQ(a.header("x-ratelimit-reset"), "60");
  EXPECT_EQ(a.header("retry-after"), "");
  auto b = http_request(port(), "POST", "/gateway/limited/invocations", kChat);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.header("x-ratelimit-remaining"), "1");
  clock_.advance(15'000);
  auto c = http_request(port(), "POST", "/v1/chat/completions", kChatV1);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(c.header("x-ratelimit-reset"), "45");

  // Over the limit: MLflow's body on MLflow paths, OpenAI's shape on /v1, through a route too.
  auto d = http_request(port(), "POST", "/endpoints/limited/invocations", kChat);
  EXPECT_EQ(d.status, 429);
  EXPECT_EQ(d.body, R"({"error":"Rate limit exceeded: 3 per 1 minute"})");
  EXPECT_EQ(d.header("retry-after"), "45");
  EXPECT_EQ(d.header("x-ratelimit-remaining"), "0");
  auto e = http_request(port(), "POST", "/v1/chat/completions", kChatV1);
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(parse(e.body), parse(R"({"error":{"message":"Rate limit exceeded: 3 per 1 minute",
    "type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})"));
  EXPECT_EQ(e.header("retry-after"), "45");
  EXPECT_EQ(http_request(port(), "POST", "/endpoints/via-route/invocations", kChat).status, 429);
  EXPECT_EQ(http_request(port(), "POST", "/v1/chat/completions",
                         R"({"model":"via-route","messages":[{"role":"user","content":"x"}]})")
                .status,
            429);
  // Other endpoints are not affected.
  EXPECT_EQ(http_request(port(), "POST", "/endpoints/free/invocations", kChat).status, 200);

  // The next window admits again.
  clock_.advance(45'000);
  auto f = http_request(port(), "POST", "/endpoints/via-route/invocations", kChat);
  EXPECT_EQ(f.status, 200);
  EXPECT_EQ(f.header("x-ratelimit-remaining"), "2");
}

TEST_F(RateLimitTest, RejectedValidationDoesNotConsumeQuota) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        http_request(port(), "POST", "/endpoints/limited/invocations", R"({"messages":[]})").status,
        422);
    EXPECT_EQ(http_request(port(), "POST", "/v1/chat/completions", R"({"model":"limited"})").status,
              422);
    // A provider-side 422 (here: `model` on an MLflow path) costs nothing either.
    EXPECT_EQ(http_request(port(), "POST", "/endpoints/limited/invocations",
                           R"({"model":"x","messages":[{"role":"user","content":"a"}]})")
                  .status,
              422);
  }
  auto ok = http_request(port(), "POST", "/endpoints/limited/invocations", kChat);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("x-ratelimit-remaining"), "2");
}

TEST_F(RateLimitTest, HeaderKeyGivesEachCallerItsOwnCounter) {
  TestClient client(port());
  auto call = [&](const std::string& user) {
    std::vector<std::pair<std::string, std::string>> h{{"Content-Type", "application/json"}};
    if (!user.empty()) h.emplace_back("X-User-Id", user);
    return client.request("POST", "/endpoints/per-user/invocations", kChat, h).status;
  };
  EXPECT_EQ(call("alice"), 200);
  EXPECT_EQ(call("alice"), 429);
  EXPECT_EQ(call("bob"), 200);
  EXPECT_EQ(call("bob"), 429);
  EXPECT_EQ(call(""), 200);  // no header: the client address is the key
  EXPECT_EQ(call(""), 429);
}

TEST_F(RateLimitTest, ConcurrentCallersNeverGetMoreThanTheLimit) {
  std::atomic<int> ok{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      TestClient c(port());
      for (int i = 0; i < 10; ++i) {
        int s = c.post("/endpoints/limited/invocations", kChat).status;
        (s == 200 ? ok : s == 429 ? limited : other)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(limited.load(), 77);
  EXPECT_EQ(other.load(), 0);
}

TEST(TrafficRoutes, SplitByWeightOnEveryPath) {
  auto server = start_gateway(
      "endpoints:\n"
      "  - {name: a, endpoint_type: llm/v1/chat, model: {provider: mock, config: {response: A}}}\n"
      "  - {name: b, endpoint_type: llm/v1/chat, model: {provider: mock, config: {response: B}}}\n"
      "  - {name: e, endpoint_type: llm/v1/embeddings, model: {provider: mock}}\n"
      "routes:\n"
      "  - name: ab\n"
      "    task_type: llm/v1/chat\n"
      "    destinations: [{name: a, traffic_percentage: 70}, {name: b, traffic_percentage: 30}]\n");
  ASSERT_TRUE(server);
  auto info = http_request(server->port(), "GET", "/api/3.0/gateway/route/ab");
  EXPECT_EQ(info.status, 200);
  EXPECT_EQ(
      info.body,
      R"({"name":"ab","task_type":"llm/v1/chat","destinations":[{"name":"a","traffic_percentage":70},{"name":"b","traffic_percentage":30}],"routing_strategy":"TRAFFIC_SPLIT"})");
  EXPECT_EQ(http_request(server->port(), "GET", "/endpoints/ab/invocations").status, 405);
  // Routes are not endpoints for the endpoint APIs.
  EXPECT_EQ(http_request(server->port(), "GET", "/api/2.0/endpoints/ab").status, 404);

  TestClient client(server->port());
  int a = 0, b = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    auto r = i % 2 ? client.post("/endpoints/ab/invocations", kChat)
                   : client.post("/v1/chat/completions",
                                 R"({"model":"ab","messages":[{"role":"user","content":"x"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    std::string content = parse(r.body)["choices"][0]["message"]["content"];
    (content == "A" ? a : b)++;
  }
  EXPECT_EQ(a + b, n);
  // 70/30 with n = 2000: the standard deviation is ~20, so +-100 is a 5-sigma band.
  EXPECT_NEAR(a, 1400, 100);
  auto wrong =
      http_request(server->port(), "POST", "/v1/embeddings", R"({"model":"ab","input":"x"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(parse(wrong.body)["error"]["message"], "Endpoint 'ab' is not an embeddings endpoint.");
}

}  // namespace
}  // namespace gw::test
