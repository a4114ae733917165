#include "providers/wire/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "config/url.h"

namespace gw {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

std::string to_hex(const unsigned char* data, std::size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex.
void uri_encode_into(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    }
  }
}

std::string uri_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  uri_encode_into(out, s);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX sequences only (a '%' not followed by two hex digits stays as is; '+' stays '+').
std::string lenient_percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Trims leading/trailing spaces and tabs and collapses inner runs of them to one space.
std::string canonical_header_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool unsignable(std::string_view lower_name) {
  static constexpr std::string_view kNames[] = {
      "authorization",      "user-agent", "expect",  "x-amzn-trace-id",   "connection",
      "keep-alive",         "te",         "trailer", "transfer-encoding", "upgrade",
      "proxy-authorization"};
  return std::find(std::begin(kNames), std::end(kNames), lower_name) != std::end(kNames);
}

// The signed headers of `req`: (lower-case name, canonical value) sorted by name, repeated
// names merged with ',' in request order.
std::vector<std::pair<std::string, std::string>> canonical_headers(const UpstreamRequest& req) {
  std::vector<std::pair<std::string, std::string>> hs;
  hs.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    std::string n = to_lower(name);
    if (unsignable(n)) continue;
    hs.emplace_back(std::move(n), canonical_header_value(value));
  }
  std::stable_sort(hs.begin(), hs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& h : hs) {
    if (!merged.empty() && merged.back().first == h.first) {
      merged.back().second += ',';
      merged.back().second += h.second;
    } else {
      merged.push_back(std::move(h));
    }
  }
  return merged;
}

std::string signed_headers_of(const std::vector<std::pair<std::string, std::string>>& hs) {
  std::string out;
  for (const auto& [name, value] : hs) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

}  // namespace

std::string sigv4_amz_date(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto day = floor<days>(now);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(now - day)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string sigv4_sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  return to_hex(md.data(), len);
}

std::string sigv4_credential_scope(std::string_view date, std::string_view region,
                                   std::string_view service) {
  std::string out(date.substr(0, 8));
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
  return out;
}

std::string sigv4_canonical_uri(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    const bool last = slash == std::string_view::npos;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = true;
    } else if (seg == ".") {
      trailing_slash = true;
    } else if (seg.empty()) {
      trailing_slash = true;  // only matters for the last segment (a path ending in '/')
    } else {
      segments.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    uri_encode_into(out, segments[i]);
  }
  if (trailing_slash && !segments.empty()) out += '/';
  return out;
}

std::string sigv4_canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    std::size_t amp = query.find('&', pos);
    std::string_view item =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!item.empty()) {
      std::size_t eq = item.find('=');
      std::string_view name = item.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
      params.emplace_back(uri_encode(lenient_percent_decode(name)),
                          uri_encode(lenient_percent_decode(value)));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string sigv4_signed_headers(const UpstreamRequest& req) {
  return signed_headers_of(canonical_headers(req));
}

std::string sigv4_canonical_request(const UpstreamRequest& req, std::string_view payload_hash) {
  auto url = parse_url(req.url);
  const auto headers = canonical_headers(req);
  std::string out;
  out.reserve(256 + req.url.size());
  out += req.method;
  out += '\n';
  out += sigv4_canonical_uri(url ? std::string_view(url->path) : std::string_view("/"));
  out += '\n';
  out += sigv4_canonical_query(url ? std::string_view(url->query) : std::string_view());
  out += '\n';
  for (const auto& [name, value] : headers) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  out += '\n';
  out += signed_headers_of(headers);
  out += '\n';
  out += payload_hash;
  return out;
}

std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view credential_scope,
                                 std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += credential_scope;
  out += '\n';
  out += sigv4_sha256_hex(canonical_request);
  return out;
}

std::string sigv4_signing_key(std::string_view secret_access_key, std::string_view date,
                              std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret += secret_access_key;
  std::string k_date = hmac_sha256(k_secret, date.substr(0, 8));
  std::string k_region = hmac_sha256(k_date, region);
  std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string sigv4_signature(std::string_view secret_access_key, std::string_view date,
                            std::string_view region, std::string_view service,
                            std::string_view string_to_sign) {
  const std::string key = sigv4_signing_key(secret_access_key, date, region, service);
  const std::string mac = hmac_sha256(key, string_to_sign);
  return to_hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

bool sigv4_sign(UpstreamRequest& req, const AwsCredentials& creds, std::string_view region,
                std::string_view service, std::chrono::system_clock::time_point now,
                bool sign_content_sha256) {
  auto url = parse_url(req.url);
  if (!url) return false;

  std::erase_if(req.headers, [](const auto& h) {
    return iequals(h.first, "authorization") || iequals(h.first, "host") ||
           iequals(h.first, "x-amz-date") || iequals(h.first, "x-amz-content-sha256") ||
           iequals(h.first, "x-amz-security-token");
  });

  const std::string amz_date = sigv4_amz_date(now);
  const std::string payload_hash = sigv4_sha256_hex(req.body);
  req.headers.emplace_back("Host", url->host_header());
  req.headers.emplace_back("X-Amz-Date", amz_date);
  if (sign_content_sha256) req.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  if (creds.session_token && !creds.session_token->empty())
    req.headers.emplace_back("X-Amz-Security-Token", *creds.session_token);

  const std::string canonical = sigv4_canonical_request(req, payload_hash);
  const std::string scope = sigv4_credential_scope(amz_date, region, service);
  const std::string to_sign = sigv4_string_to_sign(amz_date, scope, canonical);
  const std::string signature =
      sigv4_signature(creds.secret_access_key, amz_date, region, service, to_sign);

  std::string auth(kAlgorithm);
  auth += " Credential=";
  auth += creds.access_key_id;
  auth += '/';
  auth += scope;
  auth += ", SignedHeaders=";
  auth += sigv4_signed_headers(req);
  auth += ", Signature=";
  auth += signature;
  req.headers.emplace_back("Authorization", std::move(auth));
  return true;
}

}  // namespace gw
