// A small blocking HTTPS client for tests, on OpenSSL directly (one connection per TlsClient,
// keep-alive): it verifies the server against a CA file, and reports what the handshake
// negotiated (protocol version, ALPN) and which certificate the server presented.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/test_client.h"

namespace gw::test {

struct TlsClientOptions {
  std::string ca_file;                    // trusted CA; the server's chain is verified
  std::string server_name = "localhost";  // SNI and the name the certificate must carry
  int min_version = 0;                    // TLS1_x_VERSION; 0: the library's default
  int max_version = 0;
  // Security level 0, so that the client can offer protocol versions that the library would
  // otherwise refuse to speak (proving the server refuses them, not the client).
  bool allow_legacy = false;
  std::vector<std::string> alpn = {"http/1.1"};  // offered protocols (none when empty)
};

class TlsClient {
 public:
  // Connects to 127.0.0.1:port and handshakes; ok() tells whether that worked, error() why not.
  explicit TlsClient(std::uint16_t port, TlsClientOptions options = {});
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool ok() const;
  const std::string& error() const;  // the handshake's (or a later read's) failure
  std::string version() const;       // "TLSv1.3", ...
  std::string alpn() const;          // the selected protocol ("" when none)
  std::string peer_cn() const;       // the server certificate's subject CN
  long peer_serial() const;          // and its serial (-1 when unknown)

  // One request on this connection (kept alive); status 0 and `error` set on failure.
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult get(const std::string& target) { return request("GET", target); }
  HttpResult post(const std::string& target, const std::string& body) {
    return request("POST", target, body, {{"Content-Type", "application/json"}});
  }
  // Raw use: writes bytes, reads decrypted bytes until `needle` arrives (or the connection
  // ends, or timeout_ms passes); returns all read so far.
  bool send(const std::string& bytes);
  std::string read_until(const std::string& needle, int timeout_ms = 5000);
  // Ends the connection: with a close_notify first, or by just closing the socket.
  void close(bool close_notify);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw::test
