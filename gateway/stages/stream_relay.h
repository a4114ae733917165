// `stream: true`: relays the provider's stream to the client as unified chunks, event by event
// (docs/api.md, "Streaming"). Bytes from the upstream go through the stream pump
// (providers/stream_pump.h); each read's chunks are written at once as one write.
//
// Before the first byte to the client, a failure is an ordinary error response (501 for a
// provider that cannot stream this type, 4xx/5xx from the upstream); after it, the stream ends
// with one error event. A client that leaves cancels the upstream read at once.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "gateway/runtime.h"
#include "gateway/stages/context.h"

namespace gw {

boost::asio::awaitable<ApiResponse> relay_stream(const EndpointRuntime& ep, Json payload,
                                                 Invocation& inv, Services& s);

}  // namespace gw
