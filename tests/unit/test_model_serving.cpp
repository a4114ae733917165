// providers/model_serving: MLflow Model Serving (docs/mlflow-compatibility.md §6.8), a
// non-streaming provider for chat, completions and embeddings. For each served endpoint type: the
// golden upstream request (URL, headers, body text with MLflow's key order), the golden unified
// responses built on the scoring server's documented reply shape (tests/fixtures/model_serving/),
// every 422/501 text, the invalid-predictions 502 texts, the error-body mapping, and malformed 2xx
// bodies (502, never a crash). Adapters are built from YAML as the gateway builds them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using namespace testing;  // the shared provider-test helpers (test_provider_fixtures.h)
using Headers = std::vector<std::pair<std::string, std::string>>;

Subject serving(const std::string& type) {
  return testing::subject(type, "mlflow-model-serving", "served-model",
                          "{model_server_url: \"http://serving.local:5000\"}");
}

TEST(LegacyModelServing, GoldenCompletionsRequest) {
  auto s = serving("llm/v1/completions");
  auto req =
      testing::upstream_request(s, R"({"prompt":"Is this a test?","max_tokens":10,"top_k":3})");
  EXPECT_EQ(req.url, "http://serving.local:5000/invocations");
  EXPECT_EQ(req.headers, (Headers{{"Content-Type", "application/json"}}));
  expect_body(req, R"({"inputs":["Is this a test?"],
      "params":{"temperature":0.0,"n":1,"max_tokens":10,"top_k":3}})");
}

TEST(LegacyModelServing, GoldenChatRequest) {
  auto s = serving("llm/v1/chat");
  auto req = testing::upstream_request(
      s, R"({"messages":[{"role":"user","content":"Is this a test?"}],"temperature":0.5})");
  EXPECT_EQ(req.url, "http://serving.local:5000/invocations");
  EXPECT_EQ(req.headers, (Headers{{"Content-Type", "application/json"}}));
  expect_body(req, R"({"inputs":["Is this a test?"],"params":{"temperature":0.5,"n":1}})");
}

TEST(LegacyModelServing, GoldenEmbeddingsRequest) {
  auto s = serving("llm/v1/embeddings");
  auto one = testing::upstream_request(s, R"({"input":"a sentence"})");
  EXPECT_EQ(one.url, "http://serving.local:5000/invocations");
  EXPECT_EQ(one.headers, (Headers{{"Content-Type", "application/json"}}));
  expect_body(one, R"({"inputs":["a sentence"]})");  // no params when nothing else was sent
  auto many =
      testing::upstream_request(s, R"({"input":["a","b"],"output_value":"token_embeddings"})");
  expect_body(many, R"({"inputs":["a","b"],"params":{"output_value":"token_embeddings"}})");
}

TEST(LegacyModelServing, ClientModelTravelsInParams) {
  // mlflow-compatibility §3.2: MLflow serving forwards a client `model` inside `params` instead
  // of rejecting it.
  auto s = serving("llm/v1/completions");
  auto req = testing::upstream_request(s, R"({"prompt":"x","model":"m2"})");
  expect_body(req, R"({"inputs":["x"],"params":{"temperature":0.0,"n":1,"model":"m2"}})");
}

TEST(LegacyModelServing, Rejections) {
  expect_rejected(serving("llm/v1/chat"),
                  R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}]})",
                  422,
                  "MLflow chat models are only capable of processing a single query at a time. "
                  "The request submitted consists of 2 queries.");
  expect_rejected(serving("llm/v1/chat"),
                  R"({"messages":[{"role":"user","content":"u"}],"stream":true})", 501,
                  "The chat streaming route is not implemented for MLflow Model Serving models.");
  expect_rejected(serving("llm/v1/completions"), R"({"prompt":"u","stream":true})", 501,
                  "The completions streaming route is not implemented for MLflow Model Serving "
                  "models.");
}

