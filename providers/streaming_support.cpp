#include "providers/streaming_support.h"

#include <string>

namespace gw {

GatewayError streaming_not_supported(bool chat, std::string_view display_name) {
  return GatewayError::make(501,
                            std::string("The ") + (chat ? "chat" : "completions") +
                                " streaming route is not implemented for " +
                                std::string(display_name) + " models.",
                            "invalid_request_error", "streaming_not_supported");
}

}  // namespace gw
