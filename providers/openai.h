// OpenAI and Azure OpenAI (docs/mlflow-compatibility.md §6.1): api types `openai`, `azure`,
// `azuread`.
#pragma once

#include "providers/adapter.h"

namespace gw {

class OpenAIAdapter final : public Adapter {
 public:
  OpenAIAdapter(config::OpenAISettings settings, std::optional<std::string> model_name);

  std::string_view display_name() const override { return "OpenAI"; }
  Result<Call> prepare(const RequestContext& ctx, Json payload) const override;
  std::optional<UpstreamRequest> prepare_serialized(const RequestContext& ctx,
                                                    std::string payload) const override;
  std::unique_ptr<StreamTranslator> stream_translator(const RequestContext& ctx,
                                                      bool client_wants_usage) const override;
  // 2xx JSON replies take the simdjson fast path (fast_path.h), identical output.
  Result<std::string> reply_text(const RequestContext& ctx,
                                 const UpstreamReply& reply) const override;

 protected:
  Result<Json> translate(const RequestContext& ctx, Json body) const override;

 private:
  config::OpenAISettings settings_;
  std::optional<std::string> model_name_;
  std::string base_url_;  // with deployment path and api-version query already applied
  UpstreamRequest request_with_body(const RequestContext& ctx, std::string payload) const;

  std::string model_prefix_;  // "\"model\":\"<name>\"", serialised once
};

// The chunk translator of OpenAI-shaped streams (nullptr for embeddings). `fast`: try the
// simdjson path first (tests turn it off to compare against the reference).
std::unique_ptr<StreamTranslator> make_openai_stream_translator(config::EndpointType type,
                                                                std::int64_t now,
                                                                bool client_wants_usage,
                                                                bool fast = true);

// A stream chunk's choices[i].delta.tool_calls in the unified delta shape (index, id, type,
// function{name, arguments}, nulls kept), or null when the delta has none.
Json openai_delta_tool_calls(const Json& delta);

// Shared by adapters whose upstream answers in OpenAI's shapes (later: the compatible family).
Result<Json> openai_chat_to_unified(Json body, std::int64_t now);
Result<Json> openai_completions_to_unified(Json body, std::int64_t now);
Result<Json> openai_embeddings_to_unified(Json body);

}  // namespace gw
