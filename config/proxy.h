// Outbound HTTP proxies for the upstream client (docs/outbound-proxies.md): proxy URLs, the
// process environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY (curl's rules), and which proxy, if
// any, one upstream call goes through. Pure: no sockets, no DNS.
//
// Credentials: a proxy URL may hold `user:password@`. They are decoded into ProxyUrl and sent
// only as `Proxy-Authorization: Basic`. Nothing here puts them in a message: authority() and
// every error or warning text are free of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/url.h"

namespace gw::config {

struct ProxyUrl {
  std::string host;  // a name or an IP literal (IPv6 without brackets)
  std::string port;  // always set: "80" when the URL has none
  std::string user;  // percent-decoded; both empty when the URL has no credentials
  std::string password;

  // "host:port" ("[v6]:port"): what messages and logs name. Never the credentials.
  std::string authority() const;
  // base64("user:password") for `Proxy-Authorization: Basic`, or "" when there are no
  // credentials.
  std::string basic_credentials() const;
};

// Parses `http://[user[:password]@]host[:port][/]`, or a bare `[user[:password]@]host[:port]`
// (meaning http://, as curl reads it). The scheme is case-insensitive; the port defaults to 80.
// nullopt for an https:// or SOCKS proxy (not supported), any other scheme, a path other than
// "/", a query or fragment, an empty host, a bad port, a bad %-escape, a space or a control
// character.
std::optional<ProxyUrl> parse_proxy_url(std::string_view text);

// Whether a per-endpoint `proxy:` value means "no proxy" ("none", any case).
bool is_proxy_none(std::string_view setting);

// The check for an endpoint's `proxy:` value: "" when it is valid ("none" or a URL that
// parse_proxy_url accepts), else one sentence saying what is wrong. The sentence never quotes
// the value (it may hold a password).
std::string check_proxy_setting(std::string_view value);

// The proxy variables of the process environment, with curl's precedence: for each one, the
// lower-case spelling wins when it is set (even to ""), else the upper-case one is read.
// Unlike curl, HTTP_PROXY (upper case) is honoured too, as the issue asks and as Python and Go
// do, except when REQUEST_METHOD is set: then the process may be a CGI program whose
// HTTP_PROXY came from a client's `Proxy:` header ("httpoxy"), and only http_proxy is read.
// ALL_PROXY is not read.
struct ProxyEnvironment {
  std::string https_proxy;  // for https:// upstreams
  std::string http_proxy;   // for http:// upstreams
  std::string no_proxy;     // hosts reached directly (no_proxy_matches)
  // The variable each value came from ("https_proxy" or "HTTPS_PROXY", ...), for messages;
  // empty when unset.
  std::string https_proxy_var, http_proxy_var, no_proxy_var;

  static ProxyEnvironment from(const EnvLookup& env);
};

// curl's NO_PROXY rules. Entries are separated by commas and blanks; the value "*" alone
// matches every host. For a host name, an entry matches the name itself and every subdomain,
// case-insensitively: ".example.com" and "example.com" both match "example.com" and
// "a.example.com", not "badexample.com"; leading and trailing dots are ignored, and a leading
// "*." is read as "." (an extension: curl never matches such an entry). For an IP literal
// host (IPv6 with or without brackets), an entry is an address (exact match) or a CIDR range
// ("10.0.0.0/8", "fd00::/8"). A ":port" on an entry is ignored (the entry matches every port);
// curl compares it literally, so there such an entry never matches. No DNS: a name never
// matches an address entry.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

// The proxy for one upstream call, or nullopt for a direct connection.
// `endpoint_setting` is the endpoint's `proxy:` key: "" = the environment decides
// (https_proxy for an https target, http_proxy for an http one, unless NO_PROXY matches the
// target's host), "none" = direct, anything else = that proxy (it wins over NO_PROXY too).
// An invalid value gives nullopt (direct): the config loader rejects a bad `proxy:` key, and
// proxy_env_warnings() reports a bad environment variable at start-up.
std::optional<ProxyUrl> choose_proxy(const ProxyEnvironment& env, std::string_view endpoint_setting,
                                     const Url& target);

// One line per proxy variable that is set but unusable (e.g. an https:// or socks5:// proxy),
// saying that its upstreams are reached directly. Never quotes the value. For the start-up log.
std::vector<std::string> proxy_env_warnings(const ProxyEnvironment& env);

// One line saying which proxies the environment sets ("" when none), e.g. "outbound proxy for
// https:// upstreams: proxy.internal:3128 (from HTTPS_PROXY, with credentials); no_proxy:
// localhost,.internal". Credentials are never shown. For the start-up log.
std::string proxy_env_summary(const ProxyEnvironment& env);

}  // namespace gw::config
