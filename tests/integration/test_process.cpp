// The built `deployments` binary as a separate process, over real sockets: start-up on the
// example config, serving, SIGTERM shutdown, config errors and the validate-config command.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <thread>
#include <fstream>
#include <regex>
#include <sstream>

#include "gateway_fixture.h"
#include "process_fixture.h"
#include "support/redis_server.h"
#include "test_paths.h"

namespace gw::test {
namespace {

const std::string kExample = std::string(GW_SOURCE_DIR) + "/config/example.yaml";

TEST(Process, ServesExampleConfigAndStopsCleanlyOnSigterm) {
  auto c = spawn({"start-server", "--config-path", kExample, "--port", "0", "--workers", "2"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));

  auto chat = http_request(port, "POST", "/endpoints/chat/invocations",
                           R"({"messages":[{"role":"user","content":"hello gateway"}]})");
  ASSERT_EQ(chat.status, 200) << chat.body;
  EXPECT_EQ(parse(chat.body)["choices"][0]["message"]["content"],
            "Mock response to: hello gateway");
  auto comp =
      http_request(port, "POST", "/v1/completions", R"({"model":"completions","prompt":"x"})");
  EXPECT_EQ(comp.status, 200) << comp.body;
  auto emb =
      http_request(port, "POST", "/v1/embeddings", R"({"model":"embeddings","input":["a"]})");
  ASSERT_EQ(emb.status, 200) << emb.body;
  EXPECT_EQ(parse(emb.body)["data"][0]["embedding"].size(), 8u);

  ASSERT_EQ(kill(c->pid, SIGTERM), 0);
  EXPECT_EQ(c->wait_exit(), 0) << c->output;
  EXPECT_NE(c->output.find("received SIGTERM: shutting down gracefully"), std::string::npos);
}

TEST(Process, InvalidConfigPrintsEveryErrorAndExits2) {
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: bad name\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: mock\n"
      "  - name: ok\n"
      "    endpoint_type: llm/v1/nope\n"
      "    model:\n"
      "      provider: mock\n");
  auto c = spawn({"start-server", "--config-path", path, "--port", "0"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->wait_exit(), 2);
  EXPECT_NE(c->output.find("endpoints[0].name: The route name provided contains disallowed "
                           "characters for a url endpoint. 'bad name' is invalid."),
            std::string::npos)
      << c->output;
  EXPECT_NE(c->output.find("endpoints[1].endpoint_type: The route_type 'llm/v1/nope' is not "
                           "supported. Valid values: llm/v1/chat, llm/v1/completions, "
                           "llm/v1/embeddings. (line 7"),
            std::string::npos)
      << c->output;
  EXPECT_EQ(c->output.find("listening"), std::string::npos);
  unlink(path.c_str());
}

TEST(Process, MissingConfigFileExits2) {
  auto c = spawn({"start-server", "--config-path", "/nonexistent/gw.yaml"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->wait_exit(), 2);
  EXPECT_NE(c->output.find("/nonexistent/gw.yaml does not exist"), std::string::npos) << c->output;
}

TEST(Process, ValidateConfig) {
  auto ok = spawn({"validate-config", "--config-path", kExample});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->wait_exit(), 0) << ok->output;
  EXPECT_NE(ok->output.find("OK (3 endpoints, 0 routes)"), std::string::npos) << ok->output;

  std::string path = write_temp(
      "endpoints:\n"
      "  - name: a\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: mock\n"
      "    limit:\n"
      "      calls: 1\n"
      "      renewal_period: minute\n"
      "      renewal_perod: hour\n");
  auto lenient = spawn({"validate-config", "--config-path", path});
  EXPECT_EQ(lenient->wait_exit(), 0) << lenient->output;
  EXPECT_NE(lenient->output.find("warning: endpoints[0].limit.renewal_perod: unknown key "
                                 "'renewal_perod' (ignored; did you mean 'renewal_period'?) "
                                 "(line 9"),
            std::string::npos)
      << lenient->output;
  auto strict = spawn({"validate-config", "--config-path", path, "--strict"});
  EXPECT_EQ(strict->wait_exit(), 1) << strict->output;
  unlink(path.c_str());
}

TEST(Process, VersionAndHelp) {
  auto v = spawn({"--version"});
  EXPECT_EQ(v->wait_exit(), 0);
  EXPECT_NE(v->output.find("deployments "), std::string::npos);
  auto h = spawn({"start-server", "--help"});
  EXPECT_EQ(h->wait_exit(), 0);
  EXPECT_NE(h->output.find("--config-path"), std::string::npos);
}

// Flags render as plain flags (no "{false}" default attached).
TEST(Process, HelpRendersFlagsPlainly) {
  auto h = spawn({"start-server", "--help"});
  EXPECT_EQ(h->wait_exit(), 0);
  EXPECT_NE(h->output.find("--no-reload "), std::string::npos) << h->output;
  EXPECT_EQ(h->output.find("{false}"), std::string::npos) << h->output;
  EXPECT_NE(h->output.find("--strict"), std::string::npos) << h->output;
}

// Every usage error exits 2 with the message and the command's usage (CLI11's own codes are
// 100 and up).
TEST(Process, UsageErrorsExit2WithTheUsage) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"start-server", "--config-path", kExample, "--no-such-flag"},
       "The following argument was not expected: --no-such-flag"},
      {{"start-server", "--config-path", kExample, "--port", "70000"}, "--port"},
      {{"start-server", "--config-path", kExample, "--workers", "0"}, "--workers"},
      {{"start-server", "--config-path", kExample, "--read-timeout", "-1"}, "--read-timeout"},
      {{"start-server", "--config-path", kExample, "--upstream-timeout", "0"},
       "--upstream-timeout"},
      {{"start-server", "--config-path", kExample, "--max-body-size", "0"}, "--max-body-size"},
      {{"start-server", "--config-path", kExample, "--max-connections", "-5"}, "--max-connections"},
      {{"start-server", "--config-path", kExample, "--stream-idle-timeout", "abc"},
       "--stream-idle-timeout"},
      {{"validate-config", "--strictly"}, "--strictly"},
      {{"no-such-command"},
       "unknown command 'no-such-command' (commands: start-server, validate-config, healthcheck)"},
      {{}, "A subcommand is required"},
  };
  for (const auto& c : cases) {
    auto p = spawn(c.args);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->wait_exit(), 2) << p->output;
    EXPECT_NE(p->output.find("Error: "), std::string::npos) << p->output;
    EXPECT_NE(p->output.find(c.message), std::string::npos) << p->output;
    EXPECT_NE(p->output.find("Usage:"), std::string::npos) << p->output;
  }
}

