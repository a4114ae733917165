#include "providers/openai.h"

#include "providers/fast_path.h"
#include "providers/upstream_reply.h"
#include "config/url.h"

namespace gw {
namespace {

using config::EndpointType;
using config::OpenAIApiType;

const char* path_for(EndpointType t) {
  switch (t) {
    case EndpointType::Chat:
      return "chat/completions";
    case EndpointType::Completions:
      return "completions";
    case EndpointType::Embeddings:
      return "embeddings";
  }
  return "";
}

// Moves obj[key] out (null when absent or when obj is not an object).
Json take(Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? Json(nullptr) : std::move(*it);
}

Json usage_of(Json& body, bool with_completion) {
  Json u = take(body, "usage");
  Json out;
  out["prompt_tokens"] = take(u, "prompt_tokens");
  if (with_completion) out["completion_tokens"] = take(u, "completion_tokens");
  out["total_tokens"] = take(u, "total_tokens");
  return out;
}

Json created_of(const Json& body, std::int64_t now) {
  auto it = body.find("created");
  return it != body.end() && it->is_number_integer() ? *it : Json(now);
}

Json tool_calls_of(Json& message) {
  auto it = message.find("tool_calls");
  if (it == message.end() || !it->is_array()) return nullptr;
  Json calls = Json::array();
  for (auto& tc : *it) {
    Json fn = take(tc, "function");
    Json type = take(tc, "type");
    calls.push_back(
        Json{{"id", take(tc, "id")},
             {"type", type.is_null() ? Json("function") : std::move(type)},
             {"function", Json{{"name", take(fn, "name")}, {"arguments", take(fn, "arguments")}}}});
  }
  return calls;
}

}  // namespace

OpenAIAdapter::OpenAIAdapter(config::OpenAISettings settings, std::optional<std::string> model_name)
    : settings_(std::move(settings)), model_name_(std::move(model_name)) {
  if (model_name_) model_prefix_ = "\"model\":" + to_text(Json(*model_name_));
  if (settings_.api_type == OpenAIApiType::OpenAI) {
    base_url_ = settings_.api_base;
    if (settings_.api_version) {
      base_url_ += (base_url_.find('?') == std::string::npos ? "?" : "&");
      base_url_ += "api-version=" + url_encode(*settings_.api_version);
    }
  } else {
    base_url_ = append_path(settings_.api_base,
                            "openai/deployments/" + settings_.deployment_name.value_or(""));
    base_url_ += (base_url_.find('?') == std::string::npos ? "?" : "&");
    base_url_ += "api-version=" + url_encode(settings_.api_version.value_or(""));
  }
}

Result<Call> OpenAIAdapter::prepare(const RequestContext& ctx, Json payload) const {
  if (payload.contains("model")) return model_not_permitted();
  if (payload.value("stream", false)) {
    // Ask for the usage chunk so token usage survives streaming; the translator passes it on
    // only when the client asked for it too.
    Json& options = payload["stream_options"];
    if (!options.is_object()) options = Json::object();
    if (!options.contains("include_usage")) options["include_usage"] = true;
  }
  return Call{request_with_body(ctx, to_text(payload))};
}

std::optional<UpstreamRequest> OpenAIAdapter::prepare_serialized(const RequestContext& ctx,
                                                                 std::string payload) const {
  return request_with_body(ctx, std::move(payload));
}

UpstreamRequest OpenAIAdapter::request_with_body(const RequestContext& ctx,
                                                 std::string payload) const {
  UpstreamRequest req;
  req.url = append_path(base_url_, path_for(ctx.type));
  req.headers.reserve(3);
  req.headers.emplace_back("Content-Type", "application/json");
  switch (settings_.api_type) {
    case OpenAIApiType::OpenAI:
      // Keyless OpenAI-compatible servers (ollama, a local vLLM) get no Authorization header.
      if (!settings_.api_key.empty())
        req.headers.emplace_back("Authorization", "Bearer " + settings_.api_key.reveal());
      if (settings_.organization)
        req.headers.emplace_back("OpenAI-Organization", *settings_.organization);
      break;
    case OpenAIApiType::AzureAD:
      req.headers.emplace_back("Authorization", "Bearer " + settings_.api_key.reveal());
      break;
    case OpenAIApiType::Azure:
      req.headers.emplace_back("api-key", settings_.api_key.reveal());
      break;
  }
  req.body = std::move(payload);
  if (settings_.api_type == OpenAIApiType::OpenAI && model_name_) {
    // {"model": <name>, ...payload}: the model goes first, as MLflow builds it. Spliced as
    // text (the payload never has "model" here) rather than rebuilding the object.
    req.body.insert(1, model_prefix_ + (req.body.size() > 2 ? "," : ""));
  }
  return req;
}

Result<std::string> OpenAIAdapter::reply_text(const RequestContext& ctx,
                                              const UpstreamReply& reply) const {
  if (reply.status >= 200 && reply.status < 300 && is_json_content_type(reply.content_type)) {
    if (auto fast = openai_fast_unified(ctx.type, reply.body, ctx.now)) return std::move(*fast);
  }
  return Adapter::reply_text(ctx, reply);
}

Result<Json> OpenAIAdapter::translate(const RequestContext& ctx, Json body) const {
  switch (ctx.type) {
    case EndpointType::Chat:
      return openai_chat_to_unified(std::move(body), ctx.now);
    case EndpointType::Completions:
      return openai_completions_to_unified(std::move(body), ctx.now);
    case EndpointType::Embeddings:
      return openai_embeddings_to_unified(std::move(body));
  }
  return malformed_upstream("unknown endpoint type");
}

Result<Json> openai_chat_to_unified(Json body, std::int64_t now) {
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array())
    return malformed_upstream("'choices' is missing");
  Json out;
  out["id"] = take(body, "id");
  Json object = take(body, "object");
  out["object"] = object.is_string() ? std::move(object) : Json("chat.completion");
  out["created"] = created_of(body, now);
  out["model"] = take(body, "model");
  Json choices = Json::array();
  int index = 0;
  for (auto& c : body["choices"]) {
    Json msg = take(c, "message");
    if (!msg.is_object()) return malformed_upstream("a choice has no 'message'");
    Json m;
    Json role = take(msg, "role");
    m["role"] = role.is_null() ? Json("assistant") : std::move(role);
    m["content"] = take(msg, "content");
    m["tool_calls"] = tool_calls_of(msg);
    m["refusal"] = take(msg, "refusal");
    choices.push_back(Json{{"index", index++},
                           {"message", std::move(m)},
                           {"finish_reason", take(c, "finish_reason")}});
  }
  out["choices"] = std::move(choices);
  out["usage"] = usage_of(body, true);
  return out;
}

