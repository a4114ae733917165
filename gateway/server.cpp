#include "gateway/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/api.h"
#include "gateway/log.h"

namespace gw {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto kTok = net::as_tuple(net::use_awaitable);

// A connection. Everything in it is touched only on the connection's strand.
struct Session : std::enable_shared_from_this<Session> {
  explicit Session(tcp::socket s, std::uint64_t session_id)
      : stream(std::move(s)), read_timer(stream.get_executor()), id(session_id) {}
  beast::tcp_stream stream;
  // Read deadlines use a separate timer that cancels the read instead of tcp_stream's own
  // expiry, because that closes the socket and a slow client must still receive its 408.
  net::steady_timer read_timer;
  std::uint64_t read_generation = 0;
  bool read_timed_out = false;
  std::uint64_t id;
  std::string client_ip;
  bool idle = true;  // waiting for the next request

  void arm_read_deadline(std::chrono::milliseconds timeout) {
    read_timed_out = false;
    read_timer.expires_after(timeout);
    read_timer.async_wait([self = shared_from_this(), gen = ++read_generation](error_code ec) {
      if (ec || gen != self->read_generation) return;
      self->read_timed_out = true;
      error_code ignored;
      self->stream.socket().cancel(ignored);
    });
  }
  void disarm_read_deadline() {
    ++read_generation;  // a handler already queued becomes a no-op
    read_timer.cancel();
  }
};

std::string error_body(std::string_view detail) {
  return to_text(Json{{"detail", detail}});
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, std::shared_ptr<RuntimeHolder> rt)
      : opts(std::move(o)),
        runtime(std::move(rt)),
        control(net::make_strand(ioc)),
        acceptor(control),
        signals(control),
        grace_timer(control),
        upstream(ioc, opts.upstream),
        api(runtime, upstream) {}

  ServerOptions opts;
  std::shared_ptr<RuntimeHolder> runtime;
  net::io_context ioc{std::max(1, opts.workers)};
  net::strand<net::io_context::executor_type> control;  // acceptor, signals, grace timer
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace_timer;
  UpstreamClient upstream;
  Api api;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::uint16_t bound_port = 0;

  std::mutex sessions_mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_session_id = 0;

