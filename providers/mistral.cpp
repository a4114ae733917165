// Mistral (docs/mlflow-compatibility.md §6.5; chat works here, docs/deviations.md). Mistral speaks
// OpenAI's wire format: chat and completions -> POST /chat/completions, embeddings -> POST
// /embeddings; streams are OpenAI-style SSE ended by `data: [DONE]`, translated by the OpenAI
// stream translator.
//
// Wire formats: https://docs.mistral.ai/api/#tag/chat (chat completion, stream events),
// https://docs.mistral.ai/api/#tag/embeddings. Error bodies: {"object":"error","message":...}
// (or {"message":...}); validation errors {"detail":[...]} pass through whole.
//
// Choices beyond MLflow's behaviour (docs/deviations.md):
// - Chat (501 in MLflow's standalone server) sends {"model", ...payload} with the temperature
//   halved, as MLflow does for completions and mlflow-compatibility §8.3 lists for Mistral: the
//   unified range is 0..2, Mistral's documented range 0..1 (it recommends 0..0.7), so every valid
//   client value stays valid upstream. `n` is left out when it is 1 (the schema default, meaning
//   nothing): Mistral accepts `n`, so other values pass through. The response is OpenAI's shape
//   (id/object/created copied), with `model` = the configured name as for completions and
//   embeddings (mlflow-compatibility §8.13).
// - Streamed chunks (chat and completions) also carry the configured model name, not the
//   upstream's, so a stream and a plain reply name the same model.
// - stream_options is not forwarded (not a Mistral field; Mistral rejects unknown fields). Mistral
//   puts `usage` on its last chunk; it becomes a separate usage chunk ({"choices":[],"usage"})
//   when the client asked for usage, and is dropped otherwise.
// - A mid-stream {"object":"error","message":...} event is an upstream error (502).
// - Completions: message contents given as a list of parts yield their text parts.
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

// Temperature ×0.5 (mlflow-compatibility §8.3).
Json halved_temperature(const Json& t) { return t.is_number() ? Json(t.get<double>() * 0.5) : t; }

// A message content as completion text: a string, or the text parts of a list joined.
Json completion_text(const Json& content) {
  if (content.is_string()) return content;
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      const Json* type = member(part, "type");
      const Json* text = member(part, "text");
      if (type && *type == "text" && text && text->is_string()) out += text->get<std::string>();
    }
  }
  return out;
}

Json usage_of(const Json& body, bool with_completion) {
  const Json usage = member_or_null(body, "usage");
  Json out;
  out["prompt_tokens"] = member_or_null(usage, "prompt_tokens");
  if (with_completion) out["completion_tokens"] = member_or_null(usage, "completion_tokens");
  out["total_tokens"] = member_or_null(usage, "total_tokens");
  return out;
}

// The OpenAI translator with Mistral's error events, the configured model name and the usage
// chunk of the brief: the inner translator copies the upstream `model` and always keeps the
// usage it sees; this one puts the configured name in every chunk (when one is configured, as
// the non-streamed replies do, mlflow-compatibility §8.13) and splits the usage into its own
// chunk (or drops it when the client did not ask for usage).
class MistralStreamTranslator final : public StreamTranslator {
 public:
  MistralStreamTranslator(EndpointType type, std::int64_t now, std::string model,
                          bool client_wants_usage)
      : inner_(make_openai_stream_translator(type, now, /*client_wants_usage=*/true)),
        model_(std::move(model)),
        wants_usage_(client_wants_usage) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    if (event.data.find("error") != std::string::npos) {
      Json j = parse_json(event.data);
      if (const Json* object = member(j, "object"); object && *object == "error") {
        return upstream_stream_error_of(member_or_null(j, "message"));
      }
    }
    auto chunks = inner_->on_event(event);
    if (!chunks) return chunks;
    std::vector<std::string> out;
    for (auto& text : *chunks) {
      const bool has_usage = text.find("\"usage\":") != std::string::npos;
      if (!has_usage && model_.empty()) {
        out.push_back(std::move(text));
        continue;
      }
      Json chunk = parse_json(text);
      if (!chunk.is_object()) {
        out.push_back(std::move(text));
        continue;
      }
      if (!model_.empty()) chunk["model"] = model_;  // the key exists: its place is kept
      auto usage = has_usage ? chunk.find("usage") : chunk.end();
      if (usage == chunk.end() || !usage->is_object()) {
        out.push_back(to_text(chunk));  // no usage, or "usage": inside a content string
        continue;
      }
      Json u = std::move(*usage);
      chunk.erase("usage");
      const Json* choices = member(chunk, "choices");
      if (choices && choices->is_array() && !choices->empty()) out.push_back(to_text(chunk));
      if (wants_usage_) {
        chunk["choices"] = Json::array();
        chunk["usage"] = Json{{"prompt_tokens", member_or_null(u, "prompt_tokens")},
                              {"completion_tokens", member_or_null(u, "completion_tokens")},
                              {"total_tokens", member_or_null(u, "total_tokens")}};
        out.push_back(to_text(chunk));
      }
    }
    return out;
  }

  bool finished() const override { return inner_->finished(); }

 private:
  std::unique_ptr<StreamTranslator> inner_;
  std::string model_;  // the configured model name ("" = none: the upstream's is kept)
  bool wants_usage_;
};

