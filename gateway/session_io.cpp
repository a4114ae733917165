#include "gateway/session_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstdio>
#include <type_traits>

#include "gateway/http_wire.h"

namespace gw {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

std::optional<std::pair<http::status, std::string>> check_framing(
    const http::request<http::string_body>& req) {
  std::string codings;
  bool any = false;
  for (auto [it, end] = req.equal_range(http::field::transfer_encoding); it != end; ++it) {
    any = true;
    if (!codings.empty()) codings += ",";
    codings += it->value();
  }
  if (!any) return std::nullopt;
  if (req.count(http::field::content_length) > 0) {
    return std::pair{http::status::bad_request,
                     std::string("Malformed HTTP request: both Transfer-Encoding and "
                                 "Content-Length are set")};
  }
  // The comma-separated codings, trimmed, in order.
  std::vector<std::string> list;
  std::size_t pos = 0;
  while (pos <= codings.size()) {
    std::size_t comma = codings.find(',', pos);
    if (comma == std::string::npos) comma = codings.size();
    std::string token = codings.substr(pos, comma - pos);
    const auto first = token.find_first_not_of(" \t");
    const auto last = token.find_last_not_of(" \t");
    token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
    if (!token.empty()) list.push_back(token);
    pos = comma + 1;
  }
  if (list.empty() || !beast::iequals(list.back(), "chunked")) {
    return std::pair{http::status::bad_request,
                     std::string("Malformed HTTP request: Transfer-Encoding must end in chunked")};
  }
  if (list.size() > 1) {
    if (beast::iequals(list.front(), "chunked")) {  // chunked applied twice (RFC 9112 §6.1)
      return std::pair{http::status::bad_request,
                       std::string("Malformed HTTP request: chunked is applied more than once")};
    }
    return std::pair{http::status::not_implemented,
                     "Transfer-Encoding '" + list.front() + "' is not supported (only chunked)"};
  }
  return std::nullopt;
}

std::string serialize_response(const ApiResponse& r, unsigned version, bool keep_alive, bool head) {
  std::string out;
  out.reserve(128 + r.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += http::obsolete_reason(static_cast<http::status>(r.status));
  out += "\r\n";
  if (!r.content_type.empty()) append_header(out, "Content-Type", r.content_type);
  for (const auto& [k, v] : r.headers) append_header(out, k, v);
  append_header(out, "Content-Length", std::to_string(r.body.size()));
  if (!keep_alive && version >= 11) out += "Connection: close\r\n";
  if (keep_alive && version < 11) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!head) out += r.body;
  return out;
}

template <class Stream>
SessionStreamWriter<Stream>::~SessionStreamWriter() {
  if (watch_) {
    watch_->on_gone = nullptr;
    if (watch_->recheck) watch_->recheck->cancel();
  }
  if (counted_) gauge_->fetch_sub(1, std::memory_order_relaxed);
}

template <class Stream>
net::awaitable<bool> SessionStreamWriter<Stream>::begin(
    int status, std::string_view content_type,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (gauge_ && !counted_) {
    gauge_->fetch_add(1, std::memory_order_relaxed);
    counted_ = true;
  }
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\r\n";
  append_header(head, "Content-Type", content_type);
  append_header(head, "Cache-Control", "no-cache");
  for (const auto& [k, v] : headers) append_header(head, k, v);
  if (!request_id_.empty()) append_header(head, "X-Request-Id", request_id_);
  if (chunked_) append_header(head, "Transfer-Encoding", "chunked");
  if (!keep_) append_header(head, "Connection", "close");
  head += "\r\n";
  co_return co_await send(head);
}

template <class Stream>
net::awaitable<bool> SessionStreamWriter<Stream>::write(std::string_view data) {
  std::string wire;
  append_chunk(wire, data);
  co_return wire.empty() ? ok_ : co_await send(wire);
}

template <class Stream>
net::awaitable<bool> SessionStreamWriter<Stream>::write_all(const std::vector<std::string>& parts) {
  std::string wire;
  for (const auto& p : parts) append_chunk(wire, p);
  co_return wire.empty() ? ok_ : co_await send(wire);
}

template <class Stream>
net::awaitable<bool> SessionStreamWriter<Stream>::end() {
  if (!chunked_) co_return ok_;
  co_return co_await send("0\r\n\r\n");
}

template <class Stream>
void SessionStreamWriter<Stream>::watch_disconnect(std::function<void()> on_gone) {
  if (watch_) {
    watch_->on_gone = nullptr;  // a wait still pending completes into nothing
    if (watch_->recheck) watch_->recheck->cancel();
    watch_.reset();
  }
  if (!on_gone) return;
  watch_ = std::make_shared<Watch>();
  watch_->on_gone = std::move(on_gone);
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    arm_tls_watch(watch_);
  } else {
    arm_watch(watch_);
  }
}

