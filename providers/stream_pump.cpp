#include "providers/stream_pump.h"

namespace gw {

PumpStep pump_stream(StreamDecoder& decoder, StreamTranslator& translator, std::string_view bytes,
                     bool at_eof) {
  PumpStep step;
  Result<std::vector<SseEvent>> events =
      at_eof ? Result<std::vector<SseEvent>>(decoder.finish()) : decoder.feed(bytes);
  if (!events) {
    step.failure = events.take_error();
    return step;
  }
  for (const auto& event : *events) {
    auto chunks = translator.on_event(event);
    if (!chunks) {
      step.failure = chunks.take_error();
      break;
    }
    for (auto& chunk : *chunks) step.chunks.push_back(std::move(chunk));
    if (translator.finished()) break;
  }
  return step;
}

}  // namespace gw
