// providers/gemini: golden translation tests (docs/mlflow-compatibility.md §6.3) through the public
// adapter interface, built from YAML as the gateway builds it. Upstream bodies follow Google's
// documented shapes (tests/fixtures/gemini/README.md). Also pins python_json::dumps to Python's
// json.dumps.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "providers/python_json.h"
#include "test_provider_fixtures.h"

namespace gw {
namespace {

using testing::expect_body;
using testing::texts;

using testing::Subject;

const char* kConfig = "{gemini_api_key: g-key}";
const char* kBase = "https://generativelanguage.googleapis.com/v1beta/models/";

Subject chat() { return testing::subject("llm/v1/chat", "gemini", "gemini-2.0-flash", kConfig); }
Subject completions() {
  return testing::subject("llm/v1/completions", "gemini", "gemini-2.0-flash", kConfig);
}
Subject embeddings() {
  return testing::subject("llm/v1/embeddings", "gemini", "text-embedding-004", kConfig);
}

std::string fixture(const std::string& name) { return testing::fixture("gemini/" + name); }
Json body_of(const Subject& s, const std::string& client_body) {
  return Json::parse(testing::upstream_request(s, client_body).body);
}

GatewayError error_of(const Subject& s, const std::string& client_body) {
  auto call = testing::prepare(s, client_body);
  EXPECT_FALSE(call.ok()) << "expected an error for " << client_body;
  return call.ok() ? GatewayError{} : call.error();
}
// ---- requests ------------------------------------------------------------------------------

TEST(GeminiRequest, ChatGolden) {
  Subject s = chat();
  EXPECT_EQ(s.adapter->display_name(), "Gemini");
  UpstreamRequest req = testing::upstream_request(
      s, R"({"messages":[{"role":"system","content":"You are a helpful assistant"},)"
         R"({"role":"user","content":"Tell me a joke"}],"temperature":0.1,"top_p":1,)"
         R"("stop":["\n"],"n":1,"max_tokens":100,"top_k":40})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, std::string(kBase) + "gemini-2.0-flash:generateContent");
  EXPECT_EQ(testing::header(req, "Content-Type"), "application/json");
  EXPECT_EQ(testing::header(req, "x-goog-api-key"), "g-key");
  EXPECT_EQ(req.headers.size(), 2u);
  expect_body(req,
              R"({"contents":[{"role":"user","parts":[{"text":"Tell me a joke"}]}],)"
              R"("system_instruction":{"parts":[{"text":"You are a helpful assistant"}]},)"
              R"("generationConfig":{"temperature":0.1,"stopSequences":["\n"],"candidateCount":1,)"
              R"("maxOutputTokens":100,"topK":40,"topP":1}})");
}

TEST(GeminiRequest, DefaultsGiveTemperatureAndCandidateCountOnly) {
  UpstreamRequest req = testing::upstream_request(
      chat(),
      R"({"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},)"
      R"({"role":"user","content":"Bye"}],"stream_options":{"include_usage":true},"seed":3})");
  // Temperature is not scaled; extras are dropped, as in MLflow.
  expect_body(
      req,
      R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]},)"
      R"({"role":"model","parts":[{"text":"Hello"}]},{"role":"user","parts":[{"text":"Bye"}]}],)"
      R"("generationConfig":{"temperature":0.0,"candidateCount":1}})");
}

TEST(GeminiRequest, CamelCaseParametersAre422InMlflowOrder) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("stopSequences":["x"],"topK":1)", "Invalid parameter stopSequences. Use stop instead."},
      {R"("candidateCount":1)", "Invalid parameter candidateCount. Use n instead."},
      {R"("maxOutputTokens":50)", "Invalid parameter maxOutputTokens. Use max_tokens instead."},
      {R"("topK":40)", "Invalid parameter topK. Use top_k instead."},
      {R"("topP":0.5)", "Invalid parameter topP. Use top_p instead."},
      {R"("top_p":1.1)", "top_p should be less than or equal to 1"},
  };
  for (const auto& [extra, message] : cases) {
    GatewayError chat_error = error_of(
        chat(), std::string(R"({"messages":[{"role":"user","content":"x"}],)") + extra + "}");
    EXPECT_EQ(chat_error.status, 422);
    EXPECT_EQ(chat_error.message(), message);
    GatewayError completions_error =
        error_of(completions(), std::string(R"({"prompt":"Tell me a joke",)") + extra + "}");
    EXPECT_EQ(completions_error.status, 422);
    EXPECT_EQ(completions_error.message(), message);
  }
}

