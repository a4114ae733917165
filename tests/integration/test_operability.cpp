// Request ids end to end (client -> log -> upstream -> response) and OpenAI's /v1/models,
// through the real server and a fake upstream that records what it received (docs/api.md,
// "Request ids", "Models").
#include <regex>

#include "gateway_fixture.h"

namespace gw::test {
namespace {

const char* kChat = R"({"messages":[{"role":"user","content":"Hi"}]})";
const std::regex kUuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

class RequestIds : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.access_log = true;
    server_ = start_gateway(openai_config(upstream_.base_url()), o);
    ASSERT_TRUE(server_);
    upstream_.reply_with(ScriptedReply{
        .body =
            R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]})"});
  }
  // On its own connection; then a second request on it, which the session reads only after it
  // has written the first one's access-log line (so a test can read the line at once).
  HttpResult invoke(const std::vector<std::pair<std::string, std::string>>& headers) {
    TestClient c(server_->port());
    auto h = headers;
    h.emplace_back("Content-Type", "application/json");
    HttpResult r = c.request("POST", "/endpoints/chat/invocations", kChat, h);
    EXPECT_EQ(c.get("/health").status, 200);
    return r;
  }
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

TEST_F(RequestIds, AClientIdIsKeptEndToEnd) {
  testing::internal::CaptureStderr();
  auto r = invoke({{"X-Request-Id", "order-1234.a:b_c"}});
  const std::string log = testing::internal::GetCapturedStderr();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-request-id"), "order-1234.a:b_c");
  EXPECT_EQ(upstream_.last_request().header("x-request-id"), "order-1234.a:b_c");
  EXPECT_NE(log.find("\"POST /endpoints/chat/invocations\" 200 "), std::string::npos) << log;
  EXPECT_NE(log.find(" request_id order-1234.a:b_c\n"), std::string::npos) << log;
}

TEST_F(RequestIds, AMissingOrUnsafeIdIsReplacedByAUuid) {
  auto none = invoke({});
  auto again = invoke({});
  auto unsafe = invoke({{"X-Request-Id", "a b<script>"}});
  auto too_long = invoke({{"X-Request-Id", std::string(129, 'a')}});
  for (const auto* r : {&none, &again, &unsafe, &too_long}) {
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(std::regex_match(r->header("x-request-id"), kUuid4)) << r->header("x-request-id");
  }
  EXPECT_NE(none.header("x-request-id"), again.header("x-request-id"));
  EXPECT_EQ(invoke({{"X-Request-Id", std::string(128, 'a')}}).header("x-request-id"),
            std::string(128, 'a'));
}

TEST_F(RequestIds, ErrorsStreamsAndOtherRoutesCarryTheIdToo) {
  TestClient c(server_->port());
  EXPECT_TRUE(std::regex_match(c.get("/health").header("x-request-id"), kUuid4));
  auto missing = c.request("POST", "/endpoints/nope/invocations", kChat, {{"X-Request-Id", "r1"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("x-request-id"), "r1");
  ScriptedReply stream;
  stream.content_type = "text/event-stream";
  stream.chunks = {
      R"(data: {"id":"c","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]})"
      "\n\ndata: [DONE]\n\n"};
  upstream_.reply_with(stream);
  auto s =
      c.request("POST", "/v1/chat/completions",
                R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"Hi"}]})",
                {{"X-Request-Id", "stream-7"}});
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.header("x-request-id"), "stream-7");
  EXPECT_EQ(upstream_.last_request().header("x-request-id"), "stream-7");
}

TEST(V1Models, ListsEndpointsAndRoutesWithTheirProviders) {
  FakeUpstream upstream;
  auto server =
      start_gateway(openai_config(upstream.base_url(),
                                  "routes:\n  - name: split\n    task_type: llm/v1/chat\n"
                                  "    destinations: [{name: chat, traffic_percentage: 50},"
                                  " {name: mock-chat, traffic_percentage: 50}]\n"));
  ASSERT_TRUE(server);
  TestClient c(server->port());
  auto list = c.get("/v1/models");
  ASSERT_EQ(list.status, 200) << list.body;
  const Json body = parse(list.body);
  EXPECT_EQ(body["object"], "list");
  std::vector<std::string> ids, owners;
  for (const auto& m : body["data"]) {
    ids.push_back(m["id"]);
    owners.push_back(m["owned_by"]);
    EXPECT_EQ(m["object"], "model");
    EXPECT_TRUE(m["created"].is_number_integer());
  }
  EXPECT_EQ(ids,
            (std::vector<std::string>{"chat", "completions", "embeddings", "mock-chat", "split"}));
  EXPECT_EQ(owners, (std::vector<std::string>{"openai", "openai", "openai", "mock", "gateway"}));
  auto one = c.get("/v1/models/mock-chat");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(parse(one.body)["owned_by"], "mock");
  auto missing = c.get("/v1/models/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(
      parse(missing.body),
      Json::parse(
          R"({"error":{"message":"The model 'nope' does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}})"));
  EXPECT_EQ(c.post("/v1/models", "{}").status, 405);
  EXPECT_EQ(upstream.request_count(), 0u);
}

}  // namespace
}  // namespace gw::test
