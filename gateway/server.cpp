#include "gateway/server.h"

#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "gateway/api.h"
#include "gateway/mlflow_routes.h"
#include "gateway/stream_writer.h"
#include "gateway/http_wire.h"
#include "gateway/access_log.h"
#include "gateway/request_id.h"
#include "gateway/session_io.h"
#include "gateway/stages/admit.h"
#include "gateway/stats.h"
#include "gateway/log.h"
#include "gateway/tls.h"
#include "providers/json.h"

namespace gw {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto kTok = net::as_tuple(net::use_awaitable);

// Room in a connection's read buffer beyond the header limit: one chunk-size line with its
// extensions, a trailer section, or pipelined bytes must fit in it.
constexpr std::size_t kBufferSlack = 16 * 1024;

// A connection, over either transport (PlainSession, TlsSession below). Everything in it is
// touched only on its worker's thread. Shutdown and shedding reach a session through this
// part: `tcp`, the TCP layer of its stream (the stream itself when plain), so no virtual call.
struct SessionBase : std::enable_shared_from_this<SessionBase> {
  SessionBase(const net::any_io_executor& ex, std::uint64_t session_id)
      : read_timer(ex), id(session_id) {}
  beast::tcp_stream* tcp = nullptr;  // set by the derived session
  // Read deadlines use a separate timer that cancels the read instead of tcp_stream's own
  // expiry, because that closes the socket and a slow client must still receive its 408.
  net::steady_timer read_timer;
  std::uint64_t read_generation = 0;
  bool read_timed_out = false;
  std::uint64_t id;
  std::string client_ip;
  metrics::Shard* shard = nullptr;  // the worker's
  bool metrics_only = false;        // accepted on --metrics-port: /metrics and /health only
  bool idle = true;                 // waiting for the next request (or the TLS handshake)
  bool kept_alive = false;  // idle after at least one request: the first to close under load

  void arm_read_deadline(std::chrono::milliseconds timeout) {
    read_timed_out = false;
    read_timer.expires_after(timeout);
    read_timer.async_wait([self = shared_from_this(), gen = ++read_generation](error_code ec) {
      if (ec || gen != self->read_generation) return;
      self->read_timed_out = true;
      error_code ignored;
      self->tcp->socket().cancel(ignored);
    });
  }
  void disarm_read_deadline() {
    ++read_generation;  // a handler already queued becomes a no-op
    read_timer.cancel();
  }
};

struct PlainSession final : SessionBase {
  PlainSession(tcp::socket s, std::uint64_t session_id)
      : SessionBase(s.get_executor(), session_id), stream(std::move(s)) {
    tcp = &stream;
  }
  PlainStream stream;
};

// HTTPS (docs/tls.md): the stream holds the certificate generation that was current when the
// connection was accepted; a reload does not touch it.
struct TlsSession final : SessionBase {
  TlsSession(tcp::socket s, std::uint64_t session_id, std::shared_ptr<ssl::context> context)
      : SessionBase(s.get_executor(), session_id),
        ctx(std::move(context)),
        stream(std::move(s), *ctx) {
    tcp = &stream.next_layer();
  }
  std::shared_ptr<ssl::context> ctx;  // declared before `stream`, which uses it
  TlsStream stream;
  bool handshake_done = false;
};

template <class S>
constexpr bool kTls = std::is_same_v<S, TlsSession>;

// The TCP layer of a session's stream, resolved at compile time (the stream itself when plain).
template <class S>
beast::tcp_stream& transport(S& s) {
  return beast::get_lowest_layer(s.stream);
}

// What a listener serves: the API over plain HTTP or TLS, or --metrics-port (plain).
enum class Listener { Api, Tls, Metrics };

}  // namespace

// A warning that repeats under load (an accept error, the connection cap) is logged at most once
// per interval, with the number of occurrences since the last line. One thread only.
class RateLimitedWarning {
 public:
  explicit RateLimitedWarning(std::string what) : what_(std::move(what)) {}
  void note(const std::string& detail) {
    ++count_;
    const auto now = Clock::now();
    if (logged_once_ && now - last_ < std::chrono::seconds(5)) return;
    log::warn(what_ + ": " + detail +
              (count_ > 1 ? " (" + std::to_string(count_) + " times since the last warning)" : ""));
    logged_once_ = true;
    last_ = now;
    count_ = 0;
  }

 private:
  std::string what_;
  Clock::time_point last_{};
  std::uint64_t count_ = 0;
  bool logged_once_ = false;
};

// The answer to a connection over the cap, written without waiting (the socket is new, its
// send buffer empty) just before it is closed.
constexpr std::string_view kOverCapacity =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Content-Length: 71\r\nConnection: close\r\n\r\n"
    "{\"detail\":\"The gateway is at its connection limit; retry in a moment.\"}";

