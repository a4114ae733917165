// Handlers of the routes that do not invoke a provider: MLflow's listing and inspection APIs,
// its limits APIs (answered as MLflow answers them: not available) and the health check. Pure
// functions of the runtime snapshot and the request (docs/api.md). The documentation routes
// (/docs, /redoc, /openapi.json) are apidocs.h's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/http_types.h"
#include "gateway/runtime.h"

namespace gw {

// Endpoints per page of the list APIs (MLflow's MLFLOW_DEPLOYMENTS_LIST_ENDPOINTS_PAGE_SIZE).
inline constexpr std::size_t kListPageSize = 3000;

// MLflow's page token: base64 of Python's json.dumps({"index": N}), i.e. '{"index": 11}'.
std::string encode_page_token(std::size_t index);
std::optional<std::size_t> decode_page_token(std::string_view token);

ApiResponse health();
// A redirect (307) to `location`, with an empty body.
ApiResponse redirect(std::string location);
// GET /api/2.0/endpoints/ (or, `legacy`, /api/2.0/gateway/routes/): one page of endpoints in
// config order; `query` may carry a page_token. 400 for a page token that does not decode.
// `caller`: with `auth`, only the endpoints that key may use are listed (null: all).
ApiResponse list_endpoints(const Runtime& rt, std::string_view query, bool legacy,
                           const ClientKey* caller = nullptr);
// GET /api/2.0/endpoints/{name} and /api/3.0/gateway/endpoint/{name}; 404 with MLflow's text.
ApiResponse get_endpoint(const Runtime& rt, const std::string& name);
// GET /api/2.0/gateway/routes/{name}: an endpoint in the legacy route shape.
ApiResponse get_legacy_route(const Runtime& rt, const std::string& name);
// GET /api/3.0/gateway/route/{name}: a traffic route.
ApiResponse get_traffic_route(const Runtime& rt, const std::string& name);
// POST /api/2.0/{endpoints,gateway}/limits/: body {"route": str, "limits": [object]}: 422 for a
// body of the wrong shape (pydantic's list), else 501 as MLflow.
ApiResponse set_limits(const std::string& body_text);
// GET /api/2.0/{endpoints,gateway}/limits/{name}: 501 as MLflow.
ApiResponse get_limits();

}  // namespace gw
