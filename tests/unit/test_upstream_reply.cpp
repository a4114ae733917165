// providers/upstream_reply: MLflow's generic handling of a complete upstream reply
// (docs/mlflow-compatibility.md §3.6): content type first, then status. Also GatewayError's
// helpers.
#include <gtest/gtest.h>

#include <string>

#include "providers/errors.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

Json J(const char* text) { return Json::parse(text); }

const char* kUnsupported =
    "The returned data type from the route service is not supported. Received content type: ";

TEST(DecodeUpstreamReply, Json200IsParsed) {
  auto r = decode_upstream_reply({200, "application/json", R"({"a":1,"b":[true,null]})"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(to_text(*r), R"({"a":1,"b":[true,null]})");
}

TEST(DecodeUpstreamReply, JsonContentTypeWithParametersAndAnyCase) {
  auto r = decode_upstream_reply({200, "Application/JSON; charset=utf-8", R"({"ok":true})"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J(R"({"ok":true})"));
  auto vendor = decode_upstream_reply({201, "application/json", "[1]"});
  ASSERT_TRUE(vendor.ok());
  EXPECT_EQ(*vendor, J("[1]"));
}

TEST(DecodeUpstreamReply, TextPlain200BecomesMessageObject) {
  auto r = decode_upstream_reply({200, "text/plain; charset=utf-8", "hello there"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(to_text(*r), R"({"message":"hello there"})");
}

TEST(DecodeUpstreamReply, Html200IsA502) {
  auto r = decode_upstream_reply({200, "text/html", "<html>hi</html>"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().detail,
            "The returned data type from the route service is not supported. Received content "
            "type: text/html");
  EXPECT_EQ(r.error().message(), std::string(kUnsupported) + "text/html");
}

TEST(DecodeUpstreamReply, MissingContentTypeIsNone) {
  auto r = decode_upstream_reply({200, "", R"({"a":1})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().detail, std::string(kUnsupported) + "None");
}

TEST(DecodeUpstreamReply, UnsupportedContentTypeWinsOverAnErrorStatus) {
  // Content type is checked before the status: an upstream 503 HTML page is a 502 too.
  auto r = decode_upstream_reply({503, "text/html; charset=utf-8", "<h1>down</h1>"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().detail, std::string(kUnsupported) + "text/html; charset=utf-8");
}

TEST(DecodeUpstreamReply, ErrorMessageBecomesTheDetail) {
  auto r = decode_upstream_reply({400, "application/json", R"({"error":{"message":"bad"}})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(to_text(r.error().detail), R"("bad")");
  EXPECT_EQ(r.error().message(), "bad");
}

TEST(DecodeUpstreamReply, OpenAIErrorBodyKeepsStatus) {
  // OpenAI's documented error shape.
  auto r = decode_upstream_reply(
      {429, "application/json",
       R"({"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests",)"
       R"("param":null,"code":"rate_limit_exceeded"}})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 429);
  EXPECT_EQ(r.error().detail, "Rate limit reached for gpt-4o-mini");
  EXPECT_EQ(r.error().openai_type(), "rate_limit_error");
}

TEST(DecodeUpstreamReply, ErrorBodyWithoutErrorKeyIsPassedAsObject) {
  auto r = decode_upstream_reply({401, "application/json", R"({"msg":"x"})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(to_text(r.error().detail), R"({"msg":"x"})");
  EXPECT_EQ(r.error().message(), R"({"msg":"x"})");
}

TEST(DecodeUpstreamReply, TextPlainErrorBecomesMessageObject) {
  auto r = decode_upstream_reply({401, "text/plain", "nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(to_text(r.error().detail), R"({"message":"nope"})");
}

TEST(DecodeUpstreamReply, ErrorAsStringIsTheDetail) {
  auto r = decode_upstream_reply({404, "application/json", R"({"error":"no such model"})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 404);
  EXPECT_EQ(to_text(r.error().detail), R"("no such model")");
}

TEST(DecodeUpstreamReply, ErrorObjectWithoutMessageIsPassedWhole) {
  auto r = decode_upstream_reply({400, "application/json", R"({"error":{"code":7}})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(to_text(r.error().detail), R"({"error":{"code":7}})");
}

TEST(DecodeUpstreamReply, ErrorStatusWithInvalidJsonKeepsStatusAndText) {
  auto r = decode_upstream_reply({500, "application/json", "Internal oops {"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 500);
  EXPECT_EQ(to_text(r.error().detail), R"("Internal oops {")");
}

TEST(DecodeUpstreamReply, SuccessWithInvalidJsonIsA502) {
  auto r = decode_upstream_reply({200, "application/json", R"({"id":)"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().detail,
            "The upstream returned a malformed response: the body is not valid JSON");
  EXPECT_EQ(r.error().openai_type(), "upstream_error");
  EXPECT_EQ(r.error().code, "bad_gateway");
}

TEST(DecodeUpstreamReply, NonSuccessBelow400IsA502) {
  auto r = decode_upstream_reply({302, "application/json", R"({})"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().detail, "The upstream returned a malformed response: unexpected status 302");
}

TEST(MalformedUpstream, IsA502WithUpstreamType) {
  GatewayError e = malformed_upstream("'choices' is missing");
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.detail, "The upstream returned a malformed response: 'choices' is missing");
  EXPECT_EQ(e.type, "upstream_error");
  EXPECT_EQ(e.code, "bad_gateway");
}

// ---- GatewayError ---------------------------------------------------------------------------

TEST(GatewayError, MakeSetsEverything) {
  GatewayError e = GatewayError::make(404, "not here", "not_found_error", "model_not_found");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(to_text(e.detail), R"("not here")");
  EXPECT_EQ(e.type, "not_found_error");
  EXPECT_EQ(e.code, "model_not_found");
  GatewayError plain = GatewayError::make(400, "x");
  EXPECT_TRUE(plain.type.empty());
  EXPECT_TRUE(plain.code.empty());
}

TEST(GatewayError, MessageOfAStringDetail) {
  EXPECT_EQ(GatewayError::make(400, "plain text").message(), "plain text");
}

TEST(GatewayError, MessageOfAnObjectDetailIsCompactJson) {
  GatewayError e;
  e.status = 401;
  e.detail = J(R"({"msg":"x","n":[1,2]})");
  EXPECT_EQ(e.message(), R"({"msg":"x","n":[1,2]})");
}

TEST(GatewayError, MessageOfAValidationList) {
  GatewayError e;
  e.status = 422;
  e.detail = J(R"([
    {"type":"missing","loc":["body","messages"],"msg":"Field required","input":{}},
    {"type":"string_type","loc":["body","messages",0,"content"],"msg":"Input should be a valid string","input":5},
    {"type":"x","loc":[],"msg":"no location","input":null},
    "odd item"])");
  EXPECT_EQ(e.message(),
            "body.messages: Field required; body.messages.0.content: Input should be a valid "
            "string; no location; \"odd item\"");
}

struct TypeCase {
  int status;
  const char* type;
  const char* expected;
};

class OpenAIType : public ::testing::TestWithParam<TypeCase> {};

TEST_P(OpenAIType, Mapping) {
  GatewayError e = GatewayError::make(GetParam().status, "m", GetParam().type);
  EXPECT_EQ(e.openai_type(), GetParam().expected) << GetParam().status;
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, OpenAIType,
    ::testing::Values(
        TypeCase{400, "", "invalid_request_error"}, TypeCase{422, "", "invalid_request_error"},
        TypeCase{409, "", "invalid_request_error"}, TypeCase{401, "", "authentication_error"},
        TypeCase{403, "", "permission_error"}, TypeCase{404, "", "not_found_error"},
        TypeCase{429, "", "rate_limit_error"}, TypeCase{500, "", "server_error"},
        TypeCase{502, "", "server_error"}, TypeCase{504, "", "server_error"},
        // an explicit type wins
        TypeCase{502, "upstream_error", "upstream_error"}, TypeCase{400, "custom", "custom"}));

TEST(Result, HoldsValueOrError) {
  Result<int> ok = 5;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, 5);
  Result<int> bad = GatewayError::make(400, "no");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 400);
  GatewayError taken = bad.take_error();
  EXPECT_EQ(taken.message(), "no");
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

TEST(UpstreamReplyAws, ErrorTypeHeaderNamesTheErrorWhenTheBodyHasNoMessage) {
  UpstreamReply r{429,
                  "application/json",
                  "{}",
                  {{"x-amzn-errortype",
                    "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}}};
  auto d = decode_upstream_reply(r, {"message", "Message"}, "x-amzn-ErrorType");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().status, 429);
  EXPECT_EQ(d.error().detail, "ThrottlingException");
  // A message in the body wins.
  r.body = R"({"message":"Too many requests, please wait before trying again."})";
  d = decode_upstream_reply(r, {"message", "Message"}, "x-amzn-ErrorType");
  EXPECT_EQ(d.error().detail, "Too many requests, please wait before trying again.");
  // Without the header, MLflow's rule: the whole body.
  r.body = "{}";
  r.headers.clear();
  d = decode_upstream_reply(r, {"message", "Message"}, "x-amzn-ErrorType");
  EXPECT_EQ(d.error().detail, Json::object());
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

// One mid-stream error text for every provider's stream translator.
TEST(UpstreamStreamError, MessageOfAnObjectAStringOrTheValue) {
  auto e = upstream_stream_error_of(Json::parse(R"({"message":"overloaded","type":"x"})"));
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.code, "bad_gateway");
  EXPECT_EQ(e.type, "upstream_error");
  EXPECT_EQ(e.message(), "The upstream reported an error mid-stream: overloaded");
  EXPECT_EQ(upstream_stream_error_of(Json("plain")).message(),
            "The upstream reported an error mid-stream: plain");
  EXPECT_EQ(upstream_stream_error_of(Json::parse(R"({"code":7})")).message(),
            R"(The upstream reported an error mid-stream: {"code":7})");
  EXPECT_EQ(upstream_stream_error_of(Json::parse(R"({"message":3})")).message(),
            R"(The upstream reported an error mid-stream: {"message":3})");
  EXPECT_EQ(upstream_stream_error("ThrottlingException: slow down").message(),
            "The upstream reported an error mid-stream: ThrottlingException: slow down");
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

TEST(NameTheUpstream, MalformedRepliesNameTheEndpointAndHostOthersAreUnchanged) {
  GatewayError e = name_the_upstream(malformed_upstream("'choices' is missing"), "chat",
                                     "api.openai.com");
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.message(),
            "Endpoint 'chat': the upstream api.openai.com returned a malformed response: "
            "'choices' is missing");
  EXPECT_EQ(e.type, "upstream_error");
  EXPECT_EQ(e.code, "bad_gateway");
  // An upstream's own error (status and message kept) is not rewritten.
  GatewayError own = GatewayError::make(502, "bad gateway upstream", "upstream_error");
  EXPECT_EQ(name_the_upstream(own, "chat", "h").message(), "bad gateway upstream");
  EXPECT_EQ(name_the_upstream(GatewayError::make(429, "slow down"), "chat", "h").message(),
            "slow down");
}

}  // namespace
}  // namespace gw