// The default connection cap: the process's file-descriptor limit (raised to its hard limit at
// start) less a reserve for listeners, log and config files and Redis, halved because every
// client connection may hold an upstream connection as well.
std::size_t default_max_connections() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 512;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  const rlim_t fds = rl.rlim_cur == RLIM_INFINITY ? rlim_t(1) << 20 : rl.rlim_cur;
  return fds > 256 ? static_cast<std::size_t>((fds - 128) / 2) : 64;
}

// One worker: an io_context run by exactly one thread, with its own upstream connection pool
// and its own sessions (worker 0 also owns the listening socket and deals connections out). Nothing
// on the request path is shared between workers except the immutable Runtime snapshot, so no
// strands and no cross-thread wake-ups (measured: one shared io_context with N threads was slower
// with 2 threads than with 1).
struct Worker {
  Worker(const ServerOptions& opts, std::shared_ptr<RuntimeHolder> runtime, metrics::Shard& m,
         std::function<std::string()> scrape, StatsSource stats)
      : ioc(1),
        acceptor(ioc),
        metrics_acceptor(ioc),
        tls_acceptor(ioc),
        grace_timer(ioc),
        upstream(ioc, opts.upstream),
        limiter(make_limiter(ioc, opts)),
        ledger(make_ledger(ioc, opts)),
        api(std::move(runtime), upstream, *limiter,
            ApiOptions{opts.clock, opts.rate_limit_fail_closed, opts.stream_first_event,
                       opts.stream_idle, &m, std::move(scrape), ledger.get(), opts.ui,
                       std::move(stats)}),
        shard(m) {}
  // Redis when the server shares counters with replicas, else the process's counters.
  static std::unique_ptr<Limiter> make_limiter(net::io_context& ioc, const ServerOptions& opts) {
    if (opts.redis) return std::make_unique<RedisLimiter>(ioc, *opts.redis);
    return std::make_unique<LocalLimiter>(opts.limiter);
  }
  // Token and spend counters: the same store as the rate limits.
  static std::unique_ptr<Ledger> make_ledger(net::io_context& ioc, const ServerOptions& opts) {
    if (opts.redis) return std::make_unique<RedisLedger>(ioc, *opts.redis);
    auto clock = opts.clock ? opts.clock : [] { return std::chrono::system_clock::now(); };
    return std::make_unique<MemoryLedger>(opts.ledger, std::move(clock));
  }
  net::io_context ioc;
  tcp::acceptor acceptor;
  tcp::acceptor metrics_acceptor;  // --metrics-port (worker 0 only)
  tcp::acceptor tls_acceptor;      // --tls-port (worker 0 only)
  net::steady_timer grace_timer;
  UpstreamClient upstream;
  std::unique_ptr<Limiter> limiter;
  std::unique_ptr<Ledger> ledger;
  Api api;
  metrics::Shard& shard;
  // Access-log lines waiting for the worker's next flush (Impl::queue_access).
  std::string access_lines;
  bool access_flush_posted = false;
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;  // worker thread only
  std::uint64_t next_session_id = 0;
  // Keeps run() going while the worker has no connection yet (only worker 0 has an acceptor);
  // released at shutdown so run() returns once the last connection is done.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread thread;
};

struct Server::Impl {
  Impl(ServerOptions o, std::shared_ptr<RuntimeHolder> rt)
      : opts(std::move(o)), runtime(std::move(rt)) {
    if (!opts.limiter) opts.limiter = std::make_shared<MemoryRateLimiter>();
    if (!opts.ledger) opts.ledger = std::make_shared<MemoryLedgerStore>();
    const int n = std::max(1, opts.workers);
    if (!opts.metrics) opts.metrics = std::make_shared<metrics::Registry>(n);
    for (int i = 0; i < n; ++i) {
      std::function<std::string()> scrape;
      if (!opts.metrics_port) scrape = [this] { return metrics_text(); };
      workers.push_back(std::make_unique<Worker>(
          opts, runtime, opts.metrics->shard(static_cast<std::size_t>(i) % opts.metrics->shards()),
          std::move(scrape),
          [this](const Runtime& rt, const ClientKey* caller, const ApiRequest& req) {
            return stats_text(rt, caller, req);
          }));
    }
    signals.emplace(workers[0]->ioc);
  }

  // The exposition (any thread): the registry's series, the upstream pools, the snapshot's
  // circuit breakers.
  std::string metrics_text() const {
    std::vector<metrics::PoolFigures> pools;
    for (const auto& w : workers) pools.push_back(w->upstream.pool_figures());
    const auto rt = runtime->load();
    return opts.metrics->render(rt.get(), pools);
  }

