// The small non-streaming providers of docs/mlflow-compatibility.md §6.7–6.11: Hugging Face TGI,
// MLflow model serving, AI21 Labs, PaLM and MosaicML. For each served endpoint type: the golden
// upstream request (URL, headers, body text with MLflow's key order), the golden unified response
// built from the provider's documented example, every 422 text, the error-body mapping, and
// malformed 2xx bodies (502, never a crash). Adapters are built from YAML as the gateway builds
// them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using testing::expect_body;

using testing::kNow;
using testing::Subject;
using Headers = std::vector<std::pair<std::string, std::string>>;

// The unified response must be exactly this JSON, keys in this order.
void expect_reply(const Subject& s, const std::string& upstream, const std::string& expected) {
  auto r = testing::reply(s, 200, upstream);
  ASSERT_TRUE(r.ok()) << r.error().status << " " << r.error().message();
  EXPECT_EQ(to_text(*r), to_text(Json::parse(expected)));
}

// prepare() must fail with exactly this status and text.
void expect_rejected(const Subject& s, const std::string& client_body, int status,
                     const std::string& text) {
  auto call = testing::prepare(s, client_body);
  ASSERT_FALSE(call.ok()) << "accepted: " << client_body;
  EXPECT_EQ(call.error().status, status) << client_body;
  EXPECT_EQ(call.error().message(), text) << client_body;
}

// A 2xx body without the documented shape is a 502, whatever the JSON.
void expect_malformed(const Subject& s, const std::vector<std::string>& bodies) {
  for (const auto& body : bodies) {
    auto r = testing::reply(s, 200, body);
    ASSERT_FALSE(r.ok()) << "accepted: " << body;
    EXPECT_EQ(r.error().status, 502) << body;
  }
}

// Bodies that fit no provider's success shape.
const std::vector<std::string> kJunk = {
    "null", "1", "\"text\"", "[]", "[1,2]", "{}", "{\"error\":null}", "true"};

const char* kNotPermitted =
    "The parameter 'model' is not permitted to be passed. The route being queried already "
    "defines a model instance.";

void expect_no_streaming(const Subject& s, const std::string& display) {
  EXPECT_EQ(s.adapter->display_name(), display);
  EXPECT_TRUE(s.adapter->stream_translator(s.ctx, false) == nullptr);
  EXPECT_TRUE(s.adapter->stream_translator(s.ctx, true) == nullptr);
}

// ============================================================================================
// Hugging Face Text Generation Inference (mlflow-compatibility §6.7)
// ============================================================================================

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
  expect_rejected(s, R"({"prompt":"x","n":2})", 422,
                  "'n' must be '1' for the Text Generation Inference provider.Received value: '2'.");
  expect_rejected(s, R"({"prompt":"x","model":"other"})", 422, kNotPermitted);
  expect_rejected(s, R"({"prompt":"x","stream":true})", 501,
                  "The completions streaming route is not implemented for Hugging Face Text "
                  "Generation Inference models.");
}

TEST(LegacyTgi, GoldenResponse) {
  auto s = tgi();
  // MLflow's test fixture (test_huggingface.py::completions_response).
  expect_reply(s, R"({"generated_text":"this is a test response","details":{
      "finish_reason":"length","generated_tokens":5,"seed":0,
      "prefill":[{"text":"This"},{"text":"is"},{"text":"a"},{"text":"test"}]}})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"hf-tgi",
      "choices":[{"index":0,"text":"this is a test response","finish_reason":"length"}],
      "usage":{"prompt_tokens":4,"completion_tokens":5,"total_tokens":9}})");
  // The GenerateResponse example of TGI's API reference
  // (https://huggingface.github.io/text-generation-inference/, schemas GenerateResponse/Details).
  expect_reply(s, R"({"details":{"best_of_sequences":[{"finish_reason":"length",
      "generated_text":"test","generated_tokens":1,"prefill":[{"id":0,"logprob":-0.34,"text":"test"}],
      "seed":42,"tokens":[{"id":0,"logprob":-0.34,"special":false,"text":"test"}],
      "top_tokens":[[{"id":0,"logprob":-0.34,"special":false,"text":"test"}]]}],
      "finish_reason":"length","generated_tokens":1,
      "prefill":[{"id":0,"logprob":-0.34,"text":"test"}],"seed":42,
      "tokens":[{"id":0,"logprob":-0.34,"special":false,"text":"test"}],
      "top_tokens":[[{"id":0,"logprob":-0.34,"special":false,"text":"test"}]]},
      "generated_text":"test"})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"hf-tgi",
      "choices":[{"index":0,"text":"test","finish_reason":"length"}],
      "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})");
}

