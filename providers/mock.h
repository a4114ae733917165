// The built-in `mock` provider (not an MLflow provider; docs/providers.md, "mock"): no network,
// deterministic replies for chat, completions and embeddings, so the example config runs
// offline and client code can be tested against the gateway.
//
// Behaviour (documented in docs/providers.md):
// * chat: the reply is `response` from the config, else "Mock response to: <last user text>";
// * completions: the same with the prompt;
// * `max_tokens` truncates the reply to that many words, finish_reason "length" (else "stop");
// * `n` choices, all identical (at most kMaxChoices, else 422); usage counts whitespace-separated
//   words;
// * `stream: true` (chat, completions): the same reply, one chunk per word (choice 0);
// * embeddings: one unit vector of `dimensions` floats per input (base64 float32 when the client
//   asks for encoding_format "base64", as OpenAI SDKs do by default), derived from a hash of the
//   input, so the same text always embeds to the same vector.
#pragma once

#include "providers/adapter.h"

namespace gw {

class MockAdapter final : public Adapter {
 public:
  static constexpr std::int64_t kMaxChoices = 128;  // OpenAI's limit for `n`

  MockAdapter(config::MockSettings settings, std::optional<std::string> model_name);

  std::string_view display_name() const override { return "Mock"; }
  Result<Call> prepare(const RequestContext& ctx, Json payload) const override;

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override;

 private:
  Json chat(const RequestContext& ctx, const Json& payload) const;
  Json completions(const RequestContext& ctx, const Json& payload) const;
  Json embeddings(const Json& payload) const;
  LocalStream stream(const RequestContext& ctx, const Json& payload) const;

  config::MockSettings settings_;
  std::string model_;
};

}  // namespace gw
