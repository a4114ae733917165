// MosaicML (docs/mlflow-compatibility.md §6.11, provider `mosaicml`, deprecated): chat, completions
// and embeddings, no streaming.
//
// Request: POST <base>/<model>/v1/predict, base = mosaicml_api_base, default
// https://models.hosted-on.mosaicml.hosting, with `Authorization: <key>` (no "Bearer"):
// - completions {"inputs": [prompt], "parameters": {...payload, max_tokens -> max_new_tokens}};
// - chat: the messages become one Llama-2 prompt (MLflow's _parse_chat_messages_to_prompt,
//   after https://huggingface.co/blog/llama2#how-to-prompt-llama-2), sent like a completion;
// - embeddings {...payload, input -> inputs (a list)}.
// Response: {"outputs": [...]}: strings for text, float lists for embeddings
// (https://docs.mosaicml.com/en/latest/inference.html#text-completion-models).
// An upstream 500 whose message starts with "Error: max output tokens is limited to" or
// "Error: prompt token count" is a problem with the request: it is answered with 422.
#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"

namespace gw {
namespace {

using config::EndpointType;

constexpr std::string_view kDisplay = "MosaicML";

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

GatewayError invalid_structure(const std::string& why) {
  return GatewayError::make(422, "An invalid request structure was submitted. " + why);
}

// A message's text: a string, nothing for null, or the concatenated text parts. Other content
// parts (images, audio) cannot go into a text prompt.
Result<std::string> message_text(const Json& message) {
  Json content = kit::field(message, "content");
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return std::string();
  if (!content.is_array())
    return invalid_structure("Only text content is supported for MosaicML chat.");
  std::string text;
  for (const auto& part : content) {
    Json t = kit::field(part, "text");
    if (kit::field(part, "type") != Json("text") || !t.is_string())
      return invalid_structure("Only text content is supported for MosaicML chat.");
    text += t.get<std::string>();
  }
  return text;
}

// MLflow's Llama-2 prompt:
// "<s>[INST] <<SYS>> {system} <</SYS>> {user} [/INST] {answer} </s><s>[INST] {user} [/INST]".
Result<std::string> llama2_prompt(const Json& messages) {
  std::string prompt = "<s>";  // always start with an opening <s> tag
  for (const auto& m : messages) {
    Json role = kit::field(m, "role");
    const std::string r = role.is_string() ? role.get<std::string>() : to_text(role);
    auto content = message_text(m);
    if (!content) return content.take_error();
    if (r == "system" || r == "user") {
      std::string inst = r == "system" ? "<<SYS>> " + *content + " <</SYS>>" : *content;
      inst += " [/INST]";  // close the [INST] tag
      if (ends_with(prompt, "[/INST]")) {
        // A system/user message right before: reopen its [INST] block instead of a new one.
        prompt.resize(prompt.size() - 7);
      } else {
        inst = "[INST] " + inst;
      }
      prompt += inst;
    } else if (r == "assistant") {
      prompt += " " + *content + " </s><s>";
    } else {
      return invalid_structure("Invalid role " + r +
                               " inputted. Must be one of 'system', 'user', or 'assistant'.");
    }
  }
  // Drop a trailing "</s><s>" so a conversation ending with the assistant can be continued.
  if (ends_with(prompt, "</s><s>")) prompt.resize(prompt.size() - 7);
  return prompt;
}

class MosaicMlAdapter final : public Adapter {
 public:
  MosaicMlAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)) {}

  std::string_view display_name() const override { return kDisplay; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (auto e = kit::reject_stream(ctx, payload, kDisplay)) return std::move(*e);
    if (ctx.type == EndpointType::Embeddings) return embeddings(std::move(payload));

    std::optional<Json> messages;
    if (ctx.type == EndpointType::Chat) messages = kit::pop(payload, "messages");
    if (payload.contains("model")) return model_not_permitted();
    static const kit::KeyMap kMapping = {{"max_tokens", "max_new_tokens"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);
    Json parameters = kit::rename_keys(std::move(payload), kMapping);

    Json inputs = Json::array();
    if (messages) {
      auto prompt = llama2_prompt(*messages);
      if (!prompt) return prompt.take_error();
      inputs.push_back(std::move(*prompt));
    } else {
      inputs.push_back(kit::pop(parameters, "prompt").value_or(Json("")));
    }
    Json body;
    body["inputs"] = std::move(inputs);
    body["parameters"] = std::move(parameters);
    return Call{request(std::move(body))};
  }

  // MosaicML reports some request problems as 500s; MLflow re-maps them to 422.
  Result<Json> parse_reply(const RequestContext& ctx, const UpstreamReply& reply) const override {
    auto body = decode_reply(reply);
    if (!body) {
      GatewayError e = body.take_error();
      if (e.status == 500 && ctx.type != EndpointType::Embeddings) {
        Json message = e.detail.is_object() ? kit::field(e.detail, "message") : e.detail;
        if (message.is_string()) {
          std::string_view text = message.get_ref<const std::string&>();
          if (starts_with(text, "Error: max output tokens is limited to") ||
              starts_with(text, "Error: prompt token count"))
            e.status = 422;
        }
      }
      return e;
    }
    return translate(ctx, std::move(*body));
  }

 protected:
  // MosaicML's error body carries its text in `message` (MLflow reads detail["message"]).
  std::vector<std::string_view> error_message_fields() const override { return {"message"}; }

  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    Json outputs = kit::field(body, "outputs");
    if (!outputs.is_array()) return malformed_upstream("'outputs' is missing");
    if (ctx.type == EndpointType::Embeddings) {
      std::vector<Json> embeddings;
      for (auto& o : outputs) {
        if (!kit::is_number_array(o)) return malformed_upstream("an output is not a float list");
        embeddings.push_back(std::move(o));
      }
      return kit::embeddings_response(std::move(embeddings), kit::model_json(model_));
    }
    Json choices = Json::array();
    int index = 0;
    for (auto& o : outputs) {
      if (!o.is_string()) return malformed_upstream("an output is not a string");
      if (ctx.type == EndpointType::Chat) {
        choices.push_back(kit::chat_choice(index++, "assistant", std::move(o)));
      } else {
        choices.push_back(kit::completion_choice(index++, std::move(o)));
      }
    }
    const char* object = ctx.type == EndpointType::Chat ? "chat.completion" : "text_completion";
    return kit::text_response(object, ctx.now, kit::model_json(model_), std::move(choices));
  }

 private:
  Result<Call> embeddings(Json payload) const {
    if (payload.contains("model")) return model_not_permitted();
    static const kit::KeyMap kMapping = {{"input", "inputs"}};
    if (auto e = kit::reject_provider_keys(payload, kMapping)) return std::move(*e);
    Json body = kit::rename_keys(std::move(payload), kMapping);
    if (auto it = body.find("inputs"); it != body.end() && it->is_string()) {
      Json one = std::move(*it);
      *it = Json::array({std::move(one)});
    }
    return Call{request(std::move(body))};
  }

  UpstreamRequest request(Json body) const {
    return kit::post_json(append_path(settings_.api_base, model_.value_or("") + "/v1/predict"),
                          std::move(body), {{"Authorization", settings_.api_key.reveal()}});
  }

  config::HttpProviderSettings settings_;
  ModelName model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_mosaicml_adapter(const config::HttpProviderSettings& s,
                                                     ModelName model) {
  return std::make_shared<MosaicMlAdapter>(s, std::move(model));
}

}  // namespace gw
