// Amazon Bedrock chat through Converse (docs/providers.md, "bedrock"): the unified chat request
// -> a Converse body, and a Converse reply -> the unified chat response.
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html
#include <algorithm>

#include "providers/bedrock_common.h"

namespace gw::bedrock {
namespace {

// A data URL "data:image/<fmt>;base64,<b64>" -> a Converse image block.
Result<Json> image_block(const Json& part) {
  const Json& url = member(member(part, "image_url"), "url");
  const std::string text = url.is_string() ? url.get<std::string>() : std::string();
  const std::string prefix = "data:image/";
  const auto marker = text.find(";base64,");
  if (text.rfind(prefix, 0) != 0 || marker == std::string::npos)
    return unprocessable(
        "Amazon Bedrock chat accepts images only as base64 data URLs "
        "(data:image/<format>;base64,...).");
  std::string format = text.substr(prefix.size(), marker - prefix.size());
  if (format == "jpg") format = "jpeg";
  if (format != "png" && format != "jpeg" && format != "gif" && format != "webp")
    return unprocessable("Amazon Bedrock chat does not support the image format '" + format +
                         "' (png, jpeg, gif or webp).");
  return Json{{"image",
               Json{{"format", format},
                    {"source",
                     Json{{"bytes", text.substr(marker + std::string_view(";base64,").size())}}}}}};
}

// A message's `content` (string, parts or absent) -> Converse content blocks. Empty strings are
// kept only when `keep_empty` (Converse rejects blank text blocks next to other blocks).
Result<Json> content_blocks(const Json& content, bool keep_empty) {
  Json blocks = Json::array();
  if (content.is_string()) {
    if (keep_empty || !content.get_ref<const std::string&>().empty())
      blocks.push_back(Json{{"text", content}});
    return blocks;
  }
  if (!content.is_array()) return blocks;
  for (const Json& part : content) {
    const Json& type = member(part, "type");
    if (type == "text") {
      blocks.push_back(Json{{"text", member(part, "text")}});
    } else if (type == "image_url") {
      auto image = image_block(part);
      if (!image) return image.take_error();
      blocks.push_back(std::move(*image));
    } else {
      return unprocessable("Amazon Bedrock chat does not support content parts of type '" +
                           text_of(type) + "'.");
    }
  }
  return blocks;
}

// The text of a system message (string, or its text parts joined with "\n").
std::string system_text(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const Json& part : content) {
      const Json& text = member(part, "text");
      if (!text.is_string()) continue;
      if (!out.empty()) out += "\n";
      out += text.get<std::string>();
    }
  }
  return out;
}

// Converse `toolConfig.toolChoice` for the unified tool_choice (nullptr: Bedrock's default).
// "none" never gets here: Converse has no equivalent, so converse_body sends no toolConfig.
Json tool_choice_of(const Json& choice) {
  if (choice == "auto") return Json{{"auto", Json::object()}};
  if (choice == "required") return Json{{"any", Json::object()}};
  const Json& name = member(member(choice, "function"), "name");
  if (name.is_string()) return Json{{"tool", Json{{"name", name}}}};
  return nullptr;
}

// Top-level Converse fields a client may send as extras; forwarded unchanged.
bool is_converse_field(std::string_view key) {
  return key == "guardrailConfig" || key == "promptVariables" ||
         key == "additionalModelResponseFieldPaths" || key == "requestMetadata" ||
         key == "performanceConfig";
}

// The conversation as Converse takes it: system blocks and alternating user/assistant
// messages.
struct Conversation {
  Json system = Json::array();
  Json messages = Json::array();
  bool has_tool_blocks = false;  // a toolUse or toolResult block was sent

  // Consecutive messages of one role (e.g. several tool results) are merged: Converse requires
  // alternation.
  void append(const char* role, Json blocks) {
    if (blocks.empty()) return;
    if (!messages.empty() && messages.back()["role"] == role) {
      for (auto& b : blocks) messages.back()["content"].push_back(std::move(b));
    } else {
      messages.push_back(Json{{"role", role}, {"content", std::move(blocks)}});
    }
  }
};

// An assistant message: its content blocks, then one toolUse block per tool call.
Result<Json> assistant_blocks(const Json& m, Conversation& conv) {
  auto blocks = content_blocks(member(m, "content"), false);
  if (!blocks) return blocks.take_error();
  const Json* calls = find(m, "tool_calls");
  if (!calls || !calls->is_array()) return blocks;
  for (const Json& call : *calls) {
    const Json& fn = member(call, "function");
    const Json& args = member(fn, "arguments");
    Json parsed = Json::object();
    if (args.is_string() && !args.get_ref<const std::string&>().empty()) {
      parsed = parse_json(args.get_ref<const std::string&>());
      if (parsed.is_discarded() || !parsed.is_object())
        return unprocessable("The arguments of tool call '" + text_of(member(call, "id")) +
                             "' are not a JSON object.");
    }
    conv.has_tool_blocks = true;
    blocks->push_back(Json{{"toolUse", Json{{"toolUseId", member(call, "id")},
                                            {"name", member(fn, "name")},
                                            {"input", std::move(parsed)}}}});
  }
  return blocks;
}

