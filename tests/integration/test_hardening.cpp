// Hardening regressions (docs/security.md): a misbehaving upstream must never hand one client's
// reply to another or grow the gateway without bound, and a misbehaving client must get a clear
// status without disturbing anyone else. Every case drives the real server in-process through
// the real upstream client against a scripted fake upstream, or sends raw client bytes.
#include <fstream>
#include <future>
#include <thread>

#include "gateway_fixture.h"

namespace gw::test {
namespace {

using Clock = std::chrono::steady_clock;

// The process's resident set in KiB (/proc/self/status).
long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// An OpenAI chat reply whose message is `content`.
std::string chat_reply(const std::string& content) {
  return R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",)"
         R"("choices":[{"index":0,"message":{"role":"assistant","content":")" +
         content +
         R"("},"finish_reason":"stop"}],)"
         R"("usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";
}

// A complete keep-alive HTTP/1.1 response carrying `body`.
std::string http_ok(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

const char* kAsk = R"({"messages":[{"role":"user","content":"hi"}]})";

std::string answer_of(const HttpResult& r) {
  Json j = parse(r.body);
  if (!j.is_object() || !j.contains("choices")) return "<no answer: " + r.body + ">";
  return j["choices"][0]["message"]["content"].get<std::string>();
}

ServerOptions one_worker(std::chrono::milliseconds total = std::chrono::milliseconds(5000)) {
  ServerOptions o;
  o.workers = 1;  // one upstream pool, so the second request meets the first one's connection
  o.upstream.total_timeout = total;
  return o;
}

// Scripted raw replies, one per request in order; the default is a plain reply naming the index.
class RawReplies {
 public:
  explicit RawReplies(FakeUpstream& up) {
    up.set_handler([this](const RecordedRequest&) {
      std::lock_guard lock(mu_);
      const std::size_t i = next_++;
      if (i < script_.size()) return script_[i];
      ScriptedReply r;
      r.action = ScriptedReply::Action::Raw;
      r.raw = http_ok(chat_reply("reply-" + std::to_string(i)));
      return r;
    });
  }
  void push(ScriptedReply r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }

 private:
  std::mutex mu_;
  std::size_t next_ = 0;
  std::vector<ScriptedReply> script_;
};

ScriptedReply raw(std::string bytes) {
  ScriptedReply r;
  r.action = ScriptedReply::Action::Raw;
  r.raw = std::move(bytes);
  return r;
}

// --- Defect 1: the upstream pool never hands a response to the wrong request ---------------

TEST(PoolDesync, InterimResponsesAreSkippedAndEachClientGetsItsOwnReply) {
  FakeUpstream up;
  RawReplies replies(up);
  replies.push(
      raw("HTTP/1.1 100 Continue\r\n\r\n"
          "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
          http_ok(chat_reply("reply-0"))));
  auto server = start_gateway(openai_config(up.base_url()), one_worker());
  ASSERT_TRUE(server);
  for (int i = 0; i < 3; ++i) {
    auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(answer_of(r), "reply-" + std::to_string(i));
  }
  EXPECT_EQ(up.connections_accepted(), 1u);  // the interim responses left the connection clean
}

TEST(PoolDesync, InterimResponsesBeforeAStreamAreSkipped) {
  FakeUpstream up;
  RawReplies replies(up);
  const std::string event =
      R"(data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"streamed"},"finish_reason":"stop"}]})"
      "\n\ndata: [DONE]\n\n";
  replies.push(
      raw("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\n"
          "Content-Type: text/event-stream\r\nContent-Length: " +
          std::to_string(event.size()) + "\r\n\r\n" + event));
  auto server = start_gateway(openai_config(up.base_url()), one_worker());
  ASSERT_TRUE(server);
  auto s = http_request(server->port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"hi"}],"stream":true})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("streamed"), std::string::npos) << s.body;
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
  EXPECT_EQ(answer_of(r), "reply-1");
}

TEST(PoolDesync, SurplusBytesAfterAResponseAreNeverReadAsTheNextReply) {
  FakeUpstream up;
  RawReplies replies(up);
  replies.push(raw(http_ok(chat_reply("reply-0")) + http_ok(chat_reply("stray"))));
  auto server = start_gateway(openai_config(up.base_url()), one_worker());
  ASSERT_TRUE(server);
  for (int i = 0; i < 3; ++i) {
    auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(answer_of(r), "reply-" + std::to_string(i));
  }
  EXPECT_EQ(up.connections_accepted(), 2u);  // the poisoned connection was closed, not pooled
}

