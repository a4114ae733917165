// The simdjson fast path for OpenAI replies must produce exactly the text of the reference
// (nlohmann) translation, byte for byte, or decline (nullopt) so the reference path answers.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "providers/fast_path.h"
#include "providers/openai.h"
#include "providers/schema.h"

namespace gw {
namespace {

using config::EndpointType;
constexpr std::int64_t kNow = 1700000000;

std::string reference(EndpointType type, const std::string& body) {
  Json j = Json::parse(body);
  Result<Json> r = type == EndpointType::Chat          ? openai_chat_to_unified(j, kNow)
                   : type == EndpointType::Completions ? openai_completions_to_unified(j, kNow)
                                                       : openai_embeddings_to_unified(j);
  return r.ok() ? to_text(*r) : "ERROR";
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(GW_SOURCE_DIR) + "/tests/fixtures/openai/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  const char* name;
  EndpointType type;
  std::string body;
};

std::vector<Case> cases() {
  return {
      {"fixture_chat", EndpointType::Chat, read_fixture("chat_completion.json")},
      {"fixture_tools", EndpointType::Chat, read_fixture("chat_tool_calls.json")},
      {"fixture_refusal", EndpointType::Chat, read_fixture("chat_refusal.json")},
      {"fixture_completion", EndpointType::Completions, read_fixture("text_completion.json")},
      {"fixture_chat_for_completions", EndpointType::Completions,
       read_fixture("chat_for_completions.json")},
      {"fixture_embeddings", EndpointType::Embeddings, read_fixture("embeddings.json")},
      {"chat_minimal", EndpointType::Chat, R"({"choices":[{"message":{}}]})"},
      {"chat_nulls", EndpointType::Chat,
       R"({"id":null,"object":null,"created":null,"model":null,"choices":[{"message":{"role":null,"content":null,"tool_calls":null},"finish_reason":null}],"usage":null})"},
      {"chat_odd_types", EndpointType::Chat,
       R"({"id":7,"object":5,"created":1.5,"model":["m"],"choices":[{"message":{"role":"user","content":[{"type":"text","text":"x"}],"tool_calls":"no","refusal":false},"finish_reason":3}],"usage":{"prompt_tokens":1.0,"completion_tokens":-2,"total_tokens":18446744073709551615}})"},
      {"chat_escapes", EndpointType::Chat,
       "{\"choices\":[{\"message\":{\"content\":\"quote \\\" backslash \\\\ nl \\n tab \\t ctl "
       "\\u0001 \\u001f del \\u007f uni \\u00e9 \\ud83d\\ude00 slash \\/\"}}]}"},
      {"chat_tool_call_shapes", EndpointType::Chat,
       R"({"choices":[{"message":{"content":null,"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{\"x\": 1}"}},{"type":null},{"id":"c","type":"custom","function":"nope"},5]}}]})"},
      {"chat_two_choices_extra_keys", EndpointType::Chat,
       R"({"id":"x","system_fingerprint":"fp","choices":[{"index":9,"logprobs":{"a":[1,2]},"message":{"role":"assistant","content":"a","annotations":[]},"finish_reason":"stop"},{"message":{"content":"b"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":0}}})"},
      {"completions_text_and_message", EndpointType::Completions,
       R"({"choices":[{"text":"t"},{"message":{"content":"m"},"text":"t"},{"message":{"content":5},"text":"t2"},{"text":7},{}],"usage":{}})"},
      {"embeddings_numbers", EndpointType::Embeddings,
       R"({"data":[{"embedding":[0.0023064255,-0.009327292,1e-07,1.5e-300,2.0,-0.0,123456.789,0.1]},{"embedding":"AAAAPwAAgL4="}],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}})"},
  };
}

class OpenAIFastPath : public ::testing::TestWithParam<Case> {};

