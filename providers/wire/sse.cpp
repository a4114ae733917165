#include "providers/wire/sse.h"

#include <algorithm>
#include <utility>

namespace gw {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}  // namespace

SseParser::SseParser(std::size_t max_buffered) : max_buffered_(max_buffered) {}

Result<std::vector<SseEvent>> SseParser::feed(std::string_view bytes) {
  if (failed_) return overflow_error();
  std::vector<SseEvent> out;
  if (!bom_checked_) {
    // Collect up to three bytes to decide whether the stream starts with a BOM; a BOM may be
    // split across feeds like anything else.
    std::size_t take = std::min(bytes.size(), kBom.size() - bom_probe_.size());
    bom_probe_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (bom_probe_ == kBom) {
      bom_checked_ = true;
      bom_probe_.clear();
    } else if (kBom.starts_with(bom_probe_)) {
      return out;  // still a BOM prefix; `bytes` is empty here
    } else {
      bom_checked_ = true;
      std::string head = std::move(bom_probe_);
      bom_probe_.clear();
      if (!process_bytes(head, out)) {
        failed_ = true;
        return overflow_error();
      }
    }
  }
  if (!process_bytes(bytes, out)) {
    failed_ = true;
    return overflow_error();
  }
  return out;
}

// Splits `bytes` into lines. Complete lines inside `bytes` are parsed in place; only the
// unfinished tail is copied into line_. Returns false when the buffer limit is exceeded.
bool SseParser::process_bytes(std::string_view bytes, std::vector<SseEvent>& out) {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  if (skip_lf_ && n > 0) {
    if (bytes[0] == '\n') i = 1;  // second half of a CRLF split across feeds
    skip_lf_ = false;
  }
  while (i < n) {
    std::size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(i));
      return buffered() <= max_buffered_;
    }
    bool ok;
    if (line_.empty()) {
      ok = process_line(bytes.substr(i, end - i), out);
    } else {
      line_.append(bytes.substr(i, end - i));
      ok = process_line(line_, out);
      line_.clear();
    }
    if (!ok) return false;
    if (bytes[end] == '\r') {
      if (end + 1 == n) {
        skip_lf_ = true;  // the LF of a CRLF may start the next feed
      } else if (bytes[end + 1] == '\n') {
        ++end;
      }
    }
    i = end + 1;
  }
  return true;
}

bool SseParser::process_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return true;
  }
  // The same bound a split stream hits while this line sits in line_, so the outcome does not
  // depend on where the stream was split.
  if (data_.size() + event_type_.size() + line.size() > max_buffered_) return false;
  if (line.front() == ':') return true;  // comment
  in_event_ = true;
  std::size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    event_type_.assign(value);
  } else if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // `retry` and unknown fields are ignored.
  return true;
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  in_event_ = false;
  if (data_.empty()) {  // no data line: not dispatched (spec), the event type is dropped too
    event_type_.clear();
    return;
  }
  data_.pop_back();  // every data line appended an LF; the last one is removed
  out.push_back(SseEvent{std::move(event_type_), std::move(data_), last_id_});
  event_type_.clear();
  data_.clear();
}

bool SseParser::has_partial() const {
  return !line_.empty() || in_event_ || (!bom_checked_ && !bom_probe_.empty());
}

std::size_t SseParser::buffered() const {
  return line_.size() + data_.size() + event_type_.size() + (bom_checked_ ? 0 : bom_probe_.size());
}

GatewayError SseParser::overflow_error() const {
  return GatewayError::make(502, "upstream SSE event exceeds the " + std::to_string(max_buffered_) +
                                     "-byte buffer limit");
}

}  // namespace gw
