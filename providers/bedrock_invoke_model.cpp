// Amazon Bedrock completions through InvokeModel (docs/providers.md, "bedrock"): the body in the
// model family's native format, chosen by substring of the model id as MLflow does, and each
// family's reply -> the unified completions response.
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
#include <algorithm>

#include "providers/bedrock_common.h"

namespace gw::bedrock {
namespace {

constexpr std::int64_t kAnthropicDefaultMaxTokens = 8192;     // MLflow's default
constexpr std::int64_t kAnthropicMaximumMaxTokens = 1000000;  // MLflow's limit
constexpr std::int64_t kBedrockAnthropicMaxTokens =
    8191;  // AWS_BEDROCK_ANTHROPIC_MAXIMUM_MAX_TOKENS

// MLflow's AnthropicAdapter.completions_to_model followed by AmazonBedrockAnthropicAdapter's
// changes: legacy Text Completions body, anthropic_version, no `model`.
Result<Json> anthropic_completions(Json payload) {
  // MLflow rejects any top_p (its temperature always has a value); docs/deviations.md: only when
  // both are set. Here a temperature still in the payload is one the client set to a non-zero
  // value.
  if (payload.contains("top_p") && payload.contains("temperature"))
    return unprocessable(
        "Cannot set both 'temperature' and 'top_p' parameters. Please use only the temperature "
        "parameter for your query.");
  const Json* max_tokens = find(payload, "max_tokens");
  std::int64_t max = kAnthropicDefaultMaxTokens;
  if (max_tokens && max_tokens->is_number_integer()) max = max_tokens->get<std::int64_t>();
  if (max > kAnthropicMaximumMaxTokens)
    return unprocessable("Invalid value for max_tokens: cannot exceed " +
                         std::to_string(kAnthropicMaximumMaxTokens) + ".");
  if (const Json* n = find(payload, "n"))
    // MLflow prints a literal '{n}' here (docs/deviations.md: format the value).
    return unprocessable("'n' must be '1' for the Anthropic provider. Received value: '" +
                         text_of(*n) + "'.");
  scale_temperature(payload, 0.5);
  Json out = Json::object();
  bool has_max = false, has_stop = false;
  for (auto& [key, value] : payload.items()) {
    if (key == "max_tokens") {
      out["max_tokens_to_sample"] = std::min(max, kBedrockAnthropicMaxTokens);
      has_max = true;
    } else if (key == "stop") {
      Json stops = value.is_array() ? std::move(value) : Json::array();
      if (std::find(stops.begin(), stops.end(), Json("\n\nHuman:")) == stops.end())
        stops.push_back("\n\nHuman:");
      out["stop_sequences"] = std::move(stops);
      has_stop = true;
    } else if (key == "prompt") {
      std::string prompt = value.is_string() ? value.get<std::string>() : std::string();
      if (prompt.rfind("Human: ", 0) == 0) prompt = "\n\n" + prompt;
      if (prompt.rfind("\n\nHuman: ", 0) != 0) prompt = "\n\nHuman: " + prompt;
      const std::string_view suffix = "\n\nAssistant:";
      if (prompt.size() < suffix.size() ||
          prompt.compare(prompt.size() - suffix.size(), suffix.size(), suffix) != 0)
        prompt += suffix;
      out["prompt"] = std::move(prompt);
    } else {
      out[key] = std::move(value);
    }
  }
  if (!has_max) out["max_tokens_to_sample"] = std::min(max, kBedrockAnthropicMaxTokens);
  if (!has_stop) out["stop_sequences"] = Json::array({"\n\nHuman:"});
  out["anthropic_version"] = "bedrock-2023-05-31";
  return out;
}

// MLflow's AWSTitanAdapter, plus top_p -> topP (Titan's name).
Result<Json> titan_completions(Json payload) {
  if (const Json* n = find(payload, "n"))
    return unprocessable("'n' must be '1' for AWS Titan models. Received value: '" + text_of(*n) +
                         "'.");
  scale_temperature(payload, 0.5);
  Json prompt = std::move(payload["prompt"]);
  payload.erase("prompt");
  return Json{{"inputText", std::move(prompt)},
              {"textGenerationConfig", renamed(std::move(payload), {{"max_tokens", "maxTokenCount"},
                                                                    {"stop", "stopSequences"},
                                                                    {"top_p", "topP"}})}};
}

// MLflow's AI21Adapter (Jurassic-2), plus top_p -> topP.
Result<Json> ai21_completions(Json payload) {
  return renamed(std::move(payload), {{"stop", "stopSequences"},
                                      {"n", "numResults"},
                                      {"max_tokens", "maxTokens"},
                                      {"top_p", "topP"}});
}

// MLflow's CohereAdapter.completions_to_model (Command generate body, without `model`).
Result<Json> cohere_completions(Json payload) {
  for (const auto& [snake, native] :
       {std::pair{"stop", "stop_sequences"}, std::pair{"n", "num_generations"}}) {
    if (payload.contains(native))
      return GatewayError::make(
          400, std::string("Invalid parameter ") + native + ". Use " + snake + " instead.");
  }
  scale_temperature(payload, 2.5);  // present only when non-zero
  return renamed(std::move(payload), {{"stop", "stop_sequences"}, {"n", "num_generations"}});
}

// Meta Llama: {prompt, temperature, top_p, max_gen_len}; one generation, no stop sequences.
Result<Json> meta_completions(Json payload) {
  if (const Json* n = find(payload, "n"))
    return unprocessable(
        "'n' must be '1' for Meta Llama models on Amazon Bedrock. Received value: '" + text_of(*n) +
        "'.");
  if (payload.contains("stop"))
    return unprocessable(
        "Meta Llama models on Amazon Bedrock do not support the 'stop' parameter.");
  scale_temperature(payload, 0.5);
  return renamed(std::move(payload), {{"max_tokens", "max_gen_len"}});
}

// Mistral AI text completion: {prompt, max_tokens, stop, temperature, top_p, top_k}.
Result<Json> mistral_completions(Json payload) {
  if (const Json* n = find(payload, "n"))
    return unprocessable(
        "'n' must be '1' for Mistral AI models on Amazon Bedrock. Received value: '" + text_of(*n) +
        "'.");
  scale_temperature(payload, 0.5);
  return payload;
}

Json usage_json(const Json& prompt, const Json& completion) {
  Json total = nullptr;
  if (prompt.is_number_integer() && completion.is_number_integer())
    total = prompt.get<std::int64_t>() + completion.get<std::int64_t>();
  return Json{{"prompt_tokens", prompt.is_number_integer() ? prompt : Json(nullptr)},
              {"completion_tokens", completion.is_number_integer() ? completion : Json(nullptr)},
              {"total_tokens", std::move(total)}};
}

struct CompletionChoice {
  Json text;
  Json finish_reason;
};

// Reads `array_key`'s elements with `read`; 502 when the array or a text is missing.
template <class Read>
Result<std::vector<CompletionChoice>> read_choices(const Json& body, const char* array_key,
                                                   Read read) {
  const Json* items = find(body, array_key);
  if (!items || !items->is_array())
    return malformed_upstream(std::string("'") + array_key + "' is missing");
  std::vector<CompletionChoice> out;
  for (const Json& item : *items) {
    CompletionChoice c = read(item);
    if (!c.text.is_string())
      return malformed_upstream(std::string("an item of '") + array_key + "' has no text");
    out.push_back(std::move(c));
  }
  return out;
}

// Titan's usage: inputTextTokenCount, and the sum of the results' tokenCount when every result
// has one.
Json titan_usage(const Json& body) {
  Json generated = nullptr;
  std::int64_t sum = 0;
  bool all = true;
  for (const Json& item : *find(body, "results")) {
    const Json* count = find(item, "tokenCount");
    if (count && count->is_number_integer()) {
      sum += count->get<std::int64_t>();
    } else {
      all = false;
    }
  }
  if (all && !find(body, "results")->empty()) generated = sum;
  return usage_json(member(body, "inputTextTokenCount"), generated);
}

// One text (and its stop reason) from a body holding a single completion.
Result<std::vector<CompletionChoice>> single_choice(const Json& body, const char* text_key,
                                                    const char* reason_key) {
  const Json* text = find(body, text_key);
  if (!text || !text->is_string())
    return malformed_upstream(std::string("'") + text_key + "' is missing");
  return std::vector<CompletionChoice>{{*text, finish_reason_of(member(body, reason_key))}};
}

// The family's choices; `usage` is filled where the family reports it (Titan, Meta).
Result<std::vector<CompletionChoice>> family_choices(Family family, const Json& body, Json& usage) {
  switch (family) {
    case Family::Anthropic:
      return single_choice(body, "completion", "stop_reason");
    case Family::Amazon: {
      auto r = read_choices(body, "results", [](const Json& item) {
        return CompletionChoice{member(item, "outputText"),
                                finish_reason_of(member(item, "completionReason"))};
      });
      if (r) usage = titan_usage(body);
      return r;
    }
    case Family::AI21:
      return read_choices(body, "completions", [](const Json& item) {
        return CompletionChoice{member(member(item, "data"), "text"),
                                finish_reason_of(member(member(item, "finishReason"), "reason"))};
      });
    case Family::Cohere:
      return read_choices(body, "generations", [](const Json& item) {
        return CompletionChoice{member(item, "text"),
                                finish_reason_of(member(item, "finish_reason"))};
      });
    case Family::Meta: {
      auto r = single_choice(body, "generation", "stop_reason");
      if (r)
        usage =
            usage_json(member(body, "prompt_token_count"), member(body, "generation_token_count"));
      return r;
    }
    case Family::Mistral:
      return read_choices(body, "outputs", [](const Json& item) {
        return CompletionChoice{member(item, "text"),
                                finish_reason_of(member(item, "stop_reason"))};
      });
  }
  return malformed_upstream("unknown model family");
}

}  // namespace

Result<Json> invoke_model_body(Family family, Json payload) {
  switch (family) {
    case Family::Anthropic:
      return anthropic_completions(std::move(payload));
    case Family::Amazon:
      return titan_completions(std::move(payload));
    case Family::AI21:
      return ai21_completions(std::move(payload));
    case Family::Cohere:
      return cohere_completions(std::move(payload));
    case Family::Meta:
      return meta_completions(std::move(payload));
    case Family::Mistral:
      return mistral_completions(std::move(payload));
  }
  return unprocessable("Unknown Amazon Bedrock model type None");
}

Result<Json> completions_to_unified(Family family, const Json& body, const Json& model,
                                    std::int64_t now) {
  if (!body.is_object()) return malformed_upstream("the body is not a JSON object");
  Json usage = usage_json(nullptr, nullptr);
  auto choices = family_choices(family, body, usage);
  if (!choices) return choices.take_error();
  Json out;
  out["id"] = nullptr;
  out["object"] = "text_completion";
  out["created"] = now;
  out["model"] = model;
  Json list = Json::array();
  int index = 0;
  for (auto& c : *choices)
    list.push_back(Json{{"index", index++},
                        {"text", std::move(c.text)},
                        {"finish_reason", std::move(c.finish_reason)}});
  out["choices"] = std::move(list);
  out["usage"] = std::move(usage);
  return out;
}

}  // namespace gw::bedrock
