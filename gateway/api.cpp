#include "gateway/api.h"

#include <boost/asio.hpp>
#include <chrono>
#include <random>

#include "gateway/log.h"
#include "providers/aws_sigv4.h"
#include "providers/base64.h"
#include "providers/fast_json.h"
#include "providers/schema.h"
#include "providers/sse.h"
#include "providers/stream_decoder.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

namespace net = boost::asio;
using config::EndpointType;

constexpr std::size_t kPageSize = 3000;  // MLFLOW_DEPLOYMENTS_LIST_ENDPOINTS_PAGE_SIZE

ApiResponse not_found() { return json_response(404, Json{{"detail", "Not Found"}}); }
ApiResponse method_not_allowed() {
  return json_response(405, Json{{"detail", "Method Not Allowed"}});
}
ApiResponse redirect(std::string location) {
  ApiResponse r = json_response(307, Json(nullptr));
  r.body.clear();
  r.content_type.clear();
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Percent-decodes one path segment (Starlette matches decoded paths).
std::string decode_segment(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? "" : decode_segment(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// MLflow's page token: base64 of Python's json.dumps({"index": N}) -> '{"index": 11}'.
std::string encode_page_token(std::size_t index) {
  return base64_encode("{\"index\": " + std::to_string(index) + "}");
}

std::optional<std::size_t> decode_page_token(std::string_view token) {
  auto raw = base64_decode(token);
  if (!raw) return std::nullopt;
  Json j = parse_json(*raw);
  if (!j.is_object() || !j.contains("index") || !j["index"].is_number_integer())
    return std::nullopt;
  auto idx = j["index"].get<std::int64_t>();
  if (idx < 0) return std::nullopt;
  return static_cast<std::size_t>(idx);
}

ApiResponse list_endpoints(const Runtime& rt, std::string_view query, bool legacy) {
  std::size_t start = 0;
  std::string token = query_param(query, "page_token");
  if (!token.empty()) {
    auto idx = decode_page_token(token);
    if (!idx) return json_response(400, Json{{"detail", "Invalid page_token '" + token + "'"}});
    start = *idx;
  }
  const auto& all = rt.endpoints();
  Json items = Json::array();
  std::size_t end = std::min(all.size(), start + kPageSize);
  for (std::size_t i = start; i < end; ++i) items.push_back(legacy ? all[i]->legacy_info : all[i]->info);
  Json next = end < all.size() ? Json(encode_page_token(end)) : Json(nullptr);
  return json_response(200, Json{{legacy ? "routes" : "endpoints", std::move(items)},
                                 {"next_page_token", std::move(next)}});
}

ApiResponse endpoint_not_found(const std::string& name) {
  return json_response(404, Json{{"detail", "The endpoint '" + name +
                                                "' is not present or active on the server. "
                                                "Please verify the endpoint name."}});
}

ApiResponse route_not_found(const std::string& name) {
  return json_response(404, Json{{"detail", "The route '" + name +
                                                "' is not present or active on the server. "
                                                "Please verify the route name."}});
}

// POST /api/2.0/{endpoints,gateway}/limits/: body {"route": str, "limits": [object]} -> 501.
ApiResponse set_limits(const std::string& body_text) {
  auto body = parse_request_body(body_text);
  if (!body) return render_error(body.error(), PathFamily::Mlflow);
  Json errs = Json::array();
  auto add = [&](const char* type, Json loc, const char* msg, const Json& input) {
    errs.push_back(Json{{"type", type}, {"loc", std::move(loc)}, {"msg", msg}, {"input", input}});
  };
  if (!body->is_object()) {
    add("model_attributes_type", Json::array({"body"}),
        "Input should be a valid dictionary or object to extract fields from", *body);
  } else {
    if (!body->contains("route")) {
      add("missing", Json::array({"body", "route"}), "Field required", *body);
    } else if (!(*body)["route"].is_string()) {
      add("string_type", Json::array({"body", "route"}), "Input should be a valid string",
          (*body)["route"]);
    }
    if (!body->contains("limits")) {
      add("missing", Json::array({"body", "limits"}), "Field required", *body);
    } else if (!(*body)["limits"].is_array()) {
      add("list_type", Json::array({"body", "limits"}), "Input should be a valid list",
          (*body)["limits"]);
    } else {
      const Json& limits = (*body)["limits"];
      for (std::size_t i = 0; i < limits.size(); ++i) {
        if (!limits[i].is_object())
          add("dict_type", Json::array({"body", "limits", i}), "Input should be a valid dictionary",
              limits[i]);
      }
    }
  }
  if (!errs.empty()) return json_response(422, Json{{"detail", std::move(errs)}});
  return json_response(501, Json{{"detail", "The set_limits API is not available yet."}});
}

// A uniform draw in [0, 100) for picking a traffic-route destination.
double traffic_draw() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 100.0)(rng);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// X-RateLimit-* on every response of a limited endpoint; Retry-After on a 429.
void add_limit_headers(ApiResponse& r, const std::optional<LimitDecision>& d) {
  if (!d) return;
  const std::int64_t reset_s = (d->reset_ms + 999) / 1000;
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(d->limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d->remaining));
  r.headers.emplace_back("X-RateLimit-Reset", std::to_string(reset_s));
  if (!d->allowed) r.headers.emplace_back("Retry-After", std::to_string(reset_s));
}

// Replaces every occurrence of a secret in the strings of `j` (upstreams sometimes echo the
// credential they rejected).
void scrub(Json& j, const std::vector<std::string>& secrets) {
  if (j.is_string()) {
    std::string& s = j.get_ref<std::string&>();
    for (const auto& secret : secrets) {
      if (secret.size() < 4) continue;  // too short to be a key; avoid mangling text
      for (auto pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos + 3))
        s.replace(pos, secret.size(), "***");
    }
  } else if (j.is_structured()) {
    for (auto& item : j) scrub(item, secrets);
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A small self-contained page (no scripts, no external assets): what this gateway serves.
ApiResponse docs_page(const Runtime& rt) {
  std::string rows;
  for (const auto& ep : rt.endpoints()) {
    const auto& c = ep->config;
    rows += "<tr><td>" + html_escape(c.name) + "</td><td>" +
            std::string(config::to_string(c.type)) + "</td><td>" + html_escape(c.model.provider) +
            "</td><td>" + html_escape(c.model.name.value_or("")) + "</td><td><code>POST /endpoints/" +
            html_escape(c.name) + "/invocations</code></td></tr>\n";
  }
  ApiResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>MLflow AI Gateway</title>"
      "</head><body>\n<h1>MLflow AI Gateway</h1>\n<p>MLflow-compatible routes: "
      "<code>POST /endpoints/{name}/invocations</code>, <code>GET /api/2.0/endpoints/</code>. "
      "OpenAI-compatible routes: <code>POST /v1/chat/completions</code>, "
      "<code>/v1/completions</code>, <code>/v1/embeddings</code> (the body's <code>model</code> "
      "names the endpoint).</p>\n<table border=\"1\" cellpadding=\"4\">\n<tr><th>endpoint</th>"
      "<th>type</th><th>provider</th><th>model</th><th>invocation</th></tr>\n" +
      rows + "</table>\n</body></html>\n";
  return r;
}

const char* v1_kind(EndpointType t) {
  switch (t) {
    case EndpointType::Chat:
      return "a chat";
    case EndpointType::Completions:
      return "a completions";
    case EndpointType::Embeddings:
      return "an embeddings";
  }
  return "";
}

}  // namespace

Api::Api(std::shared_ptr<RuntimeHolder> runtime, UpstreamClient& upstream,
         std::shared_ptr<RateLimiter> limiter, ApiOptions options)
    : runtime_(std::move(runtime)),
      upstream_(upstream),
      limiter_(std::move(limiter)),
      options_(std::move(options)),
      aws_(upstream, [this] { return options_.clock(); }) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

std::int64_t Api::now_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             options_.clock().time_since_epoch())
      .count();
}