TEST(GeminiRequest, ModelInThePayloadIs422) {
  EXPECT_EQ(error_of(chat(), R"({"model":"m","messages":[{"role":"user","content":"x"}]})").status,
            422);
  EXPECT_EQ(error_of(embeddings(), R"({"model":"m","input":"x"})").message(),
            "The parameter 'model' is not permitted to be passed. The route being queried already "
            "defines a model instance.");
}

TEST(GeminiRequest, ToolsToolCallsAndToolResponses) {
  Json body = body_of(
      chat(),
      R"({"messages":[{"role":"user","content":"Weather in SF and NYC?"},)"
      R"({"role":"assistant","tool_calls":[)"
      R"({"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"SF\"}"}},)"
      R"({"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"NYC\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"{\"temp\": 15}"},)"
      R"({"role":"tool","tool_call_id":"call_2","content":"sunny"}],)"
      R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",)"
      R"("parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]})");
  EXPECT_EQ(
      to_text(body["contents"]),
      R"([{"role":"user","parts":[{"text":"Weather in SF and NYC?"}]},)"
      R"({"role":"model","parts":[{"functionCall":{"id":"call_1","name":"get_weather","args":{"city":"SF"}}},)"
      R"({"functionCall":{"id":"call_2","name":"get_weather","args":{"city":"NYC"}}}]},)"
      R"({"role":"user","parts":[{"functionResponse":{"id":"call_1","name":"get_weather","response":{"temp":15}}},)"
      R"({"functionResponse":{"id":"call_2","name":"get_weather","response":{"content":"sunny"}}}]}])");
  EXPECT_EQ(
      to_text(body["tools"]),
      R"([{"functionDeclarations":[{"name":"get_weather","description":"Weather",)"
      R"("parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}}}}]}])");
}

// Thought signatures (https://ai.google.dev/gemini-api/docs/thought-signatures): a tool call id
// "<base>__thought__<signature>" goes back as functionCall.id <base> plus the part's
// "thoughtSignature" (a sibling of "functionCall" in the Part object); the tool message echoes
// the full id and its functionResponse gets the base id.
TEST(GeminiRequest, ThoughtSignatureGoesBackOnTheFunctionCallPart) {
  Json body = body_of(
      chat(),
      R"({"messages":[{"role":"user","content":"Check flight AA100, and book a taxi"},)"
      R"({"role":"assistant","content":"Let me check.","tool_calls":[)"
      R"({"id":"call_1__thought__CiQB0e2Kb7x+/A==","type":"function","function":{"name":"check_flight","arguments":"{\"flight\": \"AA100\"}"}},)"
      R"({"id":"call_2","type":"function","function":{"name":"book_taxi","arguments":"{}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1__thought__CiQB0e2Kb7x+/A==","content":"{\"status\": \"delayed\"}"},)"
      R"({"role":"tool","tool_call_id":"call_2","content":"booked"}]})");
  EXPECT_EQ(
      to_text(body["contents"]),
      R"([{"role":"user","parts":[{"text":"Check flight AA100, and book a taxi"}]},)"
      R"({"role":"model","parts":[{"text":"Let me check."},)"
      R"({"functionCall":{"id":"call_1","name":"check_flight","args":{"flight":"AA100"}},)"
      R"("thoughtSignature":"CiQB0e2Kb7x+/A=="},)"
      R"({"functionCall":{"id":"call_2","name":"book_taxi","args":{}}}]},)"
      R"({"role":"user","parts":[{"functionResponse":{"id":"call_1","name":"check_flight","response":{"status":"delayed"}}},)"
      R"({"functionResponse":{"id":"call_2","name":"book_taxi","response":{"content":"booked"}}}]}])");
  // Split at the first marker; an empty signature adds no thoughtSignature.
  Json odd = body_of(
      chat(),
      R"({"messages":[{"role":"assistant","tool_calls":[)"
      R"({"id":"a__thought__s__thought__t","type":"function","function":{"name":"f","arguments":"{}"}},)"
      R"({"id":"b__thought__","type":"function","function":{"name":"g","arguments":"{}"}}]}]})");
  EXPECT_EQ(
      to_text(odd["contents"][0]["parts"]),
      R"([{"functionCall":{"id":"a","name":"f","args":{}},"thoughtSignature":"s__thought__t"},)"
      R"({"functionCall":{"id":"b","name":"g","args":{}}}])");
  // A tool message must echo the full id: the base id alone answers no tool call.
  GatewayError base_only = error_of(
      chat(),
      R"({"messages":[{"role":"assistant","tool_calls":[)"
      R"({"id":"a__thought__s","type":"function","function":{"name":"f","arguments":"{}"}}]},)"
      R"({"role":"tool","tool_call_id":"a","content":"1"}]})");
  EXPECT_EQ(base_only.status, 422);
}

