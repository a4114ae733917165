// providers/anthropic: golden translation tests (docs/mlflow-compatibility.md §6.2, with the
// changes in docs/deviations.md) through the public adapter interface, built from YAML as the
// gateway builds it. Upstream bodies and streams are Anthropic's documented examples
// (tests/fixtures/anthropic/README.md).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using testing::expect_body;
using testing::fixture;
using testing::texts;

using testing::kNow;
using testing::Subject;

const char* kConfig = "{anthropic_api_key: sk-ant-test}";

Subject chat() { return testing::subject("llm/v1/chat", "anthropic", "claude-2.1", kConfig); }
Subject completions() {
  return testing::subject("llm/v1/completions", "anthropic", "claude-2.1", kConfig);
}
Json body_of(const Subject& s, const std::string& client_body) {
  return Json::parse(testing::upstream_request(s, client_body).body);
}

GatewayError error_of(const Subject& s, const std::string& client_body) {
  auto call = testing::prepare(s, client_body);
  EXPECT_FALSE(call.ok()) << "expected an error for " << client_body;
  return call.ok() ? GatewayError{} : call.error();
}
// ---- requests ------------------------------------------------------------------------------

TEST(AnthropicRequest, SpecChatExample) {
  // mlflow-compatibility §6.2: [system S, user 1, assistant 2, user 3], temperature 0.5.
  Subject s = chat();
  EXPECT_EQ(s.adapter->display_name(), "Anthropic");
  UpstreamRequest req = testing::upstream_request(
      s, R"({"messages":[{"role":"system","content":"S"},{"role":"user","content":"1"},)"
         R"({"role":"assistant","content":"2"},{"role":"user","content":"3"}],"temperature":0.5})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(testing::header(req, "Content-Type"), "application/json");
  EXPECT_EQ(testing::header(req, "x-api-key"), "sk-ant-test");
  EXPECT_EQ(testing::header(req, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(req.headers.size(), 3u);
  expect_body(req, R"({"model":"claude-2.1","system":"S","messages":[)"
                   R"({"role":"user","content":"1"},{"role":"assistant","content":"2"},)"
                   R"({"role":"user","content":"3"}],"max_tokens":8192,"temperature":0.25})");
}

TEST(AnthropicRequest, ApiBaseAndVersionFromTheConfig) {
  Subject s =
      testing::subject("llm/v1/chat", "anthropic", "claude-3-5-haiku-latest",
                       "{anthropic_api_key: k, anthropic_api_base: 'http://127.0.0.1:9/v1/', "
                       "anthropic_version: '2024-01-01'}");
  UpstreamRequest req =
      testing::upstream_request(s, R"({"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(req.url, "http://127.0.0.1:9/v1/messages");
  EXPECT_EQ(testing::header(req, "anthropic-version"), "2024-01-01");
  EXPECT_EQ(testing::header(req, "x-api-key"), "k");
}

TEST(AnthropicRequest, SystemMessagesAreJoinedAndUnknownRolesDropped) {
  Json body = body_of(chat(), R"({"messages":[{"role":"system","content":"A"},)"
                              R"({"role":"user","content":"q"},{"role":"developer","content":"B"},)"
                              R"({"role":"critic","content":"x"}]})");
  EXPECT_EQ(body["system"], "A\nB");
  EXPECT_EQ(to_text(body["messages"]), R"([{"role":"user","content":"q"}])");
}

TEST(AnthropicRequest, ParametersAreMappedAndUnifiedOnlyKeysDropped) {
  Json body =
      body_of(chat(), R"({"messages":[{"role":"user","content":"hi"}],"temperature":1.0,"n":1,)"
                      R"("stop":["\n\nHuman:"],"max_tokens":100,"stream":true,)"
                      R"("stream_options":{"include_usage":true},"top_k":5,"user":"u-42"})");
  EXPECT_EQ(to_text(body), R"({"model":"claude-2.1","messages":[{"role":"user","content":"hi"}],)"
                           R"("max_tokens":100,"temperature":0.5,"stop_sequences":["\n\nHuman:"],)"
                           R"("stream":true,"top_k":5,"metadata":{"user_id":"u-42"}})");
}

TEST(AnthropicRequest, MaxCompletionTokensIsUsedWhenMaxTokensIsAbsent) {
  Json body = body_of(
      chat(), R"({"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":77})");
  EXPECT_EQ(body["max_tokens"], 77);
  EXPECT_FALSE(body.contains("max_completion_tokens"));
}

TEST(AnthropicRequest, TopPAloneReplacesTheDefaultTemperature) {
  Json body = body_of(chat(), R"({"messages":[{"role":"user","content":"hi"}],"top_p":0.9})");
  EXPECT_EQ(body["top_p"], 0.9);
  EXPECT_FALSE(body.contains("temperature"));
}

TEST(AnthropicRequest, TopPWithATemperatureIs422) {
  GatewayError e = error_of(
      chat(), R"({"messages":[{"role":"user","content":"hi"}],"top_p":0.9,"temperature":0.7})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(), "Cannot set both 'temperature' and 'top_p' parameters.");
}

TEST(AnthropicRequest, NOtherThanOneIs422WithTheValue) {
  GatewayError e = error_of(chat(), R"({"messages":[{"role":"user","content":"hi"}],"n":3})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(), "'n' must be '1' for the Anthropic provider. Received value: '3'.");
}

TEST(AnthropicRequest, MaxTokensLimit) {
  GatewayError e =
      error_of(chat(), R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":1000001})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(), "Invalid value for max_tokens: cannot exceed 1000000.");
  EXPECT_EQ(
      body_of(
          chat(),
          R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":1000000})")["max_tokens"],
      1000000);
}

TEST(AnthropicRequest, ModelInThePayloadIs422) {
  GatewayError e = error_of(chat(), R"({"model":"x","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(),
            "The parameter 'model' is not permitted to be passed. The route being queried already "
            "defines a model instance.");
  EXPECT_EQ(error_of(completions(), R"({"model":"x","prompt":"hi"})").status, 422);
}

TEST(AnthropicRequest, ToolsAndToolChoice) {
  Json body = body_of(
      chat(),
      R"({"messages":[{"role":"user","content":"weather?"}],"tool_choice":"required","tools":[)"
      R"({"type":"function","function":{"name":"get_weather","description":"Get the weather",)"
      R"("parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}},)"
      R"({"type":"function","function":{"name":"now"}}]})");
  EXPECT_EQ(
      to_text(body["tools"]),
      R"([{"name":"get_weather","description":"Get the weather","input_schema":)"
      R"({"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}},)"
      R"({"name":"now","input_schema":{"type":"object","properties":{}}}])");
  EXPECT_EQ(to_text(body["tool_choice"]), R"({"type":"any"})");
  Json named = body_of(chat(), R"({"messages":[{"role":"user","content":"x"}],)"
                               R"("tool_choice":{"type":"function","function":{"name":"now"}}})");
  EXPECT_EQ(to_text(named["tool_choice"]), R"({"type":"tool","name":"now"})");
  // An empty tools list is dropped, as MLflow does.
  EXPECT_FALSE(body_of(chat(), R"({"messages":[{"role":"user","content":"x"}],"tools":[]})")
                   .contains("tools"));
}

TEST(AnthropicRequest, NonFunctionToolIs422) {
  GatewayError e =
      error_of(chat(), R"({"messages":[{"role":"user","content":"x"}],)"
                       R"("tools":[{"type":"uc_function","uc_function":{"name":"f"}}]})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(),
            "Only function calling tool is supported, but received tool type uc_function");
}

TEST(AnthropicRequest, ToolCallsAndToolResults) {
  // An assistant turn with two parallel calls, then both results: the results go into ONE user
  // message (Anthropic wants every result of the turn there, and alternating roles).
  Json body = body_of(
      chat(),
      R"({"messages":[{"role":"user","content":"Weather in SF and NYC?"},)"
      R"({"role":"assistant","content":"Checking.","tool_calls":[)"
      R"({"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\": \"SF\"}"}},)"
      R"({"id":"toolu_2","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"NYC\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"toolu_1","content":"15 degrees"},)"
      R"({"role":"tool","tool_call_id":"toolu_2","content":"20 degrees"},)"
      R"({"role":"assistant","content":null,"tool_calls":[)"
      R"({"id":"toolu_3","type":"function","function":{"name":"now","arguments":""}}]},)"
      R"({"role":"tool","tool_call_id":"toolu_3","content":[{"type":"text","text":"noon"}]}]})");
  EXPECT_EQ(
      to_text(body["messages"]),
      R"([{"role":"user","content":"Weather in SF and NYC?"},)"
      R"({"role":"assistant","content":[{"type":"text","text":"Checking."},)"
      R"({"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"SF"}},)"
      R"({"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"location":"NYC"}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"15 degrees"},)"
      R"({"type":"tool_result","tool_use_id":"toolu_2","content":"20 degrees"}]},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_3","name":"now","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_3",)"
      R"("content":[{"type":"text","text":"noon"}]}]}])");
}

