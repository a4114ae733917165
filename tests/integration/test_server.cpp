// The real server in-process, through the real upstream client, against a recording fake
// upstream: routes, shapes, validation, error mapping and connection handling.
#include <future>
#include <thread>

#include "gateway_fixture.h"

namespace gw::test {
namespace {

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_.reply_with(ScriptedReply{.body = kChatReply});
    server_ = start_gateway(openai_config(upstream_.base_url()), options());
    ASSERT_TRUE(server_);
  }
  virtual ServerOptions options() {
    ServerOptions o;
    o.upstream.total_timeout = std::chrono::milliseconds(2000);
    return o;
  }
  std::uint16_t port() const { return server_->port(); }

  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

TEST_F(GatewayTest, ChatInvocationReachesUpstreamAndReturnsUnifiedShape) {
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hello"}],"temperature":0.5})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(parse(r.body), parse(R"({"id":"chatcmpl-123","object":"chat.completion",
    "created":1677652288,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,
    "message":{"role":"assistant","content":"Hello there, how may I assist you today?",
    "tool_calls":null,"refusal":null},"finish_reason":"stop"}],
    "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}})"));
  // Field order is MLflow's.
  EXPECT_EQ(r.body.rfind(R"({"id":"chatcmpl-123","object":"chat.completion","created":)", 0), 0u);

  auto got = upstream_.last_request();
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/v1/chat/completions");
  EXPECT_EQ(got.header("authorization"), "Bearer sk-test-secret-123");
  EXPECT_EQ(got.header("content-type"), "application/json");
  EXPECT_EQ(parse(got.body), parse(R"({"model":"gpt-4o-mini","temperature":0.5,"n":1,
    "messages":[{"role":"user","content":"Hello"}]})"));
}

TEST_F(GatewayTest, GatewayPathAndV1PathServeTheSameEndpoint) {
  auto a = http_request(port(), "POST", "/gateway/chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(a.status, 200) << a.body;
  auto b = http_request(port(), "POST", "/v1/chat/completions",
                        R"({"model":"chat","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(a.body, b.body);
  // On /v1 the client's `model` picks the endpoint and is replaced by the configured model.
  EXPECT_EQ(parse(upstream_.last_request().body)["model"], "gpt-4o-mini");
  EXPECT_EQ(parse(upstream_.requests()[0].body), parse(upstream_.requests()[1].body));
}

TEST_F(GatewayTest, CompletionsAndEmbeddings) {
  upstream_.reply_with(ScriptedReply{.body = R"({"id":"cmpl-1","object":"text_completion",
    "created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"Hi!","index":0,
    "logprobs":null,"finish_reason":"length"}],
    "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})"});
  auto c = http_request(port(), "POST", "/v1/completions",
                        R"({"model":"completions","prompt":"Say hi","max_tokens":7})");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(parse(c.body), parse(R"({"id":"cmpl-1","object":"text_completion","created":1,
    "model":"gpt-3.5-turbo-instruct","choices":[{"index":0,"text":"Hi!","finish_reason":"length"}],
    "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})"));
  EXPECT_EQ(upstream_.last_request().target, "/v1/completions");
  EXPECT_EQ(parse(upstream_.last_request().body),
            parse(R"({"model":"gpt-3.5-turbo-instruct","temperature":0.0,"n":1,
                      "max_tokens":7,"prompt":"Say hi"})"));

  upstream_.reply_with(ScriptedReply{.body = R"({"object":"list","data":[{"object":"embedding",
    "embedding":[0.0023064255,-0.009327292],"index":0}],"model":"text-embedding-3-small",
    "usage":{"prompt_tokens":8,"total_tokens":8}})"});
  auto e = http_request(port(), "POST", "/endpoints/embeddings/invocations",
                        R"({"input":"The food was delicious"})");
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(parse(e.body), parse(R"({"object":"list","data":[{"object":"embedding",
    "embedding":[0.0023064255,-0.009327292],"index":0}],"model":"text-embedding-3-small",
    "usage":{"prompt_tokens":8,"total_tokens":8}})"));
  EXPECT_EQ(upstream_.last_request().target, "/v1/embeddings");
  EXPECT_EQ(parse(upstream_.last_request().body),
            parse(R"({"model":"text-embedding-3-small","input":"The food was delicious"})"));
}

