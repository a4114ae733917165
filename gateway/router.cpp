#include "gateway/router.h"

#include <array>

namespace gw {
namespace {

constexpr auto M = PathFamily::Mlflow;
constexpr auto O = PathFamily::OpenAI;

// Literal paths come before patterns that could capture the same text
// ("/api/2.0/endpoints/limits/" before "/api/2.0/endpoints/{name}").
constexpr std::array kRoutes{
    RouteSpec{kGet, "/health", RouteId::Health, M},
    RouteSpec{kGet, "/", RouteId::Root, M},
    RouteSpec{kGet, "/docs", RouteId::Docs, M},
    RouteSpec{kGet, "/redoc", RouteId::Redoc, M},
    RouteSpec{kGet, "/openapi.json", RouteId::OpenApi, M},
    RouteSpec{kGet, "/favicon.ico", RouteId::Favicon, M},
    RouteSpec{kGet, "/static/swagger-ui/{name}", RouteId::StaticAsset, M},
    RouteSpec{kGet, "/static/redoc/{name}", RouteId::StaticAsset, M},
    RouteSpec{kGet, "/metrics", RouteId::Metrics, M},
    RouteSpec{kPost, "/v1/chat/completions", RouteId::V1Chat, O},
    RouteSpec{kPost, "/v1/completions", RouteId::V1Completions, O},
    RouteSpec{kPost, "/v1/embeddings", RouteId::V1Embeddings, O},
    RouteSpec{kGet, "/v1/models", RouteId::V1Models, O},
    RouteSpec{kGet, "/v1/models/{name}", RouteId::V1Model, O},
    RouteSpec{kPost, "/endpoints/{name}/invocations", RouteId::Invoke, M, false, true},
    RouteSpec{kPost, "/gateway/{name}/invocations", RouteId::Invoke, M, false, true},
    RouteSpec{kGet, "/api/2.0/endpoints/", RouteId::ListEndpoints, M, true},
    RouteSpec{kGet, "/api/2.0/gateway/routes/", RouteId::ListLegacyRoutes, M, true},
    RouteSpec{kGet, "/api/2.0/gateway/usage", RouteId::Usage, M},
    RouteSpec{kGet, "/api/2.0/gateway/stats", RouteId::Stats, M},
    RouteSpec{kGet, "/ui", RouteId::ConsoleRedirect, M},
    RouteSpec{kGet, "/ui/", RouteId::Console, M},
    RouteSpec{kGet, "/ui/assets/{name}", RouteId::Console, M},
    RouteSpec{kPost, "/api/2.0/endpoints/limits/", RouteId::SetLimits, M},
    RouteSpec{kPost, "/api/2.0/gateway/limits/", RouteId::SetLimits, M},
    RouteSpec{kGet, "/api/2.0/endpoints/limits/{name}", RouteId::GetLimits, M},
    RouteSpec{kGet, "/api/2.0/gateway/limits/{name}", RouteId::GetLimits, M},
    RouteSpec{kGet, "/api/2.0/endpoints/{name}", RouteId::GetEndpoint, M, true},
    RouteSpec{kGet, "/api/3.0/gateway/endpoint/{name}", RouteId::GetEndpoint, M, true},
    RouteSpec{kGet, "/api/2.0/gateway/routes/{name}", RouteId::GetLegacyRoute, M, true},
    RouteSpec{kGet, "/api/3.0/gateway/route/{name}", RouteId::GetTrafficRoute, M, true},
};

// Whether `path` matches `pattern`; the raw (still encoded) capture goes to `raw`.
bool matches(std::string_view pattern, std::string_view path, std::string_view& raw) {
  const auto open = pattern.find('{');
  if (open == std::string_view::npos) return pattern == path;
  const std::string_view prefix = pattern.substr(0, open);
  const std::string_view suffix = pattern.substr(pattern.find('}', open) + 1);
  if (path.size() <= prefix.size() + suffix.size()) return false;
  if (path.substr(0, prefix.size()) != prefix) return false;
  if (path.substr(path.size() - suffix.size()) != suffix) return false;
  raw = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  return raw.find('/') == std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::span<const RouteSpec> route_table() { return kRoutes; }

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const int hi = s[i] == '%' && i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

RouteMatch match_route(std::span<const RouteSpec> table, std::string_view method,
                       std::string_view target) {
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::uint8_t want = method == "POST"                      ? kPost
                            : method == "GET" || method == "HEAD" ? kGet
                                                                  : 0;
  RouteMatch m;
  if (qpos != std::string_view::npos) m.query = target.substr(qpos + 1);
  std::string_view raw;
  for (const RouteSpec& route : table) {
    if (!matches(route.pattern, path, raw)) continue;
    m.kind = (route.methods & want) ? RouteMatch::Kind::Found : RouteMatch::Kind::MethodNotAllowed;
    m.route = &route;
    if (route.pattern.find('{') != std::string_view::npos) m.name = percent_decode(raw);
    return m;
  }
  // Starlette's redirect_slashes: the same path with its trailing '/' toggled.
  std::string other(path);
  if (!other.empty() && other.back() == '/')
    other.pop_back();
  else
    other.push_back('/');
  for (const RouteSpec& route : table) {
    if (!route.slash_redirect || !matches(route.pattern, other, raw)) continue;
    m.kind = RouteMatch::Kind::Redirect;
    m.location = std::move(other);
    if (qpos != std::string_view::npos && qpos + 1 < target.size())
      m.location += target.substr(qpos);
    return m;
  }
  return m;
}

}  // namespace gw