namespace {

// A per-endpoint timeout (config `timeouts:`, milliseconds) or the server-wide default.
std::chrono::milliseconds or_default(const std::optional<std::int64_t>& endpoint_ms,
                                     std::chrono::milliseconds server_default) {
  return endpoint_ms ? std::chrono::milliseconds(*endpoint_ms) : server_default;
}

// MLflow's text for a provider that cannot stream this endpoint type (before any byte is sent).
ApiResponse streaming_not_supported(const EndpointRuntime& ep, PathFamily family) {
  const char* what = ep.config.type == EndpointType::Chat ? "chat" : "completions";
  return render_error(GatewayError::make(501,
                                         std::string("The ") + what +
                                             " streaming route is not implemented for " +
                                             std::string(ep.adapter->display_name()) + " models.",
                                         "invalid_request_error", "streaming_not_supported"),
                      family);
}

// One SSE event carrying an error, sent when a stream fails after it started (decisions.md).
std::string error_event(const GatewayError& e) {
  Json err{{"message", e.message()},
           {"type", e.openai_type()},
           {"code", e.code.empty() ? Json(nullptr) : Json(e.code)}};
  return "data: " + to_text(Json{{"error", std::move(err)}}) + "\n\n";
}

}  // namespace

net::awaitable<ApiResponse> Api::invoke(const EndpointRuntime& ep, Json body, Call& call) {
  auto validated = validate_request(ep.config.type, std::move(body));
  if (!validated) co_return render_error(validated.error(), call.family);
  if (call.from_v1) validated->payload.erase("model");  // it selected the endpoint
  if (validated->stream) co_return co_await invoke_stream(ep, std::move(validated->payload), call);
  RequestContext ctx{ep.config.type, now_seconds()};
  auto prepared = ep.adapter->prepare(ctx, std::move(validated->payload));
  if (!prepared) co_return render_error(prepared.error(), call.family);
  // Counted once the request is known to be valid (schema and provider checks: a 422 costs no
  // quota), before the provider is called.
  if (auto denied = co_await admit(ep, call)) co_return std::move(*denied);
  if (auto* local = std::get_if<Json>(&*prepared)) co_return json_response(200, *local);
  auto& request = std::get<UpstreamRequest>(*prepared);
  if (request.aws) {
    if (auto err = co_await aws_.sign(request, ep.config.name))
      co_return render_error(*err, call.family);
  }
  co_return co_await forward(ep, ctx, request, call.family, call.request.stream);
}