TEST_P(OpenAIFastPath, MatchesTheReferenceTranslationExactly) {
  const Case& c = GetParam();
  auto fast = openai_fast_unified(c.type, c.body, kNow);
  ASSERT_TRUE(fast.has_value()) << c.name;
  EXPECT_EQ(*fast, reference(c.type, c.body)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Bodies, OpenAIFastPath, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(OpenAIFastPathDeclines, WhatTheReferencePathMustReport) {
  // Each of these is an error (502) on the reference path: the fast path must not answer.
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, "{\"choices\": [tru", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, "[]", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, "{}", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, R"({"choices":{}})", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, R"({"choices":[{"message":"x"}]})", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, R"({"choices":[5]})", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Completions, R"({"data":[]})", kNow));
  EXPECT_FALSE(
      openai_fast_unified(EndpointType::Embeddings, R"({"data":[{"embedding":5}]})", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Embeddings, R"({"data":[{}]})", kNow));
  EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, "{\"choices\":[],\"x\":\"\xff\"}", kNow));
}

// Found by tests/fuzz/fuzz_provider_reply: with a repeated key simdjson found the first value
// and nlohmann keeps the last, so reply_text() (fast) and parse_reply() (reference) disagreed.
// The fast path declines such bodies, and bodies nested deeper than the reference accepts.
TEST(OpenAIFastPathDeclines, RepeatedKeysAndDeepNesting) {
  const std::string dup_model =
      R"({"model":"gpt-4o-mini","choices":[{"message":{"content":"hi"}}],"model":{"a":1}})";
  const std::string dup_nested = R"({"choices":[{"message":{"content":"hi","content":"bye"}}]})";
  const std::string dup_usage = R"({"choices":[],"usage":{"prompt_tokens":1,"prompt_tokens":2}})";
  const std::string deep =
      R"({"choices":[],"x":)" + std::string(300, '[') + std::string(300, ']') + "}";
  for (const std::string& body : {dup_model, dup_nested, dup_usage, deep})
    EXPECT_FALSE(openai_fast_unified(EndpointType::Chat, body, kNow)) << body;
  // A big double is written as nlohmann writes it.
  const std::string big = R"({"choices":[],"usage":{"prompt_tokens":1.8446744073709552e20}})";
  auto fast = openai_fast_unified(EndpointType::Chat, big, kNow);
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(*fast, reference(EndpointType::Chat, big));

  config::OpenAISettings s;
  s.api_key = config::Secret("k");
  s.api_base = "https://api.openai.com/v1";
  OpenAIAdapter a(s, "gpt");
  RequestContext ctx{EndpointType::Chat, kNow};
  for (const std::string& body : {dup_model, dup_nested, dup_usage, big}) {
    UpstreamReply reply{200, "application/json", body};
    auto text = a.reply_text(ctx, reply);
    auto parsed = a.parse_reply(ctx, reply);
    ASSERT_TRUE(text.ok() && parsed.ok()) << body;
    EXPECT_EQ(*text, to_text(*parsed)) << body;
  }
}

TEST(OpenAIFastPathReplyText, AdapterUsesItAndFallsBackForErrors) {
  config::OpenAISettings s;
  s.api_key = config::Secret("k");
  s.api_base = "https://api.openai.com/v1";
  OpenAIAdapter a(s, "gpt");
  RequestContext ctx{EndpointType::Chat, kNow};
  std::string body = read_fixture("chat_completion.json");
  auto text = a.reply_text(ctx, UpstreamReply{200, "application/json; charset=utf-8", body});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, to_text(*a.parse_reply(ctx, UpstreamReply{200, "application/json", body})));
  auto bad = a.reply_text(ctx, UpstreamReply{200, "application/json", "{}"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 502);
  EXPECT_EQ(bad.error().message(),
            "The upstream returned a malformed response: 'choices' is missing");
  auto err =
      a.reply_text(ctx, UpstreamReply{401, "application/json", R"({"error":{"message":"no"}})"});
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().status, 401);
  EXPECT_EQ(err.error().message(), "no");
}

TEST(AppendJsonString, EscapesLikeNlohmann) {
  for (std::string s :
       {std::string("plain"), std::string("a\"b\\c"), std::string("\x01\x1f\x7f"),
        std::string("\b\f\n\r\t"), std::string("h\xc3\xa9llo"), std::string("\0x", 2)}) {
    std::string out;
    append_json_string(out, s);
    EXPECT_EQ(out, to_text(Json(s)));
  }
}

}  // namespace
}  // namespace gw