  // GET /api/2.0/gateway/stats (any worker thread): the registry's series and reloads, and
  // the caller's calls-limit counters when they are in this process.
  std::string stats_text(const Runtime& rt, const ClientKey* caller, const ApiRequest& req) const {
    const auto series = opts.metrics->merged_series();
    const auto now = opts.clock ? opts.clock() : std::chrono::system_clock::now();
    StatsInput in;
    in.now = std::chrono::duration<double>(now.time_since_epoch()).count();
    in.started = opts.metrics->started();
    in.config_sha256 = opts.metrics->config_sha256();
    in.reloads = opts.metrics->reload_events();
    in.series = &series;
    in.rt = &rt;
    in.caller = caller;
    in.steady_now = std::chrono::steady_clock::now();
    if (!opts.redis) {
      in.limit_usage = [&](const EndpointRuntime& ep) {
        return opts.limiter->peek(ep.limit_prefix, limit_client(ep, req), *ep.config.limit, now);
      };
    }
    return stats_json(in);
  }

  ServerOptions opts;
  std::shared_ptr<RuntimeHolder> runtime;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<net::signal_set> signals;  // runs on worker 0
  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  std::uint16_t bound_port = 0;
  std::uint16_t bound_metrics_port = 0;
  std::uint16_t bound_tls_port = 0;
  // Open client connections, against the cap (max_connections): incremented by the accept
  // loop, decremented by whichever worker ends the session.
  std::atomic<std::size_t> live{0};
  std::size_t max_connections = 0;
  Clock::time_point last_shed{};
  RateLimitedWarning cap_warning{"connection limit reached"};
  RateLimitedWarning accept_warning{"accept failed"};

  // Binds and listens on --host/--port. Failures say what went wrong in the operator's terms
  // (std::runtime_error, no Boost source location): an address in use, a port that needs
  // privileges, a host that does not resolve.
  void listen(tcp::acceptor& acceptor, std::uint16_t port) {
    const std::string where = "port " + std::to_string(port) + " on " + opts.host;
    error_code ec;
    tcp::resolver resolver(acceptor.get_executor());
    auto results = resolver.resolve(opts.host, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty())
      throw std::runtime_error("cannot listen on host '" + opts.host + "': " + ec.message());
    const tcp::endpoint ep = results.begin()->endpoint();
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (ec == net::error::address_in_use) throw std::runtime_error(where + " is already in use");
    if (ec == net::error::access_denied)
      throw std::runtime_error(where + " needs privileges (permission denied)");
    if (ec == std::errc::address_not_available)
      throw std::runtime_error(where + ": no such local address");
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  }

  // Binds every listener on worker 0 and starts its accept loop: --port (TLS instead of plain
  // HTTP when there is a certificate but no --tls-port), --tls-port, --metrics-port (plain).
  void open_listeners() {
    Worker& w0 = *workers[0];
    const bool tls_on_port = opts.tls && !opts.tls_port;
    listen(w0.acceptor, opts.port);
    bound_port = w0.acceptor.local_endpoint().port();
    if (tls_on_port) bound_tls_port = bound_port;
    net::co_spawn(w0.ioc, accept_loop(w0, w0.acceptor, tls_on_port ? Listener::Tls : Listener::Api),
                  log_failure("accept loop"));
    if (opts.tls && opts.tls_port) {
      listen(w0.tls_acceptor, *opts.tls_port);
      bound_tls_port = w0.tls_acceptor.local_endpoint().port();
      net::co_spawn(w0.ioc, accept_loop(w0, w0.tls_acceptor, Listener::Tls),
                    log_failure("TLS accept loop"));
    }
    if (opts.metrics_port) {
      listen(w0.metrics_acceptor, *opts.metrics_port);
      bound_metrics_port = w0.metrics_acceptor.local_endpoint().port();
      net::co_spawn(w0.ioc, accept_loop(w0, w0.metrics_acceptor, Listener::Metrics),
                    log_failure("metrics accept loop"));
    }
  }

  std::uint16_t start() {
    max_connections = opts.max_connections ? opts.max_connections : default_max_connections();
    open_listeners();
    if (opts.handle_signals) {
      signals->add(SIGINT);
      signals->add(SIGTERM);
      if (opts.on_reload_signal) signals->add(SIGHUP);
      wait_for_signal();
    }
    for (auto& w : workers) {
      w->work.emplace(w->ioc.get_executor());
      w->thread = std::thread([w = w.get()] {
        w->ioc.run();
        flush_access(*w);  // lines of requests answered last (their flush may not have run)
      });
    }
    started = true;
    return bound_port;
  }

