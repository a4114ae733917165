// providers/openai: golden translation tests (docs/mlflow-compatibility.md §6.1) for api types
// openai / azure / azuread, request side (URL, headers, body) and response side (upstream bodies
// from OpenAI's API reference, in tests/fixtures/openai/, -> the unified schema of
// mlflow-compatibility §4.5).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "providers/openai.h"
#include "fixture_file.h"
#include "providers/schema.h"

namespace gw {
namespace {

using config::EndpointType;
using config::OpenAIApiType;
using config::OpenAISettings;
using Headers = std::vector<std::pair<std::string, std::string>>;

Json J(const char* text) { return Json::parse(text); }

std::string fixture(const std::string& name) { return fixtures::read("openai/" + name); }

OpenAISettings openai_settings() {
  OpenAISettings s;
  s.api_type = OpenAIApiType::OpenAI;
  s.api_key = config::Secret("sk-test-key");
  s.api_base = "https://api.openai.com/v1";
  return s;
}

OpenAISettings azure_settings(OpenAIApiType type) {
  OpenAISettings s;
  s.api_type = type;
  s.api_key = config::Secret("azure-key");
  s.api_base = "https://test-azureopenai.openai.azure.com/";
  s.api_version = "2023-05-15";
  s.deployment_name = "test-gpt35";
  return s;
}

RequestContext ctx_for(EndpointType type, std::int64_t now = 1700000000) {
  RequestContext ctx;
  ctx.type = type;
  ctx.now = now;
  return ctx;
}

UpstreamRequest prepare_ok(const Adapter& a, EndpointType type, const Json& payload) {
  auto call = a.prepare(ctx_for(type), payload);
  EXPECT_TRUE(call.ok()) << (call.ok() ? "" : call.error().message());
  if (!call.ok()) return {};
  EXPECT_TRUE(std::holds_alternative<UpstreamRequest>(*call));
  if (!std::holds_alternative<UpstreamRequest>(*call)) return {};
  return std::get<UpstreamRequest>(*call);
}

Headers sorted(Headers h) {
  std::sort(h.begin(), h.end());
  return h;
}

// ---- request translation: the api_type x endpoint type table --------------------------------

struct RequestCase {
  const char* name;
  OpenAIApiType api_type;
  EndpointType type;
  const char* payload;
  const char* url;
  Headers headers;
  const char* body;
};

const char* kChatPayload =
    R"({"temperature":0.5,"n":1,"messages":[{"role":"system","content":"Be brief."},)"
    R"({"role":"user","content":"Tell me a joke"}]})";
const char* kCompletionsPayload = R"({"temperature":0.0,"n":1,"prompt":"This is a test"})";
const char* kEmbeddingsPayload = R"({"input":["a sentence","another one"]})";

const Headers kOpenAIHeaders = {{"Content-Type", "application/json"},
                                {"Authorization", "Bearer sk-test-key"}};
const Headers kAzureHeaders = {{"Content-Type", "application/json"}, {"api-key", "azure-key"}};
const Headers kAzureADHeaders = {{"Content-Type", "application/json"},
                                 {"Authorization", "Bearer azure-key"}};

class OpenAIRequest : public ::testing::TestWithParam<RequestCase> {};

TEST_P(OpenAIRequest, Golden) {
  const RequestCase& c = GetParam();
  OpenAISettings s =
      c.api_type == OpenAIApiType::OpenAI ? openai_settings() : azure_settings(c.api_type);
  std::string model = c.type == EndpointType::Embeddings ? "text-embedding-ada-002"
                      : c.type == EndpointType::Chat     ? "gpt-4o-mini"
                                                         : "gpt-3.5-turbo-instruct";
  OpenAIAdapter adapter(s, model);
  EXPECT_EQ(adapter.display_name(), "OpenAI");
  UpstreamRequest req = prepare_ok(adapter, c.type, J(c.payload));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, c.url);
  EXPECT_EQ(sorted(req.headers), sorted(c.headers));
  // The body is compact JSON with the model first (type openai) and the payload's order kept.
  EXPECT_EQ(req.body, to_text(J(c.body)));
}

INSTANTIATE_TEST_SUITE_P(
    Table, OpenAIRequest,
    ::testing::Values(
        RequestCase{"openai_chat", OpenAIApiType::OpenAI, EndpointType::Chat, kChatPayload,
                    "https://api.openai.com/v1/chat/completions", kOpenAIHeaders,
                    R"({"model":"gpt-4o-mini","temperature":0.5,"n":1,"messages":[)"
                    R"({"role":"system","content":"Be brief."},)"
                    R"({"role":"user","content":"Tell me a joke"}]})"},
        RequestCase{"openai_completions", OpenAIApiType::OpenAI, EndpointType::Completions,
                    kCompletionsPayload, "https://api.openai.com/v1/completions", kOpenAIHeaders,
                    R"({"model":"gpt-3.5-turbo-instruct","temperature":0.0,"n":1,)"
                    R"("prompt":"This is a test"})"},
        RequestCase{"openai_embeddings", OpenAIApiType::OpenAI, EndpointType::Embeddings,
                    kEmbeddingsPayload, "https://api.openai.com/v1/embeddings", kOpenAIHeaders,
                    R"({"model":"text-embedding-ada-002","input":["a sentence","another one"]})"},
        RequestCase{"azure_chat", OpenAIApiType::Azure, EndpointType::Chat, kChatPayload,
                    "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                    "chat/completions?api-version=2023-05-15",
                    kAzureHeaders, kChatPayload},
        RequestCase{"azure_completions", OpenAIApiType::Azure, EndpointType::Completions,
                    kCompletionsPayload,
                    "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                    "completions?api-version=2023-05-15",
                    kAzureHeaders, kCompletionsPayload},
        RequestCase{"azure_embeddings", OpenAIApiType::Azure, EndpointType::Embeddings,
                    kEmbeddingsPayload,
                    "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                    "embeddings?api-version=2023-05-15",
                    kAzureHeaders, kEmbeddingsPayload},
        RequestCase{"azuread_chat", OpenAIApiType::AzureAD, EndpointType::Chat, kChatPayload,
                    "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                    "chat/completions?api-version=2023-05-15",
                    kAzureADHeaders, kChatPayload},
        RequestCase{"azuread_completions", OpenAIApiType::AzureAD, EndpointType::Completions,
                    kCompletionsPayload,
                    "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                    "completions?api-version=2023-05-15",
                    kAzureADHeaders, kCompletionsPayload},
        RequestCase{"azuread_embeddings", OpenAIApiType::AzureAD, EndpointType::Embeddings,
                    kEmbeddingsPayload,
                    "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                    "embeddings?api-version=2023-05-15",
                    kAzureADHeaders, kEmbeddingsPayload}),
    [](const ::testing::TestParamInfo<RequestCase>& info) { return info.param.name; });

TEST(OpenAIRequestExtras, SpecExampleAzureCompletionsUrl) {
  OpenAIAdapter adapter(azure_settings(OpenAIApiType::Azure), "gpt-35-turbo");
  UpstreamRequest req = prepare_ok(adapter, EndpointType::Completions, J(kCompletionsPayload));
  EXPECT_EQ(req.url,
            "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
            "completions?api-version=2023-05-15");
}

TEST(OpenAIRequestExtras, AzureBaseWithoutTrailingSlash) {
  OpenAISettings s = azure_settings(OpenAIApiType::Azure);
  s.api_base = "https://test-azureopenai.openai.azure.com";
  OpenAIAdapter adapter(s, std::nullopt);
  EXPECT_EQ(prepare_ok(adapter, EndpointType::Chat, J(kChatPayload)).url,
            "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
            "chat/completions?api-version=2023-05-15");
}

TEST(OpenAIRequestExtras, AzureBaseWithAQueryKeepsOneQueryString) {
  OpenAISettings s = azure_settings(OpenAIApiType::Azure);
  s.api_base = "https://gw.example.com/proxy/?tenant=a";
  OpenAIAdapter adapter(s, std::nullopt);
  EXPECT_EQ(prepare_ok(adapter, EndpointType::Embeddings, J(kEmbeddingsPayload)).url,
            "https://gw.example.com/proxy/openai/deployments/test-gpt35/embeddings"
            "?tenant=a&api-version=2023-05-15");
}

TEST(OpenAIRequestExtras, ApiVersionIsPercentEncoded) {
  OpenAISettings s = azure_settings(OpenAIApiType::AzureAD);
  s.api_version = "2024 05&x";
  OpenAIAdapter adapter(s, std::nullopt);
  EXPECT_EQ(prepare_ok(adapter, EndpointType::Chat, J(kChatPayload)).url,
            "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
            "chat/completions?api-version=2024%2005%26x");
}

TEST(OpenAIRequestExtras, OrganizationHeader) {
  OpenAISettings s = openai_settings();
  s.organization = "org-123";
  OpenAIAdapter adapter(s, "gpt-4o-mini");
  UpstreamRequest req = prepare_ok(adapter, EndpointType::Chat, J(kChatPayload));
  EXPECT_EQ(sorted(req.headers), sorted(Headers{{"Content-Type", "application/json"},
                                                {"Authorization", "Bearer sk-test-key"},
                                                {"OpenAI-Organization", "org-123"}}));
}

TEST(OpenAIRequestExtras, OrganizationIsOnlySentForTypeOpenAI) {
  OpenAISettings s = azure_settings(OpenAIApiType::AzureAD);
  s.organization = "org-123";
  OpenAIAdapter adapter(s, std::nullopt);
  EXPECT_EQ(sorted(prepare_ok(adapter, EndpointType::Chat, J(kChatPayload)).headers),
            sorted(kAzureADHeaders));
}

TEST(OpenAIRequestExtras, OpenAITypeWithApiVersionAddsTheQuery) {
  OpenAISettings s = openai_settings();
  s.api_base = "https://my-proxy.example.com/v1/";
  s.api_version = "2024-02-15-preview";
  OpenAIAdapter adapter(s, "gpt-4o-mini");
  EXPECT_EQ(prepare_ok(adapter, EndpointType::Chat, J(kChatPayload)).url,
            "https://my-proxy.example.com/v1/chat/completions?api-version=2024-02-15-preview");
}

TEST(OpenAIRequestExtras, OpenAITypeWithoutModelNameSendsPayloadOnly) {
  OpenAIAdapter adapter(openai_settings(), std::nullopt);
  EXPECT_EQ(prepare_ok(adapter, EndpointType::Completions, J(kCompletionsPayload)).body,
            to_text(J(kCompletionsPayload)));
}

TEST(OpenAIRequestExtras, ExtrasAndStreamAreForwarded) {
  OpenAIAdapter adapter(openai_settings(), "gpt-4o-mini");
  auto v = validate_request(EndpointType::Chat, J(R"({"messages":[{"role":"user","content":"hi",
      "name":"bob"}],"stream":true,"top_p":0.2,"user":null,"response_format":{"type":"json_object"}})"));
  ASSERT_TRUE(v.ok());
  UpstreamRequest req = prepare_ok(adapter, EndpointType::Chat, v->payload);
  EXPECT_EQ(req.body,
            R"({"model":"gpt-4o-mini","temperature":0.0,"n":1,"stream":true,)"
            R"("messages":[{"role":"user","content":"hi"}],"top_p":0.2,)"
            R"("response_format":{"type":"json_object"},"stream_options":{"include_usage":true}})");
}

