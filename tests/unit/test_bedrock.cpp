// providers/bedrock: golden translation tests (docs/mlflow-compatibility.md §6.12 +
// docs/deviations.md): completions through InvokeModel for every model family, chat through
// Converse, streaming chat through ConverseStream (AWS event stream built with the encoder), error
// bodies. Upstream bodies follow the examples of the Bedrock documentation:
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
//   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-text-completion.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jurassic2.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-text-completion.html
// The Converse replies and the error body are in tests/fixtures/bedrock/ (README.md there).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "providers/wire/aws_eventstream.h"
#include "test_provider_fixtures.h"

namespace gw {
namespace {

using testing::texts;

using namespace gw::testing;

const std::string kConfig =
    "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKIDEXAMPLE, "
    "aws_secret_access_key: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY}}";
const std::string kHaiku = "anthropic.claude-3-haiku-20240307-v1:0";
const std::string kRuntime = "https://bedrock-runtime.us-east-1.amazonaws.com";

// The settings the gateway signs with (request.auth is AwsSigV4 for service "bedrock"), or
// nullptr when the request is not to be signed.
const config::BedrockSettings* aws_of(const UpstreamRequest& req) {
  const auto* how = std::get_if<AwsSigV4>(&req.auth);
  if (!how) return nullptr;
  EXPECT_EQ(how->service, "bedrock");
  return how->settings;
}

Json J(const std::string& text) { return Json::parse(text); }

// A file under tests/fixtures/bedrock/ (tests/fixtures/bedrock/README.md).
std::string fixture(const std::string& name) { return testing::fixture("bedrock/" + name); }

Subject chat(const std::string& model = kHaiku, const std::string& config = kConfig) {
  return subject("llm/v1/chat", "bedrock", model, config);
}
Subject completions(const std::string& model) {
  return subject("llm/v1/completions", "amazon-bedrock", model, kConfig);
}

// The request body, compared as text so key order counts.
void expect_body(const UpstreamRequest& req, const std::string& expected) {
  EXPECT_EQ(req.body, to_text(J(expected)));
}

void expect_error(const Subject& s, const std::string& body, int status,
                  const std::string& message) {
  auto call = prepare(s, body);
  ASSERT_FALSE(call.ok()) << body;
  EXPECT_EQ(call.error().status, status) << body;
  EXPECT_EQ(call.error().message(), message) << body;
}

// ---- chat: Converse requests -----------------------------------------------------------------

TEST(BedrockChatRequest, GoldenConverseRequest) {
  Subject s = chat();
  EXPECT_EQ(s.adapter->display_name(), "Amazon Bedrock");
  UpstreamRequest req =
      upstream_request(s, R"({"messages":[{"role":"system","content":"You are terse."},
                         {"role":"user","content":"Hello"},
                         {"role":"assistant","content":"Hi."},
                         {"role":"user","content":"Name a pop song."}],
            "temperature":0.5,"max_tokens":100,"stop":["END"],"top_p":0.9})");
  EXPECT_EQ(req.method, "POST");
  // The model id is percent-encoded as one path segment, as the AWS SDKs do (':' -> %3A).
  EXPECT_EQ(req.url, kRuntime + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  using Headers = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(req.headers,
            (Headers{{"Content-Type", "application/json"}, {"Accept", "application/json"}}));
  EXPECT_EQ(header(req, "Authorization"), "<absent>");  // the gateway signs
  ASSERT_NE(aws_of(req), nullptr);
  EXPECT_EQ(aws_of(req)->region, "us-east-1");
  EXPECT_EQ(aws_of(req)->endpoint_url, kRuntime);
  EXPECT_EQ(aws_of(req)->access_key_id.reveal(), "AKIDEXAMPLE");
  // Temperature halved (0..2 -> Converse's 0..1).
  expect_body(req, R"({"messages":[{"role":"user","content":[{"text":"Hello"}]},
                                   {"role":"assistant","content":[{"text":"Hi."}]},
                                   {"role":"user","content":[{"text":"Name a pop song."}]}],
                       "system":[{"text":"You are terse."}],
                       "inferenceConfig":{"maxTokens":100,"temperature":0.25,"topP":0.9,"stopSequences":["END"]}})");
}

TEST(BedrockChatRequest, AwsPointsAtTheAdaptersOwnSettings) {
  Subject s = chat();
  UpstreamRequest a = upstream_request(s, R"({"messages":[{"role":"user","content":"a"}]})");
  UpstreamRequest b = upstream_request(s, R"({"messages":[{"role":"user","content":"b"}]})");
  ASSERT_NE(aws_of(a), nullptr);
  EXPECT_EQ(aws_of(a), aws_of(b));  // one settings object, owned by the adapter
}

TEST(BedrockChatRequest, DefaultsOnly) {
  UpstreamRequest req =
      upstream_request(chat(), R"({"messages":[{"role":"user","content":"Hi"}]})");
  expect_body(req, R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],
                       "inferenceConfig":{"temperature":0.0}})");
}