  // A completion handler for a detached coroutine: an exception is logged as `what` failed.
  static std::function<void(std::exception_ptr)> log_failure(std::string what) {
    return [what = std::move(what)](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error(what + " failed: " + ex.what());
      }
    };
  }

  // Runs on worker 0: SIGHUP reloads (and keeps listening), SIGINT/SIGTERM shut down.
  void wait_for_signal() {
    signals->async_wait([this](const error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        log::info("received SIGHUP: reloading the configuration");
        opts.on_reload_signal();
        wait_for_signal();
        return;
      }
      log::info(std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") +
                ": shutting down gracefully");
      stop();
    });
  }

  void stop() {
    if (stopping.exchange(true)) return;
    net::post(workers[0]->ioc, [this] {
      error_code ec;
      signals->cancel(ec);
    });
    for (auto& wp : workers) {
      Worker* w = wp.get();
      net::post(w->ioc, [this, w] {
        error_code ec;
        w->acceptor.close(ec);
        w->metrics_acceptor.close(ec);
        w->tls_acceptor.close(ec);
        w->ledger->close();  // its replay timer would keep the worker running
        w->work.reset();
        bool busy = false;
        // Idle keep-alive connections close now; busy ones finish their request and close.
        for (auto& [id, weak] : w->sessions) {
          if (auto s = weak.lock()) {
            if (s->idle) {
              s->tcp->cancel();
            } else {
              busy = true;
            }
          }
        }
        if (busy || !w->sessions.empty()) {
          w->grace_timer.expires_after(opts.shutdown_grace);
          w->grace_timer.async_wait([w](const error_code& ec) {
            if (ec) return;
            log::warn("shutdown grace period over: abandoning requests still in flight");
            w->ioc.stop();
          });
        }
      });
    }
  }

  // Runs on the worker's thread.
  void session_ended(Worker& w, std::uint64_t id) {
    w.sessions.erase(id);
    if (stopping && w.sessions.empty()) w.grace_timer.cancel();
  }

  // Runs on worker 0. Connections are dealt to the workers in turn, so each worker serves the
  // same number of them (the kernel's SO_REUSEPORT hashing left workers unevenly loaded with
  // few long-lived keep-alive connections).
  // The --tls-port and --metrics-port listeners' loops are the same, with TLS sessions and
  // `metrics_only` sessions.
  net::awaitable<void> accept_loop(Worker& acceptor_worker, tcp::acceptor& acceptor,
                                   Listener kind) {
    std::size_t next = 0;
    for (;;) {
      Worker& w = *workers[next];
      next = (next + 1) % workers.size();
      auto [ec, socket] = co_await acceptor.async_accept(w.ioc, kTok);
      if (stopping || ec == net::error::operation_aborted) co_return;
      if (ec) {
        // EMFILE and friends: back off briefly instead of spinning.
        accept_warning.note(ec.message());
        net::steady_timer t(acceptor_worker.ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(kTok);
        continue;
      }
      const std::size_t open = live.load(std::memory_order_relaxed);
      if (open >= max_connections) {
        refuse(socket);
        cap_warning.note(std::to_string(max_connections) +
                         " client connections are open; new ones get 503 (--max-connections)");
        shed_idle();
        continue;
      }
      if (open * 10 >= max_connections * 9) shed_idle();
      live.fetch_add(1, std::memory_order_relaxed);
      spawn_session(w, std::move(socket), kind);
    }
  }

  // A connection over the cap: 503 with Retry-After, written without waiting, then closed.
  template <class Socket>
  static void refuse(Socket& socket) {
    error_code ec;
    socket.non_blocking(true, ec);
    ::send(socket.native_handle(), kOverCapacity.data(), kOverCapacity.size(),
           MSG_DONTWAIT | MSG_NOSIGNAL);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  // Near the cap, keep-alive connections waiting for their next request are closed (clients
  // reconnect when they need to), so that new clients are served. At most every 100 ms.
  void shed_idle() {
    const auto now = Clock::now();
    if (now - last_shed < std::chrono::milliseconds(100)) return;
    last_shed = now;
    for (auto& wp : workers) {
      Worker* w = wp.get();
      net::post(w->ioc, [w] {
        for (auto& [id, weak] : w->sessions) {
          if (auto s = weak.lock(); s && s->idle && s->kept_alive) s->tcp->cancel();
        }
      });
    }
  }

  // Starts serving an accepted connection on its worker.
  void spawn_session(Worker& w, tcp::socket socket, Listener kind) {
    if (kind == Listener::Tls) {
      net::co_spawn(w.ioc, serve<TlsSession>(w, std::move(socket), false),
                    log_failure("connection"));
    } else {
      net::co_spawn(w.ioc, serve<PlainSession>(w, std::move(socket), kind == Listener::Metrics),
                    log_failure("connection"));
    }
  }

  // On the connection's worker. A TLS session takes the current certificate generation.
  template <class S>
  std::shared_ptr<S> make_session(Worker& w, tcp::socket socket) {
    if constexpr (kTls<S>) {
      return std::make_shared<S>(std::move(socket), w.next_session_id++, opts.tls->current());
    } else {
      return std::make_shared<S>(std::move(socket), w.next_session_id++);
    }
  }

  // Runs on the connection's worker: registers the session (for shutdown), serves it.
  template <class S>
  net::awaitable<void> serve(Worker& w, tcp::socket socket, bool metrics_only) {
    auto s = make_session<S>(w, std::move(socket));
    s->shard = &w.shard;
    s->metrics_only = metrics_only;
    w.sessions.emplace(s->id, s);
    w.shard.connections.fetch_add(1, std::memory_order_relaxed);
    struct Unregister {
      Impl* impl;
      Worker& w;
      std::uint64_t id;
      ~Unregister() {
        w.shard.connections.fetch_sub(1, std::memory_order_relaxed);
        impl->live.fetch_sub(1, std::memory_order_relaxed);
        impl->session_ended(w, id);
      }
    } unregister{this, w, s->id};
    co_await run_session(w, s);
  }

  // A short error response for a connection that will be closed afterwards, in the error shape
  // of the request's path family when the target is known; counted in the metrics.
  static std::string error_wire(const SessionBase& s, http::status status, std::string detail,
                                std::string_view target) {
    ApiResponse r = render_error(GatewayError::make(static_cast<int>(status), std::move(detail)),
                                 family_of(target));
    record(s, target, r, 0);
    return serialize_response(r, 11, false, false);
  }

  // Sends error_wire()'s response. (`detail` is copied, not moved, into it: clang-tidy 14 takes
  // a move from a coroutine template's parameter for one unsequenced with each co_await. An
  // error path only.)
  template <class S>
  net::awaitable<void> send_error_and_close(S& s, http::status status, std::string detail,
                                            std::string_view target = {}) {
    const std::string wire = error_wire(s, status, detail, target);
    transport(s).expires_after(std::chrono::seconds(5));
    co_await net::async_write(s.stream, net::buffer(wire), kTok);
  }

  // Half-closes, then discards what the client is still sending (briefly), so that it reads
  // our response instead of a connection reset caused by unread data. Over TLS, the
  // close_notify goes first; what follows is discarded as raw bytes.
  template <class S>
  net::awaitable<void> lingering_close(S& s) {
    if constexpr (kTls<S>) co_await send_close_notify(s);
    beast::tcp_stream& stream = transport(s);
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    char scratch[16 * 1024];
    std::size_t total = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (total < 4 * 1024 * 1024) {
      auto [rec, n] = co_await stream.async_read_some(net::buffer(scratch), kTok);
      if (rec) break;
      total += n;
    }
    stream.close();
  }

  // Closes the connection (after a close_notify over TLS).
  template <class S>
  net::awaitable<void> close_session(S& s) {
    if constexpr (kTls<S>) co_await send_close_notify(s);
    error_code ec;
    transport(s).socket().shutdown(tcp::socket::shutdown_both, ec);
    transport(s).close();
  }

  // TLS's close_notify, where it is cheap: only sent, not waited for (RFC 8446 §6.1 lets the
  // closing side close without the peer's answer). Marking the peer's close_notify as already
  // received makes SSL_shutdown complete once ours is written. Skipped before a finished
  // handshake; on a broken connection it fails at once.
  net::awaitable<void> send_close_notify(TlsSession& s) {
    if (!s.handshake_done) co_return;
    SSL_set_shutdown(s.stream.native_handle(), SSL_RECEIVED_SHUTDOWN);
    s.tcp->expires_after(std::chrono::seconds(1));
    co_await s.stream.async_shutdown(kTok);
  }

  // The TLS handshake, within --read-timeout (tcp_stream's expiry closes the socket: a client
  // that stalls is owed no answer). A failure is logged at debug level only: scanners and
  // clients that distrust the certificate would flood the log.
  net::awaitable<bool> handshake(TlsSession& s) {
    s.tcp->expires_after(opts.read_timeout);
    auto [ec] = co_await s.stream.async_handshake(ssl::stream_base::server, kTok);
    s.tcp->expires_never();
    if (ec) {
      log::debug("TLS handshake with " + s.client_ip + " failed: " + ec.message());
      co_return false;
    }
    s.handshake_done = true;
    co_return true;
  }

  using RequestParser = http::request_parser<http::string_body>;

  // How reading a request ended: it is complete, or the connection closes (Linger: after an
  // answer the client may not have read yet because it is still sending).
  enum class ReadEnd { Ok, Close, Linger };

  // A keep-alive connection waits for the first byte of its next request within the idle
  // timeout; from then on (and on a new connection, from its start) one deadline of
  // read_timeout covers the whole request, header and body. False: the connection is done
  // (closed, reset, idle too long or shed: no answer owed).
  template <class S>
  net::awaitable<bool> await_request(S& s, beast::flat_buffer& buffer, bool first) {
    if (buffer.size() == 0) {
      s.idle = true;
      s.kept_alive = !first;
      s.arm_read_deadline(first ? opts.read_timeout : opts.idle_timeout);
      auto space = buffer.prepare(std::min<std::size_t>(4096, buffer.max_size()));
      auto [fec, fn] = co_await s.stream.async_read_some(space, kTok);
      buffer.commit(fn);
      if (fec || fn == 0) co_return false;
      if (!first) s.arm_read_deadline(opts.read_timeout);
    } else {
      s.arm_read_deadline(opts.read_timeout);
    }
    s.idle = false;
    s.kept_alive = false;
    co_return true;
  }

  // Reads the header section (`consumed`: its bytes); on an error, answers it when one is owed.
  template <class S>
  net::awaitable<ReadEnd> read_head(S& s, beast::flat_buffer& buffer, RequestParser& parser,
                                    std::size_t& consumed) {
    auto [hec, hn] = co_await http::async_read_header(s.stream, buffer, parser, kTok);
    consumed = hn;
    if (!hec) co_return ReadEnd::Ok;
    s.disarm_read_deadline();
    if (s.read_timed_out) {
      co_await send_error_and_close(s, http::status::request_timeout,
                                    "Timed out reading the request");
      co_return ReadEnd::Close;
    }
    if (hec == http::error::header_limit || hec == http::error::buffer_overflow) {
      co_await send_error_and_close(
          s, http::status::request_header_fields_too_large,
          "Request headers are larger than " + std::to_string(opts.max_header_bytes) + " bytes");
      co_return ReadEnd::Linger;
    }
    if (hec == http::error::body_limit) {
      // Content-Length was over the limit: the header (and so the target) is complete.
      co_await send_error_and_close(s, http::status::payload_too_large,
                                    "Request body is larger than the limit of " +
                                        std::to_string(opts.max_body_bytes) + " bytes",
                                    std::string(parser.get().target()));
      co_return ReadEnd::Linger;
    }
    if (hec == http::error::end_of_stream || hec == net::error::eof ||
        hec == net::error::operation_aborted || hec == net::error::connection_reset)
      co_return ReadEnd::Close;
    co_await send_error_and_close(s, http::status::bad_request,
                                  "Malformed HTTP request: " + hec.message());
    co_return ReadEnd::Linger;
  }

  // Reads the body after the header (answering `Expect: 100-continue`). Everything read for
  // this request (framing and chunk extensions included) is bounded, not just the body: bytes
  // that are not body still cost reads and parsing.
  template <class S>
  net::awaitable<ReadEnd> read_body(S& s, beast::flat_buffer& buffer, RequestParser& parser,
                                    std::size_t consumed) {
    if (parser.is_done()) {
      s.disarm_read_deadline();
      co_return ReadEnd::Ok;
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      transport(s).expires_after(opts.read_timeout);
      auto [cec, cn] = co_await http::async_write(s.stream, cont, kTok);
      transport(s).expires_never();
      if (cec) co_return ReadEnd::Close;
    }
    const std::size_t wire_limit = 2 * opts.max_body_bytes + buffer.max_size();
    error_code bec;
    while (!parser.is_done() && !bec) {
      auto [rec, n] = co_await http::async_read_some(s.stream, buffer, parser, kTok);
      consumed += n;
      bec = !rec && consumed > wire_limit ? error_code(http::error::body_limit) : rec;
    }
    s.disarm_read_deadline();
    if (!bec) co_return ReadEnd::Ok;
    co_return co_await body_error(s, bec, buffer.max_size(), std::string(parser.get().target()));
  }

  template <class S>
  net::awaitable<ReadEnd> body_error(S& s, error_code bec, std::size_t buffer_max,
                                     std::string target) {
    if (s.read_timed_out) {
      co_await send_error_and_close(s, http::status::request_timeout,
                                    "Timed out reading the request body", target);
      co_return ReadEnd::Close;
    }
    if (bec == http::error::body_limit || bec == http::error::buffer_overflow) {
      // Built before the co_await: GCC 12 destroys a temporary of a conditional
      // expression inside a co_await operand twice.
      std::string detail =
          bec == http::error::body_limit
              ? "Request body is larger than the limit of " + std::to_string(opts.max_body_bytes) +
                    " bytes"
              : "Request body framing (a chunk extension or the trailer) is larger than " +
                    std::to_string(buffer_max) + " bytes";
      co_await send_error_and_close(s, http::status::payload_too_large, std::move(detail), target);
      co_return ReadEnd::Linger;
    }
    if (bec == http::error::end_of_stream || bec == net::error::eof ||
        bec == net::error::connection_reset)
      co_return ReadEnd::Close;
    co_await send_error_and_close(s, http::status::bad_request,
                                  "Malformed HTTP request: " + bec.message());
    co_return ReadEnd::Linger;
  }

  // Reads one whole request into `parser`.
  template <class S>
  net::awaitable<ReadEnd> read_request(S& s, beast::flat_buffer& buffer, RequestParser& parser) {
    std::size_t consumed = 0;
    const ReadEnd head = co_await read_head(s, buffer, parser, consumed);
    if (head != ReadEnd::Ok) co_return head;
    if (auto bad = check_framing(parser.get())) {
      // The body's length cannot be known: the connection cannot carry another request.
      s.disarm_read_deadline();
      co_await send_error_and_close(s, bad->first, bad->second, std::string(parser.get().target()));
      co_return ReadEnd::Linger;
    }
    co_return co_await read_body(s, buffer, parser, consumed);
  }

  // Counts an answered request in the worker's metrics (docs/operations.md, "Metrics").
  static void record(const SessionBase& s, std::string_view target, const ApiResponse& r,
                     double seconds) {
    metrics::RequestSample m;
    m.family =
        family_of(target) == PathFamily::OpenAI ? metrics::Family::OpenAI : metrics::Family::Mlflow;
    m.status = r.status;
    m.seconds = seconds;
    if (const auto& f = r.invocation) {
      m.endpoint = f->endpoint;
      m.provider = f->provider;
      m.overhead_seconds = f->overhead_ms / 1000.0;
      if (f->ttft_ms >= 0) m.ttft_seconds = f->ttft_ms / 1000.0;
      std::tie(m.tokens_in, m.tokens_out) = usage_tokens(r);
    }
    s.shard->record_request(m);
  }

  // A --metrics-port connection's answer: the exposition, a health check, or 404.
  ApiResponse metrics_port_answer(const ApiRequest& req) const {
    const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    if (req.method != "GET" && req.method != "HEAD")
      return render_error(GatewayError::make(405, "Method Not Allowed"), PathFamily::Mlflow);
    if (path == "/metrics") return metrics_response(metrics_text());
    if (path == "/health") return health();
    return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
  }

  // The API's answer; a body with too many JSON values is refused before it is parsed, and an
  // exception becomes a 500 (logged) instead of ending the worker.
  net::awaitable<ApiResponse> answer(Worker& w, const SessionBase& s, ApiRequest areq,
                                     std::string_view target) {
    if (s.metrics_only) co_return metrics_port_answer(areq);
    try {
      if (json_values_exceed(areq.body, opts.max_json_values)) {
        co_return render_error(
            GatewayError::make(413, "Request body holds more than " +
                                        std::to_string(opts.max_json_values) + " JSON values"),
            family_of(target));
      }
      co_return co_await w.api.handle(std::move(areq));
    } catch (const std::exception& ex) {
      log::error("unhandled error while serving " + std::string(target) + ": " + ex.what());
    }
    co_return render_error(GatewayError::make(500, "Internal Server Error"), family_of(target));
  }

  // Answers one complete request; false when the connection must close after it.
  template <class S>
  net::awaitable<bool> serve_request(Worker& w, S& s, beast::flat_buffer& buffer,
                                     http::request<http::string_body> req) {
    auto start = Clock::now();
    ApiRequest areq;
    areq.method = std::string(req.method_string());
    areq.target = std::string(req.target());
    const std::size_t bytes_in = req.body().size();
    areq.body = std::move(req.body());
    areq.client_ip = s.client_ip;
    areq.headers.reserve(8);
    for (const auto& field : req) areq.headers.emplace_back(field.name_string(), field.value());
    areq.request_id = request_id_for(req["X-Request-Id"]);
    const std::string id = areq.request_id;
    SessionStreamWriter stream_writer(s.stream, buffer, req.version(),
                                      req.keep_alive() && !stopping, opts.read_timeout);
    stream_writer.set_request_id(id);
    stream_writer.set_stream_gauge(&w.shard.streams);
    areq.stream = &stream_writer;
    w.shard.in_flight.fetch_add(1, std::memory_order_relaxed);
    ApiResponse ares = co_await answer(w, s, std::move(areq), req.target());
    w.shard.in_flight.fetch_sub(1, std::memory_order_relaxed);
    ares.headers.emplace_back("X-Request-Id", id);
    if (ares.streamed) {
      record(s, req.target(), ares, seconds_since(start));
      log_access(w, s, req, ares,
                 AccessRecord{{}, {}, {}, id, bytes_in, stream_writer.body_bytes()}, start);
      const bool again = ares.stream_complete && stream_writer.keep_alive() && !stopping;
      co_return again;
    }
    const bool keep = req.keep_alive() && !stopping;  // stopping may have begun meanwhile
    const std::size_t body_bytes = ares.body.size();
    std::string wire =
        serialize_response(ares, req.version(), keep, req.method() == http::verb::head);
    transport(s).expires_after(opts.read_timeout);
    auto [wec, wn] = co_await net::async_write(s.stream, net::buffer(wire), kTok);
    record(s, req.target(), ares, seconds_since(start));
    log_access(w, s, req, ares, AccessRecord{{}, {}, {}, id, bytes_in, body_bytes}, start);
    co_return !wec && keep;
  }

  // The access-log line of an answered request, text or JSON (`--access-log`). `rec` holds
  // the id and byte counts; the rest is filled here.
  void log_access(Worker& w, const SessionBase& s, const http::request<http::string_body>& req,
                  const ApiResponse& ares, AccessRecord rec, Clock::time_point start) {
    if (!opts.access_log) return;
    if (opts.access_log_json) {
      rec.client = s.client_ip;
      rec.method = req.method_string();
      rec.target = req.target();
      rec.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      rec.response = &ares;
      queue_access(w, log::format_json(log::Level::Info, access_json_members(rec)));
      return;
    }
    // Body bytes, milliseconds, for a stream "stream tokens p/c/t", the attempts, the id.
    std::string tail = std::to_string(rec.bytes_out) + " " + elapsed_ms(start) + "ms";
    if (ares.streamed) tail += " stream " + (ares.usage.empty() ? "tokens -/-/-" : ares.usage);
    queue_access(w, log::format(log::Level::Info,
                                access_text(s, req, ares.status,
                                            tail + log_tail(ares, std::string(rec.request_id)))));
  }

  // Access-log lines are written in batches, one write(2) per batch: a line joins the worker's
  // batch, which is written once the worker has run the handlers already queued (a posted
  // flush), or at once past 64 KiB. Under load one write carries the lines of many requests
  // (one write per request cost a third of the throughput: writes to one file from several
  // threads serialise in the kernel); an idle server still writes each line right away.
  void queue_access(Worker& w, std::string line) {
    w.access_lines += line;
    if (w.access_lines.size() >= 64 * 1024) {
      flush_access(w);
      return;
    }
    if (w.access_flush_posted) return;
    w.access_flush_posted = true;
    net::post(w.ioc, [&w] {
      w.access_flush_posted = false;
      flush_access(w);
    });
  }

  static void flush_access(Worker& w) {
    if (w.access_lines.empty()) return;
    log::emit_lines(w.access_lines);
    w.access_lines.clear();
  }

  // " attempts chat:503:status,chat-b:200:ok" for an invocation, " tokens_estimated <in>/<out>"
  // when the provider reported no usage, " key <name>" with auth, then " request_id <id>".
  static std::string log_tail(const ApiResponse& r, const std::string& id) {
    std::string tail;
    if (!r.attempts.empty()) tail = " attempts " + r.attempts;
    if (r.invocation && r.invocation->tokens_estimated) {
      tail += " tokens_estimated " + std::to_string(r.invocation->estimated_in) + "/" +
              std::to_string(r.invocation->estimated_out);
    }
    if (r.invocation && !r.invocation->key.empty()) tail += " key " + r.invocation->key;
    return tail + " request_id " + id;
  }

  static double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  static std::string elapsed_ms(Clock::time_point start) {
    const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", ms);
    return text;
  }

  static std::string access_text(const SessionBase& s, const http::request<http::string_body>& req,
                                 int status, const std::string& tail) {
    return s.client_ip + " \"" + std::string(req.method_string()) + " " +
           std::string(req.target()) + "\" " + std::to_string(status) + " " + tail;
  }

  template <class S>
  net::awaitable<void> run_session(Worker& w, std::shared_ptr<S> sp) {
    S& s = *sp;
    {
      error_code ec;
      auto remote = transport(s).socket().remote_endpoint(ec);
      s.client_ip = ec ? "" : remote.address().to_string();
      transport(s).socket().set_option(tcp::no_delay(true), ec);
    }
    if constexpr (kTls<S>) {
      const bool secured = co_await handshake(s);
      if (!secured) {
        s.tcp->close();
        co_return;
      }
    }
    // Bounded: Beast limits the header (header_limit) and the body (body_limit) but not a
    // chunk-extension line or a trailer section, which must fit in this buffer instead.
    beast::flat_buffer buffer(opts.max_header_bytes + kBufferSlack);
    buffer.reserve(4096);  // Beast reads at most the free capacity: whole requests in one read
    bool linger = false;
    for (bool first = true; !stopping; first = false) {
      RequestParser parser;
      parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
      parser.body_limit(opts.max_body_bytes);
      transport(s).expires_never();  // the write deadline of the previous response is over
      const bool arrived = co_await await_request(s, buffer, first);
      if (!arrived) break;
      const ReadEnd read = co_await read_request(s, buffer, parser);
      linger = read == ReadEnd::Linger;
      if (read != ReadEnd::Ok) break;
      const bool again = co_await serve_request(w, s, buffer, parser.release());
      if (!again) break;
    }
    s.disarm_read_deadline();  // its pending timer would keep the session (and worker) alive
    if (linger) {
      co_await lingering_close(s);
    } else {
      co_await close_session(s);
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
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
}
std::uint16_t Server::port() const { return impl_->bound_port; }
std::uint16_t Server::metrics_port() const { return impl_->bound_metrics_port; }
std::uint16_t Server::tls_port() const { return impl_->bound_tls_port; }
metrics::Registry& Server::metrics() { return *impl_->opts.metrics; }
RuntimeHolder& Server::runtime() { return *impl_->runtime; }

}  // namespace gw
