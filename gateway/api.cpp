#include "gateway/api.h"

#include <boost/asio.hpp>

#include "gateway/apidocs.h"
#include "gateway/console.h"
#include "gateway/http_text.h"
#include "gateway/metrics.h"
#include "gateway/mlflow_routes.h"
#include "gateway/openai_routes.h"
#include "gateway/router.h"
#include "gateway/stages/access.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/chain.h"
#include "gateway/stages/resolve.h"
#include "providers/fast_path.h"
#include "providers/schema.h"

namespace gw {

namespace net = boost::asio;
using config::EndpointType;

namespace {

std::chrono::system_clock::time_point system_now() { return std::chrono::system_clock::now(); }

EndpointType v1_type(RouteId id) {
  return id == RouteId::V1Chat          ? EndpointType::Chat
         : id == RouteId::V1Completions ? EndpointType::Completions
                                        : EndpointType::Embeddings;
}

// The response headers every invocation carries (docs/resilience.md), and its attempts for
// the access log.
void finish_invocation(ApiResponse& r, const Invocation& inv) {
  add_limit_headers(r, inv.limit);
  if (r.status < 400 && !r.streamed) add_token_headers(r.headers, inv);
  add_gateway_headers(r.headers, inv);
  r.attempts = attempts_text(inv);
  r.invocation = invocation_facts(inv);
  if (r.invocation && inv.caller) r.invocation->key = inv.caller->config.name;
}

// Routes whose path names an endpoint or traffic route: a key may only name its own.
bool names_endpoint(RouteId id) {
  return id == RouteId::Invoke || id == RouteId::GetEndpoint || id == RouteId::GetLegacyRoute ||
         id == RouteId::GetTrafficRoute || id == RouteId::GetLimits || id == RouteId::V1Model;
}

// Routes every client may reach, with or without a key: /health, and the console's files
// (the page asks for the key itself; they hold no data).
bool open_route(RouteId id) {
  return id == RouteId::Health || id == RouteId::Console || id == RouteId::ConsoleRedirect;
}

// With `auth`, every route but /health needs a valid key (docs/access-and-budgets.md); a name
// the key may not use is 403 whether it exists or not, so this comes before the 404s. Sets
// `caller`; the answer when the request is refused.
std::optional<ApiResponse> authorize(const Runtime& rt, const RouteMatch& m, const ApiRequest& req,
                                     const ClientKey*& caller) {
  const AccessRuntime* access = rt.access();
  if (!access || (m.route && open_route(m.route->id))) return std::nullopt;
  const std::string_view key = presented_key(*access, req);
  caller = key.empty() ? nullptr : match_key(*access, key);
  if (!caller) return unauthenticated(family_of(req.target), !key.empty());
  const bool named = m.route && names_endpoint(m.route->id);
  if (named && m.kind != RouteMatch::Kind::NotFound && !caller->may_use(m.name))
    return forbidden(m.route->family);
  return std::nullopt;
}

// The answer when no route was found: 404, 405 for a known path with another method, or the
// trailing-slash redirect; nullopt when a route was found.
std::optional<ApiResponse> unmatched(RouteMatch& m) {
  switch (m.kind) {
    case RouteMatch::Kind::NotFound:
      return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
    case RouteMatch::Kind::MethodNotAllowed:
      return render_error(GatewayError::make(405, "Method Not Allowed"), m.route->family);
    case RouteMatch::Kind::Redirect:
      return redirect(std::move(m.location));
    case RouteMatch::Kind::Found:
      break;
  }
  return std::nullopt;
}

}  // namespace

ApiResponse metrics_response(std::string text) {
  ApiResponse r;
  r.content_type = std::string(metrics::kContentType);
  r.body = std::move(text);
  return r;
}

Api::Api(std::shared_ptr<RuntimeHolder> runtime, UpstreamClient& upstream, Limiter& limiter,
         ApiOptions options)
    : runtime_(std::move(runtime)),
      own_ledger_(options.ledger
                      ? nullptr
                      : std::make_unique<MemoryLedger>(std::make_shared<MemoryLedgerStore>(),
                                                       options.clock ? options.clock : system_now)),
      aws_(upstream, options.clock ? options.clock : system_now),
      services_{upstream,
                limiter,
                aws_,
                options.clock ? options.clock : system_now,
                options.fail_closed,
                options.stream_first_event,
                options.stream_idle,
                options.metrics},
      scrape_(std::move(options.scrape)),
      ui_(options.ui),
      stats_(std::move(options.stats)) {
  services_.ledger = options.ledger ? options.ledger : own_ledger_.get();
}

net::awaitable<ApiResponse> Api::serve_chain(const Runtime& rt, const EndpointRuntime& ep,
                                             Payload payload, Invocation& inv) {
  if (auto refused = co_await admit_caller(rt, inv, services_)) co_return std::move(*refused);
  co_return co_await run_chain(ep, std::move(payload), inv, services_);
}

ApiResponse Api::stats_page(const Runtime& rt, const ClientKey* caller,
                            const ApiRequest& req) const {
  if (!stats_) return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
  ApiResponse r;
  r.body = stats_(rt, caller, req);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

ApiResponse Api::metrics_page() const {
  // With --metrics-port the exposition is served on that listener only.
  if (!scrape_) return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
  return metrics_response(scrape_());
}

net::awaitable<ApiResponse> Api::invoke_named(const Runtime& rt, const std::string& name,
                                              Invocation& inv) {
  const EndpointRuntime* ep = resolve_name(rt, name, traffic_draw());
  inv.answered_by = ep->config.name;  // X-Gateway-Endpoint, even for a 422
  inv.answered = ep;
  // Fast path: a plain valid body; a `model` is the adapter's to judge (reference path).
  if (auto fast = fast_validate_request(ep->config.type, inv.request.body, false);
      fast && !fast->model) {
    co_return co_await serve_chain(
        rt, *ep, Payload::serialized(std::move(fast->payload), fast->stream), inv);
  }
  auto body = parse_request_body(inv.request.body);
  if (!body) co_return render_error(body.error(), inv.family);
  auto validated = validate_request(ep->config.type, std::move(*body));
  if (!validated) co_return render_error(validated.error(), inv.family);
  co_return co_await serve_chain(
      rt, *ep, Payload::parsed(std::move(validated->payload), validated->stream), inv);
}

net::awaitable<ApiResponse> Api::invoke_v1(const Runtime& rt, EndpointType want, Invocation& inv) {
  // Fast path: a plain valid body naming an endpoint (or route) of the right type. A model
  // that does not resolve takes the reference path, which words the error.
  if (auto fast = fast_validate_request(want, inv.request.body, true); fast && fast->model) {
    if (inv.caller && !inv.caller->may_use(*fast->model)) co_return forbidden(PathFamily::OpenAI);
    if (auto ep = resolve_model(rt, want, *fast->model, traffic_draw())) {
      co_return co_await serve_chain(
          rt, **ep, Payload::serialized(std::move(fast->payload), fast->stream), inv);
    }
  }
  auto body = parse_request_body(inv.request.body);
  if (!body) co_return render_error(body.error(), PathFamily::OpenAI);
  auto model = model_of(want, *body);
  if (!model) co_return render_error(model.error(), PathFamily::OpenAI);
  if (inv.caller && !inv.caller->may_use(*model)) co_return forbidden(PathFamily::OpenAI);
  auto ep = resolve_model(rt, want, *model, traffic_draw());
  if (!ep) co_return render_error(ep.error(), PathFamily::OpenAI);
  inv.answered_by = (*ep)->config.name;  // X-Gateway-Endpoint, even for a 422
  inv.answered = *ep;
  auto validated = validate_request(want, std::move(*body));
  if (!validated) co_return render_error(validated.error(), PathFamily::OpenAI);
  validated->payload.erase("model");  // it selected the endpoint
  co_return co_await serve_chain(
      rt, **ep, Payload::parsed(std::move(validated->payload), validated->stream), inv);
}

net::awaitable<ApiResponse> Api::invocation(const Runtime& rt, const RouteMatch& m,
                                            const ApiRequest& req, const ClientKey* caller) {
  const bool v1 = m.route->id != RouteId::Invoke;
  Invocation inv{req, v1 ? PathFamily::OpenAI : PathFamily::Mlflow, v1, std::nullopt};
  inv.caller = caller;
  ApiResponse r;
  if (v1) {
    r = co_await invoke_v1(rt, v1_type(m.route->id), inv);
  } else {
    r = co_await invoke_named(rt, m.name, inv);
  }
  finish_invocation(r, inv);
  co_await charge(rt, inv, r, services_);
  co_return r;
}

net::awaitable<ApiResponse> Api::handle(ApiRequest req) {
  // Keep the snapshot for the whole request: a reload never changes a request in flight.
  const std::shared_ptr<const Runtime> rt = runtime_->load();
  RouteMatch m = match_route(route_table(), req.method, req.target);
  const ClientKey* caller = nullptr;
  if (auto refused = authorize(*rt, m, req, caller)) co_return std::move(*refused);
  // An invocation route exists only for a name the snapshot knows (MLflow registers one route
  // per endpoint): an unknown name is 404 whatever the method.
  if (m.route && m.route->needs_name && !is_invocable(*rt, m.name))
    m.kind = RouteMatch::Kind::NotFound;
  if (auto answer = unmatched(m)) co_return std::move(*answer);
  switch (m.route->id) {
    case RouteId::Health:
      co_return health();
    case RouteId::Root:
    case RouteId::Docs:
    case RouteId::Redoc:
    case RouteId::OpenApi:
    case RouteId::Favicon:
    case RouteId::StaticAsset:
      co_return api_docs_response(*m.route, m.name);
    case RouteId::ListEndpoints:
    case RouteId::ListLegacyRoutes:
      co_return list_endpoints(*rt, m.query, m.route->id == RouteId::ListLegacyRoutes, caller);
    case RouteId::SetLimits:
      co_return set_limits(req.body);
    case RouteId::GetLimits:
      co_return get_limits();
    case RouteId::GetEndpoint:
      co_return get_endpoint(*rt, m.name);
    case RouteId::GetLegacyRoute:
      co_return get_legacy_route(*rt, m.name);
    case RouteId::GetTrafficRoute:
      co_return get_traffic_route(*rt, m.name);
    case RouteId::V1Models:
      co_return list_models(*rt, caller);
    case RouteId::V1Model:
      co_return get_model(*rt, m.name);
    case RouteId::Metrics:
      co_return metrics_page();
    case RouteId::Usage:
      co_return co_await usage_report(*rt, caller, m.query, services_);
    case RouteId::Stats:
      co_return stats_page(*rt, caller, req);
    case RouteId::ConsoleRedirect:
    case RouteId::Console:
      if (!ui_) break;
      co_return console_response(route_path(m.route->pattern, m.name),
                                 header_value(req.headers, "accept-encoding"));
    case RouteId::Invoke:
    case RouteId::V1Chat:
    case RouteId::V1Completions:
    case RouteId::V1Embeddings:
      co_return co_await invocation(*rt, m, req, caller);
  }
  // Reached only by a route that is switched off (--no-ui). Every other RouteId returns above,
  // and -Werror=switch keeps it so.
  co_return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
}

}  // namespace gw