net::awaitable<ApiResponse> Api::invoke_stream(const EndpointRuntime& ep, Json payload,
                                               Call& call) {
  const Json* options = payload.contains("stream_options") ? &payload["stream_options"] : nullptr;
  const bool wants_usage =
      options && options->is_object() && options->value("include_usage", false) == true;
  // A provider that cannot stream this type answers 501 before anything else (spec §6.14:
  // MLflow routes `stream: true` to the unimplemented streaming method first).
  const auto* caps = config::provider_capabilities(ep.config.model.provider);
  if (caps && !caps->streams(ep.config.type)) co_return streaming_not_supported(ep, call.family);
  RequestContext ctx{ep.config.type, now_seconds()};
  auto prepared = ep.adapter->prepare(ctx, std::move(payload));
  if (!prepared) co_return render_error(prepared.error(), call.family);
  std::unique_ptr<StreamTranslator> translator;
  if (std::holds_alternative<UpstreamRequest>(*prepared)) {
    // Usage is always asked of the translator: the relay keeps it for the access log and
    // passes it on only when the client asked for it (issue 4: usage for logs/metrics).
    translator = ep.adapter->stream_translator(ctx, /*client_wants_usage=*/true);
    if (!translator) co_return streaming_not_supported(ep, call.family);
  } else if (!std::holds_alternative<LocalStream>(*prepared)) {
    co_return streaming_not_supported(ep, call.family);
  }
  if (auto denied = co_await admit(ep, call)) co_return std::move(*denied);
  ApiResponse streamed;
  streamed.streamed = true;
  add_limit_headers(streamed, call.limit);  // sent with the stream's header
  StreamWriter& out = *call.request.stream;
  const bool v1 = call.family == PathFamily::OpenAI;

  if (auto* local = std::get_if<LocalStream>(&*prepared)) {
    bool ok = co_await out.begin(200, "text/event-stream; charset=utf-8", streamed.headers);
    std::vector<std::string> events;
    for (const auto& chunk : local->chunks) events.push_back("data: " + chunk + "\n\n");
    if (v1) events.push_back("data: [DONE]\n\n");
    ok = ok && co_await out.write_all(events);
    streamed.stream_complete = ok && co_await out.end();
    streamed.headers.clear();
    co_return streamed;
  }

  auto& request = std::get<UpstreamRequest>(*prepared);
  if (request.aws) {
    if (auto err = co_await aws_.sign(request, ep.config.name))
      co_return render_error(*err, call.family);
  }
  const auto& t = ep.config.timeouts;
  const std::chrono::milliseconds first_event =
      or_default(t.first_event_ms, options_.stream_first_event);
  const std::chrono::milliseconds idle = or_default(t.idle_ms, options_.stream_idle);
  auto upstream = co_await upstream_.open_stream(request, ep.config.name, first_event);
  if (!upstream) {
    log::warn(upstream.error().message());
    co_return render_error(upstream.error(), call.family);
  }
  UpstreamStream& up = **upstream;
  if (up.status() < 200 || up.status() >= 300) {
    // An error before the first event is an ordinary error response, as without streaming.
    auto body = co_await up.rest(idle);
    if (!body) co_return render_error(body.error(), call.family);
    auto decoded = ep.adapter->decode_reply(UpstreamReply{up.status(), up.content_type(), *body});
    GatewayError err = decoded ? malformed_upstream("unexpected status " + std::to_string(up.status()))
                               : decoded.take_error();
    scrub(err.detail, ep.secrets);
    co_return render_error(err, call.family);
  }
  bool ok = co_await out.begin(200, "text/event-stream; charset=utf-8", streamed.headers);
  streamed.headers.clear();
  // A client that leaves cancels the upstream read at once (issue 4): the pending next()
  // fails and nothing more is read from or written for this stream.
  bool client_gone = false;
  DisconnectWatch watch(&out, [&up, &client_gone] {
    client_gone = true;
    up.cancel();
  });
  auto decoder = make_stream_decoder(ep.adapter->stream_framing());
  Json usage;  // the last usage the stream reported (for the access log)
  std::optional<GatewayError> failure;
  bool first = true;
  bool eof = false;
  while (ok && !failure && !eof && !translator->finished()) {
    auto bytes = co_await up.next(first ? first_event : idle);
    if (client_gone) break;
    first = false;
    if (!bytes) {
      failure = bytes.take_error();
      break;
    }
    Result<std::vector<SseEvent>> events = std::vector<SseEvent>{};
    if (bytes->empty()) {
      eof = true;  // a framing may complete its last event at EOF (NDJSON without a newline)
      events = decoder->finish();
    } else {
      events = decoder->feed(*bytes);
    }
    if (!events) {
      failure = events.take_error();
      break;
    }
    // Everything this read completed is sent at once, each event as its own HTTP chunk, before
    // the next read: nothing waits for more upstream bytes.
    std::vector<std::string> ready;
    for (const auto& event : *events) {
      auto chunks = translator->on_event(event);
      if (!chunks) {
        failure = chunks.take_error();
        break;
      }
      for (auto& chunk : *chunks) {
        // `"usage":` outside a JSON string only occurs as a key (inside one the quote is
        // escaped), so only chunks that carry usage are parsed.
        if (chunk.find("\"usage\":") != std::string::npos) {
          Json j = parse_json(chunk);
          if (j.is_object() && j.contains("usage") && j["usage"].is_object()) {
            usage = j["usage"];
            if (!wants_usage) {
              const Json& choices = j["choices"];
              if (!choices.is_array() || choices.empty()) continue;  // a usage-only chunk
              j.erase("usage");
              chunk = to_text(j);
            }
          }
        }
        ready.push_back("data: " + chunk + "\n\n");
      }
      if (translator->finished()) break;
    }
    if (!ready.empty()) ok = co_await out.write_all(ready);
    if (eof && !failure && !translator->complete_at_eof())
      failure = malformed_upstream("the stream ended before its end marker");
  }
  if (!ok || client_gone) {
    // The client left: the upstream connection is closed with `up`.
    if (client_gone)
      log::info("endpoint '" + ep.config.name +
                "': the client left mid-stream; upstream read cancelled");
    streamed.stream_complete = false;
    co_return streamed;
  }
  if (failure) {
    scrub(failure->detail, ep.secrets);
    log::warn("endpoint '" + ep.config.name + "': stream failed: " + failure->message());
    ok = co_await out.write(error_event(*failure));
  } else if (v1) {
    ok = co_await out.write("data: [DONE]\n\n");
  }
  if (ok && !failure && !up.body_done()) {
    // The provider's end event came before the end of the HTTP body (e.g. the last chunk's
    // terminator in a later TCP segment). The client has every event but not yet the end of
    // its reply: read the rest briefly first, so the upstream connection is back in the pool
    // before the client can send its next request (else that request opens a new connection).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    while (!up.body_done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto more = co_await up.next(left);
      if (!more || more->size() > 64 * 1024) break;
    }
  }
  streamed.stream_complete = ok && co_await out.end();
  if (usage.is_object()) {
    auto num = [&](const char* k) {
      auto it = usage.find(k);
      return it != usage.end() && it->is_number_integer() ? std::to_string(it->get<std::int64_t>())
                                                          : std::string("-");
    };
    streamed.usage = "tokens " + num("prompt_tokens") + "/" + num("completion_tokens") + "/" +
                     num("total_tokens");
  }
  co_return streamed;
}

