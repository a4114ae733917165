// The steps of one attempt on one endpoint (docs/architecture.md, "Request pipeline"), which
// the resilience stage (chain.h) runs for each endpoint and retry: admit (count the call
// against the endpoint's limit), authenticate (sign), forward (send, translate the reply).
// Streams use the stream relay (stream_relay.h) instead of forward().
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>

#include "gateway/runtime.h"
#include "gateway/stages/context.h"
#include "gateway/upstream_client.h"

namespace gw {

// Checks the endpoint's token limits and budget (stages/access.h), then counts the call against
// its calls limit (sets inv.limit); the response when it is not admitted (429, or 503 when a
// store is down and fail_closed).
boost::asio::awaitable<std::optional<ApiResponse>> admit(const EndpointRuntime& ep, Invocation& inv,
                                                         Services& s);

// Applies request.auth right before sending (AwsSigV4: resolve credentials and sign). The
// error when credentials cannot be obtained (502, never with a secret).
boost::asio::awaitable<std::optional<GatewayError>> authenticate(UpstreamRequest& request,
                                                                 std::string_view endpoint,
                                                                 Services& s);

// One upstream call (an attempt of the resilience stage): sends a prepared request within
// `timeouts` and renders the reply. A failure is classified for the chain: an error status
// (with the provider's Retry-After), a transport failure (connect, TLS, timeout), a malformed
// reply, or the client's departure, which cancels the upstream call at once (watched through
// its StreamWriter, when there is one). The time spent waiting goes to inv.upstream_wait.
boost::asio::awaitable<Attempt> forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                        const UpstreamRequest& request, CallTimeouts timeouts,
                                        Invocation& inv, Services& s);

// A transport error of the upstream client as an attempt failure (its kind and status).
AttemptFailure transport_failure(const GatewayError& err);

}  // namespace gw