TEST(LegacyTgi, ErrorBody) {
  auto s = tgi();
  // TGI's ErrorResponse {"error", "error_type"}: the string `error` is the detail.
  auto r = testing::reply(s, 422, R"({"error":"Input validation error: `inputs` must have less)"
                                  R"( than 1024 tokens. Given: 2000","error_type":"validation"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 422);
  EXPECT_EQ(r.error().message(),
            "Input validation error: `inputs` must have less than 1024 tokens. Given: 2000");
  auto overloaded = testing::reply(s, 429, R"({"error":"Model is overloaded","error_type":"overloaded"})");
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

TEST(LegacyTgi, NoStreaming) { expect_no_streaming(tgi(), "Hugging Face Text Generation Inference"); }

// ============================================================================================
// MLflow Model Serving (mlflow-compatibility §6.8)
// ============================================================================================

Subject serving(const std::string& type) {
  return testing::subject(type, "mlflow-model-serving", "served-model",
                          "{model_server_url: \"http://serving.local:5000\"}");
}

TEST(LegacyModelServing, GoldenCompletionsRequest) {
  auto s = serving("llm/v1/completions");
  auto req = testing::upstream_request(s, R"({"prompt":"Is this a test?","max_tokens":10,"top_k":3})");
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
  auto many = testing::upstream_request(s, R"({"input":["a","b"],"output_value":"token_embeddings"})");
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
  // The scoring server's reply shape (https://mlflow.org/docs/latest/deployment/deploy-model-locally.html):
  // {"predictions": ...}.
  expect_reply(serving("llm/v1/completions"), R"({"predictions":["hello","hi","goodbye"]})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"text":"hello","finish_reason":null},
                 {"index":1,"text":"hi","finish_reason":null},
                 {"index":2,"text":"goodbye","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  // A dict: its `choices`, or the value of its only key.
  expect_reply(serving("llm/v1/completions"),
               R"({"predictions":{"choices":["a","b"],"metadata":{"x":1}}})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"text":"a","finish_reason":null},{"index":1,"text":"b","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(serving("llm/v1/completions"), R"({"predictions":{"candidates":["only"]}})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"text":"only","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(serving("llm/v1/chat"), R"({"predictions":["answer"]})",
               R"({"id":null,"object":"chat.completion","created":1700000000,"model":"served-model",
      "choices":[{"index":0,"message":{"role":"assistant","content":"answer","tool_calls":null,
      "refusal":null},"finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(serving("llm/v1/embeddings"),
               R"({"predictions":[[0.1,-0.234,0.002],[0.222,-0.111,0.134]]})",
               R"({"object":"list","data":[
      {"object":"embedding","embedding":[0.1,-0.234,0.002],"index":0},
      {"object":"embedding","embedding":[0.222,-0.111,0.134],"index":1}],
      "model":"served-model","usage":{"prompt_tokens":null,"total_tokens":null}})");
  // One flat list is one embedding.
  expect_reply(serving("llm/v1/embeddings"), R"({"predictions":[0.5,-1.5]})",
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
  for (const char* body : {R"({"predictions":[1,2]})", R"({"predictions":"text"})",
                           R"({"predictions":null})", R"({"predictions":["a",null]})",
                           R"({"predictions":{"choices":[{"text":"a"}],"x":1}})",
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

// ============================================================================================
// AI21 Labs (mlflow-compatibility §6.9)
// ============================================================================================

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
  EXPECT_EQ(req.headers, (Headers{{"Content-Type", "application/json"},
                                  {"Authorization", "Bearer ai21-key"}}));
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
  expect_reply(ai21(), R"({"id":"7921a78e-d905-c9df-27e3-88e4831e3c3b","prompt":{"text":"I will"},
      "completions":[{"data":{"text":" complete this"},"finishReason":{"reason":"length","length":2}}]})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"j2-ultra",
      "choices":[{"index":0,"text":" complete this","finish_reason":"length"}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(ai21(), R"({"completions":[{"data":{"text":"a"},"finishReason":{"reason":"endoftext"}},
      {"data":{"text":"b"},"finishReason":{"reason":"stop","sequence":"##"}}]})",
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
  expect_malformed(s, {R"({"completions":{}})", R"({"completions":[{}]})",
                       R"({"completions":[{"data":"x"}]})", R"({"completions":[1]})",
                       R"({"completions":[{"data":{"text":null}}]})"});
}

TEST(LegacyAi21, NoStreaming) { expect_no_streaming(ai21(), "AI21Labs"); }

// ============================================================================================
// PaLM (mlflow-compatibility §6.10)
// ============================================================================================

Subject palm(const std::string& type, const std::string& model) {
  return testing::subject(type, "palm", model, "{palm_api_key: palm-key}");
}

const Headers kPalmHeaders = {{"Content-Type", "application/json"}, {"x-goog-api-key", "palm-key"}};

TEST(LegacyPalm, GoldenCompletionsRequest) {
  auto s = palm("llm/v1/completions", "text-bison-001");
  auto req = testing::upstream_request(
      s, R"({"prompt":"This is a test","n":1,"max_tokens":1000,"stop":["foobar"],"temperature":0.2})");
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
  EXPECT_EQ(req.url,
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
            "https://generativelanguage.googleapis.com/v1beta3/models/embedding-gecko-001:batchEmbedText");
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
  expect_reply(palm("llm/v1/completions", "text-bison-001"),
               R"({"candidates":[{"output":"Once upon a time, there was a young girl named Lily...",
      "safetyRatings":[{"category":"HARM_CATEGORY_DEROGATORY","probability":"NEGLIGIBLE"}]},
      {"output":"Once upon a time, there was a young boy named Billy...","safetyRatings":[]}]})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"text-bison-001",
      "choices":[{"index":0,"text":"Once upon a time, there was a young girl named Lily...","finish_reason":null},
      {"index":1,"text":"Once upon a time, there was a young boy named Billy...","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  // https://developers.generativeai.google/api/rest/generativelanguage/models/generateMessage
  expect_reply(palm("llm/v1/chat", "chat-bison-001"),
               R"({"candidates":[{"author":"1","content":"Hi there! How can I help you today?"}],
      "messages":[{"author":"0","content":"hi"}]})",
               R"({"id":null,"object":"chat.completion","created":1700000000,"model":"chat-bison-001",
      "choices":[{"index":0,"message":{"role":"1","content":"Hi there! How can I help you today?",
      "tool_calls":null,"refusal":null},"finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  // https://developers.generativeai.google/api/rest/generativelanguage/models/batchEmbedText
  expect_reply(palm("llm/v1/embeddings", "embedding-gecko-001"),
               R"({"embeddings":[{"value":[3.25,0.7685547,2.65625,-0.30126953,-2.3554688,1.2597656]},
      {"value":[0.5]}]})",
               R"({"object":"list","data":[
      {"object":"embedding","embedding":[3.25,0.7685547,2.65625,-0.30126953,-2.3554688,1.2597656],"index":0},
      {"object":"embedding","embedding":[0.5],"index":1}],
      "model":"embedding-gecko-001","usage":{"prompt_tokens":null,"total_tokens":null}})");
}