TEST(LegacyModelServing, GoldenResponses) {
  // The scoring server's reply shape
  // (https://mlflow.org/docs/latest/deployment/deploy-model-locally.html):
  // {"predictions": ...}.
  expect_reply(serving("llm/v1/completions"), fixture("model_serving/invocations_response.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"text":"hello","finish_reason":null},
                 {"index":1,"text":"hi","finish_reason":null},
                 {"index":2,"text":"goodbye","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  // A dict: its `choices`, or the value of its only key.
  expect_reply(serving("llm/v1/completions"),
               fixture("model_serving/invocations_response_dict_choices.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"text":"a","finish_reason":null},{"index":1,"text":"b","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(serving("llm/v1/completions"),
               fixture("model_serving/invocations_response_dict_single_key.json"),
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"text":"only","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(serving("llm/v1/chat"), fixture("model_serving/invocations_chat_response.json"),
               R"({"id":null,"object":"chat.completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"message":{"role":"assistant","content":"answer","tool_calls":null,
      "refusal":null},"finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(serving("llm/v1/embeddings"),
               fixture("model_serving/invocations_embeddings_response.json"),
               R"({"object":"list","data":[
      {"object":"embedding","embedding":[0.1,-0.234,0.002],"index":0},
      {"object":"embedding","embedding":[0.222,-0.111,0.134],"index":1}],
      "model":"served-model","usage":{"prompt_tokens":null,"total_tokens":null}})");
  // One flat list is one embedding.
  expect_reply(serving("llm/v1/embeddings"),
               fixture("model_serving/invocations_embeddings_flat_response.json"),
               R"({"object":"list","data":[{"object":"embedding","embedding":[0.5,-1.5],"index":0}],
      "model":"served-model","usage":{"prompt_tokens":null,"total_tokens":null}})");
}

TEST(LegacyModelServing, InvalidPredictionsAre502) {
  const std::string prefix = "The model server returned invalid predictions: ";
  auto check = [](const Subject& s, const std::string& body, const std::string& text) {
    auto r = testing::reply(s, 200, body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 502) << body;
    EXPECT_EQ(r.error().message(), text) << body;
  };
  for (const char* type : {"llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"}) {
    auto s = serving(type);
    for (const char* body : {R"({})", R"({"outputs":["x"]})", "[]", "null", "\"predictions\""})
      check(s, body, "The response is missing the required key: predictions.");
    check(s, R"({"predictions":[]})", prefix + "The input list is empty.");
  }
  auto text = serving("llm/v1/completions");
  check(text, R"({"predictions":{"a":["x"],"b":["y"]}})",
        prefix +
            "The dict format is invalid for this route type. Ensure the served model returns a "
            "dict key containing 'choices'.");
  check(text, R"({"predictions":{}})", prefix + "The input list is empty.");
  check(text, R"({"predictions":{"choices":[]}})", prefix + "The input list is empty.");
  check(text, R"({"predictions":{"choices":[],"x":1}})", prefix + "The input list is empty.");
  for (const char* body :
       {R"({"predictions":[1,2]})", R"({"predictions":"text"})", R"({"predictions":null})",
        R"({"predictions":["a",null]})", R"({"predictions":{"choices":[{"text":"a"}],"x":1}})",
        R"({"predictions":{"only":7}})"})
    check(text, body, prefix + "'predictions' must be a list of strings.");
  auto chat = serving("llm/v1/chat");
  check(chat, R"({"predictions":[{"role":"assistant"}]})",
        prefix + "'predictions' must be a list of strings.");
  auto emb = serving("llm/v1/embeddings");
  check(emb, R"({"predictions":[[],[]]})",
        prefix + "One or more lists in the returned prediction response are empty.");
  for (const char* body : {R"({"predictions":[[0.1],["x"]]})", R"({"predictions":"x"})",
                           R"({"predictions":{"a":[0.1]}})", R"({"predictions":[[0.1],0.2]})",
                           R"({"predictions":null})"})
    check(emb, body, prefix + "'predictions' must be a list of embeddings (lists of floats).");
}

TEST(LegacyModelServing, ErrorBody) {
  // The scoring server's error shape {"error_code", "message"}: `message` is the detail.
  auto r = testing::reply(serving("llm/v1/completions"), 400,
                          R"({"error_code":"BAD_REQUEST","message":"Failed to parse input."})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().message(), "Failed to parse input.");
}

TEST(LegacyModelServing, Malformed) {
  for (const char* type : {"llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"})
    expect_malformed(serving(type), kJunk);
}

TEST(LegacyModelServing, NoStreaming) {
  expect_no_streaming(serving("llm/v1/chat"), "MLflow Model Serving");
  expect_no_streaming(serving("llm/v1/completions"), "MLflow Model Serving");
}

}  // namespace
}  // namespace gw
