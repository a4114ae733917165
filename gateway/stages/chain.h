// The resilience stage (docs/resilience.md): runs one invocation as a chain of attempts. The
// resolved endpoint is tried first, with its own `retries`; then each of its `fallbacks` in
// order, each with its own retries (their fallbacks are not followed). Every attempt is
// admitted against its endpoint's rate limit and circuit breaker. The endpoint's total timeout
// bounds the whole chain, backoff sleeps included. A stream fails over only until its first
// byte went to the client.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "gateway/runtime.h"
#include "gateway/stages/context.h"

namespace gw {

// The validated request body, ready for any endpoint of the chain: the fast path's compact
// serialised payload (fast_path.h) or the reference path's validated Json.
class Payload {
 public:
  static Payload serialized(std::string text, bool stream);
  static Payload parsed(Json json, bool stream);

  bool stream() const { return stream_; }
  // The adapter's call for `ep`. `again`: the payload is needed for another endpoint later
  // (else it may be moved out).
  Result<Call> prepare(const EndpointRuntime& ep, const RequestContext& ctx, bool again);
  // The Json form (parsed from the serialised form when first asked).
  const Json& json();

 private:
  std::optional<std::string> text_;
  Json json_;
  bool stream_ = false;
};

// The answer to the client: the first attempt that succeeded, else the last failure, with a
// summary of the attempts in its body when more than one was made (or an endpoint skipped).
boost::asio::awaitable<ApiResponse> run_chain(const EndpointRuntime& primary, Payload payload,
                                              Invocation& inv, Services& s);

// X-RateLimit-Limit-Tokens, -Remaining-Tokens and -Reset-Tokens of the tightest token limit
// (docs/access-and-budgets.md), when one applies.
void add_token_headers(std::vector<std::pair<std::string, std::string>>& headers,
                       const Invocation& inv);

// X-Gateway-Endpoint, X-Gateway-Attempts, X-MLflow-Gateway-Duration-Ms and
// X-MLflow-Gateway-Overhead-Duration-Ms for the invocation so far.
void add_gateway_headers(std::vector<std::pair<std::string, std::string>>& headers,
                         const Invocation& inv);

// "chat:503:status,chat-b:200:ok": every attempt, for the access log ("" when none).
std::string attempts_text(const Invocation& inv);

// The JSON access log's facts about the invocation (nullopt when no endpoint was resolved).
std::optional<InvocationFacts> invocation_facts(const Invocation& inv);

}  // namespace gw
