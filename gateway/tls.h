// Serving HTTPS (docs/tls.md): the server's TLS context, built from a certificate chain and its
// private key (PEM files given by --tls-cert and --tls-key). One context per certificate
// generation, held by shared_ptr: a reload swaps in a new one for new handshakes, and each
// session keeps the context it started with, so established connections are not disturbed.
//
// Thread safety: current() from any thread; reload() from one thread at a time (the reload
// watcher's).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace gw {

struct TlsFiles {
  std::string cert_path;  // --tls-cert: the certificate chain, leaf first (PEM)
  std::string key_path;   // --tls-key: the leaf's private key (PEM, not encrypted)
};

// A server context: TLS 1.2 or later, ALPN http/1.1, no renegotiation, the server's cipher
// preference, the chain and key from the PEM texts. `files` names the flags' files in errors.
// Throws std::runtime_error with a message that names the flag and the file, never the key.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsFiles& files,
                                                                   const std::string& cert_pem,
                                                                   const std::string& key_pem);

class TlsContextHolder {
 public:
  // Loads the files; throws std::runtime_error (naming the flag and the file) when they cannot
  // be read, hold no certificate or key, or the key does not match the certificate.
  explicit TlsContextHolder(TlsFiles files);
  ~TlsContextHolder();
  TlsContextHolder(const TlsContextHolder&) = delete;
  TlsContextHolder& operator=(const TlsContextHolder&) = delete;

  // The context for a new handshake: the current certificate generation.
  std::shared_ptr<boost::asio::ssl::context> current() const {
    return current_.load(std::memory_order_acquire);
  }
  // Re-reads the files. A valid pair that differs from the served one becomes the context of
  // new handshakes (logged with the new certificate's subject, serial and expiry); unchanged
  // files are left alone (said in the log when `forced`, the SIGHUP path); an unreadable or
  // invalid pair, or a key that does not match, is logged as an error and the current
  // certificate stays. True when a new certificate was swapped in.
  bool reload(bool forced, const char* why);

  const TlsFiles& files() const { return files_; }
  // "subject CN=..., serial 0x..., expires ..." of the served certificate.
  std::string description() const;
  // Outcomes, for tests: certificates swapped in, and refused reloads.
  std::uint64_t generation() const { return generation_.load(); }
  std::uint64_t failures() const { return failures_.load(); }

 private:
  TlsFiles files_;
  std::atomic<std::shared_ptr<boost::asio::ssl::context>> current_;
  mutable std::mutex mu_;    // guards the two below
  std::string fingerprint_;  // SHA-256 of the served files' bytes (not the key itself)
  std::string description_;  // of the served certificate
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace gw
