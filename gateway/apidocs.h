// The API description in a browser (docs/api.md, "API description"): GET /docs (Swagger UI),
// GET /redoc (ReDoc), GET /openapi.json (openapi.h), GET /favicon.ico and the static files the
// two pages load. Those files come from the npm packages pinned in
// gateway/apidocs/package-lock.json: the build installs them and embeds them in the binary
// (CMakeLists.txt writes gen/apidocs_assets.S, which `.incbin`s them), so the pages work
// without any network and no third-party file is kept in the repository.
// Pure (no Asio): the unit tests link it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "gateway/http_types.h"
#include "gateway/router.h"

namespace gw {

struct StaticAsset {
  std::string_view path;  // where it is served, e.g. "/static/redoc/redoc.standalone.js"
  std::string_view content_type;
  std::string_view cache_control;
  std::string_view bytes;  // the embedded file
};

// Every embedded file, with the path it is served at.
std::span<const StaticAsset> static_assets();
// The file served at `path` (exact match), or null.
const StaticAsset* find_static_asset(std::string_view path);
// The path a route serves for a capture: "/static/redoc/{name}" with "a.js" gives
// "/static/redoc/a.js"; a pattern without a capture is its own path.
std::string route_path(std::string_view pattern, std::string_view name);

// The versions of the embedded packages, as pinned in gateway/apidocs/package.json.
std::string_view swagger_ui_version();
std::string_view redoc_version();

// The pages of GET /docs and GET /redoc: small HTML files that load only the embedded assets
// and /openapi.json, all by relative URL (so they also work behind a path prefix).
std::string swagger_ui_html();
std::string redoc_html();

// The answer of a documentation route (Root, Docs, Redoc, OpenApi, Favicon, StaticAsset) for
// `route` and its decoded capture: 404 {"detail":"Not Found"} for a file that is not embedded.
ApiResponse api_docs_response(const RouteSpec& route, std::string_view name);

}  // namespace gw
