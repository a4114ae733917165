// fuzz_url: config/url.h. Input: text, split at the first NUL into a URL and a path suffix for
// append_path() (the whole input is also tried as a URL).
//
// Checks, for every URL parse_url() accepts:
//   - the fields are what the header promises (scheme http/https, a host, a port 1..65535 in
//     decimal, a path starting with '/', no '#');
//   - target() and host_header() go on the wire verbatim (gateway/upstream_client.cpp writes
//     them into the request line and the Host header): they must not contain CR, LF, NUL or
//     other control characters, and the Host no space (a space in the path is accepted on
//     purpose, see check_url);
//   - round trip: parse_url(u.to_string()) gives the same fields;
//   - append_path(url, suffix) with a plain suffix keeps the URL parseable, with the same
//     scheme, host, port and query, and a path ending in "/<suffix>".
// And always: url_encode() output is unreserved characters and %XX only, and decodes back.
#include "config/url.h"
#include "fuzz_common.h"

namespace {

// No control character (CR, LF, NUL, ...); `space_ok`: a space may appear (paths: see below).
bool wire_safe(std::string_view s, bool space_ok) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f || (c == ' ' && !space_ok)) return false;
  return true;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool same(const gw::Url& a, const gw::Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.path == b.path &&
         a.query == b.query;
}

void check_url(std::string_view text) {
  auto u = gw::parse_url(text);
  if (!u) return;
  FUZZ_CHECK(u->scheme == "http" || u->scheme == "https", u->scheme);
  FUZZ_CHECK(!u->host.empty());
  FUZZ_CHECK(!u->port.empty() && u->port.size() <= 5 &&
                 u->port.find_first_not_of("0123456789") == std::string::npos,
             u->port);
  const int port = std::stoi(u->port);
  FUZZ_CHECK(port >= 1 && port <= 65535, u->port);
  FUZZ_CHECK(!u->path.empty() && u->path.front() == '/', u->path);
  FUZZ_CHECK(u->path.find('?') == std::string::npos);
  FUZZ_CHECK(u->to_string().find('#') == std::string::npos);
  // A space in the path is accepted on purpose (the AWS SigV4 suite signs "/example space/";
  // the config loader refuses spaces in base URLs and model names), so target() may hold one.
  FUZZ_CHECK(wire_safe(u->target(), true),
             "request target with a control character: " + u->target());
  FUZZ_CHECK(wire_safe(u->host_header(), false),
             "Host value with a control character or space: " + u->host_header());

  const std::string again_text = u->to_string();
  auto again = gw::parse_url(again_text);
  FUZZ_CHECK(again.has_value(), "to_string() does not parse: " + again_text);
  FUZZ_CHECK(same(*u, *again), std::string(text) + " -> " + again_text);
}

void check_append(std::string_view base, std::string_view suffix) {
  auto u = gw::parse_url(base);
  if (!u) return;
  // A plain suffix as the adapters pass them ("chat/completions", "<model>:generateContent").
  for (unsigned char c : suffix)
    if (!unreserved(c) && c != '/' && c != ':') return;
  const std::string joined = gw::append_path(base, suffix);
  auto j = gw::parse_url(joined);
  FUZZ_CHECK(j.has_value(), std::string(base) + " + " + std::string(suffix) + " -> " + joined);
  FUZZ_CHECK(
      j->scheme == u->scheme && j->host == u->host && j->port == u->port && j->query == u->query,
      std::string(base) + " + " + std::string(suffix) + " -> " + joined);
  std::string_view s = suffix;
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  const std::string tail = "/" + std::string(s);
  FUZZ_CHECK(j->path.size() >= tail.size() &&
                 j->path.compare(j->path.size() - tail.size(), tail.size(), tail) == 0,
             joined);
}

void check_encode(std::string_view s) {
  const std::string e = gw::url_encode(s);
  std::string decoded;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(e[i]);
    if (unreserved(c)) {
      decoded += static_cast<char>(c);
      continue;
    }
    FUZZ_CHECK(c == '%' && i + 2 < e.size() && hex(e[i + 1]) >= 0 && hex(e[i + 2]) >= 0, e);
    decoded += static_cast<char>(hex(e[i + 1]) * 16 + hex(e[i + 2]));
    i += 2;
  }
  FUZZ_CHECK(decoded == s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = all.find('\0');
  const std::string_view url = all.substr(0, nul);
  const std::string_view suffix = nul == std::string_view::npos ? "" : all.substr(nul + 1);
  check_url(url);
  check_url(all);
  check_append(url, suffix.empty() ? std::string_view("chat/completions") : suffix);
  check_encode(all);
  return 0;
}
