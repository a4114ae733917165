// Anthropic (docs/mlflow-compatibility.md §6.2, with the changes listed in docs/deviations.md):
// chat and completions through the Messages API, both also streamed. Embeddings are not served
// (the capability table rejects them at load).
//
// Anthropic's documentation:
// - request and response: https://docs.anthropic.com/en/api/messages
// - streaming events:     https://docs.anthropic.com/en/docs/build-with-claude/streaming
// - tool use:             https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview
// - error bodies:         https://docs.anthropic.com/en/api/errors
//   ({"type":"error","error":{"type","message"}}: the generic `error.message` rule of
//   mlflow-compatibility §3.6).
//
// Request (POST <base>/messages, headers x-api-key and anthropic-version):
// - body {"model", "system"?, "messages", "max_tokens", "temperature" | "top_p",
//   "stop_sequences"?, then the other payload keys in the client's order};
// - `n` != 1 -> 422 "'n' must be '1' for the Anthropic provider. Received value: '<n>'." (with
//   the value: MLflow prints a literal '{n}', docs/deviations.md); `n` is never sent;
// - `top_p`: the validated payload always carries `temperature` (schema default 0.0), so a
//   client that sent only `top_p` cannot be told from one that sent top_p and temperature 0.
//   Rule (docs/deviations.md, Anthropic `top_p`: reject only when both are set): top_p with
//   temperature 0.0 -> temperature is dropped and top_p sent; top_p with any other temperature
//   -> 422 "Cannot set both 'temperature' and 'top_p' parameters." (completions: the completions
//   text of mlflow-compatibility §6.2, "... parameters. Please use only the temperature
//   parameter for your query.");
// - `max_tokens` default 8192 (`max_completion_tokens`, OpenAI's newer name, is used when
//   `max_tokens` is absent); > 1000000 -> 422; `temperature` halved (0..2 -> 0..1);
// - `stop` -> `stop_sequences`; `stream` passes; `stream_options` is dropped (Anthropic rejects
//   unknown keys; usage always arrives in the stream); `user` -> `metadata.user_id`;
//   `tool_choice` "auto"/"none"/"required"/{"type":"function",...} -> Anthropic's objects;
//   every other extra passes through unchanged, as in MLflow;
// - chat messages: system (and OpenAI's newer "developer") contents joined with "\n" into
//   `system`; user and assistant kept as {role, content}; assistant tool_calls -> tool_use
//   blocks (after a text block when the message also has text); tool messages -> tool_result
//   blocks in a user message, consecutive tool messages merged into ONE user message (Anthropic
//   wants all results of a parallel tool call in the user turn that follows, and alternating
//   roles); other roles dropped; an assistant message with neither content nor tool calls is
//   dropped (Anthropic rejects empty content). Image parts: data URLs -> base64 image blocks,
//   other URLs -> url image blocks; audio parts -> 422 (Anthropic has no audio input);
// - tools -> {name, description?, input_schema}; a non-function tool -> 422
//   "Only function calling tool is supported, but received tool type <t>";
// - completions: the prompt becomes one user message (docs/deviations.md: the legacy
//   /v1/complete API no longer serves current models), with the same parameter rules.
//
// Response: chat `content` is a string (the text blocks joined), null when there is no text
// block (docs/deviations.md: OpenAI SDK clients expect a string); other block types (thinking,
// redacted_thinking, server_tool_use, web_search_tool_result, ...) are skipped, never returned
// as raw Anthropic blocks; tool_use -> tool_calls whose `arguments` are Python's
// json.dumps(input) (", " and ": " separators), byte-identical to MLflow;
// finish_reason "length" (max_tokens), "tool_calls" (tool_use), else "stop". Completions: text =
// the joined text blocks, finish_reason "length" for max_tokens, else "stop". id and model from
// the upstream, created = now, usage = input/output tokens and their sum.
//
// Streaming (SSE): message_start gives id, model and input tokens; content_block_start /
// content_block_delta give one chunk each (text, or a tool_calls delta whose index is the
// block's position among the tool_use blocks); message_delta gives the finish chunk and the
// output tokens; message_stop ends the stream (then the usage chunk, when the client asked for
// it); ping, content_block_stop and unknown events are skipped; `error` -> 502 with Anthropic's
// message. Deviation from MLflow (which answers each block at choices[].index = block index and
// repeats the finish chunk per block): every chunk is choice 0 (Anthropic has one candidate) and
// there is one finish chunk, as OpenAI clients expect. The first chunk carries role "assistant".
#include <map>

