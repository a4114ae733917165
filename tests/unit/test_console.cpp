// The web console's files (gateway/console.h): the page and its hashed assets, gzip when
// accepted, the security headers, the /ui redirect, 404 for anything else.
#include <gtest/gtest.h>

#include <string>

#include "gateway/console.h"

namespace gw {
namespace {

std::string header(const ApiResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "<none>";
}

TEST(Console, AcceptEncoding) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("deflate, * ; q=0.1"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000, *"));  // gzip refused by name: * does not bring it back
  EXPECT_FALSE(accepts_gzip("*;q=0"));
}

TEST(Console, ThePageNamesItsHashedAssetsAndEveryFileHasAGzipCopy) {
  const auto files = console_files();
  ASSERT_GE(files.size(), 4u);  // the page, its module and style sheet, the charts' module
  EXPECT_EQ(files[0].name, "");
  EXPECT_EQ(files[0].content_type, "text/html; charset=utf-8");
  const std::string page(files[0].plain);
  EXPECT_NE(page.find("<!doctype html>"), std::string::npos) << page.substr(0, 80);
  int named = 0;
  bool charts = false;
  for (std::size_t i = 1; i < files.size(); ++i) {
    const std::string name(files[i].name);
    EXPECT_TRUE(name.starts_with("assets/")) << name;
    EXPECT_EQ(files[i].cache_control, "public, max-age=31536000, immutable");
    EXPECT_EQ(files[i].content_type, name.ends_with(".css") ? "text/css; charset=utf-8"
                                                            : "text/javascript; charset=utf-8");
    // The page names its own module and style sheet; the charts' module loads on first use.
    if (name.starts_with("assets/main-")) {
      EXPECT_NE(page.find(name), std::string::npos) << name;
      ++named;
    }
    charts |= name.starts_with("assets/charts-");
  }
  EXPECT_EQ(named, 2);
  EXPECT_TRUE(charts);
  EXPECT_EQ(page.find("<script>"), std::string::npos);  // no inline script (CSP)
  EXPECT_EQ(page.find("@APP_"), std::string::npos);     // placeholders replaced
  for (const ConsoleFile& f : files) {
    ASSERT_GE(f.gzip.size(), 10u);
    EXPECT_EQ(static_cast<unsigned char>(f.gzip[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(f.gzip[1]), 0x8b);
    EXPECT_LT(f.gzip.size(), f.plain.size());
  }
}

TEST(Console, ServesThePageWithSecurityHeadersAndGzipWhenAccepted) {
  const ApiResponse plain = console_response("/ui/", "");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(plain.body, std::string(console_files()[0].plain));
  EXPECT_EQ(header(plain, "Content-Encoding"), "<none>");
  EXPECT_EQ(header(plain, "Vary"), "Accept-Encoding");
  EXPECT_EQ(header(plain, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(plain, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(plain, "X-Frame-Options"), "DENY");
  const std::string csp = header(plain, "Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;

  const ApiResponse gz = console_response("/ui/", "gzip, deflate, br");
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(gz.body, std::string(console_files()[0].gzip));

  const ConsoleFile& js = console_files()[1];
  const ApiResponse asset = console_response("/ui/" + std::string(js.name), "gzip");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(asset, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(asset.body, std::string(js.gzip));
}

TEST(Console, RedirectsUiAndRefusesOtherPaths) {
  const ApiResponse r = console_response("/ui", "gzip");
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(header(r, "Location"), "ui/");
  for (const char* path : {"/ui/assets/app.0000.js", "/ui/assets/", "/ui/index.html", "/uix"}) {
    const ApiResponse nf = console_response(path, "");
    EXPECT_EQ(nf.status, 404) << path;
    EXPECT_EQ(nf.body, R"({"detail":"Not Found"})") << path;
  }
}

}  // namespace
}  // namespace gw
