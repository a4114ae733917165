// MLflow Model Serving (docs/mlflow-compatibility.md §6.8, provider `mlflow-model-serving`):
// chat, completions and embeddings against a model served with `mlflow models serve`, no
// streaming.
//
// Request: POST <model_server_url>/invocations with `Content-Type: application/json`, body
// {"inputs": [...], "params": {...the other payload fields}} ("params" only when non-empty).
// Unlike the other providers a client `model` is not rejected: it travels inside `params`.
// Response: {"predictions": ...} (MLflow scoring server protocol,
// https://mlflow.org/docs/latest/deployment/deploy-model-locally.html): text endpoints take a
// list of strings, or a dict (one key -> its value, else its `choices`); embeddings take a list
// of float lists or one flat float list. Anything else is a 502.
// Errors: {"error_code": "...", "message": "..."}; `message` is the detail.
#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"

namespace gw {
namespace {

using config::EndpointType;

constexpr std::string_view kDisplay = "MLflow Model Serving";

GatewayError bad_predictions(std::string_view why) {
  return GatewayError::make(502,
                            "The model server returned invalid predictions: " + std::string(why),
                            "upstream_error", "bad_gateway");
}

// Python truthiness of a JSON value (MLflow's `if not predictions`).
bool falsy(const Json& j) {
  if (j.is_null()) return true;
  if (j.is_boolean()) return !j.get<bool>();
  if (j.is_number()) return j.get<double>() == 0.0;
  if (j.is_string()) return j.get_ref<const std::string&>().empty();
  return j.empty();  // arrays and objects
}

// MLflow's ServingTextResponse: the list of generated strings.
Result<std::vector<Json>> text_predictions(Json predictions) {
  if (predictions.is_array() && predictions.empty())
    return bad_predictions("The input list is empty.");
  if (predictions.is_object()) {
    if (!predictions.contains("choices") && predictions.size() > 1)
      return bad_predictions(
          "The dict format is invalid for this route type. Ensure the served model returns a "
          "dict key containing 'choices'.");
    if (predictions.size() == 1) {
      Json only = std::move(predictions.begin().value());
      predictions = std::move(only);
    } else if (predictions.contains("choices")) {
      Json choices = std::move(predictions["choices"]);
      predictions = std::move(choices);
    }
    if (falsy(predictions)) return bad_predictions("The input list is empty.");
  }
  if (!predictions.is_array()) return bad_predictions("'predictions' must be a list of strings.");
  std::vector<Json> out;
  out.reserve(predictions.size());
  for (auto& p : predictions) {
    if (!p.is_string()) return bad_predictions("'predictions' must be a list of strings.");
    out.push_back(std::move(p));
  }
  return out;
}

// MLflow's EmbeddingsResponse: a list of float lists, or one flat float list (one embedding).
Result<std::vector<Json>> embedding_predictions(Json predictions) {
  if (!predictions.is_array())
    return bad_predictions("'predictions' must be a list of embeddings (lists of floats).");
  if (predictions.empty()) return bad_predictions("The input list is empty.");
  if (kit::is_number_array(predictions)) return std::vector<Json>{std::move(predictions)};
  std::vector<Json> out;
  out.reserve(predictions.size());
  for (auto& p : predictions) {
    if (!kit::is_number_array(p))
      return bad_predictions("'predictions' must be a list of embeddings (lists of floats).");
    if (p.empty())
      return bad_predictions("One or more lists in the returned prediction response are empty.");
    out.push_back(std::move(p));
  }
  return out;
}

class ModelServingAdapter final : public Adapter {
 public:
  ModelServingAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)) {}

  std::string_view display_name() const override { return kDisplay; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (auto e = kit::reject_stream(ctx, payload, kDisplay)) return std::move(*e);
    const char* key = ctx.type == EndpointType::Chat          ? "messages"
                      : ctx.type == EndpointType::Completions ? "prompt"
                                                              : "input";
    // MLflow's _process_payload: the input under `key` becomes `inputs` (a list), the rest
    // `params`.
    Json input = kit::pop(payload, key).value_or(Json(nullptr));
    Json inputs = input.is_array() ? std::move(input) : Json::array({std::move(input)});
    if (ctx.type == EndpointType::Chat) {
      if (inputs.size() > 1) {
        return GatewayError::make(
            422,
            "MLflow chat models are only capable of processing a single query at a time. "
            "The request submitted consists of " +
                std::to_string(inputs.size()) + " queries.");
      }
      Json content = kit::field(inputs.empty() ? Json(nullptr) : inputs[0], "content");
      inputs = Json::array({std::move(content)});
    }
    Json body;
    body["inputs"] = std::move(inputs);
    if (!payload.empty()) body["params"] = std::move(payload);
    return Call{kit::post_json(append_path(settings_.api_base, "invocations"), std::move(body))};
  }

 protected:
  std::vector<std::string_view> error_message_fields() const override { return {"message"}; }

  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (!body.is_object() || !body.contains("predictions")) {
      return GatewayError::make(502, "The response is missing the required key: predictions.",
                                "upstream_error", "bad_gateway");
    }
    Json predictions = std::move(body["predictions"]);
    if (ctx.type == EndpointType::Embeddings) {
      auto embeddings = embedding_predictions(std::move(predictions));
      if (!embeddings) return embeddings.take_error();
      return kit::embeddings_response(std::move(*embeddings), kit::model_json(model_));
    }
    auto texts = text_predictions(std::move(predictions));
    if (!texts) return texts.take_error();
    Json choices = Json::array();
    int index = 0;
    for (auto& text : *texts) {
      if (ctx.type == EndpointType::Chat) {
        choices.push_back(kit::chat_choice(index++, "assistant", std::move(text)));
      } else {
        choices.push_back(kit::completion_choice(index++, std::move(text)));
      }
    }
    const char* object = ctx.type == EndpointType::Chat ? "chat.completion" : "text_completion";
    return kit::text_response(object, ctx.now, kit::model_json(model_), std::move(choices));
  }

 private:
  config::HttpProviderSettings settings_;
  ModelName model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_model_serving_adapter(const config::HttpProviderSettings& s,
                                                          ModelName model) {
  return std::make_shared<ModelServingAdapter>(s, std::move(model));
}

}  // namespace gw
