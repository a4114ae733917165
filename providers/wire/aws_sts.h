// STS AssumeRole for Bedrock role configs (docs/mlflow-compatibility.md §6.12): the request
// (Query API, form-encoded, SigV4-signed for service "sts") and the parsing of its XML answer.
// Pure; the gateway sends the request and caches the credentials (gateway/aws_auth.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "providers/wire/aws_sigv4.h"

namespace gw {

struct AssumedCredentials {
  AwsCredentials credentials;
  std::int64_t expires_at = 0;  // UNIX seconds (STS `Expiration`)
};

// The signed POST to `settings.sts_endpoint_url` with Action=AssumeRole,
// RoleSessionName=ai-gateway-bedrock, DurationSeconds=session_length_seconds, signed with the
// settings' base credentials.
UpstreamRequest make_assume_role_request(const config::BedrockSettings& settings,
                                         std::chrono::system_clock::time_point now);

// The credentials in an AssumeRoleResponse document, or a 502 GatewayError naming what is
// missing. An <ErrorResponse> gives its Code and Message (never credentials).
Result<AssumedCredentials> parse_assume_role_response(std::string_view xml);

// "2026-11-26T12:00:00Z" (ISO 8601, UTC, optional fraction) -> UNIX seconds; -1 if malformed.
std::int64_t parse_iso8601_utc(std::string_view text);

}  // namespace gw