#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"
#include "providers/python_json.h"
#include "providers/wire/sse.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

constexpr std::int64_t kDefaultMaxTokens = 8192;
constexpr std::int64_t kMaximumMaxTokens = 1000000;

GatewayError invalid(std::string message) { return GatewayError::make(422, std::move(message)); }

using jsonx::field_or_null;
using jsonx::string_or_empty;

using jsonx::content_text;

// Unified content parts (text, image_url, input_audio) -> Anthropic content blocks.
Result<Json> content_blocks(const Json& parts) {
  Json out = Json::array();
  for (const auto& part : parts) {
    const std::string type = string_or_empty(part, "type");
    if (type == "text") {
      out.push_back(Json{{"type", "text"}, {"text", string_or_empty(part, "text")}});
    } else if (type == "image_url") {
      const std::string url = string_or_empty(field_or_null(part, "image_url"), "url");
      // data:<media type>;base64,<data>
      const auto comma = url.find(',');
      const auto semi = url.find(";base64");
      if (url.rfind("data:", 0) == 0 && comma != std::string::npos && semi != std::string::npos &&
          semi < comma) {
        out.push_back(Json{{"type", "image"},
                           {"source", Json{{"type", "base64"},
                                           {"media_type", url.substr(5, semi - 5)},
                                           {"data", url.substr(comma + 1)}}}});
      } else {
        out.push_back(Json{{"type", "image"}, {"source", Json{{"type", "url"}, {"url", url}}}});
      }
    } else {
      return invalid("Content parts of type '" + type +
                     "' are not supported by the Anthropic provider.");
    }
  }
  return out;
}

// A unified content (string, parts or null) -> Anthropic content (string or blocks).
Result<Json> anthropic_content(const Json& content) {
  if (content.is_array()) return content_blocks(content);
  if (content.is_string()) return content;
  return Json("");
}

// Assistant tool_calls -> tool_use blocks (arguments parsed back into an object).
Result<Json> tool_use_blocks(const Json& tool_calls) {
  Json out = Json::array();
  for (const auto& tc : tool_calls) {
    const Json& fn = field_or_null(tc, "function");
    auto input = kit::tool_call_arguments(tc);
    if (!input) return input.take_error();
    out.push_back(Json{{"type", "tool_use"},
                       {"id", field_or_null(tc, "id")},
                       {"name", field_or_null(fn, "name")},
                       {"input", std::move(*input)}});
  }
  return out;
}

// Unified chat messages -> Anthropic `messages` and the joined system prompt.
Result<Json> convert_messages(const Json& messages, std::optional<std::string>& system) {
  Json out = Json::array();
  bool last_is_tool_results = false;  // out.back() is a user message made of tool results
  for (const auto& m : messages) {
    const std::string role = string_or_empty(m, "role");
    const Json& content = field_or_null(m, "content");
    if (role == "system" || role == "developer") {
      system = system ? *system + "\n" + content_text(content) : content_text(content);
      continue;
    }
    if (role == "user") {
      auto c = anthropic_content(content);
      if (!c) return c.take_error();
      out.push_back(Json{{"role", "user"}, {"content", std::move(*c)}});
      last_is_tool_results = false;
    } else if (role == "assistant") {
      const Json& tool_calls = field_or_null(m, "tool_calls");
      if (tool_calls.is_array() && !tool_calls.empty()) {
        Json blocks = Json::array();
        if (content.is_array()) {
          auto parts = content_blocks(content);
          if (!parts) return parts.take_error();
          blocks = std::move(*parts);
        } else if (content.is_string() && !content.get_ref<const std::string&>().empty()) {
          blocks.push_back(Json{{"type", "text"}, {"text", content}});
        }
        auto uses = tool_use_blocks(tool_calls);
        if (!uses) return uses.take_error();
        for (auto& u : *uses) blocks.push_back(std::move(u));
        out.push_back(Json{{"role", "assistant"}, {"content", std::move(blocks)}});
      } else if (content.is_null()) {
        continue;  // nothing to say; Anthropic rejects an empty assistant turn
      } else {
        auto c = anthropic_content(content);
        if (!c) return c.take_error();
        out.push_back(Json{{"role", "assistant"}, {"content", std::move(*c)}});
      }
      last_is_tool_results = false;
    } else if (role == "tool") {
      Json result{{"type", "tool_result"}, {"tool_use_id", field_or_null(m, "tool_call_id")}};
      if (!content.is_null()) {
        auto c = anthropic_content(content);
        if (!c) return c.take_error();
        result["content"] = std::move(*c);
      }
      if (last_is_tool_results) {
        out.back()["content"].push_back(std::move(result));
      } else {
        out.push_back(Json{{"role", "user"}, {"content", Json::array({std::move(result)})}});
        last_is_tool_results = true;
      }
    }
    // Other roles are dropped, as in MLflow.
  }
  return out;
}