TEST_F(GatewayTest, ValidationErrorsAre422WithFastApiDetail) {
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations", R"({"temperature":"hot"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse(r.body), parse(R"({"detail":[
    {"type":"float_parsing","loc":["body","temperature"],"msg":"Input should be a valid number, unable to parse string as a number","input":"hot"},
    {"type":"missing","loc":["body","messages"],"msg":"Field required","input":{"temperature":"hot"}}]})"));

  auto bad = http_request(port(), "POST", "/endpoints/chat/invocations", R"({"messages": [)");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(parse(bad.body)["detail"][0]["type"], "json_invalid");
  EXPECT_EQ(parse(bad.body)["detail"][0]["msg"], "JSON decode error");

  auto model = http_request(port(), "POST", "/endpoints/chat/invocations",
                            R"({"model":"x","messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(model.status, 422);
  EXPECT_EQ(
      parse(model.body),
      parse(
          R"({"detail":"The parameter 'model' is not permitted to be passed. The route being queried already defines a model instance."})"));
  EXPECT_EQ(upstream_.request_count(), 0u);  // nothing invalid went upstream
}

TEST_F(GatewayTest, DeeplyNestedBodiesAreRejectedAndTheServerKeepsServing) {
  // ~200 KB, far under the body limit, nested 100,000 levels deep.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const char* path : {"/endpoints/chat/invocations", "/v1/chat/completions"}) {
    auto r = http_request(
        server_->port(), "POST", path,
        R"({"model":"chat","messages":[{"role":"user","content":"x"}],"extra":)" + deep + "}");
    EXPECT_EQ(r.status, 422) << path << " " << r.body;
  }
  // An upstream reply nested as deeply is a 502, not a crash.
  upstream_.reply_with(ScriptedReply{.body = "{\"choices\":" + deep + "}"});
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 502) << r.body;
  upstream_.reply_with(ScriptedReply{.body = kChatReply});
  r = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                   R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(GatewayTest, V1ErrorsUseOpenAiShape) {
  auto r =
      http_request(port(), "POST", "/v1/chat/completions", R"({"model":"nope","messages":[]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      parse(r.body),
      parse(
          R"({"error":{"message":"The model 'nope' does not exist: no endpoint or route has that name.",
    "type":"invalid_request_error","param":null,"code":"model_not_found"}})"));

  auto wrong = http_request(port(), "POST", "/v1/chat/completions",
                            R"({"model":"embeddings","messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(parse(wrong.body)["error"]["message"], "Endpoint 'embeddings' is not a chat endpoint.");

  auto missing = http_request(port(), "POST", "/v1/embeddings", R"({"input":"x"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(parse(missing.body)["error"]["type"], "invalid_request_error");

  auto invalid = http_request(port(), "POST", "/v1/chat/completions", R"({"model":"chat"})");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(parse(invalid.body), parse(R"({"error":{"message":"body.messages: Field required",
    "type":"invalid_request_error","param":"messages","code":null}})"));
}

TEST_F(GatewayTest, UpstreamErrorStatusPassesThrough) {
  upstream_.reply_with(ScriptedReply{
      .status = 429,
      .body = R"({"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests"}})"});
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(parse(r.body), parse(R"({"detail":"Rate limit reached for gpt-4o-mini"})"));
  auto v1 = http_request(port(), "POST", "/v1/chat/completions",
                         R"({"model":"chat","messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(v1.status, 429);
  EXPECT_EQ(parse(v1.body)["error"]["message"], "Rate limit reached for gpt-4o-mini");
}

TEST_F(GatewayTest, SecretEchoedByUpstreamIsScrubbed) {
  upstream_.reply_with(ScriptedReply{
      .status = 401,
      .body = R"({"error":{"message":"Incorrect API key provided: sk-test-secret-123"}})"});
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(parse(r.body), parse(R"({"detail":"Incorrect API key provided: ***"})"));
  EXPECT_EQ(r.body.find("sk-test-secret-123"), std::string::npos);
}

TEST_F(GatewayTest, UpstreamWithUnsupportedContentTypeIs502) {
  upstream_.reply_with(ScriptedReply{.content_type = "text/html", .body = "<html>oops</html>"});
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(
      parse(r.body),
      parse(
          R"({"detail":"The returned data type from the route service is not supported. Received content type: text/html"})"));
}

TEST_F(GatewayTest, UpstreamMalformedJsonIs502) {
  upstream_.reply_with(ScriptedReply{.body = "{\"choices\": [tru"});
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 502);
  // Like the gateway's other 502s, it names the endpoint and the upstream host.
  EXPECT_EQ(parse(r.body)["detail"], "Endpoint 'chat': the upstream 127.0.0.1:" +
                                         std::to_string(upstream_.port()) +
                                         " returned a malformed response: the body is not valid "
                                         "JSON");
  // The OpenAI-compatible path says the same in OpenAI's error shape.
  upstream_.reply_with(ScriptedReply{.body = "{\"choices\": [tru"});
  auto v1 = http_request(port(), "POST", "/v1/chat/completions",
                         R"({"model":"chat","messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(v1.status, 502);
  EXPECT_EQ(parse(v1.body)["error"]["message"],
            "Endpoint 'chat': the upstream 127.0.0.1:" + std::to_string(upstream_.port()) +
                " returned a malformed response: the body is not valid JSON");
}

TEST_F(GatewayTest, UpstreamGarbageIs502AndServerStaysUp) {
  upstream_.reply_with(ScriptedReply{.action = ScriptedReply::Action::Garbage});
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 502);
  std::string detail = parse(r.body)["detail"];
  EXPECT_EQ(detail.rfind("Endpoint 'chat': the upstream 127.0.0.1:", 0), 0u) << detail;
  EXPECT_NE(detail.find("sent an invalid HTTP response"), std::string::npos) << detail;
  EXPECT_EQ(http_request(port(), "GET", "/health").status, 200);
}

