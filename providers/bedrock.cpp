// Amazon Bedrock (docs/mlflow-compatibility.md §6.12; our changes in docs/deviations.md,
// Bedrock). The gateway resolves the credentials and signs every request with SigV4; this adapter
// only builds the unsigned request (UpstreamRequest::aws points at its settings) and translates the
// bodies.
//
// * Completions -> InvokeModel `POST <endpoint>/model/<model id>/invoke`, body in the model
//   family's native format, chosen by substring of the model id as MLflow does (amazon, cohere,
//   ai21, anthropic; plus meta and mistral, which MLflow lacks). MLflow builds the payload with
//   both nulls and *defaults* excluded; the adapter cannot tell a default from a value the client
//   sent, so it drops `temperature` 0.0 and `n` 1 (the schema defaults).
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
// * Chat -> Converse `POST <endpoint>/model/<model id>/converse` (model-independent body);
//   streaming chat -> ConverseStream `.../converse-stream`, answered in the AWS binary event
//   stream (StreamFraming::AwsEventStream).
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html
//
// The model id is one path segment, percent-encoded as the AWS SDKs encode the `{modelId}` label
// ("anthropic.claude-v2:1" -> "anthropic.claude-v2%3A1"; an ARN's '/' becomes %2F).
//
// Choices made where MLflow has no rule or a bug (docs/deviations):
// * Temperatures: the unified range is 0..2. Titan, Anthropic, Meta, Mistral and Converse take
//   0..1, so the value is halved (MLflow halves for Titan and Anthropic); Cohere's is scaled
//   x2.5 (MLflow); AI21 is passed unchanged (MLflow).
// * Completions: `finish_reason` is mapped from each family's stop reason, and usage is taken
//   from the body when the family reports it (Titan, Meta); MLflow leaves both null.
// * Completions keep MLflow's quirk of silently ignoring a client `model`; chat rejects it like
//   every other provider (MLflow's Converse code does the same).
// * Chat: `id` is "bedrock-chat-<now>" (stream chunks "bedrock-chat-stream-<now>"), as MLflow's
//   Gemini adapter does, because Converse returns no id in the body. Text blocks are joined
//   with no separator, which is what a client concatenating the stream's deltas sees.
// * Chat inferenceConfig: the temperature (always present, schema default 0.0) is dropped when
//   the client sets top_p and the temperature is 0.0, so only topP is sent (as for Anthropic);
//   a non-default temperature and top_p are both sent (Converse takes both for most models).
// * Chat tool_choice: "auto" -> {"auto":{}}, "required" -> {"any":{}}, a named function ->
//   {"tool":{"name"}}; "none" has no Converse equivalent, so toolConfig is left out entirely,
//   unless the conversation holds toolUse/toolResult blocks (Bedrock then requires toolConfig)
//   -> 422 "tool_choice 'none' is not supported by Amazon Bedrock when the conversation
//   contains tool calls."
#include <algorithm>
#include <cctype>
#include <map>

#include "config/url.h"
#include "providers/bedrock_common.h"
#include "providers/providers.h"

namespace gw {
namespace bedrock {

// MLflow's AmazonBedrockModelProvider.of_str: the first family whose name occurs in the lower-cased
// model id (which must contain a '.'), in MLflow's order, then the two families added here.
std::optional<Family> family_of(const std::optional<std::string>& model) {
  if (!model || model->find('.') == std::string::npos) return std::nullopt;
  std::string lower = *model;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<std::string_view, Family> kOrder[] = {
      {"amazon", Family::Amazon},       {"cohere", Family::Cohere}, {"ai21", Family::AI21},
      {"anthropic", Family::Anthropic}, {"meta", Family::Meta},     {"mistral", Family::Mistral},
  };
  for (const auto& [name, family] : kOrder)
    if (lower.find(name) != std::string::npos) return family;
  return std::nullopt;
}

const Json* find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const Json& member(const Json& obj, std::string_view key) {
  static const Json kNull = nullptr;
  const Json* v = find(obj, key);
  return v ? *v : kNull;
}

bool is_true(const Json& obj, std::string_view key) {
  const Json* v = find(obj, key);
  return v && v->is_boolean() && v->get<bool>();
}

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : to_text(v); }

GatewayError unprocessable(std::string message) {
  return GatewayError::make(422, std::move(message));
}

Json renamed(Json in,
             std::initializer_list<std::pair<std::string_view, std::string_view>> renames) {
  Json out = Json::object();
  for (auto& [key, value] : in.items()) {
    std::string k = key;
    for (const auto& [from, to] : renames) {
      if (k == from) {
        k = to;
        break;
      }
    }
    out[k] = std::move(value);
  }
  return out;
}

void scale_temperature(Json& payload, double factor) {
  auto it = payload.find("temperature");
  if (it != payload.end() && it->is_number()) *it = factor * it->get<double>();
}

Json finish_reason_of(const Json& reason) {
  if (!reason.is_string()) return nullptr;
  static const std::map<std::string, std::string, std::less<>> kMap = {
      // Anthropic text completions; Converse
      {"stop_sequence", "stop"},
      {"end_turn", "stop"},
      {"max_tokens", "length"},
      {"tool_use", "tool_calls"},
      {"content_filtered", "content_filter"},
      {"guardrail_intervened", "content_filter"},
      {"model_context_window_exceeded", "length"},
      // Titan completionReason
      {"FINISH", "stop"},
      {"FINISHED", "stop"},
      {"STOP_CRITERIA_MET", "stop"},
      {"LENGTH", "length"},
      {"CONTENT_FILTERED", "content_filter"},
      // Cohere finish_reason
      {"COMPLETE", "stop"},
      {"MAX_TOKENS", "length"},
      {"ERROR_TOXIC", "content_filter"},
      // AI21 finishReason.reason (Meta and Mistral already say "stop" / "length")
      {"endoftext", "stop"},
  };
  auto it = kMap.find(reason.get_ref<const std::string&>());
  return it == kMap.end() ? reason : Json(it->second);
}

}  // namespace bedrock

