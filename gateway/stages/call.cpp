#include "gateway/stages/call.h"

#include <boost/asio.hpp>

#include "gateway/aws_auth.h"
#include "gateway/limiter.h"
#include "gateway/log.h"
#include "gateway/stages/admit.h"
#include "gateway/stages/stream_relay.h"
#include "gateway/stream_writer.h"
#include "gateway/upstream_client.h"
#include "config/url.h"
#include "providers/schema.h"
#include "providers/upstream_reply.h"

namespace gw {

namespace net = boost::asio;

net::awaitable<std::optional<ApiResponse>> admit(const EndpointRuntime& ep, Invocation& inv,
                                                 const Services& s) {
  if (!ep.config.limit) co_return std::nullopt;
  const std::string client = limit_client(ep, inv.request);
  inv.limit = co_await s.limiter.hit(ep.limit_prefix, client, *ep.config.limit, s.clock());
  co_return admission_response(inv.limit, *ep.config.limit, inv.family, s.fail_closed);
}

net::awaitable<ApiResponse> invoke(const EndpointRuntime& ep, Json body, Invocation& inv,
                                   Services& s) {
  auto validated = validate_request(ep.config.type, std::move(body));
  if (!validated) co_return render_error(validated.error(), inv.family);
  if (inv.from_v1) validated->payload.erase("model");  // it selected the endpoint
  if (validated->stream) co_return co_await relay_stream(ep, std::move(validated->payload), inv, s);
  RequestContext ctx{ep.config.type, s.now_seconds()};
  auto prepared = ep.adapter->prepare(ctx, std::move(validated->payload));
  if (!prepared) co_return render_error(prepared.error(), inv.family);
  if (auto denied = co_await admit(ep, inv, s)) co_return std::move(*denied);
  if (auto* local = std::get_if<Json>(&*prepared)) co_return json_response(200, *local);
  auto& request = std::get<UpstreamRequest>(*prepared);
  if (auto err = co_await authenticate(request, ep.config.name, s))
    co_return render_error(*err, inv.family);
  co_return co_await forward(ep, ctx, request, inv, s);
}

net::awaitable<std::optional<GatewayError>> authenticate(UpstreamRequest& request,
                                                         std::string_view endpoint, Services& s) {
  if (const auto* how = std::get_if<AwsSigV4>(&request.auth))
    co_return co_await s.aws.sign(request, *how, endpoint);
  co_return std::nullopt;  // HeadersOnly: the adapter set its key
}

net::awaitable<std::optional<ApiResponse>> try_fast(const EndpointRuntime& ep, FastRequest fast,
                                                    Invocation& inv, Services& s) {
  if (fast.stream) co_return std::nullopt;  // streams take the reference path
  RequestContext ctx{ep.config.type, s.now_seconds()};
  auto request = ep.adapter->prepare_serialized(ctx, std::move(fast.payload));
  if (!request) co_return std::nullopt;
  if (auto denied = co_await admit(ep, inv, s)) co_return std::move(*denied);
  if (auto err = co_await authenticate(*request, ep.config.name, s))
    co_return render_error(*err, inv.family);
  co_return co_await forward(ep, ctx, *request, inv, s);
}

net::awaitable<ApiResponse> forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                    const UpstreamRequest& request, const Invocation& inv,
                                    Services& s) {
  const auto& t = ep.config.timeouts;
  const auto& defaults = s.upstream.options();
  // A client that disconnects while the provider works cancels the upstream call: an LLM call
  // can take minutes, and its connection would otherwise be held for nothing.
  CancelSignal cancel;
  DisconnectWatch watch(inv.request.stream, [&cancel, &ep] {
    log::info("endpoint '" + ep.config.name + "': the client left; upstream call cancelled");
    cancel.cancel();
  });
  const CallTimeouts timeouts{or_default(t.connect_ms, defaults.connect_timeout),
                              or_default(t.total_ms, defaults.total_timeout)};
  auto reply = co_await s.upstream.send(request, ep.config.name, timeouts, &cancel);
  if (cancel.cancelled()) {
    // Nobody reads this answer: the session finds the socket closed when it writes.
    co_return render_error(GatewayError::make(499, "client closed request"), inv.family);
  }
  if (!reply) {
    log::warn(reply.error().message());
    co_return render_error(reply.error(), inv.family);
  }
  auto unified = ep.adapter->reply_text(ctx, *reply);
  if (!unified) {
    const auto url = parse_url(request.url);
    GatewayError err = name_the_upstream(unified.take_error(), ep.config.name,
                                         url ? url->host_header() : std::string("?"));
    scrub_secrets(err.detail, ep.secrets);
    if (err.status >= 500) log::warn("endpoint '" + ep.config.name + "': " + err.message());
    co_return render_error(err, inv.family);
  }
  ApiResponse ok;
  ok.body = std::move(*unified);
  co_return ok;
}

}  // namespace gw
