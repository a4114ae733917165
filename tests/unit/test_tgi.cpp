// providers/tgi: Hugging Face Text Generation Inference (docs/mlflow-compatibility.md §6.7), a
// non-streaming completions provider. The golden upstream request (URL, headers, body text with
// MLflow's key order), the golden unified responses built from MLflow's test fixture and TGI's
// documented GenerateResponse example (tests/fixtures/tgi/), every 422/501 text, the error-body
// mapping, and malformed 2xx bodies (502, never a crash). Adapters are built from YAML as the
// gateway builds them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using namespace testing;  // the shared provider-test helpers (test_provider_fixtures.h)
using Headers = std::vector<std::pair<std::string, std::string>>;

Subject tgi() {
  return testing::subject("llm/v1/completions", "huggingface-text-generation-inference", "hf-tgi",
                          "{hf_server_url: \"https://testserverurl.com\"}");
}

TEST(LegacyTgi, GoldenRequest) {
  // MLflow's tests/gateway/providers/test_huggingface.py::test_completions.
  auto s = tgi();
  auto req = testing::upstream_request(s, R"({"prompt":"This is a test","n":1,"max_tokens":1000})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://testserverurl.com/generate");
  EXPECT_EQ(req.headers, (Headers{{"Content-Type", "application/json"}}));
  expect_body(req, R"({"inputs":"This is a test","parameters":{"temperature":0.001,
      "max_new_tokens":1000,"details":true,"decoder_input_details":true}})");
}

TEST(LegacyTgi, TemperatureScaledExtrasKeptStreamDropped) {
  auto s = tgi();
  auto req = testing::upstream_request(
      s, R"({"prompt":"Hi","temperature":0.5,"stop":["\n"],"stream":false,"top_k":10,"seed":7})");
  expect_body(req, R"({"inputs":"Hi","parameters":{"temperature":25.0,"stop":["\n"],
      "top_k":10,"seed":7,"details":true,"decoder_input_details":true}})");
}

TEST(LegacyTgi, BaseWithPathAndQuery) {
  auto s = testing::subject("llm/v1/completions", "huggingface-text-generation-inference", "m",
                            "{hf_server_url: \"http://tgi.local:8080/v1/?tenant=a\"}");
  EXPECT_EQ(testing::upstream_request(s, R"({"prompt":"x"})").url,
            "http://tgi.local:8080/v1/generate?tenant=a");
}

TEST(LegacyTgi, Rejections) {
  auto s = tgi();
  expect_rejected(s, R"({"prompt":"x","max_new_tokens":10})", 422,
                  "Invalid parameter max_new_tokens. Use max_tokens instead.");
  // MLflow's text, missing space included.
  expect_rejected(
      s, R"({"prompt":"x","n":2})", 422,
      "'n' must be '1' for the Text Generation Inference provider.Received value: '2'.");
  expect_rejected(s, R"({"prompt":"x","model":"other"})", 422, kNotPermitted);
  expect_rejected(s, R"({"prompt":"x","stream":true})", 501,
                  "The completions streaming route is not implemented for Hugging Face Text "
                  "Generation Inference models.");
}

TEST(LegacyTgi, GoldenResponse) {
  auto s = tgi();
  // MLflow's test fixture (test_huggingface.py::completions_response).
  expect_reply(s, fixture("tgi/mlflow_completions_response.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"hf-tgi",
      "choices":[{"index":0,"text":"this is a test response","finish_reason":"length"}],
      "usage":{"prompt_tokens":4,"completion_tokens":5,"total_tokens":9}})");
  // The GenerateResponse example of TGI's API reference
  // (https://huggingface.github.io/text-generation-inference/, schemas GenerateResponse/Details).
  expect_reply(s, fixture("tgi/generate_response.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"hf-tgi",
      "choices":[{"index":0,"text":"test","finish_reason":"length"}],
      "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})");
}

TEST(LegacyTgi, ErrorBody) {
  auto s = tgi();
  // TGI's ErrorResponse {"error", "error_type"}: the string `error` is the detail.
  auto r = testing::reply(s, 422,
                          R"({"error":"Input validation error: `inputs` must have less)"
                          R"( than 1024 tokens. Given: 2000","error_type":"validation"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 422);
  EXPECT_EQ(r.error().message(),
            "Input validation error: `inputs` must have less than 1024 tokens. Given: 2000");
  auto overloaded =
      testing::reply(s, 429, R"({"error":"Model is overloaded","error_type":"overloaded"})");
  ASSERT_FALSE(overloaded.ok());
  EXPECT_EQ(overloaded.error().status, 429);
  EXPECT_EQ(overloaded.error().message(), "Model is overloaded");
}

TEST(LegacyTgi, Malformed) {
  auto s = tgi();
  expect_malformed(s, kJunk);
  expect_malformed(s, {R"({"generated_text":"x"})", R"({"generated_text":1,"details":{}})",
                       R"({"generated_text":"x","details":[]})",
                       R"({"generated_text":"x","details":{"prefill":{},"generated_tokens":1}})",
                       R"({"generated_text":"x","details":{"prefill":[],"generated_tokens":"1"}})",
                       R"({"generated_text":"x","details":{"generated_tokens":1}})"});
  auto bad_json = testing::reply(s, 200, "{not json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error().status, 502);
}

TEST(LegacyTgi, NoStreaming) {
  expect_no_streaming(tgi(), "Hugging Face Text Generation Inference");
}

}  // namespace
}  // namespace gw
