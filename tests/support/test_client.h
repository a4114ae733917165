// A small blocking HTTP/1.1 client for tests (one connection per TestClient, keep-alive).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gw::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string error;  // non-empty when the exchange failed at the socket level
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port, std::string host = "127.0.0.1");
  ~TestClient();
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult post(const std::string& target, const std::string& body) {
    return request("POST", target, body, {{"Content-Type", "application/json"}});
  }
  HttpResult get(const std::string& target) { return request("GET", target); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "");

// A raw TCP connection for tests that misbehave on purpose (slow, partial, oversized).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  void send(const std::string& bytes);
  // Reads until the peer closes or timeout_ms passes; returns what was read.
  std::string read_all(int timeout_ms = 5000);
  // Reads until `needle` has arrived (returns everything read so far), the peer closes, or
  // timeout_ms passes.
  std::string read_until(const std::string& needle, int timeout_ms = 5000);
  // True when the peer closed the connection within timeout_ms.
  bool wait_closed(int timeout_ms = 5000);

 private:
  int fd_ = -1;
  std::string received_;  // what read_until() has read
};

}  // namespace gw::test
