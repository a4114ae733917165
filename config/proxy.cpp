#include "config/proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace gw::config {
namespace {

constexpr std::string_view kProxyExample =
    "an http:// proxy URL such as http://proxy.internal:3128";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                            (static_cast<unsigned char>(in[i + 1]) << 8) |
                            static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  const int p = std::stoi(std::string(port));
  return p > 0 && p <= 65535;
}

bool name_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; }
bool v6_char(unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; }

// "host[:port]" or "[v6][:port]" into `out`; "" or why it is not one.
std::string parse_host_port(std::string_view hp, ProxyUrl& out) {
  std::string_view port;
  if (!hp.empty() && hp.front() == '[') {
    const auto close = hp.find(']');
    if (close == std::string_view::npos) return "an IPv6 address lacks its closing ']'";
    out.host = std::string(hp.substr(1, close - 1));
    if (out.host.find(':') == std::string::npos ||
        !std::all_of(out.host.begin(), out.host.end(), v6_char))
      return "the host in brackets is not an IPv6 address";
    std::string_view after = hp.substr(close + 1);
    if (!after.empty() && after.front() != ':') return "the host is followed by other text";
    if (!after.empty()) port = after.substr(1);
  } else {
    const auto colon = hp.find(':');
    out.host = std::string(hp.substr(0, colon));
    if (colon != std::string_view::npos) port = hp.substr(colon + 1);
    if (!std::all_of(out.host.begin(), out.host.end(), name_char))
      return "the host name has a character other than letters, digits, '-', '.' and '_'";
  }
  if (out.host.empty()) return "the proxy host is empty";
  if (port.empty() && hp.back() != ':') {
    out.port = "80";
  } else if (!valid_port(port)) {
    return "the port is not a number from 1 to 65535";
  } else {
    out.port = std::string(port);
  }
  return {};
}

// The scheme part of `text` ("" for none) and the rest; "" or why the scheme is refused.
std::string split_scheme(std::string_view& text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return {};  // a bare host:port means http://
  const std::string scheme = lower(text.substr(0, sep));
  text.remove_prefix(sep + 3);
  if (scheme == "http") return {};
  if (scheme == "https") {
    return "https:// proxies are not supported (the gateway talks plain HTTP to the proxy and "
           "TLS to the provider through its CONNECT tunnel)";
  }
  if (scheme.rfind("socks", 0) == 0) return "SOCKS proxies are not supported";
  // The scheme is not quoted: whatever precedes "://" might be a mistyped password.
  return "the scheme is not supported (only http:// proxies are)";
}

// The whole parse: "" or why `text` is not a usable proxy URL (never quoting it).
std::string parse(std::string_view text, ProxyUrl& out) {
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f) return "it contains a space or a control character";
  if (text.empty()) return "it is empty";
  if (std::string why = split_scheme(text); !why.empty()) return why;
  const auto slash = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos && text.substr(slash) != "/")
    return "a proxy URL has no path, query or fragment (in a user name or password, write '/' "
           "as %2F, '?' as %3F and '#' as %23)";
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    auto user = strict_percent_decode(userinfo.substr(0, colon));
    auto password = strict_percent_decode(
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1));
    if (!user || !password) return "the credentials have a malformed %-escape";
    out.user = std::move(*user);
    out.password = std::move(*password);
  }
  if (authority.empty()) return "the proxy host is empty";
  return parse_host_port(authority, out);
}

// An IP address: family (4 or 6) and its bytes (network order).
struct Ip {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
};

std::optional<Ip> parse_ip(const std::string& s) {
  Ip ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = 4;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = 6;
    return ip;
  }
  return std::nullopt;
}

// Whether `host` is within `net`/`bits` (same family).
bool in_range(const Ip& host, const Ip& net, int bits) {
  if (host.family != net.family) return false;
  const int full = bits / 8, rest = bits % 8;
  if (std::memcmp(host.bytes.data(), net.bytes.data(), static_cast<std::size_t>(full)) != 0)
    return false;
  if (rest == 0) return true;
  const unsigned mask = (0xffu << (8 - rest)) & 0xffu;
  return ((host.bytes[full] ^ net.bytes[full]) & mask) == 0;
}

// An entry against an IP literal host: "addr", "addr/bits", "[v6]", "[v6]:port", "v4:port".
bool ip_entry_matches(std::string_view entry, const Ip& host) {
  int bits = host.family == 4 ? 32 : 128;
  const auto slash = entry.find('/');
  if (slash != std::string_view::npos) {
    std::string_view b = entry.substr(slash + 1);
    if (b.empty() || b.size() > 3 ||
        !std::all_of(b.begin(), b.end(), [](unsigned char c) { return std::isdigit(c); }))
      return false;
    bits = std::stoi(std::string(b));
    if (bits > (host.family == 4 ? 32 : 128)) return false;
    entry = entry.substr(0, slash);
  }
  if (!entry.empty() && entry.front() == '[') {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return false;
    entry = entry.substr(1, close - 1);  // a ":port" after the bracket is ignored
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    entry = entry.substr(0, entry.find(':'));  // "1.2.3.4:8080": the port is ignored
  }
  auto net = parse_ip(std::string(entry));
  return net && in_range(host, *net, bits);
}

