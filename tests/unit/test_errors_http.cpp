// Error rendering (gateway/errors_http.h): one renderer per path family, the 429 and the SSE
// error event, secret scrubbing.
#include <gtest/gtest.h>

#include "gateway/errors_http.h"

namespace gw {
namespace {

TEST(ErrorsHttp, MlflowPathsGetFastApisDetail) {
  ApiResponse r = render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"detail":"Not Found"})");
  GatewayError list{422, Json::parse(R"([{"loc":["body","messages"],"msg":"Field required"}])")};
  EXPECT_EQ(render_error(list, PathFamily::Mlflow).body,
            R"({"detail":[{"loc":["body","messages"],"msg":"Field required"}]})");
}

TEST(ErrorsHttp, OpenAIPathsGetOpenAIsErrorObjectAndAParamForOneField) {
  ApiResponse r = render_error(
      GatewayError::make(404, "no such model", "invalid_request_error", "model_not_found"),
      PathFamily::OpenAI);
  EXPECT_EQ(
      r.body,
      R"({"error":{"message":"no such model","type":"invalid_request_error","param":null,"code":"model_not_found"}})");
  GatewayError one{422, Json::parse(R"([{"loc":["body","messages"],"msg":"Field required"}])")};
  Json e = Json::parse(render_error(one, PathFamily::OpenAI).body)["error"];
  EXPECT_EQ(e["param"], "messages");
  EXPECT_TRUE(e["code"].is_null());
  GatewayError two{422, Json::parse(R"([{"loc":["body","a"]},{"loc":["body","b"]}])")};
  EXPECT_TRUE(Json::parse(render_error(two, PathFamily::OpenAI).body)["error"]["param"].is_null());
}

TEST(ErrorsHttp, RateLimitedBodiesPerFamily) {
  EXPECT_EQ(render_rate_limited("Rate limit exceeded: 1 per 1 second", PathFamily::Mlflow).body,
            R"({"error":"Rate limit exceeded: 1 per 1 second"})");
  ApiResponse v1 = render_rate_limited("slow down", PathFamily::OpenAI);
  EXPECT_EQ(v1.status, 429);
  EXPECT_EQ(Json::parse(v1.body)["error"]["code"], "rate_limit_exceeded");
}

TEST(ErrorsHttp, StreamErrorIsOneSseEvent) {
  EXPECT_EQ(render_stream_error(GatewayError::make(502, "broke", "upstream_error", "bad_gateway")),
            "data: "
            "{\"error\":{\"message\":\"broke\",\"type\":\"upstream_error\",\"code\":\"bad_"
            "gateway\"}}\n\n");
}

TEST(ErrorsHttp, FamilyOfTarget) {
  EXPECT_EQ(family_of("/v1/chat/completions"), PathFamily::OpenAI);
  EXPECT_EQ(family_of("/v1"), PathFamily::Mlflow);
  EXPECT_EQ(family_of("/endpoints/x/invocations"), PathFamily::Mlflow);
}

TEST(ErrorsHttp, ScrubReplacesEverySecretInNestedStringsButNotShortOnes) {
  Json j = Json::parse(R"({"m":"bad key sk-abcdef and sk-abcdef","n":["sk-abcdef"],"k":"abc"})");
  scrub_secrets(j, {"sk-abcdef", "abc"});
  EXPECT_EQ(to_text(j), R"({"m":"bad key *** and ***","n":["***"],"k":"abc"})");
}

}  // namespace
}  // namespace gw
