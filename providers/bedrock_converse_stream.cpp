// Amazon Bedrock streaming chat through ConverseStream (docs/providers.md, "bedrock"): the AWS
// binary event stream's events (decoded by providers/wire/stream_decoder.h) -> unified chunks.
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
#include "providers/adapter_kit.h"
#include "providers/bedrock_common.h"
#include "providers/wire/sse.h"

namespace gw::bedrock {
namespace {

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
      : model_(std::move(model)),
        now_(now),
        wants_usage_(wants_usage),
        id_("bedrock-chat-stream-" + std::to_string(now)) {}

  Result<std::vector<std::string>> on_event(const SseEvent& event) override {
    std::vector<std::string> out;
    if (finished_) return out;
    const std::string& type = event.event;
    if (type.rfind("exception:", 0) == 0 || type.rfind("error:", 0) == 0)
      return stream_failure(event);
    Json payload = event.data.empty() ? Json::object() : parse_json(event.data);
    if (payload.is_discarded() || !payload.is_object())
      return malformed_upstream("a stream event is not a JSON object");

    if (type == "messageStart") {
      Json role = member(payload, "role");
      out.push_back(chunk(role.is_string() ? role : Json("assistant"), "", nullptr, nullptr));
    } else if (type == "contentBlockStart") {
      on_block_start(payload, out);
    } else if (type == "contentBlockDelta") {
      if (auto error = on_block_delta(payload, out)) return std::move(*error);
    } else if (type == "messageStop") {
      stopped_ = true;
      out.push_back(
          chunk(nullptr, nullptr, nullptr, finish_reason_of(member(payload, "stopReason"))));
    } else if (type == "metadata") {
      on_metadata(payload, out);
    }
    return out;
  }

  bool finished() const override { return finished_; }
  // Bedrock ends with messageStop then metadata; a stream cut after messageStop lost only usage.
  bool complete_at_eof() const override { return finished_ || stopped_; }

 private:
  // An "exception:<type>" or "error:<type>" event -> the 502 "<type>: <message>".
  static GatewayError stream_failure(const SseEvent& event) {
    const std::string& type = event.event;
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
    return upstream_stream_error(name + (message.empty() ? std::string() : ": " + message));
  }

  // contentBlockStart: a tool call's first delta (id and name); text blocks send nothing.
  void on_block_start(const Json& payload, std::vector<std::string>& out) {
    const Json& use = member(member(payload, "start"), "toolUse");
    if (use.is_object()) {
      const int ordinal = tool_ordinal(member(payload, "contentBlockIndex"));
      Json call = Json{{"index", ordinal},
                       {"id", member(use, "toolUseId")},
                       {"type", "function"},
                       {"function", Json{{"name", member(use, "name")}, {"arguments", ""}}}};
      out.push_back(chunk(nullptr, nullptr, Json::array({std::move(call)}), nullptr));
    }
  }

  // contentBlockDelta: text or a piece of a tool call's input; other delta kinds are skipped.
  std::optional<GatewayError> on_block_delta(const Json& payload, std::vector<std::string>& out) {
    const Json& delta = member(payload, "delta");
    if (const Json* text = find(delta, "text")) {
      if (!text->is_string()) return malformed_upstream("a text delta is not a string");
      out.push_back(chunk(nullptr, *text, nullptr, nullptr));
    } else if (const Json* use = find(delta, "toolUse")) {
      const Json& input = member(*use, "input");
      const int ordinal = tool_ordinal(member(payload, "contentBlockIndex"));
      Json arguments = input.is_string() ? input : Json(to_text(input));
      Json call = Json{{"index", ordinal},
                       {"id", nullptr},
                       {"type", nullptr},
                       {"function", Json{{"name", nullptr}, {"arguments", std::move(arguments)}}}};
      out.push_back(chunk(nullptr, nullptr, Json::array({std::move(call)}), nullptr));
    }
    return std::nullopt;
  }

  // metadata: the end of the stream, with the usage chunk when the client asked for it.
  void on_metadata(const Json& payload, std::vector<std::string>& out) {
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

  Json header() const { return kit::chunk_head(config::EndpointType::Chat, id_, now_, model_); }

  std::string chunk(Json role, Json content, Json tool_calls, Json finish_reason) const {
    Json c = header();
    c["choices"] = Json::array({kit::delta_choice(0, std::move(finish_reason), std::move(role),
                                                  std::move(content), std::move(tool_calls))});
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

}  // namespace

std::unique_ptr<StreamTranslator> make_converse_stream_translator(Json model, std::int64_t now,
                                                                  bool wants_usage) {
  return std::make_unique<ConverseStreamTranslator>(std::move(model), now, wants_usage);
}

}  // namespace gw::bedrock
