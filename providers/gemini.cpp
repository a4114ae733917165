// Gemini (docs/mlflow-compatibility.md §6.3): chat and completions through generateContent
// (streamed through streamGenerateContent?alt=sse), embeddings through embedContent /
// batchEmbedContents.
//
// Google's documentation:
// - generateContent / streamGenerateContent: https://ai.google.dev/api/generate-content
// - embeddings:                              https://ai.google.dev/api/embeddings
// - function calling:                        https://ai.google.dev/gemini-api/docs/function-calling
// - thought signatures: https://ai.google.dev/gemini-api/docs/thought-signatures
// - error bodies:  https://ai.google.dev/gemini-api/docs/troubleshooting
//   ({"error":{"code","message","status"}}: the generic `error.message` rule of
//   mlflow-compatibility §3.6).
//
// Request (header x-goog-api-key):
// - param checks for chat and completions, in MLflow's order: a camelCase generation key in the
//   payload (stopSequences, candidateCount, maxOutputTokens, topK, topP) -> 422
//   "Invalid parameter <camel>. Use <snake> instead."; top_p > 1 -> 422
//   "top_p should be less than or equal to 1";
// - body {"contents", "system_instruction"?, "generationConfig"?, "tools"?}: generationConfig
//   holds the present keys among temperature (not scaled), stopSequences (stop),
//   candidateCount (n), maxOutputTokens (max_tokens), topK (top_k), topP (top_p); every other
//   payload key is dropped, as in MLflow;
// - messages: user -> role "user"; assistant -> role "model" (text, then one functionCall part
//   per tool call with its parsed arguments; a tool call id "<base>__thought__<signature>" (see
//   Thought signatures below) gives functionCall.id <base> and the part's "thoughtSignature"
//   <signature>); system (and OpenAI's newer "developer") -> system_instruction.parts; tool ->
//   functionResponse {id (the base id), name (from the earlier tool call with that full id),
//   response}. `response` is the content parsed as JSON when it is a JSON
//   object; other JSON values and non-JSON text are wrapped as {"content": <value or text>}
//   (Gemini wants an object; MLflow crashes on non-JSON content). Consecutive tool messages go
//   into ONE user content (Gemini requires as many functionResponse parts as the turn had
//   functionCall parts). Content parts: text -> text, image/audio data -> inlineData, other
//   image URLs -> fileData;
// - completions: the prompt becomes one user message, an extra non-empty `system_prompt` a system
//   message (an empty one adds no system_instruction).
//
// Response:
// - chat: id "gemini-chat-<now>", created now, model = the configured name; one choice per
//   candidate with text or function calls (index = the candidate's `index`, its position when
//   absent), finish_reason = finishReason with MAX_TOKENS -> "length" and other values (e.g.
//   "STOP") unchanged, "stop" when absent; content = the text parts joined (null when there
//   are only function calls); tool call id = the functionCall's id, else "call_" + md5 hex of
//   "<name>/<json.dumps(args)>" (Python's separators), arguments = json.dumps(args), as MLflow
//   computes them; "__thought__<signature>" is appended when the part has a thoughtSignature;
// - completions: id null, object "text_completion", candidates with text only;
// - usage from usageMetadata (promptTokenCount, candidatesTokenCount, totalTokenCount; nulls
//   when absent); embeddings: embeddings[].values or embedding.values, usage nulls.
//
// Streaming (alt=sse, one GenerateContentResponse per `data:` event, no terminator): each event
// -> one chunk, id "gemini-chat-stream-<now>" / "gemini-completions-stream-<now>", object
// "chat.completion.chunk" / "text_completion_chunk" (mlflow-compatibility §4.6; MLflow writes
// "text_completion.chunk" here, which no other provider uses), delta role "assistant" with the
// text (function calls arrive whole, as tool_calls deltas numbered in arrival order per
// candidate), choice index = the candidate's `index` (its position when absent), finish_reason =
// the raw finishReason. A prompt blocked by the safety filters (promptFeedback.blockReason, no
// candidates) -> one chunk with an empty delta (role "assistant", content null; completions: text
// "") and finish_reason "content_filter". Other events without candidates produce no chunk.
// usageMetadata -> a usage chunk (choices []) after the first chunk that carries a
// finishReason, when the client asked for usage. The stream is complete at EOF once a
// finishReason (or a blockReason) was seen; finished() stays false (no terminator to wait for).
//
// Thought signatures (not in MLflow): thinking models (Gemini 2.5, 3) put an opaque
// "thoughtSignature" on the part that holds a functionCall ({"functionCall": {...},
// "thoughtSignature": "<sig>"}), and Gemini 3 answers 400 ("Function call is missing a
// thought_signature in functionCall parts") when a later request's history does not carry it
// back on that same part. The unified schema has no place for it and clients echo only the tool
// call's id, so it travels in the id, as LiteLLM does: replies (whole and streamed) give the tool
// call id "<base id>__thought__<signature>", and requests split such an id at the first
// "__thought__" back into functionCall.id and the part's thoughtSignature. Ids without the
// marker are unchanged both ways. Signatures on text parts are dropped (Google: optional there).
#include <openssl/evp.h>

