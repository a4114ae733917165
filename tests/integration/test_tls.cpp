// HTTPS (docs/tls.md): the real server in-process and the `deployments` binary as a process,
// with certificates from a test CA (support/test_cert.h) and a verifying client
// (support/tls_client.h): requests and a stream over TLS, ALPN, old protocol versions refused,
// plain and TLS listeners side by side, the handshake timeout, close_notify at shutdown,
// start-up errors, and the certificate swapped under load (SIGHUP and file change) without a
// failed request; the private key never reaches the output.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "gateway/tls.h"
#include "gateway_fixture.h"
#include "process_fixture.h"
#include "support/tls_client.h"

namespace gw::test {
namespace {

const std::string kMockConfig =
    "endpoints:\n"
    "  - {name: chat, endpoint_type: llm/v1/chat, model: {provider: mock}}\n";
const std::string kInvocation = R"({"messages":[{"role":"user","content":"hi"}]})";

// Writes `text` to `path` by a rename, as deployment tools replace files.
void replace_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
  ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0) << path;
}

// A temp directory with cert.pem and key.pem (removed with the object).
struct CertDir {
  std::string dir;
  std::string cert;
  std::string key;
  CertDir() {
    char tmpl[] = "/tmp/gw-tls-XXXXXX";
    dir = mkdtemp(tmpl);
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
  }
  ~CertDir() { std::filesystem::remove_all(dir); }
  void install(const TestCert& c) {
    replace_file(cert, c.cert_pem);
    replace_file(key, c.key_pem);
  }
};

TlsClientOptions trusting_ca() {
  TlsClientOptions o;
  o.ca_file = test_ca().cert_file;
  return o;
}

// The server certificates the tests swap between, told apart by serial and CN.
const TestCert& cert_one() {
  static const TestCert c = test_ca().issue("gw-tls-one", 101);
  return c;
}
const TestCert& cert_two() {
  static const TestCert c = test_ca().issue("gw-tls-two", 102);
  return c;
}
const TestCert& cert_three() {
  static const TestCert c = test_ca().issue("gw-tls-three", 103);
  return c;
}

// An in-process gateway serving TLS with cert_one() (on --port, or on a separate TLS port).
struct TlsGateway {
  CertDir files;
  std::shared_ptr<TlsContextHolder> tls;
  std::unique_ptr<Server> server;
  explicit TlsGateway(bool side_by_side = false, ServerOptions o = {},
                      const std::string& yaml = kMockConfig) {
    files.install(cert_one());
    tls = std::make_shared<TlsContextHolder>(TlsFiles{files.cert, files.key});
    o.tls = tls;
    if (side_by_side) o.tls_port = 0;
    server = start_gateway(yaml, o);
  }
};

TEST(Tls, HealthAndInvocationOverHttpsWithTheCaVerified) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  EXPECT_EQ(g.server->tls_port(), g.server->port());
  TlsClient c(g.server->port(), trusting_ca());
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.alpn(), "http/1.1");
  EXPECT_EQ(c.version(), "TLSv1.3");
  EXPECT_EQ(c.peer_cn(), "gw-tls-one");
  EXPECT_EQ(c.peer_serial(), 101);
  auto health = c.get("/health");
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_EQ(health.body, R"({"status":"OK"})");
  // The same connection carries the next request (keep-alive over TLS).
  auto chat = c.post("/endpoints/chat/invocations", kInvocation);
  ASSERT_EQ(chat.status, 200) << chat.error << chat.body;
  EXPECT_EQ(parse(chat.body)["choices"][0]["message"]["content"], "Mock response to: hi");
  EXPECT_FALSE(chat.header("x-request-id").empty());
  // TLS replaced plain HTTP on this port: a plain request gets no HTTP answer.
  EXPECT_EQ(http_request(g.server->port(), "GET", "/health").status, 0);
}

