// One interface over the three stream framings upstreams use (adapter.h StreamFraming): SSE,
// newline-delimited JSON and the AWS binary event stream. The relay feeds raw bytes in any
// split and hands the resulting SseEvents to the provider's StreamTranslator.
//
// Contract: pure, no I/O; one decoder per stream; not thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "providers/adapter.h"
#include "providers/wire/sse.h"

namespace gw {

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // The events completed by `bytes`; a 502 GatewayError for a stream that cannot be decoded
  // (oversized event or line, bad CRC...). The decoder stays failed after an error.
  virtual Result<std::vector<SseEvent>> feed(std::string_view bytes) = 0;
  // Bytes of an unfinished event are held (at EOF: the stream was cut mid-event).
  virtual bool has_partial() const = 0;
  // Called at EOF: a framing whose last event needs no terminator (NDJSON without a final
  // newline) returns it here.
  virtual std::vector<SseEvent> finish() { return {}; }
};

std::unique_ptr<StreamDecoder> make_stream_decoder(StreamFraming framing);

}  // namespace gw