TEST(BedrockChatRequest, ToolsToolCallsAndMergedToolResults) {
  // The tool and the tool result of AWS's "Call a tool with the Converse API" example.
  UpstreamRequest req = upstream_request(chat(), R"({
    "messages":[
      {"role":"user","content":"What is the most popular song on WZPZ?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","type":"function",
         "function":{"name":"top_song","arguments":"{\"sign\":\"WZPZ\"}"}},
        {"id":"tooluse_2","type":"function","function":{"name":"weather","arguments":""}}]},
      {"role":"tool","tool_call_id":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
       "content":"{\"song\":\"Elemental Hotel\",\"artist\":\"8 Storey Hike\"}"},
      {"role":"tool","tool_call_id":"tooluse_2","content":"sunny"}],
    "tools":[{"type":"function","function":{
      "name":"top_song","description":"Get the most popular song played on a radio station.",
      "parameters":{"type":"object","properties":{"sign":{"type":"string",
        "description":"The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP."}},
        "required":["sign"]}}},
      {"type":"function","function":{"name":"weather"}}],
    "tool_choice":"required"})");
  expect_body(req, R"({
    "messages":[
      {"role":"user","content":[{"text":"What is the most popular song on WZPZ?"}]},
      {"role":"assistant","content":[
        {"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"top_song","input":{"sign":"WZPZ"}}},
        {"toolUse":{"toolUseId":"tooluse_2","name":"weather","input":{}}}]},
      {"role":"user","content":[
        {"toolResult":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                       "content":[{"json":{"song":"Elemental Hotel","artist":"8 Storey Hike"}}]}},
        {"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"sunny"}]}}]}],
    "inferenceConfig":{"temperature":0.0},
    "toolConfig":{"tools":[
      {"toolSpec":{"name":"top_song","description":"Get the most popular song played on a radio station.",
                   "inputSchema":{"json":{"type":"object","properties":{"sign":{"type":"string",
                     "description":"The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP."}},
                     "required":["sign"]}}}},
      {"toolSpec":{"name":"weather","inputSchema":{"json":{"type":"object","properties":{}}}}}],
      "toolChoice":{"any":{}}}})");
}

TEST(BedrockChatRequest, ToolChoiceMapping) {
  const std::string tools = R"("tools":[{"type":"function","function":{"name":"f"}}])";
  auto choice_of = [&](const std::string& choice) {
    UpstreamRequest req =
        upstream_request(chat(), R"({"messages":[{"role":"user","content":"x"}],)" + tools +
                                     R"(,"tool_choice":)" + choice + "}");
    Json body = J(req.body);
    return body["toolConfig"].contains("toolChoice") ? body["toolConfig"]["toolChoice"]
                                                     : Json(nullptr);
  };
  EXPECT_EQ(choice_of(R"("auto")"), J(R"({"auto":{}})"));
  EXPECT_EQ(choice_of(R"("required")"), J(R"({"any":{}})"));
  EXPECT_EQ(choice_of(R"({"type":"function","function":{"name":"f"}})"),
            J(R"({"tool":{"name":"f"}})"));
}

TEST(BedrockChatRequest, ToolChoiceNoneSendsNoToolConfig) {
  // Converse's toolChoice has only auto / any / tool
  // (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolChoice.html):
  // "none" is honoured by not telling the model about any tool.
  const std::string tools = R"("tools":[{"type":"function","function":{"name":"f"}}])";
  for (const char* stream : {"false", "true"}) {
    UpstreamRequest req =
        upstream_request(chat(), R"({"messages":[{"role":"user","content":"x"}],)" + tools +
                                     R"(,"tool_choice":"none","stream":)" + stream + "}");
    expect_body(
        req,
        R"({"messages":[{"role":"user","content":[{"text":"x"}]}],"inferenceConfig":{"temperature":0.0}})");
  }
  // Bedrock requires toolConfig once the conversation holds toolUse/toolResult blocks.
  const std::string call =
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function",)"
      R"("function":{"name":"f","arguments":"{}"}}]})";
  const std::string result = R"({"role":"tool","tool_call_id":"t1","content":"42"})";
  const std::string message =
      "tool_choice 'none' is not supported by Amazon Bedrock when the conversation contains tool "
      "calls.";
  for (const std::string& history :
       {R"({"role":"user","content":"x"},)" + call + "," + result,
        R"({"role":"user","content":"x"},)" + call, R"({"role":"user","content":"x"},)" + result}) {
    expect_error(chat(), R"({"messages":[)" + history + "]," + tools + R"(,"tool_choice":"none"})",
                 422, message);
    expect_error(chat(), R"({"messages":[)" + history + R"(],"tool_choice":"none"})", 422, message);
  }
  // Other choices with such a conversation are unchanged.
  UpstreamRequest auto_req =
      upstream_request(chat(), R"({"messages":[{"role":"user","content":"x"},)" + call + "," +
                                   result + "]," + tools + R"(,"tool_choice":"auto"})");
  EXPECT_EQ(
      to_text(J(auto_req.body)["toolConfig"]),
      R"({"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object","properties":{}}}}}],)"
      R"("toolChoice":{"auto":{}}})");
}

TEST(BedrockChatRequest, TopPWithTheDefaultTemperatureSendsOnlyTopP) {
  // The temperature is always present (schema default 0.0): with top_p, 0.0 means "not set".
  expect_body(
      upstream_request(chat(), R"({"messages":[{"role":"user","content":"Hi"}],"top_p":0.9})"),
      R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"topP":0.9}})");
  expect_body(
      upstream_request(
          chat(),
          R"({"messages":[{"role":"user","content":"Hi"}],"top_p":0.9,"temperature":0.0,"stream":true})"),
      R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"topP":0.9}})");
  // Both non-default: both sent (the golden request above), temperature halved.
  expect_body(
      upstream_request(
          chat(), R"({"messages":[{"role":"user","content":"Hi"}],"top_p":0.5,"temperature":1.0})"),
      R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"temperature":0.5,"topP":0.5}})");
}

