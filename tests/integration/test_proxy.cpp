// Outbound HTTP proxies (docs/outbound-proxies.md): the upstream client through the test
// CONNECT proxy (tests/support/connect_proxy.h): HTTPS tunnels with TLS verified end to end,
// plain HTTP in absolute form, Proxy-Authorization, NO_PROXY and `none`, pooling, and error
// messages that never show the proxy's credentials.
#include <boost/asio.hpp>

#include "gateway/upstream_client.h"
#include "gateway_fixture.h"
#include "support/connect_proxy.h"

namespace gw::test {
namespace {

namespace net = boost::asio;

// Runs the requests one after the other on one UpstreamClient (so they share its pool).
std::vector<Result<UpstreamReply>> send_all(const UpstreamOptions& opts,
                                            std::vector<UpstreamRequest> reqs,
                                            std::optional<CallTimeouts> timeouts = std::nullopt) {
  net::io_context ioc;
  UpstreamClient client(ioc, opts);
  std::vector<Result<UpstreamReply>> out;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        for (const auto& req : reqs) {
          // (Not `timeouts ? co_await ... : co_await ...`: GCC 12 miscompiles co_await in ?:.)
          if (timeouts) {
            out.push_back(co_await client.send(req, "test", *timeouts));
          } else {
            out.push_back(co_await client.send(req, "test"));
          }
        }
      },
      net::detached);
  ioc.run();
  return out;
}

Result<UpstreamReply> send_once(const UpstreamOptions& opts, UpstreamRequest req) {
  return std::move(send_all(opts, {std::move(req)}).front());
}

UpstreamRequest post(const std::string& url, const std::string& proxy = "") {
  UpstreamRequest r;
  r.url = url;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = "{}";
  r.proxy = proxy;
  return r;
}

// Trusts the test certificate; HTTPS_PROXY names `proxy_url`.
UpstreamOptions via_env(const std::string& proxy_url, const std::string& no_proxy = "") {
  UpstreamOptions opts;
  opts.ca_file = test_cert().cert_file;
  opts.proxy_env.https_proxy = proxy_url;
  opts.proxy_env.http_proxy = proxy_url;
  opts.proxy_env.no_proxy = no_proxy;
  return opts;
}

std::string port_of(const FakeUpstream& up) { return std::to_string(up.port()); }

