// Certificates generated once per test process with OpenSSL, so TLS tests need no files in the
// repo and no network: a self-signed certificate for "localhost" (DNS SAN only, no IP SAN),
// and a small test CA that signs server certificates for "localhost" on demand.
#pragma once

#include <string>

namespace gw::test {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;  // the certificate written to a temp file (usable as a CA file)
};

const TestCert& test_cert();

// A test CA (subject CN "gw test CA"). A client that trusts its file trusts every server
// certificate it issues; each one is told apart by its serial and subject CN.
struct TestCa {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;  // the CA certificate in a temp file (a client's CA file)

  // A new P-256 key and a certificate for it signed by this CA: subject CN `cn`, serial
  // `serial`, SANs DNS:localhost and IP:127.0.0.1, server authentication. cert_file is empty.
  TestCert issue(const std::string& cn, long serial) const;
};

const TestCa& test_ca();

}  // namespace gw::test