// A port in use is said plainly (no Boost source location), before anything is watched, and
// the process exits 1.
TEST(Process, PortInUseIsAPlainErrorAndExits1) {
  auto first = spawn({"start-server", "--config-path", kExample, "--port", "0"});
  ASSERT_TRUE(first);
  auto m = first->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << first->output;
  const std::string port = m[1];
  auto second = spawn({"start-server", "--config-path", kExample, "--port", port});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->wait_exit(), 1) << second->output;
  EXPECT_NE(second->output.find("Error: port " + port + " on 127.0.0.1 is already in use"),
            std::string::npos)
      << second->output;
  EXPECT_EQ(second->output.find("watching"), std::string::npos) << second->output;
  EXPECT_EQ(second->output.find(".hpp"), std::string::npos) << second->output;
  kill(first->pid, SIGTERM);
  EXPECT_EQ(first->wait_exit(), 0);
}

// start-server --strict refuses a config with warnings, like validate-config --strict.
TEST(Process, StartServerStrictRefusesWarnings) {
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: a\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model: {provider: mock}\n"
      "    limits: {calls: 1, renewal_period: minute}\n");
  auto c = spawn({"start-server", "--config-path", path, "--port", "0", "--strict"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->wait_exit(), 2) << c->output;
  EXPECT_NE(c->output.find("error: endpoints[0].limits: unknown key 'limits' (ignored; did you "
                           "mean 'limit'?)"),
            std::string::npos)
      << c->output;
  EXPECT_EQ(c->output.find("listening"), std::string::npos) << c->output;
  unlink(path.c_str());
}

