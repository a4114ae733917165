#include "gateway/stages/stream_relay.h"

#include <boost/asio.hpp>

#include "config/url.h"
#include "gateway/aws_auth.h"
#include "gateway/log.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/call.h"
#include "gateway/stream_writer.h"
#include "gateway/upstream_client.h"
#include "providers/stream_pump.h"
#include "providers/streaming_support.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

namespace net = boost::asio;
using config::EndpointType;
constexpr std::string_view kEventStream = "text/event-stream; charset=utf-8";

// MLflow's 501 for a provider that cannot stream this endpoint type (before any byte is sent).
ApiResponse streaming_not_supported(const EndpointRuntime& ep, PathFamily family) {
  return render_error(
      gw::streaming_not_supported(ep.config.type == EndpointType::Chat, ep.adapter->display_name()),
      family);
}

}  // namespace

// What the relay learns while it forwards a stream, and how it begins the client's stream.
struct RelayState {
  Json usage;  // the last usage the stream reported (for the access log)
  std::optional<GatewayError> failure;
  // The client's stream begins (status and head) with the first chunk to write, so a failure
  // before it can still fail over to another attempt (docs/resilience.md, "Streams").
  bool begun = false;
  StreamHead head;
  Invocation* inv = nullptr;
  std::chrono::steady_clock::time_point sent;  // when the upstream request went out
  std::size_t text_bytes = 0;  // the text the stream carried (a token estimate without usage)
};

namespace {

// The bytes of text a translated chunk carries: its "content" and "text" string values (the
// chunks are compact JSON), escapes counted as one byte.
std::size_t text_bytes_of(std::string_view chunk) {
  std::size_t n = 0;
  for (const std::string_view key :
       {std::string_view("\"content\":\""), std::string_view("\"text\":\"")}) {
    for (auto at = chunk.find(key); at != std::string_view::npos; at = chunk.find(key, at + 1)) {
      for (std::size_t i = at + key.size(); i < chunk.size() && chunk[i] != '"'; ++i, ++n)
        if (chunk[i] == '\\') ++i;
    }
  }
  return n;
}

// Each translated chunk as an SSE event. Usage is always asked of the translator, for the
// access log; it is passed on only when the client asked for it.
std::vector<std::string> to_events(std::vector<std::string>& chunks, bool wants_usage,
                                   RelayState& st) {
  std::vector<std::string> events;
  events.reserve(chunks.size());
  for (auto& chunk : chunks) {
    st.text_bytes += text_bytes_of(chunk);
    // `"usage":` outside a JSON string only occurs as a key (inside one the quote is escaped),
    // so only chunks that carry usage are parsed.
    if (chunk.find("\"usage\":") != std::string::npos) {
      Json j = parse_json(chunk);
      if (j.is_object() && j.contains("usage") && j["usage"].is_object()) {
        st.usage = j["usage"];
        if (!wants_usage) {
          const Json& choices = j["choices"];
          if (!choices.is_array() || choices.empty()) continue;  // a usage-only chunk
          j.erase("usage");
          chunk = to_text(j);
        }
      }
    }
    events.push_back("data: " + chunk + "\n\n");
  }
  return events;
}

// "tokens <prompt>/<completion>/<total>", '-' for a count the stream did not report.
std::string usage_text(const Json& usage) {
  auto num = [&](const char* k) {
    if (!usage.is_object()) return std::string("-");
    auto it = usage.find(k);
    return it != usage.end() && it->is_number_integer() ? std::to_string(it->get<std::int64_t>())
                                                        : std::string("-");
  };
  return "tokens " + num("prompt_tokens") + "/" + num("completion_tokens") + "/" +
         num("total_tokens");
}

}  // namespace

net::awaitable<Attempt> relay_local(const LocalStream& local, const HeaderList& head,
                                    StreamWriter& out, bool v1) {
  ApiResponse streamed;
  streamed.streamed = true;
  bool ok = co_await out.begin(200, kEventStream, head);
  std::vector<std::string> events;
  for (const auto& chunk : local.chunks) {
    streamed.text_bytes += text_bytes_of(chunk);
    events.push_back("data: " + chunk + "\n\n");
  }
  if (v1) events.push_back("data: [DONE]\n\n");
  ok = ok && co_await out.write_all(events);
  streamed.stream_complete = ok && co_await out.end();
  streamed.usage = usage_text(local.usage);
  co_return Attempt{std::move(streamed), std::nullopt, true};
}