TEST(OutboundProxy, HttpsGoesThroughAConnectTunnel) {
  FakeUpstream up(/*tls=*/true);
  up.reply_with(ScriptedReply{.body = R"({"ok":true})"});
  ConnectProxy proxy;
  auto r = send_once(via_env(proxy.url()), post(up.base_url() + "/v1/x?api-version=1"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  // The proxy saw only the target's host and port; the request itself went inside TLS.
  EXPECT_EQ(proxy.request_lines(),
            std::vector<std::string>{"CONNECT localhost:" + port_of(up) + " HTTP/1.1"});
  EXPECT_EQ(proxy.connect_targets(), std::vector<std::string>{"localhost:" + port_of(up)});
  EXPECT_EQ(proxy.authorizations(), std::vector<std::string>{""});
  EXPECT_EQ(proxy.tunnels(), 1u);
  EXPECT_EQ(up.last_request().target, "/v1/x?api-version=1");
  EXPECT_EQ(up.last_request().header("host"), "localhost:" + port_of(up));
}

TEST(OutboundProxy, CredentialsInTheUrlBecomeProxyAuthorizationBasic) {
  FakeUpstream up(/*tls=*/true);
  // base64("alice:s3cret/x"): the URL's %2F is decoded first.
  ConnectProxy proxy({.required_authorization = "Basic YWxpY2U6czNjcmV0L3g="});
  auto r = send_once(via_env("http://alice:s3cret%2Fx@" + proxy.authority()),
                     post(up.base_url() + "/v1/x"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(proxy.authorizations(), std::vector<std::string>{"Basic YWxpY2U6czNjcmV0L3g="});
  EXPECT_EQ(proxy.tunnels(), 1u);
  // The proxy's credentials stay with the proxy.
  EXPECT_EQ(up.last_request().header("proxy-authorization"), "");
}

TEST(OutboundProxy, A407IsA502ThatNamesTheProxyButNotTheCredentials) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy({.required_authorization = "Basic YWxpY2U6czNjcmV0L3g="});
  auto r = send_once(via_env("http://alice:wrong-pass@" + proxy.authority()),
                     post(up.base_url() + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().code, "bad_gateway");
  EXPECT_EQ(r.error().message(), "Endpoint 'test': the proxy " + proxy.authority() +
                                     " refused the tunnel to localhost:" + port_of(up) +
                                     " (407 Proxy Authentication Required)");
  EXPECT_EQ(proxy.authorizations(), std::vector<std::string>{"Basic YWxpY2U6d3JvbmctcGFzcw=="});
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(OutboundProxy, ARefusedTunnelNamesTheStatus) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy({.refuse_status = 403});
  auto r = send_once(via_env(proxy.url()), post(up.base_url() + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(), "Endpoint 'test': the proxy " + proxy.authority() +
                                     " refused the tunnel to localhost:" + port_of(up) +
                                     " (403 Forbidden)");
}

TEST(OutboundProxy, AnUnreachableProxyIsA502ThatNamesIt) {
  FakeUpstream up(/*tls=*/true);
  std::string dead;
  {
    ConnectProxy gone;  // bind a port, then free it
    dead = gone.authority();
  }
  auto r = send_once(via_env("http://alice:hunter2@" + dead), post(up.base_url() + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(), "Endpoint 'test': could not connect to the proxy " + dead +
                                     " for the upstream localhost:" + port_of(up) +
                                     " (Connection refused)");
}

TEST(OutboundProxy, AProxyThatNeverAnswersIs504WithinTheConnectTimeout) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy({.hang = true});
  auto results = send_all(via_env(proxy.url()), {post(up.base_url() + "/v1/x")},
                          CallTimeouts{std::chrono::milliseconds(500), std::chrono::seconds(30)});
  ASSERT_FALSE(results[0].ok());
  EXPECT_EQ(results[0].error().status, 504);
  EXPECT_EQ(results[0].error().message(), "Endpoint 'test': the proxy " + proxy.authority() +
                                              " did not open a tunnel to localhost:" + port_of(up) +
                                              " within 0.5 s");
}

TEST(OutboundProxy, TlsIsVerifiedEndToEnd) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy;
  UpstreamOptions untrusting = via_env(proxy.url());
  untrusting.ca_file.clear();  // the system store only: the test CA is not trusted
  auto r = send_once(untrusting, post(up.base_url() + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message().rfind("Endpoint 'test': the TLS handshake with the upstream "
                                      "localhost:" +
                                          port_of(up) + " through the proxy " + proxy.authority() +
                                          " failed (",
                                      0),
            0u)
      << r.error().message();
  EXPECT_EQ(proxy.tunnels(), 1u);  // the tunnel opened; the provider's certificate was refused
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(OutboundProxy, TheHostNameVerifiedIsTheUpstreamsNotTheProxys) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy;
  // The certificate names "localhost" only: 127.0.0.1 must not verify, tunnel or not.
  auto r = send_once(via_env(proxy.url()), post("https://127.0.0.1:" + port_of(up) + "/v1/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(proxy.connect_targets(), std::vector<std::string>{"127.0.0.1:" + port_of(up)});
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(OutboundProxy, NoProxyGoesDirect) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy;
  auto r = send_once(via_env(proxy.url(), "example.com, .localhost, localhost"),
                     post(up.base_url() + "/v1/x"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(up.request_count(), 1u);
  EXPECT_EQ(proxy.request_count(), 0u);
}

TEST(OutboundProxy, AnEndpointsNoneGoesDirect) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy;
  auto r = send_once(via_env(proxy.url()), post(up.base_url() + "/v1/x", "none"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(up.request_count(), 1u);
  EXPECT_EQ(proxy.request_count(), 0u);
}

TEST(OutboundProxy, AnEndpointsProxyWinsOverTheEnvironmentAndNoProxy) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy env_proxy, own_proxy;
  auto r = send_once(via_env(env_proxy.url(), "localhost"),
                     post(up.base_url() + "/v1/x", own_proxy.url()));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(own_proxy.tunnels(), 1u);
  EXPECT_EQ(env_proxy.request_count(), 0u);
}

TEST(OutboundProxy, AnInvalidEndpointProxyIsRefusedBeforeAnyByteIsSent) {
  FakeUpstream up(/*tls=*/true);
  auto r = send_once(via_env(""), post(up.base_url() + "/v1/x", "https://alice:hunter2@p:1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 500);
  EXPECT_EQ(r.error().message().find("hunter2"), std::string::npos) << r.error().message();
  EXPECT_EQ(up.request_count(), 0u);
}

TEST(OutboundProxy, PlainHttpGoesInAbsoluteFormWithProxyAuthorization) {
  FakeUpstream up;  // http://127.0.0.1:<port>
  up.reply_with(ScriptedReply{.body = R"({"plain":true})"});
  ConnectProxy proxy({.required_authorization = "Basic dTpw"});
  auto r = send_once(via_env("http://u:p@" + proxy.authority()), post(up.base_url() + "/v1/x?q=1"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->body, R"({"plain":true})");
  EXPECT_EQ(proxy.request_lines(),
            std::vector<std::string>{"POST " + up.base_url() + "/v1/x?q=1 HTTP/1.1"});
  EXPECT_EQ(proxy.authorizations(), std::vector<std::string>{"Basic dTpw"});
  EXPECT_EQ(proxy.tunnels(), 0u);
  EXPECT_EQ(up.last_request().target, "/v1/x?q=1");
  EXPECT_EQ(up.last_request().header("host"), "127.0.0.1:" + port_of(up));
}

TEST(OutboundProxy, PooledConnectionsNeverMixRoutes) {
  FakeUpstream up(/*tls=*/true);
  ConnectProxy proxy;
  const std::string url = up.base_url() + "/v1/x";
  auto results = send_all(via_env(proxy.url()),
                          {post(url), post(url), post(url, "none"),
                           post(url, "http://bob:other@" + proxy.authority()), post(url)});
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.error().message();
  // 1 and 2 share one tunnel; 3 is direct; 4 has other credentials, so its own tunnel; 5 takes
  // the first tunnel again.
  EXPECT_EQ(proxy.tunnels(), 2u);
  EXPECT_EQ(up.connections_accepted(), 3u);
  EXPECT_EQ(proxy.authorizations(), (std::vector<std::string>{"", "Basic Ym9iOm90aGVy"}));
}

TEST(OutboundProxy, AStreamGoesThroughTheTunnel) {
  FakeUpstream up(/*tls=*/true);
  up.reply_with(
      ScriptedReply{.content_type = "text/event-stream", .chunks = {"data: a\n\n", "data: b\n\n"}});
  ConnectProxy proxy;
  net::io_context ioc;
  UpstreamClient client(ioc, via_env(proxy.url()));
  std::string body;
  std::optional<GatewayError> error;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        auto stream = co_await client.open_stream(post(up.base_url() + "/v1/x"), "test",
                                                  std::chrono::seconds(5));
        if (!stream) {
          error = stream.error();
          co_return;
        }
        auto rest = co_await (*stream)->rest(std::chrono::seconds(5));
        if (rest) body = *rest;
      },
      net::detached);
  ioc.run();
  ASSERT_FALSE(error) << error->message();
  EXPECT_EQ(body, "data: a\n\ndata: b\n\n");
  EXPECT_EQ(proxy.tunnels(), 1u);
}

// The server passes ServerOptions::upstream (main fills proxy_env from the environment) to
// every worker's client: a chat call through the gateway reaches the TLS upstream through the
// proxy.
TEST(OutboundProxy, TheGatewayCallsTheProviderThroughTheProxy) {
  FakeUpstream up(/*tls=*/true);
  up.reply_with(ScriptedReply{.body = kChatReply});
  ConnectProxy proxy;
  ServerOptions opts;
  opts.upstream.proxy_env.https_proxy = proxy.url();
  auto server = start_gateway(
      "endpoints:\n"
      "  - name: chat\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: openai\n"
      "      name: gpt-4o-mini\n"
      "      config:\n"
      "        openai_api_key: $TEST_OPENAI_KEY\n"
      "        openai_api_base: " +
          up.base_url() + "/v1\n",
      opts);
  ASSERT_TRUE(server);
  auto r = http_request(server->port(), "POST", "/endpoints/chat/invocations",
                        R"({"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(proxy.connect_targets(), std::vector<std::string>{"localhost:" + port_of(up)});
  EXPECT_EQ(up.last_request().target, "/v1/chat/completions");
  EXPECT_EQ(up.last_request().header("authorization"), "Bearer sk-test-secret-123");
}

}  // namespace
}  // namespace gw::test
