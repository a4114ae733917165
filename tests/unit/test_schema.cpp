// providers/schema: request validation (docs/mlflow-compatibility.md §4) with
// FastAPI/pydantic-v2-shaped 422 lists. Error objects are compared as compact JSON text, so key
// order (type, loc, msg, input, ctx), integer-vs-float values and the presence of `ctx` are all
// part of the assertion.
#include <gtest/gtest.h>

#include <string>

#include "providers/schema.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

using config::EndpointType;

Json J(const char* text) { return Json::parse(text); }

ValidatedRequest valid(EndpointType type, const char* body) {
  auto r = validate_request(type, J(body));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : to_text(r.error().detail));
  return r.ok() ? *r : ValidatedRequest{};
}

// The 422 detail list as compact text.
std::string errors_of(EndpointType type, const Json& body) {
  auto r = validate_request(type, body);
  if (r.ok()) return "<accepted: " + to_text(r->payload) + ">";
  EXPECT_EQ(r.error().status, 422);
  return to_text(r.error().detail);
}
std::string errors_of(EndpointType type, const char* body) { return errors_of(type, J(body)); }

// ---- defaults, nulls, extras --------------------------------------------------------------

TEST(Schema, ChatDefaultsAreAddedInMlflowOrder) {
  auto v = valid(EndpointType::Chat, R"({"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(to_text(v.payload),
            R"({"temperature":0.0,"n":1,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_FALSE(v.stream);
  EXPECT_FALSE(v.model.has_value());
}

TEST(Schema, CompletionsDefaultsAreAdded) {
  auto v = valid(EndpointType::Completions, R"({"prompt":"This is a test"})");
  EXPECT_EQ(to_text(v.payload), R"({"temperature":0.0,"n":1,"prompt":"This is a test"})");
}

TEST(Schema, CompletionsAcceptsEmptyPrompt) {
  auto v = valid(EndpointType::Completions, R"({"prompt":""})");
  EXPECT_EQ(v.payload["prompt"], "");
}

TEST(Schema, EmbeddingsGetNoDefaults) {
  auto v = valid(EndpointType::Embeddings, R"({"input":"hello"})");
  EXPECT_EQ(to_text(v.payload), R"({"input":"hello"})");
}

TEST(Schema, ExplicitValuesAreKept) {
  auto v = valid(EndpointType::Chat,
                 R"({"messages":[{"role":"user","content":"hi"}],"temperature":0.5,"n":3,
                     "stop":["\n"],"max_tokens":10,"stream":true,
                     "stream_options":{"include_usage":true}})");
  EXPECT_EQ(v.payload["temperature"], 0.5);
  EXPECT_EQ(v.payload["n"], 3);
  EXPECT_EQ(v.payload["stop"], J(R"(["\n"])"));
  EXPECT_EQ(v.payload["max_tokens"], 10);
  EXPECT_EQ(v.payload["stream"], true);
  EXPECT_EQ(v.payload["stream_options"], J(R"({"include_usage":true})"));
  EXPECT_TRUE(v.stream);
}

TEST(Schema, NumbersInLaxModeAreCoerced) {
  // pydantic lax mode: an int temperature becomes a float, a whole float n becomes an int.
  auto v = valid(EndpointType::Completions, R"({"prompt":"p","temperature":1,"n":2.0})");
  EXPECT_EQ(to_text(v.payload), R"({"temperature":1.0,"n":2,"prompt":"p"})");
}

TEST(Schema, NullsAreDropped) {
  auto v = valid(EndpointType::Chat,
                 R"({"messages":[{"role":"user","content":"hi","tool_calls":null,"refusal":null}],
                     "temperature":null,"n":null,"stop":null,"max_tokens":null,"stream":null,
                     "stream_options":null,"model":null,"top_p":null,"tools":null})");
  EXPECT_EQ(to_text(v.payload),
            R"({"temperature":0.0,"n":1,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_FALSE(v.stream);
  EXPECT_FALSE(v.model.has_value());
}

TEST(Schema, ExtraTopLevelKeysAreForwardedInOrder) {
  auto v = valid(EndpointType::Chat,
                 R"({"top_p":0.9,"messages":[{"role":"user","content":"hi"}],
                     "response_format":{"type":"json_object"},"presence_penalty":0.1,
                     "logprobs":true})");
  EXPECT_EQ(to_text(v.payload),
            R"({"temperature":0.0,"n":1,"messages":[{"role":"user","content":"hi"}],)"
            R"("top_p":0.9,"response_format":{"type":"json_object"},"presence_penalty":0.1,)"
            R"("logprobs":true})");
}

