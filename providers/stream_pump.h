// The decode -> translate step of a stream, as one pure function: upstream bytes go through
// the provider's framing decoder (stream_decoder.h) and each completed event through its
// stream translator (adapter.h), until the translator has seen the upstream's end marker or
// something fails. The gateway's stream relay (gateway/stages/stream_relay.cpp) and the
// provider tests (tests/unit/test_provider_fixtures.h) both pump streams through it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/adapter.h"
#include "providers/wire/stream_decoder.h"

namespace gw {

struct PumpStep {
  std::vector<std::string> chunks;      // unified chunks (JSON texts), in order
  std::optional<GatewayError> failure;  // the decoder or the translator failed; the chunks
                                        // translated before the failure are kept
};

// Feeds `bytes` to `decoder` (at_eof: the upstream body has ended; `bytes` is then ignored and
// the decoder releases what it held) and translates the completed events, stopping early once
// the translator is finished().
PumpStep pump_stream(StreamDecoder& decoder, StreamTranslator& translator, std::string_view bytes,
                     bool at_eof);

}  // namespace gw
