#include "gateway/mlflow_routes.h"

#include "gateway/errors_http.h"
#include "gateway/router.h"
#include "providers/wire/base64.h"
#include "providers/schema.h"

namespace gw {
namespace {

GatewayError not_present(const char* what, const std::string& name) {
  return GatewayError::make(404, std::string("The ") + what + " '" + name +
                                     "' is not present or active on the server. Please verify "
                                     "the " +
                                     what + " name.");
}

// pydantic's error list for a set_limits body of the wrong shape (empty when it is fine).
Json limits_body_errors(const Json& body) {
  Json errs = Json::array();
  auto add = [&](const char* type, Json loc, const char* msg, const Json& input) {
    errs.push_back(Json{{"type", type}, {"loc", std::move(loc)}, {"msg", msg}, {"input", input}});
  };
  if (!body.is_object()) {
    add("model_attributes_type", Json::array({"body"}),
        "Input should be a valid dictionary or object to extract fields from", body);
    return errs;
  }
  if (!body.contains("route")) {
    add("missing", Json::array({"body", "route"}), "Field required", body);
  } else if (!body["route"].is_string()) {
    add("string_type", Json::array({"body", "route"}), "Input should be a valid string",
        body["route"]);
  }
  if (!body.contains("limits")) {
    add("missing", Json::array({"body", "limits"}), "Field required", body);
  } else if (!body["limits"].is_array()) {
    add("list_type", Json::array({"body", "limits"}), "Input should be a valid list",
        body["limits"]);
  } else {
    const Json& limits = body["limits"];
    for (std::size_t i = 0; i < limits.size(); ++i) {
      if (!limits[i].is_object())
        add("dict_type", Json::array({"body", "limits", i}), "Input should be a valid dictionary",
            limits[i]);
    }
  }
  return errs;
}

}  // namespace

std::string encode_page_token(std::size_t index) {
  return base64_encode("{\"index\": " + std::to_string(index) + "}");
}

std::optional<std::size_t> decode_page_token(std::string_view token) {
  auto raw = base64_decode(token);
  if (!raw) return std::nullopt;
  Json j = parse_json(*raw);
  if (!j.is_object() || !j.contains("index") || !j["index"].is_number_integer())
    return std::nullopt;
  auto idx = j["index"].get<std::int64_t>();
  if (idx < 0) return std::nullopt;
  return static_cast<std::size_t>(idx);
}

ApiResponse health() { return json_response(200, Json{{"status", "OK"}}); }

ApiResponse redirect(std::string location) {
  ApiResponse r = json_response(307, Json(nullptr));
  r.body.clear();
  r.content_type.clear();
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

ApiResponse list_endpoints(const Runtime& rt, std::string_view query, bool legacy,
                           const ClientKey* caller) {
  std::size_t start = 0;
  const std::string token = query_param(query, "page_token");
  if (!token.empty()) {
    auto idx = decode_page_token(token);
    if (!idx)
      return render_error(GatewayError::make(400, "Invalid page_token '" + token + "'"),
                          PathFamily::Mlflow);
    start = *idx;
  }
  std::vector<const EndpointRuntime*> all;
  all.reserve(rt.endpoints().size());
  for (const auto& ep : rt.endpoints())
    if (!caller || caller->may_use(ep->config.name)) all.push_back(ep.get());
  Json items = Json::array();
  const std::size_t end = std::min(all.size(), start + kListPageSize);
  for (std::size_t i = start; i < end; ++i)
    items.push_back(legacy ? all[i]->legacy_info : all[i]->info);
  Json next = end < all.size() ? Json(encode_page_token(end)) : Json(nullptr);
  return json_response(200, Json{{legacy ? "routes" : "endpoints", std::move(items)},
                                 {"next_page_token", std::move(next)}});
}

ApiResponse get_endpoint(const Runtime& rt, const std::string& name) {
  const EndpointRuntime* ep = rt.endpoint(name);
  if (!ep) return render_error(not_present("endpoint", name), PathFamily::Mlflow);
  return json_response(200, ep->info);
}

ApiResponse get_legacy_route(const Runtime& rt, const std::string& name) {
  const EndpointRuntime* ep = rt.endpoint(name);
  if (!ep) return render_error(not_present("route", name), PathFamily::Mlflow);
  return json_response(200, ep->legacy_info);
}

ApiResponse get_traffic_route(const Runtime& rt, const std::string& name) {
  const RouteRuntime* r = rt.route(name);
  if (!r) return render_error(not_present("route", name), PathFamily::Mlflow);
  return json_response(200, r->info);
}

ApiResponse set_limits(const std::string& body_text) {
  auto body = parse_request_body(body_text);
  if (!body) return render_error(body.error(), PathFamily::Mlflow);
  Json errs = limits_body_errors(*body);
  GatewayError e = errs.empty()
                       ? GatewayError::make(501, "The set_limits API is not available yet.")
                       : GatewayError{422, std::move(errs)};
  return render_error(e, PathFamily::Mlflow);
}

ApiResponse get_limits() {
  return render_error(GatewayError::make(501, "The get_limits API is not available yet."),
                      PathFamily::Mlflow);
}

}  // namespace gw