TEST(Tls, UntrustedCertificateFailsVerification) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  TlsClientOptions o;
  o.ca_file = test_cert().cert_file;  // another CA
  TlsClient c(g.server->port(), o);
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.error().find("certificate verify failed"), std::string::npos) << c.error();
}

// TLS 1.2 is the minimum: a client that offers at most TLS 1.1 (allowed to, on its side) gets
// the server's protocol_version alert; the same client with TLS 1.2 gets in.
TEST(Tls, Tls11IsRefusedAndTls12Accepted) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  TlsClientOptions old = trusting_ca();
  old.allow_legacy = true;
  old.min_version = TLS1_VERSION;
  old.max_version = TLS1_1_VERSION;
  TlsClient refused(g.server->port(), old);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("alert protocol version"), std::string::npos) << refused.error();

  TlsClientOptions tls12 = old;
  tls12.max_version = TLS1_2_VERSION;
  TlsClient accepted(g.server->port(), tls12);
  ASSERT_TRUE(accepted.ok()) << accepted.error();
  EXPECT_EQ(accepted.version(), "TLSv1.2");
  EXPECT_EQ(accepted.alpn(), "http/1.1");
  EXPECT_EQ(accepted.get("/health").status, 200);
}

// ALPN: http/1.1 is chosen among the offers; an offer without it is refused (RFC 7301's
// no_application_protocol alert); no ALPN at all is served as HTTP/1.1.
TEST(Tls, AlpnSelectsHttp11) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  TlsClientOptions both = trusting_ca();
  both.alpn = {"h2", "http/1.1"};
  TlsClient c(g.server->port(), both);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.alpn(), "http/1.1");

  TlsClientOptions h2 = trusting_ca();
  h2.alpn = {"h2"};
  TlsClient refused(g.server->port(), h2);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("no application protocol"), std::string::npos) << refused.error();

  TlsClientOptions none = trusting_ca();
  none.alpn.clear();
  TlsClient plain_alpn(g.server->port(), none);
  ASSERT_TRUE(plain_alpn.ok()) << plain_alpn.error();
  EXPECT_EQ(plain_alpn.alpn(), "");
  EXPECT_EQ(plain_alpn.get("/health").status, 200);
}

// --port plain and --tls-port TLS at once; --metrics-port stays plain.
TEST(Tls, PlainAndTlsListenersSideBySide) {
  ServerOptions o;
  o.metrics_port = 0;
  TlsGateway g(true, o);
  ASSERT_TRUE(g.server);
  ASSERT_NE(g.server->tls_port(), 0);
  ASSERT_NE(g.server->tls_port(), g.server->port());
  auto plain = http_request(g.server->port(), "POST", "/endpoints/chat/invocations", kInvocation);
  EXPECT_EQ(plain.status, 200) << plain.error;
  TlsClient c(g.server->tls_port(), trusting_ca());
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.post("/endpoints/chat/invocations", kInvocation).status, 200);
  EXPECT_EQ(http_request(g.server->metrics_port(), "GET", "/metrics").status, 200);
  TlsClient on_metrics(g.server->metrics_port(), trusting_ca());
  EXPECT_FALSE(on_metrics.ok());
  TlsClient on_plain(g.server->port(), trusting_ca());
  EXPECT_FALSE(on_plain.ok());
}

TEST(Tls, MockStreamOverTls) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  TlsClient c(g.server->port(), trusting_ca());
  ASSERT_TRUE(c.ok()) << c.error();
  for (int i = 0; i < 2; ++i) {  // the connection is kept alive after a complete stream
    auto r =
        c.post("/v1/chat/completions",
               R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"a b"}]})");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.header("content-type"), "text/event-stream; charset=utf-8");
    EXPECT_EQ(r.header("transfer-encoding"), "chunked");
    EXPECT_NE(r.body.find(R"("content":" a")"), std::string::npos) << r.body;
    ASSERT_GE(r.body.size(), 14u);
    EXPECT_EQ(r.body.substr(r.body.size() - 14), "data: [DONE]\n\n");
  }
}