// ---- requests: fast_validate_request against validate_request ---------------------------------

namespace gw {
namespace {

struct RequestCase {
  EndpointType type;
  std::string body;
  bool expect_fast;  // the fast path is expected to take it (a plain, common body)
};

std::vector<RequestCase> request_cases() {
  using T = EndpointType;
  return {
      // Plain bodies the fast path must take.
      {T::Chat, R"({"messages":[{"role":"user","content":"Hello"}]})", true},
      {T::Chat,
       R"({"messages":[{"role":"system","content":"S"},{"role":"user","content":"é \" \\ \n"}],"temperature":0.5,"n":2,"stop":["x","y"],"max_tokens":10,"stream":false,"stream_options":{"include_usage":true},"top_p":0.9,"user":"u","response_format":{"type":"json_object"}})",
       true},
      {T::Chat,
       R"({"messages":[{"role":"user","content":"a","name":"dropped","refusal":null,"tool_call_id":"t"}],"temperature":1,"presence_penalty":null,"seed":3})",
       true},
      {T::Chat, R"({"model":"chat","messages":[{"role":"user","content":"a"}],"temperature":2})",
       true},
      {T::Chat,
       R"({"messages":[{"role":"assistant","content":null,"refusal":"no"}],"stream":true})", true},
      {T::Chat,
       R"({"messages":[{"role":"user","content":"a"}],"temperature":0.0,"logit_bias":{"1":-100},"metadata":{"a":[1,2.5,null,true]}})",
       true},
      {T::Completions, R"({"prompt":"Say hi","max_tokens":7})", true},
      {T::Completions, R"({"prompt":"","temperature":1.25,"n":1,"echo":true,"model":"m"})", true},
      {T::Embeddings, R"({"input":"The food was delicious"})", true},
      {T::Embeddings, R"({"input":["a","b"],"encoding_format":"base64","dimensions":8})", true},
      {T::Embeddings, R"({"input":[1,2,3],"model":"e"})", true},
      {T::Embeddings, R"({"input":[[1,2],[3]],"user":null})", true},
      {T::Embeddings, R"({"input":[],"temperature":0.5})", true},
      // Found by tests/fuzz/fuzz_request: doubles are written exactly as nlohmann writes them
      // (std::to_chars gave "184467440737095516160.0" for nlohmann's "1.8446744073709552e+20").
      {T::Chat,
       R"({"messages":[{"role":"user","content":"a"}],"top_p":1.8446744073709552e20,"x":[1e16,1e15,123456789.0,0.1,1e-5,-0.0,2.5e-300,1.7976931348623157e308]})",
       true},
      // Duplicate keys below the top level and nesting deeper than 256 levels: the reference
      // DOM differs (last value wins; parse_request_body refuses the depth), so the fast path
      // declines.
      {T::Completions, R"({"prompt":"a","extra":{"k":1,"k":2}})", false},
      {T::Chat,
       R"({"messages":[{"role":"user","content":"a"}],"stream_options":{"include_usage":true,"include_usage":false}})",
       false},
      {T::Embeddings, R"({"input":"a","x":)" + std::string(257, '[') + std::string(257, ']') + "}",
       false},
      // Valid, but left to the reference path (coercions, parts, tools, tool calls).
      {T::Chat, R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"}]}]})", false},
      {T::Chat,
       R"({"messages":[{"role":"assistant","tool_calls":[{"id":"1","function":{"name":"f","arguments":"{}"}}]}]})",
       false},
      {T::Chat,
       R"({"messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f"}}]})",
       false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"temperature":"0.5"})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"n":1.0})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"stream":"true"})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"a":1,"a":2})", false},
      // Invalid: the fast path must decline every one of them.
      {T::Chat, R"({})", false},
      {T::Chat, R"([])", false},
      {T::Chat, R"("x")", false},
      {T::Chat, R"({"messages":[]})", false},
      {T::Chat, R"({"messages":{}})", false},
      {T::Chat, R"({"messages":[5]})", false},
      {T::Chat, R"({"messages":[{"content":"no role"}]})", false},
      {T::Chat, R"({"messages":[{"role":null,"content":"a"}]})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":5}]})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a","refusal":3}]})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"temperature":2.5})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"temperature":-0.1})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"temperature":true})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"n":0})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"n":1.5})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"stop":"x"})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"stop":[]})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"stop":[1]})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"max_tokens":0})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"stream":"maybe"})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"stream_options":3})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"model":5})", false},
      {T::Chat, R"({"messages":[{"role":"user","content":"a"}],"tools":{}})", false},
      {T::Chat, "{\"messages\": [", false},
      {T::Chat, "", false},
      {T::Completions, R"({"prompt":["a"]})", false},
      {T::Completions, R"({"prompt":null})", false},
      {T::Completions, R"({})", false},
      {T::Embeddings, R"({"input":[1,"a"]})", false},
      {T::Embeddings, R"({"input":5})", false},
      {T::Embeddings, R"({"input":null})", false},
      {T::Embeddings, R"({"input":[[1,"a"]]})", false},
  };
}