TEST(Schema, EmbeddingsExtrasAreForwarded) {
  auto v = valid(EndpointType::Embeddings,
                 R"({"input":["a","b"],"dimensions":256,"encoding_format":"float","user":null})");
  EXPECT_EQ(to_text(v.payload),
            R"({"input":["a","b"],"dimensions":256,"encoding_format":"float"})");
}

TEST(Schema, UnknownNestedMessageKeysAreDropped) {
  auto v = valid(EndpointType::Chat,
                 R"({"messages":[{"role":"user","name":"alice","content":"hi","extra":{"x":1}},
                                 {"role":"tool","tool_call_id":"call_1","content":"42"}]})");
  EXPECT_EQ(
      to_text(v.payload["messages"]),
      R"([{"role":"user","content":"hi"},{"role":"tool","content":"42","tool_call_id":"call_1"}])");
}

TEST(Schema, MessageWithToolCallsAndContentPartsIsReserialised) {
  auto v = valid(EndpointType::Chat, R"({"messages":[
      {"role":"user","content":[{"type":"text","text":"what is this?","cache":true},
                                {"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}},
                                {"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]},
      {"role":"assistant","content":null,
       "tool_calls":[{"id":"call_1","function":{"name":"f","arguments":"{}","x":1}}]}]})");
  EXPECT_EQ(to_text(v.payload["messages"]),
            R"([{"role":"user","content":[{"type":"text","text":"what is this?"},)"
            R"({"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}},)"
            R"({"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]},)"
            R"({"role":"assistant","tool_calls":[{"id":"call_1","type":"function",)"
            R"("function":{"name":"f","arguments":"{}"}}]}])");
}

TEST(Schema, ToolsAreForwarded) {
  auto v = valid(EndpointType::Chat, R"({"messages":[{"role":"user","content":"hi"}],
      "tools":[{"type":"function","function":{"name":"get_weather","parameters":
               {"type":"object","properties":{"t":{"type":"number","minimum":0}}}}}]})");
  EXPECT_EQ(v.payload["tools"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(v.payload["tools"][0]["function"]["parameters"]["properties"]["t"]["minimum"], 0);
}

TEST(Schema, ModelIsReportedAndKeptInPayload) {
  auto v = valid(EndpointType::Chat,
                 R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(v.model.has_value());
  EXPECT_EQ(*v.model, "gpt-4o-mini");
  EXPECT_EQ(v.payload["model"], "gpt-4o-mini");
}

TEST(Schema, StreamStringTrueIsAcceptedAsTrue) {
  auto v = valid(EndpointType::Completions, R"({"prompt":"p","stream":"true"})");
  EXPECT_TRUE(v.stream);
  EXPECT_EQ(to_text(v.payload["stream"]), "true");
  auto f = valid(EndpointType::Completions, R"({"prompt":"p","stream":"False"})");
  EXPECT_FALSE(f.stream);
  EXPECT_EQ(to_text(f.payload["stream"]), "false");
  auto one = valid(EndpointType::Completions, R"({"prompt":"p","stream":1})");
  EXPECT_TRUE(one.stream);
}

TEST(Schema, LargeNIsAccepted) {
  auto v = valid(EndpointType::Completions, R"({"prompt":"p","n":1000})");
  EXPECT_EQ(v.payload["n"], 1000);
}

TEST(Schema, TemperatureBoundsAreInclusive) {
  EXPECT_EQ(
      valid(EndpointType::Completions, R"({"prompt":"p","temperature":0})").payload["temperature"],
      0.0);
  EXPECT_EQ(
      valid(EndpointType::Completions, R"({"prompt":"p","temperature":2})").payload["temperature"],
      2.0);
}

// ---- exact 422 error objects ----------------------------------------------------------------

TEST(SchemaErrors, MissingMessages) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"temperature":0.1})"),
            R"([{"type":"missing","loc":["body","messages"],"msg":"Field required",)"
            R"("input":{"temperature":0.1}}])");
}

