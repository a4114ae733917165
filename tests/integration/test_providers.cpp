// Every non-OpenAI wire format through the real server and a recording fake upstream
// (issue 3 and 4): what reaches the upstream (method, path, query, headers, body) and what the
// client gets back, non-streaming and streaming, for Anthropic, Gemini, Cohere and Bedrock
// (SigV4 recomputed here from the recorded request, STS AssumeRole through a second fake).
#include <nlohmann/json.hpp>

#include <future>

#include "gateway_fixture.h"
#include "providers/wire/aws_eventstream.h"
#include "providers/wire/aws_sigv4.h"

namespace gw::test {
namespace {

using PlainJson = nlohmann::json;  // order-insensitive comparison of upstream bodies

std::string endpoint_yaml(const std::string& name, const std::string& type,
                          const std::string& provider, const std::string& model,
                          const std::string& config) {
  return "  - name: " + name + "\n    endpoint_type: " + type +
         "\n    model:\n      provider: " + provider + "\n      name: " + model +
         "\n      config: " + config + "\n";
}

std::string sse(const std::string& event, const std::string& data) {
  return (event.empty() ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
}

// Unified chunks of an SSE body (data lines that are JSON objects).
std::vector<Json> chunks_of(const std::string& body) {
  std::vector<Json> out;
  std::size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    const std::size_t end = body.find("\n\n", pos);
    auto j = Json::parse(body.substr(pos + 6, end - pos - 6), nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
    pos = end;
  }
  return out;
}

std::string streamed_text(const std::vector<Json>& chunks) {
  std::string text;
  for (const auto& c : chunks) {
    if (!c.contains("choices")) continue;
    for (const auto& ch : c["choices"]) {
      if (ch.contains("delta") && ch["delta"].value("content", Json()).is_string())
        text += ch["delta"]["content"].get<std::string>();
      if (ch.value("text", Json()).is_string()) text += ch["text"].get<std::string>();
    }
  }
  return text;
}

const char* kChatBody =
    R"({"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"temperature":0.5,"max_tokens":100})";
const char* kStreamBody =
    R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"Hi"}]})";

// ---- Anthropic ------------------------------------------------------------------------------

class AnthropicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string cfg =
        "{anthropic_api_key: sk-ant-secret, anthropic_api_base: '" + upstream_.base_url() + "/v1'}";
    server_ = start_gateway(
        "endpoints:\n" +
        endpoint_yaml("chat", "llm/v1/chat", "anthropic", "claude-3-5-sonnet", cfg) +
        endpoint_yaml("completions", "llm/v1/completions", "anthropic", "claude-3-5-sonnet", cfg));
    ASSERT_TRUE(server_);
  }
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

// https://docs.anthropic.com/en/api/messages (response example)
const char* kAnthropicReply =
    R"({"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant",
  "content":[{"type":"text","text":"Hi! My name is Claude."}],"model":"claude-3-5-sonnet-20241022",
  "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503}})";

TEST_F(AnthropicTest, ChatReachesMessagesAndComesBackUnified) {
  ScriptedReply reply;
  reply.body = kAnthropicReply;
  upstream_.reply_with(reply);
  for (const char* path : {"/endpoints/chat/invocations", "/v1/chat/completions"}) {
    std::string body = kChatBody;
    if (std::string(path).rfind("/v1", 0) == 0) body.insert(1, R"("model":"chat",)");
    auto r = http_request(server_->port(), "POST", path, body);
    ASSERT_EQ(r.status, 200) << path << " " << r.body;
    const auto req = upstream_.last_request();
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/v1/messages");
    EXPECT_EQ(req.header("x-api-key"), "sk-ant-secret");
    EXPECT_EQ(req.header("anthropic-version"), "2023-06-01");
    EXPECT_EQ(req.header("content-type"), "application/json");
    EXPECT_EQ(PlainJson::parse(req.body), PlainJson::parse(R"({"model":"claude-3-5-sonnet",
      "messages":[{"role":"user","content":"Hi"}],"system":"Be brief.","max_tokens":100,"temperature":0.25})"))
        << req.body;
    const Json out = parse(r.body);
    EXPECT_EQ(out["id"], "msg_013Zva2CMHLNnXjNJJKqJ2EF");
    EXPECT_EQ(out["object"], "chat.completion");
    EXPECT_EQ(out["model"], "claude-3-5-sonnet-20241022");
    EXPECT_EQ(out["choices"][0]["message"]["role"], "assistant");
    EXPECT_EQ(out["choices"][0]["message"]["content"], "Hi! My name is Claude.");
    EXPECT_EQ(out["choices"][0]["finish_reason"], "stop");
    EXPECT_EQ(out["usage"],
              Json::parse(R"({"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598})"));
  }
}