namespace {

// An upstream answer that is not 2xx, before any byte went to the client: an ordinary error,
// which the chain may retry (with the provider's Retry-After).
net::awaitable<Attempt> upstream_error(const EndpointRuntime& ep, UpstreamStream& up,
                                       std::string_view url, std::chrono::milliseconds idle,
                                       const Invocation& inv, const Services& s) {
  auto body = co_await up.rest(idle);
  if (!body)
    co_return Attempt{render_error(body.error(), inv.family), transport_failure(body.error())};
  auto decoded = ep.adapter->decode_reply(
      UpstreamReply{up.status(), up.content_type(), std::move(*body), up.error_headers()});
  GatewayError err = decoded
                         ? malformed_upstream("unexpected status " + std::to_string(up.status()))
                         : decoded.take_error();
  const auto parsed = parse_url(url);
  err = name_the_upstream(std::move(err), ep.config.name,
                          parsed ? parsed->host_header() : std::string("?"));
  scrub_secrets(err.detail, ep.secrets);
  AttemptFailure f{FailureKind::Status, up.status(),
                   parse_retry_after(up.error_headers(), s.clock())};
  co_return Attempt{render_error(err, inv.family), f};
}

// Begins the client's stream (status 200 and the head) at the first chunk to write.
net::awaitable<bool> begin_stream(StreamWriter& out, RelayState& st) {
  st.begun = true;
  st.inv->stream_began = std::chrono::steady_clock::now();
  st.inv->upstream_wait += std::chrono::steady_clock::now() - st.sent;
  co_return co_await out.begin(200, kEventStream, st.head());
}

// The provider's end event came before the end of the HTTP body (e.g. the last chunk's
// terminator in a later TCP segment). The client has every event but not yet the end of its
// reply: the rest is read briefly first, so the upstream connection is back in the pool before
// the client can send its next request (else that request opens a new connection).
net::awaitable<void> drain_rest(UpstreamStream& up) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  while (!up.body_done()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto more = co_await up.next(left);
    if (!more || more->size() > 64 * 1024) break;
  }
}

// Reads the upstream stream and writes its chunks until the end marker, an error, EOF or the
// client's departure. Returns false when the client is gone or a write failed.
net::awaitable<bool> pump_to_client(const EndpointRuntime& ep, UpstreamStream& up,
                                    StreamTranslator& translator, StreamWriter& out,
                                    bool wants_usage, std::chrono::milliseconds first_event,
                                    std::chrono::milliseconds idle, RelayState& st) {
  // A client that leaves cancels the upstream read at once: the pending next() fails and
  // nothing more is read from or written for this stream.
  bool client_gone = false;
  DisconnectWatch watch(&out, [&up, &client_gone] {
    client_gone = true;
    up.cancel();
  });
  auto decoder = make_stream_decoder(ep.adapter->stream_framing());
  bool ok = true, first = true, eof = false;
  while (ok && !st.failure && !eof && !translator.finished()) {
    auto bytes = co_await up.next(first ? first_event : idle);
    if (client_gone) break;
    first = false;
    if (!bytes) {
      st.failure = bytes.take_error();
      break;
    }
    // A framing may complete its last event at EOF (NDJSON without a newline).
    eof = bytes->empty();
    PumpStep step = pump_stream(*decoder, translator, *bytes, eof);
    st.failure = std::move(step.failure);
    // Everything this read completed is sent at once, each event as its own HTTP chunk,
    // before the next read: nothing waits for more upstream bytes.
    if (!step.chunks.empty()) {
      const std::vector<std::string> events = to_events(step.chunks, wants_usage, st);
      if (!events.empty() && !st.begun) ok = co_await begin_stream(out, st);
      if (!events.empty() && ok) ok = co_await out.write_all(events);
    }
    if (eof && !st.failure && !translator.complete_at_eof()) {
      st.failure = malformed_upstream("the stream ended before its end marker");
      st.failure->transport = GatewayError::Transport::Connect;  // a broken stream
    }
  }
  if (client_gone) {
    log::info(log_prefix(*st.inv) + "endpoint '" + ep.config.name +
              "': the client left mid-stream; upstream read cancelled");
    co_return false;
  }
  co_return ok;
}

// The stream after its first byte: an error event for a failure, [DONE] on /v1, the end.
net::awaitable<ApiResponse> finish_stream(const EndpointRuntime& ep, UpstreamStream& up,
                                          StreamWriter& out, RelayState& st, PathFamily family) {
  ApiResponse streamed;
  streamed.streamed = true;
  bool ok = true;
  if (st.failure) {
    scrub_secrets(st.failure->detail, ep.secrets);
    log::warn(log_prefix(*st.inv) + "endpoint '" + ep.config.name +
              "': stream failed: " + st.failure->message());
    ok = co_await out.write(render_stream_error(*st.failure));
  } else if (family == PathFamily::OpenAI) {
    ok = co_await out.write("data: [DONE]\n\n");
  }
  if (ok && !st.failure && !up.body_done()) co_await drain_rest(up);
  streamed.stream_complete = ok && co_await out.end();
  streamed.usage = usage_text(st.usage);
  streamed.text_bytes = st.text_bytes;
  co_return streamed;
}

