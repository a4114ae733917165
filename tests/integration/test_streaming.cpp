// Streaming through the real server: event-by-event relay (the first chunk reaches the client
// while the upstream is still holding the rest), terminators per path family, errors before
// and after the first event, and the mock provider's offline stream.
#include <future>

#include "gateway_fixture.h"

namespace gw::test {
namespace {

const char* kRequestV1 =
    R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"Hi"}]})";

std::string post_raw(const std::string& target, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string event(const std::string& json) { return "data: " + json + "\n\n"; }

const std::string kChunk1 =
    R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]})";
const std::string kChunk2 =
    R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":"stop"}]})";
const std::string kUsage =
    R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})";

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.stream_first_event = std::chrono::milliseconds(2000);
    o.stream_idle = std::chrono::milliseconds(2000);
    server_ = start_gateway(openai_config(upstream_.base_url()), o);
    ASSERT_TRUE(server_);
  }
  FakeUpstream upstream_;
  std::unique_ptr<Server> server_;
};

TEST_F(StreamingTest, FirstChunkArrivesBeforeTheUpstreamFinishes) {
  std::promise<void> release;
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {event(kChunk1), event(kChunk2) + event(kUsage) + "data: [DONE]\n\n"};
  reply.gate = release.get_future().share();
  upstream_.reply_with(reply);

  RawConnection c(server_->port());
  c.send(post_raw("/v1/chat/completions", kRequestV1));
  // The upstream is held after its first event: the client must already have it.
  std::string got = c.read_until("Hello");
  ASSERT_NE(got.find("Hello"), std::string::npos) << got;
  EXPECT_EQ(got.find("world"), std::string::npos);
  EXPECT_NE(got.find("Content-Type: text/event-stream; charset=utf-8"), std::string::npos);
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos);
  release.set_value();
  got = c.read_until("0\r\n\r\n");
  EXPECT_NE(got.find(R"("delta":{"role":null,"content":" world","tool_calls":null})"),
            std::string::npos)
      << got;
  EXPECT_NE(got.find("data: [DONE]\n\n"), std::string::npos);  // /v1 framing
  EXPECT_EQ(got.find("usage"), std::string::npos);             // the client did not ask for usage
  EXPECT_EQ(got.find("error"), std::string::npos);
  // The gateway asked the upstream for usage (kept for itself).
  EXPECT_EQ(parse(upstream_.last_request().body)["stream_options"]["include_usage"], true);
  EXPECT_EQ(parse(upstream_.last_request().body)["stream"], true);
}

TEST_F(StreamingTest, MlflowPathsKeepMlflowFramingAndUsageWhenAsked) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {event(kChunk1) + event(kChunk2) + event(kUsage) + "data: [DONE]\n\n"};
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                        R"({"stream":true,"stream_options":{"include_usage":true},
                            "messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(
      r.body,
      event(
          R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":null,"delta":{"role":"assistant","content":"Hello","tool_calls":null}}]})") +
          event(
              R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":"stop","delta":{"role":null,"content":" world","tool_calls":null}}]})") +
          event(
              R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})"));
}

TEST_F(StreamingTest, UpstreamErrorBeforeTheFirstEventIsAnOrdinaryError) {
  upstream_.reply_with(ScriptedReply{
      .status = 429, .body = R"({"error":{"message":"Rate limit reached","type":"requests"}})"});
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kRequestV1);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(parse(r.body)["error"]["message"], "Rate limit reached");
}

TEST_F(StreamingTest, TruncatedStreamEndsWithAnErrorEventAndACleanEnd) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {event(kChunk1)};
  reply.truncate = true;
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                        R"({"stream":true,"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(r.status, 200) << r.error;  // the chunked body ended properly
  EXPECT_NE(r.body.find("Hello"), std::string::npos);
  const std::string tail = r.body.substr(r.body.rfind("data: "));
  auto err = parse(tail.substr(6));
  ASSERT_TRUE(err.contains("error")) << r.body;
  EXPECT_NE(err["error"]["message"].get<std::string>().find("the stream from the upstream"),
            std::string::npos)
      << tail;
  // The server keeps serving.
  EXPECT_EQ(http_request(server_->port(), "GET", "/health").status, 200);
}

TEST_F(StreamingTest, ErrorEventFromTheUpstreamMidStream) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {event(kChunk1) + event(R"({"error":{"message":"model overloaded"}})")};
  upstream_.reply_with(reply);
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kRequestV1);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(
      r.body.find(
          R"(data: {"error":{"message":"The upstream reported an error mid-stream: model overloaded","type":"upstream_error","code":"bad_gateway"}})"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
}

TEST_F(StreamingTest, MockStreamsOffline) {
  auto m = http_request(
      server_->port(), "POST", "/v1/chat/completions",
      R"({"model":"mock-chat","stream":true,"messages":[{"role":"user","content":"a b"}]})");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(R"("content":" a")"), std::string::npos) << m.body;
  EXPECT_EQ(m.body.substr(m.body.size() - 14), "data: [DONE]\n\n");
  EXPECT_EQ(upstream_.request_count(), 0u);
}

