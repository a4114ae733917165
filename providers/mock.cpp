#include "providers/mock.h"

#include <cmath>
#include <cstring>
#include <cstdio>
#include <sstream>
#include <vector>

#include "providers/adapter_kit.h"
#include "providers/wire/base64.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(std::move(w));
  return out;
}

std::string text_of(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text")) {
        if (!out.empty()) out += ' ';
        out += part["text"].get<std::string>();
      }
    }
  }
  return out;
}

std::string hex_id(std::string_view prefix, const Json& payload) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(fnv1a(to_text(payload))));
  return std::string(prefix) + buf;
}

struct Reply {
  std::string text;
  std::string finish_reason;
  std::size_t tokens;
};

Reply make_reply(const std::string& full, const Json& payload) {
  auto ws = words(full);
  auto max = payload.find("max_tokens");
  if (max != payload.end() && max->is_number_integer() &&
      static_cast<std::size_t>(max->get<std::int64_t>()) < ws.size()) {
    std::size_t keep = max->get<std::size_t>();
    std::string text;
    for (std::size_t i = 0; i < keep; ++i) text += (i ? " " : "") + ws[i];
    return {text, "length", keep};
  }
  return {full, "stop", ws.size()};
}

Json usage(std::size_t prompt, std::size_t completion) {
  return Json{{"prompt_tokens", prompt},
              {"completion_tokens", completion},
              {"total_tokens", prompt + completion}};
}

}  // namespace

MockAdapter::MockAdapter(config::MockSettings settings, std::optional<std::string> model_name)
    : settings_(std::move(settings)), model_(model_name.value_or("mock")) {}

Result<Call> MockAdapter::prepare(const RequestContext& ctx, Json payload) const {
  if (payload.contains("model")) return model_not_permitted();  // as every MLflow provider
  // The schema bounds `n` from below only. Every choice is built here, in the worker, so a
  // client's "n": 100000000 would cost gigabytes and minutes (found by
  // tests/fuzz/fuzz_provider_request: n = 4888881 took 50 s); OpenAI's own limit is 128.
  if (const auto n = payload.find("n");
      n != payload.end() && n->is_number_integer() && n->get<std::int64_t>() > kMaxChoices)
    return GatewayError::make(
        422, "The mock provider returns at most " + std::to_string(kMaxChoices) + " choices (n).");
  if (payload.value("stream", false) && ctx.type != config::EndpointType::Embeddings)
    return Call{stream(ctx, payload)};
  switch (ctx.type) {
    case config::EndpointType::Chat:
      return Call{chat(ctx, payload)};
    case config::EndpointType::Completions:
      return Call{completions(ctx, payload)};
    case config::EndpointType::Embeddings:
      return Call{embeddings(payload)};
  }
  return malformed_upstream("unknown endpoint type");
}

Result<Json> MockAdapter::translate(const RequestContext&, Json) const {
  // Never called: prepare() always answers locally.
  return malformed_upstream("the mock provider has no upstream");
}

Json MockAdapter::chat(const RequestContext& ctx, const Json& payload) const {
  std::string last_user;
  std::size_t prompt_tokens = 0;
  for (const auto& m : payload["messages"]) {
    std::string text = m.contains("content") ? text_of(m["content"]) : "";
    prompt_tokens += words(text).size();
    if (m.value("role", "") == "user") last_user = text;
  }
  Reply r = make_reply(settings_.response.value_or("Mock response to: " + last_user), payload);
  Json choices = Json::array();
  std::int64_t n = payload.value("n", 1);
  for (std::int64_t i = 0; i < n; ++i) {
    choices.push_back(Json{{"index", i},
                           {"message", Json{{"role", "assistant"},
                                            {"content", r.text},
                                            {"tool_calls", nullptr},
                                            {"refusal", nullptr}}},
                           {"finish_reason", r.finish_reason}});
  }
  return Json{{"id", hex_id("chatcmpl-mock-", payload)},
              {"object", "chat.completion"},
              {"created", ctx.now},
              {"model", model_},
              {"choices", std::move(choices)},
              {"usage", usage(prompt_tokens, r.tokens * static_cast<std::size_t>(n))}};
}

