#include "gateway/stats.h"

#include <algorithm>

#include "gateway/accounting.h"
#include "gateway/stages/retry_policy.h"
#include "providers/json.h"

namespace gw {

namespace {

Json histogram_json(const metrics::Histogram& h) {
  return Json{{"counts", h.counts()}, {"sum", h.sum()}, {"count", h.count()}};
}

Json bounds_json(const metrics::Buckets& b) {
  return Json(std::vector<double>(b.bounds, b.bounds + b.size));
}

Json token_limits_json(const config::TokenLimitConfig& t) {
  if (t.empty()) return nullptr;
  Json o = Json::object();
  if (t.per_minute) o["per_minute"] = *t.per_minute;
  if (t.per_hour) o["per_hour"] = *t.per_hour;
  if (t.per_day) o["per_day"] = *t.per_day;
  return o;
}

Json budget_json(const std::optional<config::BudgetConfig>& b) {
  if (!b) return nullptr;
  return Json{{"usd", accounting::usd_text(b->usd)},
              {"period", accounting::period_name(b->period)},
              {"on_exceed", accounting::on_exceed_name(b->on_exceed)}};
}

Json limit_usage_json(const StatsInput& in, const EndpointRuntime& ep) {
  if (!ep.config.limit || !in.limit_usage) return nullptr;
  const std::optional<LimitDecision> d = in.limit_usage(ep);
  if (!d) return nullptr;
  return Json{{"used", d->limit - d->remaining},
              {"remaining", d->remaining},
              {"resets_in", static_cast<double>(d->reset_ms) / 1000.0}};
}

// Cumulative figures of the endpoint's series (zeros before its first request).
void add_series(Json& o, const StatsInput& in, const EndpointRuntime& ep) {
  static const metrics::EndpointSeries kEmpty;
  const metrics::EndpointSeries* s = &kEmpty;
  if (in.series) {
    if (auto it = in.series->find(ep.metrics_key); it != in.series->end()) s = &it->second;
  }
  Json requests = Json::object();
  for (std::size_t c = 0; c < metrics::kCodeClasses; ++c) {
    std::uint64_t n = 0;
    for (const auto& family : s->requests) n += family[c];
    requests[std::to_string(c + 1) + "xx"] = n;
  }
  o["requests"] = std::move(requests);
  o["tokens_in"] = static_cast<std::uint64_t>(s->tokens_in.sum());
  o["tokens_out"] = static_cast<std::uint64_t>(s->tokens_out.sum());
  o["latency"] = histogram_json(s->duration);
  o["overhead"] = histogram_json(s->overhead);
  o["ttft"] = histogram_json(s->ttft);
}

Json endpoint_json(const StatsInput& in, const EndpointRuntime& ep) {
  const config::EndpointConfig& c = ep.config;
  Json o{{"name", c.name},
         {"endpoint_type", config::to_string(c.type)},
         {"provider", c.model.provider},
         {"model", c.model.name ? Json(*c.model.name) : Json(nullptr)}};
  o["limit"] = c.limit
                   ? Json{{"calls", c.limit->calls}, {"renewal_period", c.limit->renewal_period}}
                   : Json(nullptr);
  o["limit_usage"] = limit_usage_json(in, ep);
  o["tokens"] = token_limits_json(c.tokens);
  o["budget"] = budget_json(c.budget);
  o["breaker"] = ep.breaker ? Json(to_string(ep.breaker->state(in.steady_now))) : Json(nullptr);
  add_series(o, in, ep);
  return o;
}

Json routes_json(const StatsInput& in) {
  std::vector<const RouteRuntime*> routes;
  for (const auto& [name, route] : in.rt->routes())
    if (!in.caller || in.caller->may_use(name)) routes.push_back(&route);
  std::sort(routes.begin(), routes.end(),
            [](const auto* a, const auto* b) { return a->config.name < b->config.name; });
  Json out = Json::array();
  for (const RouteRuntime* r : routes) {
    Json destinations = Json::array();
    for (const auto& d : r->config.destinations)
      destinations.push_back(Json{{"name", d.name}, {"weight", d.traffic_percentage}});
    out.push_back(Json{{"name", r->config.name},
                       {"endpoint_type", config::to_string(r->config.task_type)},
                       {"destinations", std::move(destinations)}});
  }
  return out;
}

}  // namespace

std::string stats_json(const StatsInput& in) {
  Json reloads = Json::array();
  for (const auto& e : in.reloads) reloads.push_back(Json{{"time", e.time}, {"ok", e.ok}});
  Json endpoints = Json::array();
  if (in.rt) {
    for (const auto& ep : in.rt->endpoints())
      if (!in.caller || in.caller->may_use(ep->config.name))
        endpoints.push_back(endpoint_json(in, *ep));
  }
  Json doc{{"now", in.now},
           {"started", in.started},
           {"config_sha256", in.config_sha256},
           {"reloads", std::move(reloads)},
           {"buckets",
            {{"seconds", bounds_json(metrics::kSeconds)},
             {"overhead", bounds_json(metrics::kOverhead)}}},
           {"endpoints", std::move(endpoints)},
           {"routes", in.rt ? routes_json(in) : Json::array()}};
  return doc.dump();
}

}  // namespace gw
