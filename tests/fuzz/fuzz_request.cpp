// fuzz_request: client request validation, fast path against the reference path.
//
// Input: one selector byte, then the request body.
//   bits 0-1: endpoint type (chat, completions, embeddings; 3 -> chat)
//   bit 2:    /v1/* route (drop_model = true, `model` required) instead of an MLflow route
//   bits 3-4: OpenAI API type for the prepare check (openai, azure, azuread, openai)
//   bit 5:    the endpoint has a model name
//
// As gateway/api.cpp chains them (invoke_named / invoke_v1): fast_validate_request() first; the
// reference is parse_request_body() + validate_request(). Whenever the fast path accepts a body:
//   - the reference must accept it too (a fast accept of a body the reference rejects would
//     skip a 422);
//   - its payload must be byte-identical to to_text() of the reference payload (with `model`
//     erased on /v1/*), and `stream` and `model` must agree (tests/unit/test_openai_fast.cpp
//     asserts the same on its fixed cases);
//   - where the gateway would use it (not a stream; on MLflow routes only without `model`),
//     OpenAIAdapter::prepare_serialized() must build exactly the UpstreamRequest that prepare()
//     builds from the reference payload (URL, method, headers, body).
// Neither path may crash or throw, whatever the body.
#include "fuzz_common.h"
#include "providers/fast_path.h"
#include "providers/openai.h"
#include "providers/schema.h"

namespace {

using gw::Json;
using gw::config::EndpointType;

const gw::OpenAIAdapter& openai_adapter(unsigned api, bool with_model) {
  static const auto adapters = [] {
    std::vector<std::unique_ptr<gw::OpenAIAdapter>> v;
    for (unsigned a = 0; a < 3; ++a) {
      for (bool m : {false, true}) {
        gw::config::OpenAISettings s;
        s.api_type = a == 0   ? gw::config::OpenAIApiType::OpenAI
                     : a == 1 ? gw::config::OpenAIApiType::Azure
                              : gw::config::OpenAIApiType::AzureAD;
        s.api_key = gw::config::Secret("sk-fuzz");
        s.api_base = "https://example.test/v1";
        s.api_version = "2024-02-01";
        if (a != 0) s.deployment_name = "dep";
        if (a == 0) s.organization = "org-fuzz";
        v.push_back(std::make_unique<gw::OpenAIAdapter>(
            s, m ? std::optional<std::string>("gpt-fuzz") : std::nullopt));
      }
    }
    return v;
  }();
  return *adapters[(api % 3) * 2 + (with_model ? 1 : 0)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::Input in(data, size);
  const std::uint8_t sel = in.byte();
  const EndpointType type = gw::fuzz::kTypes[(sel & 3) % 3];
  const bool v1 = (sel & 4) != 0;
  const std::string_view body = in.rest();

  auto fast = gw::fast_validate_request(type, body, /*drop_model=*/v1);
  auto parsed = gw::parse_request_body(body);
  if (!parsed) {
    FUZZ_CHECK(!fast.has_value(), "the fast path accepted a body parse_request_body refuses");
    return 0;
  }
  auto ref = gw::validate_request(type, std::move(*parsed));
  if (!ref) {
    FUZZ_CHECK(!fast.has_value(),
               "the fast path accepted a body validate_request refuses: " + ref.error().message());
    (void)ref.error().message();
    return 0;
  }
  // The reference accepted: its payload must serialise (never throws: invalid UTF-8 is
  // replaced), as the adapters do.
  const std::string ref_text = gw::to_text(ref->payload);
  if (!fast) return 0;

  FUZZ_CHECK(fast->stream == ref->stream);
  FUZZ_CHECK(fast->model == ref->model);
  Json ref_payload = ref->payload;
  if (v1) ref_payload.erase("model");
  const std::string want = v1 ? gw::to_text(ref_payload) : ref_text;
  FUZZ_CHECK(fast->payload == want, "fast: " + fast->payload + "\nreference: " + want);

  // The gateway uses the fast payload only where it would be valid for prepare(): not for
  // streams, and on MLflow routes only without `model` (/v1 drops it).
  const bool used = !fast->stream && (v1 ? fast->model.has_value() : !fast->model.has_value());
  if (!used) return 0;
  const auto& adapter = openai_adapter((sel >> 3) & 3, (sel & 32) != 0);
  gw::RequestContext ctx{type, gw::fuzz::kNow};
  auto call = adapter.prepare(ctx, std::move(ref_payload));
  auto serialized = adapter.prepare_serialized(ctx, fast->payload);
  FUZZ_CHECK(serialized.has_value());
  FUZZ_CHECK(call.ok(),
             "prepare refused what prepare_serialized accepted: " + call.error().message());
  const auto* req = std::get_if<gw::UpstreamRequest>(&*call);
  FUZZ_CHECK(req != nullptr);
  FUZZ_CHECK(serialized->url == req->url, serialized->url + "\n" + req->url);
  FUZZ_CHECK(serialized->method == req->method);
  FUZZ_CHECK(serialized->headers == req->headers);
  FUZZ_CHECK(serialized->body == req->body,
             "serialized: " + serialized->body + "\nprepare: " + req->body);
  return 0;
}