TEST(SchemaErrors, MissingPrompt) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"max_tokens":5})"),
            R"([{"type":"missing","loc":["body","prompt"],"msg":"Field required",)"
            R"("input":{"max_tokens":5}}])");
}

TEST(SchemaErrors, MissingInput) {
  EXPECT_EQ(errors_of(EndpointType::Embeddings, R"({})"),
            R"([{"type":"missing","loc":["body","input"],"msg":"Field required","input":{}}])");
}

TEST(SchemaErrors, NullRequiredFieldIsMissing) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":null})"),
            R"([{"type":"missing","loc":["body","prompt"],"msg":"Field required",)"
            R"("input":{"prompt":null}}])");
}

TEST(SchemaErrors, PromptNotAString) {
  EXPECT_EQ(
      errors_of(EndpointType::Completions, R"({"prompt":["a","b"]})"),
      R"([{"type":"string_type","loc":["body","prompt"],"msg":"Input should be a valid string",)"
      R"("input":["a","b"]}])");
}

TEST(SchemaErrors, TemperatureAboveTwo) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","temperature":2.5})"),
            R"([{"type":"less_than_equal","loc":["body","temperature"],)"
            R"("msg":"Input should be less than or equal to 2","input":2.5,"ctx":{"le":2.0}}])");
}

TEST(SchemaErrors, TemperatureBelowZero) {
  EXPECT_EQ(errors_of(EndpointType::Chat,
                      R"({"messages":[{"role":"user","content":"hi"}],"temperature":-1})"),
            R"([{"type":"greater_than_equal","loc":["body","temperature"],)"
            R"("msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0.0}}])");
}

TEST(SchemaErrors, TemperatureNotANumber) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","temperature":"hot"})"),
            R"([{"type":"float_parsing","loc":["body","temperature"],)"
            R"("msg":"Input should be a valid number, unable to parse string as a number",)"
            R"("input":"hot"}])");
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","temperature":[1]})"),
            R"([{"type":"float_type","loc":["body","temperature"],)"
            R"("msg":"Input should be a valid number","input":[1]}])");
}

TEST(SchemaErrors, TemperatureNumericStringIsAccepted) {
  auto v = valid(EndpointType::Completions, R"({"prompt":"p","temperature":"0.7"})");
  EXPECT_EQ(v.payload["temperature"], 0.7);
}

TEST(SchemaErrors, NZero) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","n":0})"),
            R"([{"type":"greater_than_equal","loc":["body","n"],)"
            R"("msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}}])");
}

TEST(SchemaErrors, NFractional) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","n":1.5})"),
            R"([{"type":"int_from_float","loc":["body","n"],)"
            R"("msg":"Input should be a valid integer, got a number with a fractional part",)"
            R"("input":1.5}])");
}

TEST(SchemaErrors, NUnparsableString) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","n":"two"})"),
            R"([{"type":"int_parsing","loc":["body","n"],)"
            R"("msg":"Input should be a valid integer, unable to parse string as an integer",)"
            R"("input":"two"}])");
}

TEST(SchemaErrors, StopBareString) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stop":"\n"})"),
            R"([{"type":"list_type","loc":["body","stop"],"msg":"Input should be a valid list",)"
            R"("input":"\n"}])");
}

TEST(SchemaErrors, StopEmptyList) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stop":[]})"),
            R"([{"type":"too_short","loc":["body","stop"],)"
            R"("msg":"List should have at least 1 item after validation, not 0","input":[],)"
            R"("ctx":{"field_type":"List","min_length":1,"actual_length":0}}])");
}

