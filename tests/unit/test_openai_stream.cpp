// The OpenAI stream translator, fed from OpenAI's documented stream through the SSE parser.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "providers/fast_path.h"
#include "providers/openai.h"
#include "providers/wire/sse.h"

namespace gw {
namespace {

using config::EndpointType;

std::vector<std::string> translate_all(StreamTranslator& t, const std::string& stream) {
  SseParser parser;
  auto events = parser.feed(stream);
  EXPECT_TRUE(events.ok());
  std::vector<std::string> out;
  for (const auto& e : *events) {
    auto chunks = t.on_event(e);
    EXPECT_TRUE(chunks.ok()) << (chunks.ok() ? "" : chunks.error().message());
    if (chunks.ok()) out.insert(out.end(), chunks->begin(), chunks->end());
  }
  return out;
}

TEST(OpenAIStream, DocumentedChatStreamBecomesUnifiedChunks) {
  std::ifstream in(std::string(GW_SOURCE_DIR) + "/tests/fixtures/sse/openai_chat_stream.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  auto t = make_openai_stream_translator(EndpointType::Chat, 1, false);
  auto chunks = translate_all(*t, ss.str());
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(
      chunks[0],
      R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":null,"delta":{"role":"assistant","content":"","tool_calls":null}}]})");
  EXPECT_EQ(
      chunks[1],
      R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":null,"delta":{"role":null,"content":"Hello","tool_calls":null}}]})");
  EXPECT_EQ(
      chunks[2],
      R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":"stop","delta":{"role":null,"content":null,"tool_calls":null}}]})");
  EXPECT_TRUE(t->finished());
}

TEST(OpenAIStream, UsageChunkOnlyWhenTheClientAskedAndToolCallDeltas) {
  const std::string usage =
      "data: "
      "{\"id\":\"x\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
      "\"completion_tokens\":2,\"total_tokens\":3}}\n\n";
  EXPECT_TRUE(
      translate_all(*make_openai_stream_translator(EndpointType::Chat, 1, false), usage).empty());
  auto with = translate_all(*make_openai_stream_translator(EndpointType::Chat, 1, true), usage);
  ASSERT_EQ(with.size(), 1u);
  EXPECT_EQ(
      with[0],
      R"({"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
  auto tools = translate_all(
      *make_openai_stream_translator(EndpointType::Chat, 1, false),
      "data: "
      "{\"id\":\"x\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_"
      "calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
      "\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n");
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_NE(
      tools[0].find(
          R"("tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}])"),
      std::string::npos)
      << tools[0];
}

TEST(OpenAIStream, CompletionsTakeTextOrDeltaContent) {
  auto t = make_openai_stream_translator(EndpointType::Completions, 5, false);
  auto chunks = translate_all(
      *t,
      "data: {\"id\":\"c\",\"choices\":[{\"text\":\"Hi\",\"index\":0,\"finish_reason\":null}]}\n\n"
      "data: "
      "{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n"
      "data: [DONE]\n\n");
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(
      chunks[0],
      R"({"id":"c","object":"text_completion_chunk","created":5,"model":null,"choices":[{"index":0,"finish_reason":null,"text":"Hi"}]})");
  EXPECT_EQ(
      chunks[1],
      R"({"id":"c","object":"text_completion_chunk","created":5,"model":null,"choices":[{"index":0,"finish_reason":"stop","text":"!"}]})");
  EXPECT_TRUE(t->finished());
  EXPECT_EQ(make_openai_stream_translator(EndpointType::Embeddings, 5, false), nullptr);
}

// A completions chunk without text (the last one, with only a finish_reason) has text null, as
// MLflow sends it; the fast path says the same.
TEST(OpenAIStream, CompletionsChunkWithoutTextHasTextNull) {
  const std::string last =
      "data: {\"id\":\"c\",\"created\":5,\"choices\":[{\"index\":0,\"finish_reason\":"
      "\"stop\"}]}\n\n";
  auto chunks = translate_all(*make_openai_stream_translator(EndpointType::Completions, 1, false),
                              last);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(
      chunks[0],
      R"({"id":"c","object":"text_completion_chunk","created":5,"model":null,"choices":[{"index":0,"finish_reason":"stop","text":null}]})");
}

TEST(OpenAIStream, ErrorsAndGarbageAreErrors) {
  auto t = make_openai_stream_translator(EndpointType::Chat, 1, false);
  SseParser p;
  auto ev = p.feed("data: {\"error\":{\"message\":\"overloaded\"}}\n\ndata: not json\n\n");
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 2u);
  auto e1 = t->on_event((*ev)[0]);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().message(), "The upstream reported an error mid-stream: overloaded");
  auto e2 = t->on_event((*ev)[1]);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().status, 502);
  EXPECT_FALSE(t->finished());
}

// The simdjson chunk path must produce exactly the reference translator's chunk, or decline.
TEST(OpenAIStreamFastPath, MatchesTheReferenceTranslatorExactly) {
  const std::vector<std::pair<std::string, bool>> cases = {
      // {data, fast path expected}
      {R"({"id":"c","object":"chat.completion.chunk","created":7,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})",
       true},
      {R"({"id":"c","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"é \" \\ \n"},"finish_reason":null}]})",
       true},
      {R"({"id":"c","choices":[{"delta":{},"finish_reason":"stop"},{"index":3,"delta":{"content":"x"}}]})",
       true},
      {R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}},{"index":0,"function":{"arguments":"{\"a\":"}}]}}]})",
       true},
      {R"({"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})",
       true},
      {R"({"id":"c","choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":1}})",
       true},
      {R"({"id":"c","choices":[{"text":"legacy","index":0,"finish_reason":null}]})", true},
      {R"({"id":"c","created":1.5,"model":null,"choices":[{"index":"0","delta":null,"finish_reason":null}]})",
       true},
      {R"({"id":"c"})", true},
      {R"({"error":{"message":"overloaded"}})", false},
      {R"(not json)", false},
      {R"([1,2])", false},
      // Found by tests/fuzz/fuzz_provider_stream: a repeated key (simdjson finds the first
      // value, the reference keeps the last) makes the fast path decline.
      {R"({"id":"x","created":1,"model":" Hello","model":"m","choices":[]})", false},
      {R"({"id":"c","choices":[{"index":0,"delta":{"content":"a","content":"b"}}]})", false},
      {R"({"id":"c","choices":[],"usage":{"total_tokens":1.8446744073709552e20}})", true},
  };
  for (auto type : {EndpointType::Chat, EndpointType::Completions}) {
    for (bool usage : {false, true}) {
      for (const auto& [data, expect_fast] : cases) {
        auto fast = openai_fast_chunk(type, data, 42, usage);
        EXPECT_EQ(fast.has_value(), expect_fast) << data;
        if (!fast) continue;
        auto reference = make_openai_stream_translator(type, 42, usage, /*fast=*/false);
        auto want = reference->on_event(SseEvent{"", data, ""});
        ASSERT_TRUE(want.ok()) << data;
        if (!*fast) {
          EXPECT_TRUE(want->empty()) << data;
        } else {
          ASSERT_EQ(want->size(), 1u) << data;
          EXPECT_EQ(**fast, (*want)[0]) << data;
        }
      }
    }
  }
}

}  // namespace
}  // namespace gw