TEST_F(AnthropicTest, UpstreamErrorKeepsStatusAndMessage) {
  ScriptedReply reply;
  reply.status = 401;
  reply.body =
      R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})";
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations", kChatBody);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(parse(r.body), Json::parse(R"({"detail":"invalid x-api-key"})"));
  r = http_request(server_->port(), "POST", "/v1/chat/completions",
                   R"({"model":"chat","messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(parse(r.body)["error"]["message"], "invalid x-api-key");
}

TEST_F(AnthropicTest, ProviderValidationIs422BeforeAnyUpstreamCall) {
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}],"n":2})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse(r.body)["detail"],
            "'n' must be '1' for the Anthropic provider. Received value: '2'.");
  EXPECT_EQ(upstream_.request_count(), 0u);
}

// https://docs.anthropic.com/en/api/messages-streaming (basic streaming request)
std::vector<std::string> anthropic_stream() {
  return {
      sse("message_start",
          R"({"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-3-5-sonnet-20241022","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}})") +
          sse("content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
          sse("ping", R"({"type": "ping"})") +
          sse("content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})"),
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}})") +
          sse("content_block_stop", R"({"type":"content_block_stop","index":0})") +
          sse("message_delta",
              R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}})") +
          sse("message_stop", R"({"type":"message_stop"})"),
  };
}

TEST_F(AnthropicTest, StreamArrivesEventByEventWithDoneOnV1) {
  std::promise<void> release;
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = anthropic_stream();
  reply.gate = release.get_future().share();
  upstream_.reply_with(reply);
  RawConnection c(server_->port());
  const std::string body = kStreamBody;
  c.send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string got = c.read_until("Hello");
  ASSERT_NE(got.find("Hello"), std::string::npos) << got;
  EXPECT_EQ(got.find("[DONE]"), std::string::npos);
  release.set_value();
  got = c.read_until("0\r\n\r\n");
  EXPECT_NE(got.find("data: [DONE]\n\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("\"error\""), std::string::npos) << got;
  EXPECT_EQ(PlainJson::parse(upstream_.last_request().body)["stream"], true);
  const auto req = upstream_.last_request();
  EXPECT_EQ(req.target, "/v1/messages");
}

TEST_F(AnthropicTest, StreamOnMlflowPathHasNoDoneAndUnifiedChunks) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = anthropic_stream();
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                        R"({"stream":true,"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  auto chunks = chunks_of(r.body);
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(streamed_text(chunks), "Hello!");
  for (const auto& c : chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY");
  }
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "stop");
}

TEST_F(AnthropicTest, ErrorEventMidStreamEndsWithAnErrorEvent) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {
      anthropic_stream()[0] +
      sse("error",
          R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")};
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamBody);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Hello"), std::string::npos);
  EXPECT_NE(r.body.find("data: {\"error\":{\"message\":"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Overloaded"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
}

// ---- Gemini ---------------------------------------------------------------------------------

class GeminiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string cfg =
        "{gemini_api_key: g-secret, gemini_api_base: '" + upstream_.base_url() + "/v1beta/models'}";
    server_ = start_gateway(
        "endpoints:\n" + endpoint_yaml("chat", "llm/v1/chat", "gemini", "gemini-2.0-flash", cfg) +
        endpoint_yaml("embeddings", "llm/v1/embeddings", "gemini", "text-embedding-004", cfg));
    ASSERT_TRUE(server_);
  }
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

// https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
const char* kGeminiReply =
    R"({"candidates":[{"content":{"parts":[{"text":"Hello there"}],"role":"model"},
  "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6},
  "modelVersion":"gemini-2.0-flash"})";

