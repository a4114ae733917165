#include "gateway/openai_routes.h"

#include <algorithm>
#include <vector>

#include "gateway/errors_http.h"

namespace gw {
namespace {

// {"id", "object": "model", "created", "owned_by"}: `created` is when the configuration was
// loaded (OpenAI's field is the model's creation time, which a gateway does not know).
Json model_object(const std::string& id, const std::string& owned_by, std::int64_t created) {
  return Json{{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", owned_by}};
}

// A traffic route is owned by its destinations' provider when they share one, else "gateway".
std::string route_owner(const RouteRuntime& r) {
  std::string owner;
  for (const auto& [pct, ep] : r.cumulative) {
    const std::string& p = ep->config.model.provider;
    if (!owner.empty() && owner != p) return "gateway";
    owner = p;
  }
  return owner.empty() ? "gateway" : owner;
}

}  // namespace

ApiResponse list_models(const Runtime& rt, const ClientKey* caller) {
  Json data = Json::array();
  for (const auto& ep : rt.endpoints())
    if (!caller || caller->may_use(ep->config.name))
      data.push_back(model_object(ep->config.name, ep->config.model.provider, rt.loaded_at()));
  std::vector<const std::string*> names;
  for (const auto& [name, r] : rt.routes())
    if (!caller || caller->may_use(name)) names.push_back(&name);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* name : names)
    data.push_back(model_object(*name, route_owner(*rt.route(*name)), rt.loaded_at()));
  return json_response(200, Json{{"object", "list"}, {"data", std::move(data)}});
}

ApiResponse get_model(const Runtime& rt, const std::string& name) {
  if (const EndpointRuntime* ep = rt.endpoint(name))
    return json_response(200, model_object(name, ep->config.model.provider, rt.loaded_at()));
  if (const RouteRuntime* r = rt.route(name))
    return json_response(200, model_object(name, route_owner(*r), rt.loaded_at()));
  GatewayError err = GatewayError::make(404, "The model '" + name + "' does not exist",
                                        "invalid_request_error", "model_not_found");
  ApiResponse out = render_error(err, PathFamily::OpenAI);
  return out;
}

}  // namespace gw
