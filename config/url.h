// Minimal absolute-URL handling for upstream base URLs (http/https only). Pure. It lives in
// config/ so the loader can reject a bad base URL with the same parser the client uses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gw {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // always set ("80"/"443" by default)
  std::string path;    // starts with '/', at least "/"
  std::string query;   // without '?', may be empty

  bool tls() const { return scheme == "https"; }
  // "host" or "host:port" when the port is not the scheme's default (for the Host header).
  std::string host_header() const;
  // path + ("?" + query if any): the HTTP request target.
  std::string target() const;
  std::string to_string() const;
};

// Parses "http[s]://host[:port][/path][?query]". nullopt on anything else (no userinfo,
// no fragments, no control characters, no space in the host; scheme case-insensitive).
std::optional<Url> parse_url(std::string_view text);

// MLflow's append_path: appends `suffix` to the URL's path with exactly one '/' between them,
// keeping the query (docs/mlflow-compatibility.md §3.6), e.g. ("https://h/v1?api-version=1",
// "chat/completions") -> "https://h/v1/chat/completions?api-version=1".
std::string append_path(std::string_view base, std::string_view suffix);

// Percent-encodes a query-string value.
std::string url_encode(std::string_view s);

// %XX-decodes `s` (userinfo of a URI); nullopt on a malformed escape.
std::optional<std::string> strict_percent_decode(std::string_view s);

}  // namespace gw