std::string sse(const std::string& json) { return "data: " + json + "\n\n"; }

// A client that leaves mid-stream over TLS, with a close_notify or without, cancels the
// upstream read at once although the upstream is silent (the TLS disconnect watch).
TEST(Tls, ClientLeavingMidStreamClosesTheUpstream) {
  FakeUpstream upstream;
  ServerOptions o;
  o.stream_first_event = std::chrono::milliseconds(30000);
  o.stream_idle = std::chrono::milliseconds(30000);
  TlsGateway g(false, o, openai_config(upstream.base_url()));
  ASSERT_TRUE(g.server);
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {
      sse(R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]})"),
      sse(R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":"stop"}]})")};
  reply.await_peer_close = true;
  upstream.reply_with(reply);
  const std::string body =
      R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"Hi"}]})";
  const std::string request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  for (int round = 1; round <= 2; ++round) {
    TlsClient c(g.server->port(), trusting_ca());
    ASSERT_TRUE(c.ok()) << c.error();
    ASSERT_TRUE(c.send(request));
    ASSERT_NE(c.read_until("Hello").find("Hello"), std::string::npos);
    c.close(round == 1);  // round 1 with a close_notify, round 2 without
    EXPECT_TRUE(upstream.wait_for_peer_closes(static_cast<std::size_t>(round), 5000))
        << "round " << round;
  }
  TlsClient after(g.server->port(), trusting_ca());
  EXPECT_EQ(after.post("/endpoints/mock-chat/invocations", kInvocation).status, 200);
}

// A request pipelined behind a stream over TLS waits in the TLS layer while the stream runs
// (the disconnect watch only looks at the socket), then gets its answer on the same connection.
TEST(Tls, RequestPipelinedBehindAStreamIsAnsweredAfterIt) {
  FakeUpstream upstream;
  TlsGateway g(false, {}, openai_config(upstream.base_url()));
  ASSERT_TRUE(g.server);
  std::promise<void> release;
  ScriptedReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {
      sse(R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]})"),
      "data: [DONE]\n\n"};
  reply.gate = release.get_future().share();
  upstream.reply_with(reply);
  const std::string body =
      R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"Hi"}]})";
  TlsClient c(g.server->port(), trusting_ca());
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_TRUE(
      c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body));
  ASSERT_NE(c.read_until("Hello").find("Hello"), std::string::npos);
  ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  release.set_value();
  const std::string got = c.read_until(R"({"status":"OK"})");
  EXPECT_NE(got.find("data: [DONE]"), std::string::npos) << got;
  EXPECT_NE(got.find(R"({"status":"OK"})"), std::string::npos) << got;
}

// The handshake must finish within --read-timeout; a request begun and not finished gets its
// 408 over TLS, as over plain HTTP.
TEST(Tls, HandshakeAndRequestReadTimeouts) {
  ServerOptions o;
  o.read_timeout = std::chrono::milliseconds(300);
  TlsGateway g(false, o);
  ASSERT_TRUE(g.server);
  RawConnection silent(g.server->port());
  EXPECT_TRUE(silent.wait_closed(5000));

  TlsClient slow(g.server->port(), trusting_ca());
  ASSERT_TRUE(slow.ok()) << slow.error();
  ASSERT_TRUE(slow.send("GET /health HTTP/1.1\r\nHost: x\r\n"));
  const std::string got = slow.read_until("Timed out");
  EXPECT_NE(got.find("HTTP/1.1 408 Request Timeout"), std::string::npos) << got;
}

// At shutdown an idle TLS connection gets a close_notify (the client reads a clean end, not a
// truncated stream).
TEST(Tls, ShutdownSendsCloseNotify) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  TlsClient c(g.server->port(), trusting_ca());
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_EQ(c.get("/health").status, 200);
  g.server->stop();
  c.read_until("never sent");
  EXPECT_EQ(c.error(), "read: closed by the server");
}