#include <map>
#include <string_view>

#include "config/url.h"
#include "providers/adapter_kit.h"
#include "providers/providers.h"
#include "providers/python_json.h"
#include "providers/wire/sse.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

GatewayError invalid(std::string message) { return GatewayError::make(422, std::move(message)); }

using jsonx::field_or_null;
using jsonx::string_or_empty;

using jsonx::content_text;

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

// The separator between a tool call's base id and its thought signature (LiteLLM's).
constexpr std::string_view kThoughtMarker = "__thought__";

// A unified tool call id -> the Gemini functionCall id and the thought signature it carries
// ("" when none). A non-string id is kept as it is.
struct SplitId {
  Json id;
  std::string signature;
};

SplitId split_tool_call_id(const Json& id) {
  if (!id.is_string()) return {id, {}};
  const std::string& text = id.get_ref<const std::string&>();
  const auto at = text.find(kThoughtMarker);
  if (at == std::string::npos) return {id, {}};
  return {Json(text.substr(0, at)), text.substr(at + kThoughtMarker.size())};
}

// MLflow's generation-config renames, in the order it checks them.
constexpr std::pair<const char*, const char*> kGenerationKeys[] = {
    {"stop", "stopSequences"}, {"n", "candidateCount"}, {"max_tokens", "maxOutputTokens"},
    {"top_k", "topK"},         {"top_p", "topP"},
};

// A unified content (string, parts or null) -> Gemini parts.
Json parts_of(const Json& content) {
  Json parts = Json::array();
  if (content.is_string()) {
    parts.push_back(Json{{"text", content}});
  } else if (content.is_array()) {
    for (const auto& part : content) {
      const std::string type = string_or_empty(part, "type");
      if (type == "text") {
        parts.push_back(Json{{"text", string_or_empty(part, "text")}});
      } else if (type == "image_url") {
        const std::string url = string_or_empty(field_or_null(part, "image_url"), "url");
        const auto comma = url.find(',');
        const auto semi = url.find(";base64");
        if (url.rfind("data:", 0) == 0 && comma != std::string::npos && semi != std::string::npos &&
            semi < comma) {
          parts.push_back(Json{{"inlineData", Json{{"mimeType", url.substr(5, semi - 5)},
                                                   {"data", url.substr(comma + 1)}}}});
        } else {
          parts.push_back(Json{{"fileData", Json{{"fileUri", url}}}});
        }
      } else if (type == "input_audio") {
        const Json& audio = field_or_null(part, "input_audio");
        parts.push_back(
            Json{{"inlineData", Json{{"mimeType", "audio/" + string_or_empty(audio, "format")},
                                     {"data", string_or_empty(audio, "data")}}}});
      }
    }
  }
  if (parts.empty()) parts.push_back(Json{{"text", ""}});
  return parts;
}

// A tool message's content -> the functionResponse `response` object.
Json function_response_of(const Json& content) {
  const std::string text = content_text(content);
  Json parsed = parse_json(text);
  if (parsed.is_object()) return parsed;
  if (parsed.is_discarded()) return Json{{"content", text}};
  return Json{{"content", std::move(parsed)}};
}

Result<Json> convert_tools(const Json& tools) {
  Json declarations = Json::array();
  for (const auto& tool : tools) {
    const Json& type = field_or_null(tool, "type");
    const std::string t = type.is_string() ? type.get<std::string>() : "function";
    if (t != "function") {
      return invalid("Only function calling tool is supported, but received tool type " + t);
    }
    const Json& fn = field_or_null(tool, "function");
    if (!fn.is_object()) return invalid("A function tool needs a 'function' object.");
    Json d{{"name", field_or_null(fn, "name")}};
    if (fn.contains("description")) d["description"] = fn["description"];
    if (fn.contains("parameters")) d["parametersJsonSchema"] = fn["parameters"];
    declarations.push_back(std::move(d));
  }
  return Json::array({Json{{"functionDeclarations", std::move(declarations)}}});
}

