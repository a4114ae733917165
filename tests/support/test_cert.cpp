#include "test_cert.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

namespace gw::test {
namespace {

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) throw std::runtime_error("X509V3_EXT_conf_nid failed");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` with subject CN `cn`, valid from an hour ago for a year, signed by
// `issuer` (self-signed when `issuer` is null; the caller signs).
X509* new_cert(EVP_PKEY* key, const char* cn, long serial, X509* issuer) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  if (!X509_sign(cert, key, EVP_sha256())) throw std::runtime_error("X509_sign failed");
}

TestCert to_pem(X509* cert, EVP_PKEY* key) {
  TestCert out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, cert);
  out.cert_pem = bio_string(b);
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = bio_string(b);
  BIO_free(b);
  return out;
}

std::string write_temp_pem(const std::string& pem) {
  char path[] = "/tmp/gw-test-ca-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  if (write(fd, pem.data(), pem.size()) != static_cast<ssize_t>(pem.size()))
    throw std::runtime_error("write failed");
  close(fd);
  return path;
}

// Removes the temp files at exit; the PEM strings stay valid in memory.
void remove_at_exit(const std::string& path) {
  static struct Cleanup {
    std::vector<std::string> paths;
    ~Cleanup() {
      for (const auto& p : paths) std::remove(p.c_str());
    }
  } cleanup;
  cleanup.paths.push_back(path);
}

TestCert make_cert() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  X509* cert = new_cert(key, "localhost", 4242, nullptr);
  add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert, cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_ext(cert, cert, NID_subject_alt_name, "DNS:localhost");
  sign(cert, key);
  TestCert out = to_pem(cert, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  out.cert_file = write_temp_pem(out.cert_pem);
  return out;
}

TestCa make_ca() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  X509* cert = new_cert(key, "gw test CA", 1, nullptr);
  add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert, cert, NID_subject_key_identifier, "hash");
  sign(cert, key);
  TestCert pem = to_pem(cert, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  TestCa ca;
  ca.cert_pem = std::move(pem.cert_pem);
  ca.key_pem = std::move(pem.key_pem);
  ca.cert_file = write_temp_pem(ca.cert_pem);
  return ca;
}

}  // namespace

TestCert TestCa::issue(const std::string& cn, long serial) const {
  BIO* b = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* ca = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  b = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* ca_key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!ca || !ca_key || !key) throw std::runtime_error("TestCa::issue: OpenSSL failed");
  X509* cert = new_cert(key, cn.c_str(), serial, ca);
  add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert, ca, NID_key_usage, "critical,digitalSignature");
  add_ext(cert, ca, NID_ext_key_usage, "serverAuth");
  add_ext(cert, ca, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  add_ext(cert, ca, NID_authority_key_identifier, "keyid:always");
  sign(cert, ca_key);
  TestCert out = to_pem(cert, key);
  X509_free(cert);
  X509_free(ca);
  EVP_PKEY_free(key);
  EVP_PKEY_free(ca_key);
  return out;
}

const TestCert& test_cert() {
  static const TestCert cert = [] {
    TestCert c = make_cert();
    remove_at_exit(c.cert_file);
    return c;
  }();
  return cert;
}

const TestCa& test_ca() {
  static const TestCa ca = [] {
    TestCa c = make_ca();
    remove_at_exit(c.cert_file);
    return c;
  }();
  return ca;
}

}  // namespace gw::test