TEST(LegacyPalm, ErrorBody) {
  auto r = testing::reply(palm("llm/v1/completions", "text-bison-001"), 400,
                          R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",
                              "status":"INVALID_ARGUMENT"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().message(), "API key not valid. Please pass a valid API key.");
}

TEST(LegacyPalm, Malformed) {
  auto comp = palm("llm/v1/completions", "text-bison-001");
  expect_malformed(comp, kJunk);
  expect_malformed(comp, {R"({"candidates":{}})", R"({"candidates":[{}]})",
                          R"({"candidates":[{"output":1}]})", R"({"candidates":[null]})",
                          R"({"filters":[{"reason":"OTHER"}]})"});
  auto chat = palm("llm/v1/chat", "chat-bison-001");
  expect_malformed(chat, kJunk);
  expect_malformed(chat, {R"({"candidates":[{"content":"x"}]})", R"({"candidates":[{"author":"1"}]})",
                          R"({"candidates":[{"author":1,"content":"x"}]})"});
  auto emb = palm("llm/v1/embeddings", "embedding-gecko-001");
  expect_malformed(emb, kJunk);
  expect_malformed(emb, {R"({"embeddings":[{}]})", R"({"embeddings":[{"value":"x"}]})",
                         R"({"embeddings":[{"value":[1,"x"]}]})", R"({"embeddings":{"value":[1]}})"});
}

