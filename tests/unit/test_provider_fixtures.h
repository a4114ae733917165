// Shared helpers for the provider translation tests: build an adapter from YAML exactly as the
// gateway does (config loader + make_adapter), run prepare() on a client body, and feed an
// upstream reply or stream through the adapter's public interface.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "fixture_file.h"
#include "providers/adapter.h"
#include "providers/schema.h"
#include "providers/wire/sse.h"
#include "providers/wire/stream_decoder.h"
#include "providers/stream_pump.h"

namespace gw::testing {

inline constexpr std::int64_t kNow = 1700000000;

// One endpoint named "e" of `type` ("llm/v1/chat"...) with `provider`, model `model` and
// model.config `config_yaml` (a YAML flow mapping, e.g. "{anthropic_api_key: k}").
inline config::EndpointConfig endpoint(const std::string& type, const std::string& provider,
                                       const std::string& model, const std::string& config_yaml) {
  std::string yaml = "endpoints:\n  - name: e\n    endpoint_type: " + type +
                     "\n    model:\n      provider: " + provider + "\n      name: " + model +
                     "\n      config: " + config_yaml + "\n";
  auto r = config::load_config_string(yaml, [](const std::string&) { return std::nullopt; });
  if (!r.ok()) {
    std::string all;
    for (const auto& e : r.errors) all += e.to_string() + "\n";
    ADD_FAILURE() << "config did not load:\n" << all;
    return {};
  }
  return r.config->endpoints.at(0);
}

inline config::EndpointType type_of(const std::string& type) {
  return *config::parse_endpoint_type(type);
}

// The adapter plus the request context used by the helpers below.
struct Subject {
  std::shared_ptr<const Adapter> adapter;
  RequestContext ctx;
};

inline Subject subject(const std::string& type, const std::string& provider,
                       const std::string& model, const std::string& config_yaml) {
  return Subject{make_adapter(endpoint(type, provider, model, config_yaml)),
                 RequestContext{type_of(type), kNow}};
}

// Client body -> validated payload (schema defaults applied, as the gateway does) -> prepare().
inline Result<Call> prepare(const Subject& s, const std::string& client_body) {
  auto validated = validate_request(s.ctx.type, Json::parse(client_body));
  if (!validated) return validated.take_error();
  return s.adapter->prepare(s.ctx, std::move(validated->payload));
}

// prepare() that must produce an upstream request.
inline UpstreamRequest upstream_request(const Subject& s, const std::string& client_body) {
  auto call = prepare(s, client_body);
  if (!call) {
    ADD_FAILURE() << "prepare failed: " << call.error().status << " " << call.error().message();
    return {};
  }
  auto* req = std::get_if<UpstreamRequest>(&*call);
  if (!req) {
    ADD_FAILURE() << "prepare did not produce an upstream request";
    return {};
  }
  return *req;
}

inline std::string header(const UpstreamRequest& req, const std::string& name) {
  for (const auto& [k, v] : req.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return v;
  }
  return "<absent>";
}

// An upstream reply through parse_reply().
inline Result<Json> reply(const Subject& s, int status, const std::string& body,
                          const std::string& content_type = "application/json") {
  return s.adapter->parse_reply(s.ctx, UpstreamReply{status, content_type, body});
}

// A whole upstream stream (raw bytes in the provider's framing) through the decoder and the
// translator, fed one byte at a time when `bytewise`. Returns the chunks; an error ends it.
struct StreamOutcome {
  std::vector<Json> chunks;
  std::optional<GatewayError> error;
  bool finished = false;
};
inline StreamOutcome run_stream(const Subject& s, const std::string& bytes,
                                bool wants_usage = false, bool bytewise = false) {
  StreamOutcome out;
  auto translator = s.adapter->stream_translator(s.ctx, wants_usage);
  if (!translator) {
    ADD_FAILURE() << "no stream translator";
    return out;
  }
  auto decoder = make_stream_decoder(s.adapter->stream_framing());
  const std::size_t step = bytewise ? 1 : bytes.size();
  // The bytes, then the end of the body, through the gateway's own pump.
  for (std::size_t i = 0; i <= bytes.size(); i += step) {
    const bool at_eof = i == bytes.size();
    PumpStep pumped =
        pump_stream(*decoder, *translator,
                    at_eof ? std::string_view() : std::string_view(bytes).substr(i, step), at_eof);
    for (const auto& c : pumped.chunks) out.chunks.push_back(Json::parse(c));
    if (pumped.failure) {
      out.error = std::move(pumped.failure);
      break;
    }
    if (translator->finished() || step == 0) break;
  }
  out.finished = translator->finished() || translator->complete_at_eof();
  return out;
}

// ---- helpers every provider test uses -----------------------------------------------------

// A file under tests/fixtures/ (e.g. "gemini/chat_response.json"), byte for byte.
inline std::string fixture(const std::string& path) { return fixtures::read(path); }

// The upstream body, which must be compact JSON equal (key order included) to `expected`.
inline void expect_body(const UpstreamRequest& req, const std::string& expected) {
  EXPECT_EQ(req.body, to_text(Json::parse(expected)));
}

// prepare() must have failed with exactly this status and text.
inline void expect_error(const Result<Call>& call, int status, const std::string& message) {
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().status, status);
  EXPECT_EQ(call.error().message(), message);
}