class FastRequestPath : public ::testing::TestWithParam<RequestCase> {};

TEST_P(FastRequestPath, AgreesWithTheReferenceValidator) {
  const RequestCase& c = GetParam();
  for (bool drop_model : {false, true}) {
    auto fast = fast_validate_request(c.type, c.body, drop_model);
    Json parsed = Json::parse(c.body, nullptr, false);
    if (parsed.is_discarded()) {
      EXPECT_FALSE(fast.has_value()) << c.body;
      continue;
    }
    auto ref = validate_request(c.type, parsed);
    if (!ref.ok()) {
      EXPECT_FALSE(fast.has_value()) << "accepted an invalid body: " << c.body;
      continue;
    }
    EXPECT_EQ(fast.has_value(), c.expect_fast) << c.body;
    if (!fast) continue;
    if (drop_model) ref->payload.erase("model");
    EXPECT_EQ(fast->payload, to_text(ref->payload)) << c.body;
    EXPECT_EQ(fast->stream, ref->stream) << c.body;
    EXPECT_EQ(fast->model, ref->model) << c.body;
  }
}

INSTANTIATE_TEST_SUITE_P(Bodies, FastRequestPath, ::testing::ValuesIn(request_cases()),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(OpenAIPrepareSerialized, BuildsExactlyWhatPrepareBuilds) {
  for (auto type : {config::OpenAIApiType::OpenAI, config::OpenAIApiType::Azure,
                    config::OpenAIApiType::AzureAD}) {
    config::OpenAISettings s;
    s.api_type = type;
    s.api_key = config::Secret("sk-k");
    s.api_base = "https://example.test/v1";
    s.api_version = "2024-01-01";
    if (type != config::OpenAIApiType::OpenAI) s.deployment_name = "dep";
    for (std::optional<std::string> model :
         {std::optional<std::string>("gpt"), std::optional<std::string>()}) {
      OpenAIAdapter a(s, model);
      for (auto [ep, body] :
           {std::pair{EndpointType::Chat, R"({"messages":[{"role":"user","content":"a"}]})"},
            std::pair{EndpointType::Completions, R"({"prompt":"p"})"},
            std::pair{EndpointType::Embeddings, R"({"input":"x"})"}}) {
        RequestContext ctx{ep, kNow};
        auto ref = validate_request(ep, Json::parse(body));
        ASSERT_TRUE(ref.ok());
        auto call = a.prepare(ctx, ref->payload);
        ASSERT_TRUE(call.ok());
        const auto& want = std::get<UpstreamRequest>(*call);
        auto fast = fast_validate_request(ep, body, false);
        ASSERT_TRUE(fast.has_value());
        auto got = a.prepare_serialized(ctx, fast->payload);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->url, want.url);
        EXPECT_EQ(got->headers, want.headers);
        EXPECT_EQ(got->body, want.body);
        EXPECT_EQ(got->method, want.method);
      }
    }
  }
}

}  // namespace
}  // namespace gw
