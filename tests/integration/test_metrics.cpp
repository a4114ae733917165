// GET /metrics through the real server after scripted traffic (docs/operations.md, "Metrics"):
// exact counts of requests, limit decisions, upstream attempts with retries and fallbacks,
// tokens, and the --metrics-port listener.
#include "gateway_fixture.h"

namespace gw::test {
namespace {

const char* kChat = R"({"messages":[{"role":"user","content":"Hi"}]})";
const char* kReply =
    R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
    R"("message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})";

// The value of one series line (`name{labels} value`), or -1 when the scrape has no such line.
double value_of(const std::string& scrape, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const auto at = ("\n" + scrape).find(key);
  if (at == std::string::npos) return -1;
  return std::stod(scrape.substr(at + key.size() - 1));
}

class Metrics : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}) {
    const std::string base = upstream_.base_url();
    server_ = start_gateway(
        "endpoints:\n" +
            openai_chat_endpoint("chat", base + "/v1",
                                 "    limit: {renewal_period: minute, calls: 2}\n") +
            openai_chat_endpoint(
                "flaky", base + "/flaky/v1",
                "    retries: {max_attempts: 2, backoff: {initial: 0.001, max: 0.01}}\n"
                "    fallbacks: [chat2]\n") +
            openai_chat_endpoint("chat2", base + "/v1", ""),
        o);
    ASSERT_TRUE(server_);
  }
  std::string scrape(std::uint16_t port) {
    TestClient c(port);
    auto r = c.get("/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  }
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

TEST_F(Metrics, CountsAreExactAfterScriptedTraffic) {
  start();
  // "flaky" fails with 503 on both its attempts, then its fallback chat2 answers.
  upstream_.set_handler([](const RecordedRequest& req) {
    ScriptedReply r;
    r.body = kReply;
    if (req.target.rfind("/flaky/", 0) == 0) {
      r.status = 503;
      r.body = R"({"error":{"message":"overloaded"}})";
    }
    return r;
  });
  TestClient c(server_->port());
  for (int i = 0; i < 3; ++i)
    c.request("POST", "/endpoints/chat/invocations", kChat, {{"Content-Type", "application/json"}});
  EXPECT_EQ(c.request("POST", "/endpoints/nope/invocations", kChat).status, 404);
  auto fb = c.request("POST", "/endpoints/flaky/invocations", kChat);
  EXPECT_EQ(fb.status, 200) << fb.body;
  auto v1 = c.request("POST", "/v1/chat/completions",
                      R"({"model":"chat2","messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(v1.status, 200) << v1.body;

  const std::string m = scrape(server_->port());
  const std::string chat = R"(endpoint="chat",provider="openai")";
  const std::string flaky = R"(endpoint="flaky",provider="openai")";
  const std::string chat2 = R"(endpoint="chat2",provider="openai")";
  EXPECT_EQ(value_of(m, "gateway_requests_total{" + chat + R"(,family="mlflow",code="2xx"})"), 2)
      << m;
  EXPECT_EQ(value_of(m, "gateway_requests_total{" + chat + R"(,family="mlflow",code="4xx"})"), 1);
  EXPECT_EQ(
      value_of(m, R"(gateway_requests_total{endpoint="",provider="",family="mlflow",code="4xx"})"),
      1);
  // The fallback answered: the request is counted under the endpoint that answered.
  EXPECT_EQ(value_of(m, "gateway_requests_total{" + chat2 + R"(,family="mlflow",code="2xx"})"), 1);
  EXPECT_EQ(value_of(m, "gateway_requests_total{" + chat2 + R"(,family="openai",code="2xx"})"), 1);
  EXPECT_EQ(value_of(m, "gateway_rate_limit_decisions_total{" + chat + R"(,decision="admitted"})"),
            2);
  EXPECT_EQ(value_of(m, "gateway_rate_limit_decisions_total{" + chat + R"(,decision="rejected"})"),
            1);
  EXPECT_EQ(value_of(m, "gateway_upstream_attempts_total{" + chat + R"(,outcome="ok"})"), 2);
  EXPECT_EQ(value_of(m, "gateway_upstream_attempts_total{" + flaky + R"(,outcome="status"})"), 2);
  EXPECT_EQ(value_of(m, "gateway_upstream_retries_total{" + flaky + "}"), 1);
  EXPECT_EQ(value_of(m, "gateway_fallbacks_total{" + flaky + "}"), 1);
  EXPECT_EQ(value_of(m, "gateway_upstream_attempts_total{" + chat2 + R"(,outcome="ok"})"), 2);
  EXPECT_EQ(value_of(m, "gen_ai_client_token_usage_sum{" + chat + R"(,token_type="input"})"), 10);
  EXPECT_EQ(value_of(m, "gen_ai_client_token_usage_sum{" + chat + R"(,token_type="output"})"), 14);
  EXPECT_EQ(value_of(m, "gen_ai_client_token_usage_count{" + chat + R"(,token_type="output"})"), 2);
  EXPECT_EQ(value_of(m, "gen_ai_server_request_duration_seconds_count{" + chat + "}"), 3);
  EXPECT_EQ(value_of(m, "gen_ai_server_request_duration_seconds_bucket{" + chat + R"(,le="+Inf"})"),
            3);
  EXPECT_EQ(value_of(m, "gateway_request_overhead_seconds_count{" + chat2 + "}"), 2);
  EXPECT_GE(value_of(m, "gateway_open_connections"), 1);
  EXPECT_EQ(value_of(m, "gateway_in_flight_requests"), 1);  // the scrape itself
  EXPECT_EQ(value_of(m, "gateway_open_streams"), 0);
  EXPECT_EQ(value_of(m, "gateway_upstream_connections_opened_total") +
                value_of(m, "gateway_upstream_connection_reuses_total"),
            6);
  EXPECT_EQ(value_of(m, "gateway_endpoints"), 3);
  EXPECT_EQ(value_of(m, R"(gateway_build_info{version="0.1.0"})"), 1);
  EXPECT_GT(value_of(m, "process_resident_memory_bytes"), 0);
  EXPECT_GE(value_of(m, "process_cpu_seconds_total"), 0);
  // A client-chosen name never becomes a label.
  EXPECT_EQ(m.find("nope"), std::string::npos);
}

TEST_F(Metrics, StreamsRecordTimeToFirstTokenAndPerTokenTime) {
  start();
  ScriptedReply stream;
  stream.content_type = "text/event-stream";
  stream.chunks = {
      R"(data: {"id":"c","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})"
      "\n\n",
      R"(data: {"id":"c","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})"
      "\n\ndata: [DONE]\n\n"};
  upstream_.reply_with(stream);
  TestClient c(server_->port());
  auto s = c.request(
      "POST", "/v1/chat/completions",
      R"({"model":"chat2","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(s.status, 200) << s.body;
  const std::string m = scrape(server_->port());
  const std::string chat2 = R"(endpoint="chat2",provider="openai")";
  EXPECT_EQ(value_of(m, "gen_ai_server_time_to_first_token_seconds_count{" + chat2 + "}"), 1) << m;
  EXPECT_EQ(value_of(m, "gen_ai_server_time_per_output_token_seconds_count{" + chat2 + "}"), 1);
  EXPECT_EQ(value_of(m, "gen_ai_client_token_usage_sum{" + chat2 + R"(,token_type="output"})"), 4);
  EXPECT_EQ(value_of(m, "gateway_open_streams"), 0);
}

