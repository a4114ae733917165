// The wire side of one client connection (docs/architecture.md, "Request path"): the request
// framing check, the writer of streamed responses, and the serialisation of a complete
// response into one buffer. Used by server.cpp's session loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http_types.h"
#include "gateway/stream_writer.h"

namespace gw {

// The two transports of a client connection: plain TCP, and TLS over it (docs/tls.md). The
// session code is a template over them, so the plain path has no indirection.
using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in "chunked" has a body whose
// length cannot be determined; a server answers 400 and closes (it would otherwise take the
// body for the next request: request smuggling). Codings other than chunked are not
// implemented (501). Content-Length together with Transfer-Encoding is refused too. nullopt
// when the framing is fine, else the status and detail to answer with.
std::optional<std::pair<boost::beast::http::status, std::string>> check_framing(
    const boost::beast::http::request<boost::beast::http::string_body>& req);

// Serialises a response into one buffer (one allocation, one write), which costs far less
// than Beast's generic serializer on this hot path. Header values come from the API layer
// (fixed texts, our own URLs) and never from unchecked client input.
std::string serialize_response(const ApiResponse& r, unsigned version, bool keep_alive, bool head);

// Chunked Server-Sent Events on the session's connection; HTTP/1.0 clients get the raw bytes
// and a closed connection instead of chunks. `Stream` is PlainStream or TlsStream (both
// instantiated in session_io.cpp).
template <class Stream>
class SessionStreamWriter final : public StreamWriter {
 public:
  SessionStreamWriter(Stream& stream, boost::beast::flat_buffer& read_buffer, unsigned version,
                      bool keep_alive, std::chrono::milliseconds write_timeout)
      : stream_(stream),
        read_buffer_(read_buffer),
        chunked_(version >= 11),
        keep_(keep_alive && version >= 11),
        timeout_(write_timeout) {}
  ~SessionStreamWriter() override;

  boost::asio::awaitable<bool> begin(
      int status, std::string_view content_type,
      const std::vector<std::pair<std::string, std::string>>& headers) override;
  boost::asio::awaitable<bool> write(std::string_view data) override;
  boost::asio::awaitable<bool> write_all(const std::vector<std::string>& parts) override;
  boost::asio::awaitable<bool> end() override;
  void watch_disconnect(std::function<void()> on_gone) override;
  // The connection can carry another request (keep-alive asked for, every write succeeded).
  bool keep_alive() const { return keep_ && ok_; }
  // Body bytes handed to write()/write_all() so far (chunk framing not counted).
  std::size_t body_bytes() const { return body_bytes_; }
  // Sent as X-Request-Id in the stream's head.
  void set_request_id(std::string id) { request_id_ = std::move(id); }
  // An open-streams gauge, incremented when the head is written and decremented at the end.
  void set_stream_gauge(std::atomic<std::int64_t>* gauge) { gauge_ = gauge; }

 private:
  struct Watch {
    std::function<void()> on_gone;
    // TLS only: re-checks the socket while unread TLS records keep it readable.
    std::unique_ptr<boost::asio::steady_timer> recheck;
  };
  void append_chunk(std::string& wire, std::string_view data);
  boost::asio::awaitable<bool> send(const std::string& bytes);
  void arm_watch(const std::shared_ptr<Watch>& w);
  void arm_tls_watch(const std::shared_ptr<Watch>& w);
  void recheck_tls_later(const std::shared_ptr<Watch>& w);

  std::shared_ptr<Watch> watch_;
  Stream& stream_;
  boost::beast::flat_buffer& read_buffer_;
  bool chunked_;
  bool keep_;
  std::chrono::milliseconds timeout_;
  bool ok_ = true;
  std::size_t body_bytes_ = 0;
  std::atomic<std::int64_t>* gauge_ = nullptr;
  bool counted_ = false;
  std::string request_id_;
};

extern template class SessionStreamWriter<PlainStream>;
extern template class SessionStreamWriter<TlsStream>;

}  // namespace gw
