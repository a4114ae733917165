// MLflow's generic handling of a complete upstream reply (docs/mlflow-compatibility.md §3.6),
// shared by adapters.
#pragma once

#include "providers/adapter.h"

namespace gw {

// Content type first (JSON parsed; text/plain -> {"message": text}; anything else -> 502),
// then status: >= 400 -> the same status with detail = error.message (or error, when it is a
// string) or, when the body has no `error`, the first of `message_fields` that is a string
// there, else the name (before any ':') in the response header `error_type_header` when the
// reply has it, else the whole body. Returns the parsed JSON body of a 2xx reply.
Result<Json> decode_upstream_reply(const UpstreamReply& reply,
                                   const std::vector<std::string_view>& message_fields = {},
                                   std::string_view error_type_header = {});

// True for content types that MLflow treats as JSON (contains "application/json").
bool is_json_content_type(std::string_view content_type);

// A 502 for an upstream 2xx body that does not have the shape its provider documents:
// "The upstream returned a malformed response: <what>".
GatewayError malformed_upstream(std::string_view what);
// The gateway knows where the reply came from; the adapter does not. A malformed_upstream()
// error becomes "Endpoint '<endpoint>': the upstream <host> returned a malformed response:
// <what>", like the gateway's other 502s; any other error is returned unchanged.
GatewayError name_the_upstream(GatewayError e, std::string_view endpoint, std::string_view host);
// 502 for an error the upstream reported inside a stream after it started:
// "The upstream reported an error mid-stream: <message>" (upstream_error / bad_gateway).
GatewayError upstream_stream_error(std::string_view message);
// The same for an error value: an object's string `message`, a string itself, else the value
// serialised.
GatewayError upstream_stream_error_of(const Json& error);

}  // namespace gw
