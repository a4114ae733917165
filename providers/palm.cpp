// PaLM (docs/mlflow-compatibility.md §6.10, provider `palm`, deprecated): chat, completions and
// embeddings through the Generative Language API v1beta3, no streaming.
//
// Base: palm_api_base, default https://generativelanguage.googleapis.com/v1beta3/models; header
// `x-goog-api-key: <key>`. The model goes into the path as "<model>:<method>":
// - completions -> <model>:generateText, stop -> stopSequences, n -> candidateCount,
//   max_tokens -> maxOutputTokens, temperature halved, prompt -> {"text": prompt};
//   response candidates[].output
//   (https://developers.generativeai.google/api/rest/generativelanguage/models/generateText);
// - chat -> <model>:generateMessage, max tokens rejected, stop/n renamed as above, temperature
//   halved, messages' `role` -> `author`, body {..., "prompt": {"messages", "examples"?,
//   "context"?}}; response candidates[] {"author", "content"}, the author becomes the role
//   (https://developers.generativeai.google/api/rest/generativelanguage/models/generateMessage);
// - embeddings -> <model>:batchEmbedText with input -> texts; response embeddings[].value
//   (https://developers.generativeai.google/api/rest/generativelanguage/models/batchEmbedText).
// Errors: Google's {"error": {"code", "message", "status"}}: the generic rule of
// mlflow-compatibility §3.6.
#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"

namespace gw {
namespace {

using config::EndpointType;

constexpr std::string_view kDisplay = "PaLM";

// PaLM's temperature range is [0, 1] against our [0, 2].
void halve_temperature(Json& payload) {
  auto t = payload.find("temperature");
  if (t != payload.end() && t->is_number()) *t = 0.5 * t->get<double>();
}

class PalmAdapter final : public Adapter {
 public:
  PalmAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)) {}

  std::string_view display_name() const override { return kDisplay; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (auto e = kit::reject_stream(ctx, payload, kDisplay)) return std::move(*e);
    if (payload.contains("model")) return model_not_permitted();
    switch (ctx.type) {
      case EndpointType::Completions:
        return completions(std::move(payload));
      case EndpointType::Chat:
        return chat(std::move(payload));
      case EndpointType::Embeddings:
        return embeddings(std::move(payload));
    }
    return GatewayError::make(501, "The route is not implemented for PaLM models.");
  }

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (ctx.type == EndpointType::Embeddings) {
      Json items = kit::field(body, "embeddings");
      if (!items.is_array()) return malformed_upstream("'embeddings' is missing");
      std::vector<Json> embeddings;
      for (auto& item : items) {
        Json value = kit::field(item, "value");
        if (!kit::is_number_array(value))
          return malformed_upstream("an embedding has no 'value' list");
        embeddings.push_back(std::move(value));
      }
      return kit::embeddings_response(std::move(embeddings), kit::model_json(model_));
    }
    Json candidates = kit::field(body, "candidates");
    if (!candidates.is_array()) return malformed_upstream("'candidates' is missing");
    Json choices = Json::array();
    int index = 0;
    for (auto& c : candidates) {
      if (ctx.type == EndpointType::Chat) {
        Json author = kit::field(c, "author");
        Json content = kit::field(c, "content");
        if (!author.is_string() || !content.is_string())
          return malformed_upstream("a candidate has no 'author' or 'content'");
        choices.push_back(kit::chat_choice(index++, std::move(author), std::move(content)));
      } else {
        Json output = kit::field(c, "output");
        if (!output.is_string()) return malformed_upstream("a candidate has no 'output'");
        choices.push_back(kit::completion_choice(index++, std::move(output)));
      }
    }
    const char* object = ctx.type == EndpointType::Chat ? "chat.completion" : "text_completion";
    return kit::text_response(object, ctx.now, kit::model_json(model_), std::move(choices));
  }

 private:
  Result<Call> completions(Json payload) const {
    static const kit::KeyMap kMapping = {
        {"stop", "stopSequences"}, {"n", "candidateCount"}, {"max_tokens", "maxOutputTokens"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);
    Json body = kit::rename_keys(std::move(payload), kMapping);
    halve_temperature(body);
    if (auto p = body.find("prompt"); p != body.end()) {
      Json text = std::move(*p);
      *p = Json{{"text", std::move(text)}};
    }
    return request(":generateText", std::move(body));
  }

  Result<Call> chat(Json payload) const {
    if (payload.contains("max_tokens") || payload.contains("maxOutputTokens"))
      return GatewayError::make(422, "Max tokens is not supported for PaLM chat.");
    static const kit::KeyMap kMapping = {{"stop", "stopSequences"}, {"n", "candidateCount"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);
    Json body = kit::rename_keys(std::move(payload), kMapping);
    halve_temperature(body);

    // Each message's `role` becomes `author` (moved to the end of the message, as MLflow does).
    Json messages = kit::pop(body, "messages").value_or(Json::array());
    for (auto& m : messages) {
      if (auto role = kit::pop(m, "role")) m["author"] = std::move(*role);
    }
    Json prompt;
    prompt["messages"] = std::move(messages);
    if (auto examples = kit::pop(body, "examples")) prompt["examples"] = std::move(*examples);
    if (auto context = kit::pop(body, "context")) prompt["context"] = std::move(*context);
    body["prompt"] = std::move(prompt);
    return request(":generateMessage", std::move(body));
  }

  Result<Call> embeddings(Json payload) const {
    static const kit::KeyMap kMapping = {{"input", "texts"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);
    return request(":batchEmbedText", kit::rename_keys(std::move(payload), kMapping));
  }

  Call request(std::string_view method, Json body) const {
    std::string url = append_path(settings_.api_base, model_.value_or("") + std::string(method));
    return Call{kit::post_json(std::move(url), std::move(body),
                               {{"x-goog-api-key", settings_.api_key.reveal()}})};
  }

  config::HttpProviderSettings settings_;
  ModelName model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_palm_adapter(const config::HttpProviderSettings& s,
                                                 ModelName model) {
  return std::make_shared<PalmAdapter>(s, std::move(model));
}

}  // namespace gw
