// Stage 2 of an invocation: count the call against the endpoint's limit (docs/rate-limits.md).
// The rules are pure functions here; the stage itself (admit() in call.h) asks the worker's
// Limiter, whatever store holds the counters.
#pragma once

#include <optional>
#include <string>

#include "gateway/errors_http.h"
#include "gateway/http_types.h"
#include "gateway/rate_limit.h"
#include "gateway/runtime.h"

namespace gw {

// The client's part of the counter key (`limit.key`): empty for `global`, the client address
// by default, and for `header:<Name>` a fixed-size digest of that header's value ("h:<hex>",
// the client's own bytes are never kept) or "ip:<address>" when the header is absent.
std::string limit_client(const EndpointRuntime& ep, const ApiRequest& request);

// The response when the call is not admitted, nullopt when it is. `decision` is nullopt when
// the store could not be reached: admitted, or 503 when `fail_closed`. A refused call is 429
// with MLflow's (slowapi's) `{"error": ...}` body on MLflow paths, OpenAI's shape on /v1/*.
std::optional<ApiResponse> admission_response(const std::optional<LimitDecision>& decision,
                                              const config::LimitConfig& limit, PathFamily family,
                                              bool fail_closed);

// X-RateLimit-Limit/-Remaining/-Reset on every response of a limited endpoint; Retry-After on
// a refused one. Nothing without a decision.
void add_limit_headers(ApiResponse& response, const std::optional<LimitDecision>& decision);
void add_limit_headers(std::vector<std::pair<std::string, std::string>>& headers,
                       const std::optional<LimitDecision>& decision);

}  // namespace gw
