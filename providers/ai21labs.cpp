// AI21 Labs (docs/mlflow-compatibility.md §6.9, provider `ai21labs`): completions only, no
// streaming.
//
// Request: POST <ai21labs_api_base, default https://api.ai21.com/studio/v1>/<model>/complete
// with `Authorization: Bearer <key>`; body = the payload with stop -> stopSequences,
// n -> numResults, max_tokens -> maxTokens (no `model` key: the model is in the path).
// Response (Jurassic-2 Complete API reference, https://docs.ai21.com/reference/j2-complete-ref):
// {"id", "prompt": {...}, "completions": [{"data": {"text"}, "finishReason": {"reason", ...}}]}.
// Errors: {"detail": "<message>"}; `detail` is the message.
#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"

namespace gw {
namespace {

constexpr std::string_view kDisplay = "AI21Labs";

class Ai21LabsAdapter final : public Adapter {
 public:
  Ai21LabsAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)) {}

  std::string_view display_name() const override { return kDisplay; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (auto e = kit::reject_stream(ctx, payload, kDisplay)) return std::move(*e);
    if (payload.contains("model")) return model_not_permitted();
    static const kit::KeyMap kMapping = {
        {"stop", "stopSequences"}, {"n", "numResults"}, {"max_tokens", "maxTokens"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);
    // MLflow's provider-level check. A streaming request never gets here (reject_stream above
    // answers 501 first, as MLflow's routing does); kept so the translation matches MLflow's
    // provider should a caller bypass that order.
    auto stream = payload.find("stream");
    if (stream != payload.end() && stream->is_boolean() && stream->get<bool>()) {
      return GatewayError::make(422,
                                "Setting the 'stream' parameter to 'true' is not supported with "
                                "the MLflow Gateway.");
    }
    Json body = kit::rename_keys(std::move(payload), kMapping);
    std::string url = append_path(settings_.api_base, model_.value_or("") + "/complete");
    return Call{kit::post_json(std::move(url), std::move(body),
                               {{"Authorization", "Bearer " + settings_.api_key.reveal()}})};
  }

 protected:
  std::vector<std::string_view> error_message_fields() const override { return {"detail"}; }

  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    auto completions = body.is_object() ? body.find("completions") : body.end();
    if (!body.is_object() || completions == body.end() || !completions->is_array())
      return malformed_upstream("'completions' is missing");
    Json choices = Json::array();
    int index = 0;
    for (auto& c : *completions) {
      Json text = kit::field(kit::field(c, "data"), "text");
      if (!text.is_string()) return malformed_upstream("a completion has no 'data.text'");
      Json reason = kit::field(kit::field(c, "finishReason"), "reason");
      choices.push_back(kit::completion_choice(index++, std::move(text), std::move(reason)));
    }
    return kit::text_response("text_completion", ctx.now, kit::model_json(model_),
                              std::move(choices));
  }

 private:
  config::HttpProviderSettings settings_;
  ModelName model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_ai21labs_adapter(const config::HttpProviderSettings& s,
                                                     ModelName model) {
  return std::make_shared<Ai21LabsAdapter>(s, std::move(model));
}

}  // namespace gw