TEST(SchemaErrors, StopNonStringItem) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stop":["a",1]})"),
            R"([{"type":"string_type","loc":["body","stop",1],)"
            R"("msg":"Input should be a valid string","input":1}])");
}

TEST(SchemaErrors, MaxTokensZero) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","max_tokens":0})"),
            R"([{"type":"greater_than_equal","loc":["body","max_tokens"],)"
            R"("msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}}])");
}

TEST(SchemaErrors, StreamMaybe) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stream":"maybe"})"),
            R"([{"type":"bool_parsing","loc":["body","stream"],)"
            R"("msg":"Input should be a valid boolean, unable to interpret input",)"
            R"("input":"maybe"}])");
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stream":2})"),
            R"([{"type":"bool_parsing","loc":["body","stream"],)"
            R"("msg":"Input should be a valid boolean, unable to interpret input","input":2}])");
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stream":[true]})"),
            R"([{"type":"bool_type","loc":["body","stream"],)"
            R"("msg":"Input should be a valid boolean","input":[true]}])");
}

TEST(SchemaErrors, StreamOptionsNotAnObject) {
  EXPECT_EQ(errors_of(EndpointType::Completions, R"({"prompt":"p","stream_options":true})"),
            R"([{"type":"dict_type","loc":["body","stream_options"],)"
            R"("msg":"Input should be a valid dictionary","input":true}])");
}

TEST(SchemaErrors, MessagesNotAList) {
  EXPECT_EQ(
      errors_of(EndpointType::Chat, R"({"messages":"hi"})"),
      R"([{"type":"list_type","loc":["body","messages"],"msg":"Input should be a valid list",)"
      R"("input":"hi"}])");
}

TEST(SchemaErrors, MessagesEmpty) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"messages":[]})"),
            R"([{"type":"too_short","loc":["body","messages"],)"
            R"("msg":"List should have at least 1 item after validation, not 0","input":[],)"
            R"("ctx":{"field_type":"List","min_length":1,"actual_length":0}}])");
}

TEST(SchemaErrors, MessageNotAnObject) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"messages":[{"role":"user","content":"a"},"hi"]})"),
            R"([{"type":"model_attributes_type","loc":["body","messages",1],)"
            R"("msg":"Input should be a valid dictionary or object to extract fields from",)"
            R"("input":"hi"}])");
}

TEST(SchemaErrors, MessageMissingRole) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"messages":[{"content":"a"}]})"),
            R"([{"type":"missing","loc":["body","messages",0,"role"],"msg":"Field required",)"
            R"("input":{"content":"a"}}])");
}

TEST(SchemaErrors, MessageContentWrongType) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"messages":[{"role":"user","content":5}]})"),
            R"([{"type":"string_type","loc":["body","messages",0,"content"],)"
            R"("msg":"Input should be a valid string","input":5}])");
}

TEST(SchemaErrors, ContentPartWithUnknownType) {
  EXPECT_EQ(
      errors_of(EndpointType::Chat,
                R"({"messages":[{"role":"user","content":[{"type":"video","video":"v"}]}]})"),
      R"([{"type":"union_tag_invalid","loc":["body","messages",0,"content",0],)"
      R"("msg":"Input tag 'video' found using 'type' does not match any of the expected tags: )"
      R"('text', 'image_url', 'input_audio'","input":{"type":"video","video":"v"},)"
      R"("ctx":{"discriminator":"'type'","tag":"video",)"
      R"("expected_tags":"'text', 'image_url', 'input_audio'"}}])");
}

TEST(SchemaErrors, ContentPartWithoutType) {
  EXPECT_EQ(
      errors_of(EndpointType::Chat, R"({"messages":[{"role":"user","content":[{"text":"x"}]}]})"),
      R"([{"type":"union_tag_not_found","loc":["body","messages",0,"content",0],)"
      R"("msg":"Unable to extract tag using discriminator 'type'","input":{"text":"x"},)"
      R"("ctx":{"discriminator":"'type'"}}])");
}