Result<Json> convert_tools(const Json& tools) {
  Json out = Json::array();
  for (const auto& tool : tools) {
    Json type = field_or_null(tool, "type");
    const std::string t = type.is_string() ? type.get<std::string>() : "function";
    if (t != "function") {
      return invalid("Only function calling tool is supported, but received tool type " + t);
    }
    const Json& fn = field_or_null(tool, "function");
    if (!fn.is_object()) return invalid("A function tool needs a 'function' object.");
    Json schema = field_or_null(fn, "parameters");
    if (!schema.is_object()) schema = Json{{"type", "object"}, {"properties", Json::object()}};
    Json converted{{"name", field_or_null(fn, "name")}};
    if (fn.contains("description")) converted["description"] = fn["description"];
    converted["input_schema"] = std::move(schema);
    out.push_back(std::move(converted));
  }
  return out;
}

// OpenAI tool_choice -> Anthropic tool_choice; anything else passes unchanged.
Json convert_tool_choice(const Json& choice) {
  if (choice == "auto") return Json{{"type", "auto"}};
  if (choice == "none") return Json{{"type", "none"}};
  if (choice == "required") return Json{{"type", "any"}};
  const Json& fn = field_or_null(choice, "function");
  if (field_or_null(choice, "type") == "function" && fn.is_object()) {
    return Json{{"type", "tool"}, {"name", field_or_null(fn, "name")}};
  }
  return choice;
}

// Anthropic stop_reason -> unified finish_reason.
std::string finish_reason_of(const Json& stop_reason, EndpointType type) {
  if (stop_reason == "max_tokens") return "length";
  if (type == EndpointType::Chat && stop_reason == "tool_use") return "tool_calls";
  return "stop";
}

Json usage_of(const Json& input, const Json& output) {
  Json total = nullptr;
  if (input.is_number_integer() && output.is_number_integer())
    total = input.get<std::int64_t>() + output.get<std::int64_t>();
  return Json{{"prompt_tokens", input.is_number_integer() ? input : Json(nullptr)},
              {"completion_tokens", output.is_number_integer() ? output : Json(nullptr)},
              {"total_tokens", std::move(total)}};
}

// ---- streaming -----------------------------------------------------------------------------

class AnthropicStreamTranslator final : public StreamTranslator {
 public:
  AnthropicStreamTranslator(EndpointType type, std::int64_t now, bool wants_usage)
      : type_(type), now_(now), wants_usage_(wants_usage) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (event.data.empty()) return out;
    Json j = parse_json(event.data);
    if (j.is_discarded() || !j.is_object())
      return malformed_upstream("a stream event is not a JSON object");
    const Json& type = field_or_null(j, "type");
    const std::string kind = type.is_string() ? type.get<std::string>() : event.event;

