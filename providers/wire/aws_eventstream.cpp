#include "providers/wire/aws_eventstream.h"

#include <array>
#include <utility>

#include "providers/wire/base64.h"

namespace gw {

namespace {

constexpr std::size_t kPreludeSize = 12;     // total length, headers length, prelude CRC
constexpr std::size_t kMinMessageSize = 16;  // prelude + message CRC

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

std::uint64_t read_be(std::string_view s, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < width; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
  return v;
}

void write_be(std::string& out, std::uint64_t v, std::size_t width) {
  for (std::size_t k = width; k-- > 0;) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

std::string uuid_text(std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t k = 0; k < 16; ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) s.push_back('-');
    auto c = static_cast<unsigned char>(b[k]);
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 0xF]);
  }
  return s;
}

// Parses the headers block into `headers`; returns an error message, empty on success.
std::string parse_headers(std::string_view h, std::map<std::string, std::string>& headers) {
  std::size_t i = 0;
  auto left = [&] { return h.size() - i; };
  while (i < h.size()) {
    std::size_t name_len = static_cast<unsigned char>(h[i++]);
    if (left() < name_len + 1) return "header name overruns the headers block";
    std::string name(h.substr(i, name_len));
    i += name_len;
    auto type = static_cast<unsigned char>(h[i++]);
    static constexpr std::size_t kFixed[] = {0, 0, 1, 2, 4, 8, 0, 0, 8, 16};
    if (type > 9) return "unknown header value type " + std::to_string(type);
    if (left() < kFixed[type]) return "header '" + name + "' value overruns the headers block";
    std::string value;
    switch (static_cast<EventStreamHeaderType>(type)) {
      case EventStreamHeaderType::BoolTrue:
        value = "true";
        break;
      case EventStreamHeaderType::BoolFalse:
        value = "false";
        break;
      case EventStreamHeaderType::Byte:
        value = std::to_string(static_cast<std::int8_t>(read_be(h, i, 1)));
        break;
      case EventStreamHeaderType::Short:
        value = std::to_string(static_cast<std::int16_t>(read_be(h, i, 2)));
        break;
      case EventStreamHeaderType::Int:
        value = std::to_string(static_cast<std::int32_t>(read_be(h, i, 4)));
        break;
      case EventStreamHeaderType::Long:
      case EventStreamHeaderType::Timestamp:
        value = std::to_string(static_cast<std::int64_t>(read_be(h, i, 8)));
        break;
      case EventStreamHeaderType::Uuid:
        value = uuid_text(h.substr(i, 16));
        break;
      case EventStreamHeaderType::Bytes:
      case EventStreamHeaderType::String: {
        if (left() < 2) return "header '" + name + "' value overruns the headers block";
        std::size_t len = read_be(h, i, 2);
        i += 2;
        if (left() < len) return "header '" + name + "' value overruns the headers block";
        value = type == 7 ? std::string(h.substr(i, len)) : base64_encode(h.substr(i, len));
        i += len;
        break;
      }
    }
    i += kFixed[type];
    headers.insert_or_assign(std::move(name), std::move(value));
  }
  return {};
}

}  // namespace