TEST(SchemaErrors, ImageDetailLiteral) {
  EXPECT_EQ(
      errors_of(EndpointType::Chat, R"({"messages":[{"role":"user","content":[
          {"type":"image_url","image_url":{"url":"u","detail":"max"}}]}]})"),
      R"([{"type":"literal_error","loc":["body","messages",0,"content",0,"image_url","detail"],)"
      R"("msg":"Input should be 'auto', 'low' or 'high'","input":"max",)"
      R"("ctx":{"expected":"'auto', 'low' or 'high'"}}])");
}

TEST(SchemaErrors, ToolCallMissingId) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"messages":[{"role":"assistant",
          "tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]})"),
            R"([{"type":"missing","loc":["body","messages",0,"tool_calls",0,"id"],)"
            R"("msg":"Field required",)"
            R"("input":{"type":"function","function":{"name":"f","arguments":"{}"}}}])");
}

TEST(SchemaErrors, ToolCallsNotAList) {
  EXPECT_EQ(errors_of(EndpointType::Chat,
                      R"({"messages":[{"role":"assistant","tool_calls":{"id":"x"}}]})"),
            R"([{"type":"list_type","loc":["body","messages",0,"tool_calls"],)"
            R"("msg":"Input should be a valid list","input":{"id":"x"}}])");
}

TEST(SchemaErrors, ToolWithBadType) {
  EXPECT_EQ(errors_of(EndpointType::Chat, R"({"messages":[{"role":"user","content":"hi"}],
                          "tools":[{"type":"retrieval"}]})"),
            R"([{"type":"literal_error","loc":["body","tools",0,"type"],)"
            R"("msg":"Input should be 'function' or 'uc_function'","input":"retrieval",)"
            R"("ctx":{"expected":"'function' or 'uc_function'"}}])");
}

TEST(SchemaErrors, ModelNotAString) {
  EXPECT_EQ(
      errors_of(EndpointType::Chat, R"({"model":123,"messages":[{"role":"user","content":"hi"}]})"),
      R"([{"type":"string_type","loc":["body","model"],"msg":"Input should be a valid string",)"
      R"("input":123}])");
  EXPECT_EQ(
      errors_of(EndpointType::Embeddings, R"({"model":["m"],"input":"x"})"),
      R"([{"type":"string_type","loc":["body","model"],"msg":"Input should be a valid string",)"
      R"("input":["m"]}])");
}

TEST(SchemaErrors, BodyNotAnObject) {
  const char* expected_list =
      R"([{"type":"model_attributes_type","loc":["body"],)"
      R"("msg":"Input should be a valid dictionary or object to extract fields from",)"
      R"("input":[1,2]}])";
  EXPECT_EQ(errors_of(EndpointType::Chat, R"([1,2])"), expected_list);
  EXPECT_EQ(errors_of(EndpointType::Completions, R"([1,2])"), expected_list);
  EXPECT_EQ(errors_of(EndpointType::Embeddings, R"([1,2])"), expected_list);
  EXPECT_EQ(errors_of(EndpointType::Chat, R"("text")"),
            R"([{"type":"model_attributes_type","loc":["body"],)"
            R"("msg":"Input should be a valid dictionary or object to extract fields from",)"
            R"("input":"text"}])");
}

TEST(SchemaErrors, MultipleErrorsAreReportedTogetherInFieldOrder) {
  EXPECT_EQ(
      errors_of(
          EndpointType::Chat,
          R"({"messages":"x","temperature":3,"n":0,"stop":"s","max_tokens":0,"stream":"maybe"})"),
      R"([{"type":"less_than_equal","loc":["body","temperature"],)"
      R"("msg":"Input should be less than or equal to 2","input":3,"ctx":{"le":2.0}},)"
      R"({"type":"greater_than_equal","loc":["body","n"],)"
      R"("msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}},)"
      R"({"type":"list_type","loc":["body","stop"],"msg":"Input should be a valid list","input":"s"},)"
      R"({"type":"greater_than_equal","loc":["body","max_tokens"],)"
      R"("msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}},)"
      R"({"type":"bool_parsing","loc":["body","stream"],)"
      R"("msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"},)"
      R"({"type":"list_type","loc":["body","messages"],"msg":"Input should be a valid list",)"
      R"("input":"x"}])");
}