TEST(AnthropicRequest, ToolCallWithBrokenArgumentsIs422) {
  GatewayError e = error_of(
      chat(), R"({"messages":[{"role":"assistant","tool_calls":[)"
              R"({"id":"t1","type":"function","function":{"name":"f","arguments":"{oops"}}]}]})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(), "The arguments of tool call 't1' are not valid JSON.");
}

TEST(AnthropicRequest, ImagePartsAndAudio) {
  Json body = body_of(
      chat(),
      R"({"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},)"
      R"({"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]}]})");
  EXPECT_EQ(
      to_text(body["messages"][0]["content"]),
      R"([{"type":"text","text":"What is this?"},)"
      R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},)"
      R"({"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}])");
  GatewayError e = error_of(
      chat(), R"({"messages":[{"role":"user","content":[)"
              R"({"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]})");
  EXPECT_EQ(e.status, 422);
  EXPECT_EQ(e.message(),
            "Content parts of type 'input_audio' are not supported by the Anthropic provider.");
}

TEST(AnthropicRequest, EmptyAssistantTurnIsDropped) {
  Json body = body_of(chat(), R"({"messages":[{"role":"user","content":"a"},{"role":"assistant"},)"
                              R"({"role":"user","content":"b"}]})");
  EXPECT_EQ(body["messages"].size(), 2u);
}

