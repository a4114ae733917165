#include "gateway/stages/access.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "gateway/accounting.h"
#include "gateway/http_text.h"

namespace gw {

using accounting::Span;

namespace {

// "Bearer <key>" (the scheme in any case) -> the key; "" for another scheme.
std::string_view bearer_token(std::string_view v) {
  v = trim_ows(v);
  if (v.size() < 7 || !iequals(v.substr(0, 7), "bearer ")) return {};
  return trim_ows(v.substr(7));
}

}  // namespace

std::string_view presented_key(const AccessRuntime& access, const ApiRequest& request) {
  std::string_view key;
  const std::string_view v = header_value(request.headers, access.header);
  key = access.bearer ? bearer_token(v) : trim_ows(v);
  if (!access.bearer && key.size() > 7 && iequals(key.substr(0, 7), "bearer "))
    key = bearer_token(key);
  if (key.empty()) key = trim_ows(header_value(request.headers, "x-api-key"));
  return key;
}

const ClientKey* match_key(const AccessRuntime& access, std::string_view key) {
  const auto digest = config::key_digest(key);
  const ClientKey* found = nullptr;
  // Every key is compared, each in constant time: the time taken says nothing about which key
  // (or how much of one) matched.
  for (const auto& k : access.keys) {
    const bool same = CRYPTO_memcmp(digest.data(), k.config.key_sha256.data(), digest.size()) == 0;
    if (same) found = &k;
  }
  return found;
}

ApiResponse unauthenticated(PathFamily family, bool presented) {
  const char* text = presented ? "Invalid API key"
                               : "Missing API key: send it as 'Authorization: Bearer <key>' or "
                                 "in the X-API-Key header";
  ApiResponse r = render_error(
      GatewayError::make(401, text, "invalid_request_error", "invalid_api_key"), family);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

ApiResponse forbidden(PathFamily family) {
  return render_error(GatewayError::make(403,
                                         "This API key is not allowed to use this endpoint or "
                                         "route",
                                         "permission_error", "endpoint_not_allowed"),
                      family);
}

// ---- meters ---------------------------------------------------------------------------------

std::string Meter::who() const {
  switch (scope) {
    case 'k':
      return "key '" + name + "'";
    case 'e':
      return "endpoint '" + name + "'";
    default:
      return "the global budget";
  }
}

namespace {

void add_token_meters(std::vector<Meter>& out, char scope, const std::string& name,
                      const config::TokenLimitConfig& t, std::int64_t now) {
  struct Window {
    const std::optional<std::int64_t>& limit;
    std::int64_t seconds;
    std::string_view per;
  };
  for (const Window& w : {Window{t.per_minute, 60, "minute"}, Window{t.per_hour, 3600, "hour"},
                          Window{t.per_day, 86'400, "day"}}) {
    if (!w.limit) continue;
    const Span span = accounting::fixed_window(w.seconds, now);
    Meter m;
    m.scope = scope;
    m.name = name;
    m.counter = accounting::token_counter(scope, name, w.seconds, span.index);
    m.limit = *w.limit;
    m.resets_at = span.end;
    m.expires_at_ms = (span.end + 60) * 1000;
    m.per = w.per;
    out.push_back(std::move(m));
  }
}

void add_budget_meter(std::vector<Meter>& out, char scope, const std::string& name,
                      const std::optional<config::BudgetConfig>& b, std::int64_t now) {
  if (!b) return;
  const Span span = accounting::calendar(b->period, now);
  Meter m;
  m.spend = true;
  m.scope = scope;
  m.name = name;
  m.counter = accounting::spend_counter(scope, name, b->period, span.index);
  m.limit = b->usd;
  m.resets_at = span.end;
  m.expires_at_ms = (span.end + 86'400) * 1000;
  m.per = accounting::period_name(b->period);
  m.on_exceed = b->on_exceed;
  out.push_back(std::move(m));
}

ApiResponse token_refusal(const Meter& m, std::int64_t value, PathFamily family, std::int64_t now) {
  const std::int64_t wait = std::max<std::int64_t>(1, m.resets_at - now);
  ApiResponse r =
      render_rate_limited("Token limit exceeded for " + m.who() + ": " + std::to_string(m.limit) +
                              " tokens per " + std::string(m.per) + " (" + std::to_string(value) +
                              " used); retry after " + std::to_string(wait) + " s",
                          family);
  r.headers.emplace_back("Retry-After", std::to_string(wait));
  r.headers.emplace_back("X-RateLimit-Limit-Tokens", std::to_string(m.limit));
  r.headers.emplace_back("X-RateLimit-Remaining-Tokens", "0");
  r.headers.emplace_back("X-RateLimit-Reset-Tokens", std::to_string(wait) + "s");
  return r;
}

Json budget_object(const Meter& m, std::int64_t spent) {
  Json b{{"scope", m.scope == 'k'   ? "key"
                   : m.scope == 'e' ? "endpoint"
                                    : "global"},
         {"usd", accounting::usd_value(m.limit)},
         {"spent_usd", accounting::usd_value(spent)},
         {"period", std::string(m.per)},
         {"resets_at", accounting::utc_text(m.resets_at)},
         {"on_exceed", accounting::on_exceed_name(m.on_exceed)}};
  if (m.scope != 'g') b["name"] = m.name;
  return b;
}

ApiResponse budget_refusal(const Meter& m, std::int64_t spent, PathFamily family,
                           std::int64_t now) {
  const std::string text = "Budget exceeded for " + m.who() + ": " + accounting::usd_text(m.limit) +
                           " USD per " + std::string(m.per) + ", " + accounting::usd_text(spent) +
                           " USD spent; it resets at " + accounting::utc_text(m.resets_at);
  ApiResponse r =
      family == PathFamily::Mlflow
          ? json_response(429, Json{{"error", text}})
          : render_error(GatewayError::make(429, text, "insufficient_quota", "budget_exceeded"),
                         family);
  Json body = parse_json(r.body);
  body["budget"] = budget_object(m, spent);
  r.body = to_text(body);
  r.headers.emplace_back("Retry-After",
                         std::to_string(std::max<std::int64_t>(1, m.resets_at - now)));
  return r;
}

}  // namespace

std::vector<Meter> caller_meters(const ClientKey* key, const config::BudgetsConfig& budgets,
                                 std::int64_t now) {
  std::vector<Meter> out;
  if (key) {
    add_token_meters(out, 'k', key->config.name, key->config.tokens, now);
    add_budget_meter(out, 'k', key->config.name, key->config.budget, now);
  }
  add_budget_meter(out, 'g', "", budgets.global, now);
  return out;
}

std::vector<Meter> endpoint_meters(const EndpointRuntime& ep, std::int64_t now) {
  std::vector<Meter> out;
  add_token_meters(out, 'e', ep.config.name, ep.config.tokens, now);
  add_budget_meter(out, 'e', ep.config.name, ep.config.budget, now);
  return out;
}

MeterList cached_caller_meters(const Runtime& rt, const ClientKey* key, std::int64_t now) {
  MeterCache& cache = key ? *key->meters : rt.global_meters();
  return cache.get(now, [&] { return caller_meters(key, rt.budgets(), now); });
}

MeterList cached_endpoint_meters(const EndpointRuntime& ep, std::int64_t now) {
  return ep.meters->get(now, [&] { return endpoint_meters(ep, now); });
}

std::optional<ApiResponse> refusal(const std::vector<Meter>& meters,
                                   const std::vector<std::int64_t>& values, PathFamily family,
                                   std::int64_t now) {
  for (std::size_t i = 0; i < meters.size() && i < values.size(); ++i) {
    const Meter& m = meters[i];
    if (values[i] < m.limit) continue;
    if (!m.spend) return token_refusal(m, values[i], family, now);
    if (m.on_exceed == config::OnExceed::Reject) return budget_refusal(m, values[i], family, now);
  }
  return std::nullopt;
}

std::optional<TokenHeadroom> headroom(const std::vector<Meter>& meters,
                                      const std::vector<std::int64_t>& values, std::int64_t now) {
  std::optional<TokenHeadroom> best;
  for (std::size_t i = 0; i < meters.size() && i < values.size(); ++i) {
    if (meters[i].spend) continue;
    const TokenHeadroom h{meters[i].limit, std::max<std::int64_t>(0, meters[i].limit - values[i]),
                          std::max<std::int64_t>(0, meters[i].resets_at - now)};
    if (!best || h.remaining < best->remaining) best = h;
  }
  return best;
}

}  // namespace gw
