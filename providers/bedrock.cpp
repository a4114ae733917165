// Placeholder: replaced by the real adapter.
#include "providers/providers.h"

namespace gw {

std::shared_ptr<const Adapter> make_bedrock_adapter(const config::BedrockSettings& s, ModelName model) {
  return make_unimplemented_adapter("Amazon Bedrock");
}

}  // namespace gw
