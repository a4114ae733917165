// providers/togetherai: golden translation tests (docs/mlflow-compatibility.md §6.6 and
// docs/deviations.md). Upstream replies and stream events follow TogetherAI's API reference:
//   https://docs.together.ai/reference/chat-completions,
//   https://docs.together.ai/reference/completions, https://docs.together.ai/reference/embeddings
// The golden upstream bodies and the chat stream are in tests/fixtures/togetherai/ (README.md
// there).
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
const char* kTogether = "{togetherai_api_key: tkey}";
testing::Subject together(const char* type,
                          const char* model = "mistralai/Mixtral-8x7B-Instruct-v0.1") {
  return subject(type, "togetherai", model, kTogether);
}

// A file under tests/fixtures/togetherai/ (tests/fixtures/togetherai/README.md).
std::string fixture(const std::string& name) { return testing::fixture("togetherai/" + name); }

TEST(TogetherAIChat, GoldenRequestAndModelOverride) {
  auto s = together("llm/v1/chat");
  EXPECT_EQ(s.adapter->display_name(), "TogetherAI");
  auto req = upstream_request(
      s, R"({"messages":[{"role":"user","content":"What are some fun things to do in New York?"}],
      "temperature":0.7,"max_tokens":100,"top_logprobs":2})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://api.together.xyz/v1/chat/completions");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Authorization"), "Bearer tkey");
  // Temperature unchanged, n kept, top_logprobs renamed logprobs in place.
  EXPECT_EQ(
      req.body,
      R"({"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","temperature":0.7,"n":1,"max_tokens":100,)"
      R"("messages":[{"role":"user","content":"What are some fun things to do in New York?"}],"logprobs":2})");
  // A client model replaces the configured one, in first position (no 422).
  auto over = upstream_request(
      s,
      R"({"messages":[{"role":"user","content":"x"}],"model":"meta-llama/Llama-3-8b-chat-hf","logprobs":1})");
  EXPECT_EQ(
      over.body,
      R"({"model":"meta-llama/Llama-3-8b-chat-hf","temperature":0.0,"n":1,"messages":[{"role":"user","content":"x"}],"logprobs":1})");
  auto base = subject(
      "llm/v1/chat", "togetherai", "m",
      "{togetherai_api_key: tkey, togetherai_api_base: 'https://proxy.example/together/v1'}");
  EXPECT_EQ(upstream_request(base, R"({"messages":[{"role":"user","content":"x"}]})").url,
            "https://proxy.example/together/v1/chat/completions");
}

TEST(TogetherAIChat, LogprobsChecksHaveMlflowsTexts) {
  auto s = together("llm/v1/chat");
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"x"}],"logprobs":"yes"})"), 422,
               "Wrong type for logprobs. It should be an 32bit integer.");
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"x"}],"logprobs":1.5})"), 422,
               "Wrong type for logprobs. It should be an 32bit integer.");
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"x"}],"top_logprobs":[1]})"),
               422, "Wrong type for top_logprobs. It should a 32bit integer.");
  // Python's isinstance(True, int): a boolean passes, as in MLflow.
  auto ok = prepare(s, R"({"messages":[{"role":"user","content":"x"}],"logprobs":true})");
  EXPECT_TRUE(ok.ok());
}

TEST(TogetherAIChat, GoldenResponse) {
  // https://docs.together.ai/reference/chat-completions (MLflow's quoted example + finish_reason).
  auto r = reply(together("llm/v1/chat"), 200, fixture("chat_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"8448080b880415ea-SJC","object":"chat.completion","created":1705090115,)"
      R"("model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"example","tool_calls":null,"refusal":null},"finish_reason":"eos"}],)"
      R"("usage":{"prompt_tokens":31,"completion_tokens":455,"total_tokens":486}})");
}

TEST(TogetherAICompletions, MaxTokensIsRequired) {
  auto s = together("llm/v1/completions");
  const char* text =
      "max_tokens is not present in payload.It is a required parameter for TogetherAI completions.";
  expect_error(prepare(s, R"({"prompt":"x"})"), 422, text);
  expect_error(prepare(s, R"({"prompt":"x","stream":true})"), 422, text);
  // The max_tokens check comes before the logprobs checks.
  expect_error(prepare(s, R"({"prompt":"x","logprobs":"a"})"), 422, text);
  expect_error(prepare(s, R"({"prompt":"x","max_tokens":5,"logprobs":"a"})"), 422,
               "Wrong type for logprobs. It should be an 32bit integer.");
}