TEST(BedrockChatRequest, StreamingGoesToConverseStream) {
  UpstreamRequest req = upstream_request(
      chat(),
      R"({"messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(req.url, kRuntime + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
  EXPECT_EQ(header(req, "Accept"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Authorization"), "<absent>");
  EXPECT_NE(aws_of(req), nullptr);
  expect_body(
      req,
      R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"temperature":0.0}})");
}

TEST(BedrockChatRequest, ExtrasGoToAdditionalModelRequestFieldsOrPassThrough) {
  UpstreamRequest req = upstream_request(
      chat(),
      R"({"messages":[{"role":"developer","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]},
                              {"role":"user","content":[{"type":"text","text":"Hi"},
                                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}],
                  "top_k":200,"guardrailConfig":{"guardrailIdentifier":"gr-1","guardrailVersion":"1"},
                  "max_completion_tokens":30})");
  expect_body(req, R"({"messages":[{"role":"user","content":[{"text":"Hi"},
                                     {"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]}],
                       "system":[{"text":"A\nB"}],
                       "inferenceConfig":{"maxTokens":30,"temperature":0.0},
                       "guardrailConfig":{"guardrailIdentifier":"gr-1","guardrailVersion":"1"},
                       "additionalModelRequestFields":{"top_k":200}})");
}

TEST(BedrockChatRequest, ModelIdsAndEndpointOverrides) {
  // An inference-profile ARN: every reserved character, '/' included, is percent-encoded.
  UpstreamRequest arn = upstream_request(chat("arn:aws:bedrock:us-east-1:123456789012:inference-"
                                              "profile/us.anthropic.claude-3-haiku-20240307-v1:0"),
                                         R"({"messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(arn.url,
            kRuntime +
                "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
                "us.anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  // aws_endpoint_url (docs/deviations.md: every provider accepts an API base) replaces the
  // default.
  // The request points into its adapter's settings (`aws`): the adapter must outlive it (found
  // by ASan: the temporary adapter was gone when `aws_of(proxied)` was read).
  const Subject proxy = chat(kHaiku,
                             "{aws_endpoint_url: 'https://proxy.example.com/bedrock/', aws_config: "
                             "{aws_region: eu-west-1, "
                             "aws_access_key_id: A, aws_secret_access_key: S}}");
  UpstreamRequest proxied =
      upstream_request(proxy, R"({"messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(
      proxied.url,
      "https://proxy.example.com/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  ASSERT_NE(aws_of(proxied), nullptr);
  EXPECT_EQ(aws_of(proxied)->region, "eu-west-1");
}

TEST(BedrockChatRequest, ValidationErrors) {
  Subject s = chat();
  expect_error(s, R"({"messages":[{"role":"user","content":"x"}],"n":2})", 422,
               "'n' must be '1' for Amazon Bedrock chat. Received value: '2'.");
  expect_error(
      s, R"({"messages":[{"role":"user","content":"x"}],"model":"other"})", 422,
      "The parameter 'model' is not permitted to be passed. The route being queried already "
      "defines a model instance.");
  expect_error(
      s,
      R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"uc_function","uc_function":{"name":"f"}}]})",
      422, "Only function calling tool is supported, but received tool type uc_function");
  expect_error(s, R"({"messages":[{"role":"critic","content":"x"}]})", 422,
               "Amazon Bedrock chat does not support the message role 'critic'.");
  expect_error(
      s,
      R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c1","function":{"name":"f","arguments":"[1,"}}]}]})",
      422, "The arguments of tool call 'c1' are not a JSON object.");
  expect_error(s, R"({"messages":[{"role":"tool","content":"x"}]})", 422,
               "A 'tool' message needs a 'tool_call_id' for Amazon Bedrock chat.");
  expect_error(
      s,
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]})",
      422,
      "Amazon Bedrock chat accepts images only as base64 data URLs "
      "(data:image/<format>;base64,...).");
  expect_error(
      s,
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,AA=="}}]}]})",
      422, "Amazon Bedrock chat does not support the image format 'bmp' (png, jpeg, gif or webp).");
  expect_error(
      s,
      R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}}]}]})",
      422, "Amazon Bedrock chat does not support content parts of type 'input_audio'.");
}

// ---- chat: Converse responses ----------------------------------------------------------------

