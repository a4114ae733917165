#include "config/provider_catalogue.h"

#include <array>
#include <cctype>

namespace gw::config {
namespace {

using K = SettingsKind;
using P = ProviderId;

// Default base URLs and served endpoint types from each provider's API documentation and from
// MLflow (docs/mlflow-compatibility.md §6). The `<provider>_api_base` overrides of the native
// providers are ours (docs/deviations.md); TGI and MLflow model serving have only their
// server URL. Columns after the fields: chat, chat stream, completions, completions stream,
// embeddings.
constexpr std::array<ProviderInfo, 21> kProviders{{
    {P::OpenAI, "openai", "OPENAI", "OpenAI", K::OpenAI, "", "", "", true, true, true, true, true,
     true},
    {P::Anthropic, "anthropic", "ANTHROPIC", "Anthropic", K::Http, "anthropic_api_key",
     "anthropic_api_base", "https://api.anthropic.com/v1", true, true, true, true, true, false},
    {P::Gemini, "gemini", "GEMINI", "Gemini", K::Http, "gemini_api_key", "gemini_api_base",
     "https://generativelanguage.googleapis.com/v1beta/models", true, true, true, true, true, true},
    {P::Cohere, "cohere", "COHERE", "Cohere", K::Http, "cohere_api_key", "cohere_api_base",
     "https://api.cohere.ai/v1", true, true, true, true, true, true},
    {P::Mistral, "mistral", "MISTRAL", "Mistral", K::Http, "mistral_api_key", "mistral_api_base",
     "https://api.mistral.ai/v1", true, true, true, true, true, true},
    {P::TogetherAI, "togetherai", "TOGETHERAI", "TogetherAI", K::Http, "togetherai_api_key",
     "togetherai_api_base", "https://api.together.xyz/v1", true, true, true, true, true, true},
    {P::HuggingFaceTgi, "huggingface-text-generation-inference",
     "HUGGINGFACE_TEXT_GENERATION_INFERENCE", "Hugging Face Text Generation Inference", K::Http, "",
     "hf_server_url", "", false, false, false, true, false, false},
    {P::MlflowModelServing, "mlflow-model-serving", "MLFLOW_MODEL_SERVING", "MLflow Model Serving",
     K::Http, "", "model_server_url", "", false, true, false, true, false, true},
    {P::AI21Labs, "ai21labs", "AI21LABS", "AI21Labs", K::Http, "ai21labs_api_key",
     "ai21labs_api_base", "https://api.ai21.com/studio/v1", true, false, false, true, false, false},
    {P::PaLM, "palm", "PALM", "PaLM", K::Http, "palm_api_key", "palm_api_base",
     "https://generativelanguage.googleapis.com/v1beta3/models", true, true, false, true, false,
     true},
    {P::MosaicML, "mosaicml", "MOSAICML", "MosaicML", K::Http, "mosaicml_api_key",
     "mosaicml_api_base", "https://models.hosted-on.mosaicml.hosting", true, true, false, true,
     false, true},
    {P::Bedrock, "bedrock", "BEDROCK", "Amazon Bedrock", K::Bedrock, "", "", "", true, true, true,
     true, false, false},
    {P::AmazonBedrock, "amazon-bedrock", "AMAZON_BEDROCK", "Amazon Bedrock", K::Bedrock, "", "", "",
     true, true, true, true, false, false},
    {P::Mock, "mock", "MOCK", "Mock", K::Mock, "", "", "", false, true, true, true, true, true},
    // The OpenAI-compatible family (docs/providers.md): streaming goes with every type served
    // except embeddings.
    {P::OpenAICompatible, "openai-compatible", "OPENAI_COMPATIBLE", "OpenAI", K::Compatible,
     "api_key", "api_base", "", false, true, true, true, true, true},
    {P::Ollama, "ollama", "OLLAMA", "OpenAI", K::Compatible, "ollama_api_key", "ollama_api_base",
     "http://localhost:11434/v1", false, true, true, true, true, true},
    {P::Groq, "groq", "GROQ", "OpenAI", K::Compatible, "groq_api_key", "groq_api_base",
     "https://api.groq.com/openai/v1", true, true, true, false, false, false},
    {P::DeepSeek, "deepseek", "DEEPSEEK", "OpenAI", K::Compatible, "deepseek_api_key",
     "deepseek_api_base", "https://api.deepseek.com/v1", true, true, true, false, false, false},
    {P::XAI, "xai", "XAI", "OpenAI", K::Compatible, "xai_api_key", "xai_api_base",
     "https://api.x.ai/v1", true, true, true, false, false, false},
    {P::OpenRouter, "openrouter", "OPENROUTER", "OpenAI", K::Compatible, "openrouter_api_key",
     "openrouter_api_base", "https://openrouter.ai/api/v1", true, true, true, true, true, false},
    {P::Fireworks, "fireworks", "FIREWORKS", "OpenAI", K::Compatible, "fireworks_api_key",
     "fireworks_api_base", "https://api.fireworks.ai/inference/v1", true, true, true, true, true,
     true},
}};

// MLflow's providers that this gateway does not implement: member -> value.
constexpr std::pair<std::string_view, std::string_view> kKnownOnly[] = {
    {"LITELLM", "litellm"},
    {"DATABRICKS", "databricks"},
    {"DATABRICKS_MODEL_SERVING", "databricks-model-serving"},
};

// Rows are in ProviderId order, so provider_info() is an index.
constexpr bool rows_in_id_order() {
  for (std::size_t i = 0; i < kProviders.size(); ++i)
    if (static_cast<std::size_t>(kProviders[i].id) != i) return false;
  return true;
}
static_assert(rows_in_id_order(), "kProviders rows must follow the ProviderId order");
static_assert(kProviders.size() == static_cast<std::size_t>(ProviderId::Fireworks) + 1,
              "every ProviderId has a row");

}  // namespace

std::span<const ProviderInfo> all_providers() { return kProviders; }

const ProviderInfo& provider_info(ProviderId id) {
  return kProviders[static_cast<std::size_t>(id)];
}

const ProviderInfo* find_provider(std::string_view canonical) {
  for (const auto& p : kProviders)
    if (p.provider == canonical) return &p;
  return nullptr;
}

std::optional<std::string> canonical_provider(std::string_view name) {
  std::string key(name);
  for (char& c : key)
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& p : kProviders)
    if (key == p.member) return std::string(p.provider);
  for (const auto& [member, value] : kKnownOnly)
    if (key == member) return std::string(value);
  return std::nullopt;
}

const CompatiblePreset* compatible_preset(std::string_view canonical) {
  const ProviderInfo* p = find_provider(canonical);
  return p && p->settings == SettingsKind::Compatible ? p : nullptr;
}

const HttpProviderFields* http_provider_fields(std::string_view canonical) {
  const ProviderInfo* p = find_provider(canonical);
  return p && p->settings == SettingsKind::Http ? p : nullptr;
}

}  // namespace gw::config