TEST_F(GeminiTest, ChatReachesGenerateContent) {
  ScriptedReply reply;
  reply.body = kGeminiReply;
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations", kChatBody);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto req = upstream_.last_request();
  EXPECT_EQ(req.target, "/v1beta/models/gemini-2.0-flash:generateContent");
  EXPECT_EQ(req.header("x-goog-api-key"), "g-secret");
  EXPECT_EQ(PlainJson::parse(req.body),
            PlainJson::parse(R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]}],
              "system_instruction":{"parts":[{"text":"Be brief."}]},
              "generationConfig":{"temperature":0.5,"candidateCount":1,"maxOutputTokens":100}})"))
      << req.body;
  const Json out = parse(r.body);
  EXPECT_EQ(out["id"], "gemini-chat-" + std::to_string(out["created"].get<std::int64_t>()));
  EXPECT_EQ(out["model"], "gemini-2.0-flash");
  EXPECT_EQ(out["choices"][0]["message"]["content"], "Hello there");
  EXPECT_EQ(out["usage"],
            Json::parse(R"({"prompt_tokens":4,"completion_tokens":2,"total_tokens":6})"));
}

TEST_F(GeminiTest, BatchEmbeddings) {
  ScriptedReply reply;
  reply.body = R"({"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,0.4]}]})";
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/v1/embeddings",
                        R"({"model":"embeddings","input":["a","b"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(upstream_.last_request().target,
            "/v1beta/models/text-embedding-004:batchEmbedContents");
  const Json out = parse(r.body);
  EXPECT_EQ(out["data"][1]["embedding"], Json::parse("[0.3,0.4]"));
  EXPECT_EQ(out["data"][1]["index"], 1);
}

TEST_F(GeminiTest, StreamUsesAltSseAndEndsCleanly) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  // https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent (alt=sse)
  reply.chunks = {
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hello\"}],\"role\": "
      "\"model\"},\"index\": 0}],"
      "\"usageMetadata\": {\"promptTokenCount\": 4,\"totalTokenCount\": 4}}\r\n\r\n",
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" there\"}],\"role\": "
      "\"model\"},"
      "\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 4,"
      "\"candidatesTokenCount\": 2,\"totalTokenCount\": 6}}\r\n\r\n"};
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamBody);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(upstream_.last_request().target,
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(streamed_text(chunks_of(r.body)), "Hello there");
  EXPECT_NE(r.body.find("data: [DONE]\n\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"error\""), std::string::npos) << r.body;
}

// ---- Cohere ---------------------------------------------------------------------------------

class CohereTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string cfg =
        "{cohere_api_key: co-secret, cohere_api_base: '" + upstream_.base_url() + "/v1'}";
    server_ = start_gateway("endpoints:\n" +
                            endpoint_yaml("chat", "llm/v1/chat", "cohere", "command-r", cfg));
    ASSERT_TRUE(server_);
  }
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

TEST_F(CohereTest, ChatReachesChatWithPreambleAndHistory) {
  ScriptedReply reply;
  // https://docs.cohere.com/v1/reference/chat (response)
  reply.body =
      R"({"response_id":"r-1","text":"Hey!","generation_id":"g-1","finish_reason":"COMPLETE",
    "token_count":{"prompt_tokens":5,"response_tokens":2,"total_tokens":7}})";
  upstream_.reply_with(reply);
  auto r = http_request(
      server_->port(), "POST", "/endpoints/chat/invocations",
      R"({"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"},
                            {"role":"assistant","content":"Hi"},{"role":"user","content":"How are you?"}],"temperature":0.4})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto req = upstream_.last_request();
  EXPECT_EQ(req.target, "/v1/chat");
  EXPECT_EQ(req.header("authorization"), "Bearer co-secret");
  const PlainJson sent = PlainJson::parse(req.body);
  EXPECT_EQ(sent["model"], "command-r");
  EXPECT_EQ(sent["message"], "How are you?");
  EXPECT_EQ(sent["preamble_override"], "Be brief.");
  EXPECT_EQ(
      sent["chat_history"],
      PlainJson::parse(R"([{"role":"USER","message":"Hello"},{"role":"CHATBOT","message":"Hi"}])"));
  EXPECT_DOUBLE_EQ(sent["temperature"].get<double>(), 1.0);
  const Json out = parse(r.body);
  EXPECT_EQ(out["id"], "r-1");
  EXPECT_EQ(out["choices"][0]["message"]["content"], "Hey!");
  EXPECT_EQ(out["usage"]["total_tokens"], 7);
}

