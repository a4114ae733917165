#include "gateway/stages/call.h"

#include <boost/asio.hpp>

#include "gateway/aws_auth.h"
#include "gateway/limiter.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/stages/access.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/stream_relay.h"
#include "gateway/stream_writer.h"
#include "gateway/upstream_client.h"
#include "config/url.h"
#include "providers/upstream_reply.h"

namespace gw {

namespace net = boost::asio;

net::awaitable<std::optional<ApiResponse>> admit(const EndpointRuntime& ep, Invocation& inv,
                                                 Services& s) {
  // Token limits and budget first: they only read, so a refusal there spends no call.
  if (auto refused = co_await admit_endpoint_usage(ep, inv, s)) co_return refused;
  if (!ep.config.limit) co_return std::nullopt;
  const std::string client = limit_client(ep, inv.request);
  inv.limit = co_await s.limiter.hit(ep.limit_prefix, client, *ep.config.limit, s.clock());
  if (s.metrics) {
    using metrics::LimitOutcome;
    s.metrics->record_limit(ep.metrics_key, !inv.limit           ? LimitOutcome::StoreError
                                            : inv.limit->allowed ? LimitOutcome::Admitted
                                                                 : LimitOutcome::Rejected);
  }
  co_return admission_response(inv.limit, *ep.config.limit, inv.family, s.fail_closed);
}

net::awaitable<std::optional<GatewayError>> authenticate(UpstreamRequest& request,
                                                         std::string_view endpoint, Services& s) {
  if (const auto* how = std::get_if<AwsSigV4>(&request.auth))
    co_return co_await s.aws.sign(request, *how, endpoint);
  co_return std::nullopt;  // HeadersOnly: the adapter set its key
}

AttemptFailure transport_failure(const GatewayError& err) {
  using T = GatewayError::Transport;
  AttemptFailure f;
  f.status = err.status;
  switch (err.transport) {
    case T::Connect:
      f.kind = FailureKind::Connect;
      break;
    case T::Tls:
      f.kind = FailureKind::Tls;
      break;
    case T::Timeout:
      f.kind = FailureKind::Timeout;
      break;
    case T::Malformed:
      f.kind = FailureKind::Malformed;
      break;
    case T::None:
      f.kind = err.status == 499 ? FailureKind::Cancelled : FailureKind::Gateway;
      break;
  }
  return f;
}

namespace {

// The provider answered, but not with a reply the adapter could translate: its error status
// (with Retry-After), or a malformed reply.
Attempt reply_failure(const EndpointRuntime& ep, const UpstreamRequest& request,
                      const UpstreamReply& reply, GatewayError err, const Invocation& inv,
                      const Services& s) {
  const auto url = parse_url(request.url);
  err = name_the_upstream(std::move(err), ep.config.name,
                          url ? url->host_header() : std::string("?"));
  scrub_secrets(err.detail, ep.secrets);
  if (err.status >= 500)
    log::warn(log_prefix(inv) + "endpoint '" + ep.config.name + "': " + err.message());
  AttemptFailure f;
  if (reply.status >= 400) {
    f.kind = FailureKind::Status;
    f.status = reply.status;
    f.retry_after = parse_retry_after(reply.headers, s.clock());
  } else {
    f.kind = FailureKind::Malformed;
    f.status = err.status;
  }
  return Attempt{render_error(err, inv.family), f};
}

}  // namespace

net::awaitable<Attempt> forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                const UpstreamRequest& request, CallTimeouts timeouts,
                                Invocation& inv, Services& s) {
  // A client that disconnects while the provider works cancels the upstream call: an LLM call
  // can take minutes, and its connection would otherwise be held for nothing.
  CancelSignal cancel;
  DisconnectWatch watch(inv.request.stream, [&cancel, &ep, &inv] {
    log::info(log_prefix(inv) + "endpoint '" + ep.config.name +
              "': the client left; upstream call cancelled");
    cancel.cancel();
  });
  const auto sent = std::chrono::steady_clock::now();
  auto reply = co_await s.upstream.send(request, ep.config.name, timeouts, &cancel);
  inv.upstream_wait += std::chrono::steady_clock::now() - sent;
  if (cancel.cancelled()) {
    // Nobody reads this answer: the session finds the socket closed when it writes.
    co_return Attempt{render_error(GatewayError::make(499, "client closed request"), inv.family),
                      AttemptFailure{FailureKind::Cancelled, 499, std::nullopt}};
  }
  if (!reply) {
    log::warn(log_prefix(inv) + reply.error().message());
    co_return Attempt{render_error(reply.error(), inv.family), transport_failure(reply.error())};
  }
  auto unified = ep.adapter->reply_text(ctx, *reply);
  if (!unified) co_return reply_failure(ep, request, *reply, unified.take_error(), inv, s);
  ApiResponse ok;
  ok.body = std::move(*unified);
  co_return Attempt{std::move(ok), std::nullopt};
}

}  // namespace gw