TEST(SchemaErrors, ErrorsInsideSeveralMessagesAreAllReported) {
  auto r = validate_request(
      EndpointType::Chat, J(R"({"messages":[{"content":"a"},7,{"role":"user","content":true}]})"));
  ASSERT_FALSE(r.ok());
  const Json& d = r.error().detail;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0]["loc"], J(R"(["body","messages",0,"role"])"));
  EXPECT_EQ(d[1]["loc"], J(R"(["body","messages",1])"));
  EXPECT_EQ(d[2]["loc"], J(R"(["body","messages",2,"content"])"));
}

// ---- embeddings input forms -------------------------------------------------------------

struct InputCase {
  const char* input;
  bool accepted;
};

class EmbeddingsInput : public ::testing::TestWithParam<InputCase> {};

TEST_P(EmbeddingsInput, Form) {
  const InputCase& c = GetParam();
  Json body = Json::object();
  body["input"] = J(c.input);
  auto r = validate_request(EndpointType::Embeddings, body);
  if (c.accepted) {
    ASSERT_TRUE(r.ok()) << to_text(r.error().detail);
    EXPECT_EQ(to_text(r->payload), std::string(R"({"input":)") + to_text(J(c.input)) + "}");
  } else {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 422);
    EXPECT_EQ(to_text(r.error().detail),
              std::string(R"([{"type":"union_type","loc":["body","input"],)"
                          R"("msg":"Input should be a string, a list of strings, a list of )"
                          R"(integers or a list of lists of integers","input":)") +
                  to_text(J(c.input)) + "}]");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Forms, EmbeddingsInput,
    ::testing::Values(InputCase{R"("hello")", true}, InputCase{R"(["a","b"])", true},
                      InputCase{R"([1,2,3])", true}, InputCase{R"([[1,2],[3]])", true},
                      InputCase{R"([])", true}, InputCase{R"([1,"a"])", false},
                      InputCase{R"(5)", false}, InputCase{R"({"text":"a"})", false},
                      InputCase{R"([["a"]])", false}, InputCase{R"([1.5])", false},
                      InputCase{R"([[1],"a"])", false}));

// ---- parse_request_body ------------------------------------------------------------------

TEST(ParseRequestBody, ParsesAnObject) {
  auto r = parse_request_body(R"({"prompt":"p","b":[1,2]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(to_text(*r), R"({"prompt":"p","b":[1,2]})");  // key order kept
}

TEST(ParseRequestBody, ParsesNonObjectsToo) {
  // The "valid dictionary" 422 comes from validate_request, not from parsing.
  auto r = parse_request_body("[1,2]");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J("[1,2]"));
}

TEST(ParseRequestBody, EmptyBodyIsMissing) {
  for (const char* body : {"", "   ", "\r\n\t "}) {
    auto r = parse_request_body(body);
    ASSERT_FALSE(r.ok()) << '"' << body << '"';
    EXPECT_EQ(r.error().status, 422);
    EXPECT_EQ(to_text(r.error().detail),
              R"([{"type":"missing","loc":["body"],"msg":"Field required","input":null}])");
  }
}

void expect_json_invalid(std::string_view body, std::size_t pos) {
  auto r = parse_request_body(body);
  ASSERT_FALSE(r.ok()) << body;
  EXPECT_EQ(r.error().status, 422);
  const Json& d = r.error().detail;
  ASSERT_TRUE(d.is_array());
  ASSERT_EQ(d.size(), 1u);
  const Json& e = d[0];
  ASSERT_EQ(e.size(), 5u) << to_text(e);
  auto it = e.begin();
  EXPECT_EQ(it.key(), "type");
  EXPECT_EQ(e["type"], "json_invalid");
  EXPECT_EQ(to_text(e["loc"]), "[\"body\"," + std::to_string(pos) + "]") << body;
  EXPECT_EQ(e["msg"], "JSON decode error");
  EXPECT_EQ(to_text(e["input"]), "{}");
  ASSERT_TRUE(e["ctx"].is_object());
  ASSERT_TRUE(e["ctx"]["error"].is_string());
  EXPECT_FALSE(e["ctx"]["error"].get<std::string>().empty());
}

