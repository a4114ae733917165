#include "tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <csignal>
#include <chrono>

namespace gw::test {
namespace {
namespace http = boost::beast::http;

std::string last_error(const char* what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "";
  if (code) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return std::string(what) + ": " + (code ? text : "failed");
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  // A wedged server fails the test instead of hanging it.
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

}  // namespace

struct TlsClient::Impl {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
  bool ok = false;
  std::string error;
  std::string pending;  // bytes read past the last response

  ~Impl() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
    if (fd >= 0) ::close(fd);
  }

  bool setup(const TlsClientOptions& o) {
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return fail(last_error("SSL_CTX_new"));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!o.ca_file.empty() && SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1)
      return fail(last_error("CA file"));
    if (o.allow_legacy) SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
    if (o.min_version) SSL_CTX_set_min_proto_version(ctx, o.min_version);
    if (o.max_version) SSL_CTX_set_max_proto_version(ctx, o.max_version);
    std::string protos;
    for (const auto& p : o.alpn) protos += static_cast<char>(p.size()) + p;
    if (!protos.empty())
      SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(protos.data()),
                              static_cast<unsigned>(protos.size()));
    return true;
  }

  bool handshake(std::uint16_t port, const TlsClientOptions& o) {
    fd = connect_loopback(port);
    if (fd < 0) return fail("connect failed");
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, o.server_name.c_str());
    SSL_set1_host(ssl, o.server_name.c_str());
    if (SSL_connect(ssl) != 1) return fail(last_error("handshake"));
    ok = true;
    return true;
  }

  bool fail(std::string why) {
    error = std::move(why);
    ok = false;
    return false;
  }

  // Reads once into `pending`; false at the end of the connection or on an error.
  bool read_more() {
    char buf[16 * 1024];
    const int n = SSL_read(ssl, buf, sizeof buf);
    if (n > 0) {
      pending.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    const int code = SSL_get_error(ssl, n);
    fail(code == SSL_ERROR_ZERO_RETURN ? "read: closed by the server" : last_error("read"));
    return false;
  }

  // Feeds `pending` to the parser until the response is complete.
  bool read_response(http::response_parser<http::string_body>& parser) {
    boost::beast::error_code ec;
    for (;;) {
      if (!pending.empty()) {
        const std::size_t n = parser.put(boost::asio::buffer(pending), ec);
        pending.erase(0, n);
        if (ec && ec != http::error::need_more) return fail("parse: " + ec.message());
        ec = {};
        if (parser.is_done()) return true;
        if (n > 0) continue;
      }
      if (!read_more()) {
        if (!parser.got_some()) return false;
        parser.put_eof(ec);
        return !ec && parser.is_done();
      }
    }
  }
};

TlsClient::TlsClient(std::uint16_t port, TlsClientOptions options)
    : impl_(std::make_unique<Impl>()) {
  // OpenSSL writes with write(2): a server that closed first must fail the write, not kill the
  // test process with SIGPIPE.
  static const bool ignored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)ignored;
  if (impl_->setup(options)) impl_->handshake(port, options);
}

TlsClient::~TlsClient() = default;

bool TlsClient::ok() const { return impl_->ok; }
const std::string& TlsClient::error() const { return impl_->error; }

std::string TlsClient::version() const { return impl_->ssl ? SSL_get_version(impl_->ssl) : ""; }

std::string TlsClient::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  if (impl_->ssl) SSL_get0_alpn_selected(impl_->ssl, &data, &len);
  return data ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
}

std::string TlsClient::peer_cn() const {
  if (!impl_->ssl) return "";
  X509* cert = SSL_get1_peer_certificate(impl_->ssl);
  if (!cert) return "";
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

long TlsClient::peer_serial() const {
  if (!impl_->ssl) return -1;
  X509* cert = SSL_get1_peer_certificate(impl_->ssl);
  if (!cert) return -1;
  const long serial = ASN1_INTEGER_get(X509_get0_serialNumber(cert));
  X509_free(cert);
  return serial;
}

bool TlsClient::send(const std::string& bytes) {
  if (!impl_->ok) return false;
  if (SSL_write(impl_->ssl, bytes.data(), static_cast<int>(bytes.size())) <= 0)
    return impl_->fail(last_error("write"));
  return true;
}

HttpResult TlsClient::request(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpResult out;
  std::string wire = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  for (const auto& [k, v] : headers) wire += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST")
    wire += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  wire += "\r\n" + body;
  if (!send(wire)) {
    out.error = impl_->error.empty() ? "not connected" : impl_->error;
    return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  parser.eager(true);
  if (method == "HEAD") parser.skip(true);
  if (!impl_->read_response(parser)) {
    out.error = impl_->error.empty() ? "incomplete response" : impl_->error;
    impl_->ok = false;
    return out;
  }
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  if (!res.keep_alive()) impl_->ok = false;
  return out;
}

std::string TlsClient::read_until(const std::string& needle, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (impl_->ok && impl_->pending.find(needle) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    if (SSL_pending(impl_->ssl) == 0) {
      pollfd p{impl_->fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    }
    if (!impl_->read_more()) break;
  }
  return impl_->pending;
}

void TlsClient::close(bool close_notify) {
  if (impl_->ssl && close_notify) SSL_shutdown(impl_->ssl);
  if (impl_->fd >= 0) ::close(impl_->fd);
  impl_->fd = -1;
  impl_->ok = false;
}

}  // namespace gw::test
