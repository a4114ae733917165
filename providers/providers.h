// Factories for the adapters of docs/mlflow-compatibility.md §6.2–6.12 (one .cpp per provider).
// Tests reach them through make_adapter() (adapter.h) with an EndpointConfig, as the gateway
// does.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "providers/adapter.h"

namespace gw {

using ModelName = std::optional<std::string>;

std::shared_ptr<const Adapter> make_anthropic_adapter(const config::HttpProviderSettings& s,
                                                      ModelName model);
std::shared_ptr<const Adapter> make_gemini_adapter(const config::HttpProviderSettings& s,
                                                   ModelName model);
std::shared_ptr<const Adapter> make_cohere_adapter(const config::HttpProviderSettings& s,
                                                   ModelName model);
std::shared_ptr<const Adapter> make_mistral_adapter(const config::HttpProviderSettings& s,
                                                    ModelName model);
std::shared_ptr<const Adapter> make_togetherai_adapter(const config::HttpProviderSettings& s,
                                                       ModelName model);
std::shared_ptr<const Adapter> make_tgi_adapter(const config::HttpProviderSettings& s,
                                                ModelName model);
std::shared_ptr<const Adapter> make_model_serving_adapter(const config::HttpProviderSettings& s,
                                                          ModelName model);
std::shared_ptr<const Adapter> make_ai21labs_adapter(const config::HttpProviderSettings& s,
                                                     ModelName model);
std::shared_ptr<const Adapter> make_palm_adapter(const config::HttpProviderSettings& s,
                                                 ModelName model);
std::shared_ptr<const Adapter> make_mosaicml_adapter(const config::HttpProviderSettings& s,
                                                     ModelName model);
std::shared_ptr<const Adapter> make_bedrock_adapter(const config::BedrockSettings& s,
                                                    ModelName model);

}  // namespace gw
