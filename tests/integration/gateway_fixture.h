// Runs the real gateway Server in-process on a free port against a FakeUpstream.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/server.h"
#include "providers/json.h"
#include "support/fake_upstream.h"
#include "support/test_cert.h"
#include "support/test_client.h"

namespace gw::test {

inline std::unique_ptr<Server> start_gateway(const std::string& yaml, ServerOptions opts = {}) {
  std::map<std::string, std::string> env{{"TEST_OPENAI_KEY", "sk-test-secret-123"}};
  auto loaded =
      config::load_config_string(yaml, [env](const std::string& k) -> std::optional<std::string> {
        auto it = env.find(k);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  if (!loaded.ok()) {
    std::string all;
    for (const auto& e : loaded.errors) all += e.to_string() + "\n";
    ADD_FAILURE() << "config invalid:\n" << all;
    return nullptr;
  }
  opts.host = "127.0.0.1";
  opts.port = 0;
  opts.handle_signals = false;
  if (opts.upstream.ca_file.empty()) opts.upstream.ca_file = test_cert().cert_file;
  auto runtime = std::make_shared<RuntimeHolder>(std::make_shared<const Runtime>(*loaded.config));
  auto server = std::make_unique<Server>(opts, runtime);
  server->start();
  return server;
}

// One OpenAI endpoint per type against `base` (chat, completions, embeddings), plus mock.
// An OpenAI chat endpoint `name` whose API base is `api_base` (e.g. "<fake>/v1"), then `keys`
// (YAML lines indented four spaces).
inline std::string openai_chat_endpoint(const std::string& name, const std::string& api_base,
                                        const std::string& keys = "") {
  return "  - name: " + name +
         "\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model:\n"
         "      provider: openai\n"
         "      name: gpt-4o-mini\n"
         "      config: {openai_api_key: $TEST_OPENAI_KEY, openai_api_base: '" +
         api_base + "'}\n" + keys;
}

inline std::string openai_config(const std::string& base, const std::string& extra = "") {
  return "endpoints:\n"
         "  - name: chat\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model:\n"
         "      provider: openai\n"
         "      name: gpt-4o-mini\n"
         "      config:\n"
         "        openai_api_key: $TEST_OPENAI_KEY\n"
         "        openai_api_base: " +
         base +
         "/v1\n"
         "  - name: completions\n"
         "    endpoint_type: llm/v1/completions\n"
         "    model:\n"
         "      provider: openai\n"
         "      name: gpt-3.5-turbo-instruct\n"
         "      config:\n"
         "        openai_api_key: $TEST_OPENAI_KEY\n"
         "        openai_api_base: " +
         base +
         "/v1\n"
         "  - name: embeddings\n"
         "    endpoint_type: llm/v1/embeddings\n"
         "    model:\n"
         "      provider: openai\n"
         "      name: text-embedding-3-small\n"
         "      config:\n"
         "        openai_api_key: $TEST_OPENAI_KEY\n"
         "        openai_api_base: " +
         base +
         "/v1\n"
         "  - name: mock-chat\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model:\n"
         "      provider: mock\n" +
         extra;
}

inline Json parse(const std::string& s) { return Json::parse(s, nullptr, false); }

// OpenAI's documented chat.completion response.
inline const char* kChatReply = R"({
  "id": "chatcmpl-123", "object": "chat.completion", "created": 1677652288,
  "model": "gpt-4o-mini-2024-07-18", "system_fingerprint": "fp_44709d6fcb",
  "choices": [{"index": 0, "message": {"role": "assistant",
    "content": "Hello there, how may I assist you today?"}, "logprobs": null,
    "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}})";

}  // namespace gw::test