TEST(AnthropicRequest, CompletionsGoThroughTheMessagesApi) {
  Subject s = completions();
  UpstreamRequest req = testing::upstream_request(
      s, R"({"prompt":"This is a test","temperature":0.2,"stop":["END"],"max_tokens":50})");
  EXPECT_EQ(req.url, "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(testing::header(req, "x-api-key"), "sk-ant-test");
  expect_body(req,
              R"({"model":"claude-2.1","messages":[{"role":"user","content":"This is a test"}],)"
              R"("max_tokens":50,"temperature":0.1,"stop_sequences":["END"]})");
  expect_body(testing::upstream_request(s, R"({"prompt":""})"),
              R"({"model":"claude-2.1","messages":[{"role":"user","content":""}],)"
              R"("max_tokens":8192,"temperature":0.0})");
  // The same parameter rules as chat.
  EXPECT_EQ(error_of(s, R"({"prompt":"x","n":2})").message(),
            "'n' must be '1' for the Anthropic provider. Received value: '2'.");
  // ... except the top_p text, which is mlflow-compatibility §6.2's completions text.
  EXPECT_EQ(error_of(s, R"({"prompt":"x","top_p":0.5,"temperature":1})").message(),
            "Cannot set both 'temperature' and 'top_p' parameters. Please use only the temperature "
            "parameter for your query.");
  EXPECT_EQ(body_of(s, R"({"prompt":"x","top_p":0.5})")["top_p"], 0.5);
  EXPECT_EQ(error_of(s, R"({"prompt":"x","max_tokens":2000000})").message(),
            "Invalid value for max_tokens: cannot exceed 1000000.");
  Json streamed = body_of(s, R"({"prompt":"x","stream":true})");
  EXPECT_EQ(streamed["stream"], true);
}

// ---- responses -----------------------------------------------------------------------------

TEST(AnthropicReply, DocumentedChatResponse) {
  auto r = testing::reply(chat(), 200, fixture("anthropic/messages_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","object":"chat.completion","created":1700000000,)"
      R"("model":"claude-3-7-sonnet-20250219","choices":[{"index":0,"message":)"
      R"({"role":"assistant","content":"Hi! My name is Claude.","tool_calls":null,"refusal":null},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598}})");
}

TEST(AnthropicReply, DocumentedToolUseResponse) {
  auto r = testing::reply(chat(), 200, fixture("anthropic/tool_use_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  // Arguments are Python's json.dumps(input), as MLflow writes them; the example has no usage.
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"msg_01Aq9w938a90dw8q","object":"chat.completion","created":1700000000,)"
      R"("model":"claude-sonnet-4-5","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"I'll check the current weather in San Francisco for you.","tool_calls":[)"
      R"({"id":"toolu_01A09q90qw90lq917835lq9","type":"function","function":{"name":"get_weather",)"
      R"("arguments":"{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}"}}],"refusal":null},)"
      R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
}

TEST(AnthropicReply, ContentShapes) {
  Subject s = chat();
  // Several text blocks: one string.
  auto joined =
      testing::reply(s, 200,
                     R"({"id":"m","model":"c","stop_reason":"max_tokens",)"
                     R"("content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],)"
                     R"("usage":{"input_tokens":1,"output_tokens":2}})");
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ((*joined)["choices"][0]["message"]["content"], "ab");
  EXPECT_EQ((*joined)["choices"][0]["finish_reason"], "length");
  // Only tool_use: content null.
  auto tools = testing::reply(s, 200,
                              R"({"id":"m","model":"c","stop_reason":"tool_use","content":[)"
                              R"({"type":"tool_use","id":"t","name":"f","input":{}}]})");
  ASSERT_TRUE(tools.ok());
  EXPECT_TRUE((*tools)["choices"][0]["message"]["content"].is_null());
  EXPECT_EQ((*tools)["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"], "{}");
  // A block that is neither text nor tool_use is skipped: content stays a string.
  auto mixed = testing::reply(s, 200,
                              R"({"id":"m","model":"c","stop_reason":"end_turn","content":[)"
                              R"({"type":"thinking","thinking":"hmm","signature":"sig"},)"
                              R"({"type":"text","text":"42"}]})");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ((*mixed)["choices"][0]["message"]["content"], "42");
  // No text block at all: content null.
  auto empty = testing::reply(
      s, 200, R"({"id":"m","model":"c","stop_reason":"stop_sequence","content":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)["choices"][0]["message"]["content"].is_null());
  EXPECT_EQ((*empty)["choices"][0]["finish_reason"], "stop");
}

TEST(AnthropicReply, ThinkingAndServerToolBlocksAreSkipped) {
  Subject s = chat();
  // Extended thinking (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking):
  // thinking and redacted_thinking blocks before the text.
  auto thinking = testing::reply(
      s, 200,
      R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[)"
      R"({"type":"thinking","thinking":"Let me analyze this step by step...","signature":"WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL...."},)"
      R"({"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB9URj2pLmN3kF8/dW5hR7xJ0aP1oLs9yTcMnKVf2wRpEGjH9XZaBt4UvDcPrQ..."},)"
      R"({"type":"text","text":"Based on my analysis..."}],)"
      R"("stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":20}})");
  ASSERT_TRUE(thinking.ok()) << thinking.error().message();
  EXPECT_EQ(
      to_text((*thinking)["choices"][0]["message"]),
      R"({"role":"assistant","content":"Based on my analysis...","tool_calls":null,"refusal":null})");
  // Web search (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool):
  // server_tool_use and web_search_tool_result run by Anthropic, then text with citations.
  auto search = testing::reply(
      s, 200,
      R"({"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[)"
      R"({"type":"text","text":"I'll search for when Claude Shannon was born."},)"
      R"({"type":"server_tool_use","id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","name":"web_search",)"
      R"("input":{"query":"claude shannon birth date"}},)"
      R"({"type":"web_search_tool_result","tool_use_id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","content":[)"
      R"({"type":"web_search_result","url":"https://en.wikipedia.org/wiki/Claude_Shannon",)"
      R"("title":"Claude Shannon - Wikipedia","encrypted_content":"EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y...",)"
      R"("page_age":"April 30, 2025"}]},)"
      R"({"type":"text","text":"Claude Shannon was born on April 30, 1916, in Petoskey, Michigan",)"
      R"("citations":[{"type":"web_search_result_location","url":"https://en.wikipedia.org/wiki/Claude_Shannon",)"
      R"("title":"Claude Shannon - Wikipedia","encrypted_index":"Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm..",)"
      R"("cited_text":"Claude Elwood Shannon (April 30, 1916 - February 24, 2001) was an American mathematician..."}]}],)"
      R"("stop_reason":"end_turn","usage":{"input_tokens":6039,"output_tokens":931,)"
      R"("server_tool_use":{"web_search_requests":1}}})");
  ASSERT_TRUE(search.ok()) << search.error().message();
  EXPECT_EQ(
      to_text((*search)["choices"][0]["message"]),
      R"({"role":"assistant","content":"I'll search for when Claude Shannon was born.Claude Shannon was )"
      R"(born on April 30, 1916, in Petoskey, Michigan","tool_calls":null,"refusal":null})");
  EXPECT_EQ((*search)["choices"][0]["finish_reason"], "stop");
  // Only non-text blocks besides tool_use: content null, the tool call kept.
  auto only =
      testing::reply(s, 200,
                     R"({"id":"m","model":"c","stop_reason":"tool_use","content":[)"
                     R"({"type":"thinking","thinking":"I should call f.","signature":"sig"},)"
                     R"({"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}]})");
  ASSERT_TRUE(only.ok());
  EXPECT_TRUE((*only)["choices"][0]["message"]["content"].is_null());
  EXPECT_EQ(
      to_text((*only)["choices"][0]["message"]["tool_calls"]),
      R"([{"id":"toolu_1","type":"function","function":{"name":"f","arguments":"{\"a\": 1}"}}])");
  auto thoughts_only =
      testing::reply(s, 200,
                     R"({"id":"m","model":"c","stop_reason":"max_tokens","content":[)"
                     R"({"type":"thinking","thinking":"Still thinking","signature":"sig"}]})");
  ASSERT_TRUE(thoughts_only.ok());
  EXPECT_TRUE((*thoughts_only)["choices"][0]["message"]["content"].is_null());
}

