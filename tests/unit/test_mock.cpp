// providers/mock: the built-in offline provider (not an MLflow provider; docs/providers.md,
// "mock"). Deterministic replies in the unified schemas (docs/mlflow-compatibility.md §4.5) for
// chat, completions and embeddings. The mock answers locally (no upstream wire format): its
// canonical chat and completions replies are in tests/fixtures/mock/ (README.md there).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <regex>
#include <string>

#include "fixture_file.h"
#include "providers/wire/base64.h"
#include "providers/mock.h"
#include "providers/schema.h"

namespace gw {
namespace {

using config::EndpointType;
using config::MockSettings;

Json J(const char* text) { return Json::parse(text); }

// A canonical unified response under tests/fixtures/mock/ (tests/fixtures/mock/README.md).
std::string fixture(const std::string& name) { return fixtures::read("mock/" + name); }

RequestContext ctx_for(EndpointType type, std::int64_t now = 1700000000) {
  RequestContext ctx;
  ctx.type = type;
  ctx.now = now;
  return ctx;
}

// Validates like the gateway does, then asks the adapter.
Json local_reply(const MockAdapter& a, EndpointType type, const char* body,
                 std::int64_t now = 1700000000) {
  auto v = validate_request(type, J(body));
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message());
  if (!v.ok()) return nullptr;
  auto call = a.prepare(ctx_for(type, now), v->payload);
  EXPECT_TRUE(call.ok());
  if (!call.ok()) return nullptr;
  EXPECT_TRUE(std::holds_alternative<Json>(*call)) << "mock must answer locally";
  if (!std::holds_alternative<Json>(*call)) return nullptr;
  return std::get<Json>(*call);
}

MockAdapter default_mock() { return MockAdapter(MockSettings{}, std::nullopt); }

// ---- chat -------------------------------------------------------------------------------------

TEST(MockChat, EchoesTheLastUserMessage) {
  MockAdapter a = default_mock();
  EXPECT_EQ(a.display_name(), "Mock");
  Json r = local_reply(a, EndpointType::Chat, R"({"messages":[
      {"role":"system","content":"You are terse."},
      {"role":"user","content":"first question"},
      {"role":"assistant","content":"first answer"},
      {"role":"user","content":"hello world"}]})",
                       1234);
  std::string id = r["id"].get<std::string>();
  EXPECT_TRUE(std::regex_match(id, std::regex("chatcmpl-mock-[0-9a-f]{16}"))) << id;
  Json expected = Json::parse(fixture("chat_response.json"));
  expected["id"] = id;
  EXPECT_EQ(to_text(r), to_text(expected));
}

TEST(MockChat, ModelNameFromConfig) {
  MockAdapter a(MockSettings{}, std::string("mock-gpt"));
  Json r = local_reply(a, EndpointType::Chat, R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r["model"], "mock-gpt");
}

TEST(MockChat, ContentPartsAreJoined) {
  MockAdapter a = default_mock();
  Json r = local_reply(a, EndpointType::Chat, R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"describe"},
      {"type":"image_url","image_url":{"url":"https://x/cat.png"}},
      {"type":"text","text":"this picture"}]}]})");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "Mock response to: describe this picture");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 3);
}

TEST(MockChat, NoUserMessageEchoesNothing) {
  MockAdapter a = default_mock();
  Json r = local_reply(a, EndpointType::Chat,
                       R"({"messages":[{"role":"system","content":"only a system prompt"}]})");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "Mock response to: ");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 4);
  EXPECT_EQ(r["usage"]["completion_tokens"], 3);
}

TEST(MockChat, ConfiguredResponseOverridesTheEcho) {
  MockSettings s;
  s.response = "It is always sunny.";
  MockAdapter a(s, std::nullopt);
  Json r =
      local_reply(a, EndpointType::Chat, R"({"messages":[{"role":"user","content":"weather?"}]})");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "It is always sunny.");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(to_text(r["usage"]), R"({"prompt_tokens":1,"completion_tokens":4,"total_tokens":5})");
}

TEST(MockChat, MaxTokensTruncatesWithFinishReasonLength) {
  MockAdapter a = default_mock();
  Json r =
      local_reply(a, EndpointType::Chat,
                  R"({"messages":[{"role":"user","content":"one two three"}],"max_tokens":2})");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "Mock response");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(to_text(r["usage"]), R"({"prompt_tokens":3,"completion_tokens":2,"total_tokens":5})");
}

