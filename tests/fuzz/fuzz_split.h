// Split-equivalence harness shared by fuzz_sse, fuzz_ndjson and fuzz_eventstream: the stream
// decoders promise that their output does not depend on how the byte stream is split into
// feed() calls. The stream is decoded three ways: in one feed(), in up to three pieces at cut
// points taken from the input's header, and (for short inputs) one byte at a time.
//
// Equivalence, from the decoders' contracts (sse.h, aws_eventstream.h, stream_decoder.h):
//   - the single feed succeeds  => every split feed succeeds, the events concatenate to the same
//     list, and has_partial() (and finish(), where the decoder has one) agree;
//   - the single feed fails     => some feed of every split fails too (the events completed
//     before the failing call may differ: they were already delivered);
//   - a decoder that failed stays failed (the next feed() fails again).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"

namespace gw::fuzz {

template <class Event>
struct Decoded {
  std::vector<Event> events;
  bool failed = false;
  bool partial = false;
  std::vector<Event> at_eof;  // finish(), for decoders that have it
};

// Feeds `pieces` in order to a fresh decoder from `make`, stopping at the first error.
// `Feed(decoder, bytes)` returns Result<std::vector<Event>>; `Finish(decoder)` the EOF events.
template <class Event, class Make, class Feed, class Partial, class Finish>
Decoded<Event> decode_pieces(const std::vector<std::string_view>& pieces, Make make, Feed feed,
                             Partial partial, Finish finish) {
  Decoded<Event> out;
  auto decoder = make();
  for (std::string_view piece : pieces) {
    auto r = feed(*decoder, piece);
    if (!r) {
      out.failed = true;
      // A failed decoder stays failed.
      auto again = feed(*decoder, std::string_view("\n\n", 2));
      FUZZ_CHECK(!again.ok(), "a failed decoder accepted more bytes");
      return out;
    }
    for (auto& e : *r) out.events.push_back(std::move(e));
  }
  out.partial = partial(*decoder);
  out.at_eof = finish(*decoder);
  return out;
}

// The cut points: two 16-bit offsets from the header, reduced modulo the stream length.
inline std::vector<std::string_view> split_three(std::string_view s, std::uint16_t a,
                                                 std::uint16_t b) {
  std::size_t x = s.empty() ? 0 : a % (s.size() + 1);
  std::size_t y = s.empty() ? 0 : b % (s.size() + 1);
  if (x > y) std::swap(x, y);
  return {s.substr(0, x), s.substr(x, y - x), s.substr(y)};
}

inline std::vector<std::string_view> bytewise(std::string_view s) {
  std::vector<std::string_view> v;
  v.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) v.push_back(s.substr(i, 1));
  return v;
}

template <class Event>
void check_same(const Decoded<Event>& whole, const Decoded<Event>& split, const char* how) {
  if (whole.failed) {
    FUZZ_CHECK(split.failed, std::string("the whole stream fails but not ") + how);
    return;
  }
  FUZZ_CHECK(!split.failed, std::string("the whole stream decodes but fails ") + how);
  FUZZ_CHECK(whole.events.size() == split.events.size(),
             std::string("event count differs ") + how + ": " +
                 std::to_string(whole.events.size()) + " vs " +
                 std::to_string(split.events.size()));
  FUZZ_CHECK(whole.events == split.events, std::string("events differ ") + how);
  FUZZ_CHECK(whole.partial == split.partial, std::string("has_partial differs ") + how);
  FUZZ_CHECK(whole.at_eof == split.at_eof, std::string("finish() differs ") + how);
}

// Runs the three decodings of `stream` and checks them against each other.
template <class Event, class Make, class Feed, class Partial, class Finish>
Decoded<Event> check_split_equivalence(std::string_view stream, std::uint16_t a, std::uint16_t b,
                                       Make make, Feed feed, Partial partial, Finish finish) {
  auto whole = decode_pieces<Event>({stream}, make, feed, partial, finish);
  auto split = decode_pieces<Event>(split_three(stream, a, b), make, feed, partial, finish);
  check_same(whole, split, "when split in three");
  if (stream.size() <= 2048) {
    auto bytes = decode_pieces<Event>(bytewise(stream), make, feed, partial, finish);
    check_same(whole, bytes, "when fed byte by byte");
  }
  return whole;
}

}  // namespace gw::fuzz
