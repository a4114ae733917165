// providers/mosaicml: MosaicML (docs/mlflow-compatibility.md §6.11), a non-streaming provider
// for chat (Llama 2 prompt format), completions and embeddings. For each served endpoint type: the
// golden upstream request (URL, headers, body text with MLflow's key order), the golden unified
// response built from the provider's documented example (tests/fixtures/mosaicml/), every 422/501
// text, the token-limit error mapping, and malformed 2xx bodies (502, never a crash). Adapters are
// built from YAML as the gateway builds them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using namespace testing;  // the shared provider-test helpers (test_provider_fixtures.h)
using Headers = std::vector<std::pair<std::string, std::string>>;

Subject mosaic(const std::string& type, const std::string& model) {
  return testing::subject(type, "mosaicml", model, "{mosaicml_api_key: mosaic-key}");
}

const Headers kMosaicHeaders = {{"Content-Type", "application/json"},
                                {"Authorization", "mosaic-key"}};

TEST(LegacyMosaic, GoldenCompletionsRequest) {
  auto s = mosaic("llm/v1/completions", "mpt-7b-instruct");
  auto req =
      testing::upstream_request(s, R"({"prompt":"This is a test","max_tokens":100,"top_p":0.9})");
  EXPECT_EQ(req.url, "https://models.hosted-on.mosaicml.hosting/mpt-7b-instruct/v1/predict");
  EXPECT_EQ(req.headers, kMosaicHeaders);
  expect_body(req, R"({"inputs":["This is a test"],
      "parameters":{"temperature":0.0,"n":1,"max_new_tokens":100,"top_p":0.9}})");
}

TEST(LegacyMosaic, GoldenChatRequest) {
  auto s = mosaic("llm/v1/chat", "llama2-70b-chat");
  auto req =
      testing::upstream_request(s, R"({"messages":[{"role":"system","content":"You're funny"},
      {"role":"user","content":"Tell me a joke"}],"temperature":0.5,"max_tokens":1000})");
  EXPECT_EQ(req.url, "https://models.hosted-on.mosaicml.hosting/llama2-70b-chat/v1/predict");
  EXPECT_EQ(req.headers, kMosaicHeaders);
  expect_body(req, R"({"inputs":["<s>[INST] <<SYS>> You're funny <</SYS>> Tell me a joke [/INST]"],
      "parameters":{"temperature":0.5,"n":1,"max_new_tokens":1000}})");
}

TEST(LegacyMosaic, Llama2Prompts) {
  // MLflow's tests/gateway/providers/test_mosaicml.py::test_valid_parsing cases.
  struct Case {
    const char* messages;
    const char* prompt;
  };
  const Case cases[] = {
      {R"([{"role":"system","content":"Hello"},{"role":"user","content":"Hi there"},
           {"role":"assistant","content":"How can I help?"},{"role":"user","content":"Thanks!"}])",
       "<s>[INST] <<SYS>> Hello <</SYS>> Hi there [/INST] How can I help? </s><s>[INST] Thanks! "
       "[/INST]"},
      {R"([{"role":"system","content":"Hello"},{"role":"user","content":"Hi there"}])",
       "<s>[INST] <<SYS>> Hello <</SYS>> Hi there [/INST]"},
      {R"([{"role":"user","content":"Hi there"}])", "<s>[INST] Hi there [/INST]"},
      {R"([{"role":"user","content":"Hi there"},{"role":"assistant","content":"How can I help?"},
           {"role":"user","content":"Thanks!"}])",
       "<s>[INST] Hi there [/INST] How can I help? </s><s>[INST] Thanks! [/INST]"},
      // A trailing assistant message is left open for completion.
      {R"([{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}])",
       "<s>[INST] Hi [/INST] Hello "},
      // Text parts are concatenated.
      {R"([{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]}])",
       "<s>[INST] Hi there [/INST]"},
  };
  auto s = mosaic("llm/v1/chat", "llama2-70b-chat");
  for (const auto& c : cases) {
    auto req = testing::upstream_request(s, std::string(R"({"messages":)") + c.messages + "}");
    auto body = Json::parse(req.body);
    EXPECT_EQ(body["inputs"], Json::array({c.prompt})) << c.messages;
  }
}

TEST(LegacyMosaic, GoldenEmbeddingsRequest) {
  auto s = mosaic("llm/v1/embeddings", "instructor-large");
  auto one = testing::upstream_request(s, R"({"input":"This is a test"})");
  EXPECT_EQ(one.url, "https://models.hosted-on.mosaicml.hosting/instructor-large/v1/predict");
  EXPECT_EQ(one.headers, kMosaicHeaders);
  expect_body(one, R"({"inputs":["This is a test"]})");
  auto many = testing::upstream_request(s, R"({"input":["a","b"],"instruction":"Represent"})");
  expect_body(many, R"({"inputs":["a","b"],"instruction":"Represent"})");
}

