// What the parts of the Amazon Bedrock adapter share (internal to providers/): the model family
// of a model id, JSON accessors that never throw, and the entry points of each part:
//   bedrock.cpp                  the adapter: URLs, request headers, dispatch by endpoint type
//   bedrock_invoke_model.cpp     completions: InvokeModel bodies per model family and replies
//   bedrock_converse.cpp         chat: Converse body and reply
//   bedrock_converse_stream.cpp  streaming chat: ConverseStream events -> unified chunks
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "providers/adapter.h"
#include "providers/upstream_reply.h"

namespace gw::bedrock {

enum class Family { Amazon, Cohere, AI21, Anthropic, Meta, Mistral };

// MLflow's AmazonBedrockModelProvider.of_str: the first family whose name occurs in the lower-cased
// model id (which must contain a '.'), in MLflow's order, then the two families added here.
std::optional<Family> family_of(const std::optional<std::string>& model);

// obj[key] when obj is an object holding key, else nullptr (never throws).
const Json* find(const Json& obj, std::string_view key);
// obj[key], or a null value when absent; a reference (into obj or to a static null), so chains
// such as member(member(body, "output"), "message") neither copy nor dangle.
const Json& member(const Json& obj, std::string_view key);
bool is_true(const Json& obj, std::string_view key);
// A JSON value as message text: strings unquoted, anything else serialised ("2" for 2).
std::string text_of(const Json& v);
GatewayError unprocessable(std::string message);
// Moves every member of `in` into a new object, renaming keys per `renames`.
Json renamed(Json in, std::initializer_list<std::pair<std::string_view, std::string_view>> renames);
// Multiplies payload["temperature"] by `factor` when present.
void scale_temperature(Json& payload, double factor);
// A family's (or Converse's) stop reason -> the unified finish_reason (unknown values pass
// through unchanged).
Json finish_reason_of(const Json& reason);

// bedrock_invoke_model.cpp
Result<Json> invoke_model_body(Family family, Json payload);
Result<Json> completions_to_unified(Family family, const Json& body, const Json& model,
                                    std::int64_t now);
// bedrock_converse.cpp
Result<Json> converse_body(Json payload);
Result<Json> converse_to_unified(const Json& body, const Json& model, std::int64_t now);
// bedrock_converse_stream.cpp
std::unique_ptr<StreamTranslator> make_converse_stream_translator(Json model, std::int64_t now,
                                                                  bool wants_usage);

}  // namespace gw::bedrock