    if (kind == "error") {
      return upstream_stream_error_of(field_or_null(j, "error"));
    }
    if (kind == "message_start") {
      on_message_start(j);
    } else if (kind == "content_block_start") {
      on_content_block_start(j, out);
    } else if (kind == "content_block_delta") {
      on_content_block_delta(j, out);
    } else if (kind == "message_delta") {
      on_message_delta(j, out);
    } else if (kind == "message_stop") {
      on_message_stop(out);
    }
    // ping, content_block_stop and event types added later: nothing to send.
    return out;
  }

  bool finished() const override { return finished_; }

 private:
  // message_start: remembers the id, the model and the token counts so far.
  void on_message_start(const Json& j) {
    const Json& message = field_or_null(j, "message");
    id_ = field_or_null(message, "id");
    model_ = field_or_null(message, "model");
    const Json& usage = field_or_null(message, "usage");
    input_tokens_ = field_or_null(usage, "input_tokens");
    output_tokens_ = field_or_null(usage, "output_tokens");
  }

  // content_block_start: a text block's first text, or a tool call's id and name (chat only).
  void on_content_block_start(const Json& j, std::vector<std::string>& out) {
    const Json& block = field_or_null(j, "content_block");
    const Json& block_type = field_or_null(block, "type");
    if (block_type == "text") {
      Json text = field_or_null(block, "text");
      if (!text.is_string()) text = "";
      if (type_ == EndpointType::Chat || !text.get_ref<const std::string&>().empty())
        out.push_back(content_chunk(std::move(text)));
    } else if (block_type == "tool_use" && type_ == EndpointType::Chat) {
      const Json& index = field_or_null(j, "index");
      const int position = next_tool_index_++;
      if (index.is_number_integer()) tool_index_[index.get<std::int64_t>()] = position;
      out.push_back(tool_chunk(position, field_or_null(block, "id"), "function",
                               field_or_null(block, "name"), nullptr));
    }
  }

  // content_block_delta: more text, or more of a tool call's arguments (chat only).
  void on_content_block_delta(const Json& j, std::vector<std::string>& out) {
    const Json& delta = field_or_null(j, "delta");
    const Json& delta_type = field_or_null(delta, "type");
    if (delta_type == "text_delta") {
      Json text = field_or_null(delta, "text");
      out.push_back(content_chunk(text.is_string() ? std::move(text) : Json("")));
    } else if (delta_type == "input_json_delta" && type_ == EndpointType::Chat) {
      // Only for tool_use blocks: a server_tool_use block (e.g. web search, run by
      // Anthropic) streams its input the same way but is not a client tool call.
      const Json& index = field_or_null(j, "index");
      auto it = index.is_number_integer() ? tool_index_.find(index.get<std::int64_t>())
                                          : tool_index_.end();
      if (it != tool_index_.end()) {
        out.push_back(tool_chunk(it->second, nullptr, nullptr, nullptr,
                                 field_or_null(delta, "partial_json")));
      }
    }
    // thinking_delta, signature_delta, citations_delta: no unified equivalent.
  }

  // message_delta: the final token counts, and the finish chunk when it has a stop_reason.
  void on_message_delta(const Json& j, std::vector<std::string>& out) {
    const Json& usage = field_or_null(j, "usage");
    if (const Json& out_tokens = field_or_null(usage, "output_tokens");
        out_tokens.is_number_integer())
      output_tokens_ = out_tokens;
    if (const Json& in_tokens = field_or_null(usage, "input_tokens"); in_tokens.is_number_integer())
      input_tokens_ = in_tokens;
    const Json& stop_reason = field_or_null(field_or_null(j, "delta"), "stop_reason");
    if (!stop_reason.is_null()) out.push_back(finish_chunk(finish_reason_of(stop_reason, type_)));
  }

  // message_stop: the end of the stream, then the usage chunk when the client asked for it.
  void on_message_stop(std::vector<std::string>& out) {
    finished_ = true;
    if (wants_usage_) {
      Json chunk = header();
      chunk["choices"] = Json::array();
      chunk["usage"] = usage_of(input_tokens_, output_tokens_);
      out.push_back(to_text(chunk));
    }
  }

  Json header() const { return kit::chunk_head(type_, id_, now_, model_); }

  // A chat chunk with one delta; the first delta of the stream carries the assistant role.
  std::string delta_chunk(Json content, Json tool_calls, Json finish_reason) {
    Json role = role_sent_ ? Json(nullptr) : Json("assistant");
    role_sent_ = true;
    Json chunk = header();
    chunk["choices"] = Json::array({kit::delta_choice(0, std::move(finish_reason), std::move(role),
                                                      std::move(content), std::move(tool_calls))});
    return to_text(chunk);
  }

  // A completions chunk.
  std::string text_chunk(Json text, Json finish_reason) {
    Json chunk = header();
    chunk["choices"] =
        Json::array({kit::text_choice(0, std::move(finish_reason), std::move(text))});
    return to_text(chunk);
  }

  std::string content_chunk(Json text) {
    if (type_ != EndpointType::Chat) return text_chunk(std::move(text), nullptr);
    return delta_chunk(std::move(text), nullptr, nullptr);
  }

  std::string tool_chunk(int index, Json id, Json type, Json name, Json arguments) {
    Json call{{"index", index},
              {"id", std::move(id)},
              {"type", std::move(type)},
              {"function", Json{{"name", std::move(name)}, {"arguments", std::move(arguments)}}}};
    return delta_chunk(nullptr, Json::array({std::move(call)}), nullptr);
  }

  std::string finish_chunk(std::string reason) {
    if (type_ != EndpointType::Chat) return text_chunk("", std::move(reason));
    return delta_chunk(nullptr, nullptr, std::move(reason));
  }

  EndpointType type_;
  std::int64_t now_;
  bool wants_usage_;
  Json id_ = nullptr;
  Json model_ = nullptr;
  Json input_tokens_ = nullptr;
  Json output_tokens_ = nullptr;
  std::map<std::int64_t, int> tool_index_;  // content block index -> tool_calls index
  int next_tool_index_ = 0;
  bool role_sent_ = false;
  bool finished_ = false;
};

