// OpenAI's model listing on /v1 (docs/api.md, "OpenAI-compatible routes"): every endpoint and
// traffic route that a /v1 call can name in `model`. Pure functions of the runtime snapshot.
#pragma once

#include <string>

#include "gateway/http_types.h"
#include "gateway/runtime.h"

namespace gw {

// GET /v1/models: {"object": "list", "data": [model, ...]}, endpoints in config order, then
// traffic routes by name.
// `caller`: with `auth`, only the endpoints and routes that key may use (null: all).
ApiResponse list_models(const Runtime& rt, const ClientKey* caller = nullptr);
// GET /v1/models/{name}: one model object, or 404 in OpenAI's shape (code model_not_found).
ApiResponse get_model(const Runtime& rt, const std::string& name);

}  // namespace gw