// A `tool` message -> a user message holding one toolResult block. A JSON object result goes
// as a `json` block (as in AWS's tool-use example), anything else as text.
Result<Json> tool_result_blocks(const Json& m) {
  const Json& id = member(m, "tool_call_id");
  if (!id.is_string())
    return unprocessable("A 'tool' message needs a 'tool_call_id' for Amazon Bedrock chat.");
  const Json& content = member(m, "content");
  Json result = Json::array();
  if (content.is_string()) {
    Json parsed = parse_json(content.get_ref<const std::string&>());
    if (!parsed.is_discarded() && parsed.is_object()) {
      result.push_back(Json{{"json", std::move(parsed)}});
    } else {
      result.push_back(Json{{"text", content}});
    }
  } else {
    auto blocks = content_blocks(content, true);
    if (!blocks) return blocks.take_error();
    result = std::move(*blocks);
  }
  return Json::array(
      {Json{{"toolResult", Json{{"toolUseId", id}, {"content", std::move(result)}}}}});
}

// One unified message into the conversation.
std::optional<GatewayError> add_message(const Json& m, Conversation& conv) {
  const Json& role = member(m, "role");
  const Json& content = member(m, "content");
  if (role == "system" || role == "developer") {
    std::string text = system_text(content);
    if (!text.empty()) conv.system.push_back(Json{{"text", std::move(text)}});
    return std::nullopt;
  }
  Result<Json> blocks = role == "user"        ? content_blocks(content, true)
                        : role == "assistant" ? assistant_blocks(m, conv)
                        : role == "tool"
                            ? tool_result_blocks(m)
                            : Result<Json>(unprocessable("Amazon Bedrock chat does not support the "
                                                         "message role '" +
                                                         text_of(role) + "'."));
  if (!blocks) return blocks.take_error();
  if (role == "tool") conv.has_tool_blocks = true;
  conv.append(role == "assistant" ? "assistant" : "user", std::move(*blocks));
  return std::nullopt;
}

// inferenceConfig: maxTokens, temperature (halved: Converse takes 0..1), topP, stopSequences.
// The validated payload always has a temperature (schema default 0.0), so with top_p a 0.0 is
// taken as "not set" and dropped, as the Anthropic adapter does (some models, e.g. recent
// Claude ones, refuse both); a non-default temperature goes along with topP.
Json inference_config(const Json& payload) {
  Json inference = Json::object();
  if (const Json* v = find(payload, "max_tokens")) {
    inference["maxTokens"] = *v;
  } else if (const Json* v2 = find(payload, "max_completion_tokens")) {
    inference["maxTokens"] = *v2;
  }
  const Json* top_p = find(payload, "top_p");
  if (const Json* v = find(payload, "temperature"); v && v->is_number()) {
    const double t = v->get<double>();
    if (!(top_p && t == 0.0)) inference["temperature"] = 0.5 * t;
  }
  if (top_p) inference["topP"] = *top_p;
  if (const Json* v = find(payload, "stop")) inference["stopSequences"] = *v;
  return inference;
}

// toolConfig (null: none is sent). tool_choice "none": Converse has no such choice, so no
// toolConfig is sent (the model cannot call a tool it is not told about). Bedrock requires
// toolConfig once the conversation holds toolUse/toolResult blocks, so "none" cannot be
// honoured there: 422.
Result<Json> tool_config(const Json& payload, bool has_tool_blocks) {
  const Json* choice = find(payload, "tool_choice");
  const bool choice_none = choice && *choice == "none";
  if (choice_none && has_tool_blocks)
    return unprocessable(
        "tool_choice 'none' is not supported by Amazon Bedrock when the "
        "conversation contains tool calls.");
  const Json* tools = find(payload, "tools");
  if (choice_none || !tools || !tools->is_array() || tools->empty()) return Json(nullptr);
  Json specs = Json::array();
  for (const Json& tool : *tools) {
    const Json& type = member(tool, "type");
    if (!type.is_null() && type != "function")
      return unprocessable("Only function calling tool is supported, but received tool type " +
                           text_of(type));
    const Json* fn = find(tool, "function");
    if (!fn || !fn->is_object())
      return unprocessable("A function tool needs a 'function' object for Amazon Bedrock chat.");
    Json spec;
    spec["name"] = member(*fn, "name");
    if (const Json* d = find(*fn, "description"); d && d->is_string()) spec["description"] = *d;
    const Json* params = find(*fn, "parameters");
    spec["inputSchema"] =
        Json{{"json", params && params->is_object()
                          ? *params
                          : Json{{"type", "object"}, {"properties", Json::object()}}}};
    specs.push_back(Json{{"toolSpec", std::move(spec)}});
  }
  Json config = Json{{"tools", std::move(specs)}};
  if (choice) {
    Json c = tool_choice_of(*choice);
    if (!c.is_null()) config["toolChoice"] = std::move(c);
  }
  return config;
}

