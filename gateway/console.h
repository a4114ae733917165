// The web console (docs/console.md): GET /ui redirects to /ui/, which serves the page;
// GET /ui/assets/{name} serves its module, its style sheet, and the modules it imports on first
// use (the dashboard's charts, with uPlot). The files are built from
// gateway/console/src by esbuild (pinned in gateway/console/package-lock.json) when CMake
// configures, and embedded in the binary (gen/console_assets.S), so the console needs no
// network. Asset names carry a hash of their content: they are cached for good, and the page
// itself is revalidated on every load.
// Pure (no Asio): the unit tests link it.
#pragma once

#include <span>
#include <string_view>

#include "gateway/http_types.h"

namespace gw {

struct ConsoleFile {
  std::string_view name;  // under /ui/: "" (the page) or e.g. "assets/main-<hash>.js"
  std::string_view content_type;
  std::string_view cache_control;
  std::string_view plain;
  std::string_view gzip;  // the same bytes gzip-compressed (gzip -9 -n)
};

// Every embedded console file.
std::span<const ConsoleFile> console_files();

// Whether an Accept-Encoding value accepts gzip (`gzip`, `x-gzip` or `*`, q > 0).
bool accepts_gzip(std::string_view accept_encoding);

// The answer for `path`, "/ui", "/ui/" or "/ui/assets/<name>" (other paths: 404): the file,
// gzip-compressed when `accept_encoding` accepts it, with the console's security headers.
// "/ui" redirects (307) to "ui/", relative, so that the page works behind a path prefix.
ApiResponse console_response(std::string_view path, std::string_view accept_encoding);

}  // namespace gw
