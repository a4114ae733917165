// The resilience stage through the real server (docs/resilience.md): retries, ordered
// fallbacks (streams included), the circuit breaker, limits per attempt and the headers,
// against fake upstreams that record what they received.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "gateway_fixture.h"

namespace gw::test {
namespace {

using namespace std::chrono_literals;

const char* kChat = R"({"messages":[{"role":"user","content":"Hi"}]})";
const char* kStreamV1 =
    R"({"model":"primary","stream":true,"messages":[{"role":"user","content":"Hi"}]})";

std::string completion(const std::string& text) {
  return R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":")" +
         text +
         R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";
}

std::string event(const std::string& json) { return "data: " + json + "\n\n"; }

std::string chunk(const std::string& text, const char* finish = "null") {
  return event(
      R"({"id":"c","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":")" +
      text + R"("},"finish_reason":)" + finish + "}]}");
}

ScriptedReply ok(const std::string& text) { return ScriptedReply{.body = completion(text)}; }

ScriptedReply status(int code, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return ScriptedReply{
      .status = code,
      .body = R"({"error":{"message":"upstream says )" + std::to_string(code) + R"(","type":"x"}})",
      .headers = std::move(headers)};
}

ScriptedReply stream_of(std::vector<std::string> chunks) {
  ScriptedReply r;
  r.content_type = "text/event-stream";
  r.chunks = std::move(chunks);
  return r;
}

// An OpenAI chat endpoint `name` against `base`, then `keys` (indented four spaces).
std::string endpoint(const std::string& name, const std::string& base,
                     const std::string& keys = "") {
  return openai_chat_endpoint(name, base + "/v1", keys);
}

// A port nothing listens on (bound, then closed).
std::uint16_t closed_port() {
  FakeUpstream gone;
  return gone.port();
}

class Resilience : public ::testing::Test {
 protected:
  void start(const std::string& yaml, ServerOptions o = {}) {
    o.stream_first_event = 5s;
    o.stream_idle = 5s;
    server_ = start_gateway(yaml, o);
    ASSERT_TRUE(server_);
  }
  HttpResult invoke(const std::string& name = "primary", const std::string& body = kChat) {
    return http_request(server_->port(), "POST", "/endpoints/" + name + "/invocations", body);
  }
  std::string two_endpoints(const std::string& primary_keys,
                            const std::string& fallback_keys = "") {
    return "endpoints:\n" +
           endpoint("primary", primary_.base_url(), "    fallbacks: [fallback]\n" + primary_keys) +
           endpoint("fallback", fallback_.base_url(), fallback_keys);
  }

  FakeUpstream primary_;
  FakeUpstream fallback_;
  std::unique_ptr<Server> server_;
};

TEST_F(Resilience, FallsBackOn429WithTheHeaders) {
  start(two_endpoints(""));
  primary_.reply_with(status(429));
  fallback_.reply_with(ok("from fallback"));
  auto r = invoke();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body)["choices"][0]["message"]["content"], "from fallback");
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
  EXPECT_EQ(r.header("x-gateway-attempts"), "2");
  const double total = std::stod(r.header("x-mlflow-gateway-duration-ms"));
  const double overhead = std::stod(r.header("x-mlflow-gateway-overhead-duration-ms"));
  EXPECT_GT(total, 0);
  EXPECT_GE(overhead, 0);
  EXPECT_LE(overhead, total);
  EXPECT_EQ(primary_.request_count(), 1u);
  EXPECT_EQ(fallback_.request_count(), 1u);
  // The fallback got the same request, with its own key and model.
  EXPECT_EQ(parse(fallback_.last_request().body)["messages"][0]["content"], "Hi");
}

TEST_F(Resilience, RetriesTheSameEndpointOn5xxThenFallsBack) {
  start(two_endpoints("    retries: {max_attempts: 3, backoff: {initial: 0.001, max: 0.01}}\n"));
  primary_.reply_with(status(503));
  fallback_.reply_with(ok("saved"));
  auto r = invoke();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(primary_.request_count(), 3u);
  EXPECT_EQ(fallback_.request_count(), 1u);
  EXPECT_EQ(r.header("x-gateway-attempts"), "4");
}

