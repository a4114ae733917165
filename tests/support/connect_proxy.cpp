#include "connect_proxy.h"

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace gw::test {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using namespace boost::asio::experimental::awaitable_operators;
constexpr auto kTok = net::as_tuple(net::use_awaitable);

// Copies bytes from `from` to `to` until `from` ends; passes the end on (a half-close), or on
// an error closes both sockets so the other direction ends too.
net::awaitable<void> pipe(tcp::socket& from, tcp::socket& to) {
  std::array<char, 16 * 1024> buf;
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(net::buffer(buf), kTok);
    if (n > 0) {
      auto [wec, wn] = co_await net::async_write(to, net::buffer(buf.data(), n), kTok);
      if (wec) ec = wec;
    }
    if (ec) {
      error_code ignored;
      if (ec == net::error::eof) {
        to.shutdown(tcp::socket::shutdown_send, ignored);
      } else {
        from.close(ignored);
        to.close(ignored);
      }
      co_return;
    }
  }
}

net::awaitable<void> write_text(tcp::socket& s, const std::string& text) {
  co_await net::async_write(s, net::buffer(text), kTok);
}

// "host:port" or "[v6]:port" -> host (without brackets) and port; false when not one.
bool split_host_port(const std::string& authority, std::string& host, std::string& port) {
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = authority.substr(0, colon);
  port = authority.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return !host.empty() && !port.empty();
}

}  // namespace

struct ConnectProxy::Impl {
  explicit Impl(ConnectProxyOptions o) : opts(std::move(o)), acceptor(ioc) {
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
  }

  ConnectProxyOptions opts;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<std::string> lines, targets, auths;
  std::size_t tunnel_count = 0;

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTok);
      if (ec) co_return;
      net::co_spawn(ioc, serve(std::move(socket)), net::detached);
    }
  }

  void record(const http::request<http::string_body>& req) {
    {
      std::lock_guard lock(mu);
      lines.push_back(std::string(req.method_string()) + " " + std::string(req.target()) +
                      " HTTP/1.1");
      if (req.method() == http::verb::connect) targets.emplace_back(req.target());
      auths.emplace_back(req[http::field::proxy_authorization]);
    }
    cv.notify_all();
  }

  net::awaitable<void> serve(tcp::socket client) {
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    auto [ec, n] = co_await http::async_read(client, buffer, parser, kTok);
    if (ec) co_return;
    http::request<http::string_body> req = parser.release();
    record(req);
    if (opts.hang) {
      char sink[512];
      for (;;) {
        auto [rec, got] = co_await client.async_read_some(net::buffer(sink), kTok);
        if (rec) co_return;
      }
    }
    if (!opts.required_authorization.empty() &&
        req[http::field::proxy_authorization] != opts.required_authorization) {
      co_await write_text(client,
                          "HTTP/1.1 407 Proxy Authentication Required\r\n"
                          "Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
      co_return;
    }
    if (req.method() == http::verb::connect) {
      co_await tunnel(std::move(client), std::string(req.target()), std::move(buffer));
    } else {
      co_await forward(std::move(client), std::move(req), std::move(buffer));
    }
  }

  net::awaitable<std::optional<tcp::socket>> dial(const std::string& host,
                                                  const std::string& port) {
    tcp::resolver resolver(ioc);
    auto [rec, results] = co_await resolver.async_resolve(host, port, kTok);
    if (rec) co_return std::nullopt;
    tcp::socket s(ioc);
    auto [cec, ep] = co_await net::async_connect(s, results, kTok);
    if (cec) co_return std::nullopt;
    co_return std::move(s);
  }

  net::awaitable<void> tunnel(tcp::socket client, std::string target, beast::flat_buffer rest) {
    if (opts.refuse_status != 0) {
      co_await write_text(client, "HTTP/1.1 " + std::to_string(opts.refuse_status) +
                                      " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      co_return;
    }
    std::string host, port;
    std::optional<tcp::socket> upstream;  // (a co_await inside ?: miscompiles with GCC 12)
    if (split_host_port(target, host, port)) upstream = co_await dial(host, port);
    if (!upstream) {
      co_await write_text(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    co_await write_text(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    {
      std::lock_guard lock(mu);
      ++tunnel_count;
    }
    cv.notify_all();
    co_await splice(std::move(client), std::move(*upstream), std::move(rest));
  }

  // An absolute-form request: sent to its target in origin form, then the two are piped.
  net::awaitable<void> forward(tcp::socket client, http::request<http::string_body> req,
                               beast::flat_buffer rest) {
    const std::string target(req.target());
    const std::string scheme = "http://";
    const auto slash = target.find('/', scheme.size());
    std::string host, port;
    std::optional<tcp::socket> upstream;
    if (target.rfind(scheme, 0) == 0 &&
        split_host_port(target.substr(scheme.size(), slash - scheme.size()), host, port)) {
      upstream = co_await dial(host, port);
    }
    if (!upstream) {
      co_await write_text(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    req.target(slash == std::string::npos ? "/" : target.substr(slash));
    req.erase(http::field::proxy_authorization);
    auto [wec, wn] = co_await http::async_write(*upstream, req, kTok);
    if (wec) co_return;
    co_await splice(std::move(client), std::move(*upstream), std::move(rest));
  }

  static net::awaitable<void> splice(tcp::socket client, tcp::socket upstream,
                                     beast::flat_buffer rest) {
    if (rest.size() > 0) {
      auto [ec, n] = co_await net::async_write(upstream, rest.data(), kTok);
      if (ec) co_return;
    }
    co_await (pipe(client, upstream) && pipe(upstream, client));
  }
};

ConnectProxy::ConnectProxy(ConnectProxyOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  impl_->thread = std::thread([impl = impl_] { impl->ioc.run(); });
}

ConnectProxy::~ConnectProxy() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t ConnectProxy::port() const { return impl_->port; }

std::string ConnectProxy::url() const { return "http://" + authority(); }

std::string ConnectProxy::authority() const { return "127.0.0.1:" + std::to_string(impl_->port); }

std::vector<std::string> ConnectProxy::request_lines() const {
  std::lock_guard lock(impl_->mu);
  return impl_->lines;
}

std::vector<std::string> ConnectProxy::connect_targets() const {
  std::lock_guard lock(impl_->mu);
  return impl_->targets;
}

std::vector<std::string> ConnectProxy::authorizations() const {
  std::lock_guard lock(impl_->mu);
  return impl_->auths;
}

std::size_t ConnectProxy::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->lines.size();
}

std::size_t ConnectProxy::tunnels() const {
  std::lock_guard lock(impl_->mu);
  return impl_->tunnel_count;
}

bool ConnectProxy::wait_for_requests(std::size_t n, int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->lines.size() >= n; });
}

}  // namespace gw::test