TEST(BedrockChatResponse, GoldenTextReply) {
  // The response shape of API_runtime_Converse (output.message, stopReason, usage, metrics).
  auto r = reply(chat(), 200, fixture("converse_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(to_text(*r), to_text(J(R"({
    "id":"bedrock-chat-1700000000","object":"chat.completion","created":1700000000,
    "model":"anthropic.claude-3-haiku-20240307-v1:0",
    "choices":[{"index":0,"message":{"role":"assistant",
      "content":"Here is a list of 3 pop songs by artists from the United Kingdom:\n\n1. \"As It Was\" by Harry Styles",
      "tool_calls":null,"refusal":null},"finish_reason":"stop"}],
    "usage":{"prompt_tokens":125,"completion_tokens":60,"total_tokens":185}})")));
}

TEST(BedrockChatResponse, GoldenToolUseReply) {
  // AWS's tool-use example reply (tool-use-inference-call.html), usage absent.
  auto r = reply(chat(), 200, fixture("converse_tool_use_response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(to_text(*r), to_text(J(R"({
    "id":"bedrock-chat-1700000000","object":"chat.completion","created":1700000000,
    "model":"anthropic.claude-3-haiku-20240307-v1:0",
    "choices":[{"index":0,"message":{"role":"assistant","content":null,
      "tool_calls":[{"id":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","type":"function",
                     "function":{"name":"top_song","arguments":"{\"sign\":\"WZPZ\"}"}}],
      "refusal":null},"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":null,"completion_tokens":null,"total_tokens":null}})")));
}

TEST(BedrockChatResponse, StopReasons) {
  const std::vector<std::pair<std::string, Json>> cases = {
      {"end_turn", "stop"},
      {"stop_sequence", "stop"},
      {"max_tokens", "length"},
      {"tool_use", "tool_calls"},
      {"content_filtered", "content_filter"},
      {"guardrail_intervened", "content_filter"},
      {"malformed_model_output", "malformed_model_output"}};
  for (const auto& [reason, expected] : cases) {
    auto r = reply(
        chat(), 200,
        R"({"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":")" +
            reason + R"("})");
    ASSERT_TRUE(r.ok()) << reason;
    EXPECT_EQ((*r)["choices"][0]["finish_reason"], expected) << reason;
  }
  auto none = reply(chat(), 200, R"({"output":{"message":{"content":[]}}})");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)["choices"][0]["finish_reason"], Json(nullptr));
  EXPECT_EQ((*none)["choices"][0]["message"]["content"], Json(nullptr));
}

TEST(BedrockChatResponse, MalformedBodiesAre502) {
  for (const char* body : {"[]", "\"x\"", "{}", R"({"output":1})", R"({"output":{"message":null}})",
                           R"({"output":{"message":{"content":"x"}}})",
                           R"({"output":{"message":{"content":[{"text":5}]}}})",
                           R"({"output":{"message":{"content":[{"toolUse":"x"}]}}})"}) {
    auto r = reply(chat(), 200, body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 502) << body;
  }
  auto not_json = reply(chat(), 200, "{oops");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().status, 502);
}

TEST(BedrockErrors, ErrorBodiesKeepStatusAndMessage) {
  // Bedrock error bodies are {"message": ...} (x-amzn-ErrorType names the exception); some AWS
  // front ends answer {"Message": ...}.
  struct Case {
    int status;
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {400, fixture("error.json"),
       "Malformed input request: #: extraneous key [foo] is not permitted, please reformat your "
       "input and try again."},
      {403,
       R"({"Message":"User: arn:aws:iam::123456789012:user/x is not authorized to perform: bedrock:InvokeModel"})",
       "User: arn:aws:iam::123456789012:user/x is not authorized to perform: bedrock:InvokeModel"},
      {429, R"({"message":"Too many requests, please wait before trying again."})",
       "Too many requests, please wait before trying again."},
  };
  for (const auto& c : cases) {
    for (const Subject& s : {chat(), completions("amazon.titan-text-express-v1")}) {
      auto r = reply(s, c.status, c.body);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().status, c.status);
      EXPECT_EQ(r.error().detail, Json(c.message));
    }
  }
  // Without a message field the whole body is the detail (mlflow-compatibility §3.6).
  auto other = reply(chat(), 404, R"({"code":"x"})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().detail, J(R"({"code":"x"})"));
}

// ---- completions: InvokeModel requests per family --------------------------------------------

struct FamilyCase {
  const char* name;
  const char* model;
  const char* client;
  const char* url_model;  // the encoded path segment
  const char* body;
};

class BedrockCompletionsRequest : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(BedrockCompletionsRequest, Golden) {
  const FamilyCase& c = GetParam();
  Subject s = completions(c.model);
  UpstreamRequest req = upstream_request(s, c.client);
  EXPECT_EQ(req.url, kRuntime + "/model/" + c.url_model + "/invoke");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Accept"), "application/json");
  EXPECT_EQ(header(req, "Authorization"), "<absent>");
  EXPECT_NE(aws_of(req), nullptr);
  expect_body(req, c.body);
}

// Defaults (temperature 0.0, n 1) are dropped as MLflow's exclude_defaults does; a client
// `model` is silently ignored (MLflow never checks it for Bedrock).
const char* kWithValues = R"({"prompt":"Hello","temperature":0.5,"max_tokens":50,"stop":["END"]})";

