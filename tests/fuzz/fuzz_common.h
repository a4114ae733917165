// Shared helpers for the libFuzzer targets (tests/fuzz/README.md): a reader for the small
// header some targets take from the front of the input, a check macro that aborts with a message
// (libFuzzer then saves the input as crash-<sha1>), and the provider catalogue used by the
// provider targets.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "providers/adapter.h"

namespace gw::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* what,
                              std::string_view detail) {
  std::fprintf(stderr, "\n==FUZZ CHECK FAILED== %s:%d: %s\n", file, line, what);
  if (!detail.empty()) {
    const int n = static_cast<int>(std::min<std::size_t>(detail.size(), 4000));
    std::fprintf(stderr, "%.*s\n", n, detail.data());
  }
  std::fflush(stderr);
  std::abort();
}

// FUZZ_CHECK(condition) or FUZZ_CHECK(condition, detail_string): a violated invariant is a
// finding, reported like a crash.
#define FUZZ_CHECK(cond, ...)                                                                     \
  do {                                                                                            \
    if (!(cond)) ::gw::fuzz::fail(__FILE__, __LINE__, #cond, ::gw::fuzz::detail_of(__VA_ARGS__)); \
  } while (0)

inline std::string_view detail_of() { return {}; }
inline std::string_view detail_of(std::string_view s) { return s; }

// Consumes a fixed-size header from the front of the input; reads past the end give zeros.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? static_cast<std::uint8_t>(data_[pos_++]) : 0; }
  std::uint16_t u16() {
    std::uint16_t hi = byte();
    return static_cast<std::uint16_t>((hi << 8) | byte());
  }
  std::string_view rest() const { return std::string_view(data_ + pos_, size_ - pos_); }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

inline constexpr std::int64_t kNow = 1700000000;

// Every provider the gateway implements, each with a minimal valid model.config. The first
// byte of a provider target's input indexes this list, so its order is part of the corpus
// format (make_corpus.py): the hand-written cases come first, append only. They cover the
// API-type and Bedrock-family variants that take different code paths. Every catalogue row
// (config/provider_catalogue.cpp) that is not among them follows, with a config made from the
// row's own key and base-URL fields, so a provider added to the catalogue is fuzzed without
// touching this file.
struct ProviderCase {
  std::string label;
  std::string provider;
  std::string model;
  std::string config;  // YAML flow mapping
};
inline const std::vector<ProviderCase>& providers() {
  static const std::vector<ProviderCase> all = [] {
    std::vector<ProviderCase> v = {
        {"openai", "openai", "gpt-4o-mini", "{openai_api_key: sk-test}"},
        {"azure", "openai", "gpt-4o",
         "{openai_api_type: azure, openai_api_key: az-key, openai_api_base: "
         "'https://res.openai.azure.com',"
         " openai_deployment_name: dep, openai_api_version: '2024-02-01'}"},
        {"azuread", "openai", "gpt-4o",
         "{openai_api_type: azuread, openai_api_key: ad-token, openai_api_base: "
         "'https://res.openai.azure.com',"
         " openai_deployment_name: dep, openai_api_version: '2024-02-01'}"},
        {"anthropic", "anthropic", "claude-3-5-sonnet-20241022", "{anthropic_api_key: ant-key}"},
        {"gemini", "gemini", "gemini-2.0-flash", "{gemini_api_key: gem-key}"},
        {"cohere", "cohere", "command", "{cohere_api_key: co-key}"},
        {"mistral", "mistral", "mistral-large-latest", "{mistral_api_key: mi-key}"},
        {"togetherai", "togetherai", "meta-llama/Llama-3-8b", "{togetherai_api_key: to-key}"},
        {"tgi", "huggingface-text-generation-inference", "hf-tgi",
         "{hf_server_url: 'http://tgi.test:8080'}"},
        {"model_serving", "mlflow-model-serving", "served-model",
         "{model_server_url: 'http://serving.test:5000'}"},
        {"ai21labs", "ai21labs", "j2-ultra", "{ai21labs_api_key: ai-key}"},
        {"palm", "palm", "text-bison-001", "{palm_api_key: palm-key}"},
        {"mosaicml", "mosaicml", "mpt-7b-instruct", "{mosaicml_api_key: mosaic-key}"},
        {"bedrock_anthropic", "bedrock", "anthropic.claude-3-haiku-20240307-v1:0",
         "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
         "aws_secret_access_key: SECRET}}"},
        {"bedrock_titan", "amazon-bedrock", "amazon.titan-text-express-v1",
         "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
         "aws_secret_access_key: SECRET}}"},
        {"bedrock_ai21", "bedrock", "ai21.j2-ultra-v1",
         "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
         "aws_secret_access_key: SECRET}}"},
        {"bedrock_cohere", "bedrock", "cohere.command-text-v14",
         "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
         "aws_secret_access_key: SECRET}}"},
        {"bedrock_meta", "bedrock", "meta.llama3-8b-instruct-v1:0",
         "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
         "aws_secret_access_key: SECRET}}"},
        {"bedrock_mistral", "bedrock", "mistral.mistral-7b-instruct-v0:2",
         "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
         "aws_secret_access_key: SECRET}}"},
        {"mock", "mock", "mock-model", "{response: fixed reply, dimensions: 4}"},
        {"openai_compatible", "openai-compatible", "local-model",
         "{api_base: 'http://compat.test/v1'}"},
        {"ollama", "ollama", "llama3", "{ollama_api_base: 'http://localhost:11434/v1'}"},
        {"groq", "groq", "llama-3.1-8b-instant", "{groq_api_key: gq-key}"},
        {"deepseek", "deepseek", "deepseek-chat", "{deepseek_api_key: ds-key}"},
        {"xai", "xai", "grok-2", "{xai_api_key: xai-key}"},
        {"openrouter", "openrouter", "openai/gpt-4o", "{openrouter_api_key: or-key}"},
        {"fireworks", "fireworks", "accounts/fireworks/models/llama",
         "{fireworks_api_key: fw-key}"},
    };
    for (const config::ProviderInfo& row : config::all_providers()) {
      const bool listed = std::any_of(
          v.begin(), v.end(), [&](const ProviderCase& c) { return c.provider == row.provider; });
      if (listed) continue;
      if (row.settings != config::SettingsKind::Http &&
          row.settings != config::SettingsKind::Compatible) {
        std::fprintf(stderr, "fuzz catalogue: provider '%s' needs a hand-written case\n",
                     std::string(row.provider).c_str());
        std::abort();
      }
      std::string conf = "{";
      if (!row.key_field.empty()) conf += std::string(row.key_field) + ": fuzz-key";
      if (row.default_base.empty())
        conf +=
            (conf.size() > 1 ? ", " : "") + std::string(row.base_field) + ": 'http://fuzz.test/v1'";
      conf += "}";
      v.push_back({std::string(row.provider), std::string(row.provider), "fuzz-model", conf});
    }
    return v;
  }();
  return all;
}
inline std::size_t provider_count() { return providers().size(); }

inline constexpr config::EndpointType kTypes[] = {config::EndpointType::Chat,
                                                  config::EndpointType::Completions,
                                                  config::EndpointType::Embeddings};

// The adapter for one catalogue entry and endpoint type, built as the gateway builds it (the
// config loader, then make_adapter); nullptr when the provider does not serve the type (the
// loader refuses it). Built once per (provider, type) and cached.
struct Subject {
  const ProviderCase* provider = nullptr;
  config::EndpointConfig endpoint;
  std::shared_ptr<const Adapter> adapter;
  bool openai_family = false;  // an OpenAIAdapter (openai, azure, the compatible family)
};

inline const Subject* subject(std::size_t provider_index, std::size_t type_index) {
  static const std::vector<std::optional<Subject>> all = [] {
    std::vector<std::optional<Subject>> v;
    for (const ProviderCase& p : providers()) {
      for (config::EndpointType t : kTypes) {
        std::string yaml =
            "endpoints:\n  - name: e\n    endpoint_type: " + std::string(config::to_string(t)) +
            "\n    model:\n      provider: " + p.provider + "\n      name: '" + p.model +
            "'\n      config: " + p.config + "\n";
        auto r = config::load_config_string(
            yaml, [](const std::string&) { return std::optional<std::string>(); });
        if (!r.ok()) {
          v.emplace_back();
          continue;
        }
        Subject s;
        s.provider = &p;
        s.endpoint = r.config->endpoints.at(0);
        s.adapter = make_adapter(s.endpoint);
        s.openai_family = std::holds_alternative<config::OpenAISettings>(s.endpoint.model.settings);
        v.emplace_back(std::move(s));
      }
    }
    // Every provider serves at least one type; a catalogue entry that never loads is a bug
    // in this table.
    for (std::size_t i = 0; i < provider_count(); ++i) {
      bool any = false;
      for (std::size_t t = 0; t < 3; ++t) any = any || v[i * 3 + t].has_value();
      if (!any) {
        std::fprintf(stderr, "fuzz catalogue: provider '%s' does not load\n",
                     providers()[i].label.c_str());
        std::abort();
      }
    }
    return v;
  }();
  const auto& s = all[(provider_index % provider_count()) * 3 + type_index % 3];
  return s ? &*s : nullptr;
}

// Set FUZZ_LIST_PROVIDERS=1 to print the (provider byte, type byte) pairs that load.
inline void maybe_list_providers() {
  static bool done = false;
  if (done || !std::getenv("FUZZ_LIST_PROVIDERS")) return;
  done = true;
  for (std::size_t i = 0; i < provider_count(); ++i)
    for (std::size_t t = 0; t < 3; ++t)
      if (subject(i, t))
        std::fprintf(stderr, "%zu %zu %s %s\n", i, t, providers()[i].label.c_str(),
                     std::string(config::to_string(kTypes[t])).c_str());
}

}  // namespace gw::fuzz