TEST_F(Resilience, ARetryThatSucceedsAnswersFromTheSameEndpoint) {
  start(two_endpoints("    retries: {max_attempts: 2, backoff: {initial: 0.001, max: 0.01}}\n"));
  std::atomic<int> calls{0};
  primary_.set_handler(
      [&](const RecordedRequest&) { return ++calls == 1 ? status(502) : ok("second"); });
  auto r = invoke();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "primary");
  EXPECT_EQ(r.header("x-gateway-attempts"), "2");
  EXPECT_EQ(fallback_.request_count(), 0u);
}

TEST_F(Resilience, FallsBackOnARefusedConnection) {
  start("endpoints:\n" +
        endpoint("primary", "http://127.0.0.1:" + std::to_string(closed_port()),
                 "    fallbacks: [fallback]\n") +
        endpoint("fallback", fallback_.base_url()));
  fallback_.reply_with(ok("reachable"));
  auto r = invoke();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
}

TEST_F(Resilience, FallsBackOnATimeoutWhenListed) {
  start(
      two_endpoints("    retries: {retry_on: [timeout]}\n"
                    "    timeouts: {total: 20, attempt: 0.3}\n"));
  primary_.reply_with(ScriptedReply{.action = ScriptedReply::Action::Hang});
  fallback_.reply_with(ok("in time"));
  auto r = invoke();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
}

TEST_F(Resilience, ATimeoutIsNotRetriedUnlessListed) {
  start(two_endpoints("    timeouts: {total: 0.3}\n"));
  primary_.reply_with(ScriptedReply{.action = ScriptedReply::Action::Hang});
  auto r = invoke();
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(fallback_.request_count(), 0u);
}

TEST_F(Resilience, NoRetryOrFallbackOn400Or401) {
  start(two_endpoints("    retries: {max_attempts: 3, backoff: {initial: 0.001, max: 0.01}}\n"));
  for (int code : {400, 401}) {
    primary_.reply_with(status(code));
    auto r = invoke();
    EXPECT_EQ(r.status, code) << r.body;
    EXPECT_EQ(r.header("x-gateway-attempts"), "1");
    // The endpoint has fallbacks, so its failure lists the one attempt made.
    EXPECT_EQ(parse(r.body)["attempts"].size(), 1u) << r.body;
  }
  EXPECT_EQ(primary_.request_count(), 2u);
  EXPECT_EQ(fallback_.request_count(), 0u);
}

