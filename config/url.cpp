#include "config/url.h"

#include <algorithm>
#include <cctype>

namespace gw {

std::string Url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  return default_port ? h : h + ":" + port;
}

std::string Url::target() const { return query.empty() ? path : path + "?" + query; }

std::string Url::to_string() const { return scheme + "://" + host_header() + target(); }

namespace {

// Splits an authority ("host[:port]" or "[v6]:port") into u.host and the port text; false when
// it is not one.
bool split_authority(std::string_view authority, Url& u, std::string_view& port) {
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    u.host = std::string(authority.substr(1, close - 1));
    // An IP literal is an IPv6 address: host_header() brackets exactly the hosts with a ':'.
    // "[[x]" used to give host "[x", sent unbracketed as Host "[x" (found by
    // tests/fuzz/fuzz_url: to_string() did not parse again).
    if (u.host.find(':') == std::string::npos || u.host.find('[') != std::string::npos)
      return false;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
    }
    return true;
  }
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    u.host = std::string(authority);
    return true;
  }
  u.host = std::string(authority.substr(0, colon));
  port = authority.substr(colon + 1);
  // An IPv6 literal must be bracketed ("http://::1/" is not a URL).
  return u.host.find(':') == std::string::npos;
}

// 1-65535 in at most five digits; "" means the scheme's default.
bool set_port(std::string_view port, Url& u) {
  if (port.empty()) {
    u.port = u.tls() ? "443" : "80";
    return true;
  }
  if (port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  int p = std::stoi(std::string(port));
  if (p <= 0 || p > 65535) return false;
  u.port = std::string(port);
  return true;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text) {
  // What this accepts goes on the wire verbatim (request line, Host header): a control
  // character (CR, LF, NUL, ...) would break the request or inject into it. (A space is refused
  // in the host below; in the path it stays: SigV4 signs such paths, see the AWS suite case
  // normalize-path/get-space, and the config loader refuses spaces in base URLs.)
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  Url u;
  u.scheme = std::string(text.substr(0, sep));
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return std::nullopt;
  auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.empty() || authority.find_first_of("@ ") != std::string_view::npos)
    return std::nullopt;
  std::string_view port;
  if (!split_authority(authority, u, port) || u.host.empty() || !set_port(port, u))
    return std::nullopt;
  auto q = tail.find('?');
  u.path = std::string(tail.substr(0, q));
  if (q != std::string_view::npos) u.query = std::string(tail.substr(q + 1));
  if (u.path.empty()) u.path = "/";
  return u;
}

std::string append_path(std::string_view base, std::string_view suffix) {
  auto q = base.find('?');
  std::string_view head = base.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : base.substr(q);
  while (!head.empty() && head.back() == '/') head.remove_suffix(1);
  while (!suffix.empty() && suffix.front() == '/') suffix.remove_prefix(1);
  std::string out(head);
  out += '/';
  out += suffix;
  out += query;
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> strict_percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace gw