TEST(LegacyPalm, NoStreaming) {
  expect_no_streaming(palm("llm/v1/chat", "chat-bison-001"), "PaLM");
  expect_no_streaming(palm("llm/v1/completions", "text-bison-001"), "PaLM");
}

// ============================================================================================
// MosaicML (mlflow-compatibility §6.11)
// ============================================================================================

Subject mosaic(const std::string& type, const std::string& model) {
  return testing::subject(type, "mosaicml", model, "{mosaicml_api_key: mosaic-key}");
}

const Headers kMosaicHeaders = {{"Content-Type", "application/json"}, {"Authorization", "mosaic-key"}};

TEST(LegacyMosaic, GoldenCompletionsRequest) {
  auto s = mosaic("llm/v1/completions", "mpt-7b-instruct");
  auto req = testing::upstream_request(s, R"({"prompt":"This is a test","max_tokens":100,"top_p":0.9})");
  EXPECT_EQ(req.url, "https://models.hosted-on.mosaicml.hosting/mpt-7b-instruct/v1/predict");
  EXPECT_EQ(req.headers, kMosaicHeaders);
  expect_body(req, R"({"inputs":["This is a test"],
      "parameters":{"temperature":0.0,"n":1,"max_new_tokens":100,"top_p":0.9}})");
}

TEST(LegacyMosaic, GoldenChatRequest) {
  auto s = mosaic("llm/v1/chat", "llama2-70b-chat");
  auto req = testing::upstream_request(s, R"({"messages":[{"role":"system","content":"You're funny"},
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
       "<s>[INST] <<SYS>> Hello <</SYS>> Hi there [/INST] How can I help? </s><s>[INST] Thanks! [/INST]"},
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
  expect_rejected(chat,
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
  expect_reply(mosaic("llm/v1/completions", "mpt-7b-instruct"), R"({"outputs":["This is a test"]})",
               R"({"id":null,"object":"text_completion","created":1700000000,"model":"mpt-7b-instruct",
      "choices":[{"index":0,"text":"This is a test","finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(mosaic("llm/v1/chat", "llama2-70b-chat"), R"({"outputs":["This is a test"]})",
               R"({"id":null,"object":"chat.completion","created":1700000000,"model":"llama2-70b-chat",
      "choices":[{"index":0,"message":{"role":"assistant","content":"This is a test",
      "tool_calls":null,"refusal":null},"finish_reason":null}],
      "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
  expect_reply(mosaic("llm/v1/embeddings", "instructor-large"),
               R"({"outputs":[[3.25,0.7685547,2.65625,-0.30126953,-2.3554688,1.2597656]]})",
               R"({"object":"list","data":[{"object":"embedding",
      "embedding":[3.25,0.7685547,2.65625,-0.30126953,-2.3554688,1.2597656],"index":0}],
      "model":"instructor-large","usage":{"prompt_tokens":null,"total_tokens":null}})");
}

TEST(LegacyMosaic, TokenLimitErrorsBecome422) {
  auto comp = mosaic("llm/v1/completions", "mpt-7b-instruct");
  auto limited = testing::reply(comp, 500, R"({"message":"Error: max output tokens is limited to 4096"})");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().status, 422);
  EXPECT_EQ(limited.error().message(), "Error: max output tokens is limited to 4096");
  auto prompt = testing::reply(mosaic("llm/v1/chat", "llama2-70b-chat"), 500,
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
  for (const char* body : {R"([1])", R"("x")", R"({"message":7})", R"({"detail":{"message":"x"}})"}) {
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