TEST(TogetherAICompletions, GoldenRequestAndResponse) {
  auto s = together("llm/v1/completions");
  auto req = upstream_request(
      s,
      R"({"prompt":"[INST] Tell me a story [/INST]","max_tokens":200,"stop":["</s>"],"stream":true})");
  EXPECT_EQ(req.url, "https://api.together.xyz/v1/completions");
  EXPECT_EQ(header(req, "Authorization"), "Bearer tkey");
  EXPECT_EQ(
      req.body,
      R"({"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","temperature":0.0,"n":1,"stop":["</s>"],)"
      R"("max_tokens":200,"stream":true,"prompt":"[INST] Tell me a story [/INST]"})");
  // https://docs.together.ai/reference/completions
  auto r = reply(s, 200, fixture("completions_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"8447f286bbdb67b3-SJC","object":"text_completion","created":1705089226,)"
      R"("model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[{"index":0,"text":"Example text.",)"
      R"("finish_reason":"length"}],"usage":{"prompt_tokens":16,"completion_tokens":78,"total_tokens":94}})");
}

TEST(TogetherAIEmbeddings, GoldenRequestAndResponse) {
  auto s = together("llm/v1/embeddings", "togethercomputer/m2-bert-80M-8k-retrieval");
  auto req = upstream_request(
      s, R"({"input":"Our solar system orbits the Milky Way galaxy at about 515,000 mph"})");
  EXPECT_EQ(req.url, "https://api.together.xyz/v1/embeddings");
  // The model is sent (Together requires it; MLflow omits it).
  EXPECT_EQ(
      req.body,
      R"({"model":"togethercomputer/m2-bert-80M-8k-retrieval","input":"Our solar system orbits the Milky Way galaxy at about 515,000 mph"})");
  auto over = upstream_request(
      s, R"({"input":["a"],"model":"BAAI/bge-large-en-v1.5","top_logprobs":"kept"})");
  EXPECT_EQ(over.body, R"({"model":"BAAI/bge-large-en-v1.5","input":["a"],"top_logprobs":"kept"})");
  // https://docs.together.ai/reference/embeddings
  auto r = reply(s, 200, fixture("embeddings_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"object":"list","data":[{"object":"embedding","embedding":[0.44990748,-0.2521129,-0.43091708,0.214978],"index":0}],)"
      R"("model":"togethercomputer/m2-bert-80M-8k-retrieval","usage":{"prompt_tokens":null,"total_tokens":null}})");
  EXPECT_EQ(s.adapter->stream_translator(s.ctx, true), nullptr);
}

TEST(TogetherAIErrors, ErrorBodiesAndMalformedReplies) {
  auto e = reply(together("llm/v1/chat"), 400, fixture("error.json"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 400);
  EXPECT_EQ(e.error().message(),
            "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 32769");
  auto whole = reply(together("llm/v1/completions"), 503, R"({"message":"overloaded"})");
  ASSERT_FALSE(whole.ok());
  EXPECT_EQ(whole.error().status, 503);
  EXPECT_EQ(to_text(whole.error().detail), R"({"message":"overloaded"})");
  const std::vector<std::pair<const char*, const char*>> bad = {
      {"llm/v1/chat", "{}"},
      {"llm/v1/chat", "[]"},
      {"llm/v1/chat", R"({"choices":[{"text":"no message"}]})"},
      {"llm/v1/completions", "{}"},
      {"llm/v1/completions", R"({"choices":7})"},
      {"llm/v1/embeddings", "{}"},
      {"llm/v1/embeddings", R"({"data":[{"index":0}]})"},
      {"llm/v1/embeddings", "\"x\""},
  };
  for (const auto& [type, body] : bad) {
    auto r = reply(together(type), 200, body);
    ASSERT_FALSE(r.ok()) << type << " " << body;
    EXPECT_EQ(r.error().status, 502) << type << " " << body;
  }
}

// Together's chat stream: each choice carries the text in delta.content and in text; the last
// chunk carries usage (https://docs.together.ai/reference/chat-completions, stream: true).
std::string chat_stream() { return fixture("chat_stream.txt"); }

TEST(TogetherAIStream, ChatStreamWholeAndBytewise) {
  auto s = together("llm/v1/chat");
  const std::string stream = chat_stream();
  auto chunk = [](const char* content, const char* finish) {
    return std::string(
               R"({"id":"86f2cfd18f6b38ca-ATH","object":"chat.completion.chunk","created":1712249578,"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[{"index":0,"finish_reason":)") +
           finish + R"(,"delta":{"role":"assistant","content":")" + content +
           R"(","tool_calls":null}}]})";
  };
  const std::vector<std::string> want = {chunk(" The", "null"), chunk(" City", "null"),
                                         chunk(" Paris", "\"length\"")};
  const std::string usage =
      R"({"id":"86f2cfd18f6b38ca-ATH","object":"chat.completion.chunk","created":1712249578,"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[],"usage":{"prompt_tokens":93,"completion_tokens":100,"total_tokens":193}})";
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
  // A chunk with only `text` (what MLflow reads, mlflow-compatibility §6.6) still yields the
  // content.
  auto text_only = run_stream(
      s, "data: {\"id\":\"x\",\"created\":5,\"choices\":[{\"text\":\"hi\"}]}\n\ndata: [DONE]\n\n");
  ASSERT_EQ(text_only.chunks.size(), 1u);
  EXPECT_EQ(
      to_text(text_only.chunks[0]),
      R"({"id":"x","object":"chat.completion.chunk","created":5,"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[{"index":0,"finish_reason":null,"delta":{"role":null,"content":"hi","tool_calls":null}}]})");
}

