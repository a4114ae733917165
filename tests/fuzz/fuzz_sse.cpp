// fuzz_sse: the SSE parser (providers/wire/sse.h) must decode a stream the same way whatever the
// split (fuzz_split.h), and its events must be well formed.
//
// Input: a 5-byte header, then the stream.
//   byte 0:    buffer limit: 0 -> the default (1 MiB), else 8 * value bytes (the overflow path)
//   bytes 1-4: two 16-bit cut points
#include "fuzz_split.h"
#include "providers/wire/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::Input in(data, size);
  const std::uint8_t limit_sel = in.byte();
  const std::size_t limit = limit_sel == 0 ? gw::SseParser::kDefaultMaxBuffered : 8u * limit_sel;
  const std::uint16_t a = in.u16(), b = in.u16();
  auto whole = gw::fuzz::check_split_equivalence<gw::SseEvent>(
      in.rest(), a, b, [&] { return std::make_unique<gw::SseParser>(limit); },
      [](gw::SseParser& p, std::string_view bytes) { return p.feed(bytes); },
      [](const gw::SseParser& p) { return p.has_partial(); },
      [](gw::SseParser&) { return std::vector<gw::SseEvent>{}; });
  for (const auto& e : whole.events) {
    // Field values end at a line ending; `id` never holds a NUL (the spec ignores such ids).
    FUZZ_CHECK(e.event.find_first_of("\r\n") == std::string::npos, e.event);
    FUZZ_CHECK(e.id.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, e.id);
    FUZZ_CHECK(e.data.find('\r') == std::string::npos, e.data);
    FUZZ_CHECK(e.event.size() + e.data.size() <= limit);
  }
  return 0;
}