TEST_F(StreamingTest, UpstreamConnectionIsReusedAfterACompleteStream) {
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  // [DONE] and the chunked body's terminator go out in separate writes.
  reply.chunks = {event(kChunk1), event(kChunk2) + "data: [DONE]\n\n"};
  upstream_.reply_with(reply);
  for (int i = 0; i < 3; ++i) {
    auto r = http_request(server_->port(), "POST", "/v1/chat/completions", kRequestV1);
    ASSERT_EQ(r.status, 200);
    ASSERT_NE(r.body.find("data: [DONE]"), std::string::npos);
  }
  // Each worker opens at most one upstream connection; the others are reused from the pool.
  EXPECT_LE(upstream_.connections_accepted(), 2u);
}

// A client that leaves mid-stream cancels the upstream read at once: the upstream sees its
// connection closed although it is silent and the idle timeout is 30 s.
TEST(StreamingCancel, ClientDisconnectClosesTheUpstreamPromptly) {
  FakeUpstream upstream;
  ServerOptions o;
  o.stream_first_event = std::chrono::milliseconds(30000);
  o.stream_idle = std::chrono::milliseconds(30000);
  auto server = start_gateway(openai_config(upstream.base_url()), o);
  ASSERT_TRUE(server);
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {event(kChunk1), event(kChunk2)};
  reply.await_peer_close = true;  // sends the first event, then waits for the gateway to close
  upstream.reply_with(reply);
  for (int round = 1; round <= 3; ++round) {
    {
      RawConnection c(server->port());
      c.send(post_raw("/v1/chat/completions", kRequestV1));
      ASSERT_NE(c.read_until("Hello").find("Hello"), std::string::npos);
    }  // the client closes its socket here
    EXPECT_TRUE(upstream.wait_for_peer_closes(round, 5000)) << "round " << round;
  }
  // The server keeps serving.
  auto r = http_request(server->port(), "POST", "/endpoints/mock-chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(r.status, 200) << r.error;
}

// The same for a non-streaming call: an LLM call can take minutes, and a client that gave up
// must not hold the upstream connection until the total timeout (300 s by default).
TEST(StreamingCancel, ClientDisconnectCancelsANonStreamingCallToo) {
  FakeUpstream upstream;
  auto server = start_gateway(openai_config(upstream.base_url()));
  ASSERT_TRUE(server);
  ScriptedReply hang;
  hang.action = ScriptedReply::Action::Hang;
  upstream.reply_with(hang);
  const std::string body = R"({"messages":[{"role":"user","content":"Hi"}]})";
  {
    RawConnection c(server->port());
    c.send(post_raw("/endpoints/chat/invocations", body));
    ASSERT_TRUE(upstream.wait_for_requests(1));
  }  // the client gives up
  EXPECT_TRUE(upstream.wait_for_peer_closes(1, 5000));
  upstream.reply_with(ScriptedReply{.body = kChatReply});
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", body);
  EXPECT_EQ(r.status, 200) << r.body;
}

std::string endpoint_with_timeouts(const std::string& base, const std::string& timeouts) {
  return "endpoints:\n"
         "  - name: chat\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model:\n"
         "      provider: openai\n"
         "      name: gpt-4o-mini\n"
         "      config:\n"
         "        openai_api_key: $TEST_OPENAI_KEY\n"
         "        openai_api_base: " +
         base +
         "/v1\n"
         "    timeouts: " +
         timeouts + "\n";
}

TEST(EndpointTimeouts, StreamIdleTimeoutPerEndpointEndsTheStreamWithAnErrorEvent) {
  FakeUpstream upstream;
  ServerOptions o;
  o.stream_first_event = std::chrono::milliseconds(30000);
  o.stream_idle = std::chrono::milliseconds(30000);
  auto server = start_gateway(endpoint_with_timeouts(upstream.base_url(), "{idle: 0.2}"), o);
  ASSERT_TRUE(server);
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {event(kChunk1), event(kChunk2)};
  reply.await_peer_close = true;  // silent after the first event
  upstream.reply_with(reply);
  auto r = http_request(server->port(), "POST", "/v1/chat/completions", kRequestV1);
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.body.find("Hello"), std::string::npos);
  EXPECT_NE(r.body.find(R"(data: {"error":{"message":"Endpoint 'chat': the upstream 127.0.0.1:)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("sent nothing for 0.2 s"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
}

TEST(EndpointTimeouts, TotalTimeoutPerEndpointIs504) {
  FakeUpstream upstream;
  auto server = start_gateway(endpoint_with_timeouts(upstream.base_url(), "{total: 0.3}"));
  ASSERT_TRUE(server);
  ScriptedReply hang;
  hang.action = ScriptedReply::Action::Hang;
  upstream.reply_with(hang);
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(r.status, 504) << r.body;
}

}  // namespace
}  // namespace gw::test
