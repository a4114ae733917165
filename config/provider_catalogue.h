// The provider catalogue: one row per provider this gateway knows, with everything the config
// loader, the adapter factory and the API need to know about it (docs/providers.md): MLflow's
// name for it, the keys of its `model.config`, its default base URL, which endpoint types it
// serves and streams, and its display name in MLflow's messages.
//
// Adding a provider: a ProviderId, its row in provider_catalogue.cpp, its adapter files, and a
// `case` in make_adapter() (providers/registry.cpp), which switches over ProviderId without a
// default, so a provider that is added but not handled does not compile (-Werror=switch).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gw::config {

enum class EndpointType { Completions, Chat, Embeddings };

enum class ProviderId : std::uint8_t {
  OpenAI,
  Anthropic,
  Gemini,
  Cohere,
  Mistral,
  TogetherAI,
  HuggingFaceTgi,
  MlflowModelServing,
  AI21Labs,
  PaLM,
  MosaicML,
  Bedrock,
  AmazonBedrock,
  Mock,
  OpenAICompatible,
  Ollama,
  Groq,
  DeepSeek,
  XAI,
  OpenRouter,
  Fireworks,
};

// Which settings struct (config.h) a provider's `model.config` becomes.
enum class SettingsKind : std::uint8_t {
  OpenAI,      // OpenAISettings, openai_* keys (OpenAI and Azure)
  Compatible,  // OpenAISettings from <provider>_api_key / _api_base (the OpenAI-compatible family)
  Http,        // HttpProviderSettings: an API key and a base URL
  Bedrock,     // BedrockSettings
  Mock,        // MockSettings
};

struct ProviderInfo {
  ProviderId id;
  std::string_view provider;  // canonical name, as the API reports it ("amazon-bedrock")
  std::string_view member;    // MLflow's Provider enum member, the lookup key ("AMAZON_BEDROCK")
  std::string_view display;   // MLflow's display name, used in 501 texts ("Amazon Bedrock")
  SettingsKind settings;
  // Compatible and Http: the key and base URL fields of model.config. An empty key_field: no
  // key (TGI, MLflow model serving); an empty default_base: base_field is required.
  std::string_view key_field;
  std::string_view base_field;
  std::string_view default_base;
  bool key_required;  // Compatible: the key must be given (Http: whenever key_field is set)
  bool chat, chat_stream, completions, completions_stream, embeddings;

  bool serves(EndpointType t) const {
    return t == EndpointType::Chat          ? chat
           : t == EndpointType::Completions ? completions
                                            : embeddings;
  }
  bool streams(EndpointType t) const {
    return t == EndpointType::Chat ? chat_stream
                                   : t == EndpointType::Completions && completions_stream;
  }
};

// Views of the catalogue under the names the loader and the tests use.
using ProviderCapabilities = ProviderInfo;
using CompatiblePreset = ProviderInfo;
using HttpProviderFields = ProviderInfo;

// Every implemented provider, in docs order.
std::span<const ProviderInfo> all_providers();
const ProviderInfo& provider_info(ProviderId id);
// By canonical name; nullptr for providers this gateway does not implement (litellm,
// databricks...) or does not know.
const ProviderInfo* find_provider(std::string_view canonical);

// Provider-name normalisation, as MLflow's Provider enum does it: '-' -> '_', case-insensitive,
// looked up by member name. Returns the canonical value ("openai", "amazon-bedrock") or nullopt
// when the name is not a provider at all. Providers MLflow knows and this gateway does not
// implement (litellm, databricks, databricks-model-serving) are returned too; find_provider()
// tells them apart.
std::optional<std::string> canonical_provider(std::string_view name);

// Compatibility views (nullptr unless the provider has that role).
inline const ProviderCapabilities* provider_capabilities(std::string_view canonical) {
  return find_provider(canonical);
}
inline std::span<const ProviderInfo> all_provider_capabilities() { return all_providers(); }
const CompatiblePreset* compatible_preset(std::string_view canonical);
const HttpProviderFields* http_provider_fields(std::string_view canonical);

}  // namespace gw::config
