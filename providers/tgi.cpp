// Hugging Face Text Generation Inference (docs/mlflow-compatibility.md §6.7, provider
// `huggingface-text-generation-inference`): completions only, no streaming.
//
// Request: POST <hf_server_url>/generate with only `Content-Type: application/json`, body
// {"inputs": <prompt>, "parameters": {...payload, max_tokens -> max_new_tokens,
// "temperature": max(50 t, 0.001), "details": true, "decoder_input_details": true}}.
// Response: GenerateResponse {"generated_text", "details": {"finish_reason",
// "generated_tokens", "prefill": [...], ...}} (TGI API reference:
// https://huggingface.github.io/text-generation-inference/#/Text%20Generation%20Inference/generate).
// Errors: {"error": "<message>", "error_type": "..."}: mlflow-compatibility §3.6's rule for a
// string `error`.
#include <algorithm>

#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"

namespace gw {
namespace {

constexpr std::string_view kDisplay = "Hugging Face Text Generation Inference";

class TgiAdapter final : public Adapter {
 public:
  TgiAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)) {}

  std::string_view display_name() const override { return kDisplay; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (auto e = kit::reject_stream(ctx, payload, kDisplay)) return std::move(*e);
    if (payload.contains("model")) return model_not_permitted();
    static const kit::KeyMap kMapping = {{"max_tokens", "max_new_tokens"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);

    // TGI generates one sequence per request.
    Json n = kit::pop(payload, "n").value_or(Json(1));
    if (n != Json(1)) {
      return GatewayError::make(422,
                                "'n' must be '1' for the Text Generation Inference provider."
                                "Received value: '" +
                                    to_text(n) + "'.");
    }
    // `stream` is not a generation parameter (a `false` would only be noise upstream).
    kit::pop(payload, "stream");
    Json prompt = kit::pop(payload, "prompt").value_or(Json(""));

    Json parameters = kit::rename_keys(std::move(payload), kMapping);
    // TGI's temperature range is (0, 100] against our [0, 2]: scale by 50, and 0 is not allowed.
    const auto t = parameters.find("temperature");
    const double temperature = t != parameters.end() && t->is_number() ? t->get<double>() : 0.0;
    parameters["temperature"] = std::max(50.0 * temperature, 0.001);
    parameters["details"] = true;
    parameters["decoder_input_details"] = true;

    Json body;
    body["inputs"] = std::move(prompt);
    body["parameters"] = std::move(parameters);
    return Call{kit::post_json(append_path(settings_.api_base, "generate"), std::move(body))};
  }

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (!body.is_object()) return malformed_upstream("the body is not a JSON object");
    auto text = body.find("generated_text");
    if (text == body.end() || !text->is_string())
      return malformed_upstream("'generated_text' is missing");
    auto details = body.find("details");
    if (details == body.end() || !details->is_object())
      return malformed_upstream("'details' is missing");
    auto prefill = details->find("prefill");
    auto generated = details->find("generated_tokens");
    if (prefill == details->end() || !prefill->is_array() || generated == details->end() ||
        !generated->is_number_integer())
      return malformed_upstream("'details.prefill' or 'details.generated_tokens' is missing");

    const auto prompt_tokens = static_cast<std::int64_t>(prefill->size());
    const auto completion_tokens = generated->get<std::int64_t>();
    Json finish = kit::field(*details, "finish_reason");
    Json usage;
    usage["prompt_tokens"] = prompt_tokens;
    usage["completion_tokens"] = completion_tokens;
    usage["total_tokens"] = prompt_tokens + completion_tokens;

    Json choices = Json::array();
    choices.push_back(kit::completion_choice(0, std::move(*text), std::move(finish)));
    return kit::text_response("text_completion", ctx.now, kit::model_json(model_),
                              std::move(choices), std::move(usage));
  }

 private:
  config::HttpProviderSettings settings_;
  ModelName model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_tgi_adapter(const config::HttpProviderSettings& s,
                                                ModelName model) {
  return std::make_shared<TgiAdapter>(s, std::move(model));
}

}  // namespace gw