TEST(GeminiRequest, ToolErrors) {
  GatewayError unknown =
      error_of(chat(), R"({"messages":[{"role":"tool","tool_call_id":"nope","content":"1"}]})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.message(),
            "The tool message with tool_call_id 'nope' does not answer a tool call of an earlier "
            "assistant message.");
  GatewayError type =
      error_of(chat(), R"({"messages":[{"role":"user","content":"x"}],)"
                       R"("tools":[{"type":"uc_function","uc_function":{"name":"f"}}]})");
  EXPECT_EQ(type.status, 422);
  EXPECT_EQ(type.message(),
            "Only function calling tool is supported, but received tool type uc_function");
}

TEST(GeminiRequest, ContentParts) {
  Json body = body_of(
      chat(), R"({"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},)"
              R"({"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},)"
              R"({"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]})");
  EXPECT_EQ(
      to_text(body["contents"][0]["parts"]),
      R"([{"text":"What is this?"},{"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}},)"
      R"({"inlineData":{"mimeType":"audio/wav","data":"UklGRg=="}}])");
}

TEST(GeminiRequest, StreamingUrl) {
  UpstreamRequest req = testing::upstream_request(
      chat(), R"({"messages":[{"role":"user","content":"x"}],"stream":true})");
  EXPECT_EQ(req.url, std::string(kBase) + "gemini-2.0-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(Json::parse(req.body).contains("stream"), false);
  Subject proxied = testing::subject(
      "llm/v1/completions", "gemini", "gemini-pro",
      "{gemini_api_key: k, gemini_api_base: 'https://proxy.example/models?tenant=a'}");
  EXPECT_EQ(testing::upstream_request(proxied, R"({"prompt":"x","stream":true})").url,
            "https://proxy.example/models/gemini-pro:streamGenerateContent?tenant=a&alt=sse");
  EXPECT_EQ(testing::upstream_request(proxied, R"({"prompt":"x"})").url,
            "https://proxy.example/models/gemini-pro:generateContent?tenant=a");
}

TEST(GeminiRequest, CompletionsBecomeChat) {
  UpstreamRequest req = testing::upstream_request(
      completions(), R"({"prompt":"Tell me a joke","system_prompt":"Be funny","temperature":0.1,)"
                     R"("top_p":0.9,"stop":["\n"],"n":1,"max_tokens":50,"top_k":40})");
  EXPECT_EQ(req.url, std::string(kBase) + "gemini-2.0-flash:generateContent");
  expect_body(req,
              R"({"contents":[{"role":"user","parts":[{"text":"Tell me a joke"}]}],)"
              R"("system_instruction":{"parts":[{"text":"Be funny"}]},)"
              R"("generationConfig":{"temperature":0.1,"stopSequences":["\n"],"candidateCount":1,)"
              R"("maxOutputTokens":50,"topK":40,"topP":0.9}})");
}

TEST(GeminiRequest, EmptySystemPromptAddsNoSystemInstruction) {
  Json body = body_of(completions(), R"({"prompt":"Tell me a joke","system_prompt":""})");
  EXPECT_FALSE(body.contains("system_instruction")) << to_text(body);
  EXPECT_EQ(to_text(body["contents"]), R"([{"role":"user","parts":[{"text":"Tell me a joke"}]}])");
}

TEST(GeminiRequest, Embeddings) {
  Subject s = embeddings();
  UpstreamRequest one = testing::upstream_request(s, R"({"input":"What is the meaning of life?"})");
  EXPECT_EQ(one.url, std::string(kBase) + "text-embedding-004:embedContent");
  EXPECT_EQ(testing::header(one, "x-goog-api-key"), "g-key");
  expect_body(one, R"({"content":{"parts":[{"text":"What is the meaning of life?"}]}})");
  expect_body(testing::upstream_request(s, R"({"input":["only one"]})"),
              R"({"content":{"parts":[{"text":"only one"}]}})");
  UpstreamRequest many = testing::upstream_request(s, R"({"input":["a","b"]})");
  EXPECT_EQ(many.url, std::string(kBase) + "text-embedding-004:batchEmbedContents");
  expect_body(
      many,
      R"({"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]}},)"
      R"({"model":"models/text-embedding-004","content":{"parts":[{"text":"b"}]}}]})");
  EXPECT_EQ(error_of(s, R"({"input":[1,2,3]})").message(),
            "The Gemini provider accepts only text input for embeddings.");
  EXPECT_EQ(error_of(s, R"({"input":[]})").message(),
            "The Gemini provider needs at least one input to embed.");
}

