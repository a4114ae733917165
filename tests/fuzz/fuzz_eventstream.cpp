// fuzz_eventstream: the AWS event-stream decoder (providers/wire/aws_eventstream.h, Bedrock
// ConverseStream) must decode a stream the same way whatever the split (fuzz_split.h); the
// StreamDecoder over it (stream_decoder.h) must turn the same bytes into one event per message.
//
// Input: a 5-byte header, then the stream.
//   byte 0 bit 0:    repair the CRCs first: walk the frames by their length fields and rewrite
//                    both CRCs, so mutations reach the header parser instead of dying at the
//                    CRC check (bit clear: the bytes as they are, CRC failures included)
//   byte 0 bits 1-7: message size limit: 0 -> the default (16 MiB), else 16 + 32 * value bytes
//   bytes 1-4:       two 16-bit cut points
#include <cstring>

#include "fuzz_split.h"
#include "providers/wire/aws_eventstream.h"
#include "providers/wire/stream_decoder.h"

namespace {

std::uint32_t be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         u[3];
}

void put_be32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}

void repair_crcs(std::string& s) {
  std::size_t at = 0;
  while (s.size() - at >= 12) {
    const std::uint32_t total = be32(s.data() + at);
    put_be32(s.data() + at + 8, gw::crc32_ieee(std::string_view(s.data() + at, 8)));
    if (total < 16 || total > s.size() - at) break;
    put_be32(s.data() + at + total - 4, gw::crc32_ieee(std::string_view(s.data() + at, total - 4)));
    at += total;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  const std::size_t limit =
      (mode >> 1) == 0 ? gw::EventStreamDecoder::kDefaultMaxMessageSize : 16u + 32u * (mode >> 1);
  const std::uint16_t a = in.u16(), b = in.u16();
  std::string stream(in.rest());
  if (mode & 1) repair_crcs(stream);

  auto whole = gw::fuzz::check_split_equivalence<gw::EventStreamMessage>(
      stream, a, b, [&] { return std::make_unique<gw::EventStreamDecoder>(limit); },
      [](gw::EventStreamDecoder& d, std::string_view bytes) { return d.feed(bytes); },
      [](const gw::EventStreamDecoder& d) { return d.has_partial(); },
      [](gw::EventStreamDecoder&) { return std::vector<gw::EventStreamMessage>{}; });
  for (const auto& m : whole.events) FUZZ_CHECK(m.payload.size() + 16 <= limit);

  // The framing layer the relay uses: same success, one event per message.
  if (limit == gw::EventStreamDecoder::kDefaultMaxMessageSize) {
    auto decoder = gw::make_stream_decoder(gw::StreamFraming::AwsEventStream);
    auto events = decoder->feed(stream);
    FUZZ_CHECK(events.ok() == !whole.failed);
    if (events) {
      FUZZ_CHECK(events->size() == whole.events.size());
      FUZZ_CHECK(decoder->has_partial() == whole.partial);
    }
  }
  return 0;
}
