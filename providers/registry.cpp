// make_adapter: the one place that maps a provider to its adapter: a switch over the
// catalogue's ProviderId (config/provider_catalogue.h) without a default, so a provider that
// is added but not handled here does not compile.
#include <stdexcept>

#include "providers/mock.h"
#include "providers/openai.h"
#include "providers/providers.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

// The endpoint's settings as `S`. The loader builds the settings the catalogue row names, so a
// mismatch is a programming error (a hand-built EndpointConfig), never a config error.
template <class S>
const S& settings_of(const config::EndpointConfig& endpoint) {
  const S* s = std::get_if<S>(&endpoint.model.settings);
  if (!s)
    throw std::logic_error("endpoint '" + endpoint.name + "': provider '" +
                           endpoint.model.provider + "' has settings of another provider");
  return *s;
}

}  // namespace

std::shared_ptr<const Adapter> make_adapter(const config::EndpointConfig& endpoint) {
  using config::ProviderId;
  const ModelName& model = endpoint.model.name;
  auto http = [&] { return settings_of<config::HttpProviderSettings>(endpoint); };
  // No default: a ProviderId without a case does not compile (-Werror=switch).
  switch (endpoint.model.id) {
    case ProviderId::OpenAI:
    case ProviderId::OpenAICompatible:
    case ProviderId::Ollama:
    case ProviderId::Groq:
    case ProviderId::DeepSeek:
    case ProviderId::XAI:
    case ProviderId::OpenRouter:
    case ProviderId::Fireworks:
      return std::make_shared<OpenAIAdapter>(settings_of<config::OpenAISettings>(endpoint), model);
    case ProviderId::Mock:
      return std::make_shared<MockAdapter>(settings_of<config::MockSettings>(endpoint), model);
    case ProviderId::Bedrock:
    case ProviderId::AmazonBedrock:
      return make_bedrock_adapter(settings_of<config::BedrockSettings>(endpoint), model);
    case ProviderId::Anthropic:
      return make_anthropic_adapter(http(), model);
    case ProviderId::Gemini:
      return make_gemini_adapter(http(), model);
    case ProviderId::Cohere:
      return make_cohere_adapter(http(), model);
    case ProviderId::Mistral:
      return make_mistral_adapter(http(), model);
    case ProviderId::TogetherAI:
      return make_togetherai_adapter(http(), model);
    case ProviderId::HuggingFaceTgi:
      return make_tgi_adapter(http(), model);
    case ProviderId::MlflowModelServing:
      return make_model_serving_adapter(http(), model);
    case ProviderId::AI21Labs:
      return make_ai21labs_adapter(http(), model);
    case ProviderId::PaLM:
      return make_palm_adapter(http(), model);
    case ProviderId::MosaicML:
      return make_mosaicml_adapter(http(), model);
  }
  throw std::logic_error("unknown provider id");
}

}  // namespace gw