// A stream's failure for the chain: an error event counts as its status (502); a stream that
// broke or ended early as `connect`; a timeout as `timeout`.
AttemptFailure stream_failure(const GatewayError& err) {
  AttemptFailure f = transport_failure(err);
  if (err.transport == GatewayError::Transport::None) f.kind = FailureKind::Status;
  return f;
}

// A failure before the client's stream began: an ordinary error the chain may retry.
Attempt failed_before_first_byte(GatewayError err, const EndpointRuntime& ep,
                                 const Invocation& inv) {
  scrub_secrets(err.detail, ep.secrets);
  log::warn(log_prefix(inv) + "endpoint '" + ep.config.name +
            "': stream failed before its first chunk: " + err.message());
  return Attempt{render_error(err, inv.family), stream_failure(err)};
}

Attempt client_left() {
  return Attempt{ApiResponse{}, AttemptFailure{FailureKind::Cancelled, 499, std::nullopt}, true};
}

// The answer of an attempt whose stream began: final, whatever happened after. A failure after
// the first byte is kept for the breaker and the access log; the client has its error event.
Attempt ended_stream(ApiResponse streamed, std::optional<AttemptFailure> failure = std::nullopt) {
  streamed.streamed = true;
  return Attempt{std::move(streamed), failure, true};
}

}  // namespace

net::awaitable<Attempt> relay_attempt(const EndpointRuntime& ep, const RequestContext& ctx,
                                      UpstreamRequest request, bool wants_usage,
                                      std::chrono::milliseconds first_event_cap, StreamHead head,
                                      bool can_fail_over, Invocation& inv, Services& s) {
  auto translator = ep.adapter->stream_translator(ctx, /*client_wants_usage=*/true);
  if (!translator)
    co_return Attempt{streaming_not_supported(ep, inv.family),
                      AttemptFailure{FailureKind::Invalid, 501, std::nullopt}};
  if (auto err = co_await authenticate(request, ep.config.name, s))
    co_return Attempt{render_error(*err, inv.family), transport_failure(*err)};
  const auto& t = ep.config.timeouts;
  const auto first_event =
      std::min(or_default(t.first_event_ms, s.stream_first_event), first_event_cap);
  const auto idle = or_default(t.idle_ms, s.stream_idle);
  RelayState st{Json(),          std::nullopt, false,
                std::move(head), &inv,         std::chrono::steady_clock::now()};
  auto upstream = co_await s.upstream.open_stream(request, ep.config.name, first_event);
  if (!upstream) {
    inv.upstream_wait += std::chrono::steady_clock::now() - st.sent;
    log::warn(log_prefix(inv) + upstream.error().message());
    co_return Attempt{render_error(upstream.error(), inv.family),
                      transport_failure(upstream.error())};
  }
  UpstreamStream& up = **upstream;
  if (up.status() < 200 || up.status() >= 300) {
    Attempt failed = co_await upstream_error(ep, up, request.url, idle, inv, s);
    inv.upstream_wait += std::chrono::steady_clock::now() - st.sent;
    co_return failed;
  }
  StreamWriter& out = *inv.request.stream;
  bool ok = true;
  // With no other attempt to fail over to, the head goes out now, before the first read is
  // translated: the client's time to first byte is the upstream's.
  if (!can_fail_over) ok = co_await begin_stream(out, st);
  if (ok)
    ok = co_await pump_to_client(ep, up, *translator, out, wants_usage, first_event, idle, st);
  if (!st.begun && (!ok || st.failure)) {
    inv.upstream_wait += std::chrono::steady_clock::now() - st.sent;
    if (!ok) co_return client_left();
    co_return failed_before_first_byte(*st.failure, ep, inv);
  }
  if (ok && !st.begun) ok = co_await begin_stream(out, st);  // a stream with no chunk at all
  // The client left: `up` closes its connection.
  if (!ok) co_return ended_stream(ApiResponse{}, client_left().failure);
  std::optional<AttemptFailure> failure;
  if (st.failure) failure = stream_failure(*st.failure);
  ApiResponse done = co_await finish_stream(ep, up, out, st, inv.family);
  co_return ended_stream(std::move(done), failure);
}

std::optional<ApiResponse> stream_unsupported(const EndpointRuntime& ep, const Call& prepared,
                                              PathFamily family) {
  // A provider that cannot stream this type answers 501 before anything else (MLflow routes
  // `stream: true` to its unimplemented streaming method first; docs/mlflow-compatibility.md).
  if (!config::provider_info(ep.config.model.id).streams(ep.config.type) ||
      std::holds_alternative<Json>(prepared))
    return streaming_not_supported(ep, family);
  return std::nullopt;
}

bool client_wants_usage(const Json& payload) {
  auto it = payload.find("stream_options");
  return it != payload.end() && it->is_object() && it->value("include_usage", false) == true;
}

}  // namespace gw