TEST_F(Metrics, MetricsPortServesMetricsAndHealthOnlyAndTheApiPortNoLonger) {
  ServerOptions o;
  o.metrics_port = 0;
  start(o);
  ASSERT_NE(server_->metrics_port(), 0);
  ASSERT_NE(server_->metrics_port(), server_->port());
  TestClient api(server_->port());
  EXPECT_EQ(api.get("/metrics").status, 404);
  EXPECT_EQ(api.get("/health").status, 200);
  const std::string m = scrape(server_->metrics_port());
  // The API port's two requests (404 and 200) are counted; the scrape is answered first.
  EXPECT_EQ(
      value_of(m, R"(gateway_requests_total{endpoint="",provider="",family="mlflow",code="4xx"})"),
      1)
      << m;
  TestClient mp(server_->metrics_port());
  EXPECT_EQ(mp.get("/health").status, 200);
  EXPECT_EQ(mp.get("/endpoints/chat").status, 404);
  EXPECT_EQ(mp.request("POST", "/metrics", "").status, 405);
}

TEST_F(Metrics, ReloadOutcomesAndTheConfigHashAreReported) {
  auto registry = std::make_shared<metrics::Registry>(2);
  registry->set_config("abc123");
  ServerOptions o;
  o.metrics = registry;
  start(o);
  registry->reload_result(false, "");
  registry->reload_result(true, "def456");
  const std::string m = scrape(server_->port());
  EXPECT_EQ(value_of(m, R"(gateway_config_reloads_total{result="success"})"), 1) << m;
  EXPECT_EQ(value_of(m, R"(gateway_config_reloads_total{result="failure"})"), 1);
  EXPECT_EQ(value_of(m, R"(gateway_config_info{sha256="def456"})"), 1);
  EXPECT_EQ(m.find("abc123"), std::string::npos);
}

}  // namespace
}  // namespace gw::test
