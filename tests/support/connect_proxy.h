// A small in-process HTTP proxy for integration tests (docs/outbound-proxies.md): it answers
// `CONNECT host:port` by connecting to the target and piping bytes both ways (so TLS stays end
// to end between the client and the target), and forwards an absolute-form plain HTTP request
// (`POST http://host:port/path HTTP/1.1`) in origin form, then pipes the connection to that
// target (one target per client connection, which is how the gateway pools them). It can
// require `Proxy-Authorization` (407 otherwise), refuse every tunnel with a given status, or
// hang without answering. It records what it saw and runs its own io_context on its own thread,
// like FakeUpstream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gw::test {

struct ConnectProxyOptions {
  // When set, the exact `Proxy-Authorization` value required (e.g. "Basic dXNlcjpwdw=="); a
  // request without it is answered 407 with `Proxy-Authenticate: Basic realm="test"`.
  std::string required_authorization;
  // When non-zero, every CONNECT is answered with this status (and no tunnel).
  int refuse_status = 0;
  // Read requests but never answer them (the client's connect deadline must fire).
  bool hang = false;
};

class ConnectProxy {
 public:
  explicit ConnectProxy(ConnectProxyOptions options = {});
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>".
  std::string url() const;
  // "127.0.0.1:<port>": how the gateway names the proxy in messages.
  std::string authority() const;

  // Every request line received, in order: "CONNECT localhost:1234 HTTP/1.1",
  // "POST http://127.0.0.1:5678/v1/x HTTP/1.1".
  std::vector<std::string> request_lines() const;
  // The targets of the CONNECT requests ("localhost:1234").
  std::vector<std::string> connect_targets() const;
  // The Proxy-Authorization value of each request ("" when it had none), in order.
  std::vector<std::string> authorizations() const;
  std::size_t request_count() const;
  // Tunnels opened (CONNECT answered 200 after the target accepted).
  std::size_t tunnels() const;
  // Blocks until at least n requests arrived (or the timeout passed); whether they did.
  bool wait_for_requests(std::size_t n, int timeout_ms = 5000) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gw::test
