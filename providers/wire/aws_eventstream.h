// Incremental decoder for the AWS event-stream binary framing
// (application/vnd.amazon.eventstream), used by Bedrock ConverseStream (docs/architecture.md,
// "Streaming", layer 1). Format, all integers big-endian:
//
//   total length u32 | headers length u32 | prelude CRC u32 (over the first 8 bytes)
//   headers (headers length bytes) | payload | message CRC u32 (over everything before it)
//
// Each header: name length u8, name, value type u8, value. Value types: 0 bool true, 1 bool
// false (no value bytes), 2 byte (i8), 3 short (i16), 4 int (i32), 5 long (i64), 6 bytes
// (u16 length + bytes), 7 string (u16 length + UTF-8), 8 timestamp (i64 ms since the epoch),
// 9 uuid (16 bytes). CRCs are the IEEE/zlib CRC-32.
// Reference: https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html and the AWS
// SDKs' event-stream test vectors (tests/unit/test_aws_eventstream.cpp).
//
// Contract: pure, no I/O; one decoder per stream; not thread-safe. Messages come out exactly
// as from a single feed() of the concatenated bytes, whatever the split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/errors.h"

namespace gw {

// IEEE 802.3 / zlib CRC-32 of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32_ieee(std::string_view data, std::uint32_t crc = 0);

struct EventStreamMessage {
  // Every header rendered as text: strings as-is; bools "true"/"false"; byte/short/int/long
  // and timestamps (ms since the epoch) in decimal; bytes in standard base64; uuids as
  // lower-case 8-4-4-4-12 hex. A repeated name keeps the last value.
  std::map<std::string, std::string> headers;
  std::string payload;

  bool operator==(const EventStreamMessage&) const = default;
};

class EventStreamDecoder {
 public:
  static constexpr std::size_t kDefaultMaxMessageSize = std::size_t{16} << 20;  // 16 MiB

  explicit EventStreamDecoder(std::size_t max_message_size = kDefaultMaxMessageSize);

  // Consumes `bytes` (any split of the stream) and returns the messages completed by them.
  // Returns a 502 GatewayError on a bad prelude CRC, a bad message CRC, lengths out of range
  // (total < 16, headers length > total - 16, total > max_message_size; checked as soon as the
  // 12-byte prelude is in, before the message is buffered) or malformed headers. After an
  // error the decoder stays failed: every later feed() returns the same error, and messages
  // completed earlier in the failing call are not returned.
  Result<std::vector<EventStreamMessage>> feed(std::string_view bytes);

  // True when bytes of an unfinished message are held (at EOF: a truncated stream).
  bool has_partial() const { return !buffer_.empty(); }
  std::size_t buffered() const { return buffer_.size(); }
  bool failed() const { return !error_.empty(); }

 private:
  // Decodes whole messages from the front of `data`; returns the bytes consumed, or sets error_.
  std::size_t decode(std::string_view data, std::vector<EventStreamMessage>& out);

  std::size_t max_message_size_;
  std::string buffer_;  // bytes of the unfinished message
  std::string error_;   // set once, on the first error
};

// ---- Encoding (tests and the fake upstream) ------------------------------------------------

enum class EventStreamHeaderType : std::uint8_t {
  BoolTrue = 0,
  BoolFalse = 1,
  Byte = 2,
  Short = 3,
  Int = 4,
  Long = 5,
  Bytes = 6,
  String = 7,
  Timestamp = 8,
  Uuid = 9,
};

// One typed header for the encoder; build it with the factories.
struct EventStreamHeader {
  std::string name;
  EventStreamHeaderType type = EventStreamHeaderType::String;
  std::int64_t number = 0;  // Byte, Short, Int, Long, Timestamp
  std::string bytes;        // Bytes, String; Uuid: exactly 16 raw bytes

  static EventStreamHeader boolean(std::string name, bool value);
  static EventStreamHeader byte(std::string name, std::int8_t value);
  static EventStreamHeader int16(std::string name, std::int16_t value);
  static EventStreamHeader int32(std::string name, std::int32_t value);
  static EventStreamHeader int64(std::string name, std::int64_t value);
  static EventStreamHeader byte_buffer(std::string name, std::string value);
  static EventStreamHeader string(std::string name, std::string value);
  static EventStreamHeader timestamp(std::string name, std::int64_t millis);
  static EventStreamHeader uuid(std::string name, std::string sixteen_bytes);
};

// One complete message, headers in the given order. Names longer than 255 bytes and
// bytes/string values longer than 65535 bytes are truncated (test helper, not a validator).
std::string encode_event_stream_message(const std::vector<EventStreamHeader>& headers,
                                        std::string_view payload);
// Convenience for string-typed headers only (the common case: `:event-type`, `:content-type`,
// `:message-type`), in the given order.
std::string encode_event_stream_message(
    const std::vector<std::pair<std::string, std::string>>& string_headers,
    std::string_view payload);

}  // namespace gw
