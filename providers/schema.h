// The unified request schemas (docs/mlflow-compatibility.md §4): validation of client bodies
// with FastAPI/pydantic-style 422 error lists, and the payload that is forwarded to a provider
// adapter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "providers/errors.h"
#include "providers/json.h"

namespace gw {

struct ValidatedRequest {
  // The body to hand to the adapter: nulls dropped, MLflow's defaults applied (temperature 0.0
  // and n 1 for chat/completions), unknown top-level keys kept (they are forwarded), nested
  // message objects re-serialised with only the schema's keys.
  Json payload;
  bool stream = false;
  std::optional<std::string> model;  // the client's `model` (kept in payload too)
};

// Parses a request body. Empty body -> 422 "Field required" at ["body"]; malformed JSON -> 422
// json_invalid with the byte position (FastAPI's shape).
Result<Json> parse_request_body(std::string_view body);

// Validates a parsed body against the schema of `type`. All problems are reported at once.
// The body is owned: large values (message contents, inputs, extras) are moved into the
// payload instead of copied.
Result<ValidatedRequest> validate_request(config::EndpointType type, Json body);

}  // namespace gw
