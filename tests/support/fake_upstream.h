// An in-process fake upstream (plain HTTP or TLS) for integration tests: it records every
// request it receives and answers as the test scripts it, including failure modes (hang,
// close without answer, garbage bytes). It runs its own io_context on its own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gw::test {

struct RecordedRequest {
  std::string method;
  std::string target;                          // path + query
  std::map<std::string, std::string> headers;  // lower-cased names; repeats joined by ", "
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct ScriptedReply {
  enum class Action {
    Reply,    // send the response below
    Hang,     // read the request, then never answer; a close by the peer is counted (peer_closes)
    Close,    // close the connection without answering
    Garbage,  // answer with bytes that are not HTTP, then close
    Raw,      // answer with `raw` verbatim (then `repeat`, `late`), misbehaving as scripted
  };
  Action action = Action::Reply;
  int status = 200;
  std::string content_type = "application/json";
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  // Close the connection after this reply although it was keep-alive and the reply does not
  // say so (what an upstream does when an idle connection times out).
  bool close_after = false;
  // A streamed reply: when non-empty, the body is sent as these chunks (chunked encoding),
  // each flushed on its own. Before the second chunk the fake waits for `gate` (if valid), so a
  // test can prove the first chunk reached the client before the upstream finished.
  std::vector<std::string> chunks;
  std::shared_future<void> gate;
  bool truncate = false;  // stop after the chunks without ending the body, then close
  // After the first chunk, send nothing more and wait until the peer (the gateway) closes the
  // connection; counted by peer_closes(). Proves a client disconnect reaches the upstream.
  bool await_peer_close = false;

  // Action::Raw: `raw` is written as is (it may hold interim responses, surplus bytes after
  // the response, a wrong status, ...). Then `repeat` (if any) is written again and again,
  // `repeat_interval` apart, until the peer closes or `repeat_bytes` were sent (an endless
  // chunk extension or trailer, a trickle). Then, once `late_gate` is ready, `late` is written
  // (stray bytes on a connection the gateway may have pooled; counted by late_writes()). The
  // connection then reads the next request, unless `close_after`.
  std::string raw;
  std::string repeat;
  std::chrono::milliseconds repeat_interval{0};
  std::size_t repeat_bytes = 0;  // 0: until the peer closes
  std::string late;
  std::shared_future<void> late_gate;
};

class FakeUpstream {
 public:
  using Handler = std::function<ScriptedReply(const RecordedRequest&)>;

  explicit FakeUpstream(bool tls = false);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>" or "https://localhost:<port>" (the test certificate's name).
  std::string base_url() const;

  // The handler runs on the fake's own thread, one request at a time.
  void set_handler(Handler handler);
  void reply_with(ScriptedReply reply);  // the same reply to every request

  std::vector<RecordedRequest> requests() const;
  RecordedRequest last_request() const;
  std::size_t request_count() const;
  std::size_t connections_accepted() const;
  // Blocks until at least n requests have been received (or the timeout passes); returns
  // whether they arrived. For tests that must act while a request is in flight.
  bool wait_for_requests(std::size_t n, int timeout_ms = 5000) const;
  // Blocks until the gateway has closed at least n connections held by await_peer_close or Hang.
  bool wait_for_peer_closes(std::size_t n, int timeout_ms = 5000) const;
  // Blocks until `late` bytes were written n times (Action::Raw).
  bool wait_for_late_writes(std::size_t n, int timeout_ms = 5000) const;
  // Bytes written by `repeat` so far (all connections).
  std::size_t repeated_bytes() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gw::test
