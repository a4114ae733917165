// The JSON form of the access log (`--access-log=json`, docs/operations.md, "Access log"):
// one object per answered request. Pure: built from what the session and the API know.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/http_types.h"

namespace gw {

struct AccessRecord {
  std::string_view client;  // the TCP peer's address
  std::string_view method;
  std::string_view target;  // as received; the query is left out of `path`
  std::string_view request_id;
  std::size_t bytes_in = 0;   // the request body
  std::size_t bytes_out = 0;  // the response body (a stream: its events)
  double total_ms = 0;
  const ApiResponse* response = nullptr;
};

// The object's members without braces, for log::write_json: type, request_id, method, path,
// status, bytes_in, bytes_out, total_ms, client; for an invocation also endpoint, provider,
// model, overhead_ms, ttft_ms (streams), tokens_in, tokens_out (when the provider reported
// usage, else the estimate charged, with tokens_estimated), key (the client key's name),
// attempts and limit_key (hashed). Never a secret, a prompt or a completion.
std::string access_json_members(const AccessRecord& r);

// Prompt and completion tokens of an answer, as the provider reported them (-1 for a count it
// did not report): a stream's usage, else the reply body's `usage`.
std::pair<long long, long long> usage_tokens(const ApiResponse& r);

}  // namespace gw
