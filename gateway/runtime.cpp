#include "gateway/runtime.h"

#include <cctype>
#include <chrono>
#include <type_traits>

#include "gateway/log.h"
#include "gateway/metrics.h"

namespace gw {
namespace {

Json limit_json(const std::optional<config::LimitConfig>& limit) {
  if (!limit) return nullptr;
  return Json{{"calls", limit->calls},
              {"key", limit->key ? Json(*limit->key) : Json(nullptr)},
              {"renewal_period", limit->renewal_period}};
}

Json model_json(const config::ModelConfig& m) {
  return Json{{"name", m.name ? Json(*m.name) : Json(nullptr)}, {"provider", m.provider}};
}

std::vector<std::string> secrets_of(const config::ProviderSettings& settings) {
  return std::visit(
      [](const auto& s) -> std::vector<std::string> {
        using S = std::decay_t<decltype(s)>;
        std::vector<std::string> out;
        if constexpr (std::is_same_v<S, config::OpenAISettings> ||
                      std::is_same_v<S, config::HttpProviderSettings>) {
          if (!s.api_key.empty()) out.push_back(s.api_key.reveal());
        } else if constexpr (std::is_same_v<S, config::BedrockSettings>) {
          for (const auto* k : {&s.access_key_id, &s.secret_access_key, &s.session_token})
            if (!k->empty()) out.push_back(k->reveal());
        }
        return out;
      },
      settings);
}

// An endpoint's runtime: its adapter, secrets, API objects and rate-limit key.
std::shared_ptr<EndpointRuntime> build_endpoint(config::EndpointConfig e) {
  auto rt = std::make_shared<EndpointRuntime>();
  rt->adapter = make_adapter(e);
  rt->secrets = secrets_of(e.model.settings);
  std::string url = "/gateway/" + e.name + "/invocations";
  rt->info = Json{{"name", e.name},
                  {"endpoint_type", std::string(config::to_string(e.type))},
                  {"model", model_json(e.model)},
                  {"endpoint_url", url},
                  {"limit", limit_json(e.limit)}};
  rt->legacy_info = Json{{"name", e.name},
                         {"route_type", std::string(config::to_string(e.type))},
                         {"model", model_json(e.model)},
                         {"route_url", url},
                         {"limit", limit_json(e.limit)}};
  if (e.limit) {
    const auto& key = e.limit->key;
    std::string lower = key.value_or("");
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!key) {
      rt->limit_key = LimitKeyKind::Client;
    } else if (lower == "global") {
      rt->limit_key = LimitKeyKind::Global;
    } else if (lower.rfind("header:", 0) == 0 && lower.size() > 7) {
      rt->limit_key = LimitKeyKind::Header;
      rt->limit_header = lower.substr(7);
    } else {
      log::warn("endpoint '" + e.name + "': limit.key '" + *key +
                "' is not 'global' or 'header:<Name>'; limiting per client address");
    }
    rt->limit_prefix = e.name + "|" + e.limit->describe() + "|" +
                       (rt->limit_key == LimitKeyKind::Global   ? "global"
                        : rt->limit_key == LimitKeyKind::Header ? "header:" + rt->limit_header
                                                                : "client") +
                       "|";
  }
  rt->metrics_key = metrics::series_key(e.name, e.model.provider);
  rt->config = std::move(e);
  return rt;
}

AccessRuntime build_access(config::AuthConfig auth) {
  AccessRuntime a;
  for (char c : auth.header)
    a.header.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  a.bearer = a.header == "authorization";
  for (auto& k : auth.keys) {
    ClientKey key;
    key.allowed.insert(k.endpoints.begin(), k.endpoints.end());
    // The counters of a key's calls limit are its own (by name), kept by a reload that keeps
    // the name and the limit.
    if (k.limit) key.limit_prefix = "key:" + k.name + "|" + k.limit->describe();
    key.config = std::move(k);
    a.keys.push_back(std::move(key));
  }
  return a;
}

}  // namespace

Runtime::Runtime(config::GatewayConfig config, const Runtime* previous)
    : loaded_at_(std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()) {
  std::vector<std::shared_ptr<EndpointRuntime>> building;
  for (auto& e : config.endpoints) {
    auto rt = build_endpoint(std::move(e));
    by_name_[rt->config.name] = rt;
    building.push_back(rt);
    ordered_.push_back(std::move(rt));
  }
  link_resilience(building, previous);
  for (auto& r : config.routes) {
    Json dests = Json::array();
    for (const auto& d : r.destinations)
      dests.push_back(Json{{"name", d.name}, {"traffic_percentage", d.traffic_percentage}});
    RouteRuntime rr;
    rr.info = Json{{"name", r.name},
                   {"task_type", std::string(config::to_string(r.task_type))},
                   {"destinations", std::move(dests)},
                   {"routing_strategy", r.routing_strategy}};
    int sum = 0;
    for (const auto& d : r.destinations) {
      sum += d.traffic_percentage;
      // The loader guarantees each destination is an endpoint of this file.
      if (d.traffic_percentage > 0) rr.cumulative.emplace_back(sum, by_name_.at(d.name).get());
    }
    std::string name = r.name;
    rr.config = std::move(r);
    routes_.emplace(std::move(name), std::move(rr));
  }
  budgets_ = std::move(config.budgets);
  if (config.auth) access_ = build_access(std::move(*config.auth));
}

void Runtime::link_resilience(const std::vector<std::shared_ptr<EndpointRuntime>>& building,
                              const Runtime* previous) {
  for (const auto& ep : building) {
    // The loader guarantees each fallback is an endpoint of this file.
    for (const auto& name : ep->config.fallbacks) ep->fallbacks.push_back(by_name_.at(name).get());
    const auto& cb = ep->config.circuit_breaker;
    if (!cb) continue;
    const EndpointRuntime* old = previous ? previous->endpoint(ep->config.name) : nullptr;
    if (old && old->breaker && old->config.model == ep->config.model &&
        old->breaker->config() == *cb) {
      ep->breaker = old->breaker;
    } else {
      ep->breaker = std::make_shared<CircuitBreaker>(*cb);
    }
  }
}

const EndpointRuntime* RouteRuntime::pick(double draw) const {
  for (const auto& [upto, ep] : cumulative)
    if (draw < upto) return ep;
  return cumulative.empty() ? nullptr : cumulative.back().second;
}

const EndpointRuntime* Runtime::endpoint(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

const RouteRuntime* Runtime::route(const std::string& name) const {
  auto it = routes_.find(name);
  return it == routes_.end() ? nullptr : &it->second;
}

}  // namespace gw
