#include "providers/wire/stream_decoder.h"

#include "providers/wire/aws_eventstream.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

class SseDecoder final : public StreamDecoder {
 public:
  Result<std::vector<SseEvent>> feed(std::string_view bytes) override {
    return parser_.feed(bytes);
  }
  bool has_partial() const override { return parser_.has_partial(); }

 private:
  SseParser parser_;
};

// Newline-delimited JSON (Cohere): every non-blank line is one event. Lines end with LF or
// CRLF; the line's bytes are not checked here (the translator parses them).
class NdJsonDecoder final : public StreamDecoder {
 public:
  static constexpr std::size_t kMaxLine = std::size_t{1} << 20;

  Result<std::vector<SseEvent>> feed(std::string_view bytes) override {
    if (failed_) return overflow();
    std::vector<SseEvent> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] != '\n') continue;
      line_.append(bytes.substr(start, i - start));
      start = i + 1;
      emit(out);
    }
    line_.append(bytes.substr(start));
    if (line_.size() > kMaxLine) {
      failed_ = true;
      return overflow();
    }
    return out;
  }
  bool has_partial() const override {
    return line_.find_first_not_of(" \t\r") != std::string::npos;
  }
  std::vector<SseEvent> finish() override {
    std::vector<SseEvent> out;
    emit(out);
    return out;
  }

 private:
  void emit(std::vector<SseEvent>& out) {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.find_first_not_of(" \t") != std::string::npos) out.push_back(SseEvent{{}, line_, {}});
    line_.clear();
  }
  static GatewayError overflow() { return malformed_upstream("a stream line exceeds 1 MiB"); }

  std::string line_;
  bool failed_ = false;
};

class AwsEventStreamDecoder final : public StreamDecoder {
 public:
  Result<std::vector<SseEvent>> feed(std::string_view bytes) override {
    auto messages = decoder_.feed(bytes);
    if (!messages) return messages.take_error();
    std::vector<SseEvent> out;
    out.reserve(messages->size());
    for (auto& m : *messages) {
      auto header = [&](const char* name) {
        auto it = m.headers.find(name);
        return it == m.headers.end() ? std::string() : it->second;
      };
      const std::string type = header(":message-type");
      if (type == "exception") {
        out.push_back(SseEvent{"exception:" + header(":exception-type"), std::move(m.payload), {}});
      } else if (type == "error") {
        out.push_back(SseEvent{"error:" + header(":error-code"), header(":error-message"), {}});
      } else {
        out.push_back(SseEvent{header(":event-type"), std::move(m.payload), {}});
      }
    }
    return out;
  }
  bool has_partial() const override { return decoder_.has_partial(); }

 private:
  EventStreamDecoder decoder_;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_stream_decoder(StreamFraming framing) {
  switch (framing) {
    case StreamFraming::NdJson:
      return std::make_unique<NdJsonDecoder>();
    case StreamFraming::AwsEventStream:
      return std::make_unique<AwsEventStreamDecoder>();
    case StreamFraming::Sse:
      break;
  }
  return std::make_unique<SseDecoder>();
}

}  // namespace gw
