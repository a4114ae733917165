// providers/cohere: golden translation tests (docs/mlflow-compatibility.md §6.4). Request bodies
// follow MLflow's own provider tests (tests/gateway/providers/test_cohere.py); upstream replies
// and stream events follow Cohere's v1 API reference:
//   https://docs.cohere.com/reference/chat, https://docs.cohere.com/reference/chat-stream,
//   https://docs.cohere.com/reference/generate, https://docs.cohere.com/reference/generate-stream,
//   https://docs.cohere.com/reference/embed
// The golden upstream bodies and the chat stream are in tests/fixtures/cohere/ (README.md there).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_provider_fixtures.h"

namespace gw {
namespace {

using testing::expect_error;
using testing::texts;

using testing::header;
using testing::kNow;
using testing::prepare;
using testing::reply;
using testing::run_stream;
using testing::subject;
using testing::upstream_request;

const char* kConfig = "{cohere_api_key: key}";

testing::Subject chat() { return subject("llm/v1/chat", "cohere", "command", kConfig); }
testing::Subject completions() {
  return subject("llm/v1/completions", "cohere", "command", kConfig);
}
testing::Subject embeddings() {
  return subject("llm/v1/embeddings", "cohere", "embed-english-light-v2.0", kConfig);
}

// A file under tests/fixtures/cohere/ (tests/fixtures/cohere/README.md).
std::string fixture(const std::string& name) { return testing::fixture("cohere/" + name); }

// ---- chat -------------------------------------------------------------------------------------

TEST(CohereChat, GoldenRequest) {
  auto s = chat();
  EXPECT_EQ(s.adapter->display_name(), "Cohere");
  auto req = upstream_request(s, R"({"messages":[{"role":"user","content":"Message 1"},
      {"role":"assistant","content":"Message 2"},{"role":"user","content":"Message 3"}],
      "temperature":0.5})");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://api.cohere.ai/v1/chat");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Authorization"), "Bearer key");
  // Model first, temperature ×2.5, n removed, the last message becomes `message`.
  EXPECT_EQ(req.body,
            R"({"model":"command","temperature":1.25,"message":"Message 3","chat_history":)"
            R"([{"role":"USER","message":"Message 1"},{"role":"CHATBOT","message":"Message 2"}]})");
}

TEST(CohereChat, SystemMessagesBecomeThePreambleAndOtherRolesAreDropped) {
  auto req = upstream_request(chat(), R"({"messages":[
      {"role":"system","content":"System Message 1"},{"role":"user","content":"Message 1"},
      {"role":"assistant","content":"Message 2"},{"role":"tool","content":"42","tool_call_id":"t"},
      {"role":"system","content":"System Message 2"},{"role":"user","content":"Message 3"}],
      "temperature":0.5,"max_tokens":20,"k":3})");
  EXPECT_EQ(req.body,
            R"({"model":"command","temperature":1.25,"max_tokens":20,"k":3,"message":"Message 3",)"
            R"("preamble_override":"System Message 1\nSystem Message 2","chat_history":)"
            R"([{"role":"USER","message":"Message 1"},{"role":"CHATBOT","message":"Message 2"}]})");
}

TEST(CohereChat, ZeroTemperatureIsNotScaledAndTextPartsAreFlattened) {
  auto req = upstream_request(chat(), R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"Hello"},{"type":"text","text":"there"}]}]})");
  EXPECT_EQ(req.body, R"({"model":"command","temperature":0.0,"message":"Hello\nthere"})");
}

TEST(CohereChat, StreamingRequestAndApiBaseOverride) {
  auto s = subject("llm/v1/chat", "cohere", "command",
                   "{cohere_api_key: key, cohere_api_base: 'http://127.0.0.1:9000/v1/'}");
  auto req = upstream_request(s, R"({"messages":[{"role":"user","content":"Hi"}],"stream":true,
      "stream_options":{"include_usage":true}})");
  EXPECT_EQ(req.url, "http://127.0.0.1:9000/v1/chat");
  // stream kept, stream_options (a gateway option) not forwarded.
  EXPECT_EQ(req.body, R"({"model":"command","temperature":0.0,"stream":true,"message":"Hi"})");
  EXPECT_EQ(s.adapter->stream_framing(), StreamFraming::NdJson);
}