// An entry against a host name (lower case, no trailing dot).
bool name_entry_matches(std::string_view entry, std::string_view host) {
  if (entry.rfind("*.", 0) == 0) entry.remove_prefix(1);
  if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
  if (const auto colon = entry.find(':'); colon != std::string_view::npos)
    entry = entry.substr(0, colon);  // "example.com:443": the port is ignored
  if (!entry.empty() && entry.back() == '.') entry.remove_suffix(1);
  if (entry.empty()) return false;
  if (entry.size() == host.size()) return entry == host;
  return entry.size() < host.size() && host[host.size() - entry.size() - 1] == '.' &&
         host.substr(host.size() - entry.size()) == entry;
}

// The lower-case spelling if set (even empty), else the upper-case one unless `upper` is "".
std::string read_var(const EnvLookup& env, const std::string& lower_name,
                     const std::string& upper_name, std::string& source) {
  if (auto v = env(lower_name)) {
    source = lower_name;
    return *v;
  }
  if (upper_name.empty()) return {};
  if (auto v = env(upper_name)) {
    source = upper_name;
    return *v;
  }
  return {};
}

}  // namespace

std::string ProxyUrl::authority() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
}

std::string ProxyUrl::basic_credentials() const {
  if (user.empty() && password.empty()) return {};
  return base64(user + ":" + password);
}

std::optional<ProxyUrl> parse_proxy_url(std::string_view text) {
  ProxyUrl out;
  if (!parse(text, out).empty()) return std::nullopt;
  return out;
}

bool is_proxy_none(std::string_view setting) { return lower(setting) == "none"; }

std::string check_proxy_setting(std::string_view value) {
  if (is_proxy_none(value)) return {};
  ProxyUrl ignored;
  const std::string why = parse(value, ignored);
  if (why.empty()) return {};
  return "proxy must be 'none' or " + std::string(kProxyExample) + ": " + why;
}

ProxyEnvironment ProxyEnvironment::from(const EnvLookup& env) {
  ProxyEnvironment out;
  out.https_proxy = read_var(env, "https_proxy", "HTTPS_PROXY", out.https_proxy_var);
  // httpoxy: in a CGI process, HTTP_PROXY may come from a client's `Proxy:` header.
  const bool cgi = env("REQUEST_METHOD").has_value();
  out.http_proxy = read_var(env, "http_proxy", cgi ? "" : "HTTP_PROXY", out.http_proxy_var);
  out.no_proxy = read_var(env, "no_proxy", "NO_PROXY", out.no_proxy_var);
  return out;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host) {
  if (trim(no_proxy) == "*") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string h = lower(host);
  const auto ip = parse_ip(h);
  if (!ip && !h.empty() && h.back() == '.') h.pop_back();
  if (h.empty()) return false;
  std::size_t pos = 0;
  while (pos < no_proxy.size()) {
    const auto end = std::min(no_proxy.find_first_of(", \t", pos), no_proxy.size());
    const std::string entry = lower(no_proxy.substr(pos, end - pos));
    pos = end + 1;
    if (entry.empty()) continue;
    if (ip ? ip_entry_matches(entry, *ip) : name_entry_matches(entry, h)) return true;
  }
  return false;
}

std::optional<ProxyUrl> choose_proxy(const ProxyEnvironment& env, std::string_view endpoint_setting,
                                     const Url& target) {
  if (is_proxy_none(endpoint_setting)) return std::nullopt;
  if (!endpoint_setting.empty()) return parse_proxy_url(endpoint_setting);
  const std::string& value = target.tls() ? env.https_proxy : env.http_proxy;
  if (value.empty() || no_proxy_matches(env.no_proxy, target.host)) return std::nullopt;
  return parse_proxy_url(value);
}

std::vector<std::string> proxy_env_warnings(const ProxyEnvironment& env) {
  std::vector<std::string> out;
  auto check = [&out](const std::string& value, const std::string& var, const char* kind) {
    if (value.empty()) return;
    ProxyUrl ignored;
    const std::string why = parse(value, ignored);
    if (why.empty()) return;
    out.push_back(var + " is ignored: " + why + ". " + kind +
                  " upstreams are reached directly; set it to " + std::string(kProxyExample));
  };
  check(env.https_proxy, env.https_proxy_var.empty() ? "HTTPS_PROXY" : env.https_proxy_var,
        "https://");
  check(env.http_proxy, env.http_proxy_var.empty() ? "HTTP_PROXY" : env.http_proxy_var, "http://");
  return out;
}

std::string proxy_env_summary(const ProxyEnvironment& env) {
  std::vector<std::string> parts;
  auto describe = [&parts](const std::string& value, const std::string& var, const char* kind) {
    auto url = value.empty() ? std::nullopt : parse_proxy_url(value);
    if (!url) return;
    parts.push_back(std::string("outbound proxy for ") + kind + " upstreams: " + url->authority() +
                    " (from " + var +
                    (url->basic_credentials().empty() ? "" : ", with credentials") + ")");
  };
  describe(env.https_proxy, env.https_proxy_var, "https://");
  describe(env.http_proxy, env.http_proxy_var, "http://");
  if (parts.empty()) return {};
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  if (!trim(env.no_proxy).empty())
    out += "; " + env.no_proxy_var + ": " + std::string(trim(env.no_proxy));
  return out;
}

}  // namespace gw::config