// Stream chunks as compact JSON texts.
inline std::vector<std::string> texts(const std::vector<Json>& chunks) {
  std::vector<std::string> out;
  for (const auto& c : chunks) out.push_back(to_text(c));
  return out;
}
inline std::vector<std::string> texts(const StreamOutcome& o) { return texts(o.chunks); }

// ---- helpers of the small non-streaming providers (TGI, model serving, AI21, PaLM, MosaicML) --

// The unified response must be exactly this JSON, keys in this order.
inline void expect_reply(const Subject& s, const std::string& upstream,
                         const std::string& expected) {
  auto r = reply(s, 200, upstream);
  ASSERT_TRUE(r.ok()) << r.error().status << " " << r.error().message();
  EXPECT_EQ(to_text(*r), to_text(Json::parse(expected)));
}

// prepare() must fail with exactly this status and text.
inline void expect_rejected(const Subject& s, const std::string& client_body, int status,
                            const std::string& text) {
  auto call = prepare(s, client_body);
  ASSERT_FALSE(call.ok()) << "accepted: " << client_body;
  EXPECT_EQ(call.error().status, status) << client_body;
  EXPECT_EQ(call.error().message(), text) << client_body;
}

// A 2xx body without the documented shape is a 502, whatever the JSON.
inline void expect_malformed(const Subject& s, const std::vector<std::string>& bodies) {
  for (const auto& body : bodies) {
    auto r = reply(s, 200, body);
    ASSERT_FALSE(r.ok()) << "accepted: " << body;
    EXPECT_EQ(r.error().status, 502) << body;
  }
}

// Bodies that fit no provider's success shape.
inline const std::vector<std::string> kJunk = {"null",  "1",  "\"text\"",         "[]",
                                               "[1,2]", "{}", "{\"error\":null}", "true"};

// MLflow's 422 text for a client `model` on a route that already defines one.
inline const char* const kNotPermitted =
    "The parameter 'model' is not permitted to be passed. The route being queried already "
    "defines a model instance.";

// The adapter has this display name and no stream translator (with or without usage).
inline void expect_no_streaming(const Subject& s, const std::string& display) {
  EXPECT_EQ(s.adapter->display_name(), display);
  EXPECT_TRUE(s.adapter->stream_translator(s.ctx, false) == nullptr);
  EXPECT_TRUE(s.adapter->stream_translator(s.ctx, true) == nullptr);
}

}  // namespace gw::testing
