// The documentation routes (gateway/apidocs.h): the files embedded from the pinned npm packages,
// the /docs and /redoc pages (which load only those files and /openapi.json), and the answers of
// each documentation route. (tests/sdk/docs_pages.test.mjs renders the pages in Chromium.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "gateway/apidocs.h"
#include "gateway/openapi.h"

namespace gw {
namespace {

const RouteSpec& route(std::string_view pattern) {
  for (const RouteSpec& r : route_table())
    if (r.pattern == pattern) return r;
  ADD_FAILURE() << "no route " << pattern;
  return route_table().front();
}

std::string header(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(ApiDocs, EmbedsThePackagesFiles) {
  ASSERT_EQ(static_assets().size(), 4u);
  const StaticAsset* bundle = find_static_asset("/static/swagger-ui/swagger-ui-bundle.js");
  const StaticAsset* css = find_static_asset("/static/swagger-ui/swagger-ui.css");
  const StaticAsset* redoc = find_static_asset("/static/redoc/redoc.standalone.js");
  const StaticAsset* icon = find_static_asset("/favicon.ico");
  ASSERT_TRUE(bundle && css && redoc && icon);
  EXPECT_GT(bundle->bytes.size(), 500'000u);
  EXPECT_NE(bundle->bytes.find("SwaggerUIBundle"), std::string_view::npos);
  EXPECT_NE(css->bytes.find(".swagger-ui"), std::string_view::npos);
  EXPECT_GT(redoc->bytes.size(), 500'000u);
  EXPECT_NE(redoc->bytes.find("Redoc"), std::string_view::npos);
  EXPECT_EQ(icon->bytes.substr(0, 8), std::string_view("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(bundle->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(icon->content_type, "image/png");
  EXPECT_EQ(find_static_asset("/static/redoc/nope.js"), nullptr);
}

// The embedded versions are the ones gateway/apidocs/package.json pins.
TEST(ApiDocs, VersionsAreThePinnedOnes) {
  std::ifstream in(std::filesystem::path(GW_SOURCE_DIR) / "gateway" / "apidocs" / "package.json");
  std::stringstream text;
  text << in.rdbuf();
  const Json manifest = Json::parse(text.str());
  const Json& pins = manifest.at("dependencies");
  EXPECT_EQ(pins.at("swagger-ui-dist").get<std::string>(), std::string(swagger_ui_version()));
  EXPECT_EQ(pins.at("redoc").get<std::string>(), std::string(redoc_version()));
}

TEST(ApiDocs, RoutePathFillsTheCapture) {
  EXPECT_EQ(route_path("/static/redoc/{name}", "a.js"), "/static/redoc/a.js");
  EXPECT_EQ(route_path("/favicon.ico", ""), "/favicon.ico");
}

// Every URL a page names is a file the gateway serves (relative, so no other host).
TEST(ApiDocs, PagesLoadOnlyTheEmbeddedFilesAndTheDocument) {
  for (const std::string& html : {swagger_ui_html(), redoc_html()}) {
    EXPECT_EQ(html.find("http:"), std::string::npos);
    EXPECT_EQ(html.find("https:"), std::string::npos);
    EXPECT_EQ(html.find("//"), std::string::npos);
    const std::regex url(R"re((?:src|href|spec-url|url:)\s*=?\s*"([^"]*)")re");
    int urls = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), url), end; it != end; ++it, ++urls) {
      std::string target = (*it)[1].str();
      target = "/" + target.substr(0, target.find('?'));
      EXPECT_TRUE(target == "/openapi.json" || find_static_asset(target)) << target;
    }
    EXPECT_GE(urls, 3) << html;
  }
  EXPECT_NE(swagger_ui_html().find("<title>LLM Gateway - Swagger UI</title>"), std::string::npos);
  EXPECT_NE(swagger_ui_html().find("validatorUrl: null"), std::string::npos);
  EXPECT_NE(swagger_ui_html().find("swagger-ui-bundle.js?v=" + std::string(swagger_ui_version())),
            std::string::npos);
  EXPECT_NE(redoc_html().find("<title>LLM Gateway - ReDoc</title>"), std::string::npos);
  EXPECT_NE(redoc_html().find("redoc.standalone.js?v=" + std::string(redoc_version())),
            std::string::npos);
}

TEST(ApiDocs, PagesAnswerHtmlThatMayLoadNothingFromElsewhere) {
  for (const char* path : {"/docs", "/redoc"}) {
    const ApiResponse r = api_docs_response(route(path), "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    const std::string policy = header(r, "Content-Security-Policy");
    EXPECT_NE(policy.find("default-src 'self'"), std::string::npos) << path;
    EXPECT_NE(policy.find("img-src 'self' data:"), std::string::npos) << path;
  }
  EXPECT_EQ(api_docs_response(route("/docs"), "").body, swagger_ui_html());
  EXPECT_EQ(api_docs_response(route("/redoc"), "").body, redoc_html());
}

TEST(ApiDocs, OpenApiRouteAnswersTheDocumentAsJson) {
  const ApiResponse r = api_docs_response(route("/openapi.json"), "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, openapi_text());
}

TEST(ApiDocs, RootRedirectsToDocs) {
  const ApiResponse r = api_docs_response(route("/"), "");
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(header(r, "Location"), "/docs");
}

TEST(ApiDocs, StaticFilesAndTheIcon) {
  const ApiResponse js = api_docs_response(route("/static/redoc/{name}"), "redoc.standalone.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, find_static_asset("/static/redoc/redoc.standalone.js")->bytes);
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(js, "X-Content-Type-Options"), "nosniff");
  const ApiResponse css = api_docs_response(route("/static/swagger-ui/{name}"), "swagger-ui.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  const ApiResponse icon = api_docs_response(route("/favicon.ico"), "");
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.content_type, "image/png");
  EXPECT_EQ(header(icon, "Cache-Control"), "public, max-age=86400");
  // Another package's file, a path, an unknown name: not served.
  for (const char* name : {"swagger-ui.css", "../redoc/redoc.standalone.js", "nope.js", ""}) {
    const ApiResponse r = api_docs_response(route("/static/redoc/{name}"), name);
    EXPECT_EQ(r.status, 404) << name;
    EXPECT_EQ(r.body, R"({"detail":"Not Found"})") << name;
  }
}

}  // namespace
}  // namespace gw