net::awaitable<std::optional<ApiResponse>> Api::try_fast(const EndpointRuntime& ep,
                                                         FastRequest fast, Call& call) {
  if (fast.stream) co_return std::nullopt;  // streams take the reference path
  RequestContext ctx{ep.config.type, now_seconds()};
  auto request = ep.adapter->prepare_serialized(ctx, std::move(fast.payload));
  if (!request) co_return std::nullopt;
  if (auto denied = co_await admit(ep, call)) co_return std::move(*denied);
  co_return co_await forward(ep, ctx, *request, call.family, call.request.stream);
}

net::awaitable<std::optional<ApiResponse>> Api::admit(const EndpointRuntime& ep, Call& call) {
  if (!ep.config.limit) co_return std::nullopt;
  const auto& limit = *ep.config.limit;
  // The client's part of the key. A header value (up to the header limit, chosen by the client)
  // is kept only as a fixed-size digest.
  std::string client;
  switch (ep.limit_key) {
    case LimitKeyKind::Global:
      break;
    case LimitKeyKind::Header: {
      std::string_view value;
      for (const auto& [name, v] : call.request.headers)
        if (iequals(name, ep.limit_header)) value = v;
      client = value.empty() ? "ip:" + call.request.client_ip
                             : "h:" + sigv4_sha256_hex(value).substr(0, 32);
      break;
    }
    case LimitKeyKind::Client:
      client = call.request.client_ip;
      break;
  }
  const std::string& key = ep.limit_prefix;
  if (options_.redis) {
    call.limit = co_await options_.redis->hit(key, client, limit, options_.clock());
    if (!call.limit) {
      // The shared store is unreachable (already logged by the limiter).
      if (!options_.fail_closed) co_return std::nullopt;
      co_return render_error(GatewayError::make(503,
                                                "Rate limiting is unavailable: the rate-limit "
                                                "store cannot be reached",
                                                "server_error", "rate_limit_store_unavailable"),
                             call.family);
    }
  } else {
    call.limit = limiter_->hit(key, client, limit, options_.clock());
  }
  if (call.limit->allowed) co_return std::nullopt;
  const std::string text = "Rate limit exceeded: " + limit.describe();
  ApiResponse r = call.family == PathFamily::Mlflow
                      ? json_response(429, Json{{"error", text}})  // MLflow's (slowapi's) body
                      : render_error(GatewayError::make(429, text, "rate_limit_error",
                                                        "rate_limit_exceeded"),
                                     PathFamily::OpenAI);
  co_return r;
}

