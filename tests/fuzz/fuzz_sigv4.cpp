// fuzz_sigv4: SigV4 signing (providers/wire/aws_sigv4.h) with fuzzed method, URL, headers and body;
// fixed credentials, region, service and time.
//
// Input: a flag byte, then NUL-separated fields: method, path-and-query, headers (one
// "name:value" per line), body.
//   flag bit 0: the path-and-query field is the whole URL (else it follows
//               "https://bedrock-runtime.us-east-1.amazonaws.com")
//   flag bit 1: the credentials carry a session token
//   flag bit 2: do not sign X-Amz-Content-Sha256
//
// Checks: sigv4_sign() succeeds exactly when parse_url() accepts the URL and leaves the request
// untouched otherwise; a signed request has exactly one Host (the URL's host_header()),
// X-Amz-Date, Authorization (and X-Amz-Content-Sha256 / X-Amz-Security-Token as asked); the
// Authorization header's SignedHeaders and Signature are what the building blocks compute for
// the signed request; signing again gives the same request; the canonical URI and query are
// well formed, and the canonical query is a fixed point.
#include <algorithm>
#include <cctype>
#include <chrono>

#include "config/url.h"
#include "fuzz_common.h"
#include "providers/wire/aws_sigv4.h"

namespace {

constexpr std::string_view kBase = "https://bedrock-runtime.us-east-1.amazonaws.com";
constexpr std::string_view kRegion = "us-east-1";
constexpr std::string_view kService = "bedrock";

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::vector<std::string_view> split(std::string_view s, char sep, std::size_t max_fields) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_fields) {
    const std::size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  out.push_back(s);
  return out;
}

std::size_t count(const gw::UpstreamRequest& req, std::string_view lower_name) {
  std::size_t n = 0;
  for (const auto& [name, value] : req.headers) {
    std::string l = name;
    for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    n += l == lower_name;
  }
  return n;
}

const std::string* header(const gw::UpstreamRequest& req, std::string_view name) {
  for (const auto& [n, v] : req.headers)
    if (n == name) return &v;
  return nullptr;
}

void check_canonical_uri(std::string_view path) {
  const std::string c = gw::sigv4_canonical_uri(path);
  FUZZ_CHECK(!c.empty() && c.front() == '/', c);
  FUZZ_CHECK(c.find("//") == std::string::npos, c);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(c[i]);
    if (unreserved(ch) || ch == '/') continue;
    FUZZ_CHECK(ch == '%' && i + 2 < c.size() &&
                   std::isxdigit(static_cast<unsigned char>(c[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(c[i + 2])),
               c);
  }
  for (std::string_view seg : split(c, '/', std::size_t(-1)))
    FUZZ_CHECK(seg != "." && seg != "..", c);
}

void check_canonical_query(std::string_view query) {
  const std::string c = gw::sigv4_canonical_query(query);
  for (unsigned char ch : c) FUZZ_CHECK(unreserved(ch) || ch == '%' || ch == '=' || ch == '&', c);
  if (!c.empty()) {
    // Sorted by name, then value.
    std::pair<std::string_view, std::string_view> prev;
    bool first = true;
    for (std::string_view item : split(c, '&', std::size_t(-1))) {
      FUZZ_CHECK(std::count(item.begin(), item.end(), '=') == 1, c);
      const std::size_t eq = item.find('=');
      std::pair<std::string_view, std::string_view> p{item.substr(0, eq), item.substr(eq + 1)};
      FUZZ_CHECK(first || !(p < prev), c);
      prev = p;
      first = false;
    }
  }
  FUZZ_CHECK(gw::sigv4_canonical_query(c) == c, std::string(query) + " -> " + c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::Input in(data, size);
  const std::uint8_t flags = in.byte();
  const auto fields = split(in.rest(), '\0', 4);
  auto field = [&](std::size_t i) { return i < fields.size() ? fields[i] : std::string_view(); };

  gw::UpstreamRequest req;
  req.method = std::string(field(0));
  const std::string_view target = field(1);
  if (flags & 1) {
    req.url = std::string(target);
  } else {
    req.url = std::string(kBase);
    if (target.empty() || (target.front() != '/' && target.front() != '?')) req.url += '/';
    req.url += target;
  }
  if (!field(2).empty()) {
    for (std::string_view line : split(field(2), '\n', std::size_t(-1))) {
      const std::size_t colon = line.find(':');
      req.headers.emplace_back(
          std::string(line.substr(0, colon)),
          colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
    }
  }
  req.body = std::string(field(3));

  gw::AwsCredentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::nullopt};
  if (flags & 2) creds.session_token = "session-token-value";
  const bool sign_sha = (flags & 4) == 0;
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

  const auto url = gw::parse_url(req.url);
  if (url) {
    check_canonical_uri(url->path);
    check_canonical_query(url->query);
  }
  check_canonical_uri(target);
  check_canonical_query(target);

  const gw::UpstreamRequest original = req;
  const bool ok = gw::sigv4_sign(req, creds, kRegion, kService, now, sign_sha);
  FUZZ_CHECK(ok == url.has_value());
  if (!ok) {
    FUZZ_CHECK(req.headers == original.headers && req.url == original.url &&
               req.body == original.body);
    return 0;
  }
  FUZZ_CHECK(count(req, "authorization") == 1);
  FUZZ_CHECK(count(req, "host") == 1);
  FUZZ_CHECK(count(req, "x-amz-date") == 1);
  FUZZ_CHECK(count(req, "x-amz-content-sha256") == (sign_sha ? 1u : 0u));
  FUZZ_CHECK(count(req, "x-amz-security-token") == ((flags & 2) ? 1u : 0u));
  FUZZ_CHECK(*header(req, "Host") == url->host_header());
  const std::string amz_date = gw::sigv4_amz_date(now);
  FUZZ_CHECK(amz_date == "20231114T221320Z", amz_date);
  FUZZ_CHECK(*header(req, "X-Amz-Date") == amz_date);
  const std::string payload_hash = gw::sigv4_sha256_hex(req.body);
  if (sign_sha) FUZZ_CHECK(*header(req, "X-Amz-Content-Sha256") == payload_hash);

  // The Authorization header is what the building blocks give for the signed request (it is
  // not signable itself, so the canonical request can be built with it in place).
  const std::string scope = gw::sigv4_credential_scope(amz_date, kRegion, kService);
  const std::string signed_headers = gw::sigv4_signed_headers(req);
  FUZZ_CHECK(signed_headers.find("host") != std::string::npos &&
             signed_headers.find("x-amz-date") != std::string::npos);
  const std::string canonical = gw::sigv4_canonical_request(req, payload_hash);
  const std::string signature =
      gw::sigv4_signature(creds.secret_access_key, amz_date, kRegion, kService,
                          gw::sigv4_string_to_sign(amz_date, scope, canonical));
  FUZZ_CHECK(is_hex64(signature));
  const std::string want = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope +
                           ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
  FUZZ_CHECK(*header(req, "Authorization") == want, *header(req, "Authorization") + "\n" + want);

  // Signing is idempotent: the request is re-signed from scratch to the same bytes.
  gw::UpstreamRequest again = req;
  FUZZ_CHECK(gw::sigv4_sign(again, creds, kRegion, kService, now, sign_sha));
  FUZZ_CHECK(again.headers == req.headers && again.url == req.url && again.body == req.body);
  return 0;
}