// ---- responses -----------------------------------------------------------------------------

TEST(GeminiReply, ChatGolden) {
  auto r = testing::reply(chat(), 200, fixture("generate_content_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"gemini-chat-1700000000","object":"chat.completion","created":1700000000,)"
      R"("model":"gemini-2.0-flash","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"AI learns patterns from data to make predictions.","tool_calls":null,"refusal":null},)"
      R"("finish_reason":"STOP"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}})");
}

TEST(GeminiReply, FinishReasonsAndSkippedCandidates) {
  auto r = testing::reply(
      chat(), 200,
      R"({"candidates":[{"content":{"parts":[{"text":"cut"}]},"finishReason":"MAX_TOKENS"},)"
      R"({"content":{"parts":[{"text":""}]},"finishReason":"SAFETY"},)"
      R"({"content":{"parts":[{"text":"no reason"}]}}]})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)["choices"].size(), 2u);
  EXPECT_EQ((*r)["choices"][0]["finish_reason"], "length");
  EXPECT_EQ((*r)["choices"][1]["index"], 2);
  EXPECT_EQ((*r)["choices"][1]["finish_reason"], "stop");
  EXPECT_EQ(to_text((*r)["usage"]),
            R"({"prompt_tokens":null,"completion_tokens":null,"total_tokens":null})");
}

TEST(GeminiReply, ChoiceIndexIsTheCandidateIndex) {
  // Candidate.index ("Index of the candidate in the list of response candidates",
  // https://ai.google.dev/api/generate-content#candidate) numbers the choices when present.
  const char* body =
      R"({"candidates":[{"content":{"parts":[{"text":"second"}],"role":"model"},"finishReason":"STOP","index":1},)"
      R"({"content":{"parts":[{"text":"first"}],"role":"model"},"finishReason":"STOP","index":0}]})";
  for (const Subject& s : {chat(), completions()}) {
    auto r = testing::reply(s, 200, body);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_EQ((*r)["choices"].size(), 2u);
    EXPECT_EQ((*r)["choices"][0]["index"], 1);
    EXPECT_EQ((*r)["choices"][1]["index"], 0);
  }
  auto chat_reply = testing::reply(chat(), 200, body);
  ASSERT_TRUE(chat_reply.ok());
  EXPECT_EQ((*chat_reply)["choices"][0]["message"]["content"], "second");
}

TEST(GeminiReply, FunctionCallGetsAnMd5IdAndPythonArguments) {
  auto r = testing::reply(chat(), 200, fixture("function_call_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  // id = "call_" + md5("schedule_meeting/" + json.dumps(args)), computed with Python.
  EXPECT_EQ(to_text((*r)["choices"][0]),
            R"({"index":0,"message":{"role":"assistant","content":null,"tool_calls":[)"
            R"({"id":"call_ca22e34e23aa9e85960f70c1e385f310","type":"function","function":)"
            R"({"name":"schedule_meeting","arguments":"{\"attendees\": [\"Bob\", \"Alice\"], )"
            R"(\"date\": \"2025-03-14\", \"time\": \"10:00\", \"topic\": \"Q3 planning\"}"}}],)"
            R"("refusal":null},"finish_reason":"STOP"})");
  auto given = testing::reply(chat(), 200,
                              R"({"candidates":[{"content":{"parts":[{"text":"On it."},)"
                              R"({"functionCall":{"id":"fc-1","name":"f","args":{}}}]}}]})");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ((*given)["choices"][0]["message"]["content"], "On it.");
  EXPECT_EQ((*given)["choices"][0]["message"]["tool_calls"][0]["id"], "fc-1");
  EXPECT_EQ((*given)["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"], "{}");
}