TEST(AnthropicReply, ArgumentsUsePythonJsonDumps) {
  auto r = testing::reply(
      chat(), 200,
      R"({"id":"m","model":"c","stop_reason":"tool_use","content":[{"type":"tool_use","id":"t","name":"f",)"
      R"("input":{"n":1,"x":2.50,"big":1e16,"small":0.00001,"ok":true,"none":null,"list":[],"s":"caf\u00e9 \ud83d\ude00"}}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(
      (*r)["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
      R"({"n": 1, "x": 2.5, "big": 1e+16, "small": 1e-05, "ok": true, "none": null, "list": [], "s": "caf\u00e9 \ud83d\ude00"})");
}

TEST(AnthropicReply, DocumentedResponseAsCompletions) {
  auto r = testing::reply(completions(), 200, fixture("anthropic/messages_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","object":"text_completion","created":1700000000,)"
      R"("model":"claude-3-7-sonnet-20250219","choices":[{"index":0,"text":"Hi! My name is Claude.",)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598}})");
  auto cut = testing::reply(
      completions(), 200,
      R"({"id":"m","model":"c","stop_reason":"max_tokens","content":[{"type":"text","text":"x"}]})");
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ((*cut)["choices"][0]["finish_reason"], "length");
}

TEST(AnthropicReply, ErrorBodyKeepsStatusAndMessage) {
  auto r = testing::reply(chat(), 404, fixture("anthropic/error.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 404);
  EXPECT_EQ(r.error().message(), "The requested resource could not be found.");
  auto overloaded = testing::reply(
      completions(), 529,
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  ASSERT_FALSE(overloaded.ok());
  EXPECT_EQ(overloaded.error().status, 529);
  EXPECT_EQ(overloaded.error().message(), "Overloaded");
}

TEST(AnthropicReply, MalformedBodiesAre502) {
  for (const char* body :
       {R"({"id":"m"})", R"({"content":"text"})", R"([1,2])", R"("x")", R"({"content":[1]})",
        R"({"content":[{"type":"text","text":5}],"usage":"x"})"}) {
    for (const Subject& s : {chat(), completions()}) {
      auto r = testing::reply(s, 200, body);
      if (std::string(body).find("\"usage\":\"x\"") != std::string::npos) {
        // Wrong types inside blocks and usage degrade to empty text and null usage.
        ASSERT_TRUE(r.ok()) << body;
        EXPECT_TRUE(r->at("usage").at("total_tokens").is_null());
        continue;
      }
      ASSERT_FALSE(r.ok()) << body;
      EXPECT_EQ(r.error().status, 502) << body;
    }
  }
  auto broken = testing::reply(chat(), 200, "{not json");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().status, 502);
}

// ---- streaming -----------------------------------------------------------------------------

TEST(AnthropicStream, StreamingRequestKeepsStreamAndDropsStreamOptions) {
  Json body = body_of(chat(), R"({"messages":[{"role":"user","content":"Hello"}],"stream":true,)"
                              R"("stream_options":{"include_usage":true}})");
  EXPECT_EQ(body["stream"], true);
  EXPECT_FALSE(body.contains("stream_options"));
}

TEST(AnthropicStream, DocumentedBasicStream) {
  const std::string bytes = fixture("sse/anthropic_messages_stream.txt");
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(chat(), bytes, /*wants_usage=*/false, bytewise);
    ASSERT_FALSE(o.error) << o.error->message();
    EXPECT_TRUE(o.finished);
    const std::string head =
        R"({"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","object":"chat.completion.chunk",)"
        R"("created":1700000000,"model":"claude-sonnet-4-5-20250929","choices":[{"index":0,)";
    EXPECT_EQ(
        texts(o),
        (std::vector<std::string>{
            head +
                R"("finish_reason":null,"delta":{"role":"assistant","content":"","tool_calls":null}}]})",
            head +
                R"("finish_reason":null,"delta":{"role":null,"content":"Hello","tool_calls":null}}]})",
            head +
                R"("finish_reason":null,"delta":{"role":null,"content":"!","tool_calls":null}}]})",
            head +
                R"("finish_reason":"stop","delta":{"role":null,"content":null,"tool_calls":null}}]})"}))
        << "bytewise=" << bytewise;
  }
}

TEST(AnthropicStream, UsageChunkOnlyWhenTheClientAsked) {
  auto o = testing::run_stream(chat(), fixture("sse/anthropic_messages_stream.txt"), true);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.chunks.size(), 5u);
  EXPECT_EQ(to_text(o.chunks.back()),
            R"({"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","object":"chat.completion.chunk",)"
            R"("created":1700000000,"model":"claude-sonnet-4-5-20250929","choices":[],)"
            R"("usage":{"prompt_tokens":25,"completion_tokens":15,"total_tokens":40}})");
}

TEST(AnthropicStream, DocumentedToolUseStream) {
  const std::string bytes = fixture("anthropic/tool_use_stream.txt");
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(chat(), bytes, /*wants_usage=*/true, bytewise);
    ASSERT_FALSE(o.error) << o.error->message();
    EXPECT_TRUE(o.finished);
    // 1 text start + 13 text deltas + 1 tool start + 9 argument deltas + finish + usage.
    ASSERT_EQ(o.chunks.size(), 26u) << "bytewise=" << bytewise;
    std::string text, arguments;
    for (const auto& c : o.chunks) {
      EXPECT_EQ(c["id"], "msg_014p7gG3wDgGV9EUtLvnow3U");
      EXPECT_EQ(c["model"], "claude-opus-4-6");
      if (c["choices"].empty()) continue;
      const Json& delta = c["choices"][0]["delta"];
      EXPECT_EQ(c["choices"][0]["index"], 0);
      if (delta["content"].is_string()) text += delta["content"].get<std::string>();
      if (delta["tool_calls"].is_array()) {
        const Json& call = delta["tool_calls"][0];
        EXPECT_EQ(call["index"], 0);
        if (call["function"]["arguments"].is_string())
          arguments += call["function"]["arguments"].get<std::string>();
      }
    }
    EXPECT_EQ(text, "Okay, let's check the weather for San Francisco, CA:");
    EXPECT_EQ(arguments, R"({"location": "San Francisco, CA", "unit": "fahrenheit"})");
    EXPECT_EQ(o.chunks[0]["choices"][0]["delta"]["role"], "assistant");
    EXPECT_EQ(
        to_text(o.chunks[14]["choices"][0]),
        R"({"index":0,"finish_reason":null,"delta":{"role":null,"content":null,"tool_calls":[)"
        R"({"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function",)"
        R"("function":{"name":"get_weather","arguments":null}}]}})");
    EXPECT_EQ(
        to_text(o.chunks[16]["choices"][0]),
        R"({"index":0,"finish_reason":null,"delta":{"role":null,"content":null,"tool_calls":[)"
        R"({"index":0,"id":null,"type":null,"function":{"name":null,"arguments":"{\"location\":"}}]}})");
    EXPECT_EQ(o.chunks[24]["choices"][0]["finish_reason"], "tool_calls");
    EXPECT_EQ(to_text(o.chunks[25]["usage"]),
              R"({"prompt_tokens":472,"completion_tokens":89,"total_tokens":561})");
  }
}

