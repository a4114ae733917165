// The HTTP API of spec §3 (MLflow routes) and decisions.md (OpenAI-compatible /v1/* routes):
// routing, request validation, the provider call, and error rendering per path family.
//
// Thread safety: handle() may run concurrently on any number of threads. Each call loads the
// current Runtime snapshot once and uses only it until the response is built.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>

#include "gateway/errors_http.h"
#include "gateway/http_types.h"
#include "gateway/runtime.h"
#include "gateway/upstream_client.h"
#include "providers/fast_json.h"

namespace gw {

struct ApiOptions {
  // UNIX-seconds clock, injectable for tests.
  std::function<std::int64_t()> now;
};

class Api {
 public:
  Api(std::shared_ptr<RuntimeHolder> runtime, UpstreamClient& upstream, ApiOptions options = {});

  boost::asio::awaitable<ApiResponse> handle(ApiRequest request);

 private:
  // The reference path: validate the parsed body, let the adapter prepare the call.
  boost::asio::awaitable<ApiResponse> invoke(const EndpointRuntime& ep, Json body,
                                             PathFamily family, bool from_v1);
  // The fast path for a body that fast_validate_request() accepted (fast_json.h). nullopt when
  // the adapter has no serialised-payload path; the caller then takes the reference path.
  boost::asio::awaitable<std::optional<ApiResponse>> try_fast(const EndpointRuntime& ep,
                                                              FastRequest fast,
                                                              PathFamily family);
  // Sends a prepared upstream request and renders the reply.
  boost::asio::awaitable<ApiResponse> forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                              const UpstreamRequest& request, PathFamily family);
  std::shared_ptr<RuntimeHolder> runtime_;
  UpstreamClient& upstream_;
  ApiOptions options_;
};

}  // namespace gw