Result<Json> openai_completions_to_unified(Json body, std::int64_t now) {
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array())
    return malformed_upstream("'choices' is missing");
  Json out;
  out["id"] = take(body, "id");
  out["object"] = "text_completion";
  out["created"] = created_of(body, now);
  out["model"] = take(body, "model");
  Json choices = Json::array();
  int index = 0;
  for (auto& c : body["choices"]) {
    // text = choices[i].message.content or choices[i].text or "" (a chat-shaped reply works).
    Json text = "";
    Json msg = take(c, "message");
    Json content = take(msg, "content");
    Json plain = take(c, "text");
    if (content.is_string()) {
      text = std::move(content);
    } else if (plain.is_string()) {
      text = std::move(plain);
    }
    choices.push_back(Json{{"index", index++},
                           {"text", std::move(text)},
                           {"finish_reason", take(c, "finish_reason")}});
  }
  out["choices"] = std::move(choices);
  out["usage"] = usage_of(body, true);
  return out;
}

Result<Json> openai_embeddings_to_unified(Json body) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array())
    return malformed_upstream("'data' is missing");
  Json out;
  out["object"] = "list";
  Json data = Json::array();
  int index = 0;
  for (auto& d : body["data"]) {
    Json emb = take(d, "embedding");
    if (!emb.is_array() && !emb.is_string()) return malformed_upstream("an embedding is missing");
    data.push_back(
        Json{{"object", "embedding"}, {"embedding", std::move(emb)}, {"index", index++}});
  }
  out["data"] = std::move(data);
  out["model"] = take(body, "model");
  out["usage"] = usage_of(body, false);
  return out;
}

}  // namespace gw
