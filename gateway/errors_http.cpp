#include "gateway/errors_http.h"

namespace gw {

ApiResponse json_response(int status, const Json& body) {
  ApiResponse r;
  r.status = status;
  r.body = to_text(body);
  return r;
}

PathFamily family_of(std::string_view target) {
  return target.substr(0, 4) == "/v1/" ? PathFamily::OpenAI : PathFamily::Mlflow;
}

ApiResponse render_error(const GatewayError& error, PathFamily family) {
  if (family == PathFamily::Mlflow) return json_response(error.status, Json{{"detail", error.detail}});
  Json e;
  e["message"] = error.message();
  e["type"] = error.openai_type();
  e["param"] = nullptr;
  e["code"] = error.code.empty() ? Json(nullptr) : Json(error.code);
  // A single validation problem names its field, as OpenAI's `param` does.
  if (error.detail.is_array() && error.detail.size() == 1 && error.detail[0].contains("loc")) {
    const Json& loc = error.detail[0]["loc"];
    if (loc.is_array() && loc.size() >= 2 && loc[1].is_string()) e["param"] = loc[1];
  }
  return json_response(error.status, Json{{"error", std::move(e)}});
}

}  // namespace gw