TEST(CohereChat, ValidationErrorsHaveMlflowsTexts) {
  auto s = chat();
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"x"}],"n":2})"), 422,
               "Parameter n must be 1 for Cohere chat, got 2.");
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"x"}],"stop":["test"]})"), 422,
               "Parameter stop is not supported for Cohere chat.");
  expect_error(
      prepare(s,
              R"({"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"}]})"),
      422, "Last message must be from user, got assistant.");
  expect_error(prepare(s, R"({"messages":[{"role":"user","content":"x"}],"model":"other"})"), 422,
               "The parameter 'model' is not permitted to be passed. The route being queried "
               "already defines a model instance.");
}

TEST(CohereChat, GoldenResponseWithTokenCount) {
  // MLflow's fixture (the v1 reply with token_count, https://docs.cohere.com/reference/chat).
  auto r = reply(chat(), 200, fixture("chat_response_token_count.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"id":"abc123","object":"chat.completion","created":1700000000,"model":"command",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"\n\nThis is a test!",)"
      R"("tool_calls":null,"refusal":null},"finish_reason":null}],)"
      R"("usage":{"prompt_tokens":13,"completion_tokens":7,"total_tokens":20}})");
}

TEST(CohereChat, CurrentReplyShapeUsesBilledUnitsAndMapsFinishReason) {
  // The current v1 NonStreamedChatResponse: finish_reason, meta.billed_units, no token_count.
  auto r = reply(chat(), 200, fixture("chat_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)["id"], "5f4c3b2a-1d0e-4f9a-8b7c-6d5e4f3a2b1c");
  EXPECT_EQ((*r)["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(to_text((*r)["usage"]),
            R"({"prompt_tokens":11,"completion_tokens":6,"total_tokens":17})");

  auto plain = reply(chat(), 200, R"({"text":"ok","finish_reason":"COMPLETE"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)["id"], nullptr);
  EXPECT_EQ((*plain)["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(to_text((*plain)["usage"]),
            R"({"prompt_tokens":null,"completion_tokens":null,"total_tokens":null})");
  auto toxic = reply(chat(), 200, R"({"text":"","finish_reason":"ERROR_TOXIC"})");
  EXPECT_EQ((*toxic)["choices"][0]["finish_reason"], "content_filter");
  auto other = reply(chat(), 200, R"({"text":"","finish_reason":"USER_CANCEL"})");
  EXPECT_EQ((*other)["choices"][0]["finish_reason"], "USER_CANCEL");
}

// ---- completions ------------------------------------------------------------------------------

TEST(CohereCompletions, GoldenRequest) {
  auto req =
      upstream_request(completions(), R"({"prompt":"This is a test","n":1,"stop":["foobar"]})");
  EXPECT_EQ(req.url, "https://api.cohere.ai/v1/generate");
  EXPECT_EQ(header(req, "Authorization"), "Bearer key");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(
      req.body,
      R"({"model":"command","temperature":0.0,"num_generations":1,"stop_sequences":["foobar"],)"
      R"("prompt":"This is a test"})");
  auto scaled =
      upstream_request(completions(), R"({"prompt":"x","temperature":0.5,"n":2,"stream":true})");
  EXPECT_EQ(
      scaled.body,
      R"({"model":"command","temperature":1.25,"num_generations":2,"stream":true,"prompt":"x"})");
}

TEST(CohereCompletions, ProviderKeysAreRejectedWith400) {
  expect_error(prepare(completions(), R"({"prompt":"x","stop_sequences":["a"]})"), 400,
               "Invalid parameter stop_sequences. Use stop instead.");
  expect_error(prepare(completions(), R"({"prompt":"x","num_generations":2})"), 400,
               "Invalid parameter num_generations. Use n instead.");
  expect_error(prepare(completions(), R"({"prompt":"x","model":"m"})"), 422,
               "The parameter 'model' is not permitted to be passed. The route being queried "
               "already defines a model instance.");
}

TEST(CohereCompletions, GoldenResponse) {
  // https://docs.cohere.com/reference/generate (generations[].text, finish_reason, meta).
  auto r = reply(completions(), 200, fixture("generate_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(to_text(*r),
            R"({"id":null,"object":"text_completion","created":1700000000,"model":"command",)"
            R"("choices":[{"index":0,"text":"This is a test","finish_reason":"stop"},)"
            R"({"index":1,"text":"Another one","finish_reason":"length"}],)"
            R"("usage":{"prompt_tokens":2,"completion_tokens":8,"total_tokens":10}})");
  // MLflow's fixture: no finish_reason, no meta -> nulls.
  auto m = reply(
      completions(), 200,
      R"({"id":"string","generations":[{"id":"string","text":"This is a test"}],"prompt":"string"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(to_text(*m),
            R"({"id":null,"object":"text_completion","created":1700000000,"model":"command",)"
            R"("choices":[{"index":0,"text":"This is a test","finish_reason":null}],)"
            R"("usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})");
}

// ---- embeddings -------------------------------------------------------------------------------

TEST(CohereEmbeddings, GoldenRequest) {
  auto req = upstream_request(embeddings(),
                              R"({"input":["hello","world"],"input_type":"search_document"})");
  EXPECT_EQ(req.url, "https://api.cohere.ai/v1/embed");
  EXPECT_EQ(header(req, "Authorization"), "Bearer key");
  EXPECT_EQ(
      req.body,
      R"({"model":"embed-english-light-v2.0","texts":["hello","world"],"input_type":"search_document"})");
  auto single = upstream_request(embeddings(), R"({"input":"This is a test"})");
  EXPECT_EQ(single.body, R"({"model":"embed-english-light-v2.0","texts":["This is a test"]})");
  expect_error(prepare(embeddings(), R"({"input":"x","texts":["y"]})"), 422,
               "Invalid parameter texts. Use input instead.");
}

TEST(CohereEmbeddings, GoldenResponse) {
  // https://docs.cohere.com/reference/embed (MLflow's fixture, two inputs).
  auto r = reply(embeddings(), 200, fixture("embed_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(
      to_text(*r),
      R"({"object":"list","data":[{"object":"embedding","embedding":[3.25,0.7685547,2.65625],"index":0},)"
      R"({"object":"embedding","embedding":[7.25,0.7685547,4.65625],"index":1}],)"
      R"("model":"embed-english-light-v2.0","usage":{"prompt_tokens":4,"total_tokens":4}})");
  // embedding_types replies: {"embeddings": {"float": [...]}}; old `meta` list shape ignored.
  auto typed = reply(
      embeddings(), 200,
      R"({"id":"x","embeddings":{"float":[[1.5]]},"meta":[{"api_version":[{"version":"1"}]}]})");
  ASSERT_TRUE(typed.ok()) << typed.error().message();
  EXPECT_EQ(to_text((*typed)["data"]), R"([{"object":"embedding","embedding":[1.5],"index":0}])");
  EXPECT_EQ(to_text((*typed)["usage"]), R"({"prompt_tokens":null,"total_tokens":null})");
}

// ---- upstream errors and malformed replies ----------------------------------------------------

TEST(CohereErrors, ErrorBodiesKeepTheStatusAndCohereMessage) {
  auto r = reply(chat(), 400, fixture("error.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().message(), "invalid request: message must be at least 1 token long.");
  auto unauthorized = reply(embeddings(), 401, R"({"message":"invalid api token"})");
  ASSERT_FALSE(unauthorized.ok());
  EXPECT_EQ(unauthorized.error().status, 401);
  EXPECT_EQ(unauthorized.error().message(), "invalid api token");
  auto other = reply(completions(), 500, R"({"detail":"boom"})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().status, 500);
  EXPECT_EQ(to_text(other.error().detail), R"({"detail":"boom"})");
}

TEST(CohereErrors, MalformedReplyBodiesAre502) {
  struct Case {
    testing::Subject s;
    const char* body;
  };
  const std::vector<Case> cases = {
      {chat(), "{}"},
      {chat(), "[]"},
      {chat(), "null"},
      {chat(), R"("text")"},
      {chat(), R"({"text":5})"},
      {chat(), R"({"text":null,"response_id":"x"})"},
      {completions(), "{}"},
      {completions(), R"({"generations":{}})"},
      {completions(), R"({"generations":[{"id":"x"}]})"},
      {completions(), R"({"generations":[1]})"},
      {completions(), R"({"generations":[{"text":["a"]}]})"},
      {embeddings(), "{}"},
      {embeddings(), R"({"embeddings":"x"})"},
      {embeddings(), R"({"embeddings":[1,2]})"},
      {embeddings(), R"({"embeddings":{"int8":[[1]]}})"},
      {chat(), "not json"},
  };
  for (const auto& c : cases) {
    auto r = reply(c.s, 200, c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().status, 502) << c.body;
  }
  // Odd but well-formed extras do not matter.
  auto odd = reply(chat(), 200, R"({"text":"x","token_count":"many","meta":5,"finish_reason":7})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(to_text((*odd)["usage"]),
            R"({"prompt_tokens":null,"completion_tokens":null,"total_tokens":null})");
  EXPECT_EQ((*odd)["choices"][0]["finish_reason"], nullptr);
}

// ---- streaming --------------------------------------------------------------------------------

// A v1 chat stream as documented (https://docs.cohere.com/reference/chat-stream): one JSON
// event per line; the final `stream-end` carries the consolidated response.
std::string chat_stream() { return fixture("chat_stream.txt"); }

// The first chunk carries delta.role "assistant", as OpenAI sends it (MLflow: null;
// docs/deviations.md).
const std::vector<std::string> kChatChunks = {
    R"({"id":null,"object":"chat.completion.chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":null,"delta":{"role":"assistant","content":"Bonjour","tool_calls":null}}]})",
    R"({"id":null,"object":"chat.completion.chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":null,"delta":{"role":null,"content":" à tous","tool_calls":null}}]})",
    R"({"id":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","object":"chat.completion.chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":"stop","delta":{"role":null,"content":null,"tool_calls":null}}]})",
};

TEST(CohereStream, DocumentedChatStreamWholeAndBytewise) {
  auto s = chat();
  const std::string stream = chat_stream();
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s, stream, /*wants_usage=*/false, bytewise);
    ASSERT_FALSE(out.error) << out.error->message();
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(texts(out.chunks), kChatChunks);
  }
}

TEST(CohereStream, UsageChunkOnlyWhenTheClientAskedForIt) {
  auto out = run_stream(chat(), chat_stream(), /*wants_usage=*/true, /*bytewise=*/true);
  ASSERT_FALSE(out.error);
  ASSERT_EQ(out.chunks.size(), 4u);
  EXPECT_EQ(
      to_text(out.chunks[3]),
      R"({"id":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","object":"chat.completion.chunk","created":1700000000,"model":"command","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}})");
  // MLflow's fixture: token_count in the final response, no trailing newline.
  const std::string mlflow =
      R"({"is_finished":false,"event_type":"stream-start","generation_id":"test-id2"})"
      "\n"
      R"({"text":" Hi","is_finished":false,"event_type":"text-generation"})"
      "\n"
      R"({"is_finished":true,"event_type":"stream-end","response":{"response_id":"test-id1","text":"How are you","generation_id":"test-id2","token_count":{"prompt_tokens":83,"response_tokens":63,"total_tokens":146,"billed_tokens":128},"tool_inputs":null},"finish_reason":"COMPLETE"})";
  auto m = run_stream(chat(), mlflow, true);
  ASSERT_FALSE(m.error);
  EXPECT_TRUE(m.finished);
  ASSERT_EQ(m.chunks.size(), 3u);
  EXPECT_EQ(m.chunks[1]["id"], "test-id1");
  EXPECT_EQ(to_text(m.chunks[2]["usage"]),
            R"({"prompt_tokens":83,"completion_tokens":63,"total_tokens":146})");
}

// A v1 generate stream (https://docs.cohere.com/reference/generate-stream), num_generations 2.
const std::string kGenerateStream =
    R"({"index":0,"text":" Hi","is_finished":false,"event_type":"text-generation"})"
    "\n"
    R"({"index":1,"text":" Hello","is_finished":false,"event_type":"text-generation"})"
    "\n"
    R"({"index":0,"text":" there","is_finished":false,"event_type":"text-generation"})"
    "\n"
    R"({"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE","response":{"id":"b32a70c5",)"
    R"("generations":[{"id":"g0","index":0,"text":" Hi there","finish_reason":"COMPLETE"},)"
    R"({"id":"g1","index":1,"text":" Hello","finish_reason":"MAX_TOKENS"}],"prompt":"Hello"}})"
    "\n";

TEST(CohereStream, DocumentedGenerateStreamWholeAndBytewise) {
  auto s = completions();
  const std::vector<std::string> want = {
      R"({"id":null,"object":"text_completion_chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":null,"text":" Hi"}]})",
      R"({"id":null,"object":"text_completion_chunk","created":1700000000,"model":"command","choices":[{"index":1,"finish_reason":null,"text":" Hello"}]})",
      R"({"id":null,"object":"text_completion_chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":null,"text":" there"}]})",
      R"({"id":"b32a70c5","object":"text_completion_chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":"stop","text":""},{"index":1,"finish_reason":"length","text":""}]})",
  };
  for (bool bytewise : {false, true}) {
    auto out = run_stream(s, kGenerateStream, /*wants_usage=*/true, bytewise);
    ASSERT_FALSE(out.error) << out.error->message();
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(texts(out.chunks), want);  // no usage in the response: no usage chunk
  }
  // MLflow's fixture (no index; stream-end without generation index).
  const std::string mlflow =
      R"({"text":" Hi","is_finished":false,"event_type":"text-generation"})"
      "\n"
      R"({"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE","response":{"id":"test-id1","generations":[{"id":"test-id2","text":" Hi there","finish_reason":"COMPLETE"}],"prompt":"This is a test"}})"
      "\n";
  auto m = run_stream(s, mlflow);
  ASSERT_FALSE(m.error);
  EXPECT_EQ(
      texts(m.chunks),
      (std::vector<std::string>{
          R"({"id":null,"object":"text_completion_chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":null,"text":" Hi"}]})",
          R"({"id":"test-id1","object":"text_completion_chunk","created":1700000000,"model":"command","choices":[{"index":0,"finish_reason":"stop","text":""}]})"}));
}

TEST(CohereStream, LegacyUntypedGenerateEvents) {
  const std::string legacy =
      R"({"text":" Hi","is_finished":false})"
      "\n"
      R"({"is_finished":true,"finish_reason":"MAX_TOKENS","response":{"id":"r","generations":[{"text":" Hi"}]}})"
      "\n";
  auto out = run_stream(completions(), legacy);
  ASSERT_FALSE(out.error);
  EXPECT_TRUE(out.finished);
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0]["choices"][0]["text"], " Hi");
  EXPECT_EQ(out.chunks[1]["choices"][0]["finish_reason"], "length");
}

TEST(CohereStream, UpstreamErrorsMidStreamAreGatewayErrors) {
  const std::string head = R"({"is_finished":false,"event_type":"text-generation","text":"Hi"})"
                           "\n";
  struct Case {
    testing::Subject s;
    std::string line;
    std::string message;
  };
  const std::vector<Case> cases = {
      {completions(),
       R"({"is_finished":true,"event_type":"stream-error","finish_reason":"ERROR","err":"internal server error"})",
       "The upstream reported an error mid-stream: internal server error"},
      {chat(), R"({"message":"too many tokens"})",
       "The upstream reported an error mid-stream: too many tokens"},
      {chat(),
       R"({"is_finished":true,"event_type":"stream-end","response":{"response_id":"x","text":"Hi"},"finish_reason":"ERROR"})",
       "The upstream reported an error mid-stream: Cohere ended the stream with finish_reason "
       "ERROR"},
  };
  for (const auto& c : cases) {
    for (bool bytewise : {false, true}) {
      auto out = run_stream(c.s, head + c.line + "\n", false, bytewise);
      ASSERT_TRUE(out.error) << c.line;
      EXPECT_EQ(out.error->status, 502);
      EXPECT_EQ(out.error->message(), c.message);
      EXPECT_EQ(out.chunks.size(), 1u);
      EXPECT_FALSE(out.finished);
    }
  }
  for (const char* garbage : {"not json", "[1,2]", "42"}) {
    auto out = run_stream(chat(), head + garbage + "\n");
    ASSERT_TRUE(out.error) << garbage;
    EXPECT_EQ(out.error->status, 502);
  }
}

TEST(CohereStream, TruncatedStreamIsNotFinished) {
  // Cut before stream-end, and cut in the middle of the stream-end line.
  const std::string stream = chat_stream();
  const std::string no_end = stream.substr(0, stream.find(R"({"is_finished":true)"));
  auto out = run_stream(chat(), no_end, false, true);
  EXPECT_FALSE(out.error);
  EXPECT_FALSE(out.finished);
  EXPECT_EQ(out.chunks.size(), 2u);
  auto cut = run_stream(chat(), stream.substr(0, stream.size() - 40));
  EXPECT_FALSE(cut.finished);
  EXPECT_EQ(embeddings().adapter->stream_translator(embeddings().ctx, false), nullptr);
}

}  // namespace
}  // namespace gw
