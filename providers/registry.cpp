// make_adapter: the one place that maps provider settings to adapters. ProviderSettings is a
// closed std::variant, so a new provider fails to compile here until it is handled.
#include <type_traits>

#include "providers/mock.h"
#include "providers/openai.h"

namespace gw {

std::shared_ptr<const Adapter> make_adapter(const config::EndpointConfig& endpoint) {
  return std::visit(
      [&](const auto& s) -> std::shared_ptr<const Adapter> {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, config::OpenAISettings>) {
          return std::make_shared<OpenAIAdapter>(s, endpoint.model.name);
        } else {
          static_assert(std::is_same_v<S, config::MockSettings>, "unhandled provider");
          return std::make_shared<MockAdapter>(s, endpoint.model.name);
        }
      },
      endpoint.model.settings);
}

}  // namespace gw
