#include "gateway/api.h"

#include <boost/asio.hpp>

#include "gateway/mlflow_routes.h"
#include "gateway/router.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/call.h"
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

}  // namespace

Api::Api(std::shared_ptr<RuntimeHolder> runtime, UpstreamClient& upstream, Limiter& limiter,
         ApiOptions options)
    : runtime_(std::move(runtime)),
      aws_(upstream, options.clock ? options.clock : system_now),
      services_{upstream,
                limiter,
                aws_,
                options.clock ? options.clock : system_now,
                options.fail_closed,
                options.stream_first_event,
                options.stream_idle} {}

net::awaitable<ApiResponse> Api::invoke_named(const Runtime& rt, const std::string& name,
                                              Invocation& inv) {
  const EndpointRuntime* ep = resolve_name(rt, name, traffic_draw());
  // Fast path: a plain valid body; a `model` is the adapter's to judge (reference path).
  if (auto fast = fast_validate_request(ep->config.type, inv.request.body, false);
      fast && !fast->model) {
    if (auto r = co_await try_fast(*ep, std::move(*fast), inv, services_)) co_return std::move(*r);
  }
  auto body = parse_request_body(inv.request.body);
  if (!body) co_return render_error(body.error(), inv.family);
  co_return co_await invoke(*ep, std::move(*body), inv, services_);
}

net::awaitable<ApiResponse> Api::invoke_v1(const Runtime& rt, EndpointType want, Invocation& inv) {
  // One traffic draw per request: when the fast path resolved the model but declined the body,
  // the reference path serves the same endpoint (a route does not pick twice).
  const EndpointRuntime* picked = nullptr;
  // Fast path: a plain valid body naming an endpoint (or route) of the right type.
  if (auto fast = fast_validate_request(want, inv.request.body, true); fast && fast->model) {
    auto ep = resolve_model(rt, want, *fast->model, traffic_draw());
    if (ep) {
      picked = *ep;
      if (auto r = co_await try_fast(*picked, std::move(*fast), inv, services_))
        co_return std::move(*r);
    }
  }
  auto body = parse_request_body(inv.request.body);
  if (!body) co_return render_error(body.error(), PathFamily::OpenAI);
  if (!picked) {
    auto model = model_of(want, *body);
    if (!model) co_return render_error(model.error(), PathFamily::OpenAI);
    auto ep = resolve_model(rt, want, *model, traffic_draw());
    if (!ep) co_return render_error(ep.error(), PathFamily::OpenAI);
    picked = *ep;
  }
  co_return co_await invoke(*picked, std::move(*body), inv, services_);
}

net::awaitable<ApiResponse> Api::handle(ApiRequest req) {
  // Keep the snapshot for the whole request: a reload never changes a request in flight.
  const std::shared_ptr<const Runtime> rt = runtime_->load();
  RouteMatch m = match_route(route_table(), req.method, req.target);
  // An invocation route exists only for a name the snapshot knows (MLflow registers one route
  // per endpoint): an unknown name is 404 whatever the method.
  if (m.route && m.route->needs_name && !is_invocable(*rt, m.name))
    m.kind = RouteMatch::Kind::NotFound;
  switch (m.kind) {
    case RouteMatch::Kind::NotFound:
      co_return render_error(GatewayError::make(404, "Not Found"), PathFamily::Mlflow);
    case RouteMatch::Kind::MethodNotAllowed:
      co_return render_error(GatewayError::make(405, "Method Not Allowed"), m.route->family);
    case RouteMatch::Kind::Redirect:
      co_return redirect(std::move(m.location));
    case RouteMatch::Kind::Found:
      break;
  }
  const std::string_view query = m.query;
  switch (m.route->id) {
    case RouteId::Health:
      co_return health();
    case RouteId::Root:
      co_return redirect("/docs");
    case RouteId::Docs:
      co_return docs_page(*rt);
    case RouteId::ListEndpoints:
      co_return list_endpoints(*rt, query, false);
    case RouteId::ListLegacyRoutes:
      co_return list_endpoints(*rt, query, true);
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
    case RouteId::Invoke: {
      Invocation inv{req, PathFamily::Mlflow, false, std::nullopt};
      ApiResponse r = co_await invoke_named(*rt, m.name, inv);
      add_limit_headers(r, inv.limit);
      co_return r;
    }
    case RouteId::V1Chat:
    case RouteId::V1Completions:
    case RouteId::V1Embeddings: {
      Invocation inv{req, PathFamily::OpenAI, true, std::nullopt};
      ApiResponse r = co_await invoke_v1(*rt, v1_type(m.route->id), inv);
      add_limit_headers(r, inv.limit);
      co_return r;
    }
  }
  // Not reached: every RouteId returns above, and -Werror=switch keeps it so. A route added to
  // the table without a handler would otherwise end the coroutine without a response.
  co_return render_error(GatewayError::make(500, "Internal Server Error"), PathFamily::Mlflow);
}

}  // namespace gw