TEST(AnthropicStream, SecondToolUseBlockGetsTheNextToolIndex) {
  const std::string bytes =
      "event: message_start\ndata: "
      "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_"
      "tokens\":1,\"output_tokens\":1}}}\n\n"
      "event: content_block_start\ndata: "
      "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
      "\"id\":\"a\",\"name\":\"f\",\"input\":{}}}\n\n"
      "event: content_block_start\ndata: "
      "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
      "\"id\":\"b\",\"name\":\"g\",\"input\":{}}}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
      "\"partial_json\":\"{}\"}}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
      "\"partial_json\":\"{}\"}}\n\n"
      "event: message_delta\ndata: "
      "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_"
      "tokens\":9}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto o = testing::run_stream(chat(), bytes);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.chunks.size(), 5u);
  EXPECT_EQ(o.chunks[0]["choices"][0]["delta"]["tool_calls"][0]["index"], 0);
  EXPECT_EQ(o.chunks[1]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
  EXPECT_EQ(o.chunks[2]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
  EXPECT_EQ(o.chunks[3]["choices"][0]["delta"]["tool_calls"][0]["index"], 0);
  EXPECT_TRUE(o.finished);
}

TEST(AnthropicStream, ServerToolUseIsNotAClientToolCall) {
  // Events of the streaming guide's web search example: Anthropic runs that tool itself.
  const std::string bytes =
      "event: content_block_start\ndata: "
      "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"server_tool_"
      "use\",\"id\":\"srvtoolu_014hJH82Qum7Td6UV8gDXThB\",\"name\":\"web_search\",\"input\":{}}}"
      "\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
      "\"partial_json\":\"{\\\"query\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1 }\n\n"
      "event: content_block_start\ndata: "
      "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"text\",\"text\":"
      "\"\"}}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":"
      "\"Here's the current weather information for New York\"}}\n\n";
  auto o = testing::run_stream(chat(), bytes);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.chunks.size(), 2u);
  for (const auto& c : o.chunks) EXPECT_TRUE(c["choices"][0]["delta"]["tool_calls"].is_null());
  EXPECT_EQ(o.chunks[1]["choices"][0]["delta"]["content"],
            "Here's the current weather information for New York");
}

TEST(AnthropicStream, CompletionsStream) {
  Subject s = completions();
  for (bool bytewise : {false, true}) {
    auto o = testing::run_stream(s, fixture("sse/anthropic_messages_stream.txt"), true, bytewise);
    ASSERT_FALSE(o.error);
    EXPECT_TRUE(o.finished);
    const std::string head =
        R"({"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","object":"text_completion_chunk",)"
        R"("created":1700000000,"model":"claude-sonnet-4-5-20250929","choices":)";
    EXPECT_EQ(
        texts(o),
        (std::vector<std::string>{
            head + R"([{"index":0,"finish_reason":null,"text":"Hello"}]})",
            head + R"([{"index":0,"finish_reason":null,"text":"!"}]})",
            head + R"([{"index":0,"finish_reason":"stop","text":""}]})",
            head +
                R"([],"usage":{"prompt_tokens":25,"completion_tokens":15,"total_tokens":40}})"}));
  }
}

TEST(AnthropicStream, ErrorEventMidStreamIs502WithTheMessage) {
  const std::string bytes =
      "event: message_start\ndata: "
      "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
      "\"Hi\"}}\n\n"
      // Anthropic's documented error event (streaming guide, "Error events").
      "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
      "\"message\": \"Overloaded\"}}\n\n";
  auto o = testing::run_stream(chat(), bytes);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->status, 502);
  EXPECT_EQ(o.error->message(), "The upstream reported an error mid-stream: Overloaded");
  EXPECT_EQ(o.chunks.size(), 1u);
  EXPECT_FALSE(o.finished);
}

TEST(AnthropicStream, GarbageEventIs502) {
  auto o = testing::run_stream(chat(), "event: content_block_delta\ndata: {not json\n\n");
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->status, 502);
}

TEST(AnthropicStream, TruncatedStreamIsNotFinished) {
  std::string bytes = fixture("anthropic/tool_use_stream.txt");
  bytes = bytes.substr(0, bytes.find("event: message_delta"));
  auto o = testing::run_stream(chat(), bytes, true);
  ASSERT_FALSE(o.error);
  EXPECT_FALSE(o.finished);
  for (const auto& c : o.chunks) EXPECT_FALSE(c.contains("usage"));
}

TEST(AnthropicStream, UnknownEventsAreSkipped) {
  auto o = testing::run_stream(
      chat(),
      "event: brand_new\ndata: {\"type\":\"brand_new\",\"x\":1}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"...\"}}\n\n");
  ASSERT_FALSE(o.error);
  EXPECT_TRUE(o.chunks.empty());
}

}  // namespace
}  // namespace gw