// A thinking model's functionCall part carries a thoughtSignature next to "functionCall"
// (https://ai.google.dev/gemini-api/docs/thought-signatures; with parallel calls only the first
// has one): it rides in the tool call id. Signatures on text parts are dropped.
TEST(GeminiReply, ThoughtSignatureRidesInTheToolCallId) {
  auto r = testing::reply(
      chat(), 200,
      R"({"candidates":[{"content":{"parts":[)"
      R"({"text":"Checking.","thoughtSignature":"VGV4dFNpZw=="},)"
      R"({"functionCall":{"name":"check_flight","args":{"flight":"AA100"}},"thoughtSignature":"CiQB0e2Kb7x+/A=="},)"
      R"({"functionCall":{"id":"fc-2","name":"book_taxi","args":{}}},)"
      R"({"functionCall":{"id":"fc-3","name":"now","args":{}},"thoughtSignature":"U2lnMw=="}],)"
      R"("role":"model"},"finishReason":"STOP","index":0}]})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Json& message = (*r)["choices"][0]["message"];
  EXPECT_EQ(message["content"], "Checking.");
  ASSERT_EQ(message["tool_calls"].size(), 3u);
  // The base id is what it would be without a signature: "call_" + md5("check_flight/" +
  // json.dumps(args)) here (computed with Python), the functionCall's own id otherwise.
  EXPECT_EQ(message["tool_calls"][0]["id"],
            "call_1a14756ce85df51f2b75830bc91d43f5__thought__CiQB0e2Kb7x+/A==");
  EXPECT_EQ(message["tool_calls"][0]["function"]["arguments"], R"({"flight": "AA100"})");
  EXPECT_EQ(message["tool_calls"][1]["id"], "fc-2");
  EXPECT_EQ(message["tool_calls"][2]["id"], "fc-3__thought__U2lnMw==");
}

TEST(GeminiReply, ThoughtSignatureRoundTrip) {
  // The id of a reply, echoed by the client, puts the same signature back on the same part.
  auto r = testing::reply(
      chat(), 200,
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc-1","name":"f",)"
      R"("args":{"x":1}},"thoughtSignature":"c2ln"}],"role":"model"},"finishReason":"STOP"}]})");
  ASSERT_TRUE(r.ok());
  Json call = (*r)["choices"][0]["message"]["tool_calls"][0];
  EXPECT_EQ(call["id"], "fc-1__thought__c2ln");
  Json request{
      {"messages",
       Json::array({Json{{"role", "user"}, {"content", "go"}},
                    Json{{"role", "assistant"}, {"tool_calls", Json::array({call})}},
                    Json{{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", "2"}}})}};
  Json body = body_of(chat(), to_text(request));
  EXPECT_EQ(
      to_text(body["contents"][1]),
      R"({"role":"model","parts":[{"functionCall":{"id":"fc-1","name":"f","args":{"x":1}},"thoughtSignature":"c2ln"}]})");
  EXPECT_EQ(
      to_text(body["contents"][2]),
      R"({"role":"user","parts":[{"functionResponse":{"id":"fc-1","name":"f","response":{"content":2}}}]})");
}

TEST(GeminiReply, CompletionsGolden) {
  auto r = testing::reply(completions(), 200, fixture("generate_content_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":null,"object":"text_completion","created":1700000000,"model":"gemini-2.0-flash",)"
      R"("choices":[{"index":0,"text":"AI learns patterns from data to make predictions.",)"
      R"("finish_reason":"STOP"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}})");
}

TEST(GeminiReply, Embeddings) {
  auto one = testing::reply(embeddings(), 200, fixture("embed_content_response.json"));
  ASSERT_TRUE(one.ok()) << one.error().message();
  EXPECT_EQ(to_text(*one),
            R"({"object":"list","data":[{"object":"embedding","embedding":)"
            R"([0.013168523,-0.008711934,-0.046782676,0.00069968984],"index":0}],)"
            R"("model":"text-embedding-004","usage":{"prompt_tokens":null,"total_tokens":null}})");
  auto many = testing::reply(embeddings(), 200, fixture("batch_embed_contents_response.json"));
  ASSERT_TRUE(many.ok());
  ASSERT_EQ((*many)["data"].size(), 2u);
  EXPECT_EQ((*many)["data"][1]["index"], 1);
  EXPECT_EQ(to_text((*many)["data"][1]["embedding"]), "[-0.021023763,0.0041255304,0.017839838]");
}

TEST(GeminiReply, ErrorBodyKeepsStatusAndMessage) {
  for (const Subject& s : {chat(), completions(), embeddings()}) {
    auto r = testing::reply(s, 400, fixture("error.json"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().message(), "API key not valid. Please pass a valid API key.");
  }
}

TEST(GeminiReply, BlockedPromptHasNoChoices) {
  auto r = testing::reply(chat(), 200,
                          R"({"promptFeedback":{"blockReason":"SAFETY"},)"
                          R"("usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)["choices"].empty());
  EXPECT_EQ((*r)["usage"]["prompt_tokens"], 5);
}

TEST(GeminiReply, MalformedBodiesAre502) {
  for (const char* body : {R"({})", R"({"candidates":{}})", R"([1])", R"(3)"}) {
    for (const Subject& s : {chat(), completions()}) {
      auto r = testing::reply(s, 200, body);
      ASSERT_FALSE(r.ok()) << body;
      EXPECT_EQ(r.error().status, 502) << body;
    }
  }
  // Odd shapes inside candidates degrade instead of crashing.
  auto odd = testing::reply(chat(), 200,
                            R"({"candidates":[1,{"content":{"parts":[7,{"text":3}]}},)"
                            R"({"content":"x"}],"usageMetadata":"y"})");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE((*odd)["choices"].empty());
  for (const char* body :
       {R"({})", R"({"embeddings":[{"values":"x"}]})", R"({"embedding":[1]})", R"([])"}) {
    auto r = testing::reply(embeddings(), 200, body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 502) << body;
  }
}

// ---- streaming -----------------------------------------------------------------------------

TEST(GeminiStream, ChatStream) {
  const std::string bytes = fixture("stream_generate_content.txt");
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(chat(), bytes, /*wants_usage=*/false, bytewise);
    ASSERT_FALSE(o.error) << o.error->message();
    EXPECT_TRUE(o.finished);
    const std::string head =
        R"({"id":"gemini-chat-stream-1700000000","object":"chat.completion.chunk","created":1700000000,)"
        R"("model":"gemini-2.0-flash","choices":[{"index":0,)";
    EXPECT_EQ(
        texts(o),
        (std::vector<std::string>{
            head +
                R"("finish_reason":null,"delta":{"role":"assistant","content":"AI learns","tool_calls":null}}]})",
            head +
                R"("finish_reason":null,"delta":{"role":"assistant","content":" patterns from data","tool_calls":null}}]})",
            head +
                R"("finish_reason":"STOP","delta":{"role":"assistant","content":" to make predictions.","tool_calls":null}}]})"}))
        << "bytewise=" << bytewise;
  }
}

TEST(GeminiStream, UsageChunkWhenTheClientAsked) {
  auto o = testing::run_stream(chat(), fixture("stream_generate_content.txt"), true);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.chunks.size(), 4u);
  EXPECT_EQ(
      to_text(o.chunks[3]),
      R"({"id":"gemini-chat-stream-1700000000","object":"chat.completion.chunk","created":1700000000,)"
      R"("model":"gemini-2.0-flash","choices":[],)"
      R"("usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}})");
}

TEST(GeminiStream, CompletionsStream) {
  auto o = testing::run_stream(completions(), fixture("stream_generate_content.txt"), true, true);
  ASSERT_FALSE(o.error);
  EXPECT_TRUE(o.finished);
  const std::string head =
      R"({"id":"gemini-completions-stream-1700000000","object":"text_completion_chunk",)"
      R"("created":1700000000,"model":"gemini-2.0-flash","choices":)";
  EXPECT_EQ(
      texts(o),
      (std::vector<std::string>{
          head + R"([{"index":0,"finish_reason":null,"text":"AI learns"}]})",
          head + R"([{"index":0,"finish_reason":null,"text":" patterns from data"}]})",
          head + R"([{"index":0,"finish_reason":"STOP","text":" to make predictions."}]})",
          head + R"([],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}})"}));
}

TEST(GeminiStream, FunctionCallsArriveWhole) {
  auto o = testing::run_stream(
      chat(),
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": "
      "\"schedule_meeting\",\"args\": {\"attendees\": [\"Bob\", \"Alice\"], \"date\": "
      "\"2025-03-14\", \"time\": \"10:00\", \"topic\": \"Q3 planning\"}}},{\"functionCall\": "
      "{\"id\": \"x\", \"name\": \"now\"}}]},\"finishReason\": \"STOP\"}]}\r\n\r\n");
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.chunks.size(), 1u);
  EXPECT_EQ(
      to_text(o.chunks[0]["choices"][0]["delta"]),
      R"({"role":"assistant","content":null,"tool_calls":[{"index":0,)"
      R"("id":"call_ca22e34e23aa9e85960f70c1e385f310","type":"function","function":)"
      R"({"name":"schedule_meeting","arguments":"{\"attendees\": [\"Bob\", \"Alice\"], )"
      R"(\"date\": \"2025-03-14\", \"time\": \"10:00\", \"topic\": \"Q3 planning\"}"}},)"
      R"({"index":1,"id":"x","type":"function","function":{"name":"now","arguments":"{}"}}]})");
  EXPECT_TRUE(o.finished);
}

