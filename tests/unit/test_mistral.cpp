// providers/mistral: golden translation tests (docs/mlflow-compatibility.md §6.5 and
// docs/deviations.md). Upstream replies and stream events follow Mistral's API reference:
//   https://docs.mistral.ai/api/#tag/chat, https://docs.mistral.ai/api/#tag/embeddings
// The golden upstream bodies and the chat stream are in tests/fixtures/mistral/ (README.md there).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using testing::expect_error;
using testing::texts;

using testing::header;
using testing::prepare;
using testing::reply;
using testing::run_stream;
using testing::subject;
const char* kNotPermitted =
    "The parameter 'model' is not permitted to be passed. The route being queried already "
    "defines a model instance.";

const char* kMistral = "{mistral_api_key: mkey}";
testing::Subject mistral(const char* type, const char* model = "mistral-small-latest") {
  return subject(type, "mistral", model, kMistral);
}

// A file under tests/fixtures/mistral/ (tests/fixtures/mistral/README.md).
std::string fixture(const std::string& name) { return testing::fixture("mistral/" + name); }

TEST(MistralChat, GoldenRequest) {
  auto s = mistral("llm/v1/chat");
  EXPECT_EQ(s.adapter->display_name(), "Mistral");
  auto req = upstream_request(s, R"({"messages":[{"role":"user",
      "content":"Who is the best French painter? Answer in one short sentence."}],"temperature":0.7})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://api.mistral.ai/v1/chat/completions");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Authorization"), "Bearer mkey");
  // {"model", ...payload}: temperature halved, the default n (1) left out.
  EXPECT_EQ(req.body,
            R"({"model":"mistral-small-latest","temperature":0.35,"messages":[{"role":"user",)"
            R"("content":"Who is the best French painter? Answer in one short sentence."}]})");
}

TEST(MistralChat, OtherFieldsPassThroughAndStreamOptionsAreDropped) {
  auto s = subject("llm/v1/chat", "mistral", "mistral-large-latest",
                   "{mistral_api_key: mkey, mistral_api_base: 'http://127.0.0.1:8080/v1'}");
  auto req = upstream_request(s, R"({"messages":[{"role":"user","content":"hi"}],"n":2,
      "stop":["\n"],"max_tokens":5,"stream":true,"stream_options":{"include_usage":true},
      "random_seed":7})");
  EXPECT_EQ(req.url, "http://127.0.0.1:8080/v1/chat/completions");
  EXPECT_EQ(
      req.body,
      R"({"model":"mistral-large-latest","temperature":0.0,"n":2,"stop":["\n"],"max_tokens":5,)"
      R"("stream":true,"messages":[{"role":"user","content":"hi"}],"random_seed":7})");
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"hi"}],"model":"x"})"), 422,
               kNotPermitted);
}

TEST(MistralChat, GoldenResponse) {
  // https://docs.mistral.ai/api/#tag/chat (200 application/json).
  auto r = reply(mistral("llm/v1/chat"), 200, fixture("chat_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion","created":1702256327,)"
      R"("model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"Claude Monet.","tool_calls":null,"refusal":null},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":16,"completion_tokens":5,"total_tokens":21}})");
  auto tools =
      reply(mistral("llm/v1/chat"), 200, R"({"id":"x","object":"chat.completion","created":1,
      "model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"","tool_calls":[
      {"id":"D681PevKs","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]},
      "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
  ASSERT_TRUE(tools.ok());
  EXPECT_EQ(
      to_text((*tools)["choices"][0]["message"]["tool_calls"]),
      R"([{"id":"D681PevKs","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}])");
}

TEST(MistralCompletions, GoldenRequest) {
  auto req = upstream_request(
      mistral("llm/v1/completions"),
      R"({"prompt":"This is a test","n":1,"stop":["foobar"],"temperature":0.5,"max_tokens":50})");
  EXPECT_EQ(req.url, "https://api.mistral.ai/v1/chat/completions");
  EXPECT_EQ(header(req, "Authorization"), "Bearer mkey");
  // stop and n removed, temperature halved, the prompt becomes one user message.
  EXPECT_EQ(req.body, R"({"model":"mistral-small-latest","temperature":0.25,"max_tokens":50,)"
                      R"("messages":[{"role":"user","content":"This is a test"}]})");
  expect_error(prepare(mistral("llm/v1/completions"), R"({"prompt":"x","model":"y"})"), 422,
               kNotPermitted);
}

