// Incremental Server-Sent Events parser (docs/architecture.md, "Streaming", layer 1) for the
// streams of OpenAI, Anthropic, Gemini (alt=sse) and Mistral upstreams.
//
// Implements the parsing half of the WHATWG HTML "Server-sent events" section
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
// - lines end with CRLF, LF or CR; a CR at the end of one feed() followed by an LF at the start
//   of the next is one line ending;
// - a blank line dispatches the event; an event with no `data` line is not dispatched (its
//   `event` field is dropped, as in the spec);
// - `data` values are joined with "\n"; one leading space after the colon is removed;
// - lines starting with ':' are comments; a line without a colon is a field name with an empty
//   value; unknown fields and `retry` are ignored; field names are case-sensitive;
// - `id` sets the *last event ID*, which persists across events (an `id` whose value contains
//   NUL is ignored, as in the spec);
// - one UTF-8 BOM at the very start of the stream is skipped (also when split across feeds).
// Deviations, on purpose: bytes are not UTF-8-decoded (invalid sequences pass through instead of
// becoming U+FFFD), and `SseEvent::event` is empty when the event had no `event` field where a
// browser would report "message".
//
// Contract: pure, no I/O; one parser per stream; not thread-safe. Events come out exactly as
// they would from a single feed() of the concatenated bytes, whatever the split (the unit tests
// split every fixture at every byte offset). At EOF an incomplete event is discarded (spec);
// has_partial() tells the caller the stream was cut mid-event.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "providers/errors.h"

namespace gw {

struct SseEvent {
  std::string event;  // the `event` field; empty when absent (a browser reports "message")
  std::string data;   // the `data` lines joined with "\n"
  std::string id;     // the last event ID at dispatch time (persists across events)

  bool operator==(const SseEvent&) const = default;
};

class SseParser {
 public:
  static constexpr std::size_t kDefaultMaxBuffered = std::size_t{1} << 20;  // 1 MiB

  // `max_buffered` bounds the bytes held for one unfinished event: the retained `data` and
  // `event` values plus the current line. Exceeding it is an error (see feed()).
  explicit SseParser(std::size_t max_buffered = kDefaultMaxBuffered);

  // Consumes `bytes` (any split of the stream) and returns the events completed by them, in
  // order. Returns a 502 GatewayError when the current event or line would exceed
  // `max_buffered`; the parser then stays failed (every later feed() returns the same error)
  // and events completed earlier in the same call are not returned, since the stream is lost.
  Result<std::vector<SseEvent>> feed(std::string_view bytes);

  // True when bytes of an unfinished event are held: a partial line, or field lines of an
  // event whose blank line has not arrived (also a partial BOM). At EOF this means truncation.
  bool has_partial() const;
  // Bytes currently held for the unfinished event (partial line + retained data/event values).
  std::size_t buffered() const;
  bool failed() const { return failed_; }

 private:
  bool process_bytes(std::string_view bytes, std::vector<SseEvent>& out);
  bool process_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);
  GatewayError overflow_error() const;

  std::size_t max_buffered_;
  std::string bom_probe_;     // first bytes of the stream while deciding whether they are a BOM
  bool bom_checked_ = false;  // the BOM decision has been made
  std::string line_;          // the unfinished line (bytes after the last line ending)
  bool skip_lf_ = false;      // the last byte seen was a CR: an LF next ends nothing
  bool in_event_ = false;     // a field line was seen since the last blank line
  std::string event_type_;
  std::string data_;
  std::string last_id_;
  bool failed_ = false;
};

}  // namespace gw
