// Cohere (docs/mlflow-compatibility.md §6.4): the v1 API. Chat -> POST /chat, completions -> POST
// /generate, embeddings -> POST /embed; streams are newline-delimited JSON events
// (StreamFraming::NdJson).
//
// Wire formats:
//   https://docs.cohere.com/reference/chat (v1 chat, request and NonStreamedChatResponse)
//   https://docs.cohere.com/reference/chat-stream (v1 events: stream-start, text-generation,
//     ..., stream-end {finish_reason, response})
//   https://docs.cohere.com/reference/generate and /reference/generate-stream (events
//     text-generation {text, index?, is_finished}, stream-end {finish_reason, response},
//     stream-error {err})
//   https://docs.cohere.com/reference/embed
// Error bodies are {"message": "..."} (error_message_fields).
//
// Choices beyond MLflow's behaviour (docs/deviations.md):
// - finish_reason: MLflow returns null (chat, completions) or Cohere's raw value (streams). We
//   map Cohere's values to the unified (OpenAI) vocabulary everywhere: COMPLETE and
//   STOP_SEQUENCE -> "stop", MAX_TOKENS and ERROR_LIMIT -> "length", ERROR_TOXIC ->
//   "content_filter", TOOL_CALL -> "tool_calls"; other values pass through unchanged; absent ->
//   null. A stream that ends with finish_reason ERROR (or a stream-error event) is reported as
//   an upstream error (502), as the text streamed so far is not a complete reply.
// - usage: chat reads `token_count` {prompt_tokens, response_tokens, total_tokens} (what MLflow
//   reads); current v1 replies carry `meta.billed_units` {input_tokens, output_tokens} instead,
//   used as the fallback (then `meta.tokens`); total = input + output. The same reading fills
//   completions and embeddings usage, which MLflow leaves null.
// - stream_options is a gateway-level option with no Cohere meaning: not forwarded.
// - Embeddings: a single string `input` is sent as a one-element `texts` list (Cohere requires
//   a list); a response with embeddings by type ({"float": [...]}) is read too.
// - Message contents given as text parts are flattened to their text joined by "\n".
#include <string>
#include <vector>

#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"
#include "providers/wire/sse.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

using jsonx::member;
using jsonx::member_or_null;

// The text of a unified message content: a string, or the text parts of a list joined by "\n".
// null (an assistant message with only tool calls) becomes "".
std::string text_of(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    bool first = true;
    for (const auto& part : content) {
      const Json* text = member(part, "text");
      if (!text || !text->is_string()) continue;
      if (!first) out += '\n';
      out += text->get<std::string>();
      first = false;
    }
  }
  return out;
}

std::string text_or_dump(const Json& j) {
  return j.is_string() ? j.get<std::string>() : to_text(j);
}

// Cohere's finish reasons in the unified (OpenAI) vocabulary; unknown values pass through.
Json map_finish_reason(const Json& reason) {
  if (!reason.is_string()) return nullptr;
  const std::string& r = reason.get_ref<const std::string&>();
  if (r == "COMPLETE" || r == "STOP_SEQUENCE") return "stop";
  if (r == "MAX_TOKENS" || r == "ERROR_LIMIT") return "length";
  if (r == "ERROR_TOXIC") return "content_filter";
  if (r == "TOOL_CALL") return "tool_calls";
  return reason;
}

Json int_or_null(const Json* j) { return j && j->is_number_integer() ? *j : Json(nullptr); }

// Usage of a chat/generate/embed reply (or a stream-end `response`): `token_count`, else
// `meta.billed_units`, else `meta.tokens`; nulls when none is there.
Json usage_of(const Json& body, bool with_completion) {
  Json prompt = nullptr, completion = nullptr, total = nullptr;
  if (const Json* tc = member(body, "token_count"); tc && tc->is_object()) {
    prompt = int_or_null(member(*tc, "prompt_tokens"));
    completion = int_or_null(member(*tc, "response_tokens"));
    total = int_or_null(member(*tc, "total_tokens"));
  } else if (const Json* meta = member(body, "meta"); meta && meta->is_object()) {
    const Json* units = member(*meta, "billed_units");
    if (!units || !units->is_object()) units = member(*meta, "tokens");
    if (units && units->is_object()) {
      prompt = int_or_null(member(*units, "input_tokens"));
      completion = int_or_null(member(*units, "output_tokens"));
      if (prompt.is_number_integer()) {
        total = prompt.get<std::int64_t>() +
                (completion.is_number_integer() ? completion.get<std::int64_t>() : 0);
      }
    }
  }
  Json out;
  out["prompt_tokens"] = std::move(prompt);
  if (with_completion) out["completion_tokens"] = std::move(completion);
  out["total_tokens"] = std::move(total);
  return out;
}

