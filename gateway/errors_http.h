// Every error the API answers is rendered here, one renderer per path family
// (docs/api.md, "Errors"; the shapes MLflow and OpenAI clients expect):
// - MLflow paths (/endpoints, /gateway, /api, /health, ...): FastAPI's {"detail": ...};
// - OpenAI paths (/v1/*): {"error": {"message", "type", "param", "code"}};
// - a stream that fails after it started: one SSE event carrying OpenAI's error object.
#pragma once

#include <string>
#include <vector>

#include "gateway/http_types.h"
#include "providers/errors.h"

namespace gw {

enum class PathFamily { Mlflow, OpenAI };

ApiResponse render_error(const GatewayError& error, PathFamily family);
// 429 for a refused call: MLflow's (slowapi's) {"error": text} on MLflow paths, OpenAI's
// `rate_limit_error` / `rate_limit_exceeded` on /v1/*.
ApiResponse render_rate_limited(const std::string& text, PathFamily family);
// The SSE event ("data: {...}\n\n") that ends a stream which failed after its first byte.
std::string render_stream_error(const GatewayError& error);
// The family of a request target: OpenAI for /v1/..., MLflow for everything else.
PathFamily family_of(std::string_view target);
ApiResponse json_response(int status, const Json& body);

// Replaces every occurrence of a secret in the strings of `j` with "***" (upstreams sometimes
// echo the credential they rejected). Secrets shorter than 4 characters are left alone.
void scrub_secrets(Json& j, const std::vector<std::string>& secrets);

}  // namespace gw