// The reload entry point: new connections get the new certificate, an open connection keeps
// working on the old one; files that are not a valid pair keep the current certificate.
TEST(Tls, ReloadSwapsTheCertificateForNewConnectionsOnly) {
  TlsGateway g;
  ASSERT_TRUE(g.server);
  TlsClient old_conn(g.server->port(), trusting_ca());
  ASSERT_TRUE(old_conn.ok()) << old_conn.error();
  ASSERT_EQ(old_conn.get("/health").status, 200);

  g.files.install(cert_two());
  EXPECT_TRUE(g.tls->reload(false, "test"));
  EXPECT_EQ(g.tls->generation(), 1u);
  EXPECT_FALSE(g.tls->reload(true, "test"));  // unchanged files: nothing to swap
  TlsClient fresh(g.server->port(), trusting_ca());
  ASSERT_TRUE(fresh.ok()) << fresh.error();
  EXPECT_EQ(fresh.peer_serial(), 102);
  EXPECT_EQ(fresh.peer_cn(), "gw-tls-two");
  EXPECT_EQ(old_conn.get("/health").status, 200);
  EXPECT_EQ(old_conn.peer_serial(), 101);

  // A key that belongs to another certificate, then a file that holds no certificate.
  replace_file(g.files.key, cert_three().key_pem);
  EXPECT_FALSE(g.tls->reload(false, "test"));
  replace_file(g.files.key, cert_two().key_pem);
  replace_file(g.files.cert, "not a certificate\n");
  EXPECT_FALSE(g.tls->reload(false, "test"));
  EXPECT_EQ(g.tls->failures(), 2u);
  TlsClient still(g.server->port(), trusting_ca());
  ASSERT_TRUE(still.ok()) << still.error();
  EXPECT_EQ(still.peer_serial(), 102);
  EXPECT_EQ(still.get("/health").status, 200);
}

// --- The `deployments` process -------------------------------------------------------------

// The base64 body of a PEM key: what must never appear in the process's output.
std::string key_body(const std::string& pem) {
  const auto start = pem.find('\n') + 1;
  return pem.substr(start, pem.find("-----END") - start);
}

// `key` encrypted with a passphrase (which the gateway must refuse without prompting).
std::string encrypted_key(const std::string& key_pem) {
  BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  BIO* out = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_128_cbc(), pass, 6, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  std::string text(data, static_cast<std::size_t>(n));
  BIO_free(out);
  EVP_PKEY_free(key);
  return text;
}