INSTANTIATE_TEST_SUITE_P(
    Families, BedrockCompletionsRequest,
    ::testing::Values(
        FamilyCase{"anthropic_defaults", "anthropic.claude-v2:1",
                   R"({"prompt":"Hello","model":"ignored"})", "anthropic.claude-v2%3A1",
                   R"({"prompt":"\n\nHuman: Hello\n\nAssistant:","max_tokens_to_sample":8191,
                       "stop_sequences":["\n\nHuman:"],"anthropic_version":"bedrock-2023-05-31"})"},
        FamilyCase{
            "anthropic_values", "anthropic.claude-v2:1", kWithValues, "anthropic.claude-v2%3A1",
            R"({"temperature":0.25,"stop_sequences":["END","\n\nHuman:"],"max_tokens_to_sample":50,
                       "prompt":"\n\nHuman: Hello\n\nAssistant:","anthropic_version":"bedrock-2023-05-31"})"},
        FamilyCase{
            "anthropic_wrapped_prompt_and_clamp", "us.anthropic.claude-instant-v1",
            R"({"prompt":"Human: Hi\n\nAssistant:","max_tokens":100000,"stop":["\n\nHuman:"],"top_p":0.5})",
            "us.anthropic.claude-instant-v1",
            R"({"stop_sequences":["\n\nHuman:"],"max_tokens_to_sample":8191,
                       "prompt":"\n\nHuman: Hi\n\nAssistant:","top_p":0.5,"anthropic_version":"bedrock-2023-05-31"})"},
        FamilyCase{"titan_defaults", "amazon.titan-text-express-v1", R"({"prompt":"Hello"})",
                   "amazon.titan-text-express-v1",
                   R"({"inputText":"Hello","textGenerationConfig":{}})"},
        FamilyCase{
            "titan_values", "amazon.titan-text-express-v1",
            R"({"prompt":"Hello","temperature":0.5,"max_tokens":50,"stop":["END"],"top_p":0.9})",
            "amazon.titan-text-express-v1",
            R"({"inputText":"Hello","textGenerationConfig":{"temperature":0.25,"stopSequences":["END"],
                       "maxTokenCount":50,"topP":0.9}})"},
        FamilyCase{
            "ai21", "ai21.j2-ultra-v1",
            R"({"prompt":"Hello","temperature":0.5,"n":2,"max_tokens":50,"stop":["END"],"top_p":0.9})",
            "ai21.j2-ultra-v1",
            R"({"temperature":0.5,"numResults":2,"stopSequences":["END"],"maxTokens":50,"prompt":"Hello","topP":0.9})"},
        FamilyCase{
            "cohere", "cohere.command-text-v14",
            R"({"prompt":"Hello","temperature":0.5,"n":2,"max_tokens":50,"stop":["END"]})",
            "cohere.command-text-v14",
            R"({"temperature":1.25,"num_generations":2,"stop_sequences":["END"],"max_tokens":50,"prompt":"Hello"})"},
        FamilyCase{"cohere_defaults", "cohere.command-light-text-v14", R"({"prompt":"Hello"})",
                   "cohere.command-light-text-v14", R"({"prompt":"Hello"})"},
        FamilyCase{"meta", "meta.llama3-8b-instruct-v1:0",
                   R"({"prompt":"Hello","temperature":0.5,"max_tokens":50,"top_p":0.9})",
                   "meta.llama3-8b-instruct-v1%3A0",
                   R"({"temperature":0.25,"max_gen_len":50,"prompt":"Hello","top_p":0.9})"},
        FamilyCase{"mistral", "mistral.mistral-7b-instruct-v0:2", kWithValues,
                   "mistral.mistral-7b-instruct-v0%3A2",
                   R"({"temperature":0.25,"stop":["END"],"max_tokens":50,"prompt":"Hello"})"}),
    [](const ::testing::TestParamInfo<FamilyCase>& info) { return std::string(info.param.name); });

TEST(BedrockCompletionsRequestErrors, MlflowTexts) {
  expect_error(completions("stability.stable-diffusion-xl-v1"), R"({"prompt":"x"})", 422,
               "Unknown Amazon Bedrock model type None");
  expect_error(completions("anthropic-claude-v2"), R"({"prompt":"x"})", 422,  // no '.'
               "Unknown Amazon Bedrock model type None");
  expect_error(completions("amazon.titan-text-lite-v1"), R"({"prompt":"x","n":3})", 422,
               "'n' must be '1' for AWS Titan models. Received value: '3'.");
  Subject claude = completions("anthropic.claude-v2");
  expect_error(claude, R"({"prompt":"x","n":2})", 422,
               "'n' must be '1' for the Anthropic provider. Received value: '2'.");
  expect_error(
      claude, R"({"prompt":"x","temperature":0.4,"top_p":0.9})", 422,
      "Cannot set both 'temperature' and 'top_p' parameters. Please use only the temperature "
      "parameter for your query.");
  expect_error(claude, R"({"prompt":"x","max_tokens":1000001})", 422,
               "Invalid value for max_tokens: cannot exceed 1000000.");
  Subject cohere = completions("cohere.command-text-v14");
  expect_error(cohere, R"({"prompt":"x","stop_sequences":["a"]})", 400,
               "Invalid parameter stop_sequences. Use stop instead.");
  expect_error(cohere, R"({"prompt":"x","num_generations":2})", 400,
               "Invalid parameter num_generations. Use n instead.");
  expect_error(completions("meta.llama3-8b-instruct-v1:0"), R"({"prompt":"x","n":2})", 422,
               "'n' must be '1' for Meta Llama models on Amazon Bedrock. Received value: '2'.");
  expect_error(completions("meta.llama3-8b-instruct-v1:0"), R"({"prompt":"x","stop":["a"]})", 422,
               "Meta Llama models on Amazon Bedrock do not support the 'stop' parameter.");
  expect_error(completions("mistral.mistral-large-2402-v1:0"), R"({"prompt":"x","n":2})", 422,
               "'n' must be '1' for Mistral AI models on Amazon Bedrock. Received value: '2'.");
  // Completions streaming is not served (capability table): MLflow's 501 text.
  expect_error(claude, R"({"prompt":"x","stream":true})", 501,
               "The completions streaming route is not implemented for Amazon Bedrock models.");
  EXPECT_EQ(claude.adapter->stream_translator(claude.ctx, false), nullptr);
}