class MistralAdapter final : public Adapter {
 public:
  MistralAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(model.value_or("")) {}

  std::string_view display_name() const override { return "Mistral"; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (payload.contains("model")) return model_not_permitted();
    payload.erase("stream_options");
    Json body;
    body["model"] = model_;
    const char* path = "chat/completions";
    switch (ctx.type) {
      case EndpointType::Chat:
        for (auto& [key, value] : payload.items()) {
          if (key == "n" && value == 1) continue;
          body[key] = key == "temperature" ? halved_temperature(value) : std::move(value);
        }
        break;
      case EndpointType::Completions:
        // stop and n removed; the prompt becomes one user message (in the prompt's place).
        for (auto& [key, value] : payload.items()) {
          if (key == "stop" || key == "n") continue;
          if (key == "prompt") {
            body["messages"] = Json::array({Json{{"role", "user"}, {"content", std::move(value)}}});
          } else {
            body[key] = key == "temperature" ? halved_temperature(value) : std::move(value);
          }
        }
        break;
      case EndpointType::Embeddings:
        for (auto& [key, value] : payload.items()) body[key] = std::move(value);
        path = "embeddings";
        break;
    }
    return Call{kit::post_json(append_path(settings_.api_base, path), std::move(body),
                               {{"Authorization", "Bearer " + settings_.api_key.reveal()}})};
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type == EndpointType::Embeddings) return nullptr;
    return std::make_unique<MistralStreamTranslator>(ctx.type, ctx.now, model_, client_wants_usage);
  }

 protected:
  std::vector<std::string_view> error_message_fields() const override { return {"message"}; }

  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    switch (ctx.type) {
      case EndpointType::Chat: {
        auto out = openai_chat_to_unified(std::move(body), ctx.now);
        // The configured model name (mlflow-compatibility §8.13).
        if (out && !model_.empty()) (*out)["model"] = model_;
        return out;
      }
      case EndpointType::Completions:
        return completions_response(ctx, body);
      case EndpointType::Embeddings:
        return embeddings_response(body);
    }
    return malformed_upstream("unknown endpoint type");
  }

 private:
  // A chat completion read as a text completion: id null, created now, model from the config.
  Result<Json> completions_response(const RequestContext& ctx, const Json& body) const {
    const Json* choices_in = member(body, "choices");
    if (!choices_in || !choices_in->is_array()) return malformed_upstream("'choices' is missing");
    Json choices = Json::array();
    int index = 0;
    for (const auto& c : *choices_in) {
      const Json* message = member(c, "message");
      if (!message || !message->is_object()) return malformed_upstream("a choice has no 'message'");
      choices.push_back(Json{{"index", index++},
                             {"text", completion_text(member_or_null(*message, "content"))},
                             {"finish_reason", member_or_null(c, "finish_reason")}});
    }
    Json out;
    out["id"] = nullptr;
    out["object"] = "text_completion";
    out["created"] = ctx.now;
    out["model"] = model_;
    out["choices"] = std::move(choices);
    out["usage"] = usage_of(body, true);
    return out;
  }

  // data[].embedding with the upstream index (position when absent); model from the config.
  Result<Json> embeddings_response(const Json& body) const {
    const Json* data_in = member(body, "data");
    if (!data_in || !data_in->is_array()) return malformed_upstream("'data' is missing");
    Json data = Json::array();
    int position = 0;
    for (const auto& d : *data_in) {
      const Json* embedding = member(d, "embedding");
      if (!embedding || !(embedding->is_array() || embedding->is_string()))
        return malformed_upstream("an embedding is missing");
      Json index = member_or_null(d, "index");
      if (!index.is_number_integer()) index = position;
      ++position;
      data.push_back(
          Json{{"object", "embedding"}, {"embedding", *embedding}, {"index", std::move(index)}});
    }
    Json out;
    out["object"] = "list";
    out["data"] = std::move(data);
    out["model"] = model_;
    out["usage"] = usage_of(body, false);
    return out;
  }

  config::HttpProviderSettings settings_;
  std::string model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_mistral_adapter(const config::HttpProviderSettings& s,
                                                    ModelName model) {
  return std::make_shared<MistralAdapter>(s, std::move(model));
}

}  // namespace gw