TEST(LegacyMosaic, Rejections) {
  auto chat = mosaic("llm/v1/chat", "llama2-70b-chat");
  expect_rejected(chat, R"({"messages":[{"role":"tool","content":"x"}]})", 422,
                  "An invalid request structure was submitted. Invalid role tool inputted. Must be "
                  "one of 'system', 'user', or 'assistant'.");
  expect_rejected(
      chat,
      R"({"messages":[{"role":"user","content":"Test"},{"role":"invalid_role","content":"Test"}]})",
      422,
      "An invalid request structure was submitted. Invalid role invalid_role inputted. "
      "Must be one of 'system', 'user', or 'assistant'.");
  expect_rejected(chat,
                  R"({"messages":[{"role":"user","content":[{"type":"image_url",)"
                  R"("image_url":{"url":"https://x/y.png"}}]}]})",
                  422,
                  "An invalid request structure was submitted. Only text content is supported for "
                  "MosaicML chat.");
  expect_rejected(chat, R"({"messages":[{"role":"user","content":"x"}],"max_new_tokens":5})", 422,
                  "Invalid parameter max_new_tokens. Use max_tokens instead.");
  expect_rejected(chat, R"({"messages":[{"role":"user","content":"x"}],"model":"m"})", 422,
                  kNotPermitted);
  expect_rejected(chat, R"({"messages":[{"role":"user","content":"x"}],"stream":true})", 501,
                  "The chat streaming route is not implemented for MosaicML models.");

  auto comp = mosaic("llm/v1/completions", "mpt-7b-instruct");
  expect_rejected(comp, R"({"prompt":"x","max_new_tokens":5})", 422,
                  "Invalid parameter max_new_tokens. Use max_tokens instead.");
  expect_rejected(comp, R"({"prompt":"x","model":"m"})", 422, kNotPermitted);
  expect_rejected(comp, R"({"prompt":"x","stream":true})", 501,
                  "The completions streaming route is not implemented for MosaicML models.");

  auto emb = mosaic("llm/v1/embeddings", "instructor-large");
  expect_rejected(emb, R"({"input":"x","inputs":["y"]})", 422,
                  "Invalid parameter inputs. Use input instead.");
  expect_rejected(emb, R"({"input":"x","model":"m"})", 422, kNotPermitted);
}

TEST(LegacyMosaic, GoldenResponses) {
  // https://docs.mosaicml.com/en/latest/inference.html (as quoted in MLflow's mosaicml.py).
  expect_reply(
      mosaic("llm/v1/completions", "mpt-7b-instruct"), fixture("mosaicml/predict_response.json"),
      R"({"id":null,"object":"text_completion","created":1700000000,"model":"mpt-7b-instruct",
      "choices":[{"index":0,"text":"This is a test","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(
      mosaic("llm/v1/chat", "llama2-70b-chat"), fixture("mosaicml/predict_response.json"),
      R"({"id":null,"object":"chat.completion","created":1700000000,"model":"llama2-70b-chat",
      "choices":[{"index":0,"message":{"role":"assistant","content":"This is a test",
      "tool_calls":null,"refusal":null},"finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(mosaic("llm/v1/embeddings", "instructor-large"),
               fixture("mosaicml/predict_embeddings_response.json"),
               R"({"object":"list","data":[{"object":"embedding",
      "embedding":[3.25,0.7685547,2.65625,-0.30126953,-2.3554688,1.2597656],"index":0}],
      "model":"instructor-large","usage":{"prompt_tokens":null,"total_tokens":null}})");
}

TEST(LegacyMosaic, TokenLimitErrorsBecome422) {
  auto comp = mosaic("llm/v1/completions", "mpt-7b-instruct");
  auto limited =
      testing::reply(comp, 500, R"({"message":"Error: max output tokens is limited to 4096"})");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().status, 422);
  EXPECT_EQ(limited.error().message(), "Error: max output tokens is limited to 4096");
  auto prompt =
      testing::reply(mosaic("llm/v1/chat", "llama2-70b-chat"), 500,
                     R"({"message":"Error: prompt token count (5000) exceeds the limit"})");
  ASSERT_FALSE(prompt.ok());
  EXPECT_EQ(prompt.error().status, 422);
  // Other 500s, other statuses, and embeddings (MLflow does not wrap them) keep their status.
  auto other = testing::reply(comp, 500, R"({"message":"Internal error"})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().status, 500);
  EXPECT_EQ(other.error().message(), "Internal error");
  auto not500 = testing::reply(comp, 400, R"j({"message":"Error: prompt token count (5000)"})j");
  ASSERT_FALSE(not500.ok());
  EXPECT_EQ(not500.error().status, 400);
  auto emb = testing::reply(mosaic("llm/v1/embeddings", "instructor-large"), 500,
                            R"j({"message":"Error: prompt token count (5000)"})j");
  ASSERT_FALSE(emb.ok());
  EXPECT_EQ(emb.error().status, 500);
  // A non-object or message-less error body never crashes the check.
  for (const char* body :
       {R"([1])", R"("x")", R"({"message":7})", R"({"detail":{"message":"x"}})"}) {
    auto r = testing::reply(comp, 500, body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 500) << body;
  }
}

TEST(LegacyMosaic, Malformed) {
  auto comp = mosaic("llm/v1/completions", "mpt-7b-instruct");
  expect_malformed(comp, kJunk);
  expect_malformed(comp, {R"({"outputs":"x"})", R"({"outputs":[1]})", R"({"outputs":[null]})"});
  auto chat = mosaic("llm/v1/chat", "llama2-70b-chat");
  expect_malformed(chat, kJunk);
  expect_malformed(chat, {R"({"outputs":[{"text":"x"}]})"});
  auto emb = mosaic("llm/v1/embeddings", "instructor-large");
  expect_malformed(emb, kJunk);
  expect_malformed(emb, {R"({"outputs":["x"]})", R"({"outputs":[[1,"x"]]})", R"({"outputs":{}})"});
}

TEST(LegacyMosaic, NoStreaming) {
  expect_no_streaming(mosaic("llm/v1/chat", "llama2-70b-chat"), "MosaicML");
  expect_no_streaming(mosaic("llm/v1/completions", "mpt-7b-instruct"), "MosaicML");
}

}  // namespace
}  // namespace gw
