// Stages 2-4 of an invocation, once the endpoint is known (docs/architecture.md, "Request
// pipeline"): admit (count the call against the endpoint's limit), call (validate, let the
// adapter prepare the provider request, sign it, send it, translate the reply) and respond.
// Streams branch off to the stream relay (stream_relay.h) after validation.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>

#include "gateway/runtime.h"
#include "gateway/stages/context.h"
#include "providers/fast_path.h"

namespace gw {

struct UpstreamRequest;
struct RequestContext;

// Counts the call against the endpoint's limit (sets inv.limit); the response when it is not
// admitted (429, or 503 when the store is down and fail_closed).
boost::asio::awaitable<std::optional<ApiResponse>> admit(const EndpointRuntime& ep, Invocation& inv,
                                                         const Services& s);

// The reference path: validates a parsed body, then admits and calls (or relays a stream).
// A request is counted once it is known to be valid (schema and provider checks: a 422 costs
// no quota), before the provider is called.
boost::asio::awaitable<ApiResponse> invoke(const EndpointRuntime& ep, Json body, Invocation& inv,
                                           Services& s);

// The fast path for a body that fast_validate_request() accepted (fast_path.h). nullopt when
// the adapter has no serialised-payload path for it; the caller then takes invoke().
boost::asio::awaitable<std::optional<ApiResponse>> try_fast(const EndpointRuntime& ep,
                                                            FastRequest fast, Invocation& inv,
                                                            Services& s);

// Applies request.auth right before sending (AwsSigV4: resolve credentials and sign). The
// error when credentials cannot be obtained (502, never with a secret).
boost::asio::awaitable<std::optional<GatewayError>> authenticate(UpstreamRequest& request,
                                                                 std::string_view endpoint,
                                                                 Services& s);

// Sends a prepared upstream request and renders the reply. The client's disconnect (watched
// through its StreamWriter, when there is one) cancels the upstream call.
boost::asio::awaitable<ApiResponse> forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                            const UpstreamRequest& request, const Invocation& inv,
                                            Services& s);

}  // namespace gw
