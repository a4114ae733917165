// The JSON type used across the gateway. ordered_json keeps insertion order, so responses keep
// MLflow's field order (id, object, created, model, choices, usage) and forwarded extras keep
// the client's order.
#pragma once

#include <nlohmann/json.hpp>

namespace gw {
using Json = nlohmann::ordered_json;
}  // namespace gw

namespace gw {
// Serialises compactly (MLflow's separators). Invalid UTF-8 in strings is replaced with U+FFFD
// instead of throwing, so client-supplied text can never turn a response into an exception.
inline std::string to_text(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}
}  // namespace gw