TEST_F(CohereTest, NewlineDelimitedStream) {
  ScriptedReply reply;
  reply.content_type = "application/stream+json";
  reply.chunks = {
      R"({"is_finished":false,"event_type":"stream-start","generation_id":"g-1"})"
      "\n"
      R"({"is_finished":false,"event_type":"text-generation","text":"Hel"})"
      "\n",
      R"({"is_finished":false,"event_type":"text-generation","text":"lo"})"
      "\n"
      R"({"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE","response":{"response_id":"r-1","text":"Hello","generation_id":"g-1"}})"
      "\n"};
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kStreamBody);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(PlainJson::parse(upstream_.last_request().body)["stream"], true);
  EXPECT_EQ(streamed_text(chunks_of(r.body)), "Hello");
  EXPECT_NE(r.body.find("data: [DONE]\n\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"error\""), std::string::npos) << r.body;
}

// ---- Bedrock --------------------------------------------------------------------------------

// Recomputes the SigV4 signature of a recorded request from its signed headers and body (an
// implementation independent of the signer's header handling) and checks it.
void expect_valid_sigv4(const RecordedRequest& r, const std::string& base_url,
                        const std::string& key_id, const std::string& secret,
                        const std::string& region, const std::string& service) {
  const std::string auth = r.header("authorization");
  const std::string prefix = "AWS4-HMAC-SHA256 Credential=";
  ASSERT_EQ(auth.rfind(prefix, 0), 0u) << auth;
  const std::size_t c_end = auth.find(", SignedHeaders=");
  const std::size_t s_end = auth.find(", Signature=");
  ASSERT_TRUE(c_end != std::string::npos && s_end != std::string::npos) << auth;
  const std::string credential = auth.substr(prefix.size(), c_end - prefix.size());
  const std::string signed_headers = auth.substr(c_end + 16, s_end - c_end - 16);
  const std::string signature = auth.substr(s_end + 12);
  const std::string amz_date = r.header("x-amz-date");
  ASSERT_EQ(amz_date.size(), 16u);
  const std::string scope = sigv4_credential_scope(amz_date, region, service);
  EXPECT_EQ(credential, key_id + "/" + scope);
  UpstreamRequest req;
  req.method = r.method;
  req.url = base_url + r.target;
  std::size_t pos = 0;
  while (pos <= signed_headers.size()) {
    std::size_t end = signed_headers.find(';', pos);
    if (end == std::string::npos) end = signed_headers.size();
    const std::string name = signed_headers.substr(pos, end - pos);
    EXPECT_FALSE(r.header(name).empty()) << "signed header missing: " << name;
    req.headers.emplace_back(name, r.header(name));
    pos = end + 1;
  }
  EXPECT_NE(signed_headers.find("host"), std::string::npos);
  EXPECT_NE(signed_headers.find("x-amz-date"), std::string::npos);
  EXPECT_EQ(r.header("x-amz-content-sha256"), sigv4_sha256_hex(r.body));
  const std::string canonical = sigv4_canonical_request(req, sigv4_sha256_hex(r.body));
  const std::string to_sign = sigv4_string_to_sign(amz_date, scope, canonical);
  EXPECT_EQ(signature, sigv4_signature(secret, amz_date.substr(0, 8), region, service, to_sign))
      << "canonical request:\n"
      << canonical;
}

const char* kConverseReply =
    R"({"output":{"message":{"role":"assistant","content":[{"text":"Hello from Bedrock"}]}},
  "stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16},"metrics":{"latencyMs":321}})";