// Extras: Converse's own top-level fields pass through; anything else goes to the model in
// additionalModelRequestFields (where Bedrock takes model-specific parameters such as top_k).
void move_extras(Json& payload, Json& body) {
  static const char* kConsumed[] = {"temperature",
                                    "n",
                                    "stop",
                                    "max_tokens",
                                    "max_completion_tokens",
                                    "stream",
                                    "stream_options",
                                    "messages",
                                    "tools",
                                    "tool_choice",
                                    "top_p",
                                    "additionalModelRequestFields"};
  Json additional = Json::object();
  if (const Json* a = find(payload, "additionalModelRequestFields"); a && a->is_object())
    additional = *a;
  for (auto& [key, value] : payload.items()) {
    const std::string& name = key;  // clang < 16 cannot capture a structured binding
    if (std::find_if(std::begin(kConsumed), std::end(kConsumed),
                     [&](const char* k) { return name == k; }) != std::end(kConsumed))
      continue;
    if (is_converse_field(key)) {
      body[key] = std::move(value);
    } else if (!additional.contains(key)) {
      additional[key] = std::move(value);
    }
  }
  if (!additional.empty()) body["additionalModelRequestFields"] = std::move(additional);
}

}  // namespace

Result<Json> converse_body(Json payload) {
  if (payload.contains("model")) return model_not_permitted();
  if (const Json* n = find(payload, "n");
      n && !(n->is_number_integer() && n->get<std::int64_t>() == 1))
    return unprocessable("'n' must be '1' for Amazon Bedrock chat. Received value: '" +
                         text_of(*n) + "'.");
  Conversation conv;
  const Json* input = find(payload, "messages");
  if (!input || !input->is_array()) return unprocessable("'messages' is missing");
  for (const Json& m : *input)
    if (auto err = add_message(m, conv)) return std::move(*err);
  auto tools = tool_config(payload, conv.has_tool_blocks);
  if (!tools) return tools.take_error();
  Json body;
  body["messages"] = std::move(conv.messages);
  if (!conv.system.empty()) body["system"] = std::move(conv.system);
  Json inference = inference_config(payload);
  if (!inference.empty()) body["inferenceConfig"] = std::move(inference);
  if (!tools->is_null()) body["toolConfig"] = std::move(*tools);
  move_extras(payload, body);
  return body;
}

Result<Json> converse_to_unified(const Json& body, const Json& model, std::int64_t now) {
  const Json* content = find(member(member(body, "output"), "message"), "content");
  if (!content || !content->is_array())
    return malformed_upstream("'output.message.content' is missing");
  std::string text;
  bool has_text = false;
  Json tool_calls = Json::array();
  for (const Json& block : *content) {
    if (const Json* t = find(block, "text")) {
      if (!t->is_string()) return malformed_upstream("a text block is not a string");
      text += t->get_ref<const std::string&>();
      has_text = true;
    } else if (const Json* use = find(block, "toolUse")) {
      if (!use->is_object()) return malformed_upstream("a toolUse block is not an object");
      const Json* input = find(*use, "input");
      tool_calls.push_back(
          Json{{"id", member(*use, "toolUseId")},
               {"type", "function"},
               {"function", Json{{"name", member(*use, "name")},
                                 {"arguments", to_text(input ? *input : Json::object())}}}});
    }
    // reasoningContent, citations and other blocks have no unified equivalent.
  }
  const Json& usage = member(body, "usage");
  Json out;
  out["id"] = "bedrock-chat-" + std::to_string(now);
  out["object"] = "chat.completion";
  out["created"] = now;
  out["model"] = model;
  Json message;
  message["role"] = "assistant";
  message["content"] = has_text ? Json(std::move(text)) : Json(nullptr);
  message["tool_calls"] = tool_calls.empty() ? Json(nullptr) : std::move(tool_calls);
  message["refusal"] = nullptr;
  out["choices"] =
      Json::array({Json{{"index", 0},
                        {"message", std::move(message)},
                        {"finish_reason", finish_reason_of(member(body, "stopReason"))}}});
  Json prompt = member(usage, "inputTokens");
  Json completion = member(usage, "outputTokens");
  Json total = member(usage, "totalTokens");
  out["usage"] = Json{{"prompt_tokens", std::move(prompt)},
                      {"completion_tokens", std::move(completion)},
                      {"total_tokens", std::move(total)}};
  return out;
}

}  // namespace gw::bedrock