TEST(MockChat, MaxTokensAtOrAboveTheLengthDoesNotTruncate) {
  MockAdapter a = default_mock();
  for (const char* max : {"4", "5", "100"}) {
    std::string body =
        std::string(R"({"messages":[{"role":"user","content":"a b"}],"max_tokens":)") + max + "}";
    Json r = local_reply(a, EndpointType::Chat, body.c_str());
    // "Mock response to: a b" is 5 words.
    if (std::string(max) == "4") {
      EXPECT_EQ(r["choices"][0]["message"]["content"], "Mock response to: a");
      EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
    } else {
      EXPECT_EQ(r["choices"][0]["message"]["content"], "Mock response to: a b") << max;
      EXPECT_EQ(r["choices"][0]["finish_reason"], "stop") << max;
    }
  }
}

TEST(MockChat, NChoicesAreIdenticalAndUsageCountsAll) {
  MockAdapter a = default_mock();
  Json r =
      local_reply(a, EndpointType::Chat, R"({"messages":[{"role":"user","content":"hi"}],"n":3})");
  ASSERT_EQ(r["choices"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r["choices"][i]["index"], i);
    EXPECT_EQ(r["choices"][i]["message"], r["choices"][0]["message"]);
    EXPECT_EQ(r["choices"][i]["finish_reason"], "stop");
  }
  // "Mock response to: hi" = 4 words per choice.
  EXPECT_EQ(to_text(r["usage"]), R"({"prompt_tokens":1,"completion_tokens":12,"total_tokens":13})");
}

// Found by tests/fuzz/fuzz_provider_request: every choice is built locally, so a large `n`
// (4888881 took 50 s) tied up a worker; more than 128 choices is a 422, as for a stream.
TEST(MockChat, AtMost128Choices) {
  MockAdapter a = default_mock();
  EXPECT_EQ(local_reply(a, EndpointType::Chat,
                        R"({"messages":[{"role":"user","content":"hi"}],"n":128})")["choices"]
                .size(),
            128u);
  for (auto [type, body] :
       {std::pair{EndpointType::Chat, R"({"messages":[{"role":"user","content":"hi"}],"n":129})"},
        std::pair{EndpointType::Completions, R"({"prompt":"","n":4888881})"},
        std::pair{EndpointType::Completions,
                  R"({"prompt":"p","n":9223372036854775807,"stream":true})"}}) {
    auto v = validate_request(type, J(body));
    ASSERT_TRUE(v.ok()) << body;
    auto call = a.prepare(ctx_for(type), v->payload);
    ASSERT_FALSE(call.ok()) << body;
    EXPECT_EQ(call.error().status, 422);
    EXPECT_EQ(call.error().message(), "The mock provider returns at most 128 choices (n).");
  }
}

TEST(MockChat, IdsAreDeterministic) {
  MockAdapter a = default_mock();
  MockAdapter b = default_mock();
  const char* body = R"({"messages":[{"role":"user","content":"same"}]})";
  Json r1 = local_reply(a, EndpointType::Chat, body, 1);
  Json r2 = local_reply(b, EndpointType::Chat, body, 999);
  EXPECT_EQ(r1["id"], r2["id"]);
  Json other =
      local_reply(a, EndpointType::Chat, R"({"messages":[{"role":"user","content":"other"}]})");
  EXPECT_NE(r1["id"], other["id"]);
  Json warmer = local_reply(a, EndpointType::Chat,
                            R"({"messages":[{"role":"user","content":"same"}],"temperature":1})");
  EXPECT_NE(r1["id"], warmer["id"]);
}

TEST(MockChat, CreatedIsTheInjectedClock) {
  MockAdapter a = default_mock();
  EXPECT_EQ(local_reply(a, EndpointType::Chat, R"({"messages":[{"role":"user","content":"x"}]})",
                        42)["created"],
            42);
}

// ---- completions ----------------------------------------------------------------------------

TEST(MockCompletions, EchoesThePrompt) {
  MockAdapter a = default_mock();
  Json r = local_reply(a, EndpointType::Completions, R"({"prompt":"This is a test"})", 77);
  std::string id = r["id"].get<std::string>();
  EXPECT_TRUE(std::regex_match(id, std::regex("cmpl-mock-[0-9a-f]{16}"))) << id;
  Json expected = Json::parse(fixture("completions_response.json"));
  expected["id"] = id;
  EXPECT_EQ(to_text(r), to_text(expected));
  EXPECT_EQ(local_reply(a, EndpointType::Completions, R"({"prompt":"This is a test"})", 1)["id"],
            id);
}