TEST_F(GatewayTest, UpstreamClosingWithoutAnswerIs502) {
  upstream_.reply_with(ScriptedReply{.action = ScriptedReply::Action::Close});
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 502);
  std::string detail = parse(r.body)["detail"];
  EXPECT_EQ(detail, "Endpoint 'chat': the upstream 127.0.0.1:" + std::to_string(upstream_.port()) +
                        " closed the connection without a response (end of stream)");
}

TEST_F(GatewayTest, HungUpstreamIs504AndOthersAreServedMeanwhile) {
  upstream_.reply_with(ScriptedReply{.action = ScriptedReply::Action::Hang});
  auto hung = std::async(std::launch::async, [&] {
    return http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  });
  ASSERT_TRUE(upstream_.wait_for_requests(1));
  // While that request waits on the upstream, other clients are served.
  auto mock = http_request(port(), "POST", "/endpoints/mock-chat/invocations",
                           R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(mock.status, 200);
  auto r = hung.get();
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(parse(r.body),
            parse(R"({"detail":"Endpoint 'chat': the upstream 127.0.0.1:)" +
                  std::to_string(upstream_.port()) + R"( did not respond within 2 s"})"));
}

TEST_F(GatewayTest, UpstreamConnectionsAreReused) {
  // One client connection stays on one worker, and a worker reuses its pooled connection.
  TestClient client(port());
  for (int i = 0; i < 5; ++i) {
    auto r = client.post("/endpoints/chat/invocations",
                         R"({"messages":[{"role":"user","content":"a"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_EQ(upstream_.request_count(), 5u);
  EXPECT_EQ(upstream_.connections_accepted(), 1u);
  // Fresh client connections may land on any worker: at most one upstream connection each.
  for (int i = 0; i < 6; ++i) {
    auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                          R"({"messages":[{"role":"user","content":"a"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_LE(upstream_.connections_accepted(), 2u);  // 2 workers
}

TEST_F(GatewayTest, StalePooledConnectionIsRetriedOnAFreshOne) {
  // The upstream closes each connection after answering, without saying so: the pooled
  // connection is dead when the next request takes it.
  upstream_.reply_with(ScriptedReply{.body = kChatReply, .close_after = true});
  TestClient client(port());
  for (int i = 0; i < 3; ++i) {
    auto r = client.post("/endpoints/chat/invocations",
                         R"({"messages":[{"role":"user","content":"a"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_EQ(upstream_.request_count(), 3u);
  EXPECT_EQ(upstream_.connections_accepted(), 3u);
}

TEST_F(GatewayTest, RoutingErrors) {
  auto unknown = http_request(port(), "POST", "/endpoints/nope/invocations", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, R"({"detail":"Not Found"})");
  auto method = http_request(port(), "GET", "/endpoints/chat/invocations");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.body, R"({"detail":"Method Not Allowed"})");
  auto method2 = http_request(port(), "POST", "/api/2.0/endpoints/invalid", "{}");
  EXPECT_EQ(method2.status, 405);
  auto nothing = http_request(port(), "GET", "/nothing/here");
  EXPECT_EQ(nothing.status, 404);
  auto v1get = http_request(port(), "GET", "/v1/chat/completions");
  EXPECT_EQ(v1get.status, 405);
  EXPECT_EQ(parse(v1get.body), parse(R"({"error":{"message":"Method Not Allowed",
    "type":"invalid_request_error","param":null,"code":null}})"));
}

TEST_F(GatewayTest, EndpointInfoAndListing) {
  auto one = http_request(port(), "GET", "/api/2.0/endpoints/chat");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(
      one.body,
      R"({"name":"chat","endpoint_type":"llm/v1/chat","model":{"name":"gpt-4o-mini","provider":"openai"},"endpoint_url":"/gateway/chat/invocations","limit":null})");
  EXPECT_EQ(http_request(port(), "GET", "/api/3.0/gateway/endpoint/chat").body, one.body);
  EXPECT_EQ(one.body.find("sk-test"), std::string::npos);

  auto list = http_request(port(), "GET", "/api/2.0/endpoints/");
  ASSERT_EQ(list.status, 200);
  auto j = parse(list.body);
  ASSERT_EQ(j["endpoints"].size(), 4u);
  EXPECT_EQ(j["endpoints"][3]["name"], "mock-chat");
  EXPECT_TRUE(j["next_page_token"].is_null());

  auto legacy = http_request(port(), "GET", "/api/2.0/gateway/routes/chat");
  EXPECT_EQ(
      legacy.body,
      R"({"name":"chat","route_type":"llm/v1/chat","model":{"name":"gpt-4o-mini","provider":"openai"},"route_url":"/gateway/chat/invocations","limit":null})");

  auto missing = http_request(port(), "GET", "/api/2.0/endpoints/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(
      missing.body,
      R"({"detail":"The endpoint 'nope' is not present or active on the server. Please verify the endpoint name."})");
  auto missing_route = http_request(port(), "GET", "/api/3.0/gateway/route/nope");
  EXPECT_EQ(
      missing_route.body,
      R"({"detail":"The route 'nope' is not present or active on the server. Please verify the route name."})");

  auto redirect = http_request(port(), "GET", "/api/2.0/endpoints");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ(redirect.header("location"), "/api/2.0/endpoints/");
  auto slash = http_request(port(), "GET", "/api/2.0/endpoints/chat/");
  EXPECT_EQ(slash.status, 307);
  EXPECT_EQ(slash.header("location"), "/api/2.0/endpoints/chat");

  // Page tokens: index 3 -> the last endpoint only; a bad token is a 400, not a 500.
  auto page = http_request(port(), "GET", "/api/2.0/endpoints/?page_token=eyJpbmRleCI6IDN9");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(parse(page.body)["endpoints"].size(), 1u);
  auto bad = http_request(port(), "GET", "/api/2.0/endpoints/?page_token=garbage!");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"detail":"Invalid page_token 'garbage!'"})");
}

// The documentation routes through the real server (tests/unit/test_apidocs.cpp checks them in
// detail; tests/sdk renders the pages in Chromium and validates the document).
TEST_F(GatewayTest, RootRedirectsToSwaggerUiAndTheApiDescriptionIsServed) {
  auto root = http_request(port(), "GET", "/");
  EXPECT_EQ(root.status, 307);
  EXPECT_EQ(root.header("location"), "/docs");
  auto docs = http_request(port(), "GET", "/docs");
  EXPECT_EQ(docs.status, 200);
  EXPECT_EQ(docs.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(docs.body.find("<title>LLM Gateway - Swagger UI</title>"), std::string::npos);
  EXPECT_NE(docs.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  auto redoc = http_request(port(), "GET", "/redoc");
  EXPECT_EQ(redoc.status, 200);
  EXPECT_NE(redoc.body.find("<title>LLM Gateway - ReDoc</title>"), std::string::npos);

  auto spec = http_request(port(), "GET", "/openapi.json");
  ASSERT_EQ(spec.status, 200);
  EXPECT_EQ(spec.header("content-type"), "application/json");
  Json doc = parse(spec.body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_TRUE(doc["paths"].contains("/v1/chat/completions"));
  EXPECT_EQ(spec.body.find("sk-test"), std::string::npos);  // a description, not the config
  auto head = http_request(port(), "HEAD", "/openapi.json");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(spec.body.size()));

  auto bundle = http_request(port(), "GET", "/static/swagger-ui/swagger-ui-bundle.js?v=1");
  EXPECT_EQ(bundle.status, 200);
  EXPECT_EQ(bundle.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(bundle.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_GT(bundle.body.size(), 500'000u);
  auto icon = http_request(port(), "GET", "/favicon.ico");
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.header("content-type"), "image/png");
  auto missing = http_request(port(), "GET", "/static/swagger-ui/nope.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"detail":"Not Found"})");
  EXPECT_EQ(http_request(port(), "POST", "/openapi.json").status, 405);
}

TEST_F(GatewayTest, HealthAndLimitsRoutes) {
  auto h = http_request(port(), "GET", "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, R"({"status":"OK"})");
  auto g = http_request(port(), "GET", "/api/2.0/endpoints/limits/chat");
  EXPECT_EQ(g.status, 501);
  EXPECT_EQ(g.body, R"({"detail":"The get_limits API is not available yet."})");
  auto s = http_request(port(), "POST", "/api/2.0/gateway/limits/",
                        R"({"route":"chat","limits":[{"calls":1}]})");
  EXPECT_EQ(s.status, 501);
  EXPECT_EQ(s.body, R"({"detail":"The set_limits API is not available yet."})");
  auto s422 = http_request(port(), "POST", "/api/2.0/endpoints/limits/", R"({"limits":3})");
  EXPECT_EQ(s422.status, 422);
}

TEST_F(GatewayTest, KeepAliveServesManyRequestsOnOneConnection) {
  TestClient client(port());
  for (int i = 0; i < 20; ++i) {
    auto r = client.post("/endpoints/mock-chat/invocations",
                         R"({"messages":[{"role":"user","content":"ping"}]})");
    ASSERT_EQ(r.status, 200) << r.error;
  }
}

// Small limits so the connection-handling cases run fast.
class LimitsTest : public GatewayTest {
 protected:
  ServerOptions options() override {
    ServerOptions o = GatewayTest::options();
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    o.read_timeout = std::chrono::milliseconds(300);
    return o;
  }
};

TEST_F(LimitsTest, OversizedBodyIs413WithJson) {
  std::string big(4096, 'x');
  auto r = http_request(port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":")" + big + R"("}]})");
  EXPECT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(r.body, R"({"detail":"Request body is larger than the limit of 1024 bytes"})");
  EXPECT_EQ(upstream_.request_count(), 0u);
}

TEST_F(LimitsTest, OversizedBodyOnV1UsesOpenAiShape) {
  auto r = http_request(port(), "POST", "/v1/embeddings",
                        R"({"model":"embeddings","input":")" + std::string(4096, 'x') + R"("})");
  EXPECT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(parse(r.body),
            parse(R"({"error":{"message":"Request body is larger than the limit of 1024 bytes",
    "type":"invalid_request_error","param":null,"code":null}})"));
}

TEST_F(LimitsTest, OversizedHeadersAre431) {
  RawConnection c(port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  std::string got = c.read_all();
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got;
}

TEST_F(LimitsTest, MalformedRequestLineIs400) {
  RawConnection c(port());
  c.send("THIS IS NOT HTTP\r\n\r\n");
  std::string got = c.read_all();
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
}

TEST_F(LimitsTest, SlowClientGets408AndDoesNotBlockOthers) {
  RawConnection slow(port());
  slow.send("POST /endpoints/mock-chat/invocations HTTP/1.1\r\nHost: x\r\n");  // never finishes
  // Meanwhile other clients are served normally.
  auto ok = http_request(port(), "POST", "/endpoints/mock-chat/invocations",
                         R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(ok.status, 200);
  std::string got = slow.read_all();
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_NE(got.find(R"({"detail":"Timed out reading the request"})"), std::string::npos);
}

TEST_F(LimitsTest, IdleConnectionWithoutBytesIsClosedSilently) {
  RawConnection idle(port());
  EXPECT_TRUE(idle.wait_closed());
}

TEST_F(LimitsTest, BodyShorterThanContentLengthTimesOut) {
  RawConnection slow(port());
  slow.send(
      "POST /endpoints/mock-chat/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: "
      "100\r\n\r\n{\"mess");
  std::string got = slow.read_all();
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
}

TEST(GracefulShutdown, RequestInFlightFinishesThenServerStops) {
  FakeUpstream upstream;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  upstream.set_handler([released](const RecordedRequest&) {
    released.wait();  // hold the reply until the test lets it go
    return ScriptedReply{.body = kChatReply};
  });
  auto server = start_gateway(openai_config(upstream.base_url()));
  ASSERT_TRUE(server);
  auto port = server->port();
  auto in_flight = std::async(std::launch::async, [port] {
    return http_request(port, "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  });
  TestClient idle(port);  // an idle keep-alive connection must not hold up shutdown
  ASSERT_EQ(idle.get("/health").status, 200);
  ASSERT_TRUE(upstream.wait_for_requests(1));
  server->stop();
  // New connections are refused once the acceptor is closed.
  auto rejected = http_request(port, "GET", "/health");
  EXPECT_FALSE(rejected.error.empty());
  release.set_value();
  auto r = in_flight.get();
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("connection"), "close");
  server->wait();  // returns: every thread has exited
}

}  // namespace
}  // namespace gw::test
