// Amazon Bedrock (docs/mlflow-compatibility.md §6.12; our changes in docs/deviations.md, Bedrock). The gateway resolves
// the credentials and signs every request with SigV4; this adapter only builds the unsigned
// request (UpstreamRequest::aws points at its settings) and translates the bodies.
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
#include <initializer_list>
#include <map>

#include "config/url.h"
#include "providers/providers.h"
#include "providers/sse.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

constexpr std::string_view kDisplayName = "Amazon Bedrock";
constexpr std::int64_t kAnthropicDefaultMaxTokens = 8192;      // MLflow's default
constexpr std::int64_t kAnthropicMaximumMaxTokens = 1000000;   // MLflow's limit
constexpr std::int64_t kBedrockAnthropicMaxTokens = 8191;      // AWS_BEDROCK_ANTHROPIC_MAXIMUM_MAX_TOKENS

enum class Family { Amazon, Cohere, AI21, Anthropic, Meta, Mistral };

// MLflow's AmazonBedrockModelProvider.of_str: the first family whose name occurs in the lower-cased
// model id (which must contain a '.'), in MLflow's order, then the two families added here.
std::optional<Family> family_of(const std::optional<std::string>& model) {
  if (!model || model->find('.') == std::string::npos) return std::nullopt;
  std::string lower = *model;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<std::string_view, Family> kOrder[] = {
      {"amazon", Family::Amazon}, {"cohere", Family::Cohere}, {"ai21", Family::AI21},
      {"anthropic", Family::Anthropic}, {"meta", Family::Meta}, {"mistral", Family::Mistral},
  };
  for (const auto& [name, family] : kOrder)
    if (lower.find(name) != std::string::npos) return family;
  return std::nullopt;
}

// obj[key] when obj is an object holding key, else nullptr (never throws).
const Json* find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// obj[key], or a null value when absent; a reference (into obj or to a static null), so chains
// such as member(member(body, "output"), "message") neither copy nor dangle.
const Json& member(const Json& obj, std::string_view key) {
  static const Json kNull = nullptr;
  const Json* v = find(obj, key);
  return v ? *v : kNull;
}

bool is_true(const Json& obj, std::string_view key) {
  const Json* v = find(obj, key);
  return v && v->is_boolean() && v->get<bool>();
}

// A JSON value as message text: strings unquoted, anything else serialised ("2" for 2).
std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : to_text(v); }

GatewayError unprocessable(std::string message) { return GatewayError::make(422, std::move(message)); }

