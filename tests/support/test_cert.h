// A self-signed certificate for "localhost" (DNS SAN only, no IP SAN), generated once per test
// process with OpenSSL, so TLS tests need no files in the repo and no network.
#pragma once

#include <string>

namespace gw::test {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;  // the certificate written to a temp file (usable as a CA file)
};

const TestCert& test_cert();

}  // namespace gw::test
