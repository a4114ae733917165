#include "fake_upstream.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <thread>

#include "test_cert.h"

namespace gw::test {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto kTok = net::as_tuple(net::use_awaitable);
}  // namespace

struct FakeUpstream::Impl : std::enable_shared_from_this<FakeUpstream::Impl> {
  explicit Impl(bool use_tls) : tls(use_tls), ssl_ctx(ssl::context::tls_server), acceptor(ioc) {
    if (tls) {
      const auto& c = test_cert();
      ssl_ctx.use_certificate_chain(net::buffer(c.cert_pem));
      ssl_ctx.use_private_key(net::buffer(c.key_pem), ssl::context::pem);
    }
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
  }

  bool tls;
  net::io_context ioc;
  ssl::context ssl_ctx;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  Handler handler = [](const RecordedRequest&) { return ScriptedReply{}; };
  std::vector<RecordedRequest> recorded;
  std::size_t accepted = 0;
  std::size_t peer_closes = 0;
  std::size_t late_writes = 0;
  std::size_t repeated = 0;

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTok);
      if (ec) co_return;
      {
        std::lock_guard lock(mu);
        ++accepted;
      }
      net::co_spawn(ioc, serve(std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> serve(tcp::socket socket) {
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ssl_ctx);
      auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kTok);
      if (ec) co_return;
      co_await loop(stream);
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await loop(stream);
    }
  }

  template <class Stream>
  net::awaitable<void> loop(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buffer, req, kTok);
      if (ec) co_return;
      RecordedRequest rec;
      rec.method = std::string(req.method_string());
      rec.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        // Repeated fields are joined (as HTTP combines them), so a duplicate is visible.
        std::string& slot = rec.headers[name];
        slot = slot.empty() ? std::string(f.value()) : slot + ", " + std::string(f.value());
      }
      rec.body = req.body();
      Handler h;
      {
        std::lock_guard lock(mu);
        h = handler;
        recorded.push_back(rec);  // recorded before the handler runs: it may block
      }
      cv.notify_all();
      ScriptedReply reply = h(rec);
      switch (reply.action) {
        case ScriptedReply::Action::Hang: {
          // Never answer; notice when the peer gives up (counted by peer_closes()).
          char sink[512];
          for (;;) {
            auto [hec, got] = co_await stream.async_read_some(net::buffer(sink), kTok);
            if (hec) break;
          }
          {
            std::lock_guard lock(mu);
            ++peer_closes;
          }
          cv.notify_all();
          co_return;
        }
        case ScriptedReply::Action::Close:
          co_return;
        case ScriptedReply::Action::Garbage: {
          std::string junk = "this is not HTTP at all\r\n\r\n";
          co_await net::async_write(stream, net::buffer(junk), kTok);
          co_return;
        }
        case ScriptedReply::Action::Raw: {
          if (!reply.raw.empty()) {
            auto [rec, rn] = co_await net::async_write(stream, net::buffer(reply.raw), kTok);
            if (rec) co_return;
          }
          if (!reply.repeat.empty()) {
            std::size_t sent = 0;
            net::steady_timer pause(ioc);
            bool failed = false;
            while (reply.repeat_bytes == 0 || sent < reply.repeat_bytes) {
              if (reply.repeat_interval.count() > 0) {
                pause.expires_after(reply.repeat_interval);
                co_await pause.async_wait(kTok);
              }
              auto [pec, pn] = co_await net::async_write(stream, net::buffer(reply.repeat), kTok);
              if (pec) {
                failed = true;
                break;
              }
              sent += pn;
              std::lock_guard lock(mu);
              repeated += pn;
            }
            if (failed) co_return;
          }
          if (!reply.late.empty()) {
            if (reply.late_gate.valid()) reply.late_gate.wait();
            co_await net::async_write(stream, net::buffer(reply.late), kTok);
            {
              std::lock_guard lock(mu);
              ++late_writes;
            }
            cv.notify_all();
          }
          if (reply.close_after) co_return;
          continue;
        }
        case ScriptedReply::Action::Reply:
          break;
      }
      if (!reply.chunks.empty()) {
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                           " OK\r\nContent-Type: " + reply.content_type +
                           "\r\nTransfer-Encoding: chunked\r\n\r\n";
        auto [hec, hn] = co_await net::async_write(stream, net::buffer(head), kTok);
        if (hec) co_return;
        for (std::size_t i = 0; i < reply.chunks.size(); ++i) {
          if (i == 1 && reply.gate.valid()) reply.gate.wait();
          char size[20];
          std::snprintf(size, sizeof size, "%zx\r\n", reply.chunks[i].size());
          std::string chunk = size + reply.chunks[i] + "\r\n";
          auto [cec, cn] = co_await net::async_write(stream, net::buffer(chunk), kTok);
          if (cec) co_return;
          if (i == 0 && reply.await_peer_close) {
            char sink[512];
            for (;;) {
              auto [rec_ec, got] = co_await stream.async_read_some(net::buffer(sink), kTok);
              if (rec_ec) break;
            }
            {
              std::lock_guard lock(mu);
              ++peer_closes;
            }
            cv.notify_all();
            co_return;
          }
        }
        if (reply.truncate) co_return;
        std::string last = "0\r\n\r\n";
        auto [lec, ln] = co_await net::async_write(stream, net::buffer(last), kTok);
        if (lec || reply.close_after) co_return;
        continue;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.body() = reply.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kTok);
      if (wec || !req.keep_alive() || reply.close_after) co_return;
    }
  }
};

FakeUpstream::FakeUpstream(bool tls) : impl_(std::make_shared<Impl>(tls)) {
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  impl_->thread = std::thread([impl = impl_] { impl->ioc.run(); });
}

FakeUpstream::~FakeUpstream() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t FakeUpstream::port() const { return impl_->port; }

std::string FakeUpstream::base_url() const {
  return impl_->tls ? "https://localhost:" + std::to_string(impl_->port)
                    : "http://127.0.0.1:" + std::to_string(impl_->port);
}

void FakeUpstream::set_handler(Handler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handler = std::move(handler);
}

void FakeUpstream::reply_with(ScriptedReply reply) {
  set_handler([reply](const RecordedRequest&) { return reply; });
}

std::vector<RecordedRequest> FakeUpstream::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

RecordedRequest FakeUpstream::last_request() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded.empty() ? RecordedRequest{} : impl_->recorded.back();
}

std::size_t FakeUpstream::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded.size();
}

std::size_t FakeUpstream::connections_accepted() const {
  std::lock_guard lock(impl_->mu);
  return impl_->accepted;
}

bool FakeUpstream::wait_for_peer_closes(std::size_t n, int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->peer_closes >= n; });
}

bool FakeUpstream::wait_for_late_writes(std::size_t n, int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->late_writes >= n; });
}

std::size_t FakeUpstream::repeated_bytes() const {
  std::lock_guard lock(impl_->mu);
  return impl_->repeated;
}

bool FakeUpstream::wait_for_requests(std::size_t n, int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->recorded.size() >= n; });
}

}  // namespace gw::test
