#include "gateway/access_log.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "providers/json.h"

namespace gw {
namespace {

double round3(double ms) { return std::round(ms * 1000.0) / 1000.0; }

// The integer after `"<key>"` and its colon in `text`, from `from` on (-1 when absent).
long long integer_after(std::string_view text, std::string_view key, std::size_t from) {
  const auto at = text.find(key, from);
  if (at == std::string_view::npos) return -1;
  std::size_t i = at + key.size();
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == ':')) ++i;
  long long v = -1;
  const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
  return ec == std::errc() ? v : -1;
}

}  // namespace

std::pair<long long, long long> usage_tokens(const ApiResponse& r) {
  long long in = -1, out = -1;
  if (r.streamed) {
    std::sscanf(r.usage.c_str(), "tokens %lld/%lld", &in, &out);
    return {in, out};
  }
  // The gateway's own replies (unified or OpenAI shapes) carry `usage` at the top level, last
  // among the members that hold a key by that name: a key inside a string value would have
  // escaped quotes, so a scan finds the real one without parsing the body.
  const std::string_view body = r.body;
  const auto usage = body.rfind("\"usage\"");
  if (usage == std::string_view::npos) return {in, out};
  return {integer_after(body, "\"prompt_tokens\"", usage),
          integer_after(body, "\"completion_tokens\"", usage)};
}

namespace {

void add_invocation(Json& j, const ApiResponse& r) {
  const InvocationFacts& f = *r.invocation;
  j["endpoint"] = f.endpoint;
  j["provider"] = f.provider;
  j["model"] = f.model;
  j["overhead_ms"] = round3(f.overhead_ms);
  if (f.ttft_ms >= 0) j["ttft_ms"] = round3(f.ttft_ms);
  auto [in, out] = usage_tokens(r);
  if (f.tokens_estimated) {
    in = f.estimated_in;
    out = f.estimated_out;
    j["tokens_estimated"] = true;
  }
  if (in >= 0) j["tokens_in"] = in;
  if (out >= 0) j["tokens_out"] = out;
  if (!f.key.empty()) j["key"] = f.key;
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
