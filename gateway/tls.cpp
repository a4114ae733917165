#include "gateway/tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstring>
#include <stdexcept>

#include "config/file_reader.h"
#include "gateway/log.h"

namespace gw {
namespace {

namespace ssl = boost::asio::ssl;

// PEM reading never asks for a passphrase: OpenSSL's default callback would prompt on the
// terminal. An encrypted key therefore fails to load, which the error message says.
int no_passphrase(char*, int, int, void*) { return 0; }

// ALPN (RFC 7301): the gateway speaks HTTP/1.1 only. A client that offers ALPN without
// http/1.1 (only h2, say) gets the fatal no_application_protocol alert the RFC asks for; a
// client that offers no ALPN at all is served as before.
int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
  static const unsigned char kOurs[] = "\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kOurs, sizeof kOurs - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

Bio memory_bio(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_text(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// "subject CN=localhost, serial 0x1092, expires Dec  1 12:00:00 2026 GMT": for logs (public
// parts of the certificate only).
std::string describe(const X509* cert) {
  if (!cert) return "no certificate";
  Bio subject(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(subject.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  std::string serial = "?";
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    char* hex = BN_bn2hex(bn);
    serial = std::string("0x") + hex;
    OPENSSL_free(hex);
    BN_free(bn);
  }
  Bio expiry(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(expiry.get(), X509_get0_notAfter(cert));
  return "subject " + bio_text(subject.get()) + ", serial " + serial + ", expires " +
         bio_text(expiry.get());
}

// The most recent OpenSSL error's reason ("" when none), and the queue cleared.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason ? std::string(": ") + reason : std::string();
}

// The file's text; a file that cannot be read is an error naming the flag and the file.
std::string read_pem(const char* flag, const char* what, const std::string& path) {
  auto file = config::read_file(path);
  if (!file.text) {
    throw std::runtime_error(std::string(flag) + ": cannot read the " + what + " file '" + path +
                             "': " + std::strerror(file.error));
  }
  return std::move(*file.text);
}

// SHA-256 of both files' bytes: tells a changed pair from an unchanged one without keeping
// the key's text.
std::string fingerprint(const std::string& cert_pem, const std::string& key_pem) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  EVP_DigestUpdate(md, cert_pem.data(), cert_pem.size());
  EVP_DigestUpdate(md, "", 1);  // the boundary between the two files counts
  EVP_DigestUpdate(md, key_pem.data(), key_pem.size());
  EVP_DigestFinal_ex(md, digest, &len);
  EVP_MD_CTX_free(md);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

// The leaf and the key, parsed and checked against each other before the context is built,
// so each failure is said in the operator's terms.
void check_pair(const TlsFiles& files, const std::string& cert_pem, const std::string& key_pem,
                EVP_PKEY** key_out) {
  Bio cert_bio = memory_bio(cert_pem);
  X509* leaf = PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr);
  if (!leaf) {
    ERR_clear_error();
    throw std::runtime_error("--tls-cert: no PEM certificate in '" + files.cert_path + "'");
  }
  Bio key_bio = memory_bio(key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr);
  if (!key) {
    X509_free(leaf);
    ERR_clear_error();
    throw std::runtime_error("--tls-key: no PEM private key in '" + files.key_path +
                             "' (an encrypted key is not supported)");
  }
  const bool match = X509_check_private_key(leaf, key) == 1;
  X509_free(leaf);
  ERR_clear_error();
  if (!match) {
    EVP_PKEY_free(key);
    throw std::runtime_error("--tls-key: the private key in '" + files.key_path +
                             "' does not match the certificate in '" + files.cert_path + "'");
  }
  *key_out = key;
}

struct Loaded {
  std::shared_ptr<ssl::context> ctx;
  std::string fingerprint;
  std::string description;
};

// Reads both files and builds their context. The key's text is wiped from memory after use.
Loaded load_files(const TlsFiles& files) {
  const std::string cert = read_pem("--tls-cert", "certificate", files.cert_path);
  std::string key = read_pem("--tls-key", "private key", files.key_path);
  struct Wipe {
    std::string& text;
    ~Wipe() { OPENSSL_cleanse(text.data(), text.size()); }
  } wipe{key};
  Loaded out;
  out.fingerprint = fingerprint(cert, key);
  out.ctx = make_server_tls_context(files, cert, key);
  const X509* leaf = SSL_CTX_get0_certificate(out.ctx->native_handle());
  out.description = describe(leaf);
  if (leaf && X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0)
    log::warn("the TLS certificate in " + files.cert_path + " has expired (" + out.description +
              ")");
  return out;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const TlsFiles& files,
                                                      const std::string& cert_pem,
                                                      const std::string& key_pem) {
  EVP_PKEY* key = nullptr;
  check_pair(files, cert_pem, key_pem, &key);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key_holder(key, EVP_PKEY_free);
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (ec) {
    ERR_clear_error();
    throw std::runtime_error("--tls-cert: the certificate chain in '" + files.cert_path +
                             "' cannot be used: " + ec.message());
  }
  if (SSL_CTX_use_PrivateKey(native, key) != 1 || SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("--tls-key: the private key in '" + files.key_path +
                             "' cannot be used with the certificate in '" + files.cert_path + "'" +
                             openssl_reason());
  }
  return ctx;
}

TlsContextHolder::TlsContextHolder(TlsFiles files) : files_(std::move(files)) {
  Loaded first = load_files(files_);
  current_.store(std::move(first.ctx));
  fingerprint_ = std::move(first.fingerprint);
  description_ = std::move(first.description);
}

TlsContextHolder::~TlsContextHolder() = default;

std::string TlsContextHolder::description() const {
  std::lock_guard lock(mu_);
  return description_;
}

bool TlsContextHolder::reload(bool forced, const char* why) {
  Loaded next;
  try {
    next = load_files(files_);
  } catch (const std::exception& ex) {
    ++failures_;
    log::error(std::string("TLS certificate reload failed (") + why + "): " + ex.what() +
               "; keeping the current certificate (" + description() + ")");
    return false;
  }
  std::lock_guard lock(mu_);
  if (next.fingerprint == fingerprint_) {
    if (forced) log::info(std::string("TLS certificate unchanged (") + why + "): " + description_);
    return false;
  }
  current_.store(std::move(next.ctx), std::memory_order_release);
  fingerprint_ = std::move(next.fingerprint);
  description_ = std::move(next.description);
  ++generation_;
  log::info("TLS certificate reloaded from " + files_.cert_path + " (" + why +
            "): " + description_ + "; new connections use it, open ones keep theirs");
  return true;
}

}  // namespace gw
