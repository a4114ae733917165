#include "gateway/upstream_client.h"

#include <atomic>

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "gateway/http_wire.h"
#include "gateway/log.h"
#include "gateway/proxy_tunnel.h"
#include "config/proxy.h"
#include "config/url.h"

namespace gw {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using namespace boost::asio::experimental::awaitable_operators;

// Most bytes held unparsed per upstream connection: a response header (kMaxResponseHeaderBytes),
// one chunk header line with its extensions, or a trailer section must fit in it.
constexpr std::size_t kMaxResponseHeaderBytes = 64 * 1024;
constexpr std::size_t kMaxBufferedBytes = 128 * 1024;
// Interim (1xx) responses skipped before the final one; more is a misbehaving upstream.
constexpr int kMaxInterimResponses = 8;

// One upstream connection. It belongs to the client's io_context, which one thread runs, so
// its stream (and the stream's timer) never needs a strand.
struct Conn {
  // Beast reads at most the buffer's free capacity (at least 512 bytes): without a reserve a
  // streamed body arrived 512 bytes per read, each relayed as its own client write.
  // The buffer is bounded (kMaxBufferedBytes): Beast puts no limit of its own on chunk-extension
  // lines or trailers, which an upstream could otherwise make grow without end.
  explicit Conn(net::io_context& ioc) : executor(ioc.get_executor()), buffer(kMaxBufferedBytes) {
    buffer.reserve(16 * 1024);
  }
  net::io_context::executor_type executor;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point created = Clock::now();
  Clock::time_point last_used = Clock::now();

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  bool connected() const { return plain || tls; }
};

// With a proxy, Resolve and Connect are about the proxy, Tunnel is its CONNECT exchange (https
// upstreams only) and the later stages go through it.
enum class Stage { Resolve, Connect, Tunnel, Handshake, Write, Read };

// A stream's response parser, re-created for each interim (1xx) response.
using StreamParser = std::optional<http::response_parser<http::buffer_body>>;

struct Exchange {
  error_code ec;
  Stage stage = Stage::Write;
  bool got_response_bytes = false;
  bool keep_alive = false;
  UpstreamReply reply;
  std::string detail;          // what was wrong with a response that parsed (bad status, too large)
  unsigned tunnel_status = 0;  // the proxy's non-2xx answer to CONNECT (Stage::Tunnel)
};

// Whether a connection may carry another request: the response was read to its end without an
// error, the upstream allows keep-alive, and nothing unread is left in the buffer (surplus
// bytes would be taken as the next request's response, possibly another client's).
bool reusable(const Conn& c, bool keep_alive, bool read_to_end) {
  return keep_alive && read_to_end && c.connected() && c.buffer.size() == 0;
}

// A pooled connection must have nothing to read while idle: bytes would be a stray response
// (or the start of one) and a 0-byte read a close by the peer. For TLS, decrypted bytes held by
// OpenSSL count too. One non-blocking peek, no wait.
bool idle_and_clean(Conn& c) {
  if (c.tls && SSL_pending(c.tls->native_handle()) > 0) return false;
  char probe;
  const ssize_t n = ::recv(c.lowest().socket().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// A response status must be a final status of RFC 9110 (200-599) once interim ones are skipped.
bool valid_status(unsigned status) { return status >= 100 && status <= 599; }

// Refuses a request line or header field that could inject: CR, LF or NUL anywhere.
bool has_line_break_or_nul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// " through the proxy host:port", or "" without one. Never the proxy's credentials.
std::string via(const config::ProxyUrl* proxy) {
  return proxy ? " through the proxy " + proxy->authority() : std::string();
}

// "<what happened>" with the upstream's host:port in it (and the proxy's, if any).
std::string stage_text(Stage s, const std::string& host, const config::ProxyUrl* proxy) {
  switch (s) {
    case Stage::Resolve:
      return proxy ? "could not resolve the proxy host " + proxy->host + " for the upstream " + host
                   : "could not resolve the upstream host " + host;
    case Stage::Connect:
      return proxy ? "could not connect to the proxy " + proxy->authority() + " for the upstream " +
                         host
                   : "could not connect to the upstream " + host;
    case Stage::Tunnel:
      return "the proxy" + (proxy ? " " + proxy->authority() : std::string()) +
             " did not open a tunnel to " + host;
    case Stage::Handshake:
      return "the TLS handshake with the upstream " + host + via(proxy) + " failed";
    case Stage::Write:
      return "could not send the request to the upstream " + host + via(proxy);
    case Stage::Read:
      return "the upstream " + host + via(proxy) + " closed the connection without a response";
  }
  return "upstream error at " + host;
}

// What did not happen in time while connecting: "the upstream X did not accept the
// connection", or the proxy's part of it.
std::string connect_timeout_text(Stage s, const std::string& host, const config::ProxyUrl* proxy) {
  if (!proxy) return "the upstream " + host + " did not accept the connection";
  if (s == Stage::Resolve || s == Stage::Connect) {
    return "the proxy " + proxy->authority() + " did not accept the connection for the upstream " +
           host;
  }
  if (s == Stage::Tunnel)
    return "the proxy " + proxy->authority() + " did not open a tunnel to " + host;
  return "the upstream " + host + via(proxy) + " did not accept the connection";
}

bool is_timeout(const error_code& ec) {
  return ec == beast::error::timeout || ec == net::error::timed_out;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  auto s = ms.count() / 1000.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// An exchange that failed -> the gateway's 502/504, naming the endpoint and host (and the
// proxy by host:port only: its credentials never appear in a message).
GatewayError map_error_text(const Exchange& ex, std::string_view endpoint, const Url& url,
                            CallTimeouts timeouts, const config::ProxyUrl* proxy) {
  std::string where = "Endpoint '" + std::string(endpoint) + "': ";
  // A tunnel names its target as CONNECT did (host:port, the port always written).
  const std::string host = ex.stage == Stage::Tunnel ? authority_form(url) : url.host_header();
  if (is_timeout(ex.ec)) {
    bool connecting = ex.stage != Stage::Write && ex.stage != Stage::Read;
    std::string limit = connecting ? seconds_text(std::min(timeouts.connect, timeouts.total))
                                   : seconds_text(timeouts.total);
    std::string what = connecting ? connect_timeout_text(ex.stage, host, proxy)
                                  : "the upstream " + host + via(proxy) + " did not respond";
    return GatewayError::make(504, where + what + " within " + limit + " s", "upstream_timeout",
                              "gateway_timeout");
  }
  if (ex.stage == Stage::Tunnel && ex.tunnel_status != 0 && proxy) {
    return GatewayError::make(502,
                              where + "the proxy " + proxy->authority() +
                                  " refused the tunnel to " + host + " (" +
                                  proxy_status_text(ex.tunnel_status) + ")",
                              "upstream_error", "bad_gateway");
  }
  if (ex.stage == Stage::Read && ex.got_response_bytes) {
    return GatewayError::make(502,
                              where + "the upstream " + host + via(proxy) +
                                  " sent an invalid HTTP response (" +
                                  (ex.detail.empty() ? ex.ec.message() : ex.detail) + ")",
                              "upstream_error", "bad_gateway");
  }
  return GatewayError::make(
      502, where + stage_text(ex.stage, host, proxy) + " (" + ex.ec.message() + ")",
      "upstream_error", "bad_gateway");
}

// The error, and what kind of transport failure it was (for the resilience stage): a timeout,
// an unreadable reply, a failed TLS handshake, or a connection that failed (DNS, connect, a
// refused tunnel, closed before any response byte).
GatewayError map_error(const Exchange& ex, std::string_view endpoint, const Url& url,
                       CallTimeouts timeouts, const config::ProxyUrl* proxy) {
  using T = GatewayError::Transport;
  GatewayError err = map_error_text(ex, endpoint, url, timeouts, proxy);
  if (is_timeout(ex.ec)) {
    err.transport = T::Timeout;
  } else if (ex.stage == Stage::Read && ex.got_response_bytes) {
    err.transport = T::Malformed;
  } else {
    err.transport = ex.stage == Stage::Handshake ? T::Tls : T::Connect;
  }
  return err;
}

}  // namespace

struct UpstreamClient::Impl {
  Impl(net::io_context& io, UpstreamOptions o)
      : ioc(io), opts(std::move(o)), ssl_ctx(ssl::context::tls_client) {
    ssl_ctx.set_default_verify_paths();
    if (!opts.ca_file.empty()) ssl_ctx.load_verify_file(opts.ca_file);  // throws at start-up
    ssl_ctx.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
  }

  net::io_context& ioc;
  UpstreamOptions opts;
  ssl::context ssl_ctx;
  mutable std::mutex mu;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Conn>>> idle;
  // For metrics (read by a scrape on another thread).
  std::atomic<std::uint64_t> opened{0};
  std::atomic<std::uint64_t> reuses{0};

  std::unique_ptr<Conn> acquire(const std::string& key) {
    std::lock_guard lock(mu);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto now = Clock::now();
    auto& stack = it->second;
    while (!stack.empty()) {
      std::unique_ptr<Conn> c = std::move(stack.back());
      stack.pop_back();
      if (now - c->last_used < opts.idle_ttl && now - c->created < opts.max_age &&
          idle_and_clean(*c)) {
        return c;
      }
      // Too old, closed by the peer, or holding stray bytes: dropped here (closing a socket
      // with no pending operation is safe anywhere).
    }
    return nullptr;
  }

  // Only connections that passed reusable() come here; checked again as the last line.
  void release(const std::string& key, std::unique_ptr<Conn> c) {
    if (!c->connected() || c->buffer.size() != 0) return;
    c->last_used = Clock::now();
    std::lock_guard lock(mu);
    auto& stack = idle[key];
    if (stack.size() < opts.max_idle_per_host) stack.push_back(std::move(c));
  }

  // Connects (if needed) and performs one request/response exchange.
  // With `stream` set, only the response header is read (into it); the body is read later by
  // UpstreamStream.
  static bool failed(Exchange& ex, error_code ec, Stage stage) {
    ex.ec = ec;
    ex.stage = stage;
    return false;
  }

  // Resolves `host`:`port` and connects a new socket (under a TLS stream when `tls`), before
  // `deadline`. False (with ex.ec and ex.stage set) when a step fails.
  net::awaitable<bool> connect_tcp(Conn& conn, const std::string& host, const std::string& port,
                                   bool tls, Clock::time_point deadline, Exchange& ex) {
    auto tok = net::as_tuple(net::use_awaitable);
    tcp::resolver resolver(conn.executor);
    // getaddrinfo cannot be interrupted, but the wait for it can: bounded by the connect
    // deadline like the rest of connection set-up.
    net::steady_timer resolve_timer(conn.executor, deadline);
    auto outcome =
        co_await (resolver.async_resolve(host, port, tok) || resolve_timer.async_wait(tok));
    if (outcome.index() == 1) co_return failed(ex, beast::error::timeout, Stage::Resolve);
    auto [rec, results] = std::get<0>(std::move(outcome));
    if (rec) co_return failed(ex, rec, Stage::Resolve);
    if (tls) {
      conn.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(conn.executor, ssl_ctx);
    } else {
      conn.plain = std::make_unique<beast::tcp_stream>(conn.executor);
    }
    conn.lowest().expires_at(deadline);
    auto [cec, ep] = co_await conn.lowest().async_connect(results, tok);
    if (cec) co_return failed(ex, cec, Stage::Connect);
    conn.lowest().socket().set_option(tcp::no_delay(true));
    co_return true;
  }

  // SNI, then certificate chain + hostname verification of the upstream `url` names, before
  // `deadline`. Through a proxy's tunnel too: TLS is end to end with the upstream.
  net::awaitable<bool> handshake(Conn& conn, const Url& url, Clock::time_point deadline,
                                 Exchange& ex) {
    auto tok = net::as_tuple(net::use_awaitable);
    if (!SSL_set_tlsext_host_name(conn.tls->native_handle(), url.host.c_str())) {
      co_return failed(
          ex, error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()),
          Stage::Handshake);
    }
    conn.tls->set_verify_callback(ssl::host_name_verification(url.host));
    conn.lowest().expires_at(deadline);
    auto [hec] = co_await conn.tls->async_handshake(ssl::stream_base::client, tok);
    if (hec) co_return failed(ex, hec, Stage::Handshake);
    co_return true;
  }

  // Connects to the upstream, or to `proxy` (then for https opens a CONNECT tunnel to the
  // upstream through it), and for https does the TLS handshake with the upstream, all within
  // the connect deadline. False (with ex.ec and ex.stage set) when any step fails.
  net::awaitable<bool> connect(Conn& conn, const Url& url, const config::ProxyUrl* proxy,
                               Clock::time_point deadline,
                               std::chrono::milliseconds connect_timeout, Exchange& ex) {
    const auto connect_deadline = std::min(deadline, Clock::now() + connect_timeout);
    const bool connected =
        co_await connect_tcp(conn, proxy ? proxy->host : url.host, proxy ? proxy->port : url.port,
                             url.tls(), connect_deadline, ex);
    if (!connected) co_return false;
    if (!conn.tls) co_return true;
    if (proxy) {
      const TunnelOutcome tunnel =
          co_await open_tunnel(conn.lowest(), *proxy, url, connect_deadline);
      if (!tunnel.open()) {
        // A refusal (an answer that is not 2xx) is a failed connection: the upstream was not
        // reached.
        ex.tunnel_status = tunnel.ec ? 0 : tunnel.status;
        co_return failed(ex,
                         tunnel.ec ? tunnel.ec : make_error_code(net::error::connection_refused),
                         Stage::Tunnel);
      }
    }
    co_return co_await handshake(conn, url, connect_deadline, ex);
  }

  net::awaitable<Exchange> exchange(Conn& conn, const Url& url, const config::ProxyUrl* proxy,
                                    const std::string& wire, StreamParser* stream,
                                    Clock::time_point deadline,
                                    std::chrono::milliseconds connect_timeout) {
    Exchange ex;
    auto tok = net::as_tuple(net::use_awaitable);
    if (!conn.connected()) {
      const bool connected = co_await connect(conn, url, proxy, deadline, connect_timeout, ex);
      if (!connected) co_return ex;
    }
    conn.lowest().expires_at(deadline);
    error_code wec;
    if (conn.tls) {
      std::tie(wec, std::ignore) = co_await net::async_write(*conn.tls, net::buffer(wire), tok);
    } else {
      std::tie(wec, std::ignore) = co_await net::async_write(*conn.plain, net::buffer(wire), tok);
    }
    if (wec) {
      ex.ec = wec;
      ex.stage = Stage::Write;
      co_return ex;
    }
    if (conn.tls) {
      co_await read_response(*conn.tls, conn, stream, ex);
    } else {
      co_await read_response(*conn.plain, conn, stream, ex);
    }
    co_return ex;
  }

  // Takes the status of a parsed response head. Interim responses (1xx but 101) are skipped as
  // RFC 9110 §15.2 says: the caller reads the next head. Returns false when the exchange failed.
  enum class Head { Final, Interim, Bad };
  static Head check_head(unsigned status, int interim_seen, Exchange& ex) {
    if (status >= 100 && status < 200 && status != 101) {
      if (interim_seen < kMaxInterimResponses) return Head::Interim;
      ex.detail = "more than " + std::to_string(kMaxInterimResponses) + " interim responses";
    } else if (status == 101) {
      ex.detail = "101 Switching Protocols, which the gateway never asks for";
    } else if (valid_status(status)) {
      return Head::Final;
    } else {
      ex.detail = "status " + std::to_string(status) + " is outside 100-599";
    }
    ex.ec = http::error::bad_status;
    ex.stage = Stage::Read;
    ex.got_response_bytes = true;
    return Head::Bad;
  }

  // An error reply keeps its headers: an adapter may read its provider's error header there.
  template <class Fields>
  static void keep_error_headers(const Fields& head, UpstreamReply& reply) {
    if (reply.status < 400) return;
    for (const auto& field : head)
      reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }

  // Reads the response head (into `stream`, for a stream) or the whole response, skipping
  // interim responses. Every read is bounded: the head by kMaxResponseHeaderBytes, the body by
  // max_response_bytes, and all bytes consumed (framing included) by wire_limit().
  template <class Stream>
  net::awaitable<void> read_response(Stream& s, Conn& conn, StreamParser* stream, Exchange& ex) {
    auto tok = net::as_tuple(net::use_awaitable);
    std::size_t consumed = 0;
    for (int interim = 0;; ++interim) {
      if (stream) {
        if (interim > 0) new_stream_parser(*stream);
        auto [hec, n] = co_await http::async_read_header(s, conn.buffer, **stream, tok);
        consumed += n;
        ex.got_response_bytes = ex.got_response_bytes || (*stream)->got_some();
        if (hec) {
          ex.ec = hec;
          ex.stage = Stage::Read;
          ex.detail = limit_text(hec);
          co_return;
        }
        const auto& head = (*stream)->get();
        const Head kind = check_head(head.result_int(), interim, ex);
        if (kind == Head::Bad) co_return;
        if (kind == Head::Interim) continue;
        ex.keep_alive = head.keep_alive();
        ex.reply.status = static_cast<int>(head.result_int());
        ex.reply.content_type = std::string(head[http::field::content_type]);
        keep_error_headers(head, ex.reply);
        co_return;
      }
      http::response_parser<http::string_body> parser;
      parser.header_limit(kMaxResponseHeaderBytes);
      parser.body_limit(opts.max_response_bytes);
      parser.eager(true);
      while (!parser.is_done()) {
        auto [rec, n] = co_await http::async_read_some(s, conn.buffer, parser, tok);
        consumed += n;
        ex.got_response_bytes = ex.got_response_bytes || parser.got_some();
        if (!rec && consumed > wire_limit()) {
          rec = http::error::body_limit;
        }
        if (rec) {
          ex.detail = limit_text(rec);
          ex.ec = rec;
          ex.stage = Stage::Read;
          co_return;
        }
      }
      const Head kind = check_head(parser.get().result_int(), interim, ex);
      if (kind == Head::Bad) co_return;
      if (kind == Head::Interim) continue;
      conn.lowest().expires_never();
      auto& res = parser.get();
      ex.keep_alive = res.keep_alive();
      ex.reply.status = static_cast<int>(res.result_int());
      ex.reply.content_type = std::string(res[http::field::content_type]);
      ex.reply.body = std::move(res.body());
      keep_error_headers(res, ex.reply);
      co_return;
    }
  }

  // What a read that hit one of the bounds says about the response ("" for other errors).
  std::string limit_text(const error_code& ec) const {
    if (ec == http::error::body_limit) {
      return "the response is larger than the limit of " + std::to_string(opts.max_response_bytes) +
             " bytes";
    }
    if (ec == http::error::buffer_overflow) {
      return "a chunk extension or the trailer is larger than " +
             std::to_string(kMaxBufferedBytes) + " bytes";
    }
    if (ec == http::error::header_limit) {
      return "the response header or trailer is larger than " +
             std::to_string(kMaxResponseHeaderBytes) + " bytes";
    }
    return {};
  }

  // All bytes one response may take on the wire (head, chunk framing, trailers, body).
  std::size_t wire_limit() const { return 2 * opts.max_response_bytes + kMaxBufferedBytes; }

  void new_stream_parser(StreamParser& p) const {
    p.emplace();
    p->header_limit(kMaxResponseHeaderBytes);
    p->body_limit(opts.max_response_bytes);
  }

  // Sends `request` on a pooled or new connection and reads the whole response, or only its
  // header into `stream`. On success the connection is returned to the caller.
  struct Started {
    std::unique_ptr<Conn> conn;
    std::string key;
    Exchange ex;
  };
  static GatewayError cancelled_error(std::string_view endpoint) {
    // Nobody reads this (the client is gone); it only ends the call.
    return GatewayError::make(499,
                              "Endpoint '" + std::string(endpoint) +
                                  "': the client disconnected; the upstream call was cancelled",
                              "client_closed_request");
  }

  // The request serialised once into one buffer (a retry resends the same bytes), or a 500
  // when any part would break the request line or a header: whatever builds them, nothing with
  // a CR, LF or NUL reaches the wire. Through a proxy, an http:// request goes in absolute form
  // (RFC 9112 §3.2.2) with the proxy's credentials; an https:// one goes through the CONNECT
  // tunnel in origin form, so the proxy's credentials never reach the upstream.
  static Result<std::string> serialize_request(const UpstreamRequest& request, const Url& url,
                                               std::string_view endpoint,
                                               const config::ProxyUrl* proxy) {
    const bool forwarded = proxy && !url.tls();
    const std::string target = forwarded ? url.to_string() : url.target();
    if (has_line_break_or_nul(target) || target.find(' ') != std::string::npos ||
        has_line_break_or_nul(url.host) || url.host.find(' ') != std::string::npos ||
        request.method.empty() || request.method.find_first_of(" \r\n\t") != std::string::npos ||
        has_line_break_or_nul(request.method)) {
      return GatewayError::make(
          500,
          "Endpoint '" + std::string(endpoint) +
              "': the upstream request line would contain a space, line break or NUL",
          "server_error");
    }
    std::string wire;
    wire.reserve(256 + request.body.size());
    wire += request.method;
    wire += ' ';
    wire += target;
    wire += " HTTP/1.1\r\n";
    // A Host or Accept the adapter set (a signed request, e.g. SigV4; an event stream) is sent
    // as is, and only once: a duplicate would break the signature.
    bool has_host = false, has_accept = false;
    for (const auto& [name, value] : request.headers) {
      has_host = has_host || beast::iequals(name, "host");
      has_accept = has_accept || beast::iequals(name, "accept");
    }
    if (!has_host) append_header(wire, "Host", url.host_header());
    wire += "User-Agent: llm-gateway\r\n";
    if (!has_accept) wire += "Accept: application/json\r\n";
    if (forwarded) wire += proxy_authorization_line(*proxy);
    for (const auto& [name, value] : request.headers) {
      if (auto bad = header_error(name, value, endpoint)) return std::move(*bad);
      append_header(wire, name, value);
    }
    append_header(wire, "Content-Length", std::to_string(request.body.size()));
    wire += "\r\n";
    wire += request.body;
    return wire;
  }

  // A CR or LF would let a value inject headers. The config loader already rejects them in keys
  // and other header values; this is the last line of defence.
  static std::optional<GatewayError> header_error(const std::string& name, const std::string& value,
                                                  std::string_view endpoint) {
    if (has_line_break_or_nul(value)) {
      return GatewayError::make(
          500,
          "Endpoint '" + std::string(endpoint) + "': the value of the upstream header '" +
              (has_line_break_or_nul(name) ? std::string("?") : name) + "' contains a " +
              (value.find('\0') != std::string::npos ? "NUL byte" : "line break"),
          "server_error");
    }
    if (has_line_break_or_nul(name) || name.empty() ||
        name.find_first_of(": \t") != std::string::npos) {
      return GatewayError::make(
          500, "Endpoint '" + std::string(endpoint) + "': an upstream header name is not a token",
          "server_error");
    }
    return std::nullopt;
  }

  // The proxy for this call (config::choose_proxy), or a 500 for an endpoint `proxy:` value
  // that is not valid (the config loader refuses those, so this is a last line of defence).
  Result<std::optional<config::ProxyUrl>> proxy_for(const UpstreamRequest& request, const Url& url,
                                                    std::string_view endpoint) const {
    if (!request.proxy.empty() && !config::is_proxy_none(request.proxy) &&
        !config::parse_proxy_url(request.proxy)) {
      return GatewayError::make(500,
                                "Endpoint '" + std::string(endpoint) + "': its " +
                                    config::check_proxy_setting(request.proxy),
                                "server_error");
    }
    return config::choose_proxy(opts.proxy_env, request.proxy, url);
  }

  // Connections are pooled per upstream and per way to reach it: direct, or through one proxy
  // with one set of credentials (the key is never logged), so they never mix.
  static std::string pool_key(const Url& url, const config::ProxyUrl* proxy) {
    std::string key = url.scheme + "://" + url.host + ":" + url.port;
    if (proxy) key += " via " + proxy->authority() + " as " + proxy->basic_credentials();
    return key;
  }

  net::awaitable<Result<Started>> perform(const UpstreamRequest& request, std::string_view endpoint,
                                          CallTimeouts timeouts, StreamParser* stream,
                                          CancelSignal* cancel = nullptr) {
    auto url = parse_url(request.url);
    if (!url) {
      co_return GatewayError::make(
          502, "Endpoint '" + std::string(endpoint) + "' has an invalid upstream URL",
          "upstream_error");
    }
    auto chosen = proxy_for(request, *url, endpoint);
    if (!chosen) co_return chosen.take_error();
    const config::ProxyUrl* proxy = chosen->has_value() ? &**chosen : nullptr;
    auto serialized = serialize_request(request, *url, endpoint, proxy);
    if (!serialized) co_return serialized.take_error();
    const std::string wire = std::move(*serialized);
    const auto deadline = Clock::now() + timeouts.total;
    const std::string key = pool_key(*url, proxy);
    for (int attempt = 0;; ++attempt) {
      if (cancel && cancel->cancelled()) co_return cancelled_error(endpoint);
      std::unique_ptr<Conn> conn = attempt == 0 ? acquire(key) : nullptr;
      const bool reused = conn != nullptr;
      (reused ? reuses : opened).fetch_add(1, std::memory_order_relaxed);
      if (!conn) conn = std::make_unique<Conn>(ioc);
      if (cancel) {
        cancel->set_abort([c = conn.get()] {
          if (c->connected()) c->lowest().cancel();
        });
      }
      Exchange ex = co_await exchange(*conn, *url, proxy, wire, stream, deadline, timeouts.connect);
      if (cancel) cancel->set_abort({});
      if (cancel && cancel->cancelled()) co_return cancelled_error(endpoint);
      if (!ex.ec) co_return Started{std::move(conn), key, std::move(ex)};
      // A pooled connection the upstream closed while idle fails before any response byte:
      // retry once on a fresh connection (it never reached the application).
      if (reused && attempt == 0 && !is_timeout(ex.ec) && !ex.got_response_bytes &&
          (ex.stage == Stage::Write || ex.stage == Stage::Read)) {
        continue;
      }
      co_return map_error(ex, endpoint, *url, timeouts, proxy);
    }
  }

  net::awaitable<Result<UpstreamReply>> send(const UpstreamRequest& request,
                                             std::string_view endpoint, CallTimeouts timeouts,
                                             CancelSignal* cancel = nullptr) {
    auto started = co_await perform(request, endpoint, timeouts, nullptr, cancel);
    if (!started) co_return started.take_error();
    if (reusable(*started->conn, started->ex.keep_alive, true))
      release(started->key, std::move(started->conn));
    co_return std::move(started->ex.reply);
  }
};

struct UpstreamStream::Impl {
  UpstreamClient::Impl* client = nullptr;
  std::unique_ptr<Conn> conn;
  std::string key;
  std::string endpoint;
  std::string host;
  StreamParser parser;
  std::size_t consumed = 0;  // bytes read for the body (framing included), bounded
  int status = 0;
  std::string content_type;
  HeaderList error_headers;  // for an error status only
  bool keep_alive = false;
  bool done = false;
};

UpstreamStream::UpstreamStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UpstreamStream::~UpstreamStream() = default;  // an unfinished stream's connection is closed
int UpstreamStream::status() const { return impl_->status; }
const std::string& UpstreamStream::content_type() const { return impl_->content_type; }
const HeaderList& UpstreamStream::error_headers() const { return impl_->error_headers; }

net::awaitable<Result<std::string>> UpstreamStream::next(std::chrono::milliseconds idle) {
  Impl& s = *impl_;
  if (s.done || s.parser->is_done()) co_return std::string();
  char buf[16 * 1024];
  for (;;) {
    s.parser->get().body().data = buf;
    s.parser->get().body().size = sizeof buf;
    s.conn->lowest().expires_after(idle);
    error_code ec;
    auto tok = net::as_tuple(net::use_awaitable);
    std::size_t n = 0;
    if (s.conn->tls) {
      std::tie(ec, n) =
          co_await http::async_read_some(*s.conn->tls, s.conn->buffer, *s.parser, tok);
    } else {
      std::tie(ec, n) =
          co_await http::async_read_some(*s.conn->plain, s.conn->buffer, *s.parser, tok);
    }
    if (ec == http::error::need_buffer) ec = {};
    s.consumed += n;
    const std::size_t got = sizeof buf - s.parser->get().body().size;
    const bool too_large = ec == http::error::body_limit || ec == http::error::buffer_overflow ||
                           (!ec && s.consumed > s.client->wire_limit());
    if (too_large) {
      s.conn.reset();
      s.done = true;
      co_return GatewayError::make(502,
                                   "Endpoint '" + s.endpoint + "': the stream from the upstream " +
                                       s.host + " is larger than the limit of " +
                                       std::to_string(s.client->opts.max_response_bytes) + " bytes",
                                   "upstream_error", "bad_gateway");
    }
    if (ec) {
      s.conn.reset();  // never reused
      s.done = true;
      GatewayError err;
      if (is_timeout(ec)) {
        err = GatewayError::make(504,
                                 "Endpoint '" + s.endpoint + "': the upstream " + s.host +
                                     " sent nothing for " + seconds_text(idle) + " s",
                                 "upstream_timeout", "gateway_timeout");
        err.transport = GatewayError::Transport::Timeout;
      } else {
        err = GatewayError::make(502,
                                 "Endpoint '" + s.endpoint + "': the stream from the upstream " +
                                     s.host + " broke (" + ec.message() + ")",
                                 "upstream_error", "bad_gateway");
        err.transport = GatewayError::Transport::Connect;
      }
      co_return err;
    }
    if (s.parser->is_done()) {
      s.done = true;
      s.conn->lowest().expires_never();
      if (reusable(*s.conn, s.keep_alive, true)) s.client->release(s.key, std::move(s.conn));
      s.conn.reset();
    }
    if (got > 0 || s.done) co_return std::string(buf, got);
  }
}

bool UpstreamStream::body_done() const { return impl_->done || impl_->parser->is_done(); }

void UpstreamStream::cancel() {
  if (impl_->conn) impl_->conn->lowest().cancel();
  impl_->done = true;
}

net::awaitable<Result<std::string>> UpstreamStream::rest(std::chrono::milliseconds idle) {
  std::string body;
  for (;;) {
    auto part = co_await next(idle);
    if (!part) co_return part.take_error();
    if (part->empty()) co_return body;
    body += *part;
    if (body.size() > (1u << 20)) co_return body;  // enough for an error message
  }
}

net::awaitable<Result<std::unique_ptr<UpstreamStream>>> UpstreamClient::open_stream(
    const UpstreamRequest& request, std::string_view endpoint,
    std::chrono::milliseconds first_byte) {
  auto impl = std::make_unique<UpstreamStream::Impl>();
  impl_->new_stream_parser(impl->parser);
  auto started = co_await impl_->perform(
      request, endpoint, CallTimeouts{impl_->opts.connect_timeout, first_byte}, &impl->parser);
  if (!started) co_return started.take_error();
  impl->client = impl_.get();
  impl->conn = std::move(started->conn);
  impl->key = std::move(started->key);
  impl->endpoint = std::string(endpoint);
  impl->host = parse_url(request.url)->host_header();
  impl->status = started->ex.reply.status;
  impl->content_type = std::move(started->ex.reply.content_type);
  impl->error_headers = std::move(started->ex.reply.headers);
  impl->keep_alive = started->ex.keep_alive;
  co_return std::make_unique<UpstreamStream>(std::move(impl));
}

UpstreamClient::UpstreamClient(net::io_context& ioc, UpstreamOptions options)
    : impl_(std::make_unique<Impl>(ioc, std::move(options))) {}
UpstreamClient::~UpstreamClient() = default;

const UpstreamOptions& UpstreamClient::options() const { return impl_->opts; }

net::awaitable<Result<UpstreamReply>> UpstreamClient::send(const UpstreamRequest& request,
                                                           std::string_view endpoint) {
  return impl_->send(request, endpoint,
                     CallTimeouts{impl_->opts.connect_timeout, impl_->opts.total_timeout});
}

net::awaitable<Result<UpstreamReply>> UpstreamClient::send(const UpstreamRequest& request,
                                                           std::string_view endpoint,
                                                           CallTimeouts timeouts,
                                                           CancelSignal* cancel) {
  return impl_->send(request, endpoint, timeouts, cancel);
}

metrics::PoolFigures UpstreamClient::pool_figures() const {
  return {idle_connections(), impl_->opened.load(std::memory_order_relaxed),
          impl_->reuses.load(std::memory_order_relaxed)};
}

std::size_t UpstreamClient::idle_connections() const {
  std::lock_guard lock(impl_->mu);
  std::size_t n = 0;
  for (const auto& [k, v] : impl_->idle) n += v.size();
  return n;
}

}  // namespace gw
