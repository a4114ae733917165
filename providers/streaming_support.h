// MLflow's answer to `stream: true` on a provider that cannot stream an endpoint type.
#pragma once

#include <string_view>

#include "providers/errors.h"

namespace gw {

// 501 "The chat streaming route is not implemented for <display_name> models." (`chat` false:
// "completions"), with OpenAI's `invalid_request_error` / `streaming_not_supported` on /v1/*.
GatewayError streaming_not_supported(bool chat, std::string_view display_name);

}  // namespace gw