TEST(Process, ReloadsOnFileChangeAndOnSighup) {
  std::string yaml =
      "endpoints:\n"
      "  - {name: one, endpoint_type: llm/v1/chat, model: {provider: mock}}\n";
  std::string path = write_temp(yaml);
  auto c = spawn({"start-server", "--config-path", path, "--port", "0"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  kill(c->pid, SIGHUP);
  // SIGHUP rebuilds even an unchanged file (so rotated secrets are re-read).
  EXPECT_FALSE(
      c->wait_for(std::regex(R"(configuration reloaded from .* \(reload requested\): no changes)"))
          .empty())
      << c->output;
  {
    std::string tmp = path + ".new";
    std::ofstream out(tmp);
    out << yaml << "  - {name: two, endpoint_type: llm/v1/chat, model: {provider: mock}}\n";
    out.close();
    std::rename(tmp.c_str(), path.c_str());
  }
  EXPECT_FALSE(
      c
          ->wait_for(std::regex(
              R"(configuration reloaded from .* \(file changed\): added \[two\], removed \[\], changed \[\])"))
          .empty())
      << c->output;
  EXPECT_EQ(http_request(port, "GET", "/api/2.0/endpoints/two").status, 200);
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0) << c->output;
  unlink(path.c_str());
}

TEST(ProcessRedis, TwoGatewaysSharingRedisNeverAdmitMoreThanTheLimit) {
  RedisServer redis;
  ASSERT_TRUE(redis.ready()) << "redis-server is required (bash .ci/setup installs it)";
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: shared\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model: {provider: mock}\n"
      "    limit: {calls: 7, renewal_period: hour, key: global}\n");
  std::vector<std::unique_ptr<Child>> gateways;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < 2; ++i) {
    gateways.push_back(spawn({"start-server", "--config-path", path, "--port", "0",
                              "--rate-limit-storage", redis.uri(3)}));
    auto m = gateways.back()->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
    ASSERT_FALSE(m.empty()) << gateways.back()->output;
    ports.push_back(static_cast<std::uint16_t>(std::stoi(m[1])));
    EXPECT_NE(gateways.back()->output.find("rate limits in redis://127.0.0.1:"), std::string::npos);
  }
  // 8 clients, 5 calls each, spread over both gateways, all at once.
  std::atomic<int> ok{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      TestClient c(ports[t % 2]);
      for (int i = 0; i < 5; ++i) {
        int s = c.post(i % 2 ? "/endpoints/shared/invocations" : "/gateway/shared/invocations",
                       R"({"messages":[{"role":"user","content":"x"}]})")
                    .status;
        (s == 200 ? ok : s == 429 ? limited : other)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 7);
  EXPECT_EQ(limited.load(), 33);
  EXPECT_EQ(other.load(), 0);
  for (auto& g : gateways) {
    kill(g->pid, SIGTERM);
    EXPECT_EQ(g->wait_exit(), 0) << g->output;
  }
  unlink(path.c_str());
}