TEST(MistralCompletions, GoldenResponse) {
  auto r = reply(mistral("llm/v1/completions"), 200, fixture("chat_for_completions.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":null,"object":"text_completion","created":1700000000,"model":"mistral-small-latest",)"
      R"("choices":[{"index":0,"text":"a test of the system.","finish_reason":"length"}],)"
      R"("usage":{"prompt_tokens":10,"completion_tokens":6,"total_tokens":16}})");
  // Reasoning models answer with content parts: their text parts are the text.
  auto parts = reply(mistral("llm/v1/completions"), 200, R"({"choices":[{"message":{"content":[
      {"type":"thinking","thinking":[]},{"type":"text","text":"42"}]},"finish_reason":"stop"}]})");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ((*parts)["choices"][0]["text"], "42");
  EXPECT_EQ(to_text((*parts)["usage"]),
            R"({"prompt_tokens":null,"completion_tokens":null,"total_tokens":null})");
}

TEST(MistralEmbeddings, GoldenRequestAndResponse) {
  auto s = mistral("llm/v1/embeddings", "mistral-embed");
  auto req = upstream_request(s, R"({"input":["Embed this sentence.","As well as this one."]})");
  EXPECT_EQ(req.url, "https://api.mistral.ai/v1/embeddings");
  EXPECT_EQ(req.body,
            R"({"model":"mistral-embed","input":["Embed this sentence.","As well as this one."]})");
  expect_error(prepare(s, R"({"input":"x","model":"y"})"), 422, kNotPermitted);
  // https://docs.mistral.ai/api/#tag/embeddings; the upstream index is kept.
  auto r = reply(s, 200, fixture("embeddings_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"object":"list","data":[{"object":"embedding","embedding":[-0.0165,0.0716],"index":1},)"
      R"({"object":"embedding","embedding":[0.0123,-0.0456],"index":0}],"model":"mistral-embed",)"
      R"("usage":{"prompt_tokens":15,"total_tokens":15}})");
  EXPECT_EQ(s.adapter->stream_translator(s.ctx, false), nullptr);
}

TEST(MistralErrors, ErrorBodiesAndMalformedReplies) {
  auto chat = mistral("llm/v1/chat");
  auto e = reply(chat, 401, R"({"message":"Unauthorized","request_id":"0cd6c4fe"})");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 401);
  EXPECT_EQ(e.error().message(), "Unauthorized");
  auto obj = reply(chat, 400, fixture("error.json"));
  ASSERT_FALSE(obj.ok());
  EXPECT_EQ(obj.error().status, 400);
  EXPECT_EQ(obj.error().message(), "Invalid model: nope");
  const std::string detail =
      R"({"detail":[{"type":"extra_forbidden","loc":["body","foo"],"msg":"Extra inputs are not permitted"}]})";
  auto v = reply(chat, 422, detail);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().status, 422);
  EXPECT_EQ(to_text(v.error().detail), detail);

  const std::vector<std::pair<const char*, const char*>> bad = {
      {"llm/v1/chat", "{}"},
      {"llm/v1/chat", "[]"},
      {"llm/v1/chat", R"({"choices":[{"index":0}]})"},
      {"llm/v1/chat", R"({"choices":"x"})"},
      {"llm/v1/completions", "{}"},
      {"llm/v1/completions", "null"},
      {"llm/v1/completions", R"({"choices":[{"text":"legacy"}]})"},
      {"llm/v1/completions", R"({"choices":[5]})"},
      {"llm/v1/embeddings", "{}"},
      {"llm/v1/embeddings", R"({"data":[{"index":0}]})"},
      {"llm/v1/embeddings", R"({"data":[7]})"},
      {"llm/v1/embeddings", R"({"data":{}})"},
  };
  for (const auto& [type, body] : bad) {
    auto r = reply(mistral(type), 200, body);
    ASSERT_FALSE(r.ok()) << type << " " << body;
    EXPECT_EQ(r.error().status, 502) << type << " " << body;
  }
}

// An OpenAI-style Mistral stream: usage on the last chunk, then [DONE].
std::string chat_stream() { return fixture("chat_stream.txt"); }

TEST(MistralStream, ChatStreamWholeAndBytewiseWithAndWithoutUsage) {
  auto s = mistral("llm/v1/chat");
  const std::string stream = chat_stream();
  const std::vector<std::string> want = {
      R"({"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"finish_reason":null,"delta":{"role":"assistant","content":"","tool_calls":null}}]})",
      R"({"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"finish_reason":null,"delta":{"role":null,"content":"Claude Monet.","tool_calls":null}}]})",
      R"({"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"finish_reason":"stop","delta":{"role":null,"content":"","tool_calls":null}}]})",
  };
  const std::string usage =
      R"({"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[],"usage":{"prompt_tokens":16,"completion_tokens":5,"total_tokens":21}})";
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s, stream, /*wants_usage=*/false, bytewise);
    ASSERT_FALSE(out.error) << out.error->message();
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(texts(out.chunks), want);
    auto with = run_stream(s, stream, /*wants_usage=*/true, bytewise);
    ASSERT_FALSE(with.error);
    auto want_with = want;
    want_with.push_back(usage);
    EXPECT_EQ(texts(with.chunks), want_with);
  }
}

