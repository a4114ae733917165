// make_adapter: the one place that maps provider settings to adapters. ProviderSettings is a
// closed std::variant, so a new provider fails to compile here until it is handled.
#include <type_traits>

#include "providers/mock.h"
#include "providers/openai.h"
#include "providers/providers.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

class UnimplementedAdapter final : public Adapter {
 public:
  explicit UnimplementedAdapter(std::string name) : name_(std::move(name)) {}
  std::string_view display_name() const override { return name_; }
  Result<Call> prepare(const RequestContext& ctx, Json) const override {
    return GatewayError::make(501, "The " + std::string(config::to_string(ctx.type)) +
                                       " route is not implemented for " + name_ + " models.");
  }

 protected:
  Result<Json> translate(const RequestContext&, Json) const override {
    return malformed_upstream("not implemented");
  }

 private:
  std::string name_;
};

}  // namespace

std::shared_ptr<const Adapter> make_unimplemented_adapter(std::string display_name) {
  return std::make_shared<UnimplementedAdapter>(std::move(display_name));
}

std::shared_ptr<const Adapter> make_adapter(const config::EndpointConfig& endpoint) {
  const std::string& provider = endpoint.model.provider;
  const ModelName& model = endpoint.model.name;
  return std::visit(
      [&](const auto& s) -> std::shared_ptr<const Adapter> {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, config::OpenAISettings>) {
          return std::make_shared<OpenAIAdapter>(s, model);
        } else if constexpr (std::is_same_v<S, config::MockSettings>) {
          return std::make_shared<MockAdapter>(s, model);
        } else if constexpr (std::is_same_v<S, config::BedrockSettings>) {
          return make_bedrock_adapter(s, model);
        } else {
          static_assert(std::is_same_v<S, config::HttpProviderSettings>, "unhandled provider");
          if (provider == "anthropic") return make_anthropic_adapter(s, model);
          if (provider == "gemini") return make_gemini_adapter(s, model);
          if (provider == "cohere") return make_cohere_adapter(s, model);
          if (provider == "mistral") return make_mistral_adapter(s, model);
          if (provider == "togetherai") return make_togetherai_adapter(s, model);
          if (provider == "huggingface-text-generation-inference") return make_tgi_adapter(s, model);
          if (provider == "mlflow-model-serving") return make_model_serving_adapter(s, model);
          if (provider == "ai21labs") return make_ai21labs_adapter(s, model);
          if (provider == "palm") return make_palm_adapter(s, model);
          if (provider == "mosaicml") return make_mosaicml_adapter(s, model);
          return make_unimplemented_adapter(provider);
        }
      },
      endpoint.model.settings);
}

}  // namespace gw