net::awaitable<ApiResponse> Api::forward(const EndpointRuntime& ep, const RequestContext& ctx,
                                         const UpstreamRequest& request, PathFamily family,
                                         StreamWriter* client) {
  const auto& t = ep.config.timeouts;
  const auto& defaults = upstream_.options();
  // A client that disconnects while the provider works cancels the upstream call: an LLM call
  // can take minutes, and its connection would otherwise be held for nothing.
  CancelSignal cancel;
  DisconnectWatch watch(client, [&cancel, &ep] {
    log::info("endpoint '" + ep.config.name + "': the client left; upstream call cancelled");
    cancel.cancel();
  });
  auto reply = co_await upstream_.send(
      request, ep.config.name,
      CallTimeouts{or_default(t.connect_ms, defaults.connect_timeout),
                   or_default(t.total_ms, defaults.total_timeout)},
      &cancel);
  if (cancel.cancelled()) {
    // Nobody reads this answer: the session finds the socket closed when it writes.
    co_return render_error(GatewayError::make(499, "client closed request"), family);
  }
  if (!reply) {
    log::warn(reply.error().message());
    co_return render_error(reply.error(), family);
  }
  auto unified = ep.adapter->reply_text(ctx, *reply);
  if (!unified) {
    GatewayError err = unified.take_error();
    scrub(err.detail, ep.secrets);
    if (err.status >= 500) log::warn("endpoint '" + ep.config.name + "': " + err.message());
    co_return render_error(err, family);
  }
  ApiResponse ok;
  ok.body = std::move(*unified);
  co_return ok;
}

