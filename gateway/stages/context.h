// What the stages of one invocation share (docs/architecture.md, "Request pipeline"):
// the request and what the stages learn about it on the way (Invocation), and the worker's
// services they call (Services).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/errors_http.h"
#include "gateway/http_types.h"
#include "gateway/rate_limit.h"
#include "gateway/stages/retry_policy.h"

namespace gw {

class UpstreamClient;
class Limiter;
class Ledger;
struct ClientKey;
class AwsAuth;
struct EndpointRuntime;
namespace metrics {
class Shard;
}

// The token limit with the least room left, for the X-RateLimit-*-Tokens headers.
struct TokenHeadroom {
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;
};

// One invocation of an endpoint, from routing to the response.
struct Invocation {
  const ApiRequest& request;
  PathFamily family;
  bool from_v1;  // the body's `model` chose the endpoint (so it is not sent to the provider)
  // Set by the admit stage on a limited endpoint: the X-RateLimit-* headers of the response.
  std::optional<LimitDecision> limit;
  // Set by the resilience stage (docs/resilience.md): for the X-Gateway-* and
  // X-MLflow-Gateway-* headers, the access log and the summary of a chain that failed.
  struct AttemptRecord {
    std::string endpoint;
    int status = 0;
    std::string_view reason;  // "ok" or to_string(FailureKind)
  };
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string answered_by;                    // the endpoint that answered (or was tried last)
  const EndpointRuntime* answered = nullptr;  // the same endpoint
  // A stream: when its head was written (time to first byte, for the access log).
  std::optional<std::chrono::steady_clock::time_point> stream_began;
  int upstream_attempts = 0;
  std::chrono::steady_clock::duration upstream_wait{0};  // waiting for upstreams
  std::vector<AttemptRecord> attempts;  // every attempt, skipped endpoints included
  // Set by authentication (docs/access-and-budgets.md): the client key (null without auth).
  const ClientKey* caller = nullptr;
  // Set by the token-limit checks: the tightest token limit's room.
  std::optional<TokenHeadroom> tokens;
};

// "request <id>: ", the start of every log line about this request.
inline std::string log_prefix(const Invocation& inv) {
  return inv.request.request_id.empty() ? std::string()
                                        : "request " + inv.request.request_id + ": ";
}

// The outcome of one attempt on one endpoint (a call, or a stream up to its first byte).
struct Attempt {
  ApiResponse response;                   // the answer, or the failure as the client would see it
  std::optional<AttemptFailure> failure;  // nullopt: this is the answer
  bool final = false;                     // bytes went to the client: the chain ends here
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
  // The worker's metrics (docs/operations.md, "Metrics"); null when nothing counts.
  metrics::Shard* metrics = nullptr;
  // Token and spend counters and the usage report (docs/access-and-budgets.md).
  Ledger* ledger = nullptr;

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