TEST(GeminiStream, ThoughtSignatureRidesInTheToolCallId) {
  // Streamed, the signature arrives on the functionCall part as in generateContent
  // (https://ai.google.dev/gemini-api/docs/thought-signatures).
  const std::string bytes =
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Checking.\", "
      "\"thoughtSignature\": \"VGV4dA==\"}],"
      "\"role\": \"model\"},\"index\": 0}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"id\": \"fc-1\", "
      "\"name\": \"f\", "
      "\"args\": {}}, \"thoughtSignature\": \"CiQB0e2Kb7x+/A==\"},{\"functionCall\": {\"id\": "
      "\"fc-2\", \"name\": \"g\", "
      "\"args\": {}}}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}]}\r\n\r\n";
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(chat(), bytes, false, bytewise);
    ASSERT_FALSE(o.error) << o.error->message();
    ASSERT_EQ(o.chunks.size(), 2u) << "bytewise=" << bytewise;
    EXPECT_EQ(to_text(o.chunks[0]["choices"][0]["delta"]),
              R"({"role":"assistant","content":"Checking.","tool_calls":null})");
    EXPECT_EQ(
        to_text(o.chunks[1]["choices"][0]["delta"]),
        R"({"role":"assistant","content":null,"tool_calls":[)"
        R"({"index":0,"id":"fc-1__thought__CiQB0e2Kb7x+/A==","type":"function","function":{"name":"f","arguments":"{}"}},)"
        R"({"index":1,"id":"fc-2","type":"function","function":{"name":"g","arguments":"{}"}}]})")
        << "bytewise=" << bytewise;
    EXPECT_TRUE(o.finished);
  }
}

