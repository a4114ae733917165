// What the stages of one invocation share (docs/architecture.md, "Request pipeline"):
// the request and what the stages learn about it on the way (Invocation), and the worker's
// services they call (Services).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "gateway/errors_http.h"
#include "gateway/http_types.h"
#include "gateway/rate_limit.h"

namespace gw {

class UpstreamClient;
class Limiter;
class AwsAuth;

// One invocation of an endpoint, from routing to the response.
struct Invocation {
  const ApiRequest& request;
  PathFamily family;
  bool from_v1;  // the body's `model` chose the endpoint (so it is not sent to the provider)
  // Set by the admit stage on a limited endpoint: the X-RateLimit-* headers of the response.
  std::optional<LimitDecision> limit;
};

// One worker's services, used by the stages (all on the worker's own io_context).
struct Services {
  UpstreamClient& upstream;
  Limiter& limiter;
  AwsAuth& aws;
  // Wall clock, injectable for tests (response `created`, rate-limit windows).
  std::function<std::chrono::system_clock::time_point()> clock;
  // The limiter's store is unreachable: answer 503 (true) or admit (false).
  bool fail_closed = false;
  // Streams: the wait for the upstream's first bytes, and between later reads.
  std::chrono::milliseconds stream_first_event{60'000};
  std::chrono::milliseconds stream_idle{60'000};

  std::int64_t now_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock().time_since_epoch()).count();
  }
};

// A per-endpoint timeout (config `timeouts:`, milliseconds) or the server-wide default.
inline std::chrono::milliseconds or_default(const std::optional<std::int64_t>& endpoint_ms,
                                            std::chrono::milliseconds server_default) {
  return endpoint_ms ? std::chrono::milliseconds(*endpoint_ms) : server_default;
}

}  // namespace gw
