#include "gateway/stages/admit.h"

#include <cctype>

#include "gateway/http_text.h"
#include "providers/wire/aws_sigv4.h"

namespace gw {

std::string limit_client(const EndpointRuntime& ep, const ApiRequest& request) {
  switch (ep.limit_key) {
    case LimitKeyKind::Global:
      return {};
    case LimitKeyKind::Header: {
      std::string_view value;
      for (const auto& [name, v] : request.headers)
        if (iequals(name, ep.limit_header)) value = v;
      // A header value (up to the header limit, chosen by the client) is kept only as a
      // fixed-size digest.
      return value.empty() ? "ip:" + request.client_ip
                           : "h:" + sigv4_sha256_hex(value).substr(0, 32);
    }
    case LimitKeyKind::Client:
      break;
  }
  return request.client_ip;
}

std::optional<ApiResponse> admission_response(const std::optional<LimitDecision>& decision,
                                              const config::LimitConfig& limit, PathFamily family,
                                              bool fail_closed) {
  if (!decision) {
    // The shared store is unreachable (the limiter has logged it).
    if (!fail_closed) return std::nullopt;
    return render_error(GatewayError::make(503,
                                           "Rate limiting is unavailable: the rate-limit store "
                                           "cannot be reached",
                                           "server_error", "rate_limit_store_unavailable"),
                        family);
  }
  if (decision->allowed) return std::nullopt;
  return render_rate_limited("Rate limit exceeded: " + limit.describe(), family);
}

void add_limit_headers(ApiResponse& r, const std::optional<LimitDecision>& d) {
  add_limit_headers(r.headers, d);
}

void add_limit_headers(std::vector<std::pair<std::string, std::string>>& headers,
                       const std::optional<LimitDecision>& d) {
  if (!d) return;
  const std::int64_t reset_s = (d->reset_ms + 999) / 1000;
  headers.emplace_back("X-RateLimit-Limit", std::to_string(d->limit));
  headers.emplace_back("X-RateLimit-Remaining", std::to_string(d->remaining));
  headers.emplace_back("X-RateLimit-Reset", std::to_string(reset_s));
  if (!d->allowed) headers.emplace_back("Retry-After", std::to_string(reset_s));
}

}  // namespace gw
