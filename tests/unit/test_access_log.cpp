// gateway/access_log.cpp and gateway/log.cpp: the JSON access-log members and JSON log lines
// (docs/operations.md, "Logs").
#include <gtest/gtest.h>

#include "gateway/access_log.h"
#include "gateway/log.h"
#include "gateway/request_id.h"
#include "providers/json.h"

namespace gw {
namespace {

Json object_of(const std::string& members) { return parse_json("{" + members + "}"); }

TEST(AccessLogJson, PlainRouteHasTheRequestFieldsOnly) {
  ApiResponse r;
  r.body = R"({"status":"OK"})";
  const Json j = object_of(access_json_members(
      AccessRecord{"10.0.0.1", "GET", "/health?x=1", "id-1", 0, 15, 0.12345, &r}));
  EXPECT_EQ(j, Json::parse(R"({"type":"access","request_id":"id-1","method":"GET",
      "path":"/health","status":200,"bytes_in":0,"bytes_out":15,"total_ms":0.123,
      "client":"10.0.0.1"})"));
}

TEST(AccessLogJson, InvocationFactsAndTokensFromTheBodyOrTheStream) {
  ApiResponse r;
  r.body = R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}})";
  r.attempts = "a:503:status,b:200:ok";
  r.invocation = InvocationFacts{"b", "openai", "gpt-4o-mini", 0.25, -1, "0123456789abcdef"};
  Json j = object_of(access_json_members(AccessRecord{"c", "POST", "/x", "i", 10, 20, 1, &r}));
  EXPECT_EQ(j["endpoint"], "b");
  EXPECT_EQ(j["provider"], "openai");
  EXPECT_EQ(j["model"], "gpt-4o-mini");
  EXPECT_EQ(j["overhead_ms"], 0.25);
  EXPECT_FALSE(j.contains("ttft_ms"));
  EXPECT_EQ(j["tokens_in"], 3);
  EXPECT_EQ(j["tokens_out"], 5);
  EXPECT_EQ(j["attempts"], "a:503:status,b:200:ok");
  EXPECT_EQ(j["limit_key"], "0123456789abcdef");
  r.streamed = true;
  r.body.clear();
  r.usage = "tokens 7/-/-";
  r.invocation->ttft_ms = 1.5;
  j = object_of(access_json_members(AccessRecord{"c", "POST", "/x", "i", 10, 20, 1, &r}));
  EXPECT_EQ(j["tokens_in"], 7);
  EXPECT_FALSE(j.contains("tokens_out"));
  EXPECT_EQ(j["ttft_ms"], 1.5);
}

TEST(LogFormat, JsonLinesEscapeTheMessage) {
  log::set_format(log::Format::Json);
  testing::internal::CaptureStderr();
  log::warn("quote \" and newline \n inside");
  log::write_json(log::Level::Info, R"("type":"access")");
  const std::string out = testing::internal::GetCapturedStderr();
  log::set_format(log::Format::Text);
  const auto nl = out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  const Json first = parse_json(out.substr(0, nl));
  EXPECT_EQ(first["level"], "WARN");
  EXPECT_EQ(first["message"], "quote \" and newline \n inside");
  EXPECT_TRUE(first["time"].is_string());
  const Json second = parse_json(out.substr(nl + 1, out.find('\n', nl + 1) - nl - 1));
  EXPECT_EQ(second["level"], "INFO");
  EXPECT_EQ(second["type"], "access");
}

TEST(RequestId, KeptWhenSafeElseANewUuid) {
  EXPECT_EQ(request_id_for("abc-1_2.3:4"), "abc-1_2.3:4");
  EXPECT_EQ(request_id_for(std::string(128, 'x')), std::string(128, 'x'));
  for (const std::string bad : {std::string(), std::string(129, 'x'), std::string("a b"),
                                std::string("a\r\nb"), std::string("ü")}) {
    const std::string id = request_id_for(bad);
    EXPECT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[14], '4') << id;  // version 4
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  }
  EXPECT_NE(new_request_id(), new_request_id());
}

}  // namespace
}  // namespace gw
