// The awaiting half of the access and spend stages (stages/access.h): admission against the
// ledger, charging a completed invocation, budget alerts, and the usage report.
#include <boost/asio.hpp>

#include "gateway/access_log.h"
#include "gateway/accounting.h"
#include "gateway/ledger.h"
#include "gateway/limiter.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "gateway/stages/access.h"
#include "gateway/stages/admit.h"
#include "gateway/upstream_client.h"

namespace gw {

namespace net = boost::asio;
using accounting::Span;
using config::BudgetPeriod;

namespace {

// The answer when the ledger cannot be reached: admitted, or 503 when failing closed.
std::optional<ApiResponse> store_down(const Invocation& inv, const Services& s) {
  if (!s.fail_closed) return std::nullopt;
  return render_error(GatewayError::make(503,
                                         "Token limits and budgets are unavailable: their store "
                                         "cannot be reached",
                                         "server_error", "rate_limit_store_unavailable"),
                      inv.family);
}

// Checks `meters` against the ledger; keeps the tightest token headroom in inv.tokens.
net::awaitable<std::optional<ApiResponse>> check_meters(const std::vector<Meter>& meters,
                                                        Invocation& inv, Services& s) {
  if (meters.empty() || !s.ledger) co_return std::nullopt;
  const auto values = co_await s.ledger->read([&] {
    std::vector<std::string> keys;
    for (const auto& m : meters) keys.push_back(m.counter);
    return keys;
  }());
  if (!values) co_return store_down(inv, s);
  const std::int64_t now = s.now_seconds();
  if (auto refused = refusal(meters, *values, inv.family, now)) co_return refused;
  if (auto room = headroom(meters, *values, now)) {
    if (!inv.tokens || room->remaining < inv.tokens->remaining) inv.tokens = room;
  }
  co_return std::nullopt;
}

}  // namespace

net::awaitable<std::optional<ApiResponse>> admit_caller(const Runtime& rt, Invocation& inv,
                                                        Services& s) {
  const ClientKey* key = inv.caller;
  // Token limits and budgets first: they only read, so a refusal there spends no call.
  const MeterList meters = cached_caller_meters(rt, key, s.now_seconds());
  if (auto refused = co_await check_meters(*meters, inv, s)) {
    if (key && s.metrics) s.metrics->record_key_refusal(key->config.name);
    co_return refused;
  }
  if (!key || !key->config.limit) co_return std::nullopt;
  // The key's calls limit: one counter per key, across all its endpoints.
  const auto decision =
      co_await s.limiter.hit(key->limit_prefix, std::string_view(), *key->config.limit, s.clock());
  if (!decision)
    co_return admission_response(decision, *key->config.limit, inv.family, s.fail_closed);
  if (decision->allowed) co_return std::nullopt;
  if (s.metrics) s.metrics->record_key_refusal(key->config.name);
  ApiResponse r = render_rate_limited(
      "Rate limit exceeded for key '" + key->config.name + "': " + key->config.limit->describe(),
      inv.family);
  add_limit_headers(r, decision);
  co_return r;
}

net::awaitable<std::optional<ApiResponse>> admit_endpoint_usage(const EndpointRuntime& ep,
                                                                Invocation& inv, Services& s) {
  if (ep.config.tokens.empty() && !ep.config.budget) co_return std::nullopt;
  const MeterList meters = cached_endpoint_meters(ep, s.now_seconds());
  co_return co_await check_meters(*meters, inv, s);
}

namespace {

// The tokens of an answer: the provider's usage, else an estimate (UTF-8 bytes / 4) of the
// request body and the answer's text, marked in the access log.
std::pair<std::int64_t, std::int64_t> tokens_of(const Invocation& inv, ApiResponse& r) {
  auto [in, out] = usage_tokens(r);
  const bool embeddings = inv.answered->config.type == config::EndpointType::Embeddings;
  if (embeddings && in >= 0 && out < 0) out = 0;  // embeddings have no output tokens
  if (in >= 0 && out >= 0) return {in, out};
  if (in < 0) in = accounting::estimate_tokens(inv.request.body.size());
  if (out < 0)
    out = embeddings ? 0 : accounting::estimate_tokens(r.streamed ? r.text_bytes : r.body.size());
  if (r.invocation) {
    r.invocation->tokens_estimated = true;
    r.invocation->estimated_in = in;
    r.invocation->estimated_out = out;
  }
  return {in, out};
}

// The budget-alert payload POSTed to `budgets.alert_webhook`.
std::string alert_body(const Meter& m, int percent, std::int64_t spent) {
  Json budget{{"scope", m.scope == 'k'   ? "key"
                        : m.scope == 'e' ? "endpoint"
                                         : "global"},
              {"usd", accounting::usd_value(m.limit)},
              {"usd_micros", m.limit},
              {"period", std::string(m.per)},
              {"on_exceed", accounting::on_exceed_name(m.on_exceed)},
              {"resets_at", accounting::utc_text(m.resets_at)}};
  if (m.scope != 'g') budget["name"] = m.name;
  return to_text(
      Json{{"type", "budget_threshold"},
           {"threshold_percent", percent},
           {"budget", std::move(budget)},
           {"spent_usd", accounting::usd_value(spent)},
           {"spent_usd_micros", spent},
           {"message", m.who() + " reached " + std::to_string(percent) + " % of " +
                           accounting::usd_text(m.limit) + " USD per " + std::string(m.per)}});
}

// POSTs one alert, retried with back-off (0.5, 1, 2 s); never on the request path. The URL
// may hold a token: it is not logged.
net::awaitable<void> post_alert(UpstreamClient& upstream, std::string url, std::string body) {
  constexpr int kTries = 4;
  for (int i = 0; i < kTries; ++i) {
    if (i > 0) {
      net::steady_timer wait(co_await net::this_coro::executor,
                             std::chrono::milliseconds(500 << (i - 1)));
      co_await wait.async_wait(net::as_tuple(net::use_awaitable));
    }
    UpstreamRequest request;
    request.url = url;
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    auto reply =
        co_await upstream.send(request, "budget alert webhook",
                               CallTimeouts{std::chrono::seconds(5), std::chrono::seconds(10)});
    if (reply && reply->status >= 200 && reply->status < 300) co_return;
    log::warn("budget alert webhook: attempt " + std::to_string(i + 1) + " of " +
              std::to_string(kTries) + " failed: " +
              (reply ? "status " + std::to_string(reply->status) : reply.error().message()));
  }
  log::error("budget alert webhook: the alert was not delivered after " + std::to_string(kTries) +
             " attempts");
}

// The usage-report rows of one answered invocation: its day, week and month.
std::vector<UsageAdd> usage_rows(const std::string& key, const std::string& endpoint,
                                 std::int64_t in, std::int64_t out, config::MicroUsd usd,
                                 std::int64_t now) {
  std::vector<UsageAdd> rows;
  for (const BudgetPeriod p : {BudgetPeriod::Day, BudgetPeriod::Week, BudgetPeriod::Month}) {
    const Span span = accounting::calendar(p, now);
    // Kept through the next period, which reports it as `previous`.
    const std::int64_t keep = span.end + (span.end - span.start) + 86'400 * 31;
    rows.push_back(UsageAdd{accounting::usage_bucket(p, span.index), key, endpoint, 1, in, out, usd,
                            keep * 1000});
  }
  return rows;
}

struct Charge {
  std::vector<Meter> budgets;  // the spend meters, in the order of their counters
  std::vector<CounterAdd> counters;
  std::vector<UsageAdd> usage;
  std::optional<std::string> webhook;
};

net::awaitable<void> apply(Charge c, Services& s) {
  const auto values = co_await s.ledger->add(c.counters, c.usage);
  if (!values) co_return;
  // The spend counters come first: budgets[i] is counters[i].
  for (std::size_t i = 0; i < c.budgets.size() && i < values->size(); ++i) {
    const std::int64_t after = (*values)[i];
    const std::int64_t before = after - c.counters[i].amount;
    for (const int percent : accounting::crossings(before, after, c.budgets[i].limit)) {
      log::warn("budget alert: " + c.budgets[i].who() + " reached " + std::to_string(percent) +
                " % (" + accounting::usd_text(after) + " of " +
                accounting::usd_text(c.budgets[i].limit) + " USD per " +
                std::string(c.budgets[i].per) + ")");
      if (!c.webhook) continue;
      net::co_spawn(co_await net::this_coro::executor,
                    post_alert(s.upstream, *c.webhook, alert_body(c.budgets[i], percent, after)),
                    net::detached);
    }
  }
}

}  // namespace

net::awaitable<void> charge(const Runtime& rt, const Invocation& inv, ApiResponse& r, Services& s) {
  // Only an answer is charged: a refusal or a failure used no tokens.
  if (!s.ledger || !inv.answered || (r.status >= 400 && !r.streamed)) co_return;
  const EndpointRuntime& ep = *inv.answered;
  const auto [in, out] = tokens_of(inv, r);
  const config::MicroUsd usd = ep.config.cost ? accounting::cost(in, out, *ep.config.cost) : 0;
  const std::int64_t now = s.now_seconds();
  // The counters of the windows current now (a long stream whose admission window has ended
  // is charged in the one its limits now gate); the snapshot's caches build their keys once per
  // window.
  const MeterList caller_list = cached_caller_meters(rt, inv.caller, now);
  const MeterList endpoint_list = cached_endpoint_meters(ep, now);
  const std::vector<Meter>& caller = *caller_list;
  const std::vector<Meter>& endpoint = *endpoint_list;
  Charge c;
  for (const auto* meters : {&caller, &endpoint}) {
    for (const auto& m : *meters) {  // spend counters first (their new values decide alerts)
      if (!m.spend) continue;
      c.counters.push_back(CounterAdd{m.counter, usd, m.expires_at_ms});
      c.budgets.push_back(m);
    }
  }
  for (const auto* meters : {&caller, &endpoint})
    for (const auto& m : *meters)
      if (!m.spend) c.counters.push_back(CounterAdd{m.counter, in + out, m.expires_at_ms});
  c.usage =
      usage_rows(inv.caller ? inv.caller->config.name : "", ep.config.name, in, out, usd, now);
  c.webhook = rt.budgets().alert_webhook;
  if (s.metrics && inv.caller) s.metrics->record_key_usage(inv.caller->config.name, in, out, usd);
  // A remote store is charged detached: the client's answer does not wait for a round trip.
  // Memory is charged in place (it never suspends: no coroutine frame to spawn, no post).
  if (s.ledger->local()) {
    co_await apply(std::move(c), s);
  } else {
    net::co_spawn(co_await net::this_coro::executor, apply(std::move(c), s), net::detached);
  }
}

namespace {

Json row_json(const UsageRow& row) {
  return Json{{"key", row.key_name.empty() ? Json(nullptr) : Json(row.key_name)},
              {"endpoint", row.endpoint},
              {"requests", row.requests},
              {"input_tokens", row.input_tokens},
              {"output_tokens", row.output_tokens},
              {"usd", accounting::usd_value(row.usd)},
              {"usd_micros", row.usd}};
}

// One period of the report: its span, the rows that pass the filters, and their total.
Json period_json(const Span& span, const std::vector<UsageRow>& rows, const std::string& key,
                 const std::string& endpoint) {
  Json list = Json::array();
  UsageRow total;
  for (const auto& row : rows) {
    if (!key.empty() && row.key_name != key) continue;
    if (!endpoint.empty() && row.endpoint != endpoint) continue;
    list.push_back(row_json(row));
    total.requests += row.requests;
    total.input_tokens += row.input_tokens;
    total.output_tokens += row.output_tokens;
    total.usd += row.usd;
  }
  Json t = row_json(total);
  t.erase("key");
  t.erase("endpoint");
  return Json{{"start", accounting::utc_text(span.start)},
              {"end", accounting::utc_text(span.end)},
              {"usage", std::move(list)},
              {"total", std::move(t)}};
}

}  // namespace

net::awaitable<ApiResponse> usage_report(const Runtime& rt, const ClientKey* caller,
                                         std::string_view query, Services& s) {
  const std::string period_text = query_param(query, "period");
  const auto period = accounting::parse_period(period_text.empty() ? "month" : period_text);
  if (!period) {
    co_return render_error(
        GatewayError::make(400, "Invalid period '" + period_text + "': use day, week or month"),
        PathFamily::Mlflow);
  }
  std::string key = query_param(query, "key");
  const std::string endpoint = query_param(query, "endpoint");
  if (rt.access() && caller && !caller->config.admin) {
    // A key sees its own usage only; an admin key sees everyone's.
    if (!key.empty() && key != caller->config.name) {
      co_return render_error(GatewayError::make(403,
                                                "This API key may see only its own usage (an "
                                                "admin key sees every key's)",
                                                "permission_error", "usage_not_allowed"),
                             PathFamily::Mlflow);
    }
    key = caller->config.name;
  }
  const Span current = accounting::calendar(*period, s.now_seconds());
  const Span before = accounting::previous(*period, current);
  std::optional<std::vector<UsageRow>> now_rows, old_rows;
  if (s.ledger) {
    now_rows = co_await s.ledger->usage(accounting::usage_bucket(*period, current.index));
    old_rows = co_await s.ledger->usage(accounting::usage_bucket(*period, before.index));
  }
  if (!now_rows || !old_rows) {
    co_return render_error(GatewayError::make(503, "The usage store cannot be reached"),
                           PathFamily::Mlflow);
  }
  Json filters{{"key", key.empty() ? Json(nullptr) : Json(key)},
               {"endpoint", endpoint.empty() ? Json(nullptr) : Json(endpoint)}};
  co_return json_response(200, Json{{"period", std::string(accounting::period_name(*period))},
                                    {"filters", std::move(filters)},
                                    {"current", period_json(current, *now_rows, key, endpoint)},
                                    {"previous", period_json(before, *old_rows, key, endpoint)}});
}

}  // namespace gw
