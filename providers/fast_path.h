// The fast path (docs/architecture.md, "Request path"): plain client requests validated and
// serialised, and OpenAI replies and stream chunks translated, in one pass each: simdjson
// (Debian libsimdjson-dev) parses, and a small writer emits compact JSON straight into the
// output string, skipping the nlohmann DOM of the reference path. Used only where an
// equivalence test pins the output to the reference (nlohmann) translation byte for byte; see
// tests/unit/test_openai_fast.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace gw {

// OpenAI chat/completions/embeddings 2xx body -> the unified response text, identical to
// to_text(openai_*_to_unified(parse(body))). nullopt when the body is not what the fast path
// expects (invalid JSON, missing choices, ...): the caller then takes the reference path,
// which produces the proper error.
std::optional<std::string> openai_fast_unified(config::EndpointType type, std::string_view body,
                                               std::int64_t now);

// A client request body validated and serialised the way validate_request() + to_text() would
// do it (defaults, key order, dropped nulls and unknown nested keys), for the common shapes.
struct FastRequest {
  std::string payload;  // compact JSON object, as to_text(ValidatedRequest::payload)
  bool stream = false;
  std::optional<std::string> model;  // the client's `model`
};

// nullopt whenever the body is not a plain valid request (any validation error, coercion,
// content parts, tool calls, tools, duplicate keys, ...): the caller then takes the reference
// path, which also produces the errors. With drop_model, `model` is left out of the payload
// (as the /v1 routes do after using it to pick the endpoint).
std::optional<FastRequest> fast_validate_request(config::EndpointType type, std::string_view body,
                                                 bool drop_model);

// One OpenAI stream event's data (not "[DONE]") -> the unified chunk, identical to the
// reference translator's (openai_stream.cpp). The outer nullopt: take the reference path (an
// error event, invalid JSON, anything unusual); an inner nullopt: no chunk for this event (a
// usage chunk the client did not ask for).
std::optional<std::optional<std::string>> openai_fast_chunk(config::EndpointType type,
                                                            std::string_view data, std::int64_t now,
                                                            bool client_wants_usage);

// Appends `s` as a JSON string literal (compact escaping as nlohmann/json does: \", \\,
// \b \f \n \r \t, other control characters as \u00XX; UTF-8 passed through).
void append_json_string(std::string& out, std::string_view s);

}  // namespace gw
