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
  boost::asio::awaitable<ApiResponse> invoke(const EndpointRuntime& ep, Json body,
                                             PathFamily family, bool from_v1);
  std::shared_ptr<RuntimeHolder> runtime_;
  UpstreamClient& upstream_;
  ApiOptions options_;
};

}  // namespace gw
