// How a streamed (chunked) response is written on the client connection: the server's session
// implements it, the stream relay (stages/stream_relay.cpp) writes through it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

// Writes a streamed (chunked) response on the client connection. Every call returns false once
// the client is gone; the caller then stops (and so stops reading the upstream).
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual boost::asio::awaitable<bool> begin(
      int status, std::string_view content_type,
      const std::vector<std::pair<std::string, std::string>>& headers) = 0;
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;  // one chunk, sent now
  // Several chunks (each its own HTTP chunk) in one write: events that arrived together.
  virtual boost::asio::awaitable<bool> write_all(const std::vector<std::string>& parts) = 0;
  virtual boost::asio::awaitable<bool> end() = 0;  // the last chunk
  // Calls `on_gone` (once, on the connection's thread) as soon as the client closes or resets
  // the connection while the stream is being produced, so that the producer can cancel its
  // upstream read at once instead of noticing at its next write. An empty function stops
  // watching; it must be called before anything captured by `on_gone` goes away.
  virtual void watch_disconnect(std::function<void()> on_gone) {}
};

// Watches `writer`'s client for a disconnect while this object lives (see
// StreamWriter::watch_disconnect); stops watching when it goes away. A null writer is allowed.
class DisconnectWatch {
 public:
  DisconnectWatch(StreamWriter* writer, std::function<void()> on_gone) : writer_(writer) {
    if (writer_) writer_->watch_disconnect(std::move(on_gone));
  }
  ~DisconnectWatch() {
    if (writer_) writer_->watch_disconnect({});
  }
  DisconnectWatch(const DisconnectWatch&) = delete;
  DisconnectWatch& operator=(const DisconnectWatch&) = delete;

 private:
  StreamWriter* writer_;
};

}  // namespace gw
