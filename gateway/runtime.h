// The runtime snapshot (docs/architecture.md, "Runtime snapshot"): everything a request needs
// that comes from the config file, built once, immutable, shared through
// std::shared_ptr<const Runtime>. A request loads the current snapshot once and keeps it to its
// end, so a reload never changes a request in flight.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "gateway/meter.h"
#include "gateway/stages/retry_policy.h"
#include "providers/adapter.h"
#include "providers/json.h"

namespace gw {

// Whose calls share a rate-limit counter (`limit.key`, docs/rate-limits.md).
enum class LimitKeyKind {
  Client,  // null (MLflow's default): the client's IP address
  Global,  // "global": one counter for all callers of the endpoint
  Header,  // "header:<Name>": the value of that request header (else the client address)
};

struct EndpointRuntime {
  config::EndpointConfig config;
  LimitKeyKind limit_key = LimitKeyKind::Client;
  std::string limit_header;  // for LimitKeyKind::Header, lower-case
  // Counter-key prefix: endpoint name + limit + key mode. Counters outlive snapshots, so an
  // endpoint whose limit is unchanged by a reload keeps counting where it was.
  std::string limit_prefix;
  // The key of the endpoint's metrics series (metrics::series_key of name and provider).
  std::string metrics_key;
  std::shared_ptr<const Adapter> adapter;
  Json info;         // the endpoint object, docs/mlflow-compatibility.md §3.3 (no model.config)
  Json legacy_info;  // the legacy route object (/api/2.0/gateway/routes/...)
  // The endpoint's resolved secrets, so error details echoed from an upstream can be scrubbed
  // of them before they reach a client or a log line.
  std::vector<std::string> secrets;
  // `fallbacks`, resolved in the same snapshot (docs/resilience.md). Their own fallbacks are
  // not followed.
  std::vector<const EndpointRuntime*> fallbacks;
  // `circuit_breaker` (null when off): shared by every worker, and carried over by a reload
  // that leaves the endpoint's provider config and breaker settings unchanged.
  std::shared_ptr<CircuitBreaker> breaker;
  // Its token limits and budget as ledger counters, for the current windows.
  std::shared_ptr<MeterCache> meters = std::make_shared<MeterCache>();
};

struct RouteRuntime {
  config::TrafficRoute config;
  Json info;  // the traffic-route object (/api/3.0/gateway/route/{name})
  // Destinations with cumulative percentages (0-100], in config order.
  std::vector<std::pair<int, const EndpointRuntime*>> cumulative;
  // The destination for a uniform draw in [0, 100).
  const EndpointRuntime* pick(double draw) const;
};

// A client key of `auth.keys` (docs/access-and-budgets.md).
struct ClientKey {
  config::ClientKeyConfig config;
  std::unordered_set<std::string> allowed;  // endpoint and route names (unless all_endpoints)
  std::string limit_prefix;                 // its calls limit's counter scope
  // Its token limits and budget and the global budget, as ledger counters, for the current
  // windows.
  std::shared_ptr<MeterCache> meters = std::make_shared<MeterCache>();
  // Whether the key may name `name` (an endpoint or a traffic route) in a request.
  bool may_use(const std::string& name) const {
    return config.all_endpoints || allowed.count(name) != 0;
  }
};

// `auth:` of the snapshot.
struct AccessRuntime {
  std::string header;  // the configured header, lower-case
  bool bearer = true;  // the header is Authorization: "Bearer <key>"
  std::vector<ClientKey> keys;
};

class Runtime {
 public:
  // Builds adapters and the precomputed API objects. The config must be validated. With the
  // `previous` snapshot (a reload), circuit breakers of unchanged endpoints are kept.
  explicit Runtime(config::GatewayConfig config, const Runtime* previous = nullptr);

  const EndpointRuntime* endpoint(const std::string& name) const;
  const RouteRuntime* route(const std::string& name) const;
  // Endpoints in config order (the list APIs keep it).
  const std::vector<std::shared_ptr<const EndpointRuntime>>& endpoints() const { return ordered_; }
  const std::unordered_map<std::string, RouteRuntime>& routes() const { return routes_; }
  // When this snapshot was built (UNIX seconds): `created` of /v1/models.
  std::int64_t loaded_at() const { return loaded_at_; }
  // `auth:` (null: no authentication) and `budgets:`.
  const AccessRuntime* access() const { return access_ ? &*access_ : nullptr; }
  const config::BudgetsConfig& budgets() const { return budgets_; }
  // The global budget's meters for requests without a client key.
  MeterCache& global_meters() const { return *global_meters_; }

 private:
  std::vector<std::shared_ptr<const EndpointRuntime>> ordered_;
  std::unordered_map<std::string, std::shared_ptr<const EndpointRuntime>> by_name_;
  // Resolves fallbacks and creates (or carries over) circuit breakers.
  void link_resilience(const std::vector<std::shared_ptr<EndpointRuntime>>& building,
                       const Runtime* previous);

  std::unordered_map<std::string, RouteRuntime> routes_;
  std::int64_t loaded_at_ = 0;
  std::optional<AccessRuntime> access_;
  config::BudgetsConfig budgets_;
  std::shared_ptr<MeterCache> global_meters_ = std::make_shared<MeterCache>();
};

// Holds the current snapshot. load() and store() are safe from any thread.
class RuntimeHolder {
 public:
  explicit RuntimeHolder(std::shared_ptr<const Runtime> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Runtime> load() const { return current_.load(std::memory_order_acquire); }
  void store(std::shared_ptr<const Runtime> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Runtime>> current_;
};

}  // namespace gw
