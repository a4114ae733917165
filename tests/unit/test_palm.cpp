// providers/palm: PaLM (docs/mlflow-compatibility.md §6.10), a non-streaming provider for chat,
// completions and embeddings. For each served endpoint type: the golden upstream request (URL,
// headers, body text with MLflow's key order), the golden unified response built from the
// provider's documented example (tests/fixtures/palm/), every 422/501 text, the error-body
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

Subject palm(const std::string& type, const std::string& model) {
  return testing::subject(type, "palm", model, "{palm_api_key: palm-key}");
}

const Headers kPalmHeaders = {{"Content-Type", "application/json"}, {"x-goog-api-key", "palm-key"}};

TEST(LegacyPalm, GoldenCompletionsRequest) {
  auto s = palm("llm/v1/completions", "text-bison-001");
  auto req = testing::upstream_request(
      s,
      R"({"prompt":"This is a test","n":1,"max_tokens":1000,"stop":["foobar"],"temperature":0.2})");
  EXPECT_EQ(req.url,
            "https://generativelanguage.googleapis.com/v1beta3/models/text-bison-001:generateText");
  EXPECT_EQ(req.headers, kPalmHeaders);
  expect_body(req, R"({"temperature":0.1,"candidateCount":1,"stopSequences":["foobar"],
      "maxOutputTokens":1000,"prompt":{"text":"This is a test"}})");
}

TEST(LegacyPalm, GoldenChatRequest) {
  auto s = palm("llm/v1/chat", "chat-bison-001");
  auto req = testing::upstream_request(s, R"({"messages":[{"role":"user","content":"hi"},
      {"role":"assistant","content":"Hello"},{"role":"user","content":"How are you?"}],
      "temperature":0.5,"stop":["\n"],"topK":40,
      "examples":[{"input":{"content":"2+2"},"output":{"content":"4"}}],"context":"Be terse."})");
  EXPECT_EQ(
      req.url,
      "https://generativelanguage.googleapis.com/v1beta3/models/chat-bison-001:generateMessage");
  EXPECT_EQ(req.headers, kPalmHeaders);
  expect_body(req, R"({"temperature":0.25,"candidateCount":1,"stopSequences":["\n"],"topK":40,
      "prompt":{"messages":[{"content":"hi","author":"user"},{"content":"Hello","author":"assistant"},
      {"content":"How are you?","author":"user"}],
      "examples":[{"input":{"content":"2+2"},"output":{"content":"4"}}],"context":"Be terse."}})");
}

TEST(LegacyPalm, GoldenEmbeddingsRequest) {
  auto s = palm("llm/v1/embeddings", "embedding-gecko-001");
  auto req = testing::upstream_request(s, R"({"input":["This is a test","another"]})");
  EXPECT_EQ(req.url,
            "https://generativelanguage.googleapis.com/v1beta3/models/"
            "embedding-gecko-001:batchEmbedText");
  EXPECT_EQ(req.headers, kPalmHeaders);
  expect_body(req, R"({"texts":["This is a test","another"]})");
}

TEST(LegacyPalm, Rejections) {
  auto chat = palm("llm/v1/chat", "chat-bison-001");
  const std::string msgs = R"("messages":[{"role":"user","content":"hi"}])";
  expect_rejected(chat, "{" + msgs + R"(,"max_tokens":10})", 422,
                  "Max tokens is not supported for PaLM chat.");
  expect_rejected(chat, "{" + msgs + R"(,"maxOutputTokens":10})", 422,
                  "Max tokens is not supported for PaLM chat.");
  expect_rejected(chat, "{" + msgs + R"(,"stopSequences":["a"]})", 422,
                  "Invalid parameter stopSequences. Use stop instead.");
  expect_rejected(chat, "{" + msgs + R"(,"candidateCount":2})", 422,
                  "Invalid parameter candidateCount. Use n instead.");
  expect_rejected(chat, "{" + msgs + R"(,"model":"x"})", 422, kNotPermitted);
  expect_rejected(chat, "{" + msgs + R"(,"stream":true})", 501,
                  "The chat streaming route is not implemented for PaLM models.");

  auto comp = palm("llm/v1/completions", "text-bison-001");
  expect_rejected(comp, R"({"prompt":"x","stopSequences":["a"]})", 422,
                  "Invalid parameter stopSequences. Use stop instead.");
  expect_rejected(comp, R"({"prompt":"x","candidateCount":2})", 422,
                  "Invalid parameter candidateCount. Use n instead.");
  expect_rejected(comp, R"({"prompt":"x","maxOutputTokens":2})", 422,
                  "Invalid parameter maxOutputTokens. Use max_tokens instead.");
  expect_rejected(comp, R"({"prompt":"x","model":"x"})", 422, kNotPermitted);
  expect_rejected(comp, R"({"prompt":"x","stream":true})", 501,
                  "The completions streaming route is not implemented for PaLM models.");

  auto emb = palm("llm/v1/embeddings", "embedding-gecko-001");
  expect_rejected(emb, R"({"input":"x","texts":["a"]})", 422,
                  "Invalid parameter texts. Use input instead.");
  expect_rejected(emb, R"({"input":"x","model":"x"})", 422, kNotPermitted);
}

