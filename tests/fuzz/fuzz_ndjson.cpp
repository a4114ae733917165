// fuzz_ndjson: the newline-delimited JSON decoder (providers/wire/stream_decoder.h, Cohere's
// framing) must decode a stream the same way whatever the split, including the last line returned
// by finish() at EOF (fuzz_split.h); every event is one non-blank line.
//
// Input: a 4-byte header (two 16-bit cut points), then the stream.
#include "fuzz_split.h"
#include "providers/wire/stream_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::Input in(data, size);
  const std::uint16_t a = in.u16(), b = in.u16();
  auto whole = gw::fuzz::check_split_equivalence<gw::SseEvent>(
      in.rest(), a, b, [] { return gw::make_stream_decoder(gw::StreamFraming::NdJson); },
      [](gw::StreamDecoder& d, std::string_view bytes) { return d.feed(bytes); },
      [](const gw::StreamDecoder& d) { return d.has_partial(); },
      [](gw::StreamDecoder& d) { return d.finish(); });
  auto check_line = [](const gw::SseEvent& e) {
    FUZZ_CHECK(e.event.empty() && e.id.empty());
    FUZZ_CHECK(e.data.find('\n') == std::string::npos, e.data);
    FUZZ_CHECK(e.data.find_first_not_of(" \t") != std::string::npos,
               "a blank line became an event");
  };
  for (const auto& e : whole.events) check_line(e);
  for (const auto& e : whole.at_eof) check_line(e);
  FUZZ_CHECK(whole.at_eof.size() <= 1);
  // A pending line with content is returned by finish() (the converse does not hold: a line of
  // only CRs is "blank" for has_partial() but not for finish(); harmless, the translator
  // rejects it).
  if (!whole.failed && whole.partial) FUZZ_CHECK(!whole.at_eof.empty());
  return 0;
}
