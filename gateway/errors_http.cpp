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

namespace {

Json openai_error(const GatewayError& error) {
  Json e;
  e["message"] = error.message();
  e["type"] = error.openai_type();
  e["param"] = nullptr;
  e["code"] = error.code.empty() ? Json(nullptr) : Json(error.code);
  return e;
}

}  // namespace

ApiResponse render_error(const GatewayError& error, PathFamily family) {
  if (family == PathFamily::Mlflow)
    return json_response(error.status, Json{{"detail", error.detail}});
  Json e = openai_error(error);
  // A single validation problem names its field, as OpenAI's `param` does.
  if (error.detail.is_array() && error.detail.size() == 1 && error.detail[0].contains("loc")) {
    const Json& loc = error.detail[0]["loc"];
    if (loc.is_array() && loc.size() >= 2 && loc[1].is_string()) e["param"] = loc[1];
  }
  return json_response(error.status, Json{{"error", std::move(e)}});
}

ApiResponse render_rate_limited(const std::string& text, PathFamily family) {
  if (family == PathFamily::Mlflow) return json_response(429, Json{{"error", text}});
  return render_error(GatewayError::make(429, text, "rate_limit_error", "rate_limit_exceeded"),
                      PathFamily::OpenAI);
}

std::string render_stream_error(const GatewayError& error) {
  Json e{{"message", error.message()},
         {"type", error.openai_type()},
         {"code", error.code.empty() ? Json(nullptr) : Json(error.code)}};
  return "data: " + to_text(Json{{"error", std::move(e)}}) + "\n\n";
}

void scrub_secrets(Json& j, const std::vector<std::string>& secrets) {
  if (j.is_string()) {
    std::string& s = j.get_ref<std::string&>();
    for (const auto& secret : secrets) {
      if (secret.size() < 4) continue;  // too short to be a key; avoid mangling text
      for (auto pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos + 3))
        s.replace(pos, secret.size(), "***");
    }
  } else if (j.is_structured()) {
    for (auto& item : j) scrub_secrets(item, secrets);
  }
}

}  // namespace gw