TEST(ParseRequestBody, MalformedJsonReportsThePosition) {
  // Same positions as Python's json.JSONDecodeError.pos (FastAPI's loc).
  expect_json_invalid(R"({"a":})", 5);   // Expecting value
  expect_json_invalid("{'a': 1}", 1);    // Expecting property name enclosed in double quotes
  expect_json_invalid(R"({"a": 1)", 7);  // Expecting ',' delimiter
  expect_json_invalid("[1,2", 4);
  expect_json_invalid(R"({"a":1} x)", 8);  // Extra data
  expect_json_invalid("truex", 4);         // Extra data
  expect_json_invalid("nope", 0);          // Expecting value: where the bad token starts
  expect_json_invalid(R"({"a": tru})", 6);
  expect_json_invalid(R"({"a": "abc)", 6);  // Unterminated string starting at
}

// Found by tests/fuzz/fuzz_provider_request: a number out of double range made the
// position-finding second parse throw out_of_range (not a parse_error), which escaped as a 500.
TEST(ParseRequestBody, NumberOverflowIsJsonInvalidNotAnException) {
  expect_json_invalid(R"({"messages":[{"role":"user","content":"a"}],"x":1e400})", 48);
  expect_json_invalid("-1e400", 0);
  auto r = parse_request_body(R"({"x":[1,1e400]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail[0]["ctx"]["error"], "number overflow parsing '1e400'");
}

TEST(ParseRequestBody, MalformedJsonCtxErrorIsTheParserReason) {
  auto r = parse_request_body("nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail[0]["ctx"]["error"],
            "syntax error while parsing value - invalid literal; last read: 'no'");
}

TEST(ParseRequestBody, GatewayErrorMessageJoinsTheList) {
  auto r = validate_request(EndpointType::Chat, J(R"({"temperature":3})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "body.temperature: Input should be less than or equal to 2; "
            "body.messages: Field required");
  EXPECT_EQ(r.error().openai_type(), "invalid_request_error");
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

TEST(JsonDepth, ScanCountsNestingOutsideStrings) {
  EXPECT_EQ(json_too_deep_at("{\"a\":[1,{\"b\":2}]}", 3), std::string_view::npos);
  EXPECT_EQ(json_too_deep_at("{\"a\":[1,{\"b\":[]}]}", 3), 13u);
  // Brackets inside strings, escaped quotes included, do not count.
  EXPECT_EQ(json_too_deep_at(R"({"a":"[[[[\"[[[[","b":1})", 1), std::string_view::npos);
  EXPECT_EQ(json_too_deep_at(std::string(256, '[') + std::string(256, ']')),
            std::string_view::npos);
  EXPECT_EQ(json_too_deep_at(std::string(257, '[')), 256u);
  EXPECT_TRUE(parse_json(std::string(300, '[') + std::string(300, ']')).is_discarded());
  EXPECT_EQ(parse_json("[[1]]"), Json::parse("[[1]]"));
}

TEST(JsonDepth, DeeplyNestedClientBodyIs422NotACrash) {
  // 100,000 levels: copying or serialising such a value would overflow the stack.
  const std::string body =
      "{\"prompt\":\"x\",\"extra\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = parse_request_body(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 422);
  EXPECT_EQ(
      to_text(r.error().detail),
      R"([{"type":"json_invalid","loc":["body",277],"msg":"JSON decode error","input":{},"ctx":{"error":"nested deeper than 256 levels"}}])");
}

TEST(JsonDepth, DeeplyNestedUpstreamReplyIs502) {
  auto r = decode_upstream_reply(UpstreamReply{
      200, "application/json", "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(r.error().message(),
            "The upstream returned a malformed response: the body nests deeper than 256 levels");
}

}  // namespace
}  // namespace gw