// Unified chat messages -> {"contents", "system_instruction"?}.
Result<Json> convert_messages(const Json& messages, Json& body) {
  Json contents = Json::array();
  Json system_parts = Json::array();
  std::map<std::string, Json> call_names;  // tool call id -> function name
  bool last_is_responses = false;          // contents.back() holds functionResponse parts
  for (const auto& m : messages) {
    const std::string role = string_or_empty(m, "role");
    const Json& content = field_or_null(m, "content");
    if (role == "user") {
      contents.push_back(Json{{"role", "user"}, {"parts", parts_of(content)}});
      last_is_responses = false;
    } else if (role == "assistant") {
      const Json& tool_calls = field_or_null(m, "tool_calls");
      Json parts = Json::array();
      if (!content_text(content).empty()) parts = parts_of(content);
      if (tool_calls.is_array()) {
        for (const auto& tc : tool_calls) {
          const Json& fn = field_or_null(tc, "function");
          auto parsed = kit::tool_call_arguments(tc);
          if (!parsed) return parsed.take_error();
          const Json& id = field_or_null(tc, "id");
          if (id.is_string()) call_names[id.get<std::string>()] = field_or_null(fn, "name");
          SplitId split = split_tool_call_id(id);
          Json part{{"functionCall", Json{{"id", std::move(split.id)},
                                          {"name", field_or_null(fn, "name")},
                                          {"args", std::move(*parsed)}}}};
          if (!split.signature.empty()) part["thoughtSignature"] = std::move(split.signature);
          parts.push_back(std::move(part));
        }
      }
      if (parts.empty()) parts.push_back(Json{{"text", ""}});
      contents.push_back(Json{{"role", "model"}, {"parts", std::move(parts)}});
      last_is_responses = false;
    } else if (role == "system" || role == "developer") {
      system_parts.push_back(Json{{"text", content_text(content)}});
    } else if (role == "tool") {
      const std::string id = string_or_empty(m, "tool_call_id");
      auto name = call_names.find(id);
      if (name == call_names.end()) {
        return invalid("The tool message with tool_call_id '" + id +
                       "' does not answer a tool call of an earlier assistant message.");
      }
      Json part{{"functionResponse", Json{{"id", split_tool_call_id(Json(id)).id},
                                          {"name", name->second},
                                          {"response", function_response_of(content)}}}};
      if (last_is_responses) {
        contents.back()["parts"].push_back(std::move(part));
      } else {
        contents.push_back(Json{{"role", "user"}, {"parts", Json::array({std::move(part)})}});
        last_is_responses = true;
      }
    }
    // Other roles are dropped, as in MLflow.
  }
  body["contents"] = std::move(contents);
  if (!system_parts.empty()) body["system_instruction"] = Json{{"parts", std::move(system_parts)}};
  return body;
}

// One candidate's parts: the joined text (thought summaries skipped) and the function calls.
struct CandidateParts {
  std::string text;
  bool has_text = false;
  Json calls = Json::array();  // unified tool calls (without stream index)
};

CandidateParts candidate_parts(const Json& candidate) {
  CandidateParts out;
  const Json& parts = field_or_null(field_or_null(candidate, "content"), "parts");
  if (!parts.is_array()) return out;
  for (const auto& part : parts) {
    const Json& call = field_or_null(part, "functionCall");
    if (call.is_object()) {
      const Json& name = field_or_null(call, "name");
      Json args = field_or_null(call, "args");
      if (args.is_null()) args = Json::object();
      std::string arguments = python_json::dumps(args);
      const Json& given = field_or_null(call, "id");
      std::string id =
          given.is_string()
              ? given.get<std::string>()
              : "call_" + md5_hex((name.is_string() ? name.get<std::string>() : std::string()) +
                                  "/" + arguments);
      // The signature rides in the id so that it comes back with the client's next request.
      if (const Json& sig = field_or_null(part, "thoughtSignature");
          sig.is_string() && !sig.get_ref<const std::string&>().empty()) {
        id += kThoughtMarker;
        id += sig.get<std::string>();
      }
      out.calls.push_back(
          Json{{"id", std::move(id)},
               {"type", "function"},
               {"function", Json{{"name", name}, {"arguments", std::move(arguments)}}}});
      continue;
    }
    const Json& text = field_or_null(part, "text");
    if (text.is_string() && field_or_null(part, "thought") != true) {
      out.text += text.get<std::string>();
      out.has_text = true;
    }
  }
  return out;
}