TEST(PoolDesync, StrayBytesArrivingOnAPooledConnectionRetireIt) {
  FakeUpstream up;
  RawReplies replies(up);
  std::promise<void> open_gate;
  ScriptedReply first = raw(http_ok(chat_reply("reply-0")));
  first.late = http_ok(chat_reply("stray"));
  first.late_gate = open_gate.get_future().share();
  replies.push(first);
  auto server = start_gateway(openai_config(up.base_url()), one_worker());
  ASSERT_TRUE(server);
  auto r0 = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
  EXPECT_EQ(answer_of(r0), "reply-0");
  open_gate.set_value();  // the upstream now writes a stray response on the idle connection
  ASSERT_TRUE(up.wait_for_late_writes(1));
  auto r1 = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
  EXPECT_EQ(answer_of(r1), "reply-1");
  EXPECT_EQ(up.connections_accepted(), 2u);
}

TEST(PoolDesync, ConcurrentClientsEachGetTheirOwnReplyThroughAMisbehavingUpstream) {
  FakeUpstream up;
  // Every reply is preceded by an interim response and followed by surplus bytes, and names
  // the request it answers (its body's content).
  up.set_handler([](const RecordedRequest& req) {
    const std::string who = parse(req.body)["messages"][0]["content"].get<std::string>();
    return raw("HTTP/1.1 103 Early Hints\r\n\r\n" + http_ok(chat_reply(who)) + "junk");
  });
  auto server = start_gateway(openai_config(up.base_url()), ServerOptions{});
  ASSERT_TRUE(server);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      TestClient c(server->port());
      for (int i = 0; i < 10; ++i) {
        const std::string me = "client-" + std::to_string(t) + "-" + std::to_string(i);
        auto r = c.post("/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":")" + me + R"("}]})");
        if (r.status != 200 || answer_of(r) != me) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// --- Defect 7: a status outside 100-599 (or an unasked-for 101) is a 502 --------------------