std::uint32_t crc32_ieee(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

EventStreamDecoder::EventStreamDecoder(std::size_t max_message_size)
    : max_message_size_(max_message_size) {}

Result<std::vector<EventStreamMessage>> EventStreamDecoder::feed(std::string_view bytes) {
  auto fail = [this] {
    buffer_.clear();
    return GatewayError::make(502, "malformed upstream event stream: " + error_);
  };
  if (failed()) return fail();
  std::vector<EventStreamMessage> out;
  if (buffer_.empty()) {  // common case: decode straight from the input, keep only the tail
    std::size_t used = decode(bytes, out);
    if (failed()) return fail();
    buffer_.assign(bytes.substr(used));
  } else {
    buffer_.append(bytes);
    std::size_t used = decode(buffer_, out);
    if (failed()) return fail();
    buffer_.erase(0, used);
  }
  return out;
}

std::size_t EventStreamDecoder::decode(std::string_view data,
                                       std::vector<EventStreamMessage>& out) {
  std::size_t pos = 0;
  while (data.size() - pos >= kPreludeSize) {
    std::string_view m = data.substr(pos);
    std::uint64_t total = read_be(m, 0, 4);
    std::uint64_t headers_len = read_be(m, 4, 4);
    if (crc32_ieee(m.substr(0, 8)) != read_be(m, 8, 4)) {
      error_ = "prelude CRC mismatch";
      return pos;
    }
    if (total < kMinMessageSize) {
      error_ = "message length " + std::to_string(total) + " is below the 16-byte minimum";
      return pos;
    }
    if (total > max_message_size_) {
      error_ = "message length " + std::to_string(total) + " exceeds the " +
               std::to_string(max_message_size_) + "-byte limit";
      return pos;
    }
    if (headers_len > total - kMinMessageSize) {
      error_ = "headers length " + std::to_string(headers_len) + " does not fit in a " +
               std::to_string(total) + "-byte message";
      return pos;
    }
    if (m.size() < total) break;  // wait for the rest of the message
    if (crc32_ieee(m.substr(0, total - 4)) != read_be(m, total - 4, 4)) {
      error_ = "message CRC mismatch";
      return pos;
    }
    EventStreamMessage msg;
    error_ = parse_headers(m.substr(kPreludeSize, headers_len), msg.headers);
    if (failed()) return pos;
    msg.payload.assign(m.substr(kPreludeSize + headers_len, total - kMinMessageSize - headers_len));
    out.push_back(std::move(msg));
    pos += total;
  }
  return pos;
}

// ---- Encoding --------------------------------------------------------------------------------

namespace {
EventStreamHeader make_header(std::string name, EventStreamHeaderType type, std::int64_t number,
                              std::string bytes) {
  EventStreamHeader h;
  h.name = std::move(name);
  h.type = type;
  h.number = number;
  h.bytes = std::move(bytes);
  return h;
}
}  // namespace

EventStreamHeader EventStreamHeader::boolean(std::string name, bool value) {
  return make_header(std::move(name),
                     value ? EventStreamHeaderType::BoolTrue : EventStreamHeaderType::BoolFalse, 0,
                     {});
}
EventStreamHeader EventStreamHeader::byte(std::string name, std::int8_t value) {
  return make_header(std::move(name), EventStreamHeaderType::Byte, value, {});
}
EventStreamHeader EventStreamHeader::int16(std::string name, std::int16_t value) {
  return make_header(std::move(name), EventStreamHeaderType::Short, value, {});
}
EventStreamHeader EventStreamHeader::int32(std::string name, std::int32_t value) {
  return make_header(std::move(name), EventStreamHeaderType::Int, value, {});
}
EventStreamHeader EventStreamHeader::int64(std::string name, std::int64_t value) {
  return make_header(std::move(name), EventStreamHeaderType::Long, value, {});
}
EventStreamHeader EventStreamHeader::byte_buffer(std::string name, std::string value) {
  return make_header(std::move(name), EventStreamHeaderType::Bytes, 0, std::move(value));
}
EventStreamHeader EventStreamHeader::string(std::string name, std::string value) {
  return make_header(std::move(name), EventStreamHeaderType::String, 0, std::move(value));
}
EventStreamHeader EventStreamHeader::timestamp(std::string name, std::int64_t millis) {
  return make_header(std::move(name), EventStreamHeaderType::Timestamp, millis, {});
}
EventStreamHeader EventStreamHeader::uuid(std::string name, std::string sixteen_bytes) {
  sixteen_bytes.resize(16, '\0');
  return make_header(std::move(name), EventStreamHeaderType::Uuid, 0, std::move(sixteen_bytes));
}

std::string encode_event_stream_message(const std::vector<EventStreamHeader>& headers,
                                        std::string_view payload) {
  std::string block;
  for (const EventStreamHeader& h : headers) {
    std::string_view name = std::string_view(h.name).substr(0, 255);
    block.push_back(static_cast<char>(name.size()));
    block.append(name);
    block.push_back(static_cast<char>(h.type));
    auto number = static_cast<std::uint64_t>(h.number);
    switch (h.type) {
      case EventStreamHeaderType::BoolTrue:
      case EventStreamHeaderType::BoolFalse:
        break;
      case EventStreamHeaderType::Byte:
        write_be(block, number, 1);
        break;
      case EventStreamHeaderType::Short:
        write_be(block, number, 2);
        break;
      case EventStreamHeaderType::Int:
        write_be(block, number, 4);
        break;
      case EventStreamHeaderType::Long:
      case EventStreamHeaderType::Timestamp:
        write_be(block, number, 8);
        break;
      case EventStreamHeaderType::Uuid:
        block.append(std::string_view(h.bytes).substr(0, 16));
        break;
      case EventStreamHeaderType::Bytes:
      case EventStreamHeaderType::String: {
        std::string_view v = std::string_view(h.bytes).substr(0, 65535);
        write_be(block, v.size(), 2);
        block.append(v);
        break;
      }
    }
  }
  std::string out;
  std::size_t total = kMinMessageSize + block.size() + payload.size();
  out.reserve(total);
  write_be(out, total, 4);
  write_be(out, block.size(), 4);
  write_be(out, crc32_ieee(out), 4);
  out.append(block);
  out.append(payload);
  write_be(out, crc32_ieee(out), 4);
  return out;
}

std::string encode_event_stream_message(
    const std::vector<std::pair<std::string, std::string>>& string_headers,
    std::string_view payload) {
  std::vector<EventStreamHeader> headers;
  headers.reserve(string_headers.size());
  for (const auto& [name, value] : string_headers) {
    headers.push_back(EventStreamHeader::string(name, value));
  }
  return encode_event_stream_message(headers, payload);
}

}  // namespace gw