TEST(MockCompletions, ResponseMaxTokensAndN) {
  MockSettings s;
  s.response = "alpha beta gamma delta";
  MockAdapter a(s, std::string("m"));
  Json r = local_reply(a, EndpointType::Completions, R"({"prompt":"p q","max_tokens":3,"n":2})");
  ASSERT_EQ(r["choices"].size(), 2u);
  EXPECT_EQ(to_text(r["choices"]),
            R"([{"index":0,"text":"alpha beta gamma","finish_reason":"length"},)"
            R"({"index":1,"text":"alpha beta gamma","finish_reason":"length"}])");
  EXPECT_EQ(to_text(r["usage"]), R"({"prompt_tokens":2,"completion_tokens":6,"total_tokens":8})");
  EXPECT_EQ(r["model"], "m");
}

TEST(MockCompletions, EmptyPrompt) {
  MockAdapter a = default_mock();
  Json r = local_reply(a, EndpointType::Completions, R"({"prompt":""})");
  EXPECT_EQ(r["choices"][0]["text"], "Mock response to: ");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 0);
}

// ---- embeddings -----------------------------------------------------------------------------

double norm_of(const Json& v) {
  double s = 0;
  for (const auto& x : v) s += x.get<double>() * x.get<double>();
  return std::sqrt(s);
}

