#include "gateway/healthcheck.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "config/url.h"

namespace gw {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// Resolve, connect, send, read: every step bounded by one deadline on the stream.
net::awaitable<HealthcheckResult> check(const Url& url, std::string shown,
                                        std::chrono::milliseconds timeout) {
  const auto tok = net::as_tuple(net::use_awaitable);
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, results] = co_await resolver.async_resolve(url.host, url.port, tok);
  if (rec) co_return HealthcheckResult{false, "cannot resolve " + url.host + ": " + rec.message()};
  beast::tcp_stream stream(ex);
  stream.expires_after(timeout);
  auto [cec, ep] = co_await stream.async_connect(results, tok);
  if (cec) co_return HealthcheckResult{false, "cannot connect to " + shown + ": " + cec.message()};
  http::request<http::empty_body> req{http::verb::get, url.target(), 11};
  req.set(http::field::host, url.host_header());
  req.set(http::field::user_agent, "deployments-healthcheck");
  req.set(http::field::connection, "close");
  auto [wec, wn] = co_await http::async_write(stream, req, tok);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!wec) {
    auto [r, n] = co_await http::async_read(stream, buffer, res, tok);
    wec = r;
  }
  if (wec == beast::error::timeout)
    co_return HealthcheckResult{false, "no answer from " + shown + " within the timeout"};
  if (wec) co_return HealthcheckResult{false, "request to " + shown + " failed: " + wec.message()};
  const std::string status =
      std::to_string(res.result_int()) + " " + std::string(res.reason()) + " from " + shown;
  co_return HealthcheckResult{res.result_int() == 200, status};
}

}  // namespace

HealthcheckResult run_healthcheck(const std::string& url, std::chrono::milliseconds timeout) {
  const auto parsed = parse_url(url);
  if (!parsed || parsed->tls())
    return {false,
            "--url must be an http:// URL (e.g. http://127.0.0.1:5000/health), got '" + url + "'"};
  net::io_context ioc;
  std::optional<HealthcheckResult> result;
  net::co_spawn(ioc, check(*parsed, url, timeout),
                [&result](std::exception_ptr e, HealthcheckResult r) {
                  if (!e) result = std::move(r);
                });
  ioc.run();
  return result.value_or(HealthcheckResult{false, "health check of " + url + " failed"});
}

}  // namespace gw
