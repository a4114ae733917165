// The adapter kit: building blocks every provider adapter uses (namespace gw::kit). MLflow's key
// renames and "Invalid parameter" checks (docs/mlflow-compatibility.md §6.7–6.11), the
// streaming guard, the JSON POST request, tool-call arguments, and builders for the unified
// responses of mlflow-compatibility §4.5 (model = the configured model name, id null, created =
// now, usage members null unless the provider reports them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/adapter.h"
#include "providers/upstream_reply.h"

namespace gw::kit {

// (unified key, provider key) pairs, in MLflow's mapping order.
using KeyMap = std::vector<std::pair<std::string_view, std::string_view>>;

// MLflow's rename_payload_keys: every key of `mapping` is renamed in place (its position in the
// object is kept); other keys are untouched.
inline Json rename_keys(Json obj, const KeyMap& mapping) {
  if (!obj.is_object()) return obj;
  Json out = Json::object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string_view name = it.key();
    for (const auto& [from, to] : mapping) {
      if (name == from) {
        name = to;
        break;
      }
    }
    out[std::string(name)] = std::move(it.value());
  }
  return out;
}

// MLflow's guard against provider-native spellings: a payload that already carries a mapped
// provider key is a 422 "Invalid parameter <provider key>. Use <unified key> instead."
inline std::optional<GatewayError> reject_provider_keys(const Json& payload,
                                                        const KeyMap& mapping) {
  for (const auto& [unified, provider] : mapping) {
    if (payload.contains(provider))
      return GatewayError::make(422, "Invalid parameter " + std::string(provider) + ". Use " +
                                         std::string(unified) + " instead.");
  }
  return std::nullopt;
}

// These providers cannot stream. MLflow routes `stream: true` to the provider's (unimplemented)
// streaming method before any provider check runs, so the answer is always the 501; the gateway
// gives the same answer when stream_translator() is nullptr, this makes prepare() agree with it.
inline std::optional<GatewayError> reject_stream(const RequestContext& ctx, const Json& payload,
                                                 std::string_view display_name) {
  if (ctx.type == config::EndpointType::Embeddings) return std::nullopt;
  auto it = payload.find("stream");
  if (it == payload.end() || !it->is_boolean() || !it->get<bool>()) return std::nullopt;
  const char* what = ctx.type == config::EndpointType::Chat ? "chat" : "completions";
  return GatewayError::make(501,
                            std::string("The ") + what +
                                " streaming route is not implemented for " +
                                std::string(display_name) + " models.",
                            "invalid_request_error", "streaming_not_supported");
}

// Moves obj[key] out of an object (nullopt when absent or obj is not an object).
inline std::optional<Json> pop(Json& obj, std::string_view key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  Json value = std::move(*it);
  obj.erase(it);
  return value;
}

// obj[key] when obj is an object that has it, else null (never throws).
inline Json field(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? Json(nullptr) : *it;
}

// The configured model name as the response's `model` (null when the config has none).
inline Json model_json(const std::optional<std::string>& model) {
  return model ? Json(*model) : Json(nullptr);
}

inline Json null_usage(bool with_completion = true) {
  Json u;
  u["prompt_tokens"] = nullptr;
  if (with_completion) u["completion_tokens"] = nullptr;
  u["total_tokens"] = nullptr;
  return u;
}

// One completions choice: {"index","text","finish_reason"}.
inline Json completion_choice(int index, Json text, Json finish_reason = nullptr) {
  Json c;
  c["index"] = index;
  c["text"] = std::move(text);
  c["finish_reason"] = std::move(finish_reason);
  return c;
}

// One chat choice: {"index","message":{"role","content","tool_calls","refusal"},"finish_reason"}.
inline Json chat_choice(int index, Json role, Json content, Json finish_reason = nullptr) {
  Json m;
  m["role"] = std::move(role);
  m["content"] = std::move(content);
  m["tool_calls"] = nullptr;
  m["refusal"] = nullptr;
  Json c;
  c["index"] = index;
  c["message"] = std::move(m);
  c["finish_reason"] = std::move(finish_reason);
  return c;
}

