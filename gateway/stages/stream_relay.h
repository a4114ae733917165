// `stream: true`: relays the provider's stream to the client as unified chunks, event by event
// (docs/api.md, "Streaming"). Bytes from the upstream go through the stream pump
// (providers/stream_pump.h); each read's chunks are written at once as one write.
//
// The client's stream begins (status 200 and its head) with the first chunk to write. Until
// then a failure (an error status, a connect failure, a first-event timeout, an error event,
// a broken stream) is an ordinary error response, which the resilience stage may retry on
// another attempt (docs/resilience.md, "Streams"). After it, a failure ends the stream with one
// error event, and the attempt is final. A client that leaves cancels the upstream read at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include "gateway/runtime.h"
#include "gateway/stages/context.h"

namespace gw {

class StreamWriter;

// The extra headers of the stream's response head, computed when the stream begins.
using StreamHead = std::function<HeaderList()>;

// MLflow's 501 when `ep` cannot stream this type (decided before anything else), else nullopt.
std::optional<ApiResponse> stream_unsupported(const EndpointRuntime& ep, const Call& prepared,
                                              PathFamily family);

// The client's `stream_options.include_usage`.
bool client_wants_usage(const Json& payload);

// A stream the adapter answers itself (the mock provider). Always final.
boost::asio::awaitable<Attempt> relay_local(const LocalStream& local, const HeaderList& head,
                                            StreamWriter& out, bool v1);

// One attempt on an upstream stream. The first-event wait is the endpoint's, capped by
// `first_event_cap` (what is left of the chain's deadline). Without `can_fail_over` (no other
// attempt could follow) the stream begins as soon as the upstream answered 2xx.
boost::asio::awaitable<Attempt> relay_attempt(const EndpointRuntime& ep, const RequestContext& ctx,
                                              UpstreamRequest request, bool wants_usage,
                                              std::chrono::milliseconds first_event_cap,
                                              StreamHead head, bool can_fail_over, Invocation& inv,
                                              Services& s);

}  // namespace gw