TEST(LegacyPalm, GoldenResponses) {
  // https://developers.generativeai.google/api/rest/generativelanguage/models/generateText
  expect_reply(
      palm("llm/v1/completions", "text-bison-001"), fixture("palm/generate_text_response.json"),
      R"({"id":null,"object":"text_completion","created":1700000000,"model":"text-bison-001",
      "choices":[{"index":0,"text":"Once upon a time, there was a young girl named Lily...","finish_reason":null},
      {"index":1,"text":"Once upon a time, there was a young boy named Billy...","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  // https://developers.generativeai.google/api/rest/generativelanguage/models/generateMessage
  expect_reply(
      palm("llm/v1/chat", "chat-bison-001"), fixture("palm/generate_message_response.json"),
      R"({"id":null,"object":"chat.completion","created":1700000000,"model":"chat-bison-001",
      "choices":[{"index":0,"message":{"role":"1","content":"Hi there! How can I help you today?",
      "tool_calls":null,"refusal":null},"finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  // https://developers.generativeai.google/api/rest/generativelanguage/models/batchEmbedText
  expect_reply(palm("llm/v1/embeddings", "embedding-gecko-001"),
               fixture("palm/batch_embed_text_response.json"),
               R"({"object":"list","data":[
      {"object":"embedding","embedding":[3.25,0.7685547,2.65625,-0.30126953,-2.3554688,1.2597656],"index":0},
      {"object":"embedding","embedding":[0.5],"index":1}],
      "model":"embedding-gecko-001","usage":{"prompt_tokens":null,"total_tokens":null}})");
}

TEST(LegacyPalm, ErrorBody) {
  auto r = testing::reply(
      palm("llm/v1/completions", "text-bison-001"), 400,
      R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",
                              "status":"INVALID_ARGUMENT"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().message(), "API key not valid. Please pass a valid API key.");
}

TEST(LegacyPalm, Malformed) {
  auto comp = palm("llm/v1/completions", "text-bison-001");
  expect_malformed(comp, kJunk);
  expect_malformed(
      comp, {R"({"candidates":{}})", R"({"candidates":[{}]})", R"({"candidates":[{"output":1}]})",
             R"({"candidates":[null]})", R"({"filters":[{"reason":"OTHER"}]})"});
  auto chat = palm("llm/v1/chat", "chat-bison-001");
  expect_malformed(chat, kJunk);
  expect_malformed(chat,
                   {R"({"candidates":[{"content":"x"}]})", R"({"candidates":[{"author":"1"}]})",
                    R"({"candidates":[{"author":1,"content":"x"}]})"});
  auto emb = palm("llm/v1/embeddings", "embedding-gecko-001");
  expect_malformed(emb, kJunk);
  expect_malformed(emb,
                   {R"({"embeddings":[{}]})", R"({"embeddings":[{"value":"x"}]})",
                    R"({"embeddings":[{"value":[1,"x"]}]})", R"({"embeddings":{"value":[1]}})"});
}

TEST(LegacyPalm, NoStreaming) {
  expect_no_streaming(palm("llm/v1/chat", "chat-bison-001"), "PaLM");
  expect_no_streaming(palm("llm/v1/completions", "text-bison-001"), "PaLM");
}

}  // namespace
}  // namespace gw