TEST(BedrockIntegration, ConverseRequestIsSignedAndTranslated) {
  FakeUpstream upstream;
  const std::string cfg =
      "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDTEST, "
      "aws_secret_access_key: bedrock-secret-key, aws_endpoint_url: '" +
      upstream.base_url() + "'}}";
  auto server =
      start_gateway("endpoints:\n" + endpoint_yaml("chat", "llm/v1/chat", "bedrock",
                                                   "anthropic.claude-3-haiku-20240307-v1:0", cfg));
  ASSERT_TRUE(server);
  ScriptedReply reply;
  reply.body = kConverseReply;
  upstream.reply_with(reply);
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kChatBody);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto req = upstream.last_request();
  EXPECT_EQ(req.target, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  expect_valid_sigv4(req, upstream.base_url(), "AKIDTEST", "bedrock-secret-key", "us-east-1",
                     "bedrock");
  const PlainJson sent = PlainJson::parse(req.body);
  EXPECT_EQ(sent["messages"], PlainJson::parse(R"([{"role":"user","content":[{"text":"Hi"}]}])"));
  EXPECT_EQ(sent["system"], PlainJson::parse(R"([{"text":"Be brief."}])"));
  EXPECT_EQ(sent["inferenceConfig"]["maxTokens"], 100);
  const Json out = parse(r.body);
  EXPECT_EQ(out["choices"][0]["message"]["content"], "Hello from Bedrock");
  EXPECT_EQ(out["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(out["usage"],
            Json::parse(R"({"prompt_tokens":12,"completion_tokens":4,"total_tokens":16})"));
  EXPECT_EQ(out["model"], "anthropic.claude-3-haiku-20240307-v1:0");
  // The secret is never echoed.
  EXPECT_EQ(r.body.find("bedrock-secret-key"), std::string::npos);
}

TEST(BedrockIntegration, ErrorMessageFromTheBody) {
  FakeUpstream upstream;
  const std::string cfg =
      "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDTEST, "
      "aws_secret_access_key: s, aws_endpoint_url: '" +
      upstream.base_url() + "'}}";
  auto server = start_gateway("endpoints:\n" + endpoint_yaml("chat", "llm/v1/chat", "bedrock",
                                                             "amazon.nova-lite-v1:0", cfg));
  ASSERT_TRUE(server);
  ScriptedReply reply;
  reply.status = 403;
  reply.headers = {{"x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/"}};
  reply.body = R"({"message":"You don't have access to the model with the specified model ID."})";
  upstream.reply_with(reply);
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kChatBody);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(parse(r.body)["detail"],
            "You don't have access to the model with the specified model ID.");
  // No message in the body: the x-amzn-ErrorType header names the error.
  reply.status = 429;
  reply.headers = {{"x-amzn-ErrorType",
                    "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}};
  reply.body = "{}";
  upstream.reply_with(reply);
  r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kChatBody);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(parse(r.body)["detail"], "ThrottlingException");
}

std::string bedrock_event(const std::string& type, const std::string& payload) {
  return encode_event_stream_message(
      {{":event-type", type}, {":content-type", "application/json"}, {":message-type", "event"}},
      payload);
}

TEST(BedrockIntegration, ConverseStreamDecodesTheEventStream) {
  FakeUpstream upstream;
  const std::string cfg =
      "{aws_config: {aws_region: us-west-2, aws_access_key_id: AKIDTEST, "
      "aws_secret_access_key: s3, aws_endpoint_url: '" +
      upstream.base_url() + "'}}";
  auto server = start_gateway("endpoints:\n" + endpoint_yaml("chat", "llm/v1/chat", "bedrock",
                                                             "amazon.nova-lite-v1:0", cfg));
  ASSERT_TRUE(server);
  ScriptedReply reply;
  reply.content_type = "application/vnd.amazon.eventstream";
  const std::string all =
      bedrock_event("messageStart", R"({"role":"assistant"})") +
      bedrock_event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})") +
      bedrock_event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"lo"}})") +
      bedrock_event("contentBlockStop", R"({"contentBlockIndex":0})") +
      bedrock_event("messageStop", R"({"stopReason":"end_turn"})") +
      bedrock_event(
          "metadata",
          R"({"usage":{"inputTokens":3,"outputTokens":2,"totalTokens":5},"metrics":{"latencyMs":50}})");
  // Split mid-message to exercise the incremental decoder through the relay.
  reply.chunks = {all.substr(0, 37), all.substr(37, 100), all.substr(137)};
  upstream.reply_with(reply);
  auto r = http_request(server->port(), "POST", "/v1/chat/completions", kStreamBody);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto req = upstream.last_request();
  EXPECT_EQ(req.target, "/model/amazon.nova-lite-v1%3A0/converse-stream");
  expect_valid_sigv4(req, upstream.base_url(), "AKIDTEST", "s3", "us-west-2", "bedrock");
  EXPECT_EQ(streamed_text(chunks_of(r.body)), "Hello");
  EXPECT_NE(r.body.find("data: [DONE]\n\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"error\""), std::string::npos) << r.body;
}

