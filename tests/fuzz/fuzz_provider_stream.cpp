// fuzz_provider_stream: an upstream stream through the provider's stream decoder and stream
// translator, driven as gateway/stages/stream_relay.cpp drives them (through
// providers/stream_pump.h).
//
// Input: a 5-byte header, then the stream body.
//   byte 0:    provider (index into fuzz_common.h providers(), modulo its size)
//   byte 1:    endpoint type (modulo 3); a provider that cannot stream the type -> skipped
//   byte 2:    bit 0 client_wants_usage; bit 1 (AWS event-stream providers only) the body is
//              NUL-separated records "<event-type>\n<payload>" ("!" + type: an exception
//              message, "?" + code: an error message) encoded into valid frames, so mutations
//              reach the translator instead of the CRC check
//   bytes 3-4: the cut point where the body is split into two reads
//
// Checks: never crashes or throws; every chunk is a JSON object with a `choices` array;
// finished() implies complete_at_eof(); errors carry a 4xx/5xx status. For the OpenAI family
// the adapter's translator (with the simdjson fast path) must produce exactly the chunks, error
// and end state of the reference translator (fast = false).
#include "fuzz_common.h"
#include "providers/wire/aws_eventstream.h"
#include "providers/openai.h"
#include "providers/wire/stream_decoder.h"

namespace {

using gw::fuzz::detail_of;

std::string encode_records(std::string_view body) {
  std::string out;
  while (true) {
    const std::size_t end = body.find('\0');
    std::string_view record = body.substr(0, end);
    const std::size_t nl = record.find('\n');
    std::string type(record.substr(0, nl));
    std::string payload(nl == std::string_view::npos ? std::string_view() : record.substr(nl + 1));
    std::vector<std::pair<std::string, std::string>> headers;
    if (!type.empty() && type[0] == '!') {
      headers = {{":exception-type", type.substr(1)},
                 {":content-type", "application/json"},
                 {":message-type", "exception"}};
    } else if (!type.empty() && type[0] == '?') {
      headers = {
          {":error-code", type.substr(1)}, {":error-message", payload}, {":message-type", "error"}};
      payload.clear();
    } else {
      headers = {
          {":event-type", type}, {":content-type", "application/json"}, {":message-type", "event"}};
    }
    out += gw::encode_event_stream_message(headers, payload);
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
  return out;
}

struct Outcome {
  std::vector<std::string> chunks;
  std::optional<gw::GatewayError> error;
  bool finished = false;
  bool complete_at_eof = false;
};

// One translator fed the events in order until it fails or finishes.
class Run {
 public:
  explicit Run(std::unique_ptr<gw::StreamTranslator> t) : t_(std::move(t)) {}
  bool done() const { return out_.error || t_->finished(); }
  void on(const gw::SseEvent& e) {
    if (done()) return;
    auto chunks = t_->on_event(e);
    if (!chunks) {
      out_.error = chunks.take_error();
      return;
    }
    for (auto& c : *chunks) {
      gw::Json j = gw::parse_json(c);
      FUZZ_CHECK(j.is_object(), c);
      auto choices = j.find("choices");
      FUZZ_CHECK(choices != j.end() && choices->is_array(), c);
      out_.chunks.push_back(std::move(c));
    }
  }
  Outcome finish() {
    out_.finished = t_->finished();
    out_.complete_at_eof = t_->complete_at_eof();
    return std::move(out_);
  }

 private:
  std::unique_ptr<gw::StreamTranslator> t_;
  Outcome out_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::maybe_list_providers();
  gw::fuzz::Input in(data, size);
  const std::uint8_t p = in.byte(), t = in.byte(), flags = in.byte();
  const std::uint16_t cut = in.u16();
  const gw::fuzz::Subject* s = gw::fuzz::subject(p, t);
  if (!s) return 0;
  const bool wants_usage = flags & 1;
  const gw::RequestContext ctx{s->endpoint.type, gw::fuzz::kNow};
  auto translator = s->adapter->stream_translator(ctx, wants_usage);
  if (!translator) return 0;
  const gw::StreamFraming framing = s->adapter->stream_framing();
  std::string body(in.rest());
  if ((flags & 2) && framing == gw::StreamFraming::AwsEventStream) body = encode_records(body);

  Run run(std::move(translator));
  std::optional<Run> reference;
  if (s->openai_family)
    reference.emplace(
        gw::make_openai_stream_translator(ctx.type, ctx.now, wants_usage, /*fast=*/false));

  // Two upstream reads, then EOF, as the relay does; it stops at the translator's end marker
  // or the first error.
  auto decoder = gw::make_stream_decoder(framing);
  const std::size_t at = body.empty() ? 0 : cut % (body.size() + 1);
  const std::string_view reads[] = {std::string_view(body).substr(0, at),
                                    std::string_view(body).substr(at)};
  bool decode_failed = false;
  auto deliver = [&](const std::vector<gw::SseEvent>& events) {
    for (const auto& e : events) {
      run.on(e);
      if (reference) reference->on(e);
    }
  };
  for (std::string_view bytes : reads) {
    if (run.done()) break;
    auto events = decoder->feed(bytes);
    if (!events) {
      decode_failed = true;
      FUZZ_CHECK(events.error().status >= 400 && events.error().status <= 599);
      break;
    }
    deliver(*events);
  }
  if (!decode_failed && !run.done()) deliver(decoder->finish());

  Outcome got = run.finish();
  if (got.error) {
    FUZZ_CHECK(got.error->status >= 400 && got.error->status <= 599,
               std::to_string(got.error->status));
    (void)got.error->message();
  }
  if (got.finished) FUZZ_CHECK(got.complete_at_eof, s->provider->label);
  if (reference) {
    Outcome want = reference->finish();
    FUZZ_CHECK(got.chunks.size() == want.chunks.size(),
               std::to_string(got.chunks.size()) + " vs " + std::to_string(want.chunks.size()));
    for (std::size_t i = 0; i < got.chunks.size(); ++i)
      FUZZ_CHECK(got.chunks[i] == want.chunks[i],
                 "fast: " + got.chunks[i] + "\nreference: " + want.chunks[i]);
    FUZZ_CHECK(got.error.has_value() == want.error.has_value());
    if (got.error) {
      FUZZ_CHECK(got.error->status == want.error->status);
      FUZZ_CHECK(got.error->detail == want.error->detail);
    }
    FUZZ_CHECK(got.finished == want.finished);
    FUZZ_CHECK(got.complete_at_eof == want.complete_at_eof);
  }
  return 0;
}