// ---- completions: InvokeModel responses per family -------------------------------------------

struct ResponseCase {
  const char* name;
  const char* model;
  const char* body;
  const char* choices;
  const char* usage;
};

class BedrockCompletionsResponse : public ::testing::TestWithParam<ResponseCase> {};

TEST_P(BedrockCompletionsResponse, Golden) {
  const ResponseCase& c = GetParam();
  auto r = reply(completions(c.model), 200, c.body);
  ASSERT_TRUE(r.ok()) << r.error().message();
  Json expected;
  expected["id"] = nullptr;
  expected["object"] = "text_completion";
  expected["created"] = kNow;
  expected["model"] = c.model;
  expected["choices"] = J(c.choices);
  expected["usage"] = J(c.usage);
  EXPECT_EQ(to_text(*r), to_text(expected));
}

const char* kNullUsage = R"({"prompt_tokens":null,"completion_tokens":null,"total_tokens":null})";

INSTANTIATE_TEST_SUITE_P(
    Families, BedrockCompletionsResponse,
    ::testing::Values(
        ResponseCase{
            "titan", "amazon.titan-text-express-v1",
            R"({"inputTextTokenCount":3,"results":[{"tokenCount":9,"outputText":"\nHello! How can I help you?\n","completionReason":"FINISH"}]})",
            R"([{"index":0,"text":"\nHello! How can I help you?\n","finish_reason":"stop"}])",
            R"({"prompt_tokens":3,"completion_tokens":9,"total_tokens":12})"},
        ResponseCase{
            "titan_length", "amazon.titan-text-lite-v1",
            R"({"inputTextTokenCount":3,"results":[{"outputText":"cut","completionReason":"LENGTH"}]})",
            R"([{"index":0,"text":"cut","finish_reason":"length"}])",
            R"({"prompt_tokens":3,"completion_tokens":null,"total_tokens":null})"},
        ResponseCase{
            "anthropic", "anthropic.claude-v2",
            R"({"completion":" Hello! My name is Claude.","stop_reason":"stop_sequence","stop":"\n\nHuman:"})",
            R"([{"index":0,"text":" Hello! My name is Claude.","finish_reason":"stop"}])",
            kNullUsage},
        ResponseCase{"anthropic_max_tokens", "anthropic.claude-v2",
                     R"({"completion":" Hello","stop_reason":"max_tokens","stop":null})",
                     R"([{"index":0,"text":" Hello","finish_reason":"length"}])", kNullUsage},
        ResponseCase{
            "ai21", "ai21.j2-mid-v1",
            R"({"id":1234,"prompt":{"text":"Hello","tokens":[]},"completions":[
                         {"data":{"text":"\nHi there","tokens":[]},"finishReason":{"reason":"endoftext"}},
                         {"data":{"text":"\nHey","tokens":[]},"finishReason":{"reason":"length","length":2}}]})",
            R"([{"index":0,"text":"\nHi there","finish_reason":"stop"},{"index":1,"text":"\nHey","finish_reason":"length"}])",
            kNullUsage},
        ResponseCase{
            "cohere", "cohere.command-text-v14",
            R"({"generations":[{"finish_reason":"COMPLETE","id":"a1","text":" Hi!","index":0,"is_finished":true},
                                        {"finish_reason":"MAX_TOKENS","id":"a2","text":" Hel","index":1}],
                         "id":"5c0d2d2c","prompt":"Hello"})",
            R"([{"index":0,"text":" Hi!","finish_reason":"stop"},{"index":1,"text":" Hel","finish_reason":"length"}])",
            kNullUsage},
        ResponseCase{
            "meta", "meta.llama3-8b-instruct-v1:0",
            R"({"generation":"\n\nHello there!","prompt_token_count":11,"generation_token_count":5,"stop_reason":"stop"})",
            R"([{"index":0,"text":"\n\nHello there!","finish_reason":"stop"}])",
            R"({"prompt_tokens":11,"completion_tokens":5,"total_tokens":16})"},
        ResponseCase{"mistral", "mistral.mistral-7b-instruct-v0:2",
                     R"({"outputs":[{"text":" Hello!","stop_reason":"length"}]})",
                     R"([{"index":0,"text":" Hello!","finish_reason":"length"}])", kNullUsage}),
    [](const ::testing::TestParamInfo<ResponseCase>& info) {
      return std::string(info.param.name);
    });