net::awaitable<ApiResponse> Api::invoke_named(const Runtime& rt, const std::string& name,
                                              Call& call, bool is_post) {
  const EndpointRuntime* ep = rt.endpoint(name);
  const RouteRuntime* route = ep ? nullptr : rt.route(name);
  if (!ep && !route) co_return not_found();
  if (!is_post) co_return method_not_allowed();
  if (route) ep = route->pick(traffic_draw());  // one destination per request, by weight
  // Fast path: a plain valid body; a `model` is the adapter's to judge (reference path).
  if (auto fast = fast_validate_request(ep->config.type, call.request.body, false);
      fast && !fast->model) {
    if (auto r = co_await try_fast(*ep, std::move(*fast), call)) co_return std::move(*r);
  }
  auto body = parse_request_body(call.request.body);
  if (!body) co_return render_error(body.error(), call.family);
  co_return co_await invoke(*ep, std::move(*body), call);
}

net::awaitable<ApiResponse> Api::invoke_v1(const Runtime& rt, EndpointType want, Call& call) {
  // Resolves a `model` to an endpoint of the wanted type (a route picks one destination).
  auto resolve = [&](const std::string& name, GatewayError& err) -> const EndpointRuntime* {
    const EndpointRuntime* ep = rt.endpoint(name);
    const RouteRuntime* route = ep ? nullptr : rt.route(name);
    if (!ep && !route) {
      err = GatewayError::make(404,
                               "The model '" + name +
                                   "' does not exist: no endpoint or route has that name.",
                               "invalid_request_error", "model_not_found");
      return nullptr;
    }
    if ((ep ? ep->config.type : route->config.task_type) != want) {
      err = GatewayError::make(400, "Endpoint '" + name + "' is not " + v1_kind(want) +
                                        " endpoint.");
      return nullptr;
    }
    return ep ? ep : route->pick(traffic_draw());
  };
  GatewayError err;
  // Fast path: a plain valid body naming an endpoint (or route) of the right type.
  if (auto fast = fast_validate_request(want, call.request.body, true); fast && fast->model) {
    if (const EndpointRuntime* ep = resolve(*fast->model, err)) {
      if (auto r = co_await try_fast(*ep, std::move(*fast), call)) co_return std::move(*r);
    }
  }
  auto body = parse_request_body(call.request.body);
  if (!body) co_return render_error(body.error(), PathFamily::OpenAI);
  if (!body->is_object()) {
    auto v = validate_request(want, *body);  // renders the "valid dictionary" 422
    co_return render_error(v.error(), PathFamily::OpenAI);
  }
  auto m = body->find("model");
  if (m == body->end() || m->is_null()) {
    co_return render_error(GatewayError::make(400,
                                              "Missing required 'model' parameter in request "
                                              "body: it names the endpoint to use",
                                              "invalid_request_error"),
                           PathFamily::OpenAI);
  }
  if (!m->is_string()) {
    co_return render_error(
        GatewayError::make(400, "The 'model' parameter must be a string", "invalid_request_error"),
        PathFamily::OpenAI);
  }
  const EndpointRuntime* ep = resolve(m->get<std::string>(), err);
  if (!ep) co_return render_error(err, PathFamily::OpenAI);
  co_return co_await invoke(*ep, std::move(*body), call);
}

