// Placeholder: replaced by the real adapter.
#include "providers/providers.h"

namespace gw {

std::shared_ptr<const Adapter> make_mosaicml_adapter(const config::HttpProviderSettings& s, ModelName model) {
  return make_unimplemented_adapter("MosaicML");
}

}  // namespace gw
