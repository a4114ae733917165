// The access and spend stages of an invocation (docs/access-and-budgets.md):
// - authenticate: which client key sent the request (`auth.keys`), 401 without a valid one;
// - authorise: whether the key may use the endpoint or route it names, 403 otherwise (the same
//   answer whether or not the name exists);
// - admit: the key's calls limit, then every token limit and budget that applies (key,
//   endpoint, global), read from the worker's Ledger; 429 naming the limit that was hit;
// - charge: once the response is complete, its tokens (the provider's usage, else an estimate)
//   and its cost are added to every counter and to the usage report, and budget thresholds
//   crossed (80 %, 100 %) are announced through the alert webhook.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/errors_http.h"
#include "gateway/http_types.h"
#include "gateway/ledger.h"
#include "gateway/runtime.h"
#include "gateway/stages/context.h"

namespace gw {

// ---- authentication (pure) ---------------------------------------------------------------

// The key the request presents: the configured header (for Authorization, "Bearer <key>"),
// else X-API-Key. Empty when none.
std::string_view presented_key(const AccessRuntime& access, const ApiRequest& request);
// The client key whose digest matches `key`, compared in constant time against every key
// (no early exit). nullptr when none matches.
const ClientKey* match_key(const AccessRuntime& access, std::string_view key);
// 401 with `WWW-Authenticate: Bearer` (OpenAI's `invalid_api_key` on /v1).
ApiResponse unauthenticated(PathFamily family, bool presented);
// 403: the key may not use the endpoint (the same answer whether it exists or not).
ApiResponse forbidden(PathFamily family);

// ---- limits and budgets (pure) -------------------------------------------------------------

// The token limits and budgets of a client key, and the global budget (`key` may be null).
std::vector<Meter> caller_meters(const ClientKey* key, const config::BudgetsConfig& budgets,
                                 std::int64_t now);
// The token limits and budget of an endpoint.
std::vector<Meter> endpoint_meters(const EndpointRuntime& ep, std::int64_t now);
// The same two, from the snapshot's caches (built once per window, shared by the requests).
MeterList cached_caller_meters(const Runtime& rt, const ClientKey* key, std::int64_t now);
MeterList cached_endpoint_meters(const EndpointRuntime& ep, std::int64_t now);

// The 429 for the first meter whose counter reached its limit (a budget only when it rejects),
// nullopt when every one has room. Token limits carry Retry-After, X-RateLimit-Limit-Tokens,
// X-RateLimit-Remaining-Tokens and X-RateLimit-Reset-Tokens; a budget's body names it and when
// it resets.
std::optional<ApiResponse> refusal(const std::vector<Meter>& meters,
                                   const std::vector<std::int64_t>& values, PathFamily family,
                                   std::int64_t now);

// The token headroom shown on an admitted response: the token meter with the least room.
std::optional<TokenHeadroom> headroom(const std::vector<Meter>& meters,
                                      const std::vector<std::int64_t>& values, std::int64_t now);

// ---- the stages ----------------------------------------------------------------------------

// Admits the invocation for its caller (inv.caller): the key's calls limit, then the key's and
// the global token limits and budgets. The response when it is refused.
boost::asio::awaitable<std::optional<ApiResponse>> admit_caller(const Runtime& rt, Invocation& inv,
                                                                Services& s);
// Admits one endpoint of the chain: its token limits and budget.
boost::asio::awaitable<std::optional<ApiResponse>> admit_endpoint_usage(const EndpointRuntime& ep,
                                                                        Invocation& inv,
                                                                        Services& s);
// Charges a completed invocation (its answer `r`): tokens, spend and the usage report. The
// ledger is updated detached from the response (which never waits for the store, nor fails
// because of it); an estimate of the tokens is marked in r.invocation for the access log.
boost::asio::awaitable<void> charge(const Runtime& rt, const Invocation& inv, ApiResponse& r,
                                    Services& s);

// GET /api/2.0/gateway/usage?key=&endpoint=&period=day|week|month.
boost::asio::awaitable<ApiResponse> usage_report(const Runtime& rt, const ClientKey* caller,
                                                 std::string_view query, Services& s);

}  // namespace gw
