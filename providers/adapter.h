// The provider seam (docs/architecture.md, "The adapter seam"): an adapter is a set of pure
// functions that translate between the unified schemas (docs/mlflow-compatibility.md §4) and
// one provider's wire format. It never sees a socket, a timer or a coroutine; the gateway does
// all I/O.
//
// Thread safety: an Adapter is immutable after construction and shared by every request of its
// endpoint on every worker thread; all methods are const and must not keep per-request state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/config.h"
#include "providers/errors.h"
#include "providers/json.h"

namespace gw {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// How the gateway authenticates a request after the adapter built it, right before sending.
// - HeadersOnly: nothing to do; the adapter already put its key in `headers` (most providers).
// - AwsSigV4: the gateway resolves the AWS credentials (static, or STS AssumeRole with a cache)
//   and signs the request with SigV4 for `service`. `settings` points into the adapter, which
//   outlives the request (the request holds its snapshot).
struct HeadersOnly {};
struct AwsSigV4 {
  const config::BedrockSettings* settings = nullptr;
  std::string_view service;
};
using UpstreamAuth = std::variant<HeadersOnly, AwsSigV4>;

// One HTTP request to send upstream. Headers may carry secrets: never log this object whole.
struct UpstreamRequest {
  std::string method = "POST";
  std::string url;  // absolute http(s) URL including the query
  HeaderList headers;
  std::string body;
  UpstreamAuth auth;
  // "" = the environment's proxy settings, "none" = direct, else an http:// proxy URL (the
  // endpoint's `proxy:` key; docs/outbound-proxies.md). May hold credentials: never log it.
  std::string proxy;
};

// What the upstream answered (a complete response).
struct UpstreamReply {
  int status = 0;
  std::string content_type;
  std::string body;
  // The response's headers, kept for error replies (status >= 400) only, where an adapter may
  // read a provider's own error header (Adapter::error_type_header); empty otherwise.
  HeaderList headers;
  // The value of header `name` (any case), or "" when absent.
  std::string_view header(std::string_view name) const;
};

// Per-request facts an adapter may need besides the payload.
struct RequestContext {
  config::EndpointType type = config::EndpointType::Chat;
  std::int64_t now = 0;  // UNIX seconds, injected so translations are testable
};

// A locally produced stream (the `mock` provider): the unified chunks, in order, as compact JSON.
struct LocalStream {
  std::vector<std::string> chunks;
  Json usage;  // the stream's token counts (for the access log), whether or not a chunk has them
};

// Either an upstream call to make, or (for local providers such as `mock`) the unified
// response itself, or for a local provider's stream its chunks.
using Call = std::variant<UpstreamRequest, Json, LocalStream>;

struct SseEvent;

// How an upstream frames its stream; the gateway decodes every framing into SseEvents
// (providers/wire/stream_decoder.h) before the translator sees them:
// - Sse: text/event-stream (OpenAI, Anthropic, Gemini alt=sse, Mistral, TogetherAI);
// - NdJson: one JSON document per line (Cohere); each non-blank line is one event's `data`;
// - AwsEventStream: application/vnd.amazon.eventstream (Bedrock ConverseStream); an `event`
//   message becomes {event = :event-type, data = payload}, an `exception` message
//   {event = "exception:" + :exception-type, data = payload}, an `error` message
//   {event = "error:" + :error-code, data = :error-message}.
enum class StreamFraming { Sse, NdJson, AwsEventStream };

// Translates one upstream stream into unified chunks (mlflow-compatibility §4.6). One per
// request; not thread-safe; pure (fed parsed events, returns compact JSON chunk texts).
class StreamTranslator {
 public:
  virtual ~StreamTranslator() = default;
  // One upstream event -> zero or more unified chunks. An error the upstream reports inside
  // the stream, or an event that cannot be understood, is a GatewayError (the relay then ends
  // the client's stream with an error event).
  virtual Result<std::vector<std::string>> on_event(const SseEvent& event) = 0;
  // True once the upstream's own terminator has been seen (e.g. OpenAI's `data: [DONE]`); a
  // stream that ends before that was truncated.
  virtual bool finished() const = 0;
  // True when an end of the upstream byte stream right now would be a clean end. For upstreams
  // without an explicit terminator (Gemini ends after the chunk carrying `finishReason`) this
  // can become true before finished(); the relay keeps reading until finished() or EOF.
  virtual bool complete_at_eof() const { return finished(); }
};

class Adapter {
 public:
  virtual ~Adapter() = default;

  // Display name used in MLflow's messages ("OpenAI", "Anthropic", ...).
  virtual std::string_view display_name() const = 0;

  // Validated unified payload (schema.h) -> what to do. Provider-side validation errors
  // (422 and friends) are returned as GatewayError.
  virtual Result<Call> prepare(const RequestContext& ctx, Json payload) const = 0;

  // Fast variant of prepare() for a payload that fast_validate_request() (fast_path.h) already
  // validated and serialised, without a "model" key. Must build exactly what prepare() builds
  // for the same payload. nullopt: the adapter has no such path (prepare() is used).
  virtual std::optional<UpstreamRequest> prepare_serialized(const RequestContext& ctx,
                                                            std::string payload) const {
    return std::nullopt;
  }

  // The translator for a `stream: true` request of ctx.type, or nullptr when this provider
  // cannot stream that type (the gateway answers 501 before any byte is sent).
  // `client_wants_usage`: the client asked for stream_options.include_usage; otherwise a usage
  // chunk the gateway requested for itself is not passed on.
  virtual std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                              bool client_wants_usage) const {
    return nullptr;
  }
  virtual StreamFraming stream_framing() const { return StreamFraming::Sse; }

  // A complete upstream reply -> unified response (mlflow-compatibility §4.5) or a GatewayError.
  // The default implementation applies MLflow's generic content-type and status handling
  // (mlflow-compatibility §3.6) and calls translate() for a 2xx JSON body.
  virtual Result<Json> parse_reply(const RequestContext& ctx, const UpstreamReply& reply) const;

  // The content-type and status handling of mlflow-compatibility §3.6 with this provider's
  // error-message fields: the parsed body of a 2xx reply, or the GatewayError for the client.
  Result<Json> decode_reply(const UpstreamReply& reply) const;

  // The same, serialised (what the gateway sends). The default serialises parse_reply();
  // an adapter may answer from a faster path that produces identical text.
  virtual Result<std::string> reply_text(const RequestContext& ctx,
                                         const UpstreamReply& reply) const;

 protected:
  // Top-level string fields of an upstream error body that carry the provider's own message
  // (e.g. Bedrock and Cohere `message`), used when the body has no `error` key
  // (mlflow-compatibility §3.6 handles `error.message`). Empty: MLflow's rule, the whole body is
  // the detail.
  virtual std::vector<std::string_view> error_message_fields() const { return {}; }
  // A response header that names the error class ("Name:rest"), used as the detail of an error
  // reply whose body has no message (Bedrock: x-amzn-ErrorType). "" for none.
  virtual std::string_view error_type_header() const { return {}; }

  // A 2xx upstream JSON body -> unified response. A body that lacks what the provider
  // documents is a malformed upstream reply (502). The body is owned so values can be moved
  // into the response instead of copied.
  virtual Result<Json> translate(const RequestContext& ctx, Json body) const = 0;
};

// Builds the adapter for an endpoint's provider settings.
std::shared_ptr<const Adapter> make_adapter(const config::EndpointConfig& endpoint);

}  // namespace gw