// Moves every member of `in` into a new object, renaming keys per `renames`.
Json renamed(Json in, std::initializer_list<std::pair<std::string_view, std::string_view>> renames) {
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

// Multiplies payload["temperature"] by `factor` when present.
void scale_temperature(Json& payload, double factor) {
  auto it = payload.find("temperature");
  if (it != payload.end() && it->is_number()) *it = factor * it->get<double>();
}

// ---- completions: request bodies per family --------------------------------------------------

// MLflow's AnthropicAdapter.completions_to_model followed by AmazonBedrockAnthropicAdapter's
// changes: legacy Text Completions body, anthropic_version, no `model`.
Result<Json> anthropic_completions(Json payload) {
  // MLflow rejects any top_p (its temperature always has a value); docs/deviations.md: only when both
  // are set. Here a temperature still in the payload is one the client set to a non-zero value.
  if (payload.contains("top_p") && payload.contains("temperature"))
    return unprocessable(
        "Cannot set both 'temperature' and 'top_p' parameters. Please use only the temperature "
        "parameter for your query.");
  const Json* max_tokens = find(payload, "max_tokens");
  std::int64_t max = kAnthropicDefaultMaxTokens;
  if (max_tokens && max_tokens->is_number_integer()) max = max_tokens->get<std::int64_t>();
  if (max > kAnthropicMaximumMaxTokens)
    return unprocessable("Invalid value for max_tokens: cannot exceed " +
                         std::to_string(kAnthropicMaximumMaxTokens) + ".");
  if (const Json* n = find(payload, "n"))
    // MLflow prints a literal '{n}' here (docs/deviations.md: format the value).
    return unprocessable("'n' must be '1' for the Anthropic provider. Received value: '" +
                         text_of(*n) + "'.");
  scale_temperature(payload, 0.5);
  Json out = Json::object();
  bool has_max = false, has_stop = false;
  for (auto& [key, value] : payload.items()) {
    if (key == "max_tokens") {
      out["max_tokens_to_sample"] = std::min(max, kBedrockAnthropicMaxTokens);
      has_max = true;
    } else if (key == "stop") {
      Json stops = value.is_array() ? std::move(value) : Json::array();
      if (std::find(stops.begin(), stops.end(), Json("\n\nHuman:")) == stops.end())
        stops.push_back("\n\nHuman:");
      out["stop_sequences"] = std::move(stops);
      has_stop = true;
    } else if (key == "prompt") {
      std::string prompt = value.is_string() ? value.get<std::string>() : std::string();
      if (prompt.rfind("Human: ", 0) == 0) prompt = "\n\n" + prompt;
      if (prompt.rfind("\n\nHuman: ", 0) != 0) prompt = "\n\nHuman: " + prompt;
      const std::string_view suffix = "\n\nAssistant:";
      if (prompt.size() < suffix.size() ||
          prompt.compare(prompt.size() - suffix.size(), suffix.size(), suffix) != 0)
        prompt += suffix;
      out["prompt"] = std::move(prompt);
    } else {
      out[key] = std::move(value);
    }
  }
  if (!has_max) out["max_tokens_to_sample"] = std::min(max, kBedrockAnthropicMaxTokens);
  if (!has_stop) out["stop_sequences"] = Json::array({"\n\nHuman:"});
  out["anthropic_version"] = "bedrock-2023-05-31";
  return out;
}

// MLflow's AWSTitanAdapter, plus top_p -> topP (Titan's name).
Result<Json> titan_completions(Json payload) {
  if (const Json* n = find(payload, "n"))
    return unprocessable("'n' must be '1' for AWS Titan models. Received value: '" + text_of(*n) +
                         "'.");
  scale_temperature(payload, 0.5);
  Json prompt = std::move(payload["prompt"]);
  payload.erase("prompt");
  return Json{{"inputText", std::move(prompt)},
              {"textGenerationConfig",
               renamed(std::move(payload),
                       {{"max_tokens", "maxTokenCount"}, {"stop", "stopSequences"}, {"top_p", "topP"}})}};
}

// MLflow's AI21Adapter (Jurassic-2), plus top_p -> topP.
Result<Json> ai21_completions(Json payload) {
  return renamed(std::move(payload), {{"stop", "stopSequences"},
                                      {"n", "numResults"},
                                      {"max_tokens", "maxTokens"},
                                      {"top_p", "topP"}});
}

// MLflow's CohereAdapter.completions_to_model (Command generate body, without `model`).
Result<Json> cohere_completions(Json payload) {
  for (const auto& [snake, native] : {std::pair{"stop", "stop_sequences"}, std::pair{"n", "num_generations"}}) {
    if (payload.contains(native))
      return GatewayError::make(400, std::string("Invalid parameter ") + native + ". Use " + snake +
                                         " instead.");
  }
  scale_temperature(payload, 2.5);  // present only when non-zero
  return renamed(std::move(payload), {{"stop", "stop_sequences"}, {"n", "num_generations"}});
}

// Meta Llama: {prompt, temperature, top_p, max_gen_len}; one generation, no stop sequences.
Result<Json> meta_completions(Json payload) {
  if (const Json* n = find(payload, "n"))
    return unprocessable("'n' must be '1' for Meta Llama models on Amazon Bedrock. Received value: '" +
                         text_of(*n) + "'.");
  if (payload.contains("stop"))
    return unprocessable("Meta Llama models on Amazon Bedrock do not support the 'stop' parameter.");
  scale_temperature(payload, 0.5);
  return renamed(std::move(payload), {{"max_tokens", "max_gen_len"}});
}

// Mistral AI text completion: {prompt, max_tokens, stop, temperature, top_p, top_k}.
Result<Json> mistral_completions(Json payload) {
  if (const Json* n = find(payload, "n"))
    return unprocessable("'n' must be '1' for Mistral AI models on Amazon Bedrock. Received value: '" +
                         text_of(*n) + "'.");
  scale_temperature(payload, 0.5);
  return payload;
}

// ---- completions: responses per family -------------------------------------------------------

// A family's stop reason -> the unified finish_reason (unknown values pass through unchanged).
Json finish_reason_of(const Json& reason) {
  if (!reason.is_string()) return nullptr;
  static const std::map<std::string, std::string, std::less<>> kMap = {
      // Anthropic text completions; Converse
      {"stop_sequence", "stop"}, {"end_turn", "stop"}, {"max_tokens", "length"},
      {"tool_use", "tool_calls"}, {"content_filtered", "content_filter"},
      {"guardrail_intervened", "content_filter"}, {"model_context_window_exceeded", "length"},
      // Titan completionReason
      {"FINISH", "stop"}, {"FINISHED", "stop"}, {"STOP_CRITERIA_MET", "stop"}, {"LENGTH", "length"},
      {"CONTENT_FILTERED", "content_filter"},
      // Cohere finish_reason
      {"COMPLETE", "stop"}, {"MAX_TOKENS", "length"}, {"ERROR_TOXIC", "content_filter"},
      // AI21 finishReason.reason (Meta and Mistral already say "stop" / "length")
      {"endoftext", "stop"},
  };
  auto it = kMap.find(reason.get_ref<const std::string&>());
  return it == kMap.end() ? reason : Json(it->second);
}

Json usage_json(const Json& prompt, const Json& completion) {
  Json total = nullptr;
  if (prompt.is_number_integer() && completion.is_number_integer())
    total = prompt.get<std::int64_t>() + completion.get<std::int64_t>();
  return Json{{"prompt_tokens", prompt.is_number_integer() ? prompt : Json(nullptr)},
              {"completion_tokens", completion.is_number_integer() ? completion : Json(nullptr)},
              {"total_tokens", std::move(total)}};
}

struct CompletionChoice {
  Json text;
  Json finish_reason;
};

// Reads `array_key`'s elements with `read`; 502 when the array or a text is missing.
template <class Read>
Result<std::vector<CompletionChoice>> read_choices(const Json& body, const char* array_key, Read read) {
  const Json* items = find(body, array_key);
  if (!items || !items->is_array())
    return malformed_upstream(std::string("'") + array_key + "' is missing");
  std::vector<CompletionChoice> out;
  for (const Json& item : *items) {
    CompletionChoice c = read(item);
    if (!c.text.is_string())
      return malformed_upstream(std::string("an item of '") + array_key + "' has no text");
    out.push_back(std::move(c));
  }
  return out;
}

Result<Json> completions_to_unified(Family family, const Json& body, const Json& model,
                                    std::int64_t now) {
  if (!body.is_object()) return malformed_upstream("the body is not a JSON object");
  std::vector<CompletionChoice> choices;
  Json usage = usage_json(nullptr, nullptr);
  switch (family) {
    case Family::Anthropic: {
      const Json* completion = find(body, "completion");
      if (!completion || !completion->is_string()) return malformed_upstream("'completion' is missing");
      choices.push_back({*completion, finish_reason_of(member(body, "stop_reason"))});
      break;
    }
    case Family::Amazon: {
      auto r = read_choices(body, "results", [](const Json& item) {
        return CompletionChoice{member(item, "outputText"),
                                finish_reason_of(member(item, "completionReason"))};
      });
      if (!r) return r.take_error();
      choices = std::move(*r);
      Json generated = nullptr;
      std::int64_t sum = 0;
      bool all = true;
      for (const Json& item : *find(body, "results")) {
        const Json* count = find(item, "tokenCount");
        if (count && count->is_number_integer()) {
          sum += count->get<std::int64_t>();
        } else {
          all = false;
        }
      }
      if (all && !find(body, "results")->empty()) generated = sum;
      usage = usage_json(member(body, "inputTextTokenCount"), generated);
      break;
    }
    case Family::AI21: {
      auto r = read_choices(body, "completions", [](const Json& item) {
        return CompletionChoice{member(member(item, "data"), "text"),
                                finish_reason_of(member(member(item, "finishReason"), "reason"))};
      });
      if (!r) return r.take_error();
      choices = std::move(*r);
      break;
    }
    case Family::Cohere: {
      auto r = read_choices(body, "generations", [](const Json& item) {
        return CompletionChoice{member(item, "text"),
                                finish_reason_of(member(item, "finish_reason"))};
      });
      if (!r) return r.take_error();
      choices = std::move(*r);
      break;
    }
    case Family::Meta: {
      const Json* generation = find(body, "generation");
      if (!generation || !generation->is_string()) return malformed_upstream("'generation' is missing");
      choices.push_back({*generation, finish_reason_of(member(body, "stop_reason"))});
      usage = usage_json(member(body, "prompt_token_count"),
                         member(body, "generation_token_count"));
      break;
    }
    case Family::Mistral: {
      auto r = read_choices(body, "outputs", [](const Json& item) {
        return CompletionChoice{member(item, "text"),
                                finish_reason_of(member(item, "stop_reason"))};
      });
      if (!r) return r.take_error();
      choices = std::move(*r);
      break;
    }
  }
  Json out;
  out["id"] = nullptr;
  out["object"] = "text_completion";
  out["created"] = now;
  out["model"] = model;
  Json list = Json::array();
  int index = 0;
  for (auto& c : choices)
    list.push_back(Json{{"index", index++}, {"text", std::move(c.text)}, {"finish_reason", std::move(c.finish_reason)}});
  out["choices"] = std::move(list);
  out["usage"] = std::move(usage);
  return out;
}

// ---- chat: Converse request ------------------------------------------------------------------

// A data URL "data:image/<fmt>;base64,<b64>" -> a Converse image block.
Result<Json> image_block(const Json& part) {
  const Json& url = member(member(part, "image_url"), "url");
  const std::string text = url.is_string() ? url.get<std::string>() : std::string();
  const std::string prefix = "data:image/";
  const auto marker = text.find(";base64,");
  if (text.rfind(prefix, 0) != 0 || marker == std::string::npos)
    return unprocessable("Amazon Bedrock chat accepts images only as base64 data URLs "
                         "(data:image/<format>;base64,...).");
  std::string format = text.substr(prefix.size(), marker - prefix.size());
  if (format == "jpg") format = "jpeg";
  if (format != "png" && format != "jpeg" && format != "gif" && format != "webp")
    return unprocessable("Amazon Bedrock chat does not support the image format '" + format +
                         "' (png, jpeg, gif or webp).");
  return Json{{"image",
               Json{{"format", format},
                    {"source", Json{{"bytes", text.substr(marker + std::string_view(";base64,").size())}}}}}};
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

Result<Json> converse_body(Json payload) {
  if (payload.contains("model")) return model_not_permitted();
  if (const Json* n = find(payload, "n"); n && !(n->is_number_integer() && n->get<std::int64_t>() == 1))
    return unprocessable("'n' must be '1' for Amazon Bedrock chat. Received value: '" + text_of(*n) + "'.");

  // messages -> system blocks + alternating user/assistant messages (consecutive messages of
  // one role, e.g. several tool results, are merged: Converse requires alternation).
  Json system = Json::array();
  Json messages = Json::array();
  auto append = [&](const char* role, Json blocks) {
    if (blocks.empty()) return;
    if (!messages.empty() && messages.back()["role"] == role) {
      for (auto& b : blocks) messages.back()["content"].push_back(std::move(b));
    } else {
      messages.push_back(Json{{"role", role}, {"content", std::move(blocks)}});
    }
  };
  bool has_tool_blocks = false;  // a toolUse or toolResult block was sent
  const Json* input = find(payload, "messages");
  if (!input || !input->is_array()) return unprocessable("'messages' is missing");
  for (const Json& m : *input) {
    const Json& role = member(m, "role");
    const Json& content = member(m, "content");
    if (role == "system" || role == "developer") {
      std::string text = system_text(content);
      if (!text.empty()) system.push_back(Json{{"text", std::move(text)}});
    } else if (role == "user") {
      auto blocks = content_blocks(content, true);
      if (!blocks) return blocks.take_error();
      append("user", std::move(*blocks));
    } else if (role == "assistant") {
      auto blocks = content_blocks(content, false);
      if (!blocks) return blocks.take_error();
      if (const Json* calls = find(m, "tool_calls"); calls && calls->is_array()) {
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
          has_tool_blocks = true;
          blocks->push_back(Json{{"toolUse", Json{{"toolUseId", member(call, "id")},
                                                  {"name", member(fn, "name")},
                                                  {"input", std::move(parsed)}}}});
        }
      }
      append("assistant", std::move(*blocks));
    } else if (role == "tool") {
      const Json& id = member(m, "tool_call_id");
      if (!id.is_string())
        return unprocessable("A 'tool' message needs a 'tool_call_id' for Amazon Bedrock chat.");
      // A JSON object result goes as a `json` block (as in AWS's tool-use example), anything
      // else as text.
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
      has_tool_blocks = true;
      append("user", Json::array({Json{{"toolResult", Json{{"toolUseId", id}, {"content", std::move(result)}}}}}));
    } else {
      return unprocessable("Amazon Bedrock chat does not support the message role '" + text_of(role) + "'.");
    }
  }

  // inferenceConfig: maxTokens, temperature (halved: Converse takes 0..1), topP, stopSequences.
  // The validated payload always has a temperature (schema default 0.0), so with top_p a 0.0
  // is taken as "not set" and dropped, as the Anthropic adapter does (some models, e.g. recent
  // Claude ones, refuse both); a non-default temperature goes along with topP.
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

  // tool_choice "none": Converse has no such choice, so no toolConfig is sent (the model cannot
  // call a tool it is not told about). Bedrock requires toolConfig once the conversation holds
  // toolUse/toolResult blocks, so "none" cannot be honoured there: 422.
  const Json* choice = find(payload, "tool_choice");
  const bool choice_none = choice && *choice == "none";
  if (choice_none && has_tool_blocks)
    return unprocessable("tool_choice 'none' is not supported by Amazon Bedrock when the "
                         "conversation contains tool calls.");
  Json tool_config = nullptr;
  const Json* tools = find(payload, "tools");
  if (!choice_none && tools && tools->is_array() && !tools->empty()) {
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
      spec["inputSchema"] = Json{{"json", params && params->is_object()
                                              ? *params
                                              : Json{{"type", "object"}, {"properties", Json::object()}}}};
      specs.push_back(Json{{"toolSpec", std::move(spec)}});
    }
    tool_config = Json{{"tools", std::move(specs)}};
    if (choice) {
      Json c = tool_choice_of(*choice);
      if (!c.is_null()) tool_config["toolChoice"] = std::move(c);
    }
  }

  Json body;
  body["messages"] = std::move(messages);
  if (!system.empty()) body["system"] = std::move(system);
  if (!inference.empty()) body["inferenceConfig"] = std::move(inference);
  if (!tool_config.is_null()) body["toolConfig"] = std::move(tool_config);

  // Extras: Converse's own top-level fields pass through; anything else goes to the model in
  // additionalModelRequestFields (where Bedrock takes model-specific parameters such as top_k).
  static const char* kConsumed[] = {"temperature", "n", "stop", "max_tokens", "max_completion_tokens",
                                    "stream", "stream_options", "messages", "tools", "tool_choice",
                                    "top_p", "additionalModelRequestFields"};
  Json additional = Json::object();
  if (const Json* a = find(payload, "additionalModelRequestFields"); a && a->is_object()) additional = *a;
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
  return body;
}