  std::uint16_t start() {
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(opts.host, std::to_string(opts.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service);
    tcp::endpoint ep = results.begin()->endpoint();
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(net::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
    net::co_spawn(control, accept_loop(), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error(std::string("accept loop failed: ") + ex.what());
        }
      }
    });
    if (opts.handle_signals) {
      signals.add(SIGINT);
      signals.add(SIGTERM);
      signals.async_wait([this](const error_code& ec, int signo) {
        if (ec) return;
        log::info(std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") +
                  ": shutting down gracefully");
        stop();
      });
    }
    int n = std::max(1, opts.workers);
    for (int i = 0; i < n; ++i) threads.emplace_back([this] { ioc.run(); });
    return bound_port;
  }

  void stop() {
    if (stopping.exchange(true)) return;
    net::post(control, [this] {
      error_code ec;
      acceptor.close(ec);
      signals.cancel(ec);
      std::vector<std::shared_ptr<Session>> live;
      {
        std::lock_guard lock(sessions_mu);
        for (auto& [id, w] : sessions)
          if (auto s = w.lock()) live.push_back(std::move(s));
      }
      // Idle keep-alive connections close now; busy ones finish their request and close.
      for (auto& s : live) {
        net::post(s->stream.get_executor(), [s] {
          if (s->idle) s->stream.cancel();
        });
      }
      if (!live.empty()) {
        grace_timer.expires_after(opts.shutdown_grace);
        grace_timer.async_wait([this](const error_code& ec) {
          if (ec) return;
          log::warn("shutdown grace period over: abandoning requests still in flight");
          ioc.stop();
        });
      }
    });
  }

  void session_ended(std::uint64_t id) {
    bool last = false;
    {
      std::lock_guard lock(sessions_mu);
      sessions.erase(id);
      last = sessions.empty();
    }
    if (last && stopping) {
      net::post(control, [this] { grace_timer.cancel(); });
    }
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), kTok);
      if (stopping || ec == net::error::operation_aborted) co_return;
      if (ec) {
        // EMFILE and friends: back off briefly instead of spinning.
        log::warn("accept failed: " + ec.message());
        net::steady_timer t(control, std::chrono::milliseconds(50));
        co_await t.async_wait(kTok);
        continue;
      }
      auto exec = socket.get_executor();
      std::shared_ptr<Session> s;
      {
        std::lock_guard lock(sessions_mu);
        s = std::make_shared<Session>(std::move(socket), next_session_id++);
        sessions.emplace(s->id, s);
      }
      net::co_spawn(exec, run_session(s), [this, id = s->id](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::error(std::string("connection failed: ") + ex.what());
          }
        }
        session_ended(id);
      });
    }
  }

  // Sends a short error response on a connection that will be closed afterwards.
  net::awaitable<void> send_error_and_close(Session& s, http::status status, std::string_view detail) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    res.body() = error_body(detail);
    res.prepare_payload();
    s.stream.expires_after(std::chrono::seconds(5));
    co_await http::async_write(s.stream, res, kTok);
  }

  // Half-closes, then discards what the client is still sending (briefly), so that it reads
  // our response instead of a connection reset caused by unread data.
  net::awaitable<void> lingering_close(Session& s) {
    error_code ec;
    s.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    char scratch[16 * 1024];
    std::size_t total = 0;
    s.stream.expires_after(std::chrono::seconds(2));
    while (total < 4 * 1024 * 1024) {
      auto [rec, n] = co_await s.stream.async_read_some(net::buffer(scratch), kTok);
      if (rec) break;
      total += n;
    }
    s.stream.close();
  }

  net::awaitable<void> run_session(std::shared_ptr<Session> sp) {
    Session& s = *sp;
    {
      error_code ec;
      auto remote = s.stream.socket().remote_endpoint(ec);
      s.client_ip = ec ? "" : remote.address().to_string();
      s.stream.socket().set_option(tcp::no_delay(true), ec);
    }
    beast::flat_buffer buffer;
    bool first = true;
    bool linger = false;
    for (;;) {
      if (stopping) break;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
      parser.body_limit(opts.max_body_bytes);
      s.stream.expires_never();  // the write deadline of the previous response is over
      s.idle = buffer.size() == 0;
      s.arm_read_deadline(first || buffer.size() > 0 ? opts.read_timeout : opts.idle_timeout);
      auto [hec, hn] = co_await http::async_read_header(s.stream, buffer, parser, kTok);
      s.disarm_read_deadline();
      s.idle = false;
      if (hec) {
        if (s.read_timed_out) {
          if (parser.got_some() || buffer.size() > 0) {
            co_await send_error_and_close(s, http::status::request_timeout,
                                          "Timed out reading the request");
          }
        } else if (hec == http::error::header_limit) {
          co_await send_error_and_close(s, http::status::request_header_fields_too_large,
                                        "Request headers are larger than " +
                                            std::to_string(opts.max_header_bytes) + " bytes");
          linger = true;
        } else if (hec == http::error::body_limit) {
          co_await send_error_and_close(s, http::status::payload_too_large,
                                        "Request body is larger than the limit of " +
                                            std::to_string(opts.max_body_bytes) + " bytes");
          linger = true;
        } else if (hec != http::error::end_of_stream && hec != net::error::eof &&
                   hec != net::error::operation_aborted && hec != net::error::connection_reset) {
          co_await send_error_and_close(s, http::status::bad_request,
                                        "Malformed HTTP request: " + hec.message());
          linger = true;
        }
        break;
      }
      first = false;
      if (!parser.is_done()) {
        auto expect = parser.get()[http::field::expect];
        if (beast::iequals(expect, "100-continue")) {
          http::response<http::empty_body> cont{http::status::continue_, 11};
          s.stream.expires_after(opts.read_timeout);
          auto [cec, cn] = co_await http::async_write(s.stream, cont, kTok);
          if (cec) break;
        }
        s.arm_read_deadline(opts.read_timeout);
        auto [bec, bn] = co_await http::async_read(s.stream, buffer, parser, kTok);
        s.disarm_read_deadline();
        if (bec) {
          if (s.read_timed_out) {
            co_await send_error_and_close(s, http::status::request_timeout,
                                          "Timed out reading the request body");
          } else if (bec == http::error::body_limit) {
            co_await send_error_and_close(s, http::status::payload_too_large,
                                          "Request body is larger than the limit of " +
                                              std::to_string(opts.max_body_bytes) + " bytes");
            linger = true;
          } else if (bec != http::error::end_of_stream && bec != net::error::eof &&
                     bec != net::error::connection_reset) {
            co_await send_error_and_close(s, http::status::bad_request,
                                          "Malformed HTTP request: " + bec.message());
            linger = true;
          }
          break;
        }
      }

      auto start = Clock::now();
      http::request<http::string_body> req = parser.release();
      ApiRequest areq;
      areq.method = std::string(req.method_string());
      areq.target = std::string(req.target());
      areq.body = std::move(req.body());
      areq.client_ip = s.client_ip;
      ApiResponse ares;
      try {
        ares = co_await api.handle(std::move(areq));
      } catch (const std::exception& ex) {
        log::error(std::string("unhandled error while serving ") + std::string(req.target()) +
                   ": " + ex.what());
        ares = ApiResponse{500, "application/json", error_body("Internal Server Error"), {}};
      }
      const bool keep = req.keep_alive() && !stopping;
      http::response<http::string_body> res{static_cast<http::status>(ares.status), req.version()};
      if (!ares.content_type.empty()) res.set(http::field::content_type, ares.content_type);
      for (auto& [k, v] : ares.headers) res.set(k, v);
      const std::size_t body_bytes = ares.body.size();
      res.body() = std::move(ares.body);
      res.keep_alive(keep);
      res.prepare_payload();
      if (req.method() == http::verb::head) res.body().clear();
      s.stream.expires_after(opts.read_timeout);
      auto [wec, wn] = co_await http::async_write(s.stream, res, kTok);
      if (opts.access_log) {
        auto ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        char dur[32];
        std::snprintf(dur, sizeof dur, "%.2f", ms);
        log::info(s.client_ip + " \"" + std::string(req.method_string()) + " " +
                  std::string(req.target()) + "\" " + std::to_string(ares.status) + " " +
                  std::to_string(body_bytes) + " " + dur + "ms");
      }
      if (wec || !keep) break;
    }
    if (linger) {
      co_await lingering_close(s);
    } else {
      error_code ec;
      s.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      s.stream.close();
    }
  }
};

Server::Server(ServerOptions options, std::shared_ptr<RuntimeHolder> runtime)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(runtime))) {}

Server::~Server() {
  stop();
  wait();
}

std::uint16_t Server::start() { return impl_->start(); }
void Server::stop() { impl_->stop(); }
void Server::wait() {
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
}
std::uint16_t Server::port() const { return impl_->bound_port; }
RuntimeHolder& Server::runtime() { return *impl_->runtime; }

}  // namespace gw
