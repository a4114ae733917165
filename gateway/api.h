// The HTTP API (docs/api.md): MLflow's routes and the OpenAI-compatible /v1/* routes.
// handle() looks the request up in the route table (router.h) and dispatches on the RouteId:
// the MLflow inspection routes go to their handlers (mlflow_routes.h), invocations through
// the request pipeline (docs/architecture.md, "Request pipeline"):
//   resolve (stages/resolve.h) -> admit (stages/admit.h) -> call or relay a stream
//   (stages/call.h, stages/stream_relay.h) -> respond (X-RateLimit-* headers).
//
// Thread safety: one Api per worker (its services are the worker's). Each call loads the
// current Runtime snapshot once and uses only it until the response is built.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "gateway/aws_auth.h"
#include "gateway/http_types.h"
#include "gateway/ledger.h"
#include "gateway/limiter.h"
#include "gateway/router.h"
#include "gateway/runtime.h"
#include "gateway/stages/chain.h"
#include "gateway/stages/context.h"
#include "gateway/upstream_client.h"

namespace gw {

namespace metrics {
class Shard;
}

// What GET /api/2.0/gateway/stats answers (gateway/stats.h) for the snapshot, the caller's key
// (null without auth) and the request (whose rate-limit counters are shown).
using StatsSource = std::function<std::string(const Runtime&, const ClientKey*, const ApiRequest&)>;

struct ApiOptions {
  // Wall clock, injectable for tests (response `created` and rate-limit windows).
  std::function<std::chrono::system_clock::time_point()> clock;
  // When the limiter's store is unreachable: admit (false, default) or answer 503 (true).
  bool fail_closed = false;
  // Streams: the wait for the upstream's first bytes, and between later reads (no total
  // timeout applies to a stream).
  std::chrono::milliseconds stream_first_event{60'000};
  std::chrono::milliseconds stream_idle{60'000};
  // The worker's metrics shard (null: nothing is counted).
  metrics::Shard* metrics = nullptr;
  // GET /metrics on the API's port: the exposition (null: 404, e.g. with --metrics-port).
  std::function<std::string()> scrape;
  // Token and spend counters shared by the workers (null: this Api keeps its own in memory).
  Ledger* ledger = nullptr;
  // The web console at /ui (false: --no-ui, /ui is 404).
  bool ui = true;
  // GET /api/2.0/gateway/stats (null: 404).
  StatsSource stats;
};

// A scrape's answer: the exposition with its content type.
ApiResponse metrics_response(std::string text);

class Api {
 public:
  // `limiter` holds or reaches the rate-limit counters (shared by every worker: in-memory
  // counters are per endpoint, not per thread).
  Api(std::shared_ptr<RuntimeHolder> runtime, UpstreamClient& upstream, Limiter& limiter,
      ApiOptions options = {});

  boost::asio::awaitable<ApiResponse> handle(ApiRequest request);

 private:
  // An invocation route (MLflow or /v1), with its response headers and access-log facts.
  boost::asio::awaitable<ApiResponse> invocation(const Runtime& rt, const RouteMatch& m,
                                                 const ApiRequest& req, const ClientKey* caller);
  // The caller's admission (key limits, budgets), then the resilience chain.
  boost::asio::awaitable<ApiResponse> serve_chain(const Runtime& rt, const EndpointRuntime& ep,
                                                  Payload payload, Invocation& inv);
  // POST /endpoints/{name}/invocations (and /gateway/...): the name is known to exist.
  boost::asio::awaitable<ApiResponse> invoke_named(const Runtime& rt, const std::string& name,
                                                   Invocation& inv);
  // POST /v1/...: the body's `model` names an endpoint or route of type `want`.
  boost::asio::awaitable<ApiResponse> invoke_v1(const Runtime& rt, config::EndpointType want,
                                                Invocation& inv);

  // GET /metrics on the API's port (404 when the exposition has its own port).
  ApiResponse metrics_page() const;
  // GET /api/2.0/gateway/stats (404 when the server gives no stats).
  ApiResponse stats_page(const Runtime& rt, const ClientKey* caller, const ApiRequest& req) const;

  std::shared_ptr<RuntimeHolder> runtime_;
  std::unique_ptr<Ledger> own_ledger_;  // when ApiOptions::ledger is null
  AwsAuth aws_;  // signs Bedrock requests; caches STS credentials for this worker
  Services services_;
  std::function<std::string()> scrape_;
  bool ui_;
  StatsSource stats_;
};

}  // namespace gw