TEST(BedrockIntegration, RoleCredentialsComeFromStsAndAreCached) {
  FakeUpstream upstream;
  FakeUpstream sts;
  ScriptedReply sts_reply;
  sts_reply.content_type = "text/xml";
  sts_reply.body =
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIATEMP</AccessKeyId>"
      "<SecretAccessKey>temp-secret</SecretAccessKey><SessionToken>temp-token</SessionToken>"
      "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
      "</AssumeRoleResponse>";
  sts.reply_with(sts_reply);
  const std::string cfg =
      "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDBASE, aws_secret_access_key: "
      "base-secret, aws_role_arn: 'arn:aws:iam::123456789012:role/gw', aws_endpoint_url: '" +
      upstream.base_url() + "', aws_sts_endpoint_url: '" + sts.base_url() + "'}}";
  ServerOptions one_worker;  // one STS cache: the second call must hit it
  one_worker.workers = 1;
  auto server = start_gateway("endpoints:\n" + endpoint_yaml("chat", "llm/v1/chat", "bedrock",
                                                             "amazon.nova-lite-v1:0", cfg),
                              one_worker);
  ASSERT_TRUE(server);
  ScriptedReply reply;
  reply.body = kConverseReply;
  upstream.reply_with(reply);
  for (int i = 0; i < 2; ++i) {
    auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kChatBody);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  ASSERT_EQ(sts.request_count(), 1u);  // cached until shortly before expiry
  const auto assume = sts.last_request();
  EXPECT_EQ(assume.target, "/");
  EXPECT_NE(assume.body.find("Action=AssumeRole"), std::string::npos);
  EXPECT_NE(assume.body.find("RoleSessionName=ai-gateway-bedrock"), std::string::npos);
  EXPECT_NE(assume.body.find("DurationSeconds=900"), std::string::npos);
  expect_valid_sigv4(assume, sts.base_url(), "AKIDBASE", "base-secret", "us-east-1", "sts");
  for (const auto& req : upstream.requests()) {
    EXPECT_EQ(req.header("x-amz-security-token"), "temp-token");
    expect_valid_sigv4(req, upstream.base_url(), "ASIATEMP", "temp-secret", "us-east-1", "bedrock");
  }
}

TEST(BedrockIntegration, StsRefusalIs502WithItsMessage) {
  FakeUpstream upstream;
  FakeUpstream sts;
  ScriptedReply refusal;
  refusal.status = 403;
  refusal.content_type = "text/xml";
  refusal.body =
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
      "authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>";
  sts.reply_with(refusal);
  const std::string cfg =
      "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDBASE, aws_secret_access_key: "
      "base-secret, aws_role_arn: 'arn:aws:iam::1:role/x', aws_endpoint_url: '" +
      upstream.base_url() + "', aws_sts_endpoint_url: '" + sts.base_url() + "'}}";
  auto server = start_gateway("endpoints:\n" + endpoint_yaml("chat", "llm/v1/chat", "bedrock",
                                                             "amazon.nova-lite-v1:0", cfg));
  ASSERT_TRUE(server);
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kChatBody);
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(parse(r.body)["detail"],
            "Assuming role arn:aws:iam::1:role/x failed (STS status 403): STS AssumeRole failed: "
            "AccessDenied: not authorized to perform sts:AssumeRole");
  EXPECT_EQ(r.body.find("base-secret"), std::string::npos);
  EXPECT_EQ(upstream.request_count(), 0u);
}

// ---- 501 before any byte for a provider that cannot stream ----------------------------------

TEST(NonStreamingProviders, StreamRequestIs501BeforeAnyByte) {
  FakeUpstream upstream;
  auto server = start_gateway(
      "endpoints:\n" +
      endpoint_yaml("completions", "llm/v1/completions", "ai21labs", "j2-ultra",
                    "{ai21labs_api_key: k, ai21labs_api_base: '" + upstream.base_url() + "'}"));
  ASSERT_TRUE(server);
  auto r = http_request(server->port(), "POST", "/endpoints/completions/invocations",
                        R"({"prompt":"Hi","stream":true})");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(
      parse(r.body),
      Json::parse(
          R"({"detail":"The completions streaming route is not implemented for AI21Labs models."})"));
  EXPECT_EQ(upstream.request_count(), 0u);
}

}  // namespace
}  // namespace gw::test