TEST(MistralStream, CompletionsStreamTakesDeltaContent) {
  auto s = mistral("llm/v1/completions");
  auto req = upstream_request(
      s, R"({"prompt":"Hi","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(
      req.body,
      R"({"model":"mistral-small-latest","temperature":0.0,"stream":true,"messages":[{"role":"user","content":"Hi"}]})");
  const std::string stream = chat_stream();
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s, stream, /*wants_usage=*/true, bytewise);
    ASSERT_FALSE(out.error);
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(
        texts(out.chunks),
        (std::vector<std::string>{
            R"({"id":"cmpl-9a8b","object":"text_completion_chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"finish_reason":null,"text":""}]})",
            R"({"id":"cmpl-9a8b","object":"text_completion_chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"finish_reason":null,"text":"Claude Monet."}]})",
            R"({"id":"cmpl-9a8b","object":"text_completion_chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"finish_reason":"stop","text":""}]})",
            R"({"id":"cmpl-9a8b","object":"text_completion_chunk","created":1702256327,"model":"mistral-small-latest","choices":[],"usage":{"prompt_tokens":16,"completion_tokens":5,"total_tokens":21}})"}));
  }
}

TEST(MistralStream, ChunksCarryTheConfiguredModelName) {
  // The upstream names the resolved model; replies, streamed or not, name the configured one
  // (mlflow-compatibility §8.13), usage chunk included.
  auto s = mistral("llm/v1/chat", "mistral-large-latest");
  std::string bytes = chat_stream();
  for (auto at = bytes.find("mistral-small-latest"); at != std::string::npos;
       at = bytes.find("mistral-small-latest", at))
    bytes.replace(at, std::string("mistral-small-latest").size(), "mistral-large-2411");
  for (bool bytewise : {false, true}) {
    for (const char* type : {"llm/v1/chat", "llm/v1/completions"}) {
      auto out =
          run_stream(mistral(type, "mistral-large-latest"), bytes, /*wants_usage=*/true, bytewise);
      ASSERT_FALSE(out.error) << out.error->message();
      ASSERT_EQ(out.chunks.size(), 4u) << type;
      for (const auto& chunk : out.chunks)
        EXPECT_EQ(chunk["model"], "mistral-large-latest") << to_text(chunk);
      EXPECT_EQ(to_text(out.chunks[1]).find("\"model\":\"mistral-large-latest\",\"choices\""),
                to_text(out.chunks[1]).find("\"model\""))
          << "key order kept";
    }
  }
  auto r = reply(
      s, 200,
      R"({"id":"cmpl-1","object":"chat.completion","created":1702256327,)"
      R"("model":"mistral-large-2411","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"Hi."},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"cmpl-1","object":"chat.completion","created":1702256327,"model":"mistral-large-latest",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hi.","tool_calls":null,"refusal":null},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
}

TEST(MistralStream, ErrorsGarbageAndTruncation) {
  auto s = mistral("llm/v1/chat");
  const std::string stream = chat_stream();
  const std::string first = stream.substr(0, stream.find("\n\n") + 2);
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s,
                          first +
                              "data: {\"object\":\"error\",\"message\":\"Service "
                              "unavailable.\",\"type\":\"internal_server_error\",\"param\":null,"
                              "\"code\":\"3000\"}\n\n",
                          false, bytewise);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->status, 502);
    EXPECT_EQ(out.error->message(),
              "The upstream reported an error mid-stream: Service unavailable.");
    EXPECT_EQ(out.chunks.size(), 1u);
    EXPECT_FALSE(out.finished);
  }
  auto openai_style = run_stream(s, first + "data: {\"error\":{\"message\":\"overloaded\"}}\n\n");
  ASSERT_TRUE(openai_style.error);
  EXPECT_EQ(openai_style.error->message(), "The upstream reported an error mid-stream: overloaded");
  auto garbage = run_stream(s, first + "data: {not json\n\n");
  ASSERT_TRUE(garbage.error);
  EXPECT_EQ(garbage.error->status, 502);
  // A content string mentioning "usage": and "error" is just content.
  auto content =
      run_stream(s,
                 "data: "
                 "{\"id\":\"c\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{"
                 "\"content\":\"no error, \\\"usage\\\":{}\"}}]}\n\ndata: [DONE]\n\n",
                 true);
  ASSERT_FALSE(content.error);
  ASSERT_EQ(content.chunks.size(), 1u);
  EXPECT_EQ(content.chunks[0]["choices"][0]["delta"]["content"], "no error, \"usage\":{}");
  auto cut = run_stream(s, stream.substr(0, stream.rfind("data: [DONE]")), false, true);
  EXPECT_FALSE(cut.error);
  EXPECT_FALSE(cut.finished);
  EXPECT_EQ(cut.chunks.size(), 3u);
}

}  // namespace
}  // namespace gw
