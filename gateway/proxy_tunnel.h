// The HTTP proxy side of the upstream client (docs/outbound-proxies.md): the CONNECT tunnel
// that carries TLS to an https:// upstream through an HTTP proxy, end to end (the proxy sees
// only the target's host and port and encrypted bytes), and the Proxy-Authorization header.
//
// Nothing here logs, and no message built from these results may quote the proxy's
// credentials: name the proxy by ProxyUrl::authority().
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "config/proxy.h"
#include "config/url.h"

namespace gw {

// Most bytes of a proxy's answer to CONNECT (its status line and header fields).
constexpr std::size_t kMaxTunnelResponseBytes = 8 * 1024;

struct TunnelOutcome {
  // A network error, the deadline (beast::error::timeout), or an answer that is not HTTP or is
  // larger than kMaxTunnelResponseBytes.
  boost::system::error_code ec;
  // The proxy's status when it answered (ec clear): 2xx means the tunnel is open.
  unsigned status = 0;
  bool open() const { return !ec && status >= 200 && status < 300; }
};

// "host:port" (an IPv6 literal in brackets): the CONNECT request target (RFC 9110 §9.3.6) and
// how messages name the target of a tunnel.
std::string authority_form(const Url& target);

// "Proxy-Authorization: Basic <base64(user:password)>\r\n", or "" without credentials.
std::string proxy_authorization_line(const config::ProxyUrl& proxy);

// The CONNECT request for `target`: "CONNECT host:port HTTP/1.1", Host: host:port, and
// Proxy-Authorization when the proxy URL has credentials (an IPv6 host in brackets).
std::string connect_request(const config::ProxyUrl& proxy, const Url& target);

// Sends CONNECT on `stream` (already connected to the proxy) and reads the proxy's answer head,
// all before `deadline`. When the outcome is open(), the stream carries bytes to and from the
// target: the caller does the TLS handshake with the target over it. A response to CONNECT
// has no body; a proxy that sends bytes after a 2xx head before the client spoke is refused
// (ec set), since they would be taken for the provider's TLS bytes.
boost::asio::awaitable<TunnelOutcome> open_tunnel(boost::beast::tcp_stream& stream,
                                                  const config::ProxyUrl& proxy, const Url& target,
                                                  std::chrono::steady_clock::time_point deadline);

// "407 Proxy Authentication Required": the status and its standard reason phrase (the proxy's
// own phrase is not repeated), or only the number for a status without one.
std::string proxy_status_text(unsigned status);

}  // namespace gw