TEST(OpenAIRequestExtras, StreamsAskForUsageUnlessTheClientSaidOtherwise) {
  OpenAIAdapter adapter(openai_settings(), "gpt-4o-mini");
  auto v = validate_request(EndpointType::Chat, J(R"({"messages":[{"role":"user","content":"hi"}],
      "stream":true,"stream_options":{"include_usage":false}})"));
  ASSERT_TRUE(v.ok());
  UpstreamRequest req = prepare_ok(adapter, EndpointType::Chat, v->payload);
  EXPECT_EQ(J(req.body.c_str())["stream_options"], J(R"({"include_usage":false})"));
  auto plain =
      validate_request(EndpointType::Chat, J(R"({"messages":[{"role":"user","content":"hi"}]})"));
  EXPECT_FALSE(J(prepare_ok(adapter, EndpointType::Chat, plain->payload).body.c_str())
                   .contains("stream_options"));
}

TEST(OpenAIRequestExtras, ModelInPayloadIsA422ForEveryType) {
  const char* text =
      "The parameter 'model' is not permitted to be passed. The route being queried already "
      "defines a model instance.";
  for (OpenAIApiType api : {OpenAIApiType::OpenAI, OpenAIApiType::Azure, OpenAIApiType::AzureAD}) {
    OpenAIAdapter adapter(api == OpenAIApiType::OpenAI ? openai_settings() : azure_settings(api),
                          "gpt-4o-mini");
    for (EndpointType t :
         {EndpointType::Chat, EndpointType::Completions, EndpointType::Embeddings}) {
      Json payload = J(R"({"model":"gpt-4","temperature":0.0,"n":1,"prompt":"p","input":"x",
                           "messages":[{"role":"user","content":"hi"}]})");
      auto call = adapter.prepare(ctx_for(t), payload);
      ASSERT_FALSE(call.ok());
      EXPECT_EQ(call.error().status, 422);
      EXPECT_EQ(to_text(call.error().detail), to_text(Json(text)));
      EXPECT_EQ(call.error().message(), text);
    }
  }
  EXPECT_EQ(model_not_permitted().status, 422);
  EXPECT_EQ(model_not_permitted().message(), text);
}