bool has_usage(const Json& usage) {
  for (const auto& [k, v] : usage.items())
    if (!v.is_null()) return true;
  return false;
}

// Temperature ×2.5 (Cohere's range is 0..5, ours 0..2), only when non-zero
// (mlflow-compatibility §8.3).
Json scaled_temperature(const Json& t) {
  if (t.is_number() && t.get<double>() != 0.0) return t.get<double>() * 2.5;
  return t;
}

// ---- streaming -------------------------------------------------------------------------------

class CohereStreamTranslator final : public StreamTranslator {
 public:
  CohereStreamTranslator(EndpointType type, std::int64_t now, std::string model,
                         bool client_wants_usage)
      : type_(type), now_(now), model_(std::move(model)), wants_usage_(client_wants_usage) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (event.data.find_first_not_of(" \t\r\n") == std::string::npos) return out;
    Json j = parse_json(event.data);
    if (j.is_discarded() || !j.is_object())
      return malformed_upstream("a stream event is not a JSON object");
    const Json* type_field = member(j, "event_type");
    const std::string event_type =
        type_field && type_field->is_string() ? type_field->get<std::string>() : "";
    // An error body ({"message": ...}) in place of an event, or a stream-error event.
    if (event_type.empty()) {
      if (const Json* message = member(j, "message"); message && message->is_string())
        return upstream_stream_error(message->get<std::string>());
    }
    if (event_type == "stream-error") {
      const Json* err = member(j, "err");
      return upstream_stream_error(err && err->is_string() ? err->get<std::string>() : to_text(j));
    }
    const Json* is_finished = member(j, "is_finished");
    const bool end =
        event_type == "stream-end" || (event_type.empty() && is_finished &&
                                       is_finished->is_boolean() && is_finished->get<bool>());
    if (end) return on_end(j);
    // Text: `text-generation`, or an untyped event of the legacy generate stream.
    const bool text_event = event_type == "text-generation" ||
                            (event_type.empty() && type_ == EndpointType::Completions);
    if (!text_event) return out;  // stream-start, citations, search results, tool calls, debug
    if (type_ == EndpointType::Chat) {
      out.push_back(to_text(chat_chunk(nullptr, nullptr, member_or_null(j, "text"))));
    } else {
      Json index = member_or_null(j, "index");
      if (!index.is_number_integer()) index = 0;
      Json text = member_or_null(j, "text");
      Json choices = Json::array();
      choices.push_back(
          Json{{"index", std::move(index)},
               {"finish_reason", map_finish_reason(member_or_null(j, "finish_reason"))},
               {"text", text.is_string() ? std::move(text) : Json("")}});
      out.push_back(to_text(completions_chunk(nullptr, std::move(choices))));
    }
    return out;
  }

  bool finished() const override { return finished_; }

 private:
  // stream-end: the final chunk (id from the consolidated response, finish_reason), then the
  // usage chunk when the client asked for usage.
  Result<std::vector<std::string>> on_end(const Json& j) {
    std::vector<std::string> out;
    const Json response = member_or_null(j, "response");
    Json reason = member_or_null(j, "finish_reason");
    if (!reason.is_string()) reason = member_or_null(response, "finish_reason");
    if (reason.is_string() && reason.get_ref<const std::string&>() == "ERROR") {
      const Json* message = member(response, "error_message");
      return upstream_stream_error(
          message && message->is_string()
              ? message->get<std::string>()
              : std::string("Cohere ended the stream with finish_reason ERROR"));
    }
    Json id;
    if (type_ == EndpointType::Chat) {
      id = member_or_null(response, "response_id");
      out.push_back(to_text(chat_chunk(id, map_finish_reason(reason), nullptr)));
    } else {
      id = member_or_null(response, "id");
      // One choice per generation (num_generations > 1), each with its own finish reason.
      Json choices = Json::array();
      const Json* generations = member(response, "generations");
      if (generations && generations->is_array() && !generations->empty()) {
        int position = 0;
        for (const auto& g : *generations) {
          Json index = member_or_null(g, "index");
          if (!index.is_number_integer()) index = position;
          ++position;
          Json own = member_or_null(g, "finish_reason");
          choices.push_back(
              Json{{"index", std::move(index)},
                   {"finish_reason", map_finish_reason(own.is_string() ? own : reason)},
                   {"text", ""}});
        }
      } else {
        Json index = member_or_null(j, "index");
        if (!index.is_number_integer()) index = 0;
        choices.push_back(Json{{"index", std::move(index)},
                               {"finish_reason", map_finish_reason(reason)},
                               {"text", ""}});
      }
      out.push_back(to_text(completions_chunk(id, std::move(choices))));
    }
    if (wants_usage_) {
      Json usage = usage_of(response, true);
      if (has_usage(usage)) {
        Json chunk = head(id);
        chunk["choices"] = Json::array();
        chunk["usage"] = std::move(usage);
        out.push_back(to_text(chunk));
      }
    }
    finished_ = true;
    return out;
  }

  Json head(const Json& id) const { return kit::chunk_head(type_, id, now_, model_); }

  // The first chat chunk carries delta.role "assistant", as OpenAI sends it (MLflow: null;
  // docs/deviations.md).
  Json chat_chunk(const Json& id, Json finish_reason, Json content) {
    Json chunk = head(id);
    Json role = role_sent_ ? Json(nullptr) : Json("assistant");
    role_sent_ = true;
    chunk["choices"] = Json::array({kit::delta_choice(0, std::move(finish_reason), std::move(role),
                                                      std::move(content), nullptr)});
    return chunk;
  }

  Json completions_chunk(const Json& id, Json choices) const {
    Json chunk = head(id);
    chunk["choices"] = std::move(choices);
    return chunk;
  }

  EndpointType type_;
  std::int64_t now_;
  std::string model_;
  bool role_sent_ = false;
  bool wants_usage_;
  bool finished_ = false;
};