TEST_F(Resilience, Our422CostsNoAttempt) {
  start(two_endpoints(""));
  auto r = invoke("primary", R"({"messages":"not a list"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.header("x-gateway-attempts"), "0");
  EXPECT_EQ(primary_.request_count() + fallback_.request_count(), 0u);
}

TEST_F(Resilience, RetryAfterIsHonoured) {
  start(two_endpoints("    retries: {max_attempts: 2, backoff: {initial: 0.001, max: 1}}\n"));
  std::atomic<int> calls{0};
  primary_.set_handler([&](const RecordedRequest&) {
    return ++calls == 1 ? status(429, {{"retry-after-ms", "150"}}) : ok("after waiting");
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = invoke();
  const auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "primary");
  EXPECT_GE(waited, 150ms);  // the provider's wait, not the 1 ms backoff
}

TEST_F(Resilience, ARetryAfterLongerThanBackoffMaxMovesOnAtOnce) {
  start(two_endpoints("    retries: {max_attempts: 3, backoff: {initial: 0.001, max: 1}}\n"));
  primary_.reply_with(status(429, {{"Retry-After", "30"}}));
  fallback_.reply_with(ok("next"));
  auto r = invoke();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(primary_.request_count(), 1u);
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
}

TEST_F(Resilience, WhenAllFailTheLastFailureAndASummary) {
  start(two_endpoints(""));
  primary_.reply_with(status(503));
  fallback_.reply_with(status(500));
  auto r = invoke();
  EXPECT_EQ(r.status, 500) << r.body;
  const Json body = parse(r.body);
  EXPECT_NE(body["detail"].dump().find("upstream says 500"), std::string::npos) << r.body;
  EXPECT_EQ(body["attempts"], Json::parse(R"([{"endpoint":"primary","status":503,"reason":"status"},
                           {"endpoint":"fallback","status":500,"reason":"status"}])"));
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
  // The OpenAI shape on /v1 carries the same summary.
  auto v1 = http_request(server_->port(), "POST", "/v1/chat/completions",
                         R"({"model":"primary","messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(v1.status, 500);
  EXPECT_TRUE(parse(v1.body)["error"].is_object()) << v1.body;
  EXPECT_EQ(parse(v1.body)["attempts"].size(), 2u) << v1.body;
}

TEST_F(Resilience, StreamThatFailsBeforeItsFirstChunkFailsOver) {
  start(two_endpoints(""));
  primary_.reply_with(stream_of({event(R"({"error":{"message":"overloaded"}})")}));
  fallback_.reply_with(
      stream_of({chunk("Hello") + chunk(" there", "\"stop\"") + "data: [DONE]\n\n"}));
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamV1);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
  EXPECT_EQ(r.header("x-gateway-attempts"), "2");
  EXPECT_NE(r.body.find("Hello"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("overloaded"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos);
}

TEST_F(Resilience, StreamWithAnErrorStatusFailsOver) {
  start(two_endpoints(""));
  primary_.reply_with(status(529));
  fallback_.reply_with(stream_of({chunk("ok", "\"stop\"") + "data: [DONE]\n\n"}));
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamV1);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
}

TEST_F(Resilience, StreamThatFailsAfterItsFirstChunkEndsWithTheErrorEvent) {
  start(two_endpoints(""));
  primary_.reply_with(stream_of({chunk("Hello") + event(R"({"error":{"message":"overloaded"}})")}));
  fallback_.reply_with(stream_of({chunk("never") + "data: [DONE]\n\n"}));
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamV1);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "primary");
  EXPECT_NE(r.body.find("Hello"), std::string::npos);
  EXPECT_NE(r.body.find("The upstream reported an error mid-stream: overloaded"), std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find("never"), std::string::npos) << r.body;  // never spliced
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  EXPECT_EQ(fallback_.request_count(), 0u);
}

TEST_F(Resilience, BreakerOpensSkipsProbesAndCloses) {
  start(two_endpoints("    circuit_breaker: {failures: 2, cooldown: 0.2}\n"));
  primary_.reply_with(status(503));
  fallback_.reply_with(ok("fallback"));
  for (int i = 0; i < 2; ++i) EXPECT_EQ(invoke().status, 200);
  EXPECT_EQ(primary_.request_count(), 2u);
  // Open: the primary is skipped.
  auto skipped = invoke();
  EXPECT_EQ(skipped.status, 200);
  EXPECT_EQ(skipped.header("x-gateway-attempts"), "1");
  EXPECT_EQ(primary_.request_count(), 2u);
  // After the cooldown one request probes; the primary has recovered, so it closes.
  std::this_thread::sleep_for(250ms);  // the cooldown itself is what is tested
  primary_.reply_with(ok("primary again"));
  auto probe = invoke();
  EXPECT_EQ(probe.header("x-gateway-endpoint"), "primary");
  EXPECT_EQ(invoke().header("x-gateway-endpoint"), "primary");
  EXPECT_EQ(primary_.request_count(), 4u);
}

TEST_F(Resilience, OpenBreakerWithNoFallbackIs503WithRetryAfter) {
  start("endpoints:\n" + endpoint("primary", primary_.base_url(),
                                  "    circuit_breaker: {failures: 1, cooldown: 30}\n"));
  primary_.reply_with(status(500));
  EXPECT_EQ(invoke().status, 500);
  auto r = invoke();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(parse(r.body)["detail"],
            "Endpoint 'primary' is unavailable: its circuit breaker is open after repeated "
            "upstream failures; retry after 30 s");
  EXPECT_EQ(r.header("retry-after"), "30");
  EXPECT_EQ(primary_.request_count(), 1u);
}

TEST_F(Resilience, ARetryIsNotSentOnceTheBreakerOpened) {
  start("endpoints:\n" +
        endpoint("primary", primary_.base_url(),
                 "    retries: {max_attempts: 3, backoff: {initial: 0.001, max: 0.01}}\n"
                 "    circuit_breaker: {failures: 1, cooldown: 30}\n"));
  primary_.reply_with(status(503));
  auto r = invoke();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(primary_.request_count(), 1u);  // the retries met the open breaker
  EXPECT_EQ(parse(r.body)["attempts"],
            Json::parse(R"([{"endpoint":"primary","status":503,"reason":"status"},
                           {"endpoint":"primary","status":503,"reason":"circuit_open"}])"));
  EXPECT_EQ(r.header("retry-after"), "30");
}

TEST_F(Resilience, AStreamThatFailsAfterItsHeadCountsForTheBreaker) {
  start("endpoints:\n" + endpoint("primary", primary_.base_url(),
                                  "    circuit_breaker: {failures: 1, cooldown: 30}\n"));
  primary_.reply_with(stream_of({chunk("Hello") + event(R"({"error":{"message":"overloaded"}})")}));
  auto first = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamV1);
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("overloaded"), std::string::npos);
  auto second = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamV1);
  EXPECT_EQ(second.status, 503) << second.body;
  EXPECT_EQ(parse(second.body)["error"]["code"], "circuit_open");
  EXPECT_EQ(primary_.request_count(), 1u);
}