// {"id":null,"object":<object>,"created":now,"model":model,"choices":[...],"usage":usage}.
inline Json text_response(std::string_view object, std::int64_t now, Json model, Json choices,
                          Json usage = null_usage()) {
  Json out;
  out["id"] = nullptr;
  out["object"] = std::string(object);
  out["created"] = now;
  out["model"] = std::move(model);
  out["choices"] = std::move(choices);
  out["usage"] = std::move(usage);
  return out;
}

// {"object":"list","data":[{"object":"embedding","embedding":e,"index":i}...],"model",
//  "usage":{"prompt_tokens":null,"total_tokens":null}}.
inline Json embeddings_response(std::vector<Json> embeddings, Json model) {
  Json data = Json::array();
  int index = 0;
  for (auto& e : embeddings) {
    Json d;
    d["object"] = "embedding";
    d["embedding"] = std::move(e);
    d["index"] = index++;
    data.push_back(std::move(d));
  }
  Json out;
  out["object"] = "list";
  out["data"] = std::move(data);
  out["model"] = std::move(model);
  out["usage"] = null_usage(false);
  return out;
}

// True for a JSON array whose items are all numbers (an embedding vector; may be empty).
inline bool is_number_array(const Json& j) {
  if (!j.is_array()) return false;
  for (const auto& x : j)
    if (!x.is_number()) return false;
  return true;
}

// Common request headers: Content-Type plus the provider's own.
inline UpstreamRequest post_json(std::string url, Json body,
                                 std::vector<std::pair<std::string, std::string>> extra = {}) {
  UpstreamRequest req;
  req.url = std::move(url);
  req.headers.emplace_back("Content-Type", "application/json");
  for (auto& h : extra) req.headers.push_back(std::move(h));
  req.body = to_text(body);
  return req;
}

// A unified tool call's `function.arguments` (a JSON text) parsed back into a value; an empty
// text is `{}`; text that is not JSON is a 422 naming the tool call.
inline Result<Json> tool_call_arguments(const Json& tool_call) {
  const Json& fn = jsonx::field_or_null(tool_call, "function");
  const std::string args = jsonx::string_or_empty(fn, "arguments");
  Json parsed = args.empty() ? Json::object() : parse_json(args);
  if (parsed.is_discarded()) {
    return GatewayError::make(422, "The arguments of tool call '" +
                                       jsonx::string_or_empty(tool_call, "id") +
                                       "' are not valid JSON.");
  }
  return parsed;
}

// ---- unified stream chunks (docs/mlflow-compatibility.md §4.6) ---------------------------

// {"id","object","created","model"}: the head of every chunk; `object` follows the type
// ("chat.completion.chunk" or "text_completion_chunk").
inline Json chunk_head(config::EndpointType type, Json id, Json created, Json model) {
  Json chunk;
  chunk["id"] = std::move(id);
  chunk["object"] =
      type == config::EndpointType::Chat ? "chat.completion.chunk" : "text_completion_chunk";
  chunk["created"] = std::move(created);
  chunk["model"] = std::move(model);
  return chunk;
}

// A chat chunk's choice: {"index","finish_reason","delta":{"role","content","tool_calls"}}.
inline Json delta_choice(Json index, Json finish_reason, Json role, Json content, Json tool_calls) {
  return Json{{"index", std::move(index)},
              {"finish_reason", std::move(finish_reason)},
              {"delta", Json{{"role", std::move(role)},
                             {"content", std::move(content)},
                             {"tool_calls", std::move(tool_calls)}}}};
}

// A completions chunk's choice: {"index","finish_reason","text"}.
inline Json text_choice(Json index, Json finish_reason, Json text) {
  return Json{{"index", std::move(index)},
              {"finish_reason", std::move(finish_reason)},
              {"text", std::move(text)}};
}

}  // namespace gw::kit
