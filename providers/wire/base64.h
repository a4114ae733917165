// Standard base64 (RFC 4648, with padding), used for page tokens and base64 embeddings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gw {

std::string base64_encode(std::string_view in);
// nullopt unless `in` is canonical padded base64.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace gw
