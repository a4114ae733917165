// The route table: which handler serves a (method, path), as data. Pure (no I/O, no runtime
// snapshot): the API (api.cpp) asks it first and dispatches on the RouteId it returns.
//
// A pattern is a literal path with at most one `{name}` capture, which matches one non-empty
// path segment (no '/') and is percent-decoded, as Starlette matches decoded paths. Routes are
// tried in table order; the first whose pattern matches decides.
//
// The outcomes besides a match come from the table too (docs/api.md, "Routing"):
// - 405 when a pattern matches but its methods do not include the request's;
// - a 307 redirect (Starlette's `redirect_slashes`) when nothing matches the path but the path
//   with a trailing '/' added or removed matches a route marked `slash_redirect`;
// - 404 otherwise.
// Routes marked `needs_name` exist only for names the current snapshot knows (MLflow registers
// one invocation route per endpoint): the caller checks the name before the method.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/errors_http.h"

namespace gw {

enum class RouteId : std::uint8_t {
  Health,
  Root,
  Docs,         // /docs: Swagger UI (gateway/apidocs.h)
  Redoc,        // /redoc: ReDoc
  OpenApi,      // /openapi.json: the API description (gateway/openapi.h)
  Favicon,      // /favicon.ico
  StaticAsset,  // /static/swagger-ui/{name}, /static/redoc/{name}: the pages' assets
  V1Chat,
  V1Completions,
  V1Embeddings,
  V1Models,          // /v1/models
  V1Model,           // /v1/models/{name}
  Invoke,            // /endpoints/{name}/invocations and /gateway/{name}/invocations
  ListEndpoints,     // /api/2.0/endpoints/
  ListLegacyRoutes,  // /api/2.0/gateway/routes/
  SetLimits,         // /api/2.0/{endpoints,gateway}/limits/
  GetLimits,         // /api/2.0/{endpoints,gateway}/limits/{name}
  GetEndpoint,       // /api/2.0/endpoints/{name}, /api/3.0/gateway/endpoint/{name}
  GetLegacyRoute,    // /api/2.0/gateway/routes/{name}
  GetTrafficRoute,   // /api/3.0/gateway/route/{name}
  Metrics,           // /metrics (Prometheus exposition; docs/operations.md)
  Usage,             // /api/2.0/gateway/usage (docs/access-and-budgets.md)
  Stats,             // /api/2.0/gateway/stats (the console's figures, docs/console.md)
  ConsoleRedirect,   // /ui: redirects to ui/
  Console,           // /ui/ and /ui/assets/{name}: the web console (gateway/console.h)
};

// Methods a route accepts (HEAD is accepted wherever GET is).
enum Methods : std::uint8_t { kGet = 1, kPost = 2 };

struct RouteSpec {
  std::uint8_t methods;
  std::string_view pattern;
  RouteId id;
  PathFamily family;            // how its errors are rendered
  bool slash_redirect = false;  // reachable by Starlette's trailing-slash redirect
  bool needs_name = false;      // 404 unless the captured name exists (checked before 405)
};

// The gateway's routes, in matching order.
std::span<const RouteSpec> route_table();

struct RouteMatch {
  enum class Kind : std::uint8_t { Found, NotFound, MethodNotAllowed, Redirect };
  Kind kind = Kind::NotFound;
  const RouteSpec* route = nullptr;  // Found, MethodNotAllowed
  std::string name;                  // the decoded capture (Found, MethodNotAllowed)
  std::string location;              // Redirect: the new target, query kept
  std::string_view query;            // after '?' in the target ("" without one); views it
};

// Matches `method` and `target` (path + optional "?query") against `table`.
RouteMatch match_route(std::span<const RouteSpec> table, std::string_view method,
                       std::string_view target);

// Percent-decodes one path segment or query value ("%2F" -> "/"); malformed escapes stay.
std::string percent_decode(std::string_view s);
// The decoded value of `name` in a query string ("" when absent).
std::string query_param(std::string_view query, std::string_view name);

}  // namespace gw
