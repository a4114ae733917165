// fuzz_provider_reply: a complete upstream reply through an adapter (parse_reply, reply_text).
//
// Input: a 3-byte header, then the upstream body.
//   byte 0: provider (index into fuzz_common.h providers(), modulo its size)
//   byte 1: endpoint type (chat, completions, embeddings; modulo 3); a provider that does not
//           serve the type -> the input is skipped
//   byte 2: bits 0-3 status (mostly 200; 201, 204, 400, 401, 404, 422, 429, 500, 503),
//           bits 4-6 content type (JSON variants, text/plain, text/html, none),
//           bit 7 an x-amzn-ErrorType header
//
// Checks: never crashes or throws; reply_text() agrees with parse_reply(), as the adapter
// contract requires (adapter.h): both succeed or both fail, the text is to_text() of the parsed
// response byte for byte, errors have the same status and detail. For the OpenAI family this
// is the simdjson fast path (openai_fast_unified) against the reference translation. A success
// is a JSON object; an error has a 4xx/5xx status.
#include "fuzz_common.h"
#include "providers/upstream_reply.h"

namespace {

constexpr int kStatuses[16] = {200, 200, 200, 200, 200, 200, 200, 200,
                               201, 204, 400, 401, 404, 422, 429, 500};
constexpr const char* kContentTypes[8] = {"application/json",
                                          "application/json",
                                          "application/json; charset=utf-8",
                                          "Application/JSON",
                                          "text/plain",
                                          "text/plain; charset=utf-8",
                                          "text/html",
                                          ""};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::fuzz::maybe_list_providers();
  gw::fuzz::Input in(data, size);
  const std::uint8_t p = in.byte(), t = in.byte(), r = in.byte();
  const gw::fuzz::Subject* s = gw::fuzz::subject(p, t);
  if (!s) return 0;
  gw::UpstreamReply reply;
  reply.status = kStatuses[r & 15];
  reply.content_type = kContentTypes[(r >> 4) & 7];
  reply.body = std::string(in.rest());
  if ((r & 128) && reply.status >= 400)
    reply.headers = {{"x-amzn-ErrorType",
                      "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"}};
  const gw::RequestContext ctx{s->endpoint.type, gw::fuzz::kNow};

  auto parsed = s->adapter->parse_reply(ctx, reply);
  auto text = s->adapter->reply_text(ctx, reply);
  FUZZ_CHECK(parsed.ok() == text.ok(),
             std::string(s->provider->label) + ": parse_reply " +
                 (parsed.ok() ? "succeeds" : "fails") + ", reply_text " +
                 (text.ok() ? "succeeds" : "fails") + "\n" +
                 (parsed.ok() ? text.error().message() : parsed.error().message()));
  if (parsed) {
    const std::string want = gw::to_text(*parsed);
    FUZZ_CHECK(*text == want, std::string(s->provider->label) + "\nreply_text: " + *text +
                                  "\nparse_reply: " + want);
    FUZZ_CHECK(parsed->is_object());
    FUZZ_CHECK(gw::parse_json(want).is_object(), want);
  } else {
    const gw::GatewayError& e = parsed.error();
    FUZZ_CHECK(e.status >= 400 && e.status <= 599, std::to_string(e.status));
    FUZZ_CHECK(text.error().status == e.status);
    FUZZ_CHECK(text.error().detail == e.detail);
    (void)e.message();
    (void)e.openai_type();
  }
  return 0;
}