TEST(GeminiStream, ChoiceIndexAndToolCallIndexFollowTheCandidateIndex) {
  // candidateCount 2: each event may carry any of the candidates, each with its own `index`.
  const std::string bytes =
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"id\": \"a\", "
      "\"name\": \"f\", \"args\": {}}}],\"role\": \"model\"},\"index\": 1}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"id\": \"b\", "
      "\"name\": \"f\", \"args\": {}}}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": "
      "0}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"id\": \"c\", "
      "\"name\": \"g\", \"args\": {}}}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": "
      "1}]}\r\n\r\n";
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(chat(), bytes, false, bytewise);
    ASSERT_FALSE(o.error) << o.error->message();
    ASSERT_EQ(o.chunks.size(), 3u);
    auto call = [](const std::string& index, const std::string& id, const std::string& name) {
      return R"({"index":)" + index + R"(,"id":")" + id +
             R"(","type":"function","function":{"name":")" + name + R"(","arguments":"{}"}})";
    };
    EXPECT_EQ(o.chunks[0]["choices"][0]["index"], 1);
    EXPECT_EQ(to_text(o.chunks[0]["choices"][0]["delta"]["tool_calls"]),
              "[" + call("0", "a", "f") + "]");
    EXPECT_EQ(o.chunks[1]["choices"][0]["index"], 0);
    EXPECT_EQ(to_text(o.chunks[1]["choices"][0]["delta"]["tool_calls"]),
              "[" + call("0", "b", "f") + "]");
    EXPECT_EQ(o.chunks[2]["choices"][0]["index"], 1);
    EXPECT_EQ(to_text(o.chunks[2]["choices"][0]["delta"]["tool_calls"]),
              "[" + call("1", "c", "g") + "]");
  }
  auto text = testing::run_stream(completions(),
                                  "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
                                  "\"x\"}]},\"index\": 1}]}\r\n\r\n");
  ASSERT_FALSE(text.error);
  ASSERT_EQ(text.chunks.size(), 1u);
  EXPECT_EQ(to_text(text.chunks[0]["choices"]), R"([{"index":1,"finish_reason":null,"text":"x"}])");
}

