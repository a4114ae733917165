// The request pipeline's pure stages: resolve (gateway/stages/resolve.h) and the admit rules
// (gateway/stages/admit.h), against a runtime snapshot built from YAML.
#include <gtest/gtest.h>

#include "config/config.h"
#include "runtime_fixture.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/resolve.h"

namespace gw {
namespace {

using config::EndpointType;

const char* kYaml =
    "endpoints:\n"
    "  - {name: chat, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
    "  - {name: chat2, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
    "  - {name: emb, endpoint_type: llm/v1/embeddings, model: {provider: mock}}\n"
    "  - name: global\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: mock}\n"
    "    limit: {calls: 2, renewal_period: minute, key: global}\n"
    "  - name: by-user\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: mock}\n"
    "    limit: {calls: 2, renewal_period: minute, key: 'header:X-User'}\n"
    "  - name: by-ip\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: mock}\n"
    "    limit: {calls: 2, renewal_period: minute}\n"
    "routes:\n"
    "  - name: split\n"
    "    task_type: llm/v1/chat\n"
    "    destinations: [{name: chat, traffic_percentage: 70}, {name: chat2, traffic_percentage: "
    "30}]\n";

TEST(ResolveStage, NameIsAnEndpointOrARouteDestinationByDraw) {
  Runtime rt = fixtures::runtime_from(kYaml);
  EXPECT_EQ(resolve_name(rt, "emb", 0)->config.name, "emb");
  EXPECT_EQ(resolve_name(rt, "split", 0.0)->config.name, "chat");
  EXPECT_EQ(resolve_name(rt, "split", 69.9)->config.name, "chat");
  EXPECT_EQ(resolve_name(rt, "split", 70.0)->config.name, "chat2");
  EXPECT_EQ(resolve_name(rt, "nope", 0), nullptr);
  EXPECT_TRUE(is_invocable(rt, "split"));
  EXPECT_TRUE(is_invocable(rt, "chat"));
  EXPECT_FALSE(is_invocable(rt, "nope"));
}

TEST(ResolveStage, ModelOfTypeOrTheErrorClientsSee) {
  Runtime rt = fixtures::runtime_from(kYaml);
  auto ok = resolve_model(rt, EndpointType::Chat, "split", 99.0);
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)->config.name, "chat2");
  auto missing = resolve_model(rt, EndpointType::Chat, "nope", 0);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().status, 404);
  EXPECT_EQ(missing.error().code, "model_not_found");
  EXPECT_EQ(missing.error().message(),
            "The model 'nope' does not exist: no endpoint or route has that name.");
  auto wrong = resolve_model(rt, EndpointType::Embeddings, "chat", 0);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().status, 400);
  EXPECT_EQ(wrong.error().message(), "Endpoint 'chat' is not an embeddings endpoint.");
  auto route_wrong = resolve_model(rt, EndpointType::Completions, "split", 0);
  ASSERT_FALSE(route_wrong);
  EXPECT_EQ(route_wrong.error().message(), "Endpoint 'split' is not a completions endpoint.");
}

TEST(ResolveStage, ModelOfABody) {
  EXPECT_EQ(*model_of(EndpointType::Chat, Json::parse(R"({"model":"m"})")), "m");
  auto missing = model_of(EndpointType::Chat, Json::parse(R"({"model":null})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().status, 400);
  EXPECT_EQ(missing.error().message(),
            "Missing required 'model' parameter in request body: it names the endpoint to use");
  auto number = model_of(EndpointType::Chat, Json::parse(R"({"model":1})"));
  ASSERT_FALSE(number);
  EXPECT_EQ(number.error().message(), "The 'model' parameter must be a string");
  auto array = model_of(EndpointType::Chat, Json::parse("[1]"));
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().status, 422);
}

TEST(ResolveStage, TrafficDrawIsInRange) {
  for (int i = 0; i < 1000; ++i) {
    const double d = traffic_draw();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 100.0);
  }
}

TEST(AdmitStage, ClientKeyFollowsTheLimitKey) {
  Runtime rt = fixtures::runtime_from(kYaml);
  ApiRequest req;
  req.client_ip = "10.0.0.7";
  req.headers = {{"x-user", "alice"}};
  EXPECT_EQ(limit_client(*rt.endpoint("global"), req), "");
  EXPECT_EQ(limit_client(*rt.endpoint("by-ip"), req), "10.0.0.7");
  const std::string alice = limit_client(*rt.endpoint("by-user"), req);
  EXPECT_EQ(alice.substr(0, 2), "h:");
  EXPECT_EQ(alice.size(), 2u + 32u);  // a digest, never the client's bytes
  EXPECT_EQ(alice.find("alice"), std::string::npos);
  req.headers = {{"X-USER", "bob"}};  // header names are case-insensitive
  EXPECT_NE(limit_client(*rt.endpoint("by-user"), req), alice);
  req.headers.clear();
  EXPECT_EQ(limit_client(*rt.endpoint("by-user"), req), "ip:10.0.0.7");
}

TEST(AdmitStage, ResponsesForRefusedAndUnreachable) {
  auto limit = *config::parse_limit(2, "minute");
  LimitDecision allowed{true, 2, 1, 30'000};
  LimitDecision refused{false, 2, 0, 1'500};
  EXPECT_FALSE(admission_response(allowed, limit, PathFamily::Mlflow, false));
  auto mlflow = admission_response(refused, limit, PathFamily::Mlflow, false);
  ASSERT_TRUE(mlflow);
  EXPECT_EQ(mlflow->status, 429);
  EXPECT_EQ(mlflow->body, R"({"error":"Rate limit exceeded: 2 per 1 minute"})");
  auto v1 = admission_response(refused, limit, PathFamily::OpenAI, false);
  ASSERT_TRUE(v1);
  EXPECT_EQ(
      v1->body,
      R"({"error":{"message":"Rate limit exceeded: 2 per 1 minute","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})");
  // The store is unreachable: admitted (fail open) or 503 (fail closed).
  EXPECT_FALSE(admission_response(std::nullopt, limit, PathFamily::Mlflow, false));
  auto closed = admission_response(std::nullopt, limit, PathFamily::Mlflow, true);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, 503);
  EXPECT_EQ(closed->body,
            R"({"detail":"Rate limiting is unavailable: the rate-limit store cannot be reached"})");
}

TEST(AdmitStage, HeadersRoundTheResetUpAndAddRetryAfterOnlyWhenRefused) {
  ApiResponse r;
  add_limit_headers(r, std::nullopt);
  EXPECT_TRUE(r.headers.empty());
  add_limit_headers(r, LimitDecision{true, 5, 4, 1'001});
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"X-RateLimit-Limit", "5"}));
  EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>{"X-RateLimit-Remaining", "4"}));
  EXPECT_EQ(r.headers[2], (std::pair<std::string, std::string>{"X-RateLimit-Reset", "2"}));
  ApiResponse refused;
  add_limit_headers(refused, LimitDecision{false, 5, 0, 1'000});
  ASSERT_EQ(refused.headers.size(), 4u);
  EXPECT_EQ(refused.headers[3], (std::pair<std::string, std::string>{"Retry-After", "1"}));
}

}  // namespace
}  // namespace gw