namespace {

using config::EndpointType;
using namespace bedrock;

constexpr std::string_view kDisplayName = "Amazon Bedrock";

class BedrockAdapter final : public Adapter {
 public:
  BedrockAdapter(config::BedrockSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)), family_(family_of(model_)) {}

  std::string_view display_name() const override { return kDisplayName; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (!payload.is_object()) return unprocessable("The request body is not a JSON object.");
    switch (ctx.type) {
      case EndpointType::Completions:
        return prepare_completions(std::move(payload));
      case EndpointType::Chat:
        return prepare_chat(std::move(payload));
      case EndpointType::Embeddings:
        break;
    }
    return GatewayError::make(501,
                              "The embeddings route is not implemented for Amazon Bedrock models.");
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type != EndpointType::Chat) return nullptr;
    return make_converse_stream_translator(model_json(), ctx.now, client_wants_usage);
  }
  StreamFraming stream_framing() const override { return StreamFraming::AwsEventStream; }

 protected:
  // Bedrock error bodies: {"message": "..."} (some services spell it "Message").
  std::vector<std::string_view> error_message_fields() const override {
    return {"message", "Message"};
  }
  // A body without a message: AWS names the error class in this header.
  std::string_view error_type_header() const override { return "x-amzn-ErrorType"; }

  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (ctx.type == EndpointType::Chat) return converse_to_unified(body, model_json(), ctx.now);
    if (ctx.type == EndpointType::Completions && family_)
      return completions_to_unified(*family_, body, model_json(), ctx.now);
    return malformed_upstream("unexpected endpoint type");
  }

 private:
  Json model_json() const { return model_ ? Json(*model_) : Json(nullptr); }

  UpstreamRequest request(std::string_view action, const Json& body, bool stream) const {
    UpstreamRequest req;
    req.url = append_path(settings_.endpoint_url,
                          "model/" + url_encode(model_.value_or("")) + "/" + std::string(action));
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Accept",
                             stream ? "application/vnd.amazon.eventstream" : "application/json");
    req.body = to_text(body);
    req.auth = AwsSigV4{&settings_, "bedrock"};  // Bedrock's SigV4 signing name, runtime included
    return req;
  }

  Result<Call> prepare_completions(Json payload) const {
    if (is_true(payload, "stream"))
      return GatewayError::make(
          501, "The completions streaming route is not implemented for Amazon Bedrock models.",
          "invalid_request_error", "streaming_not_supported");
    // MLflow builds this payload with exclude_none and exclude_defaults, and never looks at a
    // client `model` (its check runs on the pydantic object), so the key is dropped here.
    payload.erase("model");
    payload.erase("stream");
    payload.erase("stream_options");
    if (const Json* t = find(payload, "temperature");
        t && t->is_number() && t->get<double>() == 0.0)
      payload.erase("temperature");
    if (const Json* n = find(payload, "n");
        n && n->is_number_integer() && n->get<std::int64_t>() == 1)
      payload.erase("n");
    if (!family_) return unprocessable("Unknown Amazon Bedrock model type None");
    Result<Json> body = invoke_model_body(*family_, std::move(payload));
    if (!body) return body.take_error();
    return Call{request("invoke", *body, false)};
  }

  Result<Call> prepare_chat(Json payload) const {
    if (!model_ || model_->empty())
      return unprocessable("The Amazon Bedrock endpoint has no model name (the Bedrock model ID).");
    const bool stream = is_true(payload, "stream");
    auto body = converse_body(std::move(payload));
    if (!body) return body.take_error();
    return Call{request(stream ? "converse-stream" : "converse", *body, stream)};
  }

  config::BedrockSettings settings_;
  ModelName model_;
  std::optional<Family> family_;
};

}  // namespace

std::shared_ptr<const Adapter> make_bedrock_adapter(const config::BedrockSettings& s,
                                                    ModelName model) {
  return std::make_shared<BedrockAdapter>(s, std::move(model));
}

}  // namespace gw