// A candidate's choice index: its own `index` (Gemini numbers the candidates of candidateCount
// > 1, and a stream event may carry only some of them), else its position in the array.
std::int64_t candidate_index(const Json& candidate, std::int64_t position) {
  const Json& index = field_or_null(candidate, "index");
  return index.is_number_integer() ? index.get<std::int64_t>() : position;
}

Json usage_of(const Json& body) {
  const Json& u = field_or_null(body, "usageMetadata");
  return Json{{"prompt_tokens", field_or_null(u, "promptTokenCount")},
              {"completion_tokens", field_or_null(u, "candidatesTokenCount")},
              {"total_tokens", field_or_null(u, "totalTokenCount")}};
}

// ---- streaming -----------------------------------------------------------------------------

class GeminiStreamTranslator final : public StreamTranslator {
 public:
  GeminiStreamTranslator(EndpointType type, std::int64_t now, std::string model, bool wants_usage)
      : type_(type), now_(now), model_(std::move(model)), wants_usage_(wants_usage) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (event.data.empty()) return out;
    if (event.data == "[DONE]") {  // not sent by Gemini; MLflow stops there, so do we
      finished_ = true;
      return out;
    }
    Json j = parse_json(event.data);
    if (j.is_discarded() || !j.is_object())
      return malformed_upstream("a stream event is not a JSON object");
    if (const Json& err = field_or_null(j, "error"); !err.is_null()) {
      return upstream_stream_error_of(err);
    }
    const Json& candidates = field_or_null(j, "candidates");
    Json choices = Json::array();
    if (candidates.is_array()) {
      std::int64_t position = 0;
      for (const auto& cand : candidates) choices.push_back(candidate_choice(cand, position++));
    }
    // A prompt blocked by the safety filters: promptFeedback.blockReason and no candidates. That
    // is the end of the answer (Gemini sends nothing more), so it becomes a finish chunk.
    const bool no_candidates = !candidates.is_array() || candidates.empty();
    if (no_candidates && !blocked_ &&
        !field_or_null(field_or_null(j, "promptFeedback"), "blockReason").is_null()) {
      blocked_ = true;
      saw_finish_ = true;
      choices.push_back(blocked_choice());
    }
    if (!choices.empty()) {
      Json chunk = header();
      chunk["choices"] = std::move(choices);
      out.push_back(to_text(chunk));
    }
    if (saw_finish_ && wants_usage_ && !usage_sent_ && j.contains("usageMetadata")) {
      Json chunk = header();
      chunk["choices"] = Json::array();
      chunk["usage"] = usage_of(j);
      out.push_back(to_text(chunk));
      usage_sent_ = true;
    }
    return out;
  }

  bool finished() const override { return finished_; }
  bool complete_at_eof() const override { return finished_ || saw_finish_; }

 private:
  // One candidate -> its choice (chat: a delta with text and tool calls; completions: text).
  Json candidate_choice(const Json& cand, std::int64_t position) {
    const std::int64_t index = candidate_index(cand, position);
    const Json& finish = field_or_null(cand, "finishReason");
    if (!finish.is_null()) saw_finish_ = true;
    CandidateParts parts = candidate_parts(cand);
    Json choice{{"index", index}, {"finish_reason", finish}};
    if (type_ == EndpointType::Chat) {
      Json tool_calls = nullptr;
      Json content = parts.text;
      if (!parts.calls.empty()) {
        tool_calls = tool_call_deltas(index, parts.calls);
        if (!parts.has_text) content = nullptr;
      }
      choice["delta"] = Json{{"role", "assistant"},
                             {"content", std::move(content)},
                             {"tool_calls", std::move(tool_calls)}};
    } else {
      choice["text"] = std::move(parts.text);
    }
    return choice;
  }

  // The candidate's function calls (moved out of `calls`) as tool_calls deltas, numbered in
  // arrival order per candidate.
  Json tool_call_deltas(std::int64_t index, Json& calls) {
    Json tool_calls = Json::array();
    int& next = next_tool_index_[index];  // per candidate, keyed by its own index
    for (auto& call : calls) {
      Json delta_call{{"index", next++}};
      for (auto it = call.begin(); it != call.end(); ++it)
        delta_call[it.key()] = std::move(it.value());
      tool_calls.push_back(std::move(delta_call));
    }
    return tool_calls;
  }

  // The finish choice of a prompt blocked by the safety filters (an empty delta or text).
  Json blocked_choice() const {
    Json choice{{"index", 0}, {"finish_reason", "content_filter"}};
    if (type_ == EndpointType::Chat) {
      choice["delta"] = Json{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", nullptr}};
    } else {
      choice["text"] = "";
    }
    return choice;
  }

  Json header() const {
    const bool chat = type_ == EndpointType::Chat;
    return kit::chunk_head(
        type_,
        std::string(chat ? "gemini-chat-stream-" : "gemini-completions-stream-") +
            std::to_string(now_),
        now_, model_);
  }

  EndpointType type_;
  std::int64_t now_;
  std::string model_;
  bool wants_usage_;
  std::map<std::int64_t, int> next_tool_index_;  // candidate index -> next tool_calls index
  bool saw_finish_ = false;
  bool blocked_ = false;  // the content_filter chunk of a blocked prompt was sent
  bool usage_sent_ = false;
  bool finished_ = false;
};