TEST(BedrockCompletionsResponseErrors, MalformedBodiesAre502) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"anthropic.claude-v2", {"[]", "{}", R"({"completion":5})", R"({"completion":null})"}},
      {"amazon.titan-text-express-v1",
       {"{}", R"({"results":"x"})", R"({"results":[{"outputText":1}]})", R"({"results":[5]})"}},
      {"ai21.j2-ultra-v1", {"{}", R"({"completions":[{"data":"x"}]})", R"({"completions":[{}]})"}},
      {"cohere.command-text-v14",
       {"{}", R"({"generations":{}})", R"({"generations":[{"text":[]}]})"}},
      {"meta.llama3-8b-instruct-v1:0", {"{}", R"({"generation":1})", "\"x\""}},
      {"mistral.mistral-7b-instruct-v0:2", {"{}", R"({"outputs":[null]})", R"({"outputs":"x"})"}},
  };
  for (const auto& [model, bodies] : cases) {
    for (const auto& body : bodies) {
      auto r = reply(completions(model), 200, body);
      ASSERT_FALSE(r.ok()) << model << " " << body;
      EXPECT_EQ(r.error().status, 502) << model << " " << body;
    }
  }
}

// ---- streaming chat: ConverseStream ----------------------------------------------------------

// One event-stream message as Bedrock sends it (ConverseStream payloads carry a padding "p").
std::string event(const std::string& type, const std::string& payload) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {":event-type", type}, {":content-type", "application/json"}, {":message-type", "event"}};
  return encode_event_stream_message(headers, payload);
}
std::string exception(const std::string& type, const std::string& payload) {
  std::vector<std::pair<std::string, std::string>> headers = {{":exception-type", type},
                                                              {":content-type", "application/json"},
                                                              {":message-type", "exception"}};
  return encode_event_stream_message(headers, payload);
}

const std::vector<std::string> kTextEvents = {
    event("messageStart", R"({"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH","role":"assistant"})"),
    event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcd"})"),
    event("contentBlockDelta",
          R"({"contentBlockIndex":0,"delta":{"text":" world"},"p":"abcdefgh"})"),
    event("contentBlockStop", R"({"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCD"})"),
    event("messageStop", R"({"p":"abcdefghijklm","stopReason":"end_turn"})"),
    event(
        "metadata",
        R"({"metrics":{"latencyMs":412},"p":"abc","usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16}})"),
};

std::string joined(const std::vector<std::string>& parts, std::size_t count = std::string::npos) {
  std::string out;
  for (std::size_t i = 0; i < parts.size() && i < count; ++i) out += parts[i];
  return out;
}

std::string chunk_text(const std::string& delta, const std::string& finish = "null") {
  return to_text(J(
      R"({"id":"bedrock-chat-stream-1700000000","object":"chat.completion.chunk","created":1700000000,
                       "model":"anthropic.claude-3-haiku-20240307-v1:0",
                       "choices":[{"index":0,"finish_reason":)" +
      finish + R"(,"delta":)" + delta + "}]}"));
}
TEST(BedrockStream, FramingAndTranslatorAvailability) {
  Subject s = chat();
  EXPECT_EQ(s.adapter->stream_framing(), StreamFraming::AwsEventStream);
  EXPECT_NE(s.adapter->stream_translator(s.ctx, false), nullptr);
}

TEST(BedrockStream, TextStreamWholeAndBytewise) {
  Subject s = chat();
  const std::vector<std::string> expected = {
      chunk_text(R"({"role":"assistant","content":"","tool_calls":null})"),
      chunk_text(R"({"role":null,"content":"Hello","tool_calls":null})"),
      chunk_text(R"({"role":null,"content":" world","tool_calls":null})"),
      chunk_text(R"({"role":null,"content":null,"tool_calls":null})", R"("stop")"),
  };
  for (bool bytewise : {false, true}) {
    StreamOutcome out = run_stream(s, joined(kTextEvents), false, bytewise);
    EXPECT_FALSE(out.error) << (out.error ? out.error->message() : "");
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(texts(out.chunks), expected) << "bytewise=" << bytewise;
  }
}

TEST(BedrockStream, UsageChunkOnlyWhenWanted) {
  Subject s = chat();
  for (bool bytewise : {false, true}) {
    StreamOutcome out = run_stream(s, joined(kTextEvents), true, bytewise);
    ASSERT_EQ(out.chunks.size(), 5u);
    EXPECT_EQ(to_text(out.chunks.back()),
              to_text(J(R"({"id":"bedrock-chat-stream-1700000000","object":"chat.completion.chunk",
                           "created":1700000000,"model":"anthropic.claude-3-haiku-20240307-v1:0","choices":[],
                           "usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}})")));
    EXPECT_TRUE(out.finished);
  }
  EXPECT_EQ(run_stream(s, joined(kTextEvents), false).chunks.size(), 4u);
}

TEST(BedrockStream, ToolUseStream) {
  // Text block 0, then tool block 1 (AWS's top_song example): the tool call is OpenAI index 0.
  const std::string bytes =
      event("messageStart", R"({"role":"assistant"})") +
      event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Let me look."}})") +
      event("contentBlockStop", R"({"contentBlockIndex":0})") +
      event(
          "contentBlockStart",
          R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"top_song"}}})") +
      event("contentBlockDelta",
            R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"sign\": "}}})") +
      event("contentBlockDelta",
            R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"WZPZ\"}"}}})") +
      event("contentBlockStop", R"({"contentBlockIndex":1})") +
      event("messageStop", R"({"stopReason":"tool_use"})") +
      event(
          "metadata",
          R"({"usage":{"inputTokens":400,"outputTokens":50,"totalTokens":450},"metrics":{"latencyMs":900}})");
  const std::vector<std::string> expected = {
      chunk_text(R"({"role":"assistant","content":"","tool_calls":null})"),
      chunk_text(R"({"role":null,"content":"Let me look.","tool_calls":null})"),
      chunk_text(
          R"({"role":null,"content":null,"tool_calls":[{"index":0,"id":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                    "type":"function","function":{"name":"top_song","arguments":""}}]})"),
      chunk_text(R"({"role":null,"content":null,"tool_calls":[{"index":0,"id":null,"type":null,
                    "function":{"name":null,"arguments":"{\"sign\": "}}]})"),
      chunk_text(R"({"role":null,"content":null,"tool_calls":[{"index":0,"id":null,"type":null,
                    "function":{"name":null,"arguments":"\"WZPZ\"}"}}]})"),
      chunk_text(R"({"role":null,"content":null,"tool_calls":null})", R"("tool_calls")"),
  };
  for (bool bytewise : {false, true}) {
    StreamOutcome out = run_stream(chat(), bytes, false, bytewise);
    EXPECT_FALSE(out.error);
    EXPECT_TRUE(out.finished);
    EXPECT_EQ(texts(out.chunks), expected);
  }
}

