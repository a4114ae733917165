// fuzz_provider_request: a client body through validation and an adapter's prepare(), as
// gateway/stages/call.cpp invoke() does (reference path).
//
// Input: a 3-byte header, then the client body.
//   byte 0: provider (index into fuzz_common.h providers(), modulo its size)
//   byte 1: endpoint type (modulo 3); a provider that does not serve the type -> skipped
//   byte 2: bit 0: the request came through /v1/* (`model` is erased after validation)
//
// Checks: never crashes or throws. A prepared upstream request has a URL that parse_url()
// accepts, a request target and headers free of CR, LF and NUL (client text must never reach
// the request line or a header), and a JSON body when it says Content-Type: application/json.
// A local (mock) answer is a JSON object; a local stream's chunks are JSON objects. Errors carry
// a 4xx/5xx status.
#include "config/url.h"
#include "fuzz_common.h"
#include "providers/schema.h"

namespace {

bool line_safe(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::Input in(data, size);
  const std::uint8_t p = in.byte(), t = in.byte(), flags = in.byte();
  const gw::fuzz::Subject* s = gw::fuzz::subject(p, t);
  if (!s) return 0;
  auto body = gw::parse_request_body(in.rest());
  if (!body) return 0;
  auto validated = gw::validate_request(s->endpoint.type, std::move(*body));
  if (!validated) {
    FUZZ_CHECK(validated.error().status == 422);
    (void)validated.error().message();
    return 0;
  }
  if (flags & 1) validated->payload.erase("model");
  const bool stream = validated->stream;
  const gw::RequestContext ctx{s->endpoint.type, gw::fuzz::kNow};
  auto call = s->adapter->prepare(ctx, std::move(validated->payload));
  if (!call) {
    const gw::GatewayError& e = call.error();
    FUZZ_CHECK(e.status >= 400 && e.status <= 599, std::to_string(e.status));
    (void)e.message();
    return 0;
  }
  if (auto* req = std::get_if<gw::UpstreamRequest>(&*call)) {
    auto url = gw::parse_url(req->url);
    FUZZ_CHECK(url.has_value(), req->url);
    FUZZ_CHECK(line_safe(url->target()) && url->target().find(' ') == std::string::npos, req->url);
    FUZZ_CHECK(line_safe(req->method), req->method);
    bool json = false;
    for (const auto& [name, value] : req->headers) {
      FUZZ_CHECK(line_safe(name) && line_safe(value), name + ": " + value);
      json = json ||
             (iequals(name, "content-type") && value.find("application/json") != std::string::npos);
    }
    if (json) FUZZ_CHECK(!gw::parse_json(req->body).is_discarded(), req->body);
    if (stream) (void)s->adapter->stream_translator(ctx, true);
  } else if (auto* local = std::get_if<gw::Json>(&*call)) {
    FUZZ_CHECK(local->is_object());
    FUZZ_CHECK(gw::parse_json(gw::to_text(*local)).is_object());
  } else {
    for (const auto& chunk : std::get<gw::LocalStream>(*call).chunks)
      FUZZ_CHECK(gw::parse_json(chunk).is_object(), chunk);
  }
  return 0;
}