// Issue 14: tokens and spend shared exactly by two gateways through one Redis (atomic Lua, no
// periodic sync), and kept across a restart.
TEST(ProcessRedis, TwoGatewaysShareTokensAndSpendAndARestartKeepsThem) {
  RedisServer redis;
  ASSERT_TRUE(redis.ready()) << "redis-server is required (bash .ci/setup installs it)";
  // Each call: 1 prompt word + 3 reply words = 4 tokens = 4 micro-dollars x 1000 = 0.004 USD.
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: shared\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model: {provider: mock, config: {response: 'one two three'}}\n"
      "    tokens: {per_hour: 40}\n"
      "    cost: {input_per_million: 1000, output_per_million: 1000}\n"
      "    budget: {usd: 0.1, period: month}\n");
  const auto start = [&] {
    auto g = spawn({"start-server", "--config-path", path, "--port", "0", "--rate-limit-storage",
                    redis.uri(6)});
    auto m = g->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
    EXPECT_FALSE(m.empty()) << g->output;
    const auto port = m.empty() ? std::uint16_t{0} : static_cast<std::uint16_t>(std::stoi(m[1]));
    return std::make_pair(std::move(g), port);
  };
  // (No structured bindings: clang 14 cannot capture them in the clients' lambdas.)
  auto s1 = start();
  auto s2 = start();
  auto& g1 = s1.first;
  auto& g2 = s2.first;
  const std::uint16_t p1 = s1.second;
  const std::uint16_t p2 = s2.second;
  ASSERT_TRUE(p1 && p2);
  const std::string body = R"({"messages":[{"role":"user","content":"x"}]})";
  std::atomic<int> ok{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      TestClient c(t % 2 ? p1 : p2);
      for (int i = 0; i < 5; ++i) {
        const int st = c.post("/endpoints/shared/invocations", body).status;
        (st == 200 ? ok : st == 429 ? limited : other)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(other.load(), 0);
  // Admitted while the shared count was under 40 tokens (ten calls); past it only calls admitted
  // before the count crossed, at most one per other client in flight.
  EXPECT_GE(ok.load(), 10);
  EXPECT_LE(ok.load(), 10 + 7);
  // Both gateways report the same exact totals: every call charged once, in Redis.
  for (const auto port : {p1, p2}) {
    Json report = parse(http_request(port, "GET", "/api/2.0/gateway/usage?period=day").body);
    EXPECT_EQ(report["current"]["total"]["requests"], ok.load()) << report.dump();
    EXPECT_EQ(report["current"]["total"]["input_tokens"], ok.load());
    EXPECT_EQ(report["current"]["total"]["output_tokens"], 3 * ok.load());
    EXPECT_EQ(report["current"]["total"]["usd_micros"], 4000 * ok.load());
  }
  for (auto* g : {g1.get(), g2.get()}) {
    kill(g->pid, SIGTERM);
    EXPECT_EQ(g->wait_exit(), 0) << g->output;
  }
  // A restarted gateway finds the counts in Redis: still over the token limit, same report.
  auto s3 = start();
  auto& g3 = s3.first;
  const std::uint16_t p3 = s3.second;
  ASSERT_TRUE(p3);
  EXPECT_EQ(http_request(p3, "POST", "/endpoints/shared/invocations", body).status, 429);
  Json report = parse(http_request(p3, "GET", "/api/2.0/gateway/usage?period=month").body);
  EXPECT_EQ(report["current"]["total"]["requests"], ok.load());
  kill(g3->pid, SIGTERM);
  EXPECT_EQ(g3->wait_exit(), 0) << g3->output;
  unlink(path.c_str());
}

TEST(ProcessRedis, UnreachableRedisFailsOpenByDefaultAndClosedOnRequest) {
  std::uint16_t dead = RedisServer::free_port();
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: l\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model: {provider: mock}\n"
      "    limit: {calls: 1, renewal_period: hour}\n");
  for (bool closed : {false, true}) {
    std::vector<std::string> args{"start-server",
                                  "--config-path",
                                  path,
                                  "--port",
                                  "0",
                                  "--rate-limit-storage",
                                  "redis://127.0.0.1:" + std::to_string(dead)};
    if (closed) args.push_back("--rate-limit-fail-closed");
    auto g = spawn(args);
    auto m = g->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
    ASSERT_FALSE(m.empty()) << g->output;
    auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
    for (int i = 0; i < 3; ++i) {
      auto r = http_request(port, "POST", "/endpoints/l/invocations",
                            R"({"messages":[{"role":"user","content":"x"}]})");
      if (closed) {
        EXPECT_EQ(r.status, 503);
        EXPECT_EQ(
            r.body,
            R"({"detail":"Rate limiting is unavailable: the rate-limit store cannot be reached"})");
      } else {
        EXPECT_EQ(r.status, 200);  // admitted: fail-open
      }
    }
    EXPECT_FALSE(
        g->wait_for(std::regex("rate-limit store redis://127.0.0.1:[0-9]+ unreachable")).empty())
        << g->output;
    kill(g->pid, SIGTERM);
    EXPECT_EQ(g->wait_exit(), 0) << g->output;
  }
  unlink(path.c_str());
}