TEST(BedrockStream, ExceptionMidStreamIsA502WithTheMessage) {
  const std::string bytes =
      joined(kTextEvents, 2) +
      exception("throttlingException",
                R"({"message":"Too many tokens, please wait before trying again."})") +
      joined(std::vector<std::string>(kTextEvents.begin() + 2, kTextEvents.end()));
  for (bool bytewise : {false, true}) {
    StreamOutcome out = run_stream(chat(), bytes, true, bytewise);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->status, 502);
    EXPECT_EQ(
        out.error->message(),
        "The upstream reported an error mid-stream: throttlingException: Too many tokens, please "
        "wait before trying again.");
    EXPECT_EQ(out.chunks.size(), 2u);  // what came before the exception was delivered
    EXPECT_FALSE(out.finished);
  }
  // An `error` message (code and message in headers) fails the same way.
  std::vector<std::pair<std::string, std::string>> headers = {
      {":message-type", "error"}, {":error-code", "InternalFailure"}, {":error-message", "boom"}};
  StreamOutcome err = run_stream(chat(), encode_event_stream_message(headers, ""));
  ASSERT_TRUE(err.error);
  EXPECT_EQ(err.error->status, 502);
  EXPECT_EQ(err.error->message(),
            "The upstream reported an error mid-stream: InternalFailure: boom");
}

TEST(BedrockStream, TruncatedStreamIsNotFinished) {
  const std::string all = joined(kTextEvents);
  // Cut inside the third message: two chunks out, no end.
  const std::size_t cut = kTextEvents[0].size() + kTextEvents[1].size() + kTextEvents[2].size() / 2;
  StreamOutcome out = run_stream(chat(), all.substr(0, cut));
  EXPECT_FALSE(out.error);
  EXPECT_FALSE(out.finished);
  EXPECT_EQ(out.chunks.size(), 2u);
  // Cut right after messageStop: only the metadata (usage) is lost, EOF there is a clean end.
  StreamOutcome after_stop = run_stream(chat(), joined(kTextEvents, 5));
  EXPECT_FALSE(after_stop.error);
  EXPECT_TRUE(after_stop.finished);
  EXPECT_EQ(after_stop.chunks.size(), 4u);
}

TEST(BedrockStream, CorruptedCrcIsAnError) {
  std::string bytes = joined(kTextEvents);
  // Flip one payload byte of the second message: its message CRC no longer matches.
  bytes[kTextEvents[0].size() + kTextEvents[1].size() - 8] ^= 0x01;
  for (bool bytewise : {false, true}) {
    StreamOutcome out = run_stream(chat(), bytes, false, bytewise);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->status, 502);
    // Fed whole, the failing feed() returns nothing (the stream is lost); byte by byte, the
    // first message was complete before the corrupted one.
    EXPECT_EQ(out.chunks.size(), bytewise ? 1u : 0u);
    EXPECT_FALSE(out.finished);
  }
}

TEST(BedrockStream, GarbageAndUnknownEvents) {
  // Unknown event types (future additions) are skipped; an unparseable payload is an error.
  StreamOutcome skipped =
      run_stream(chat(), event("somethingNew", R"({"x":1})") + joined(kTextEvents));
  EXPECT_FALSE(skipped.error);
  EXPECT_EQ(skipped.chunks.size(), 4u);
  StreamOutcome garbage = run_stream(chat(), event("contentBlockDelta", "not json"));
  ASSERT_TRUE(garbage.error);
  EXPECT_EQ(garbage.error->status, 502);
  StreamOutcome wrong = run_stream(chat(), event("contentBlockDelta", R"({"delta":{"text":5}})"));
  ASSERT_TRUE(wrong.error);
  EXPECT_EQ(wrong.error->status, 502);
  // Reasoning deltas have no unified equivalent: skipped.
  StreamOutcome reasoning = run_stream(
      chat(), event("contentBlockDelta",
                    R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hmm"}}})"));
  EXPECT_FALSE(reasoning.error);
  EXPECT_TRUE(reasoning.chunks.empty());
}

}  // namespace
}  // namespace gw