// ---- the adapter ---------------------------------------------------------------------------

class GeminiAdapter final : public Adapter {
 public:
  GeminiAdapter(config::HttpProviderSettings settings, ModelName model)
      : settings_(std::move(settings)), model_(model.value_or("")) {}

  std::string_view display_name() const override { return "Gemini"; }

  Result<Call> prepare(const RequestContext& ctx, Json payload) const override {
    if (payload.contains("model")) return model_not_permitted();
    UpstreamRequest req;
    Json body;
    if (ctx.type == EndpointType::Embeddings) {
      auto b = embeddings_body(payload);
      if (!b) return b.take_error();
      body = std::move(*b);
      req.url = append_path(
          settings_.api_base,
          model_ + (body.contains("requests") ? ":batchEmbedContents" : ":embedContent"));
    } else {
      auto b = generate_body(ctx.type, payload);
      if (!b) return b.take_error();
      body = std::move(*b);
      if (field_or_null(payload, "stream") == true) {
        req.url = append_path(settings_.api_base, model_ + ":streamGenerateContent");
        req.url += (req.url.find('?') == std::string::npos ? "?" : "&");
        req.url += "alt=sse";
      } else {
        req.url = append_path(settings_.api_base, model_ + ":generateContent");
      }
    }
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("x-goog-api-key", settings_.api_key.reveal());
    req.body = to_text(body);
    return Call{std::move(req)};
  }

  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override {
    if (ctx.type == EndpointType::Embeddings) return nullptr;
    return std::make_unique<GeminiStreamTranslator>(ctx.type, ctx.now, model_, client_wants_usage);
  }

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override {
    if (!body.is_object()) return malformed_upstream("the body is not a JSON object");
    if (ctx.type == EndpointType::Embeddings) return embeddings_response(body);
    const Json& candidates = field_or_null(body, "candidates");
    // A prompt blocked by the safety filters comes back with promptFeedback and no candidates.
    if (!candidates.is_array() && !(candidates.is_null() && body.contains("promptFeedback")))
      return malformed_upstream("'candidates' is missing");
    Json choices = Json::array();
    if (candidates.is_array()) {
      std::int64_t position = 0;
      for (const auto& cand : candidates) {
        const std::int64_t index = candidate_index(cand, position++);
        const Json& reason = field_or_null(cand, "finishReason");
        Json finish = reason.is_string() ? reason : Json("stop");
        if (finish == "MAX_TOKENS") finish = "length";
        CandidateParts parts = candidate_parts(cand);
        if (ctx.type == EndpointType::Chat) {
          if (parts.calls.empty() && parts.text.empty()) continue;
          Json message{
              {"role", "assistant"},
              {"content", parts.has_text && !parts.text.empty() ? Json(parts.text) : Json(nullptr)},
              {"tool_calls", parts.calls.empty() ? Json(nullptr) : std::move(parts.calls)},
              {"refusal", nullptr}};
          choices.push_back(Json{{"index", index},
                                 {"message", std::move(message)},
                                 {"finish_reason", std::move(finish)}});
        } else {
          if (parts.text.empty()) continue;
          choices.push_back(Json{{"index", index},
                                 {"text", std::move(parts.text)},
                                 {"finish_reason", std::move(finish)}});
        }
      }
    }
    Json out;
    const bool chat = ctx.type == EndpointType::Chat;
    out["id"] = chat ? Json("gemini-chat-" + std::to_string(ctx.now)) : Json(nullptr);
    out["object"] = chat ? "chat.completion" : "text_completion";
    out["created"] = ctx.now;
    out["model"] = model_;
    out["choices"] = std::move(choices);
    out["usage"] = usage_of(body);
    return out;
  }

