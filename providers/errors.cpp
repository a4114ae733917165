#include "providers/errors.h"

namespace gw {

GatewayError GatewayError::make(int status, std::string message, std::string type,
                                std::string code) {
  GatewayError e;
  e.status = status;
  e.detail = std::move(message);
  e.type = std::move(type);
  e.code = std::move(code);
  return e;
}

GatewayError model_not_permitted() {
  return GatewayError::make(422,
                            "The parameter 'model' is not permitted to be passed. The route being "
                            "queried already defines a model instance.");
}

std::string GatewayError::message() const {
  if (detail.is_string()) return detail.get<std::string>();
  if (detail.is_array()) {
    // A 422 list: "body.messages: Field required; body.temperature: Input should be ..."
    std::string out;
    for (const auto& item : detail) {
      if (!out.empty()) out += "; ";
      if (item.is_object() && item.contains("msg")) {
        std::string loc;
        if (item.contains("loc") && item["loc"].is_array()) {
          for (const auto& part : item["loc"]) {
            if (!loc.empty()) loc += '.';
            loc += part.is_string() ? part.get<std::string>() : to_text(part);
          }
        }
        out += loc.empty() ? "" : loc + ": ";
        out += item["msg"].is_string() ? item["msg"].get<std::string>() : to_text(item["msg"]);
      } else {
        out += to_text(item);
      }
    }
    return out;
  }
  return to_text(detail);
}

std::string GatewayError::openai_type() const {
  if (!type.empty()) return type;
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

}  // namespace gw