// ---- chat: Converse response -----------------------------------------------------------------

Result<Json> converse_to_unified(const Json& body, const Json& model, std::int64_t now) {
  const Json* content = find(member(member(body, "output"), "message"), "content");
  if (!content || !content->is_array()) return malformed_upstream("'output.message.content' is missing");
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
      tool_calls.push_back(Json{{"id", member(*use, "toolUseId")},
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
  out["choices"] = Json::array({Json{{"index", 0},
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

// ---- chat: ConverseStream translator ---------------------------------------------------------

// ConverseStream events (decoded from the event stream: event = :event-type):
//   messageStart {role} -> a chunk with delta.role
//   contentBlockStart {start.toolUse{toolUseId,name}, contentBlockIndex} -> a tool_calls delta
//   contentBlockDelta {delta.text | delta.toolUse.input, contentBlockIndex} -> content / arguments
//   contentBlockStop -> nothing; messageStop {stopReason} -> a chunk with finish_reason
//   metadata {usage, metrics} -> the usage chunk when the client asked for it; the end
// Exceptions ("exception:<type>", payload {"message"}) and errors are 502s. Payloads may carry a
// padding field "p", which is ignored, as are unknown events and delta kinds (reasoning).
class ConverseStreamTranslator final : public StreamTranslator {
 public:
  ConverseStreamTranslator(Json model, std::int64_t now, bool wants_usage)
      : model_(std::move(model)), now_(now), wants_usage_(wants_usage),
        id_("bedrock-chat-stream-" + std::to_string(now)) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (finished_) return out;
    const std::string& type = event.event;
    if (type.rfind("exception:", 0) == 0 || type.rfind("error:", 0) == 0) {
      const bool exception = type.rfind("exception:", 0) == 0;
      std::string name = type.substr(type.find(':') + 1);
      std::string message = event.data;
      if (exception) {
        // The payload is {"message": ...}; a discarded (unparseable) one is not an object.
        const Json payload = parse_json(event.data);
        for (const char* field : {"message", "Message"}) {
          if (const Json& m = member(payload, field); m.is_string()) {
            message = m.get<std::string>();
            break;
          }
        }
      }
      return GatewayError::make(502,
                                "The upstream reported an error mid-stream: " + name +
                                    (message.empty() ? std::string() : ": " + message),
                                "upstream_error", "bad_gateway");
    }
    Json payload = event.data.empty() ? Json::object() : parse_json(event.data);
    if (payload.is_discarded() || !payload.is_object())
      return malformed_upstream("a stream event is not a JSON object");

    if (type == "messageStart") {
      Json role = member(payload, "role");
      out.push_back(chunk(role.is_string() ? role : Json("assistant"), "", nullptr, nullptr));
    } else if (type == "contentBlockStart") {
      const Json& use = member(member(payload, "start"), "toolUse");
      if (use.is_object()) {
        const int ordinal = tool_ordinal(member(payload, "contentBlockIndex"));
        Json call = Json{{"index", ordinal},
                         {"id", member(use, "toolUseId")},
                         {"type", "function"},
                         {"function", Json{{"name", member(use, "name")}, {"arguments", ""}}}};
        out.push_back(chunk(nullptr, nullptr, Json::array({std::move(call)}), nullptr));
      }
    } else if (type == "contentBlockDelta") {
      const Json& delta = member(payload, "delta");
      if (const Json* text = find(delta, "text")) {
        if (!text->is_string()) return malformed_upstream("a text delta is not a string");
        out.push_back(chunk(nullptr, *text, nullptr, nullptr));
      } else if (const Json* use = find(delta, "toolUse")) {
        const Json& input = member(*use, "input");
        const int ordinal = tool_ordinal(member(payload, "contentBlockIndex"));
        Json call = Json{{"index", ordinal},
                         {"id", nullptr},
                         {"type", nullptr},
                         {"function", Json{{"name", nullptr},
                                           {"arguments", input.is_string() ? input : Json(to_text(input))}}}};
        out.push_back(chunk(nullptr, nullptr, Json::array({std::move(call)}), nullptr));
      }
    } else if (type == "messageStop") {
      stopped_ = true;
      out.push_back(chunk(nullptr, nullptr, nullptr, finish_reason_of(member(payload, "stopReason"))));
    } else if (type == "metadata") {
      finished_ = true;
      const Json& usage = member(payload, "usage");
      if (wants_usage_ && usage.is_object()) {
        Json c = header();
        c["choices"] = Json::array();
        c["usage"] = Json{{"prompt_tokens", member(usage, "inputTokens")},
                          {"completion_tokens", member(usage, "outputTokens")},
                          {"total_tokens", member(usage, "totalTokens")}};
        out.push_back(to_text(c));
      }
    }
    return out;
  }

  bool finished() const override { return finished_; }
  // Bedrock ends with messageStop then metadata; a stream cut after messageStop lost only usage.
  bool complete_at_eof() const override { return finished_ || stopped_; }

 private:
  Json header() const {
    Json c;
    c["id"] = id_;
    c["object"] = "chat.completion.chunk";
    c["created"] = now_;
    c["model"] = model_;
    return c;
  }

  std::string chunk(Json role, Json content, Json tool_calls, Json finish_reason) const {
    Json c = header();
    c["choices"] = Json::array({Json{{"index", 0},
                                     {"finish_reason", std::move(finish_reason)},
                                     {"delta", Json{{"role", std::move(role)},
                                                    {"content", std::move(content)},
                                                    {"tool_calls", std::move(tool_calls)}}}}});
    return to_text(c);
  }

  // Tool calls are numbered 0, 1, ... in the order their blocks start (OpenAI's tool_calls
  // index), whatever the content block index (text blocks count there too).
  int tool_ordinal(const Json& block_index) {
    const std::int64_t key = block_index.is_number_integer() ? block_index.get<std::int64_t>() : -1;
    auto it = tools_.find(key);
    if (it != tools_.end()) return it->second;
    const int ordinal = static_cast<int>(tools_.size());
    tools_.emplace(key, ordinal);
    return ordinal;
  }

  Json model_;
  std::int64_t now_;
  bool wants_usage_;
  std::string id_;
  std::map<std::int64_t, int> tools_;
  bool stopped_ = false;
  bool finished_ = false;
};

// ---- the adapter -----------------------------------------------------------------------------

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
    return GatewayError::make(501, "The embeddings route is not implemented for Amazon Bedrock models.");
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type != EndpointType::Chat) return nullptr;
    return std::make_unique<ConverseStreamTranslator>(model_json(), ctx.now, client_wants_usage);
  }
  StreamFraming stream_framing() const override { return StreamFraming::AwsEventStream; }

 protected:
  // Bedrock error bodies: {"message": "..."} (some services spell it "Message").
  std::vector<std::string_view> error_message_fields() const override { return {"message", "Message"}; }

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
    req.headers.emplace_back("Accept", stream ? "application/vnd.amazon.eventstream" : "application/json");
    req.body = to_text(body);
    req.aws = &settings_;  // the gateway signs (SigV4) with these credentials
    return req;
  }

  Result<Call> prepare_completions(Json payload) const {
    if (is_true(payload, "stream"))
      return GatewayError::make(501,
                                "The completions streaming route is not implemented for Amazon Bedrock models.",
                                "invalid_request_error", "streaming_not_supported");
    // MLflow builds this payload with exclude_none and exclude_defaults, and never looks at a
    // client `model` (its check runs on the pydantic object), so the key is dropped here.
    payload.erase("model");
    payload.erase("stream");
    payload.erase("stream_options");
    if (const Json* t = find(payload, "temperature"); t && t->is_number() && t->get<double>() == 0.0)
      payload.erase("temperature");
    if (const Json* n = find(payload, "n"); n && n->is_number_integer() && n->get<std::int64_t>() == 1)
      payload.erase("n");
    if (!family_) return unprocessable("Unknown Amazon Bedrock model type None");
    Result<Json> body = [&]() -> Result<Json> {
      switch (*family_) {
        case Family::Anthropic:
          return anthropic_completions(std::move(payload));
        case Family::Amazon:
          return titan_completions(std::move(payload));
        case Family::AI21:
          return ai21_completions(std::move(payload));
        case Family::Cohere:
          return cohere_completions(std::move(payload));
        case Family::Meta:
          return meta_completions(std::move(payload));
        case Family::Mistral:
          return mistral_completions(std::move(payload));
      }
      return unprocessable("Unknown Amazon Bedrock model type None");
    }();
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

std::shared_ptr<const Adapter> make_bedrock_adapter(const config::BedrockSettings& s, ModelName model) {
  return std::make_shared<BedrockAdapter>(s, std::move(model));
}

}  // namespace gw