TEST(GeminiStream, BlockedPromptIsAContentFilterFinish) {
  // A prompt blocked by the safety filters: promptFeedback.blockReason and no candidates
  // (https://ai.google.dev/api/generate-content#PromptFeedback), then the stream ends.
  const std::string bytes =
      "data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\",\"safetyRatings\": [{\"category\": "
      "\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"probability\": \"HIGH\"}]},\"usageMetadata\": "
      "{\"promptTokenCount\": 8,\"totalTokenCount\": 8},\"modelVersion\": "
      "\"gemini-2.0-flash\"}\r\n\r\n";
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(chat(), bytes, /*wants_usage=*/true, bytewise);
    ASSERT_FALSE(o.error) << o.error->message();
    EXPECT_TRUE(o.finished);
    EXPECT_EQ(
        texts(o),
        (std::vector<std::string>{
            R"({"id":"gemini-chat-stream-1700000000","object":"chat.completion.chunk","created":1700000000,)"
            R"("model":"gemini-2.0-flash","choices":[{"index":0,"finish_reason":"content_filter",)"
            R"("delta":{"role":"assistant","content":null,"tool_calls":null}}]})",
            R"({"id":"gemini-chat-stream-1700000000","object":"chat.completion.chunk","created":1700000000,)"
            R"("model":"gemini-2.0-flash","choices":[],)"
            R"("usage":{"prompt_tokens":8,"completion_tokens":null,"total_tokens":8}})"}))
        << "bytewise=" << bytewise;
    auto c = testing::run_stream(completions(), bytes, /*wants_usage=*/false, bytewise);
    ASSERT_FALSE(c.error);
    EXPECT_TRUE(c.finished);
    EXPECT_EQ(
        texts(c),
        (std::vector<std::string>{
            R"({"id":"gemini-completions-stream-1700000000","object":"text_completion_chunk",)"
            R"("created":1700000000,"model":"gemini-2.0-flash","choices":[{"index":0,)"
            R"("finish_reason":"content_filter","text":""}]})"}));
  }
  // Without a blockReason, an event without candidates is still nothing (and not an end).
  auto nothing = testing::run_stream(chat(), "data: {\"promptFeedback\": {}}\r\n\r\n");
  ASSERT_FALSE(nothing.error);
  EXPECT_TRUE(nothing.chunks.empty());
  EXPECT_FALSE(nothing.finished);
}

TEST(GeminiStream, TruncatedStreamIsNotComplete) {
  std::string bytes = fixture("stream_generate_content.txt");
  bytes = bytes.substr(0, bytes.find("data:", bytes.find("patterns")));
  auto o = testing::run_stream(chat(), bytes, true);
  ASSERT_FALSE(o.error);
  EXPECT_EQ(o.chunks.size(), 2u);
  EXPECT_FALSE(o.finished);
  auto translator = chat().adapter->stream_translator(chat().ctx, false);
  EXPECT_FALSE(translator->finished());
  EXPECT_FALSE(translator->complete_at_eof());
}

TEST(GeminiStream, ErrorEventIs502WithTheMessage) {
  auto o = testing::run_stream(
      chat(),
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}]}}]}\r\n\r\n"
      "data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded.\", \"status\": "
      "\"UNAVAILABLE\"}}\r\n\r\n");
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->status, 502);
  EXPECT_EQ(o.error->message(),
            "The upstream reported an error mid-stream: The model is overloaded.");
  EXPECT_EQ(o.chunks.size(), 1u);
  auto garbage = testing::run_stream(chat(), "data: {oops\r\n\r\n");
  ASSERT_TRUE(garbage.error);
  EXPECT_EQ(garbage.error->status, 502);
}

TEST(GeminiStream, NoTranslatorForEmbeddings) {
  Subject s = embeddings();
  EXPECT_EQ(s.adapter->stream_translator(s.ctx, false), nullptr);
}

// ---- python_json ---------------------------------------------------------------------------

TEST(PythonJson, MatchesJsonDumps) {
  // Expected texts printed by CPython 3's json.dumps.
  EXPECT_EQ(
      python_json::dumps(Json::parse(
          R"({"a":[1,2.5,1e-05,1e16,1e15,0.1,-0.0,true,null,"\u00e9\ud83d\ude00\n\u007f\u2028"],"b":{},"c":[]})")),
      R"({"a": [1, 2.5, 1e-05, 1e+16, 1000000000000000.0, 0.1, -0.0, true, null, "\u00e9\ud83d\ude00\n\u007f\u2028"], "b": {}, "c": []})");
  EXPECT_EQ(python_json::dumps(Json::parse(
                R"({"x": 123456789012.5, "y": 1.5e300, "z": 0.0001, "w": 100.0, "v": 3.14159})")),
            R"({"x": 123456789012.5, "y": 1.5e+300, "z": 0.0001, "w": 100.0, "v": 3.14159})");
  EXPECT_EQ(python_json::dumps(Json::parse(R"("tab\tquote\"slash/back\\")")),
            R"("tab\tquote\"slash/back\\")");
  EXPECT_EQ(python_json::dumps(Json::parse("-7")), "-7");
}

}  // namespace
}  // namespace gw
