// TogetherAI (docs/mlflow-compatibility.md §6.6): OpenAI-compatible API. Chat -> POST
// /chat/completions, completions -> POST /completions, embeddings -> POST /embeddings; streams are
// OpenAI-style SSE ended by `data: [DONE]`, the last chunk carrying `usage`.
//
// Wire formats: https://docs.together.ai/reference/chat-completions,
// https://docs.together.ai/reference/completions, https://docs.together.ai/reference/embeddings.
// Stream chunks carry the new text twice, in `choices[].delta.content` and `choices[].text`.
// Errors are OpenAI-shaped ({"error":{"message":...}}), handled by the rule of
// mlflow-compatibility §3.6.
//
// As MLflow: no "model not permitted" check — the body is {"model": <model.name>, ...payload},
// so a client `model` overrides the configured one. `logprobs` must be an integer (a JSON
// boolean passes, as Python's isinstance(True, int) does), `top_logprobs` too, and
// `top_logprobs` is renamed `logprobs`.
//
// Choices beyond MLflow's behaviour (docs/deviations.md):
// - finish_reason is copied from the upstream (chat, completions; MLflow sends null).
// - Embeddings also send {"model": <model.name>, ...payload}: MLflow sends the payload without
//   a model, which Together rejects (model is required).
// - Embeddings usage is copied when the upstream sends it (MLflow: nulls).
// - Stream chunks: chat deltas take `delta.content` (falling back to `text`), role and
//   tool_calls from the delta; completions take `text` (falling back to `delta.content`).
//   Usage becomes a separate usage chunk when the client asked for it.
#include <string>
#include <vector>

#include "config/url.h"
#include "providers/openai.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"
#include "providers/wire/sse.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

using jsonx::member;
using jsonx::member_or_null;

// Python's isinstance(v, int): integers and booleans.
bool python_int(const Json& v) { return v.is_number_integer() || v.is_boolean(); }

class TogetherAIStreamTranslator final : public StreamTranslator {
 public:
  TogetherAIStreamTranslator(EndpointType type, std::int64_t now, std::string model,
                             bool client_wants_usage)
      : type_(type), now_(now), model_(std::move(model)), wants_usage_(client_wants_usage) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (event.data.empty()) return out;
    if (event.data == "[DONE]") {
      finished_ = true;
      return out;
    }
    Json j = parse_json(event.data);
    if (j.is_discarded() || !j.is_object())
      return malformed_upstream("a stream event is not a JSON object");
    if (const Json* err = member(j, "error"); err && !err->is_null()) {
      return upstream_stream_error_of(*err);
    }
    const Json* created = member(j, "created");
    Json head =
        kit::chunk_head(type_, member_or_null(j, "id"),
                        created && created->is_number_integer() ? *created : Json(now_), model_);

    const Json* choices_in = member(j, "choices");
    if (choices_in && choices_in->is_array() && !choices_in->empty()) {
      Json choices = Json::array();
      int index = 0;
      for (const auto& c : *choices_in) {
        const Json delta = member_or_null(c, "delta");
        Json content = member_or_null(delta, "content");
        Json text = member_or_null(c, "text");
        if (type_ == EndpointType::Chat) {
          choices.push_back(kit::delta_choice(
              index++, member_or_null(c, "finish_reason"), member_or_null(delta, "role"),
              content.is_string() ? content : text, openai_delta_tool_calls(delta)));
        } else {
          if (!text.is_string()) text = content.is_string() ? content : Json("");
          choices.push_back(
              kit::text_choice(index++, member_or_null(c, "finish_reason"), std::move(text)));
        }
      }
      Json chunk = head;
      chunk["choices"] = std::move(choices);
      out.push_back(to_text(chunk));
    }
    if (const Json* usage = member(j, "usage"); wants_usage_ && usage && usage->is_object()) {
      Json chunk = std::move(head);
      chunk["choices"] = Json::array();
      chunk["usage"] = Json{{"prompt_tokens", member_or_null(*usage, "prompt_tokens")},
                            {"completion_tokens", member_or_null(*usage, "completion_tokens")},
                            {"total_tokens", member_or_null(*usage, "total_tokens")}};
      out.push_back(to_text(chunk));
    }
    return out;
  }

  bool finished() const override { return finished_; }

 private:
  EndpointType type_;
  std::int64_t now_;
  std::string model_;
  bool wants_usage_;
  bool finished_ = false;
};

class TogetherAIAdapter final : public Adapter {
 public:
  TogetherAIAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(model.value_or("")) {}

  std::string_view display_name() const override { return "TogetherAI"; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    const char* path = "embeddings";
    if (ctx.type == EndpointType::Completions) {
      const Json* max_tokens = member(payload, "max_tokens");
      // Python truthiness; the schema leaves only absent or an integer >= 1.
      if (!max_tokens || !max_tokens->is_number() || *max_tokens == 0)
        return GatewayError::make(422,
                                  "max_tokens is not present in payload."
                                  "It is a required parameter for TogetherAI completions.");
    }
    if (ctx.type != EndpointType::Embeddings) {
      if (const Json* v = member(payload, "logprobs"); v && !python_int(*v))
        return GatewayError::make(422, "Wrong type for logprobs. It should be an 32bit integer.");
      if (const Json* v = member(payload, "top_logprobs"); v && !python_int(*v))
        return GatewayError::make(422, "Wrong type for top_logprobs. It should a 32bit integer.");
      path = ctx.type == EndpointType::Chat ? "chat/completions" : "completions";
    }
    // {"model": <name>, ...payload}: a client `model` replaces the value in first position;
    // top_logprobs -> logprobs (a later duplicate key overwrites in place, as Python's dict).
    Json body;
    body["model"] = model_;
    for (auto& [key, value] : payload.items()) {
      if (key == "top_logprobs" && ctx.type != EndpointType::Embeddings) {
        body["logprobs"] = std::move(value);
      } else {
        body[key] = std::move(value);
      }
    }
    return Call{kit::post_json(append_path(settings_.api_base, path), std::move(body),
                               {{"Authorization", "Bearer " + settings_.api_key.reveal()}})};
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type == EndpointType::Embeddings) return nullptr;
    return std::make_unique<TogetherAIStreamTranslator>(ctx.type, ctx.now, model_,
                                                        client_wants_usage);
  }

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    Result<Json> out = GatewayError{};
    switch (ctx.type) {
      case EndpointType::Chat:
        out = openai_chat_to_unified(std::move(body), ctx.now);
        if (out) {
          (*out)["object"] = "chat.completion";
          for (auto& choice : (*out)["choices"]) choice["message"]["role"] = "assistant";
        }
        break;
      case EndpointType::Completions:
        out = openai_completions_to_unified(std::move(body), ctx.now);
        break;
      case EndpointType::Embeddings:
        out = openai_embeddings_to_unified(std::move(body));
        break;
    }
    if (out) (*out)["model"] = model_;
    return out;
  }

 private:
  config::HttpProviderSettings settings_;
  std::string model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_togetherai_adapter(const config::HttpProviderSettings& s,
                                                       ModelName model) {
  return std::make_shared<TogetherAIAdapter>(s, std::move(model));
}

}  // namespace gw
