#include "gateway/access_log.h"

#include <cmath>
#include <cstdio>

#include "providers/json.h"

namespace gw {
namespace {

double round3(double ms) { return std::round(ms * 1000.0) / 1000.0; }

// Prompt and completion tokens: a stream's "tokens p/c/t", else the reply body's `usage`.
// -1 for a count the provider did not report.
std::pair<long long, long long> tokens_of(const ApiResponse& r) {
  long long in = -1, out = -1;
  if (r.streamed) {
    std::sscanf(r.usage.c_str(), "tokens %lld/%lld", &in, &out);
    return {in, out};
  }
  if (r.body.find("\"usage\"") == std::string::npos) return {in, out};
  const Json body = parse_json(r.body);
  const Json* usage = body.is_object() && body.contains("usage") ? &body["usage"] : nullptr;
  if (!usage || !usage->is_object()) return {in, out};
  if (auto it = usage->find("prompt_tokens"); it != usage->end() && it->is_number_integer())
    in = it->get<long long>();
  if (auto it = usage->find("completion_tokens"); it != usage->end() && it->is_number_integer())
    out = it->get<long long>();
  return {in, out};
}

void add_invocation(Json& j, const ApiResponse& r) {
  const InvocationFacts& f = *r.invocation;
  j["endpoint"] = f.endpoint;
  j["provider"] = f.provider;
  j["model"] = f.model;
  j["overhead_ms"] = round3(f.overhead_ms);
  if (f.ttft_ms >= 0) j["ttft_ms"] = round3(f.ttft_ms);
  const auto [in, out] = tokens_of(r);
  if (in >= 0) j["tokens_in"] = in;
  if (out >= 0) j["tokens_out"] = out;
  j["attempts"] = r.attempts;
  if (!f.limit_key.empty()) j["limit_key"] = f.limit_key;
}

}  // namespace

std::string access_json_members(const AccessRecord& r) {
  Json j;
  j["type"] = "access";
  j["request_id"] = r.request_id;
  j["method"] = r.method;
  j["path"] = r.target.substr(0, r.target.find('?'));
  j["status"] = r.response->status;
  j["bytes_in"] = r.bytes_in;
  j["bytes_out"] = r.bytes_out;
  j["total_ms"] = round3(r.total_ms);
  j["client"] = r.client;
  if (r.response->invocation) add_invocation(j, *r.response);
  const std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.substr(1, text.size() - 2);
}

}  // namespace gw