// ---- the adapter ---------------------------------------------------------------------------

// `max_tokens` (else `max_completion_tokens`, else the default), rejected above the maximum.
Result<Json> max_tokens_of(const Json& payload) {
  Json max_tokens = field_or_null(payload, "max_tokens");
  if (max_tokens.is_null()) {
    const Json alt = field_or_null(payload, "max_completion_tokens");
    max_tokens = alt.is_number_integer() ? alt : Json(kDefaultMaxTokens);
  }
  if (max_tokens.is_number() && max_tokens.get<double>() > static_cast<double>(kMaximumMaxTokens))
    return invalid("Invalid value for max_tokens: cannot exceed " +
                   std::to_string(kMaximumMaxTokens) + ".");
  return max_tokens;
}

// Anthropic `messages`: the converted chat messages (the system prompt goes to `system`), or
// the completions prompt as one user message.
Result<Json> messages_of(EndpointType type, const Json& payload,
                         std::optional<std::string>& system) {
  if (type == EndpointType::Chat)
    return convert_messages(field_or_null(payload, "messages"), system);
  return Json::array({Json{{"role", "user"}, {"content", field_or_null(payload, "prompt")}}});
}

// The payload keys build_body did not place, in the client's order: tools, tool_choice and
// user converted, every other extra moved to `out` unchanged.
std::optional<GatewayError> forward_extras(Json& payload, Json& out) {
  for (auto it = payload.begin(); it != payload.end(); ++it) {
    const std::string& key = it.key();
    if (key == "temperature" || key == "top_p" || key == "max_tokens" || key == "n" ||
        key == "stop" || key == "messages" || key == "prompt" || key == "stream_options" ||
        key == "max_completion_tokens") {
      continue;
    }
    if (key == "tools") {
      if (!it->is_array() || it->empty()) continue;  // MLflow drops an empty list
      auto tools = convert_tools(*it);
      if (!tools) return tools.take_error();
      out["tools"] = std::move(*tools);
    } else if (key == "tool_choice") {
      out["tool_choice"] = convert_tool_choice(*it);
    } else if (key == "user") {
      Json& metadata = out["metadata"];
      if (!metadata.is_object()) metadata = Json::object();
      if (!metadata.contains("user_id")) metadata["user_id"] = std::move(it.value());
    } else if (key == "metadata" && out.contains("metadata") && it->is_object()) {
      for (auto m = it->begin(); m != it->end(); ++m) out["metadata"][m.key()] = m.value();
    } else {
      out[key] = std::move(it.value());
    }
  }
  return std::nullopt;
}

class AnthropicAdapter final : public Adapter {
 public:
  AnthropicAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(std::move(model)) {}