template <class Stream>
void SessionStreamWriter<Stream>::append_chunk(std::string& wire, std::string_view data) {
  if (data.empty()) return;  // an empty chunk would end the body
  body_bytes_ += data.size();
  if (chunked_) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    wire += size;
  }
  wire += data;
  if (chunked_) wire += "\r\n";
}

template <class Stream>
net::awaitable<bool> SessionStreamWriter<Stream>::send(const std::string& bytes) {
  if (!ok_) co_return false;
  beast::get_lowest_layer(stream_).expires_after(timeout_);
  auto [ec, n] =
      co_await net::async_write(stream_, net::buffer(bytes), net::as_tuple(net::use_awaitable));
  ok_ = !ec;
  co_return ok_;
}

// Waits until the socket is readable. Then either the peer closed (a read gets 0 bytes or
// fails: on_gone runs) or it sent bytes: a pipelined request. Those are moved into the
// session's read buffer, where the session parses them after this response, and the wait is
// armed again, so a disconnect later in the same call is still seen. A client that pipelines
// more than the buffer holds is no longer watched (its call runs to its end).
template <class Stream>
void SessionStreamWriter<Stream>::arm_watch(const std::shared_ptr<Watch>& w) {
  auto& socket = beast::get_lowest_layer(stream_).socket();
  socket.async_wait(net::socket_base::wait_read, [this, w, &socket](error_code ec) {
    if (ec || !w->on_gone) return;  // cancelled, or the watch was replaced or ended
    const std::size_t room = read_buffer_.max_size() - read_buffer_.size();
    if (room == 0) return;
    auto space = read_buffer_.prepare(std::min<std::size_t>(room, 4096));
    const ssize_t n = ::recv(socket.native_handle(), space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) {
      read_buffer_.commit(static_cast<std::size_t>(n));
      arm_watch(w);
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      arm_watch(w);
      return;
    }
    auto fn = std::move(w->on_gone);
    w->on_gone = nullptr;
    fn();
  });
}

namespace {

// The state of a TLS connection's socket while a response is produced: the peer shut down its
// sending side or the connection failed (Gone), bytes are waiting (Data), or neither.
enum class PeerState { Quiet, Data, Gone };

PeerState peer_state(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return PeerState::Quiet;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return PeerState::Gone;
  return (p.revents & POLLIN) ? PeerState::Data : PeerState::Quiet;
}

}  // namespace

// Over TLS the socket's bytes are TLS records that only the TLS engine may consume, and it
// must not read while a write of the response may be in progress; so the watch only looks:
// poll(2) with POLLRDHUP says whether the client closed (with or without a close_notify before
// its FIN) or reset the connection. Bytes that are merely waiting (a pipelined request, or a
// close_notify whose FIN has not arrived yet) keep the socket readable, so from then on it is
// looked at again every 200 ms instead of waiting for readability.
template <class Stream>
void SessionStreamWriter<Stream>::arm_tls_watch(const std::shared_ptr<Watch>& w) {
  auto& socket = beast::get_lowest_layer(stream_).socket();
  socket.async_wait(net::socket_base::wait_read, [this, w, &socket](error_code ec) {
    if (ec || !w->on_gone) return;  // cancelled, or the watch was replaced or ended
    switch (peer_state(socket.native_handle())) {
      case PeerState::Quiet:
        arm_tls_watch(w);
        return;
      case PeerState::Data:
        recheck_tls_later(w);
        return;
      case PeerState::Gone:
        break;
    }
    auto fn = std::move(w->on_gone);
    w->on_gone = nullptr;
    fn();
  });
}

template <class Stream>
void SessionStreamWriter<Stream>::recheck_tls_later(const std::shared_ptr<Watch>& w) {
  auto& socket = beast::get_lowest_layer(stream_).socket();
  if (!w->recheck) w->recheck = std::make_unique<net::steady_timer>(socket.get_executor());
  w->recheck->expires_after(std::chrono::milliseconds(200));
  w->recheck->async_wait([this, w, &socket](error_code ec) {
    if (ec || !w->on_gone) return;
    if (peer_state(socket.native_handle()) != PeerState::Gone) {
      recheck_tls_later(w);
      return;
    }
    auto fn = std::move(w->on_gone);
    w->on_gone = nullptr;
    fn();
  });
}

template class SessionStreamWriter<PlainStream>;
template class SessionStreamWriter<TlsStream>;

}  // namespace gw