TEST(MockEmbeddings, ShapeAndUnitNorm) {
  MockAdapter a = default_mock();
  Json r = local_reply(a, EndpointType::Embeddings, R"({"input":["hello world","bye"]})");
  EXPECT_EQ(r["object"], "list");
  EXPECT_EQ(r["model"], "mock");
  EXPECT_EQ(to_text(r["usage"]), R"({"prompt_tokens":3,"total_tokens":3})");
  ASSERT_EQ(r["data"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const Json& d = r["data"][i];
    ASSERT_EQ(d.size(), 3u);
    auto it = d.begin();
    EXPECT_EQ(it.key(), "object");
    EXPECT_EQ(d["object"], "embedding");
    EXPECT_EQ(d["index"], i);
    ASSERT_TRUE(d["embedding"].is_array());
    EXPECT_EQ(d["embedding"].size(), 8u);  // default dimensions
    for (const auto& x : d["embedding"]) {
      ASSERT_TRUE(x.is_number_float());
      EXPECT_LE(std::fabs(x.get<double>()), 1.0);
    }
    EXPECT_NEAR(norm_of(d["embedding"]), 1.0, 1e-3);
  }
  EXPECT_NE(r["data"][0]["embedding"], r["data"][1]["embedding"]);
}

TEST(MockEmbeddings, SameInputSameVector) {
  MockAdapter a = default_mock();
  MockAdapter b = default_mock();
  Json single = local_reply(a, EndpointType::Embeddings, R"({"input":"the same text"})");
  Json in_list = local_reply(b, EndpointType::Embeddings, R"({"input":["other","the same text"]})");
  ASSERT_EQ(single["data"].size(), 1u);
  EXPECT_EQ(single["data"][0]["embedding"], in_list["data"][1]["embedding"]);
  EXPECT_NE(single["data"][0]["embedding"], in_list["data"][0]["embedding"]);
  Json again = local_reply(a, EndpointType::Embeddings, R"({"input":"the same text"})");
  EXPECT_EQ(to_text(again), to_text(single));
}

TEST(MockEmbeddings, DifferentInputDifferentVector) {
  MockAdapter a = default_mock();
  Json r1 = local_reply(a, EndpointType::Embeddings, R"({"input":"cat"})");
  Json r2 = local_reply(a, EndpointType::Embeddings, R"({"input":"cats"})");
  EXPECT_NE(r1["data"][0]["embedding"], r2["data"][0]["embedding"]);
}

class MockDimensions : public ::testing::TestWithParam<int> {};

TEST_P(MockDimensions, VectorLengthAndNorm) {
  MockSettings s;
  s.dimensions = GetParam();
  MockAdapter a(s, std::nullopt);
  Json r = local_reply(a, EndpointType::Embeddings, R"({"input":["x","y y"]})");
  for (const auto& d : r["data"]) {
    EXPECT_EQ(d["embedding"].size(), static_cast<std::size_t>(GetParam()));
    EXPECT_NEAR(norm_of(d["embedding"]), 1.0, 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, MockDimensions, ::testing::Values(1, 2, 3, 16, 256, 1536, 4096));

TEST(MockEmbeddings, TokenInputs) {
  MockAdapter a = default_mock();
  // [int]: one tokenised input; [[int]]: one input per list.
  Json one = local_reply(a, EndpointType::Embeddings, R"({"input":[1,2,3]})");
  EXPECT_EQ(one["data"].size(), 1u);
  Json two = local_reply(a, EndpointType::Embeddings, R"({"input":[[1,2,3],[4]]})");
  ASSERT_EQ(two["data"].size(), 2u);
  EXPECT_EQ(two["data"][0]["embedding"], one["data"][0]["embedding"]);
  EXPECT_NE(two["data"][0]["embedding"], two["data"][1]["embedding"]);
}

TEST(MockEmbeddings, EmptyListGivesNoVectors) {
  MockAdapter a = default_mock();
  Json r = local_reply(a, EndpointType::Embeddings, R"({"input":[]})");
  EXPECT_EQ(to_text(r), R"({"object":"list","data":[],"model":"mock",)"
                        R"("usage":{"prompt_tokens":0,"total_tokens":0}})");
}

TEST(MockAdapterParseReply, NeverHasAnUpstream) {
  MockAdapter a = default_mock();
  auto r = a.parse_reply(ctx_for(EndpointType::Chat), UpstreamReply{200, "application/json", "{}"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
}

TEST(MockMakeAdapter, BuildsMock) {
  config::EndpointConfig ep;
  ep.name = "mock-chat";
  ep.type = EndpointType::Chat;
  ep.model.id = config::ProviderId::Mock;
  ep.model.provider = "mock";
  ep.model.name = "mock-1";
  MockSettings s;
  s.response = "fixed";
  ep.model.settings = s;
  auto adapter = make_adapter(ep);
  ASSERT_NE(adapter, nullptr);
  EXPECT_EQ(adapter->display_name(), "Mock");
  auto call = adapter->prepare(
      ctx_for(EndpointType::Chat),
      J(R"({"temperature":0.0,"n":1,"messages":[{"role":"user","content":"q"}]})"));
  ASSERT_TRUE(call.ok());
  const Json& r = std::get<Json>(*call);
  EXPECT_EQ(r["model"], "mock-1");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "fixed");
}

TEST(MockEmbeddings, Base64EncodingIsLittleEndianFloat32OfTheSameVector) {
  MockAdapter a = default_mock();
  Json floats = local_reply(a, EndpointType::Embeddings, R"({"input":"abc"})");
  Json b64 =
      local_reply(a, EndpointType::Embeddings, R"({"input":"abc","encoding_format":"base64"})");
  ASSERT_TRUE(b64["data"][0]["embedding"].is_string());
  auto raw = base64_decode(b64["data"][0]["embedding"].get<std::string>());
  ASSERT_TRUE(raw.has_value());
  ASSERT_EQ(raw->size(), 8 * sizeof(float));
  for (std::size_t i = 0; i < 8; ++i) {
    float f;
    std::memcpy(&f, raw->data() + i * sizeof f, sizeof f);
    EXPECT_NEAR(f, floats["data"][0]["embedding"][i].get<double>(), 1e-6);
  }
}

TEST(MockChat, ModelInTheBodyIsRejectedLikeEveryProvider) {
  MockAdapter a = default_mock();
  auto call = a.prepare(ctx_for(EndpointType::Chat),
                        J(R"({"model":"x","messages":[{"role":"user","content":"q"}]})"));
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().status, 422);
  EXPECT_EQ(call.error().message(), model_not_permitted().message());
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

// The mock's stream mirrors a translated OpenAI stream: a completions chunk without text (the
// last, with the finish reason) has text null, as MLflow sends it; the stream's usage travels
// beside the chunks for the access log whether or not the client asked for a usage chunk.
TEST(MockStream, LastCompletionsChunkHasTextNullAndUsageIsKept) {
  MockAdapter a(config::MockSettings{}, std::string("mock-model"));
  RequestContext ctx{config::EndpointType::Completions, 1700000000};
  auto v = validate_request(ctx.type, Json::parse(R"({"prompt":"hello there","stream":true})"));
  ASSERT_TRUE(v.ok());
  auto call = a.prepare(ctx, v->payload);
  ASSERT_TRUE(call.ok());
  ASSERT_TRUE(std::holds_alternative<LocalStream>(*call));
  const LocalStream& s = std::get<LocalStream>(*call);
  ASSERT_GE(s.chunks.size(), 2u);
  const Json last = Json::parse(s.chunks.back());
  EXPECT_TRUE(last["choices"][0]["text"].is_null()) << s.chunks.back();
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
  ASSERT_TRUE(s.usage.is_object());
  EXPECT_EQ(s.usage["prompt_tokens"].get<int>() + s.usage["completion_tokens"].get<int>(),
            s.usage["total_tokens"].get<int>());
  for (const auto& c : s.chunks) EXPECT_EQ(c.find("\"usage\""), std::string::npos) << c;
}

}  // namespace
}  // namespace gw
