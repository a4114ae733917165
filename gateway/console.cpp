#include "gateway/console.h"

#include <vector>
#include <cstdint>
#include <string>

#include "gateway/errors_http.h"
#include "gateway/http_text.h"
#include "gateway/mlflow_routes.h"

// Defined by the generated gen/console_assets.S (gateway/console/console.cmake): one row per
// embedded file, the page first, with its name under /ui/ and its bytes, plain and gzip.
namespace {
struct EmbeddedFile {
  const char* name;
  std::uint64_t name_size;
  const unsigned char* plain;
  std::uint64_t plain_size;
  const unsigned char* gzip;
  std::uint64_t gzip_size;
};
}  // namespace
extern "C" {
extern const EmbeddedFile gw_console_files[];
extern const std::uint64_t gw_console_file_count;
}

namespace gw {
namespace {

std::string_view embedded(const unsigned char* start, std::uint64_t size) {
  return {reinterpret_cast<const char*>(start), static_cast<std::size_t>(size)};
}

// Scripts and styles only from the gateway, never inline; data only from the gateway's own
// API; no framing, no <base>, no form posts. Model output is inserted as text, never as HTML.
constexpr std::string_view kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// The page is small and names the current assets: asked again on every load. The assets'
// names change with their content: kept for a year.
constexpr std::string_view kRevalidate = "no-cache";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "text/html; charset=utf-8";  // the page ("")
}

const std::vector<ConsoleFile>& files() {
  static const std::vector<ConsoleFile> all = [] {
    std::vector<ConsoleFile> out;
    for (std::uint64_t i = 0; i < gw_console_file_count; ++i) {
      const EmbeddedFile& f = gw_console_files[i];
      const std::string_view name(f.name, static_cast<std::size_t>(f.name_size));
      out.push_back(ConsoleFile{name, content_type_of(name),
                                name.empty() ? kRevalidate : kImmutable,
                                embedded(f.plain, f.plain_size), embedded(f.gzip, f.gzip_size)});
    }
    return out;
  }();
  return all;
}

void add_security_headers(ApiResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

// The q-value of one Accept-Encoding element's parameters ("q=0.5"): 1 when absent.
double q_value(std::string_view params) {
  while (!params.empty()) {
    const std::size_t semi = params.find(';');
    std::string_view p = trim_ows(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    p.remove_prefix(2);
    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): zero unless a digit is not.
    return p.find_first_of("123456789") == std::string_view::npos ? 0.0 : 1.0;
  }
  return 1.0;
}

}  // namespace

std::span<const ConsoleFile> console_files() { return files(); }

bool accepts_gzip(std::string_view accept_encoding) {
  bool star = false;
  while (!accept_encoding.empty()) {
    const std::size_t comma = accept_encoding.find(',');
    const std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const std::size_t semi = element.find(';');
    const std::string_view coding = trim_ows(element.substr(0, semi));
    const double q = semi == std::string_view::npos ? 1.0 : q_value(element.substr(semi + 1));
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) return q > 0;
    if (coding == "*") star = q > 0;
  }
  return star;
}

ApiResponse console_response(std::string_view path, std::string_view accept_encoding) {
  if (path == "/ui") {
    ApiResponse r = redirect("ui/");
    add_security_headers(r);
    return r;
  }
  constexpr std::string_view kPrefix = "/ui/";
  const std::string_view name =
      path.starts_with(kPrefix) ? path.substr(kPrefix.size()) : std::string_view("-");
  for (const ConsoleFile& f : files()) {
    if (f.name != name) continue;
    ApiResponse r;
    r.content_type = std::string(f.content_type);
    const bool gz = accepts_gzip(accept_encoding);
    r.body = std::string(gz ? f.gzip : f.plain);
    if (gz) r.headers.emplace_back("Content-Encoding", "gzip");
    r.headers.emplace_back("Vary", "Accept-Encoding");
    r.headers.emplace_back("Cache-Control", std::string(f.cache_control));
    add_security_headers(r);
    return r;
  }
  return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
}

}  // namespace gw