TEST(Process, BadRateLimitStorageIsAStartupError) {
  auto c =
      spawn({"start-server", "--config-path", kExample, "--rate-limit-storage", "mongodb://x"});
  EXPECT_EQ(c->wait_exit(), 2);
  EXPECT_NE(c->output.find("--rate-limit-storage must be memory:// or "
                           "redis[s]://[[user]:password@]host[:port][/db]"),
            std::string::npos)
      << c->output;
}

TEST(Process, SecretsNeverAppearInLogs) {
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: chat\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: openai\n"
      "      name: gpt-4o-mini\n"
      "      config:\n"
      "        openai_api_key: sk-literal-very-secret\n"
      "        openai_api_base: http://127.0.0.1:9/v1\n");
  auto c = spawn({"start-server", "--config-path", path, "--port", "0", "--access-log",
                  "--log-level", "debug"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  auto r = http_request(port, "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 502);  // nothing listens on port 9
  auto info = http_request(port, "GET", "/api/2.0/endpoints/chat");
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0);
  EXPECT_EQ(c->output.find("sk-literal-very-secret"), std::string::npos) << c->output;
  EXPECT_EQ(r.body.find("sk-literal-very-secret"), std::string::npos);
  EXPECT_EQ(info.body.find("sk-literal"), std::string::npos);
  unlink(path.c_str());
}

// Issue 4: stream usage the client did not ask for is kept for the logs, not sent.
TEST(Process, StreamUsageGoesToTheAccessLogNotToTheClient) {
  FakeUpstream upstream;
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {
      "event: message_start\ndata: "
      "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{"
      "\"input_tokens\":11,\"output_tokens\":1}}}\n\n"
      "event: content_block_start\ndata: "
      "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":"
      "\"\"}}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
      "\"Hi\"}}\n\n"
      "event: message_delta\ndata: "
      "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_"
      "tokens\":7}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
  upstream.reply_with(reply);
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: chat\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: anthropic\n"
      "      name: claude\n"
      "      config: {anthropic_api_key: k, anthropic_api_base: '" +
      upstream.base_url() + "'}\n");
  auto c = spawn({"start-server", "--config-path", path, "--port", "0", "--access-log"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  auto r = http_request(port, "POST", "/endpoints/chat/invocations",
                        R"({"stream":true,"messages":[{"role":"user","content":"a"}]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Hi"), std::string::npos);
  EXPECT_EQ(r.body.find("usage"), std::string::npos) << r.body;
  EXPECT_FALSE(
      c
          ->wait_for(std::regex(
              R"(/endpoints/chat/invocations" 200 (\d+) \d+\.\d\dms stream tokens 11/7/18)"))
          .empty())
      << c->output;
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0);
  unlink(path.c_str());
}

// A local stream (the mock provider) logs like an upstream one: bytes, milliseconds, tokens.
TEST(Process, MockStreamAccessLogLineHasBytesTimeAndTokens) {
  auto c = spawn({"start-server", "--config-path", kExample, "--port", "0", "--access-log"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  auto r = http_request(
      port, "POST", "/v1/chat/completions",
      R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"hi there"}]})");
  ASSERT_EQ(r.status, 200);
  auto line = c->wait_for(
      std::regex(R"(/v1/chat/completions" 200 (\d+) \d+\.\d\dms stream tokens (\d+)/(\d+)/(\d+))"));
  ASSERT_FALSE(line.empty()) << c->output;
  // The bytes are the SSE body the client received.
  EXPECT_EQ(std::stoul(line[1]), r.body.size());
  EXPECT_EQ(std::stoi(line[2]) + std::stoi(line[3]), std::stoi(line[4]));
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0);
}

// The access log is on by default (text); every line ends with the request id.
TEST(Process, AccessLogIsOnByDefaultWithRequestIds) {
  auto c = spawn({"start-server", "--config-path", kExample, "--port", "0"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  TestClient client(port);
  auto r = client.request("GET", "/health", "", {{"X-Request-Id", "probe-1"}});
  EXPECT_EQ(r.header("x-request-id"), "probe-1");
  EXPECT_FALSE(
      c->wait_for(std::regex(R"("GET /health" 200 \d+ \d+\.\d\dms request_id probe-1)")).empty())
      << c->output;
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0);
}

// --access-log=json --log-format=json: every line is one JSON object; the access line has
// the invocation's facts and no prompt or completion.
TEST(Process, JsonAccessLogAndJsonLogLines) {
  auto c = spawn({"start-server", "--config-path", kExample, "--port", "0", "--access-log=json",
                  "--log-format=json"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  TestClient client(port);
  auto r =
      client.request("POST", "/v1/chat/completions",
                     R"({"model":"chat","messages":[{"role":"user","content":"secret prompt"}]})",
                     {{"Content-Type", "application/json"}, {"X-Request-Id", "json-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto line = c->wait_for(std::regex(R"((\{"time"[^\n]*"request_id":"json-1"[^\n]*\}))"));
  ASSERT_FALSE(line.empty()) << c->output;
  const Json j = parse(line[1]);
  ASSERT_TRUE(j.is_object()) << line[1];
  EXPECT_EQ(j["level"], "INFO");
  EXPECT_EQ(j["type"], "access");
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/v1/chat/completions");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["endpoint"], "chat");
  EXPECT_EQ(j["provider"], "mock");
  EXPECT_EQ(j["attempts"], "chat:200:ok");
  EXPECT_EQ(j["client"], "127.0.0.1");
  EXPECT_TRUE(j["tokens_in"].is_number_integer()) << line[1];
  EXPECT_TRUE(j["tokens_out"].is_number_integer()) << line[1];
  EXPECT_GT(j["bytes_in"].get<int>(), 0);
  EXPECT_EQ(j["bytes_out"].get<std::size_t>(), r.body.size());
  EXPECT_TRUE(j["total_ms"].is_number() && j["overhead_ms"].is_number());
  // The example's chat endpoint is limited per client address: logged as a digest only.
  EXPECT_EQ(j["limit_key"].get<std::string>().size(), 16u);
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0);
  EXPECT_EQ(c->output.find("secret prompt"), std::string::npos) << c->output;
  std::istringstream lines(c->output);
  for (std::string l; std::getline(lines, l);)
    if (!l.empty()) {
      EXPECT_TRUE(parse(l).is_object()) << "not JSON: " << l;
    }
}

TEST(Process, AccessLogOff) {
  auto c = spawn({"start-server", "--config-path", kExample, "--port", "0", "--access-log=off"});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  EXPECT_EQ(http_request(static_cast<std::uint16_t>(std::stoi(m[1])), "GET", "/health").status,
            200);
  kill(c->pid, SIGTERM);
  EXPECT_EQ(c->wait_exit(), 0);
  EXPECT_EQ(c->output.find("request_id"), std::string::npos) << c->output;
}

// --- Hardening (docs/security.md): Redis credentials and TLS, never echoed -----------------

// Runs `args` until its "listening" line; returns the port (0 on failure).
std::uint16_t start_and_wait(std::unique_ptr<Child>& c, std::vector<std::string> args) {
  c = spawn(std::move(args));
  if (!c) return 0;
  auto m = c->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  return m.empty() ? 0 : static_cast<std::uint16_t>(std::stoi(m[1]));
}

const char* kLimitedMock =
    "endpoints:\n"
    "  - name: l\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: mock}\n"
    "    limit: {calls: 1, renewal_period: hour, key: global}\n";

// Two calls against a limit of one: 200 then 429 proves the shared store answered.
void expect_limited_through_redis(std::uint16_t port) {
  const char* body = R"({"messages":[{"role":"user","content":"x"}]})";
  EXPECT_EQ(http_request(port, "POST", "/endpoints/l/invocations", body).status, 200);
  EXPECT_EQ(http_request(port, "POST", "/endpoints/l/invocations", body).status, 429);
}

TEST(ProcessRedis, PasswordAndAclUserAuthenticateAndAreNeverLogged) {
  RedisServer redis({"--requirepass", "pw-s3cret-default", "--user", "alice", "on",
                     ">pw-s3cret-alice", "~*", "&*", "+@all"});
  ASSERT_TRUE(redis.ready()) << "redis-server is required (bash .ci/setup installs it)";
  std::string path = write_temp(kLimitedMock);
  const std::string at = "@127.0.0.1:" + std::to_string(redis.port);
  for (std::string uri :
       {"redis://:pw-s3cret-default" + at + "/1", "redis://alice:pw-s3cret-alice" + at + "/2"}) {
    std::unique_ptr<Child> g;
    auto port = start_and_wait(
        g, {"start-server", "--config-path", path, "--port", "0", "--rate-limit-storage", uri,
            "--rate-limit-fail-closed", "--access-log", "--log-level", "debug"});
    ASSERT_NE(port, 0) << g->output;
    expect_limited_through_redis(port);
    kill(g->pid, SIGTERM);
    EXPECT_EQ(g->wait_exit(), 0);
    EXPECT_NE(g->output.find("rate limits in redis://***@127.0.0.1:"), std::string::npos)
        << g->output;
    EXPECT_EQ(g->output.find("s3cret"), std::string::npos) << g->output;
  }
  // A wrong password: the store is unreachable (fail-closed here), and says why without the
  // password.
  std::unique_ptr<Child> g;
  auto port = start_and_wait(
      g, {"start-server", "--config-path", path, "--port", "0", "--rate-limit-storage",
          "redis://:wrong-s3cret" + at, "--rate-limit-fail-closed"});
  ASSERT_NE(port, 0) << g->output;
  EXPECT_EQ(http_request(port, "POST", "/endpoints/l/invocations",
                         R"({"messages":[{"role":"user","content":"x"}]})")
                .status,
            503);
  EXPECT_FALSE(g->wait_for(std::regex("unreachable \\(AUTH refused: WRONGPASS")).empty())
      << g->output;
  kill(g->pid, SIGTERM);
  EXPECT_EQ(g->wait_exit(), 0);
  EXPECT_EQ(g->output.find("s3cret"), std::string::npos) << g->output;
  unlink(path.c_str());
}

TEST(ProcessRedis, TlsIsVerifiedAgainstTheCaFile) {
  const auto& cert = test_cert();
  std::string key_file = write_temp(cert.key_pem);
  RedisServer redis(
      {"--tls-cert-file", cert.cert_file, "--tls-key-file", key_file, "--tls-ca-cert-file",
       cert.cert_file, "--tls-auth-clients", "no", "--requirepass", "tls-s3cret"},
      /*tls=*/true);
  ASSERT_TRUE(redis.ready()) << redis.child->output;
  std::string path = write_temp(kLimitedMock);
  const std::string uri = "rediss://:tls-s3cret@localhost:" + std::to_string(redis.port) + "/4";
  {
    std::unique_ptr<Child> g;
    auto port = start_and_wait(
        g, {"start-server", "--config-path", path, "--port", "0", "--rate-limit-storage", uri,
            "--ca-file", cert.cert_file, "--rate-limit-fail-closed"});
    ASSERT_NE(port, 0) << g->output;
    expect_limited_through_redis(port);
    kill(g->pid, SIGTERM);
    EXPECT_EQ(g->wait_exit(), 0);
    EXPECT_NE(g->output.find("rate limits in rediss://***@localhost:"), std::string::npos)
        << g->output;
    EXPECT_EQ(g->output.find("s3cret"), std::string::npos) << g->output;
  }
  {
    // Without the test CA the certificate is not trusted: no connection, fail-closed 503.
    std::unique_ptr<Child> g;
    auto port = start_and_wait(g, {"start-server", "--config-path", path, "--port", "0",
                                   "--rate-limit-storage", uri, "--rate-limit-fail-closed"});
    ASSERT_NE(port, 0) << g->output;
    EXPECT_EQ(http_request(port, "POST", "/endpoints/l/invocations",
                           R"({"messages":[{"role":"user","content":"x"}]})")
                  .status,
              503);
    EXPECT_FALSE(g->wait_for(std::regex("unreachable \\(TLS handshake failed")).empty())
        << g->output;
    kill(g->pid, SIGTERM);
    EXPECT_EQ(g->wait_exit(), 0);
  }
  unlink(path.c_str());
  unlink(key_file.c_str());
}

TEST(ProcessRedis, HeaderKeysAreStoredAsFixedSizeDigests) {
  RedisServer redis;
  ASSERT_TRUE(redis.ready());
  std::string path = write_temp(
      "endpoints:\n"
      "  - name: h\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model: {provider: mock}\n"
      "    limit: {calls: 5, renewal_period: day, key: 'header:X-User'}\n");
  std::unique_ptr<Child> g;
  auto port = start_and_wait(g, {"start-server", "--config-path", path, "--port", "0",
                                 "--rate-limit-storage", redis.uri(5)});
  ASSERT_NE(port, 0) << g->output;
  const std::string huge(12 * 1024, 'u');
  TestClient c(port);
  for (std::string user : {huge, std::string("bob")}) {
    auto r = c.request("POST", "/endpoints/h/invocations",
                       R"({"messages":[{"role":"user","content":"x"}]})",
                       {{"Content-Type", "application/json"}, {"X-User", user}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-ratelimit-remaining"), "4");
  }
  // Every key in Redis is short, whatever the header value was.
  FILE* p = popen(("redis-cli -p " + std::to_string(redis.port) + " -n 5 --scan").c_str(), "r");
  ASSERT_TRUE(p);
  char line[65536];
  int keys = 0;
  while (fgets(line, sizeof line, p)) {
    ++keys;
    EXPECT_LT(std::strlen(line), 120u) << line;
    EXPECT_EQ(std::string(line).find("uuuu"), std::string::npos);
  }
  pclose(p);
  EXPECT_GE(keys, 2);
  kill(g->pid, SIGTERM);
  EXPECT_EQ(g->wait_exit(), 0);
  unlink(path.c_str());
}

TEST(Process, RedisCredentialsAreNotEchoedInUsageErrors) {
  auto c = spawn({"start-server", "--config-path", kExample, "--rate-limit-storage",
                  "redis://user:pa55-s3cret@host:notaport"});
  EXPECT_EQ(c->wait_exit(), 2);
  EXPECT_EQ(c->output.find("s3cret"), std::string::npos) << c->output;
  EXPECT_NE(c->output.find("got 'redis://***@host:notaport'"), std::string::npos) << c->output;
}

}  // namespace
}  // namespace gw::test
