#include "providers/openai.h"

#include "providers/upstream_reply.h"
#include "providers/url.h"

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

Json value_or_null(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? Json(nullptr) : *it;
}

Json usage_of(const Json& body, bool with_completion) {
  Json u = value_or_null(body, "usage");
  Json out;
  out["prompt_tokens"] = value_or_null(u, "prompt_tokens");
  if (with_completion) out["completion_tokens"] = value_or_null(u, "completion_tokens");
  out["total_tokens"] = value_or_null(u, "total_tokens");
  return out;
}

Json created_of(const Json& body, std::int64_t now) {
  auto it = body.find("created");
  return it != body.end() && it->is_number_integer() ? *it : Json(now);
}

Json tool_calls_of(const Json& message) {
  auto it = message.find("tool_calls");
  if (it == message.end() || !it->is_array()) return nullptr;
  Json calls = Json::array();
  for (const auto& tc : *it) {
    Json fn = value_or_null(tc, "function");
    calls.push_back(Json{{"id", value_or_null(tc, "id")},
                         {"type", tc.is_object() && tc.contains("type") ? tc["type"] : Json("function")},
                         {"function",
                          Json{{"name", value_or_null(fn, "name")},
                               {"arguments", value_or_null(fn, "arguments")}}}});
  }
  return calls;
}

}  // namespace

GatewayError model_not_permitted() {
  return GatewayError::make(422,
                            "The parameter 'model' is not permitted to be passed. The route being "
                            "queried already defines a model instance.");
}

OpenAIAdapter::OpenAIAdapter(config::OpenAISettings settings, std::optional<std::string> model_name)
    : settings_(std::move(settings)), model_name_(std::move(model_name)) {
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
  UpstreamRequest req;
  req.url = append_path(base_url_, path_for(ctx.type));
  req.headers.emplace_back("Content-Type", "application/json");
  switch (settings_.api_type) {
    case OpenAIApiType::OpenAI:
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
  if (settings_.api_type == OpenAIApiType::OpenAI && model_name_) {
    // {"model": <name>, ...payload}: the model goes first, as MLflow builds it.
    Json body;
    body["model"] = *model_name_;
    for (auto it = payload.begin(); it != payload.end(); ++it) body[it.key()] = std::move(it.value());
    req.body = to_text(body);
  } else {
    req.body = to_text(payload);
  }
  return Call{std::move(req)};
}

Result<Json> OpenAIAdapter::translate(const RequestContext& ctx, const Json& body) const {
  switch (ctx.type) {
    case EndpointType::Chat:
      return openai_chat_to_unified(body, ctx.now);
    case EndpointType::Completions:
      return openai_completions_to_unified(body, ctx.now);
    case EndpointType::Embeddings:
      return openai_embeddings_to_unified(body);
  }
  return malformed_upstream("unknown endpoint type");
}

Result<Json> openai_chat_to_unified(const Json& body, std::int64_t now) {
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array())
    return malformed_upstream("'choices' is missing");
  Json out;
  out["id"] = value_or_null(body, "id");
  out["object"] = body.contains("object") && body["object"].is_string() ? body["object"]
                                                                         : Json("chat.completion");
  out["created"] = created_of(body, now);
  out["model"] = value_or_null(body, "model");
  Json choices = Json::array();
  int index = 0;
  for (const auto& c : body["choices"]) {
    Json msg = value_or_null(c, "message");
    if (!msg.is_object()) return malformed_upstream("a choice has no 'message'");
    Json m;
    m["role"] = msg.contains("role") ? msg["role"] : Json("assistant");
    m["content"] = value_or_null(msg, "content");
    m["tool_calls"] = tool_calls_of(msg);
    m["refusal"] = value_or_null(msg, "refusal");
    choices.push_back(Json{{"index", index++},
                           {"message", std::move(m)},
                           {"finish_reason", value_or_null(c, "finish_reason")}});
  }
  out["choices"] = std::move(choices);
  out["usage"] = usage_of(body, true);
  return out;
}

Result<Json> openai_completions_to_unified(const Json& body, std::int64_t now) {
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array())
    return malformed_upstream("'choices' is missing");
  Json out;
  out["id"] = value_or_null(body, "id");
  out["object"] = "text_completion";
  out["created"] = created_of(body, now);
  out["model"] = value_or_null(body, "model");
  Json choices = Json::array();
  int index = 0;
  for (const auto& c : body["choices"]) {
    // text = choices[i].message.content or choices[i].text or "" (a chat-shaped reply works).
    Json text = "";
    Json msg = value_or_null(c, "message");
    if (msg.is_object() && msg.contains("content") && msg["content"].is_string()) {
      text = msg["content"];
    } else if (c.is_object() && c.contains("text") && c["text"].is_string()) {
      text = c["text"];
    }
    choices.push_back(Json{{"index", index++},
                           {"text", std::move(text)},
                           {"finish_reason", value_or_null(c, "finish_reason")}});
  }
  out["choices"] = std::move(choices);
  out["usage"] = usage_of(body, true);
  return out;
}

Result<Json> openai_embeddings_to_unified(const Json& body) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array())
    return malformed_upstream("'data' is missing");
  Json out;
  out["object"] = "list";
  Json data = Json::array();
  int index = 0;
  for (const auto& d : body["data"]) {
    Json emb = value_or_null(d, "embedding");
    if (!emb.is_array() && !emb.is_string())
      return malformed_upstream("an embedding is missing");
    data.push_back(Json{{"object", "embedding"}, {"embedding", std::move(emb)}, {"index", index++}});
  }
  out["data"] = std::move(data);
  out["model"] = value_or_null(body, "model");
  out["usage"] = usage_of(body, false);
  return out;
}

}  // namespace gw