TEST(OpenAIRequestExtras, MakeAdapterBuildsOpenAI) {
  config::EndpointConfig ep;
  ep.name = "chat";
  ep.type = EndpointType::Chat;
  ep.model.provider = "openai";
  ep.model.name = "gpt-4o-mini";
  ep.model.settings = openai_settings();
  auto adapter = make_adapter(ep);
  ASSERT_NE(adapter, nullptr);
  EXPECT_EQ(adapter->display_name(), "OpenAI");
  UpstreamRequest req = prepare_ok(*adapter, EndpointType::Chat, J(kChatPayload));
  EXPECT_EQ(req.url, "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(J(req.body.c_str())["model"], "gpt-4o-mini");
}

// ---- response translation -------------------------------------------------------------------

struct ReplyCase {
  const char* name;
  EndpointType type;
  const char* fixture;
  const char* expected;
};

class OpenAIReply : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(OpenAIReply, Golden) {
  const ReplyCase& c = GetParam();
  for (OpenAIApiType api : {OpenAIApiType::OpenAI, OpenAIApiType::Azure}) {
    OpenAIAdapter adapter(api == OpenAIApiType::OpenAI ? openai_settings() : azure_settings(api),
                          "gpt-4o-mini");
    auto r = adapter.parse_reply(ctx_for(c.type),
                                 UpstreamReply{200, "application/json", fixture(c.fixture)});
    ASSERT_TRUE(r.ok()) << r.error().message();
    // Text comparison: field order and the presence of null-valued keys both matter.
    EXPECT_EQ(to_text(*r), to_text(J(c.expected)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, OpenAIReply,
    ::testing::Values(
        ReplyCase{"chat", EndpointType::Chat, "chat_completion.json",
                  R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion",
                      "created":1741569952,"model":"gpt-4.1-2025-04-14",
                      "choices":[{"index":0,"message":{"role":"assistant",
                        "content":"Hello! How can I assist you today?","tool_calls":null,
                        "refusal":null},"finish_reason":"stop"}],
                      "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}})"},
        ReplyCase{"chat_tool_calls", EndpointType::Chat, "chat_tool_calls.json",
                  R"({"id":"chatcmpl-abc123","object":"chat.completion","created":1699896916,
                      "model":"gpt-4o-mini",
                      "choices":[{"index":0,"message":{"role":"assistant","content":null,
                        "tool_calls":[{"id":"call_abc123","type":"function","function":{
                          "name":"get_current_weather",
                          "arguments":"{\n\"location\": \"Boston, MA\"\n}"}}],
                        "refusal":null},"finish_reason":"tool_calls"}],
                      "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}})"},
        ReplyCase{"chat_refusal", EndpointType::Chat, "chat_refusal.json",
                  R"({"id":"chatcmpl-9nYAG9LPNonX8DAyrkwYfemr3C8HC","object":"chat.completion",
                      "created":1721596428,"model":"gpt-4o-2024-08-06",
                      "choices":[{"index":0,"message":{"role":"assistant","content":null,
                        "tool_calls":null,
                        "refusal":"I'm sorry, I cannot assist with that request."},
                        "finish_reason":"stop"}],
                      "usage":{"prompt_tokens":81,"completion_tokens":11,"total_tokens":92}})"},
        ReplyCase{"completions", EndpointType::Completions, "text_completion.json",
                  R"({"id":"cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7","object":"text_completion",
                      "created":1589478378,"model":"gpt-3.5-turbo-instruct",
                      "choices":[{"index":0,"text":"\n\nThis is indeed a test",
                                  "finish_reason":"length"}],
                      "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})"},
        ReplyCase{"completions_from_chat_shape", EndpointType::Completions,
                  "chat_for_completions.json",
                  R"({"id":"chatcmpl-123","object":"text_completion","created":1677652288,
                      "model":"gpt-4o-mini",
                      "choices":[{"index":0,"text":"\n\nHello there, how may I assist you today?",
                                  "finish_reason":"stop"},
                                 {"index":1,"text":"","finish_reason":"content_filter"}],
                      "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}})"},
        ReplyCase{"chat_two_choices", EndpointType::Chat, "chat_for_completions.json",
                  R"({"id":"chatcmpl-123","object":"chat.completion","created":1677652288,
                      "model":"gpt-4o-mini",
                      "choices":[{"index":0,"message":{"role":"assistant",
                        "content":"\n\nHello there, how may I assist you today?",
                        "tool_calls":null,"refusal":null},"finish_reason":"stop"},
                                 {"index":1,"message":{"role":"assistant","content":null,
                        "tool_calls":null,"refusal":null},"finish_reason":"content_filter"}],
                      "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}})"},
        ReplyCase{"embeddings", EndpointType::Embeddings, "embeddings.json",
                  R"({"object":"list","data":[
                        {"object":"embedding","embedding":[0.0023064255,-0.009327292,-0.0028842222],
                         "index":0},
                        {"object":"embedding","embedding":[-0.0069352793,0.015438352,0.0043216],
                         "index":1}],
                      "model":"text-embedding-ada-002",
                      "usage":{"prompt_tokens":8,"total_tokens":8}})"}),
    [](const ::testing::TestParamInfo<ReplyCase>& info) { return info.param.name; });

OpenAIAdapter plain_adapter() { return OpenAIAdapter(openai_settings(), "gpt-4o-mini"); }

Result<Json> reply(EndpointType type, const char* body, std::int64_t now = 1700000000) {
  static const OpenAIAdapter adapter = plain_adapter();
  return adapter.parse_reply(ctx_for(type, now), UpstreamReply{200, "application/json", body});
}

TEST(OpenAIReplyShapes, MinimalChatGetsDefaultsAndNulls) {
  auto r = reply(EndpointType::Chat, R"({"choices":[{"message":{"content":"hi"}}]})", 1234);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(to_text(*r),
            R"({"id":null,"object":"chat.completion","created":1234,"model":null,)"
            R"("choices":[{"index":0,"message":{"role":"assistant","content":"hi",)"
            R"("tool_calls":null,"refusal":null},"finish_reason":null}],)"
            R"("usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
}

TEST(OpenAIReplyShapes, ChoiceIndexIsThePosition) {
  auto r = reply(EndpointType::Chat,
                 R"({"id":"x","created":1,"model":"m","choices":[
                      {"index":5,"message":{"role":"assistant","content":"a"},"finish_reason":"stop"},
                      {"index":3,"message":{"role":"assistant","content":"b"},"finish_reason":"stop"}],
                    "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["choices"][0]["index"], 0);
  EXPECT_EQ((*r)["choices"][0]["message"]["content"], "a");
  EXPECT_EQ((*r)["choices"][1]["index"], 1);
}

TEST(OpenAIReplyShapes, ToolCallWithoutTypeDefaultsToFunction) {
  auto r = reply(EndpointType::Chat,
                 R"({"id":"x","created":1,"model":"m","choices":[{"message":{"role":"assistant",
                      "tool_calls":[{"id":"c1","function":{"name":"f"}}]},"finish_reason":"tool_calls"}],
                    "usage":{}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(to_text((*r)["choices"][0]["message"]["tool_calls"]),
            R"([{"id":"c1","type":"function","function":{"name":"f","arguments":null}}])");
}

TEST(OpenAIReplyShapes, Base64EmbeddingIsPassedThrough) {
  auto r = reply(
      EndpointType::Embeddings,
      R"({"object":"list","data":[{"object":"embedding","embedding":"AACAPwAAAEA=","index":0}],
                    "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["data"][0]["embedding"], "AACAPwAAAEA=");
}

TEST(OpenAIReplyErrors, MissingChoicesIsA502) {
  for (EndpointType t : {EndpointType::Chat, EndpointType::Completions}) {
    auto r = reply(t, R"({"id":"x","object":"chat.completion","created":1,"model":"m"})");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 502);
    EXPECT_EQ(r.error().message(),
              "The upstream returned a malformed response: 'choices' is missing");
  }
  auto not_a_list = reply(EndpointType::Chat, R"({"choices":{"0":{}}})");
  ASSERT_FALSE(not_a_list.ok());
  EXPECT_EQ(not_a_list.error().status, 502);
}

TEST(OpenAIReplyErrors, ChatChoiceWithoutMessageIsA502) {
  auto r = reply(EndpointType::Chat, R"({"choices":[{"text":"legacy"}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(),
            "The upstream returned a malformed response: a choice has no 'message'");
}

TEST(OpenAIReplyErrors, EmbeddingsWithoutDataIsA502) {
  auto r = reply(EndpointType::Embeddings, R"({"object":"list","model":"m"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(), "The upstream returned a malformed response: 'data' is missing");
  auto no_vector = reply(EndpointType::Embeddings, R"({"data":[{"index":0}]})");
  ASSERT_FALSE(no_vector.ok());
  EXPECT_EQ(no_vector.error().status, 502);
}

TEST(OpenAIReplyErrors, NonObjectBodyIsA502) {
  auto r = reply(EndpointType::Chat, "[]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
}

TEST(OpenAIReplyErrors, UpstreamErrorStatusIsPassedThrough) {
  OpenAIAdapter adapter = plain_adapter();
  auto r = adapter.parse_reply(
      ctx_for(EndpointType::Chat),
      UpstreamReply{
          401, "application/json",
          R"({"error":{"message":"Incorrect API key provided: sk-test. You can find your )"
          R"(API key at https://platform.openai.com/account/api-keys.",)"
          R"("type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(r.error().message(),
            "Incorrect API key provided: sk-test. You can find your API key at "
            "https://platform.openai.com/account/api-keys.");
}

TEST(OpenAIReplyErrors, HtmlReplyIsA502) {
  OpenAIAdapter adapter = plain_adapter();
  auto r = adapter.parse_reply(ctx_for(EndpointType::Chat),
                               UpstreamReply{200, "text/html", "<html></html>"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(),
            "The returned data type from the route service is not supported. Received content "
            "type: text/html");
}

}  // namespace
}  // namespace gw