TEST_F(Resilience, EachAttemptIsAdmittedByItsOwnLimit) {
  start(two_endpoints("    limit: {calls: 1, renewal_period: minute}\n"));
  primary_.reply_with(status(503));
  fallback_.reply_with(ok("fallback"));
  auto first = invoke();
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("x-ratelimit-limit"), "");  // the answering endpoint has no limit
  // The primary's quota is spent by its attempt: now it is skipped, not called.
  auto second = invoke();
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("x-gateway-endpoint"), "fallback");
  EXPECT_EQ(primary_.request_count(), 1u);
  EXPECT_EQ(fallback_.request_count(), 2u);
}

TEST_F(Resilience, AtItsLimitWithNoFallbackIsTheUsual429) {
  start("endpoints:\n" + endpoint("primary", primary_.base_url(),
                                  "    limit: {calls: 1, renewal_period: minute}\n"));
  primary_.reply_with(ok("one"));
  EXPECT_EQ(invoke().status, 200);
  auto r = invoke();
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("x-ratelimit-remaining"), "0");
  EXPECT_FALSE(parse(r.body).contains("attempts"));
}

TEST_F(Resilience, ATrafficRoutePicksThenTheDestinationsFallbacksApply) {
  start(two_endpoints("") +
        "routes:\n  - name: split\n    task_type: llm/v1/chat\n"
        "    destinations: [{name: primary, traffic_percentage: 100}]\n");
  primary_.reply_with(status(502));
  fallback_.reply_with(ok("via route"));
  auto r = invoke("split");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-gateway-endpoint"), "fallback");
}

TEST_F(Resilience, TheAccessLogListsEveryAttempt) {
  ServerOptions o;
  o.access_log = true;
  start(two_endpoints(""), o);
  primary_.reply_with(status(503));
  fallback_.reply_with(ok("logged"));
  testing::internal::CaptureStderr();
  TestClient c(server_->port());
  auto r = c.post("/endpoints/primary/invocations", kChat);
  // The line is written once the response is; the session writes it before it reads the next
  // request on the same connection, so this answer means the line is there.
  EXPECT_EQ(c.get("/health").status, 200);
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(log.find("\"POST /endpoints/primary/invocations\" 200 "), std::string::npos) << log;
  EXPECT_NE(log.find(" attempts primary:503:status,fallback:200:ok"), std::string::npos) << log;
}

TEST_F(Resilience, HeadersOnAPlainSuccess) {
  start("endpoints:\n" + endpoint("primary", primary_.base_url()));
  primary_.reply_with(ok("hi"));
  auto r = invoke();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-gateway-endpoint"), "primary");
  EXPECT_EQ(r.header("x-gateway-attempts"), "1");
  EXPECT_FALSE(r.header("x-mlflow-gateway-duration-ms").empty());
  EXPECT_FALSE(r.header("x-mlflow-gateway-overhead-duration-ms").empty());
}

}  // namespace
}  // namespace gw::test