net::awaitable<ApiResponse> Api::handle(ApiRequest req) {
  // Keep the snapshot for the whole request: a reload never changes a request in flight.
  const std::shared_ptr<const Runtime> rt = runtime_->load();
  std::string_view target = req.target;
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  std::string_view query = qpos == std::string_view::npos ? "" : target.substr(qpos + 1);
  std::string query_suffix = query.empty() ? "" : "?" + std::string(query);
  const bool is_get = req.method == "GET" || req.method == "HEAD";
  const bool is_post = req.method == "POST";

  if (path == "/health") {
    if (!is_get) co_return method_not_allowed();
    co_return json_response(200, Json{{"status", "OK"}});
  }
  if (path == "/") {
    if (!is_get) co_return method_not_allowed();
    co_return redirect("/docs");
  }
  if (path == "/docs") {
    if (!is_get) co_return method_not_allowed();
    co_return docs_page(*rt);
  }

  // OpenAI-compatible routes: the body's `model` names the endpoint or traffic route.
  if (path == "/v1/chat/completions" || path == "/v1/completions" || path == "/v1/embeddings") {
    if (!is_post) {
      co_return render_error(GatewayError::make(405, "Method Not Allowed"), PathFamily::OpenAI);
    }
    const EndpointType want = path == "/v1/chat/completions" ? EndpointType::Chat
                              : path == "/v1/completions"    ? EndpointType::Completions
                                                             : EndpointType::Embeddings;
    Call call{req, PathFamily::OpenAI, true, std::nullopt};
    ApiResponse r = co_await invoke_v1(*rt, want, call);
    add_limit_headers(r, call.limit);
    co_return r;
  }

  // MLflow invocation routes: /endpoints/{N}/invocations, /gateway/{N}/invocations.
  for (std::string_view prefix : {std::string_view("/endpoints/"), std::string_view("/gateway/")}) {
    if (starts_with(path, prefix) && path.size() > prefix.size() + 12 &&
        path.substr(path.size() - 12) == "/invocations") {
      std::string_view raw = path.substr(prefix.size(), path.size() - prefix.size() - 12);
      if (raw.find('/') != std::string_view::npos) break;
      Call call{req, PathFamily::Mlflow, false, std::nullopt};
      ApiResponse r = co_await invoke_named(*rt, decode_segment(raw), call, is_post);
      add_limit_headers(r, call.limit);
      co_return r;
    }
  }

  // Listing and inspection APIs.
  if (path == "/api/2.0/endpoints") co_return redirect("/api/2.0/endpoints/" + query_suffix);
  if (path == "/api/2.0/gateway/routes") co_return redirect("/api/2.0/gateway/routes/" + query_suffix);
  if (path == "/api/2.0/endpoints/" || path == "/api/2.0/gateway/routes/") {
    if (!is_get) co_return method_not_allowed();
    co_return list_endpoints(*rt, query, path == "/api/2.0/gateway/routes/");
  }
  for (std::string_view prefix :
       {std::string_view("/api/2.0/endpoints/limits/"), std::string_view("/api/2.0/gateway/limits/")}) {
    if (path == prefix) {
      if (!is_post) co_return method_not_allowed();
      co_return set_limits(req.body);
    }
    if (starts_with(path, prefix) && path.find('/', prefix.size()) == std::string_view::npos) {
      if (!is_get) co_return method_not_allowed();
      co_return json_response(501, Json{{"detail", "The get_limits API is not available yet."}});
    }
  }
  struct Lookup {
    std::string_view prefix;
    int kind;  // 0 endpoint, 1 legacy route, 2 traffic route
  };
  for (const Lookup& l : {Lookup{"/api/2.0/endpoints/", 0}, Lookup{"/api/3.0/gateway/endpoint/", 0},
                          Lookup{"/api/2.0/gateway/routes/", 1}, Lookup{"/api/3.0/gateway/route/", 2}}) {
    if (!starts_with(path, l.prefix)) continue;
    std::string_view raw = path.substr(l.prefix.size());
    if (!raw.empty() && raw.back() == '/' && raw.find('/') == raw.size() - 1) {
      // Starlette's redirect_slashes: /api/2.0/endpoints/x/ -> /api/2.0/endpoints/x
      co_return redirect(std::string(path.substr(0, path.size() - 1)) + query_suffix);
    }
    if (raw.empty() || raw.find('/') != std::string_view::npos) break;
    if (!is_get) co_return method_not_allowed();
    std::string name = decode_segment(raw);
    if (l.kind == 2) {
      const RouteRuntime* r = rt->route(name);
      if (!r) co_return route_not_found(name);
      co_return json_response(200, r->info);
    }
    const EndpointRuntime* ep = rt->endpoint(name);
    if (!ep) co_return l.kind == 1 ? route_not_found(name) : endpoint_not_found(name);
    co_return json_response(200, l.kind == 1 ? ep->legacy_info : ep->info);
  }
  co_return not_found();
}

}  // namespace gw
