// Renders a GatewayError for one path family (architecture guide §4):
// MLflow paths (/endpoints, /gateway, /api): {"detail": ...} (FastAPI's shape);
// OpenAI paths (/v1/*): {"error": {"message", "type", "param", "code"}} (decisions.md).
#pragma once

#include "gateway/http_types.h"
#include "providers/errors.h"

namespace gw {

enum class PathFamily { Mlflow, OpenAI };

ApiResponse render_error(const GatewayError& error, PathFamily family);
// The family of a request target: OpenAI for /v1/..., MLflow for everything else.
PathFamily family_of(std::string_view target);
ApiResponse json_response(int status, const Json& body);

}  // namespace gw