  std::string_view display_name() const override { return "Anthropic"; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (payload.contains("model")) return model_not_permitted();
    auto body = build_body(ctx.type, std::move(payload));
    if (!body) return body.take_error();
    UpstreamRequest req;
    req.url = append_path(settings_.api_base, "messages");
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("x-api-key", settings_.api_key.reveal());
    req.headers.emplace_back("anthropic-version", settings_.anthropic_version);
    req.body = to_text(*body);
    return Call{std::move(req)};
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type == EndpointType::Embeddings) return nullptr;
    return std::make_unique<AnthropicStreamTranslator>(ctx.type, ctx.now, client_wants_usage);
  }

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (!body.is_object() || !body.contains("content") || !body["content"].is_array())
      return malformed_upstream("'content' is missing");
    std::string text;
    bool has_text = false;
    Json tool_calls = Json::array();
    for (auto& block : body["content"]) {
      if (!block.is_object()) return malformed_upstream("a content block is not an object");
      const Json type = field_or_null(block, "type");
      if (type == "text") {
        const std::string t = string_or_empty(block, "text");
        text += t;
        has_text = true;
      } else if (type == "tool_use") {
        Json input = field_or_null(block, "input");
        if (input.is_null()) input = Json::object();
        tool_calls.push_back(Json{{"id", field_or_null(block, "id")},
                                  {"type", "function"},
                                  {"function", Json{{"name", field_or_null(block, "name")},
                                                    {"arguments", python_json::dumps(input)}}}});
      }
      // Every other block (thinking, redacted_thinking, server_tool_use, web_search_tool_result,
      // ...) has no unified equivalent and is skipped, as the stream translator skips it.
    }
    const Json& stop_reason = field_or_null(body, "stop_reason");
    const Json& usage = field_or_null(body, "usage");
    Json out;
    out["id"] = field_or_null(body, "id");
    if (ctx.type == EndpointType::Chat) {
      Json content = has_text ? Json(std::move(text)) : Json(nullptr);
      out["object"] = "chat.completion";
      out["created"] = ctx.now;
      out["model"] = field_or_null(body, "model");
      Json message{{"role", "assistant"},
                   {"content", std::move(content)},
                   {"tool_calls", tool_calls.empty() ? Json(nullptr) : std::move(tool_calls)},
                   {"refusal", nullptr}};
      out["choices"] =
          Json::array({Json{{"index", 0},
                            {"message", std::move(message)},
                            {"finish_reason", finish_reason_of(stop_reason, ctx.type)}}});
    } else {
      out["object"] = "text_completion";
      out["created"] = ctx.now;
      out["model"] = field_or_null(body, "model");
      out["choices"] =
          Json::array({Json{{"index", 0},
                            {"text", std::move(text)},
                            {"finish_reason", finish_reason_of(stop_reason, ctx.type)}}});
    }
    out["usage"] =
        usage_of(field_or_null(usage, "input_tokens"), field_or_null(usage, "output_tokens"));
    return out;
  }

 private:
  Result<Json> build_body(EndpointType type, Json payload) const {
    // Parameter checks in MLflow's order: top_p, max_tokens, n.
    const Json& t = field_or_null(payload, "temperature");
    const double temperature = t.is_number() ? t.get<double>() : 0.0;
    const Json top_p = field_or_null(payload, "top_p");
    const bool send_top_p = !top_p.is_null();
    if (send_top_p && temperature != 0.0) {
      return invalid(type == EndpointType::Chat
                         ? "Cannot set both 'temperature' and 'top_p' parameters."
                         : "Cannot set both 'temperature' and 'top_p' parameters. Please use only "
                           "the temperature parameter for your query.");
    }

    auto max_tokens = max_tokens_of(payload);
    if (!max_tokens) return max_tokens.take_error();

    const Json n = field_or_null(payload, "n");
    if (!n.is_null() && n != 1)
      return invalid("'n' must be '1' for the Anthropic provider. Received value: '" + to_text(n) +
                     "'.");

    std::optional<std::string> system;
    auto messages = messages_of(type, payload, system);
    if (!messages) return messages.take_error();

    Json out = Json::object();
    if (model_) out["model"] = *model_;
    if (system) out["system"] = *system;
    out["messages"] = std::move(*messages);
    out["max_tokens"] = std::move(*max_tokens);
    if (send_top_p) {
      out["top_p"] = top_p;
    } else {
      out["temperature"] = 0.5 * temperature;  // Anthropic's range is 0..1, ours 0..2
    }
    if (payload.contains("stop")) out["stop_sequences"] = payload["stop"];

    if (auto error = forward_extras(payload, out)) return std::move(*error);
    return out;
  }

  config::HttpProviderSettings settings_;
  ModelName model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_anthropic_adapter(const config::HttpProviderSettings& s,
                                                      ModelName model) {
  return std::make_shared<AnthropicAdapter>(s, std::move(model));
}

}  // namespace gw