TEST(UpstreamStatus, OutOfRangeStatusIs502) {
  FakeUpstream up;
  RawReplies replies(up);
  replies.push(raw("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\n{}"));
  replies.push(raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"));
  auto server = start_gateway(openai_config(up.base_url()), one_worker());
  ASSERT_TRUE(server);
  const std::string host = "127.0.0.1:" + std::to_string(up.port());
  auto a = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
  EXPECT_EQ(a.status, 502);
  EXPECT_EQ(parse(a.body)["detail"], "Endpoint 'chat': the upstream " + host +
                                         " sent an invalid HTTP response (status 999 is "
                                         "outside 100-599)");
  auto b = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"chat","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(b.status, 502);
  EXPECT_EQ(parse(b.body)["error"]["message"],
            "Endpoint 'chat': the upstream " + host +
                " sent an invalid HTTP response (101 Switching Protocols, which the gateway never "
                "asks for)");
  auto c = http_request(server->port(), "POST", "/endpoints/chat/invocations", kAsk);
  EXPECT_EQ(answer_of(c), "reply-2");
}

// --- Defect 2, upstream side: every response is bounded -------------------------------------

class UpstreamBounds : public ::testing::Test {
 protected:
  void start(ServerOptions o = one_worker()) {
    server_ = start_gateway(openai_config(up_.base_url()), o);
    ASSERT_TRUE(server_);
  }
  HttpResult ask() {
    return http_request(server_->port(), "POST", "/endpoints/chat/invocations", kAsk);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(up_.port()); }
  FakeUpstream up_;
  std::unique_ptr<Server> server_;
};

TEST_F(UpstreamBounds, EndlessChunkExtensionIs502WithBoundedMemory) {
  ScriptedReply r =
      raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5;ext=");
  r.repeat = std::string(64 * 1024, 'e');
  r.repeat_bytes = 400u << 20;  // 400 MB, unless the gateway hangs up first
  up_.reply_with(r);
  start();
  const long before = rss_kib();
  auto res = ask();
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(parse(res.body)["detail"],
            "Endpoint 'chat': the upstream " + host() +
                " sent an invalid HTTP response (a chunk extension or the trailer is larger than "
                "131072 bytes)");
  EXPECT_LT(rss_kib() - before, 32 * 1024);
  EXPECT_LT(up_.repeated_bytes(), 64u << 20);  // the gateway stopped reading early
}

TEST_F(UpstreamBounds, EndlessTrailerIs502WithBoundedMemory) {
  ScriptedReply r =
      raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\n{}\r\n0\r\nX-Trailer: ");
  r.repeat = std::string(64 * 1024, 't');
  r.repeat_bytes = 400u << 20;
  up_.reply_with(r);
  start();
  const long before = rss_kib();
  auto res = ask();
  EXPECT_EQ(res.status, 502);
  EXPECT_NE(parse(res.body)["detail"].get<std::string>().find("the trailer is larger than"),
            std::string::npos)
      << res.body;
  EXPECT_LT(rss_kib() - before, 32 * 1024);
  EXPECT_LT(up_.repeated_bytes(), 64u << 20);
}

TEST_F(UpstreamBounds, FiveGigabyteContentLengthIs502AtOnce) {
  up_.reply_with(
      raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Content-Length: 5000000000\r\n\r\n{\"a\":"));
  start(one_worker(std::chrono::milliseconds(30'000)));
  const auto t0 = Clock::now();
  auto res = ask();
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(parse(res.body)["detail"],
            "Endpoint 'chat': the upstream " + host() +
                " sent an invalid HTTP response (the response is larger than the limit of "
                "67108864 bytes)");
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));  // not the 30 s timeout
}

TEST_F(UpstreamBounds, ResponseLargerThanTheLimitIs502) {
  ServerOptions o = one_worker();
  o.upstream.max_response_bytes = 64 * 1024;
  ScriptedReply r = raw(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  r.repeat = "400\r\n" + std::string(0x400, ' ') + "\r\n";  // 1 KiB chunks, forever
  up_.reply_with(r);
  start(o);
  auto res = ask();
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(parse(res.body)["detail"],
            "Endpoint 'chat': the upstream " + host() +
                " sent an invalid HTTP response (the response is larger than the limit of 65536 "
                "bytes)");
}

TEST_F(UpstreamBounds, StreamLargerThanTheLimitEndsWithAnErrorEvent) {
  ServerOptions o = one_worker();
  o.upstream.max_response_bytes = 64 * 1024;
  const std::string event =
      R"(data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]})"
      "\n\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", event.size());
  ScriptedReply r = raw(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
  r.repeat = size + event + "\r\n";
  up_.reply_with(r);
  start(o);
  auto res = http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                          R"({"messages":[{"role":"user","content":"hi"}],"stream":true})");
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("the stream from the upstream " + host() +
                          " is larger than the limit of 65536 bytes"),
            std::string::npos)
      << res.body.substr(res.body.size() > 400 ? res.body.size() - 400 : 0);
}

TEST_F(UpstreamBounds, TrickledReplyTimesOutWhileOthersAreServed) {
  ScriptedReply r =
      raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Content-Length: 100\r\n\r\n");
  r.repeat = " ";
  r.repeat_interval = std::chrono::milliseconds(100);
  r.repeat_bytes = 100;
  up_.reply_with(r);
  start(one_worker(std::chrono::milliseconds(800)));
  auto slow = std::async(std::launch::async, [&] { return ask(); });
  // Meanwhile the same worker serves other clients.
  for (int i = 0; i < 5; ++i) {
    auto ok = http_request(server_->port(), "POST", "/endpoints/mock-chat/invocations", kAsk);
    EXPECT_EQ(ok.status, 200);
  }
  auto res = slow.get();
  EXPECT_EQ(res.status, 504);
  EXPECT_EQ(parse(res.body)["detail"],
            "Endpoint 'chat': the upstream " + host() + " did not respond within 0.8 s");
}

TEST_F(UpstreamBounds, ResetMidBodyIs502AndTheNextCallIsServed) {
  ScriptedReply cut =
      raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Content-Length: 1000\r\n\r\n{\"id\":");
  cut.close_after = true;
  RawReplies replies(up_);
  replies.push(cut);
  start();
  auto res = ask();
  EXPECT_EQ(res.status, 502);
  EXPECT_NE(parse(res.body)["detail"].get<std::string>().find("sent an invalid HTTP response"),
            std::string::npos)
      << res.body;
  EXPECT_EQ(answer_of(ask()), "reply-1");
}

// --- Client side: defects 2, 5, 9, 10, 11 and 3 ---------------------------------------------

class ClientBounds : public ::testing::Test {
 protected:
  void SetUp() override { start(options()); }
  virtual ServerOptions options() {
    ServerOptions o;
    o.workers = 1;
    o.max_body_bytes = 64 * 1024;
    o.max_header_bytes = 2048;
    o.read_timeout = std::chrono::milliseconds(600);
    o.upstream.total_timeout = std::chrono::milliseconds(30'000);
    return o;
  }
  void start(ServerOptions o) {
    server_ = start_gateway(openai_config(up_.base_url()), o);
    ASSERT_TRUE(server_);
  }
  std::uint16_t port() const { return server_->port(); }
  FakeUpstream up_;
  std::unique_ptr<Server> server_;
};

const std::string kChunkedHead =
    "POST /endpoints/mock-chat/invocations HTTP/1.1\r\nHost: x\r\n"
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST_F(ClientBounds, EndlessChunkExtensionIs413WithBoundedMemory) {
  RawConnection c(port());
  const long before = rss_kib();
  c.send(kChunkedHead + "5;ext=");
  const std::string filler(64 * 1024, 'e');
  // The gateway answers and stops reading long before 64 MB; sending then fails or fills the
  // socket buffers, which is fine.
  std::thread sender([&] {
    RawConnection& conn = c;
    for (int i = 0; i < 4; ++i) conn.send(filler);
  });
  std::string got = c.read_all();
  sender.join();
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got.substr(0, 200);
  EXPECT_NE(
      got.find(
          R"x({"detail":"Request body framing (a chunk extension or the trailer) is larger than 18432 bytes"})x"),
      std::string::npos)
      << got;
  EXPECT_LT(rss_kib() - before, 16 * 1024);
}

TEST_F(ClientBounds, EndlessTrailerIs413) {
  RawConnection c(port());
  c.send(kChunkedHead + "2\r\n{}\r\n0\r\nX-T: " + std::string(64 * 1024, 't'));
  std::string got = c.read_all();
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got.substr(0, 200);
}

TEST_F(ClientBounds, TransferEncodingNotEndingInChunkedIs400AndNotSmuggled) {
  for (std::string te : {"xchunked", "chunked, identity", "identity", "chunked;q=1"}) {
    RawConnection c(port());
    c.send("POST /endpoints/mock-chat/invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
           "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string got = c.read_all();
    EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << te << ": " << got;
    // Exactly one response: the body bytes were not served as a second request.
    EXPECT_EQ(got.find("HTTP/1.1", 1), std::string::npos) << te << ": " << got;
    EXPECT_NE(got.find("Transfer-Encoding must end in chunked"), std::string::npos) << got;
  }
}

TEST_F(ClientBounds, OtherTransferCodingsAre501AndBothFramingsAre400) {
  {
    RawConnection c(port());
    c.send(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked"
        "\r\n\r\n0\r\n\r\n");
    std::string got = c.read_all();
    EXPECT_EQ(got.rfind("HTTP/1.1 501", 0), 0u) << got;
    EXPECT_NE(got.find(R"x("message":"Transfer-Encoding 'gzip' is not supported (only chunked)")x"),
              std::string::npos)
        << got;
  }
  {
    RawConnection c(port());
    c.send(
        "POST /endpoints/mock-chat/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    std::string got = c.read_all();
    EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  }
  // Plain chunked still works.
  RawConnection ok(port());
  const std::string body = kAsk;
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", body.size());
  ok.send(kChunkedHead + size + body + "\r\n0\r\n\r\n");
  std::string got = ok.read_until("Mock response");
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
}

TEST_F(ClientBounds, OneDeadlineCoversHeaderAndBody) {
  // The header arrives slowly (about 0.4 s), then the body trickles. The request must be cut
  // at read_timeout (0.6 s) from its first byte, not read_timeout after the header.
  RawConnection c(port());
  const std::string head =
      "POST /endpoints/mock-chat/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n";
  const auto t0 = Clock::now();
  std::atomic<bool> stop{false};
  std::thread pacer([&] {
    for (std::size_t i = 0; i < head.size() && !stop; i += 8) {
      c.send(head.substr(i, 8));
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    for (int i = 0; i < 40 && !stop; ++i) {
      c.send("{");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::string got = c.read_all(5000);
  const auto elapsed = Clock::now() - t0;
  stop = true;
  pacer.join();
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_LT(elapsed, std::chrono::milliseconds(900));  // 0.6 s, not 0.4 + 0.6 s
}

TEST_F(ClientBounds, ManyJsonValuesAre413BeforeAnyParsing) {
  server_.reset();
  ServerOptions o = options();
  o.max_json_values = 1000;
  start(o);
  std::string many = R"({"messages":[)";
  for (int i = 0; i < 600; ++i)
    many += std::string(i ? "," : "") + R"({"role":"user","content":"x"})";
  many += "]}";
  auto a = http_request(port(), "POST", "/endpoints/mock-chat/invocations", many);
  EXPECT_EQ(a.status, 413);
  EXPECT_EQ(a.body, R"({"detail":"Request body holds more than 1000 JSON values"})");
  std::string nums = R"({"model":"embeddings","input":[)";
  for (int i = 0; i < 1500; ++i) nums += std::string(i ? "," : "") + "1";
  nums += "]}";
  auto c = http_request(port(), "POST", "/v1/embeddings", nums);
  EXPECT_EQ(c.status, 413);
  EXPECT_EQ(parse(c.body)["error"]["message"], "Request body holds more than 1000 JSON values");
  std::string few = R"({"messages":[)";
  for (int i = 0; i < 200; ++i)
    few += std::string(i ? "," : "") + R"({"role":"user","content":"x"})";
  few += "]}";
  EXPECT_EQ(http_request(port(), "POST", "/endpoints/mock-chat/invocations", few).status, 200);
}

// A pipelined byte used to spend the disconnect watch: a later disconnect went unnoticed and
// the upstream call ran on until its timeout.
TEST_F(ClientBounds, DisconnectAfterAPipelinedByteStillCancelsTheUpstreamCall) {
  ScriptedReply hang;
  hang.action = ScriptedReply::Action::Hang;
  up_.reply_with(hang);
  {
    RawConnection c(port());
    const std::string body = kAsk;
    c.send("POST /endpoints/chat/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body + "GET /hea");
    ASSERT_TRUE(up_.wait_for_requests(1));
  }                                                // the client leaves while the call is in flight
  EXPECT_TRUE(up_.wait_for_peer_closes(1, 5000));  // the total timeout is 30 s
}

TEST_F(ClientBounds, PipelinedRequestAfterANonStreamingCallIsServed) {
  up_.reply_with(ScriptedReply{.body = kChatReply});
  RawConnection c(port());
  const std::string body = kAsk;
  c.send("POST /endpoints/chat/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body +
         "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string got = c.read_until(R"({"status":"OK"})");
  EXPECT_NE(got.find("how may I assist you"), std::string::npos) << got;
  EXPECT_NE(got.find(R"({"status":"OK"})"), std::string::npos) << got;
}

class ConnectionCap : public ClientBounds {
 protected:
  ServerOptions options() override {
    ServerOptions o = ClientBounds::options();
    o.max_connections = 4;
    o.idle_timeout = std::chrono::milliseconds(60'000);
    return o;
  }
};

TEST_F(ConnectionCap, PastTheCapNewConnectionsGet503AndIdleOnesAreClosedFirst) {
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port()));
    idle.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_NE(idle.back()->read_until(R"({"status":"OK"})").find("200 OK"), std::string::npos);
  }
  RawConnection over(port());
  std::string got = over.read_all();
  EXPECT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << got;
  EXPECT_NE(got.find("Retry-After: 1\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find(R"({"detail":"The gateway is at its connection limit; retry in a moment."})"),
            std::string::npos);
  // The idle keep-alive connections were closed to make room: a new client is served.
  for (auto& c : idle) EXPECT_TRUE(c->wait_closed());
  auto health = http_request(port(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
}

}  // namespace
}  // namespace gw::test
