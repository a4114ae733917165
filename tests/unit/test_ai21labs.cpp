// providers/ai21labs: AI21 Labs (docs/mlflow-compatibility.md §6.9), a non-streaming completions
// provider. The golden upstream request (URL, headers, body text with MLflow's key order), the
// golden unified responses built from AI21's documented j2-complete example
// (tests/fixtures/ai21labs/), every 422/501 text, the error-body mapping, and malformed 2xx bodies
// (502, never a crash). Adapters are built from YAML as the gateway builds them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using namespace testing;  // the shared provider-test helpers (test_provider_fixtures.h)
using Headers = std::vector<std::pair<std::string, std::string>>;

Subject ai21(const std::string& extra_config = "") {
  return testing::subject("llm/v1/completions", "ai21labs", "j2-ultra",
                          "{ai21labs_api_key: ai21-key" + extra_config + "}");
}

TEST(LegacyAi21, GoldenRequest) {
  auto s = ai21();
  auto req = testing::upstream_request(
      s, R"({"prompt":"This is a test","n":1,"max_tokens":1000,"stop":["foobar"],"topP":0.9})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://api.ai21.com/studio/v1/j2-ultra/complete");
  EXPECT_EQ(req.headers,
            (Headers{{"Content-Type", "application/json"}, {"Authorization", "Bearer ai21-key"}}));
  expect_body(req, R"({"temperature":0.0,"numResults":1,"stopSequences":["foobar"],
      "maxTokens":1000,"prompt":"This is a test","topP":0.9})");
}

TEST(LegacyAi21, ApiBaseOverride) {
  auto s = ai21(", ai21labs_api_base: \"http://proxy.local/studio/v1/\"");
  EXPECT_EQ(testing::upstream_request(s, R"({"prompt":"x"})").url,
            "http://proxy.local/studio/v1/j2-ultra/complete");
}

TEST(LegacyAi21, Rejections) {
  auto s = ai21();
  expect_rejected(s, R"({"prompt":"x","stopSequences":["a"]})", 422,
                  "Invalid parameter stopSequences. Use stop instead.");
  expect_rejected(s, R"({"prompt":"x","numResults":2})", 422,
                  "Invalid parameter numResults. Use n instead.");
  expect_rejected(s, R"({"prompt":"x","maxTokens":2})", 422,
                  "Invalid parameter maxTokens. Use max_tokens instead.");
  expect_rejected(s, R"({"prompt":"x","model":"j2-mid"})", 422, kNotPermitted);
  // MLflow answers a stream with the 501 before the provider's own 422 stream check can run.
  expect_rejected(s, R"({"prompt":"x","stream":true})", 501,
                  "The completions streaming route is not implemented for AI21Labs models.");
}

TEST(LegacyAi21, StreamFalseIsForwarded) {
  auto req = testing::upstream_request(ai21(), R"({"prompt":"x","stream":false})");
  expect_body(req, R"({"temperature":0.0,"numResults":1,"stream":false,"prompt":"x"})");
}

TEST(LegacyAi21, GoldenResponse) {
  // https://docs.ai21.com/reference/j2-complete-ref (as quoted in MLflow's ai21labs.py).
  expect_reply(ai21(), fixture("ai21labs/complete_response.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"j2-ultra",
      "choices":[{"index":0,"text":" complete this","finish_reason":"length"}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(ai21(), fixture("ai21labs/complete_response_two_completions.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"j2-ultra",
      "choices":[{"index":0,"text":"a","finish_reason":"endoftext"},
                 {"index":1,"text":"b","finish_reason":"stop"}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
}

TEST(LegacyAi21, ErrorBody) {
  auto r = testing::reply(ai21(), 401, R"({"detail":"Forbidden: Bad or missing API token."})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(r.error().message(), "Forbidden: Bad or missing API token.");
}

TEST(LegacyAi21, Malformed) {
  auto s = ai21();
  expect_malformed(s, kJunk);
  expect_malformed(
      s, {R"({"completions":{}})", R"({"completions":[{}]})", R"({"completions":[{"data":"x"}]})",
          R"({"completions":[1]})", R"({"completions":[{"data":{"text":null}}]})"});
}

TEST(LegacyAi21, NoStreaming) { expect_no_streaming(ai21(), "AI21Labs"); }

}  // namespace
}  // namespace gw