 private:
  Result<Json> generate_body(EndpointType type, const Json& payload) const {
    for (const auto& [snake, camel] : kGenerationKeys) {
      if (payload.contains(camel))
        return invalid(std::string("Invalid parameter ") + camel + ". Use " + snake + " instead.");
    }
    if (const Json& top_p = field_or_null(payload, "top_p");
        top_p.is_number() && top_p.get<double>() > 1)
      return invalid("top_p should be less than or equal to 1");

    Json body = Json::object();
    if (type == EndpointType::Chat) {
      auto converted = convert_messages(field_or_null(payload, "messages"), body);
      if (!converted) return converted.take_error();
    } else {
      Json messages = Json::array();
      const Json& sp = field_or_null(payload, "system_prompt");
      if (sp.is_string() &&
          !sp.get_ref<const std::string&>().empty())  // Json::empty() is false for ""
        messages.push_back(Json{{"role", "system"}, {"content", sp}});
      messages.push_back(Json{{"role", "user"}, {"content", field_or_null(payload, "prompt")}});
      auto converted = convert_messages(messages, body);
      if (!converted) return converted.take_error();
    }

    Json config = Json::object();
    if (payload.contains("temperature")) config["temperature"] = payload["temperature"];
    for (const char* snake : {"stop", "n", "max_tokens", "top_k", "top_p"}) {
      if (!payload.contains(snake)) continue;
      for (const auto& [s, camel] : kGenerationKeys)
        if (std::string_view(s) == snake) config[camel] = payload[snake];
    }
    // GENERATION_CONFIGS order: temperature, stopSequences, candidateCount, maxOutputTokens,
    // topK, topP (the loop above follows it).
    if (!config.empty()) body["generationConfig"] = std::move(config);

    if (const Json& tools = field_or_null(payload, "tools"); tools.is_array() && !tools.empty()) {
      auto converted = convert_tools(tools);
      if (!converted) return converted.take_error();
      body["tools"] = std::move(*converted);
    }
    return body;
  }

  Result<Json> embeddings_body(const Json& payload) const {
    const Json& input = field_or_null(payload, "input");
    Json texts = Json::array();
    if (input.is_string()) {
      texts.push_back(input);
    } else if (input.is_array()) {
      for (const auto& x : input) {
        if (!x.is_string())
          return invalid("The Gemini provider accepts only text input for embeddings.");
        texts.push_back(x);
      }
    }
    if (texts.empty()) return invalid("The Gemini provider needs at least one input to embed.");
    auto content = [](const Json& text) {
      return Json{{"parts", Json::array({Json{{"text", text}}})}};
    };
    if (texts.size() == 1) return Json{{"content", content(texts[0])}};
    Json requests = Json::array();
    for (const auto& t : texts)
      requests.push_back(Json{{"model", "models/" + model_}, {"content", content(t)}});
    return Json{{"requests", std::move(requests)}};
  }

  Result<Json> embeddings_response(const Json& body) const {
    Json items = Json::array();
    if (const Json& many = field_or_null(body, "embeddings"); many.is_array()) {
      items = many;
    } else if (const Json& one = field_or_null(body, "embedding"); one.is_object()) {
      items.push_back(one);
    } else {
      return malformed_upstream("'embeddings' is missing");
    }
    Json data = Json::array();
    int index = 0;
    for (auto& item : items) {
      const Json& values = field_or_null(item, "values");
      if (!values.is_array()) return malformed_upstream("an embedding has no 'values'");
      data.push_back(Json{{"object", "embedding"}, {"embedding", values}, {"index", index++}});
    }
    return Json{{"object", "list"},
                {"data", std::move(data)},
                {"model", model_},
                {"usage", Json{{"prompt_tokens", nullptr}, {"total_tokens", nullptr}}}};
  }

  config::HttpProviderSettings settings_;
  std::string model_;
};

}  // namespace

std::shared_ptr<const Adapter> make_gemini_adapter(const config::HttpProviderSettings& s,
                                                   ModelName model) {
  return std::make_shared<GeminiAdapter>(s, std::move(model));
}

}  // namespace gw
