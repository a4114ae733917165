// The upstream client over TLS (certificate and hostname verification), and Azure OpenAI
// end to end through a TLS fake upstream.
#include <boost/asio.hpp>

#include "gateway/upstream_client.h"
#include "gateway_fixture.h"

namespace gw::test {
namespace {

namespace net = boost::asio;

// Runs one UpstreamClient::send on a private io_context and returns its result.
Result<UpstreamReply> send_once(const UpstreamOptions& opts, UpstreamRequest req) {
  net::io_context ioc;
  UpstreamClient client(ioc, opts);
  std::optional<Result<UpstreamReply>> out;
  net::co_spawn(
      ioc, [&]() -> net::awaitable<void> { out.emplace(co_await client.send(req, "test")); },
      net::detached);
  ioc.run();
  return std::move(*out);
}

UpstreamRequest post(const std::string& url) {
  UpstreamRequest r;
  r.url = url;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = "{}";
  return r;
}

TEST(UpstreamClientTls, TrustedCertificateWorks) {
  FakeUpstream up(/*tls=*/true);
  up.reply_with(ScriptedReply{.body = R"({"ok":true})"});
  UpstreamOptions opts;
  opts.ca_file = test_cert().cert_file;
  auto r = send_once(opts, post(up.base_url() + "/v1/x"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(up.last_request().header("host"), "localhost:" + std::to_string(up.port()));
}

TEST(UpstreamClientTls, UntrustedCertificateIs502) {
  FakeUpstream up(/*tls=*/true);
  UpstreamOptions opts;  // system store only: the test CA is not trusted
  auto r = send_once(opts, post(up.base_url() + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message().rfind("Endpoint 'test': the TLS handshake with the upstream "
                                      "localhost:" +
                                          std::to_string(up.port()) + " failed (",
                                      0),
            0u)
      << r.error().message();
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(UpstreamClientTls, HostnameMismatchIs502) {
  FakeUpstream up(/*tls=*/true);
  UpstreamOptions opts;
  opts.ca_file = test_cert().cert_file;
  // The certificate names "localhost" only, so 127.0.0.1 must not verify.
  auto r = send_once(opts, post("https://127.0.0.1:" + std::to_string(up.port()) + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(UpstreamClient, ConnectionRefusedIs502) {
  std::uint16_t dead_port;
  {
    FakeUpstream up;  // bind a port, then free it
    dead_port = up.port();
  }
  auto r = send_once({}, post("http://127.0.0.1:" + std::to_string(dead_port) + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(), "Endpoint 'test': could not connect to the upstream 127.0.0.1:" +
                                     std::to_string(dead_port) + " (Connection refused)");
  EXPECT_EQ(r.error().code, "bad_gateway");
}

TEST(UpstreamClient, HeaderValueWithALineBreakIsNeverSent) {
  FakeUpstream up;
  UpstreamRequest req = post(up.base_url() + "/v1/x");
  req.headers.emplace_back("Authorization", "Bearer sk\r\nX-Injected: 1");
  auto r = send_once({}, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 500);
  EXPECT_EQ(r.error().message(),
            "Endpoint 'test': the value of the upstream header 'Authorization' contains a line "
            "break");
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(UpstreamClient, AHostHeaderFromTheAdapterIsSentOnce) {
  FakeUpstream up;
  UpstreamRequest req = post(up.base_url() + "/v1/x");
  req.headers.emplace_back("host", "signed.example:443");  // e.g. set by a SigV4 signer
  auto r = send_once({}, req);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(up.last_request().header("host"), "signed.example:443");
}

TEST(UpstreamClient, UnresolvableHostIs502) {
  auto r = send_once({}, post("http://no-such-host.invalid/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_NE(r.error().message().find("could not resolve the upstream host"), std::string::npos);
}

TEST(AzureOverTls, ChatReachesDeploymentPathWithApiKeyHeader) {
  FakeUpstream up(/*tls=*/true);
  up.reply_with(ScriptedReply{.body = kChatReply});
  auto server = start_gateway(
      "endpoints:\n"
      "  - name: azure-chat\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: openai\n"
      "      name: gpt-35-turbo\n"
      "      config:\n"
      "        openai_api_type: azure\n"
      "        openai_api_key: $TEST_OPENAI_KEY\n"
      "        openai_api_base: " +
      up.base_url() +
      "/\n"
      "        openai_deployment_name: test-gpt35\n"
      "        openai_api_version: 2023-05-15\n");
  ASSERT_TRUE(server);
  auto r = http_request(server->port(), "POST", "/endpoints/azure-chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto got = up.last_request();
  EXPECT_EQ(got.target, "/openai/deployments/test-gpt35/chat/completions?api-version=2023-05-15");
  EXPECT_EQ(got.header("api-key"), "sk-test-secret-123");
  EXPECT_EQ(got.header("authorization"), "");
  // Azure bodies carry no model (the deployment is the model).
  EXPECT_EQ(parse(got.body), parse(R"({"temperature":0.0,"n":1,
    "messages":[{"role":"user","content":"Hi"}]})"));
}

}  // namespace
}  // namespace gw::test

namespace gw::test {
namespace {

// The OpenAI-compatible presets are the OpenAI adapter with another base URL and key field;
// a keyless server (ollama, a local vLLM) gets no Authorization header at all.
TEST(CompatibleFamily, PresetsReachTheirUpstreamWithTheRightAuth) {
  FakeUpstream up;
  up.reply_with(ScriptedReply{.body = kChatReply});
  auto server = start_gateway(
      "endpoints:\n"
      "  - name: groq\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: groq\n"
      "      name: llama-3.3-70b-versatile\n"
      "      config: {groq_api_key: $TEST_OPENAI_KEY, groq_api_base: \"" +
      up.base_url() +
      "/openai/v1\"}\n"
      "  - name: local\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: openai-compatible\n"
      "      name: qwen2.5\n"
      "      config: {api_base: \"" +
      up.base_url() + "/v1\"}\n");
  ASSERT_TRUE(server);
  auto g = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"groq","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(up.last_request().target, "/openai/v1/chat/completions");
  EXPECT_EQ(up.last_request().header("authorization"), "Bearer sk-test-secret-123");
  EXPECT_EQ(parse(up.last_request().body)["model"], "llama-3.3-70b-versatile");
  auto l = http_request(server->port(), "POST", "/endpoints/local/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(up.last_request().target, "/v1/chat/completions");
  EXPECT_EQ(up.last_request().header("authorization"), "");
  EXPECT_EQ(parse(up.last_request().body)["model"], "qwen2.5");
  auto info = http_request(server->port(), "GET", "/api/2.0/endpoints/groq");
  EXPECT_EQ(parse(info.body)["model"]["provider"], "groq");
}

// Hardening (docs/security.md): whatever builds a request, the client refuses a request line
// or header that could inject (CR, LF or NUL), before any byte is sent.
TEST(UpstreamClientInjection, LineBreaksAndNulAreRefusedBeforeSending) {
  FakeUpstream up;
  up.reply_with(ScriptedReply{.body = "{}"});
  UpstreamOptions opts;
  auto bad_value = post(up.base_url() + "/v1/x");
  bad_value.headers.push_back({"X-Key", std::string("a\0b", 3)});
  auto r = send_once(opts, bad_value);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 500);
  EXPECT_EQ(r.error().message(),
            "Endpoint 'test': the value of the upstream header 'X-Key' contains a NUL byte");
  auto bad_name = post(up.base_url() + "/v1/x");
  bad_name.headers.push_back({"X-A\r\nX-B", "v"});
  EXPECT_FALSE(send_once(opts, bad_name).ok());
  for (std::string path : {std::string("/v1/models/gemini\r\nX-Injected: 1"),
                           std::string("/v1/models/a b"), std::string("/v1/x\0y", 7)}) {
    auto t = send_once(opts, post(up.base_url() + path));
    ASSERT_FALSE(t.ok());
    // The URL parser or the client's own check refuses it; either way nothing is sent.
    EXPECT_TRUE(t.error().message() == "Endpoint 'test' has an invalid upstream URL" ||
                t.error().message() ==
                    "Endpoint 'test': the upstream request line would contain a space, line "
                    "break or NUL")
        << t.error().message();
  }
  EXPECT_EQ(up.request_count(), 0u);
}

}  // namespace
}  // namespace gw::test