// Each start-up error exits 2 with a message that names the flag and the file; the key's
// content is never printed.
TEST(TlsProcess, StartupErrorsNameTheFlagAndTheFile) {
  CertDir d;
  d.install(cert_one());
  const std::string other_key = d.dir + "/other-key.pem";
  replace_file(other_key, cert_two().key_pem);
  const std::string garbage = d.dir + "/garbage.pem";
  replace_file(garbage, "hello\n");
  const std::string locked = d.dir + "/encrypted-key.pem";
  replace_file(locked, encrypted_key(cert_one().key_pem));
  const std::string config = write_temp(kMockConfig);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--tls-cert", d.cert}, "Error: --tls-cert requires --tls-key"},
      {{"--tls-key", d.key}, "Error: --tls-key requires --tls-cert"},
      {{"--tls-port", "8443"}, "Error: --tls-port requires --tls-cert"},
      {{"--tls-cert", "/nonexistent/cert.pem", "--tls-key", d.key},
       "Error: --tls-cert: cannot read the certificate file '/nonexistent/cert.pem': No such "
       "file or directory"},
      {{"--tls-cert", d.cert, "--tls-key", d.dir},
       "Error: --tls-key: cannot read the private key file '" + d.dir + "': Is a directory"},
      {{"--tls-cert", garbage, "--tls-key", d.key},
       "Error: --tls-cert: no PEM certificate in '" + garbage + "'"},
      {{"--tls-cert", d.cert, "--tls-key", garbage},
       "Error: --tls-key: no PEM private key in '" + garbage +
           "' (an encrypted key is not supported)"},
      {{"--tls-cert", d.cert, "--tls-key", locked},
       "Error: --tls-key: no PEM private key in '" + locked +
           "' (an encrypted key is not supported)"},
      {{"--tls-cert", d.cert, "--tls-key", other_key},
       "Error: --tls-key: the private key in '" + other_key +
           "' does not match the certificate in '" + d.cert + "'"},
      {{"--tls-cert", d.cert, "--tls-key", d.key, "--port", "18443", "--tls-port", "18443"},
       "Error: --tls-port 18443 is the same as --port"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"start-server", "--config-path", config};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto p = spawn(args);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->wait_exit(), 2) << p->output;
    EXPECT_NE(p->output.find(c.message), std::string::npos) << p->output;
    EXPECT_EQ(p->output.find("listening"), std::string::npos) << p->output;
    EXPECT_EQ(p->output.find(key_body(cert_one().key_pem)), std::string::npos);
    EXPECT_EQ(p->output.find(key_body(cert_two().key_pem)), std::string::npos);
    EXPECT_EQ(p->output.find("PRIVATE KEY-----"), std::string::npos) << p->output;
  }
  unlink(config.c_str());
}