TEST(TogetherAIStream, CompletionsStreamWholeAndBytewise) {
  auto s = together("llm/v1/completions");
  const std::string stream =
      "data: "
      "{\"id\":\"86d8d6e06df86f61-ATH\",\"object\":\"completion.chunk\",\"created\":1711977238,"
      "\"choices\":[{\"index\":0,\"text\":\" "
      "\\\"\",\"logprobs\":null,\"finish_reason\":null,\"delta\":{\"token_id\":345,\"content\":\" "
      "\\\"\"}}],\"model\":\"mistralai/Mixtral-8x7B-v0.1\",\"usage\":null}\n\n"
      "data: "
      "{\"id\":\"86d8d6e06df86f61-ATH\",\"object\":\"completion.chunk\",\"created\":1711977238,"
      "\"choices\":[{\"index\":0,\"text\":\"name\",\"logprobs\":null,\"finish_reason\":\"length\","
      "\"delta\":{\"token_id\":861,\"content\":\"name\"}}],\"model\":\"mistralai/"
      "Mixtral-8x7B-v0.1\",\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":200,\"total_"
      "tokens\":217}}\n\n"
      "data: [DONE]\n\n";
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s, stream, /*wants_usage=*/true, bytewise);
    ASSERT_FALSE(out.error) << out.error->message();
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(
        texts(out.chunks),
        (std::vector<std::string>{
            R"({"id":"86d8d6e06df86f61-ATH","object":"text_completion_chunk","created":1711977238,"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[{"index":0,"finish_reason":null,"text":" \""}]})",
            R"({"id":"86d8d6e06df86f61-ATH","object":"text_completion_chunk","created":1711977238,"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[{"index":0,"finish_reason":"length","text":"name"}]})",
            R"({"id":"86d8d6e06df86f61-ATH","object":"text_completion_chunk","created":1711977238,"model":"mistralai/Mixtral-8x7B-Instruct-v0.1","choices":[],"usage":{"prompt_tokens":17,"completion_tokens":200,"total_tokens":217}})"}));
  }
}

TEST(TogetherAIStream, ErrorsGarbageAndTruncation) {
  auto s = together("llm/v1/chat");
  const std::string stream = chat_stream();
  const std::string first = stream.substr(0, stream.find("\n\n") + 2);
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s,
                          first +
                              "data: {\"error\":{\"message\":\"Request was rejected due to rate "
                              "limiting.\",\"type\":\"rate_limit\"}}\n\n",
                          false, bytewise);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->status, 502);
    EXPECT_EQ(
        out.error->message(),
        "The upstream reported an error mid-stream: Request was rejected due to rate limiting.");
    EXPECT_EQ(out.chunks.size(), 1u);
    EXPECT_FALSE(out.finished);
  }
  for (const char* garbage :
       {"data: {oops\n\n", "data: [1]\n\n", "data:{\"id\":1,\"choices\":5}\n\n"}) {
    auto out = run_stream(s, first + garbage);
    if (std::string(garbage).find("choices\":5") != std::string::npos) {
      // Well-formed JSON with odd members: no crash, nothing to emit.
      EXPECT_FALSE(out.error);
    } else {
      ASSERT_TRUE(out.error) << garbage;
      EXPECT_EQ(out.error->status, 502);
    }
  }
  auto cut = run_stream(s, stream.substr(0, stream.size() - 10), false, true);
  EXPECT_FALSE(cut.error);
  EXPECT_FALSE(cut.finished);
  EXPECT_EQ(cut.chunks.size(), 3u);
}

}  // namespace
}  // namespace gw
