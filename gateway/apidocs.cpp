#include "gateway/apidocs.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/errors_http.h"
#include "gateway/mlflow_routes.h"
#include "gateway/openapi.h"

// The embedded files and versions, defined by the generated gen/apidocs_assets.S
// (gateway/apidocs/apidocs.cmake). A size symbol per file, rather than `end - start`, keeps the
// length a value the assembler computed instead of a subtraction of pointers to different objects.
extern "C" {
extern const unsigned char gw_apidocs_swagger_ui_bundle_js_start[];
extern const std::uint64_t gw_apidocs_swagger_ui_bundle_js_size;
extern const unsigned char gw_apidocs_swagger_ui_css_start[];
extern const std::uint64_t gw_apidocs_swagger_ui_css_size;
extern const unsigned char gw_apidocs_swagger_ui_favicon_png_start[];
extern const std::uint64_t gw_apidocs_swagger_ui_favicon_png_size;
extern const unsigned char gw_apidocs_redoc_standalone_js_start[];
extern const std::uint64_t gw_apidocs_redoc_standalone_js_size;
extern const char gw_apidocs_swagger_ui_version[];
extern const char gw_apidocs_redoc_version[];
}

namespace gw {
namespace {

constexpr std::string_view kJavaScript = "text/javascript; charset=utf-8";
constexpr std::string_view kCss = "text/css; charset=utf-8";
constexpr std::string_view kPng = "image/png";
// The pages ask for /static/... with `?v=<package version>`, so a new version is a new URL and
// browsers may keep a file for good. /favicon.ico is asked for by that name only: a day.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kOneDay = "public, max-age=86400";

std::string_view embedded(const unsigned char* start, std::uint64_t size) {
  return {reinterpret_cast<const char*>(start), static_cast<std::size_t>(size)};
}

// The pages may load nothing from another host: ReDoc's sidebar asks a CDN for Redocly's logo,
// which this policy blocks (the image then hides itself). Scripts and styles may be inline
// (Swagger UI's start-up script is; both inject styles), files come from the gateway only.
constexpr std::string_view kPagePolicy =
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:";

ApiResponse html_response(std::string html) {
  ApiResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.headers.emplace_back("Content-Security-Policy", std::string(kPagePolicy));
  return r;
}

ApiResponse asset_response(const std::string& path) {
  const StaticAsset* asset = find_static_asset(path);
  if (!asset) return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
  ApiResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->bytes);
  r.headers.emplace_back("Cache-Control", std::string(asset->cache_control));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

ApiResponse openapi_response() {
  ApiResponse r;  // application/json
  r.body = openapi_text();
  return r;
}

}  // namespace

std::span<const StaticAsset> static_assets() {
  // Built on first use: the sizes are data of another object file, read at run time.
  static const std::array kAssets{
      StaticAsset{
          "/static/swagger-ui/swagger-ui-bundle.js", kJavaScript, kImmutable,
          embedded(gw_apidocs_swagger_ui_bundle_js_start, gw_apidocs_swagger_ui_bundle_js_size)},
      StaticAsset{"/static/swagger-ui/swagger-ui.css", kCss, kImmutable,
                  embedded(gw_apidocs_swagger_ui_css_start, gw_apidocs_swagger_ui_css_size)},
      StaticAsset{
          "/static/redoc/redoc.standalone.js", kJavaScript, kImmutable,
          embedded(gw_apidocs_redoc_standalone_js_start, gw_apidocs_redoc_standalone_js_size)},
      // Swagger UI's 32x32 icon; browsers accept a PNG under the .ico name.
      StaticAsset{"/favicon.ico", kPng, kOneDay,
                  embedded(gw_apidocs_swagger_ui_favicon_png_start,
                           gw_apidocs_swagger_ui_favicon_png_size)},
  };
  return kAssets;
}

const StaticAsset* find_static_asset(std::string_view path) {
  for (const StaticAsset& a : static_assets())
    if (a.path == path) return &a;
  return nullptr;
}

std::string route_path(std::string_view pattern, std::string_view name) {
  const auto open = pattern.find('{');
  if (open == std::string_view::npos) return std::string(pattern);
  const auto close = pattern.find('}', open);
  return std::string(pattern.substr(0, open)) + std::string(name) +
         std::string(pattern.substr(close + 1));
}

std::string_view swagger_ui_version() { return gw_apidocs_swagger_ui_version; }
std::string_view redoc_version() { return gw_apidocs_redoc_version; }

std::string swagger_ui_html() {
  const std::string v(swagger_ui_version());
  // validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io
  // for its badge, the one outside request it makes.
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LLM Gateway - Swagger UI</title>
<link rel="icon" type="image/png" href="favicon.ico">
<link rel="stylesheet" href="static/swagger-ui/swagger-ui.css?v=)html" +
         v + R"html(">
</head>
<body>
<div id="swagger-ui"></div>
<script src="static/swagger-ui/swagger-ui-bundle.js?v=)html" +
         v + R"html("></script>
<script>
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
</script>
</body>
</html>
)html";
}

std::string redoc_html() {
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LLM Gateway - ReDoc</title>
<link rel="icon" type="image/png" href="favicon.ico">
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<redoc spec-url="openapi.json"></redoc>
<script src="static/redoc/redoc.standalone.js?v=)html" +
         std::string(redoc_version()) + R"html("></script>
</body>
</html>
)html";
}

ApiResponse api_docs_response(const RouteSpec& route, std::string_view name) {
  switch (route.id) {
    case RouteId::Root:
      return redirect("/docs");
    case RouteId::Docs:
      return html_response(swagger_ui_html());
    case RouteId::Redoc:
      return html_response(redoc_html());
    case RouteId::OpenApi:
      return openapi_response();
    case RouteId::Favicon:
    case RouteId::StaticAsset:
      return asset_response(route_path(route.pattern, name));
    default:  // not a documentation route: api.cpp never sends one here
      break;
  }
  return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
}

}  // namespace gw