// Clients that keep sending requests, each on its own kept-alive TLS connection, until told
// to stop (bounded in count and time). Counts per client; any failure is kept.
class Load {
 public:
  Load(std::uint16_t port, int clients) : done_(clients, 0), serial_(clients, -1) {
    for (int i = 0; i < clients; ++i) threads_.emplace_back([this, port, i] { run(port, i); });
  }
  ~Load() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  // Waits until every client has answered `more` requests beyond what it had when called.
  bool wait_for_more(long more) {
    std::unique_lock lock(mu_);
    std::vector<long> target = done_;
    for (auto& t : target) t += more;
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] {
      if (!errors_.empty()) return true;
      for (std::size_t i = 0; i < done_.size(); ++i)
        if (done_[i] < target[i]) return false;
      return true;
    }) && errors_.empty();
  }
  // Every failure so far, one per line ("" when none).
  std::string errors() {
    std::lock_guard lock(mu_);
    std::string all;
    for (const auto& e : errors_) all += e + "\n";
    return all;
  }
  std::vector<long> serials() {
    std::lock_guard lock(mu_);
    return serial_;
  }
  long total() {
    std::lock_guard lock(mu_);
    long sum = 0;
    for (long d : done_) sum += d;
    return sum;
  }

 private:
  void run(std::uint16_t port, int i) {
    TlsClient c(port, trusting_ca());
    {
      std::lock_guard lock(mu_);
      serial_[i] = c.peer_serial();
      if (!c.ok()) errors_.push_back("client " + std::to_string(i) + ": " + c.error());
    }
    cv_.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (long n = 0; c.ok() && !stop_ && n < 1'000'000; ++n) {
      if (std::chrono::steady_clock::now() > deadline) break;
      HttpResult r = n % 2 ? c.get("/health") : c.post("/endpoints/chat/invocations", kInvocation);
      std::lock_guard lock(mu_);
      if (r.status != 200) {
        errors_.push_back("client " + std::to_string(i) + " request " + std::to_string(n) +
                          ": status " + std::to_string(r.status) + " " + r.error);
        cv_.notify_all();
        return;
      }
      ++done_[i];
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<long> done_;
  std::vector<long> serial_;  // the certificate each client's one connection was served
  std::vector<std::string> errors_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

long new_connection_serial(std::uint16_t port) {
  TlsClient c(port, trusting_ca());
  EXPECT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.get("/health").status, 200);
  return c.peer_serial();
}

// The certificate is replaced three times while clients keep sending requests on kept-alive
// TLS connections: through SIGHUP (the served paths are symlinks into a directory that is not
// watched, so only the signal can tell), through a change of the files, and with an invalid
// file (refused, logged, the last good certificate stays). No request fails, the open
// connections stay on their certificate, every new connection gets the current one, and no
// key reaches the output.
TEST(TlsProcess, CertificateSwappedUnderLoadWithoutAFailedRequest) {
  CertDir store;
  store.install(cert_one());
  CertDir live;
  ASSERT_EQ(symlink(store.cert.c_str(), live.cert.c_str()), 0);
  ASSERT_EQ(symlink(store.key.c_str(), live.key.c_str()), 0);
  const std::string config = write_temp(kMockConfig);
  auto c = spawn({"start-server", "--config-path", config, "--port", "0", "--access-log=off",
                  "--tls-cert", live.cert, "--tls-key", live.key});
  ASSERT_TRUE(c);
  auto m = c->wait_for(std::regex(R"(listening on https://127\.0\.0\.1:(\d+))"));
  ASSERT_FALSE(m.empty()) << c->output;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  EXPECT_NE(c->output.find("subject CN=gw-tls-one, serial 0x65"), std::string::npos) << c->output;

  Load load(port, 4);
  ASSERT_TRUE(load.wait_for_more(20)) << load.errors();

  // 1. SIGHUP.
  store.install(cert_two());
  std::size_t mark = c->output.size();
  ASSERT_EQ(kill(c->pid, SIGHUP), 0);
  EXPECT_FALSE(c->wait_for(std::regex(R"(TLS certificate reloaded from .* \(reload requested\): )"
                                      R"(subject CN=gw-tls-two, serial 0x66)"),
                           10000, mark)
                   .empty())
      << c->output;
  EXPECT_TRUE(load.wait_for_more(20)) << load.errors();
  EXPECT_EQ(new_connection_serial(port), 102);

  // 2. The files replaced.
  mark = c->output.size();
  replace_file(live.cert, cert_three().cert_pem);
  replace_file(live.key, cert_three().key_pem);
  EXPECT_FALSE(c->wait_for(std::regex(R"(TLS certificate reloaded from .* \(file changed\): )"
                                      R"(subject CN=gw-tls-three, serial 0x67)"),
                           10000, mark)
                   .empty())
      << c->output;
  EXPECT_TRUE(load.wait_for_more(20)) << load.errors();
  EXPECT_EQ(new_connection_serial(port), 103);

  // 3. An invalid certificate file: refused, the current certificate stays.
  mark = c->output.size();
  replace_file(live.cert, "not a certificate\n");
  EXPECT_FALSE(
      c->wait_for(std::regex(R"(ERROR TLS certificate reload failed \(file changed\): )"
                             R"(--tls-cert: no PEM certificate in '.*/cert\.pem'; )"
                             R"(keeping the current certificate \(subject CN=gw-tls-three)"),
                  10000, mark)
          .empty())
      << c->output;
  EXPECT_TRUE(load.wait_for_more(20)) << load.errors();
  EXPECT_EQ(new_connection_serial(port), 103);

  load.stop();
  EXPECT_EQ(load.errors(), "");
  for (long serial : load.serials()) EXPECT_EQ(serial, 101);  // never reconnected
  EXPECT_GE(load.total(), 4 * 80);
  ASSERT_EQ(kill(c->pid, SIGTERM), 0);
  EXPECT_EQ(c->wait_exit(), 0) << c->output;
  for (const TestCert* cert : {&cert_one(), &cert_two(), &cert_three()})
    EXPECT_EQ(c->output.find(key_body(cert->key_pem)), std::string::npos);
  EXPECT_EQ(c->output.find("PRIVATE KEY"), std::string::npos) << c->output;
  unlink(config.c_str());
}

}  // namespace
}  // namespace gw::test
