// OpenAI (and OpenAI-compatible) streaming: upstream SSE `data:` events of chat.completion.chunk
// (or legacy text_completion) objects, ended by `data: [DONE]` -> unified chunks
// (docs/mlflow-compatibility.md §4.6).
#include "providers/adapter_kit.h"
#include "providers/fast_path.h"
#include "providers/openai.h"
#include "providers/wire/sse.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

using jsonx::field_or_null;

}  // namespace

Json openai_delta_tool_calls(const Json& delta) {
  auto it = delta.find("tool_calls");
  if (it == delta.end() || !it->is_array()) return nullptr;
  Json calls = Json::array();
  for (const auto& tc : *it) {
    Json fn = field_or_null(tc, "function");
    calls.push_back(Json{{"index", field_or_null(tc, "index")},
                         {"id", field_or_null(tc, "id")},
                         {"type", field_or_null(tc, "type")},
                         {"function", Json{{"name", field_or_null(fn, "name")},
                                           {"arguments", field_or_null(fn, "arguments")}}}});
  }
  return calls;
}

namespace {

class OpenAIStreamTranslator final : public StreamTranslator {
 public:
  OpenAIStreamTranslator(EndpointType type, std::int64_t now, bool client_wants_usage, bool fast)
      : type_(type), now_(now), wants_usage_(client_wants_usage), fast_(fast) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (event.data.empty()) return out;
    if (event.data == "[DONE]") {
      finished_ = true;
      return out;
    }
    if (fast_) {
      // The simdjson path (fast_path.h), pinned to this reference by test_openai_stream.cpp.
      if (auto chunk = openai_fast_chunk(type_, event.data, now_, wants_usage_)) {
        if (*chunk) out.push_back(std::move(**chunk));
        return out;
      }
    }
    Json j = parse_json(event.data);
    if (j.is_discarded() || !j.is_object())
      return malformed_upstream("a stream event is not a JSON object");
    if (auto err = j.find("error"); err != j.end() && !err->is_null()) {
      return upstream_stream_error_of(*err);
    }
    const Json choices_in = field_or_null(j, "choices");
    const Json usage = field_or_null(j, "usage");
    const bool usage_only = usage.is_object() && (!choices_in.is_array() || choices_in.empty());
    if (usage_only && !wants_usage_) return out;  // requested by the gateway for itself
    auto created = j.find("created");
    Json chunk =
        kit::chunk_head(type_, field_or_null(j, "id"),
                        created != j.end() && created->is_number_integer() ? *created : Json(now_),
                        field_or_null(j, "model"));
    Json choices = Json::array();
    if (choices_in.is_array()) {
      int position = 0;
      for (const auto& c : choices_in) {
        Json index = field_or_null(c, "index");
        if (!index.is_number_integer()) index = position;
        ++position;
        const Json delta = field_or_null(c, "delta");
        if (type_ == EndpointType::Chat) {
          choices.push_back(kit::delta_choice(
              index, field_or_null(c, "finish_reason"), field_or_null(delta, "role"),
              field_or_null(delta, "content"), openai_delta_tool_calls(delta)));
        } else {
          // Chat-shaped chunks (delta.content) and legacy completion chunks (text) both work.
          // A chunk without text (the last one, with only a finish_reason) has `text: null`,
          // as MLflow sends it.
          Json text = field_or_null(delta, "content");
          if (!text.is_string()) text = field_or_null(c, "text");
          choices.push_back(kit::text_choice(index, field_or_null(c, "finish_reason"),
                                             text.is_string() ? text : Json(nullptr)));
        }
      }
    }
    chunk["choices"] = std::move(choices);
    if (usage.is_object() && wants_usage_) chunk["usage"] = usage;
    out.push_back(to_text(chunk));
    return out;
  }

  bool finished() const override { return finished_; }

 private:
  EndpointType type_;
  std::int64_t now_;
  bool wants_usage_;
  bool fast_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<StreamTranslator> make_openai_stream_translator(EndpointType type, std::int64_t now,
                                                                bool client_wants_usage,
                                                                bool fast) {
  if (type == EndpointType::Embeddings) return nullptr;
  return std::make_unique<OpenAIStreamTranslator>(type, now, client_wants_usage, fast);
}

std::unique_ptr<StreamTranslator> OpenAIAdapter::stream_translator(const RequestContext& ctx,
                                                                   bool client_wants_usage) const {
  return make_openai_stream_translator(ctx.type, ctx.now, client_wants_usage);
}

}  // namespace gw