// ---- the adapter -----------------------------------------------------------------------------

class CohereAdapter final : public Adapter {
 public:
  CohereAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(model.value_or("")) {}

  std::string_view display_name() const override { return "Cohere"; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (payload.contains("model")) return model_not_permitted();
    payload.erase("stream_options");
    Result<Json> body = GatewayError{};
    const char* path = "";
    switch (ctx.type) {
      case EndpointType::Chat:
        body = chat_body(std::move(payload));
        path = "chat";
        break;
      case EndpointType::Completions:
        body = completions_body(std::move(payload));
        path = "generate";
        break;
      case EndpointType::Embeddings:
        body = embeddings_body(std::move(payload));
        path = "embed";
        break;
    }
    if (!body) return body.take_error();
    return Call{kit::post_json(append_path(settings_.api_base, path), std::move(*body),
                               {{"Authorization", "Bearer " + settings_.api_key.reveal()}})};
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type == EndpointType::Embeddings) return nullptr;
    return std::make_unique<CohereStreamTranslator>(ctx.type, ctx.now, model_, client_wants_usage);
  }

  StreamFraming stream_framing() const override { return StreamFraming::NdJson; }

 protected:
  std::vector<std::string_view> error_message_fields() const override { return {"message"}; }

  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (!body.is_object()) return malformed_upstream("the body is not a JSON object");
    switch (ctx.type) {
      case EndpointType::Chat:
        return chat_response(ctx, body);
      case EndpointType::Completions:
        return completions_response(ctx, body);
      case EndpointType::Embeddings:
        return embeddings_response(body);
    }
    return malformed_upstream("unknown endpoint type");
  }

 private:
  // {"model", ...payload without n/messages, "message", "preamble_override", "chat_history"}.
  Result<Json> chat_body(Json payload) const {
    if (const Json* n = member(payload, "n"); n && !(n->is_number_integer() && *n == 1))
      return GatewayError::make(422,
                                "Parameter n must be 1 for Cohere chat, got " + to_text(*n) + ".");
    if (payload.contains("stop"))
      return GatewayError::make(422, "Parameter stop is not supported for Cohere chat.");
    Json messages = std::move(payload["messages"]);
    if (!messages.is_array() || messages.empty())
      return GatewayError::make(422, "Last message must be from user, got None.");
    const Json role = member_or_null(messages.back(), "role");
    if (role != "user")
      return GatewayError::make(
          422, "Last message must be from user, got " +
                   (role.is_null() ? std::string("None") : text_or_dump(role)) + ".");
    Json body;
    body["model"] = model_;
    for (auto& [key, value] : payload.items()) {
      if (key == "n" || key == "messages") continue;
      body[key] = key == "temperature" ? scaled_temperature(value) : std::move(value);
    }
    body["message"] = text_of(member_or_null(messages.back(), "content"));
    std::string preamble;
    bool any_system = false;
    Json history = Json::array();
    for (std::size_t i = 0; i + 1 < messages.size(); ++i) {
      const Json r = member_or_null(messages[i], "role");
      const Json content = member_or_null(messages[i], "content");
      if (r == "system") {
        if (any_system) preamble += '\n';
        preamble += text_of(content);
        any_system = true;
      } else if (r == "user" || r == "assistant") {
        history.push_back(
            Json{{"role", r == "user" ? "USER" : "CHATBOT"}, {"message", text_of(content)}});
      }
    }
    if (any_system) body["preamble_override"] = std::move(preamble);
    if (!history.empty()) body["chat_history"] = std::move(history);
    return body;
  }

  // {"model", ...payload} with stop -> stop_sequences, n -> num_generations (in place).
  Result<Json> completions_body(Json payload) const {
    // MLflow checks the mapping in order (stop, then n) and answers 400 here.
    if (payload.contains("stop_sequences"))
      return GatewayError::make(400, "Invalid parameter stop_sequences. Use stop instead.");
    if (payload.contains("num_generations"))
      return GatewayError::make(400, "Invalid parameter num_generations. Use n instead.");
    Json body;
    body["model"] = model_;
    for (auto& [key, value] : payload.items()) {
      if (key == "stop") {
        body["stop_sequences"] = std::move(value);
      } else if (key == "n") {
        body["num_generations"] = std::move(value);
      } else {
        body[key] = key == "temperature" ? scaled_temperature(value) : std::move(value);
      }
    }
    return body;
  }

  // {"model", ...payload} with input -> texts (a single string becomes a one-element list).
  Result<Json> embeddings_body(Json payload) const {
    if (payload.contains("texts"))
      return GatewayError::make(422, "Invalid parameter texts. Use input instead.");
    Json body;
    body["model"] = model_;
    for (auto& [key, value] : payload.items()) {
      if (key == "input") {
        body["texts"] = value.is_string() ? Json::array({std::move(value)}) : std::move(value);
      } else {
        body[key] = std::move(value);
      }
    }
    return body;
  }

  Result<Json> chat_response(const RequestContext& ctx, const Json& body) const {
    const Json* text = member(body, "text");
    if (!text || !text->is_string()) return malformed_upstream("'text' is missing");
    Json message;
    message["role"] = "assistant";
    message["content"] = *text;
    message["tool_calls"] = nullptr;
    message["refusal"] = nullptr;
    Json choice;
    choice["index"] = 0;
    choice["message"] = std::move(message);
    choice["finish_reason"] = map_finish_reason(member_or_null(body, "finish_reason"));
    Json out;
    out["id"] = member_or_null(body, "response_id");
    out["object"] = "chat.completion";
    out["created"] = ctx.now;
    out["model"] = model_;
    out["choices"] = Json::array({std::move(choice)});
    out["usage"] = usage_of(body, true);
    return out;
  }

  Result<Json> completions_response(const RequestContext& ctx, const Json& body) const {
    const Json* generations = member(body, "generations");
    if (!generations || !generations->is_array())
      return malformed_upstream("'generations' is missing");
    Json choices = Json::array();
    int index = 0;
    for (const auto& g : *generations) {
      const Json* text = member(g, "text");
      if (!text || !text->is_string()) return malformed_upstream("a generation has no 'text'");
      choices.push_back(
          Json{{"index", index++},
               {"text", *text},
               {"finish_reason", map_finish_reason(member_or_null(g, "finish_reason"))}});
    }
    Json out;
    out["id"] = nullptr;  // as MLflow: the generate reply's id is not passed on
    out["object"] = "text_completion";
    out["created"] = ctx.now;
    out["model"] = model_;
    out["choices"] = std::move(choices);
    out["usage"] = usage_of(body, true);
    return out;
  }

  Result<Json> embeddings_response(const Json& body) const {
    const Json* embeddings = member(body, "embeddings");
    // embedding_types requests answer {"embeddings": {"float": [...], ...}}.
    if (embeddings && embeddings->is_object()) embeddings = member(*embeddings, "float");
    if (!embeddings || !embeddings->is_array())
      return malformed_upstream("'embeddings' is missing");
    Json data = Json::array();
    int index = 0;
    for (const auto& e : *embeddings) {
      if (!e.is_array()) return malformed_upstream("an embedding is not a list");
      data.push_back(Json{{"object", "embedding"}, {"embedding", e}, {"index", index++}});
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

std::shared_ptr<const Adapter> make_cohere_adapter(const config::HttpProviderSettings& s,
                                                   ModelName model) {
  return std::make_shared<CohereAdapter>(s, std::move(model));
}

}  // namespace gw
