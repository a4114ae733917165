#include "gateway/stages/resolve.h"

#include <random>

#include "providers/schema.h"

namespace gw {
namespace {

using config::EndpointType;

const char* v1_kind(EndpointType t) {
  switch (t) {
    case EndpointType::Chat:
      return "a chat";
    case EndpointType::Completions:
      return "a completions";
    case EndpointType::Embeddings:
      return "an embeddings";
  }
  return "";
}

}  // namespace

double traffic_draw() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 100.0)(rng);
}

bool is_invocable(const Runtime& rt, const std::string& name) {
  return rt.endpoint(name) != nullptr || rt.route(name) != nullptr;
}

const EndpointRuntime* resolve_name(const Runtime& rt, const std::string& name, double draw) {
  if (const EndpointRuntime* ep = rt.endpoint(name)) return ep;
  const RouteRuntime* route = rt.route(name);
  return route ? route->pick(draw) : nullptr;
}

Result<const EndpointRuntime*> resolve_model(const Runtime& rt, EndpointType want,
                                             const std::string& model, double draw) {
  const EndpointRuntime* ep = rt.endpoint(model);
  const RouteRuntime* route = ep ? nullptr : rt.route(model);
  if (!ep && !route) {
    return GatewayError::make(
        404, "The model '" + model + "' does not exist: no endpoint or route has that name.",
        "invalid_request_error", "model_not_found");
  }
  if ((ep ? ep->config.type : route->config.task_type) != want)
    return GatewayError::make(400,
                              "Endpoint '" + model + "' is not " + v1_kind(want) + " endpoint.");
  return ep ? ep : route->pick(draw);
}

Result<std::string> model_of(EndpointType want, const Json& body) {
  if (!body.is_object()) return validate_request(want, body).take_error();
  auto m = body.find("model");
  if (m == body.end() || m->is_null()) {
    return GatewayError::make(400,
                              "Missing required 'model' parameter in request body: it names the "
                              "endpoint to use",
                              "invalid_request_error");
  }
  if (!m->is_string())
    return GatewayError::make(400, "The 'model' parameter must be a string",
                              "invalid_request_error");
  return m->get<std::string>();
}

}  // namespace gw