Json MockAdapter::completions(const RequestContext& ctx, const Json& payload) const {
  std::string prompt = payload.value("prompt", "");
  Reply r = make_reply(settings_.response.value_or("Mock response to: " + prompt), payload);
  Json choices = Json::array();
  std::int64_t n = payload.value("n", 1);
  for (std::int64_t i = 0; i < n; ++i) {
    choices.push_back(Json{{"index", i}, {"text", r.text}, {"finish_reason", r.finish_reason}});
  }
  return Json{{"id", hex_id("cmpl-mock-", payload)},
              {"object", "text_completion"},
              {"created", ctx.now},
              {"model", model_},
              {"choices", std::move(choices)},
              {"usage", usage(words(prompt).size(), r.tokens * static_cast<std::size_t>(n))}};
}

// The reply of chat()/completions() as a stream: a first chunk (role, for chat), one chunk per
// word, a last chunk with the finish reason, and a usage chunk when the client asked for it.
LocalStream MockAdapter::stream(const RequestContext& ctx, const Json& payload) const {
  const bool chat_type = ctx.type == config::EndpointType::Chat;
  Json full = chat_type ? chat(ctx, payload) : completions(ctx, payload);
  const Json& choice = full["choices"][0];
  std::string text = chat_type ? choice["message"]["content"].get<std::string>()
                               : choice["text"].get<std::string>();
  auto make = [&](Json choices) {
    Json chunk = kit::chunk_head(ctx.type, full["id"], full["created"], full["model"]);
    chunk["choices"] = std::move(choices);
    return chunk;
  };
  auto piece = [&](const Json& content, const Json& finish, const Json& role) {
    if (chat_type) return Json::array({kit::delta_choice(0, finish, role, content, nullptr)});
    return Json::array({kit::text_choice(0, finish, content)});  // the last chunk: text null
  };
  LocalStream out;
  out.usage = full["usage"];
  if (chat_type) out.chunks.push_back(to_text(make(piece("", nullptr, "assistant"))));
  auto ws = words(text);
  for (std::size_t i = 0; i < ws.size(); ++i)
    out.chunks.push_back(to_text(make(piece((i ? " " : "") + ws[i], nullptr, nullptr))));
  out.chunks.push_back(to_text(make(piece(nullptr, choice["finish_reason"], nullptr))));
  const Json* options = payload.contains("stream_options") ? &payload["stream_options"] : nullptr;
  if (options && options->is_object() && options->value("include_usage", false)) {
    Json usage_chunk = make(Json::array());
    usage_chunk["usage"] = full["usage"];
    out.chunks.push_back(to_text(usage_chunk));
  }
  return out;
}

Json MockAdapter::embeddings(const Json& payload) const {
  const Json& input = payload["input"];
  std::vector<std::string> items;
  if (input.is_string()) {
    items.push_back(input.get<std::string>());
  } else if (!input.empty() && input[0].is_number_integer()) {
    items.push_back(to_text(input));  // one tokenised input
  } else {
    for (const auto& x : input) items.push_back(x.is_string() ? x.get<std::string>() : to_text(x));
  }
  const bool base64 = payload.value("encoding_format", "") == "base64";
  Json data = Json::array();
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    tokens += words(items[i]).size();
    std::vector<double> v(static_cast<std::size_t>(settings_.dimensions));
    double norm = 0;
    std::uint64_t h = fnv1a(items[i]);
    for (auto& x : v) {
      h = fnv1a("x", h);  // next pseudo-random value, still deterministic
      x = static_cast<double>(h % 2000001) / 1000000.0 - 1.0;
      norm += x * x;
    }
    norm = norm > 0 ? std::sqrt(norm) : 1.0;
    Json emb;
    if (base64) {
      // OpenAI's base64 format: little-endian float32 values (what the OpenAI SDKs request by
      // default and decode themselves).
      std::string bytes;
      for (double x : v) {
        float f = static_cast<float>(x / norm);
        char raw[sizeof f];
        std::memcpy(raw, &f, sizeof f);
        bytes.append(raw, sizeof f);
      }
      emb = base64_encode(bytes);
    } else {
      emb = Json::array();
      for (double x : v) emb.push_back(std::round(x / norm * 1e6) / 1e6);
    }
    data.push_back(Json{{"object", "embedding"}, {"embedding", std::move(emb)}, {"index", i}});
  }
  return Json{{"object", "list"},
              {"data", std::move(data)},
              {"model", model_},
              {"usage", Json{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

}  // namespace gw
