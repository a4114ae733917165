#include "gateway/proxy_tunnel.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gw {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

}  // namespace

std::string authority_form(const Url& target) {
  const std::string host =
      target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  return host + ":" + target.port;
}

std::string proxy_authorization_line(const config::ProxyUrl& proxy) {
  const std::string credentials = proxy.basic_credentials();
  if (credentials.empty()) return {};
  return "Proxy-Authorization: Basic " + credentials + "\r\n";
}

std::string connect_request(const config::ProxyUrl& proxy, const Url& target) {
  const std::string authority = authority_form(target);
  std::string wire = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  wire += proxy_authorization_line(proxy);
  wire += "User-Agent: llm-gateway\r\n\r\n";
  return wire;
}

net::awaitable<TunnelOutcome> open_tunnel(beast::tcp_stream& stream, const config::ProxyUrl& proxy,
                                          const Url& target,
                                          std::chrono::steady_clock::time_point deadline) {
  auto tok = net::as_tuple(net::use_awaitable);
  TunnelOutcome out;
  const std::string request = connect_request(proxy, target);
  stream.expires_at(deadline);
  auto [wec, wn] = co_await net::async_write(stream, net::buffer(request), tok);
  if (wec) {
    out.ec = wec;
    co_return out;
  }
  // A response to CONNECT has no body whatever its header says (RFC 9110 §9.3.6): skip(true).
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  parser.header_limit(kMaxTunnelResponseBytes);
  beast::flat_buffer buffer(kMaxTunnelResponseBytes + 1024);
  auto [rec, rn] = co_await http::async_read_header(stream, buffer, parser, tok);
  if (rec) {
    out.ec = rec;
    co_return out;
  }
  out.status = parser.get().result_int();
  // The target speaks only after the client's TLS ClientHello: earlier bytes are not its.
  if (out.open() && buffer.size() != 0) out.ec = http::error::unexpected_body;
  co_return out;
}

std::string proxy_status_text(unsigned status) {
  const auto reason = http::obsolete_reason(http::int_to_status(status));
  if (reason.empty() || reason == "<unknown-status>") return std::to_string(status);
  return std::to_string(status) + " " + std::string(reason);
}

}  // namespace gw
