// The HTTP API of spec §3 (MLflow routes) and decisions.md (OpenAI-compatible /v1/* routes):
// routing, request validation, the provider call, and error rendering per path family.
//
// Thread safety: handle() may run concurrently on any number of threads. Each call loads the
// current Runtime snapshot once and uses only it until the response is built.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "gateway/aws_auth.h"
#include "gateway/errors_http.h"
#include "gateway/http_types.h"
#include "gateway/rate_limit.h"
#include "gateway/redis_limiter.h"
#include "gateway/runtime.h"
#include "gateway/upstream_client.h"
#include "providers/fast_json.h"

namespace gw {

struct ApiOptions {
  // Wall clock, injectable for tests (response `created` and rate-limit windows).
  std::function<std::chrono::system_clock::time_point()> clock;
  // Shared counters in Redis (this worker's client) instead of the in-memory limiter.
  RedisLimiter* redis = nullptr;
  // When the Redis store is unreachable: admit (false, default) or answer 503 (true).
  bool fail_closed = false;
  // Streams: the wait for the upstream's first bytes, and between later reads (no total
  // timeout applies to a stream).
  std::chrono::milliseconds stream_first_event{60'000};
  std::chrono::milliseconds stream_idle{60'000};
};

class Api {
 public:
  // The limiter is shared by every worker's Api (counters are per endpoint, not per thread).
  Api(std::shared_ptr<RuntimeHolder> runtime, UpstreamClient& upstream,
      std::shared_ptr<RateLimiter> limiter, ApiOptions options = {});

  boost::asio::awaitable<ApiResponse> handle(ApiRequest request);

 private:
  // One invocation's context: the request, its path family, and the rate-limit decision
  // (for the X-RateLimit-* headers) once admit() has counted the call.
  struct Call {
    const ApiRequest& request;
    PathFamily family;
    bool from_v1;
    std::optional<LimitDecision> limit;
  };

  // The reference path: validate the parsed body, admit, let the adapter prepare the call.
  boost::asio::awaitable<ApiResponse> invoke(const EndpointRuntime& ep, Json body, Call& call);
  // The fast path for a body that fast_validate_request() accepted (fast_json.h). nullopt when
  // the adapter has no serialised-payload path; the caller then takes the reference path.
  boost::asio::awaitable<std::optional<ApiResponse>> try_fast(const EndpointRuntime& ep,
                                                              FastRequest fast, Call& call);
  // `stream: true`: relays the provider's stream as unified chunks, event by event.
  boost::asio::awaitable<ApiResponse> invoke_stream(const EndpointRuntime& ep, Json payload,
                                                    Call& call);
  // Counts the call against the endpoint's limit; the 429 response when it is over.
  boost::asio::awaitable<std::optional<ApiResponse>> admit(const EndpointRuntime& ep, Call& call);
  // Sends a prepared upstream request and renders the reply.
  // `client` (may be null) is watched: its disconnect cancels the upstream call.
  boost::asio::awaitable<ApiResponse> forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                              const UpstreamRequest& request, PathFamily family,
                                              StreamWriter* client = nullptr);
  // The invocation routes after the target endpoint or route name is known.
  boost::asio::awaitable<ApiResponse> invoke_named(const Runtime& rt, const std::string& name,
                                                   Call& call, bool is_post);
  boost::asio::awaitable<ApiResponse> invoke_v1(const Runtime& rt, config::EndpointType want,
                                                Call& call);

  std::shared_ptr<RuntimeHolder> runtime_;
  std::int64_t now_seconds() const;

  UpstreamClient& upstream_;
  std::shared_ptr<RateLimiter> limiter_;
  ApiOptions options_;
  AwsAuth aws_;  // signs Bedrock requests; caches STS credentials for this worker
};

}  // namespace gw
