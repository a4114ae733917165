// config/: YAML -> GatewayConfig. Every error test asserts the exact text, YAML path, line and
// column (docs/architecture.md, "Tests"), because those texts are what an operator greps for.
// The error cases are table-driven: each row of a table below is YAML text -> the exact error
// texts (with path, line and column) that loading it reports.
//
// Hermetic: secrets come from an injected EnvLookup (never the real environment), and files
// are private temp files.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/suggest.h"

namespace gw::config {
namespace {

EnvLookup env_from(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup& test_env() {
  static const EnvLookup env = env_from({{"OPENAI_KEY", "sk-from-env"}, {"EMPTY", ""}});
  return env;
}

LoadResult load(std::string_view yaml) { return load_config_string(yaml, test_env()); }

std::vector<std::string> texts(const std::vector<ConfigIssue>& issues) {
  std::vector<std::string> out;
  for (const auto& issue : issues) out.push_back(issue.to_string());
  return out;
}

std::vector<std::string> errors_of(std::string_view yaml) { return texts(load(yaml).errors); }

using Texts = std::vector<std::string>;

// The implemented providers as messages list them: every catalogue row, in catalogue order, so
// adding a provider changes no expected text here (ConfigMessages.ProviderListFormat pins the
// format and the first entries).
std::string provider_list() {
  std::string out;
  for (const auto& row : all_providers()) out += (out.empty() ? "" : ", ") + std::string(row.provider);
  return out;
}

// One row of an error table: loading `yaml` reports exactly `errors`, in order. `name` is the
// GoogleTest parameter name (unique, CamelCase).
struct ErrorCase {
  const char* name;
  std::string yaml;
  Texts errors;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

std::string case_name(const ::testing::TestParamInfo<ErrorCase>& info) {
  return std::string(info.param.name);
}

// Every table below is instantiated over this one test.
class ConfigErrorTable : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrorTable, ReportsExactTexts) {
  const ErrorCase& c = GetParam();
  EXPECT_EQ(errors_of(c.yaml), c.errors) << c.yaml;
}

// A private temp file, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/gw_config_test_XXXXXX";
    const int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    path_ = tmpl;
    EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A valid chat endpoint, to embed in tests that are about something else.
constexpr std::string_view kOpenAIChat = R"(endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: $OPENAI_KEY
)";

// ---- small helpers --------------------------------------------------------------------------

TEST(ConfigBasics, EndpointTypeRoundTrip) {
  for (auto t : {EndpointType::Completions, EndpointType::Chat, EndpointType::Embeddings}) {
    EXPECT_EQ(parse_endpoint_type(to_string(t)), t);
  }
  EXPECT_EQ(to_string(EndpointType::Embeddings), "llm/v1/embeddings");
  EXPECT_EQ(parse_endpoint_type("LLM/v1/chat"), std::nullopt);  // case-sensitive, like MLflow
  EXPECT_EQ(parse_endpoint_type("llm/v1/chat "), std::nullopt);
}

TEST(ConfigBasics, IssueToString) {
  EXPECT_EQ((ConfigIssue{"endpoints[0].name", 3, 11, "bad"}).to_string(),
            "endpoints[0].name: bad (line 3, column 11)");
  EXPECT_EQ((ConfigIssue{"", 2, 1, "bad"}).to_string(), "bad (line 2, column 1)");
  EXPECT_EQ((ConfigIssue{"routes", 0, 0, "bad"}).to_string(), "routes: bad");
  EXPECT_EQ((ConfigIssue{"", 0, 0, "bad"}).to_string(), "bad");
}

TEST(ConfigBasics, CanonicalProvider) {
  EXPECT_EQ(canonical_provider("openai"), "openai");
  EXPECT_EQ(canonical_provider("OpenAI"), "openai");
  EXPECT_EQ(canonical_provider("amazon_bedrock"), "amazon-bedrock");
  EXPECT_EQ(canonical_provider("Amazon-Bedrock"), "amazon-bedrock");
  EXPECT_EQ(canonical_provider("bedrock"), "bedrock");
  EXPECT_EQ(canonical_provider("HUGGINGFACE_TEXT_GENERATION_INFERENCE"),
            "huggingface-text-generation-inference");
  EXPECT_EQ(canonical_provider("mlflow_model_serving"), "mlflow-model-serving");
  EXPECT_EQ(canonical_provider("Databricks-Model-Serving"), "databricks-model-serving");
  EXPECT_EQ(canonical_provider("MOCK"), "mock");
  EXPECT_EQ(canonical_provider("azuread"), std::nullopt);  // Azure is openai + api_type
  EXPECT_EQ(canonical_provider("open ai"), std::nullopt);
  EXPECT_EQ(canonical_provider(""), std::nullopt);
}

// ---- renewal period (docs/mlflow-compatibility.md §5)
// ---------------------------------------------------------------

TEST(ConfigRenewalPeriod, AcceptsTheLimitsGrammar) {
  struct Case {
    const char* text;
    int multiples;
    Granularity granularity;
    std::int64_t seconds;
  };
  const Case cases[] = {
      {"minute", 1, Granularity::Minute, 60},       {"minutes", 1, Granularity::Minute, 60},
      {"Minute", 1, Granularity::Minute, 60},       {" minute ", 1, Granularity::Minute, 60},
      {"5 minutes", 5, Granularity::Minute, 300},   {"10second", 10, Granularity::Second, 10},
      {"hour", 1, Granularity::Hour, 3600},         {"2 DAYS", 2, Granularity::Day, 172800},
      {"month", 1, Granularity::Month, 30 * 86400}, {"1 year", 1, Granularity::Year, 365 * 86400},
  };
  for (const Case& c : cases) {
    const auto limit = parse_limit(7, c.text);
    ASSERT_TRUE(limit.has_value()) << c.text;
    EXPECT_EQ(limit->calls, 7) << c.text;
    EXPECT_EQ(limit->renewal_period, c.text);
    EXPECT_EQ(limit->multiples, c.multiples) << c.text;
    EXPECT_EQ(limit->granularity, c.granularity) << c.text;
    EXPECT_EQ(limit->period_seconds, c.seconds) << c.text;
  }
}

TEST(ConfigRenewalPeriod, RejectsEverythingElse) {
  for (const char* text :
       {"week", "min", "1m", "", "  ", "minute;5/second", "minutesly", "per minute", "5 5 minutes",
        "-1 minute", "0 minutes", "99999999999 seconds"}) {
    EXPECT_EQ(parse_limit(1, text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ConfigRenewalPeriod, CallsMustNotBeNegative) {
  EXPECT_EQ(parse_limit(-1, "minute"), std::nullopt);
  ASSERT_TRUE(parse_limit(0, "minute").has_value());  // parses; it then rejects every request
}

TEST(ConfigRenewalPeriod, DescribeUsesSlowapiText) {
  EXPECT_EQ(parse_limit(10, "minute")->describe(), "10 per 1 minute");
  EXPECT_EQ(parse_limit(5, "2 minutes")->describe(), "5 per 2 minute");
  EXPECT_EQ(parse_limit(1, "HOURS")->describe(), "1 per 1 hour");
  EXPECT_EQ(parse_limit(3, "year")->describe(), "3 per 1 year");
}

// ---- secrets (docs/mlflow-compatibility.md §2.4)
// --------------------------------------------------------------------

TEST(ConfigSecrets, EnvironmentVariable) {
  const auto r = resolve_secret("$OPENAI_KEY", test_env());
  ASSERT_TRUE(r.secret.has_value()) << r.error;
  EXPECT_EQ(r.secret->reveal(), "sk-from-env");
  EXPECT_EQ(r.error, "");
}

TEST(ConfigSecrets, UnsetOrEmptyVariableIsAnError) {
  auto r = resolve_secret("$NOPE", test_env());
  EXPECT_FALSE(r.secret.has_value());
  EXPECT_EQ(r.error, "Environment variable 'NOPE' is not set");
  r = resolve_secret("$EMPTY", test_env());
  EXPECT_FALSE(r.secret.has_value());
  EXPECT_EQ(r.error, "Environment variable 'EMPTY' is not set");
}

TEST(ConfigSecrets, WholeRestIsTheVariableName) {
  const auto r = resolve_secret("$A$B", env_from({{"A$B", "x"}, {"A", "wrong"}}));
  ASSERT_TRUE(r.secret.has_value());
  EXPECT_EQ(r.secret->reveal(), "x");
}

TEST(ConfigSecrets, FileContentsAreTakenVerbatimButTheTrailingLineBreak) {
  TempFile file("sk-from-file\n");
  const auto r = resolve_secret(file.path(), test_env());
  ASSERT_TRUE(r.secret.has_value()) << r.error;
  EXPECT_EQ(r.secret->reveal(), "sk-from-file");  // MLflow keeps the "\n" (a deviation)
  TempFile crlf(" sk-spaced \r\n\n");
  EXPECT_EQ(resolve_secret(crlf.path(), test_env()).secret->reveal(), " sk-spaced ");
}

TEST(ConfigSecrets, LiteralsIncludingPathLikeAndOverlongValues) {
  for (const std::string& literal :
       {std::string("sk-literal"), std::string("/not/a/real/path"), std::string("/tmp"),
        std::string(256, 'a'), "/" + std::string(5000, 'b'), std::string("")}) {
    const auto r = resolve_secret(literal, test_env());
    ASSERT_TRUE(r.secret.has_value()) << literal.substr(0, 20);
    EXPECT_EQ(r.secret->reveal(), literal);
  }
}

TEST(ConfigSecrets, UnreadableFileIsAnErrorWithoutTheValue) {
  if (geteuid() == 0) GTEST_SKIP() << "root can read any file";
  TempFile file("sk-hidden");
  chmod(file.path().c_str(), 0);
  const auto r = resolve_secret(file.path(), test_env());
  EXPECT_FALSE(r.secret.has_value());
  EXPECT_EQ(r.error, "The api key file could not be read: Permission denied");
}

TEST(ConfigSecrets, ShellBracesSayWhatToWrite) {
  // MLflow would look up a variable named "{OPENAI_KEY}"; the message says to drop the braces.
  const auto r = resolve_secret("${OPENAI_KEY}", test_env());
  EXPECT_FALSE(r.secret.has_value());
  EXPECT_EQ(r.error,
            "'${OPENAI_KEY}' is shell syntax: the gateway reads environment variable 'OPENAI_KEY' "
            "when the value is '$OPENAI_KEY' (no braces)");
}

TEST(ConfigSecrets, AnAbsolutePathWithNoFileIsUsedButWarnedAbout) {
  const auto r = resolve_secret("/run/secrets/opnai", test_env());
  ASSERT_TRUE(r.secret.has_value());
  EXPECT_EQ(r.secret->reveal(), "/run/secrets/opnai");  // MLflow's rule: the literal
  EXPECT_EQ(r.warning,
            "The value looks like a file path but no such file exists: it is used as the api "
            "key itself");
  EXPECT_EQ(resolve_secret("sk-literal", test_env()).warning, "");
  EXPECT_EQ(resolve_secret("/tmp", test_env()).warning, "");  // exists (a directory)
  EXPECT_EQ(resolve_secret("/", test_env()).warning, "");
}

TEST(ConfigSecrets, TheKeyFileWarningNamesThePathInTheYamlNotTheValue) {
  const auto r = load(R"(endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      config: {openai_api_key: /run/secrets/opnai}
)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].model.config.openai_api_key: The value looks like a file path but "
                  "no such file exists: it is used as the api key itself (line 6, column 32)"});
}

TEST(ConfigMessages, ProviderListFormat) {
  EXPECT_EQ(provider_list().rfind("openai, anthropic, gemini, cohere, mistral, togetherai, "
                                  "huggingface-text-generation-inference, mlflow-model-serving, ",
                                  0),
            0u)
      << provider_list();
  EXPECT_NE(provider_list().find(", mock, openai-compatible, "), std::string::npos);
}

TEST(ConfigSuggest, NearestNameWithinAFewEdits) {
  const std::vector<std::string_view> keys = {"name", "endpoint_type", "model", "limit"};
  EXPECT_EQ(nearest("limits", keys), "limit");
  EXPECT_EQ(nearest("modle", keys), "model");  // a transposition is one edit
  EXPECT_EQ(nearest("endpoint-type", keys), "endpoint_type");  // '-' and '_' alike
  EXPECT_EQ(nearest("Limit", keys), "limit");  // keys are case-sensitive: a variant is a typo
  EXPECT_EQ(nearest("limit", keys), std::nullopt);  // a candidate itself
  EXPECT_EQ(nearest("timeouts", keys), std::nullopt);
  EXPECT_EQ(nearest("", keys), std::nullopt);
  const std::vector<std::string_view> providers = {"openai", "anthropic", "gemini", "mistral"};
  EXPECT_EQ(nearest("opneai", providers), "openai");
  EXPECT_EQ(nearest("antropic", providers), "anthropic");
  EXPECT_EQ(nearest("azuread", providers), std::nullopt);
  EXPECT_EQ(did_you_mean("gemni", providers), " Did you mean 'gemini'?");
  EXPECT_EQ(did_you_mean("x", providers), "");
  EXPECT_EQ(edit_distance("abc", "abc"), 0u);
  EXPECT_EQ(edit_distance("abc", "acb"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

// Errors that say what to type: MLflow's text first, then the valid values and the nearest one.
std::vector<ErrorCase> suggestion_cases() {
  return {
      {"EndpointTypeWithoutItsPrefix", R"(endpoints:
  - name: a
    endpoint_type: chat
    model: {provider: mock}
)",
       Texts{"endpoints[0].endpoint_type: The route_type 'chat' is not supported. Valid values: "
             "llm/v1/chat, llm/v1/completions, llm/v1/embeddings. (line 3, column 20)"}},
      {"EndpointTypeTypo", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chta
    model: {provider: mock}
)",
       Texts{"endpoints[0].endpoint_type: The route_type 'llm/v1/chta' is not supported. Valid "
             "values: llm/v1/chat, llm/v1/completions, llm/v1/embeddings. Did you mean "
             "'llm/v1/chat'? (line 3, column 20)"}},
      {"ProviderTypo", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model:
      provider: opneai
      config: {openai_api_key: x}
)",
       Texts{"endpoints[0].model.provider: The provider 'opneai' is not supported. Valid "
             "providers: " +
             provider_list() + ". Did you mean 'openai'? (line 5, column 17)"}},
      {"ShellBracesInAKey", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      config: {openai_api_key: '${OPENAI_KEY}'}
)",
       Texts{"endpoints[0].model.config.openai_api_key: '${OPENAI_KEY}' is shell syntax: the "
             "gateway reads environment variable 'OPENAI_KEY' when the value is '$OPENAI_KEY' "
             "(no braces) (line 6, column 32)"}},
      // MLflow's cross-field rules, with its texts.
      {"Ai21labsModelMustBeAJ2Model", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/completions
    model:
      provider: ai21labs
      name: jamba-1.5
      config: {ai21labs_api_key: k}
)",
       Texts{"endpoints[0].model.name: An Unsupported AI21Labs model has been specified: "
             "'jamba-1.5'. Please see documentation for supported models. (line 6, column 13)"}},
      {"Ai21labsWithoutAModelName", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/completions
    model:
      provider: ai21labs
      config: {ai21labs_api_key: k}
)",
       Texts{"endpoints[0].model.name: An Unsupported AI21Labs model has been specified: "
             "'None'. Please see documentation for supported models. (line 5, column 7)"}},
      {"MosaicmlChatModelMustBeLlama2", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model:
      provider: mosaicml
      name: mpt-7b-instruct
      config: {mosaicml_api_key: k}
)",
       Texts{"endpoints[0].model.name: An invalid model has been specified for the chat route. "
             "'mpt-7b-instruct'. Ensure the model selected starts with one of: ['llama2'] "
             "(line 6, column 13)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Suggestions, ConfigErrorTable, ::testing::ValuesIn(suggestion_cases()),
                         case_name);

TEST(ConfigModelRules, WhatMlflowAccepts) {
  for (const char* model : {"j2-ultra", "j2-mid", "j2-light"}) {
    EXPECT_TRUE(load("endpoints:\n  - name: a\n    endpoint_type: llm/v1/completions\n"
                     "    model: {provider: ai21labs, name: " +
                     std::string(model) + ", config: {ai21labs_api_key: k}}\n")
                    .ok())
        << model;
  }
  // MosaicML: any model for completions and embeddings; chat needs llama2*, in any case.
  for (const char* type_and_model : {"llm/v1/chat, name: Llama2-70B-chat",
                                     "llm/v1/completions, name: mpt-7b-instruct",
                                     "llm/v1/embeddings, name: instructor-large"}) {
    const std::string t(type_and_model);
    const std::string type = t.substr(0, t.find(','));
    const std::string model = t.substr(t.find("name: ") + 6);
    EXPECT_TRUE(load("endpoints:\n  - name: a\n    endpoint_type: " + type +
                     "\n    model: {provider: mosaicml, name: " + model +
                     ", config: {mosaicml_api_key: k}}\n")
                    .ok())
        << type_and_model;
  }
}

TEST(ConfigWarnings, AnUnknownKeySaysWhatItProbablyMeant) {
  const auto r = load(R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model: {provider: mock}
    limits: {calls: 1, renewal_period: minute}
)");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config->endpoints[0].limit.has_value());
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].limits: unknown key 'limits' (ignored; did you mean 'limit'?) "
                  "(line 5, column 5)"});
}

// ---- valid files ----------------------------------------------------------------------------

TEST(ConfigLoad, OpenAIEndpointWithLimit) {
  const auto r = load(R"(endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: OpenAI
      name: gpt-4o-mini
      config:
        openai_api_key: $OPENAI_KEY
    limit:
      renewal_period: 5 minutes
      calls: 10
      key: header:X-User
  - name: embed.v2
    endpoint_type: llm/v1/embeddings
    model:
      provider: openai
      config: {openai_api_key: sk-literal, openai_organization: org-1}
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(texts(r.warnings), Texts{});
  ASSERT_EQ(r.config->endpoints.size(), 2u);
  const EndpointConfig& ep = r.config->endpoints[0];
  EXPECT_EQ(ep.name, "chat");
  EXPECT_EQ(ep.type, EndpointType::Chat);
  EXPECT_EQ(ep.line, 2);
  EXPECT_EQ(ep.model.provider, "openai");
  EXPECT_EQ(ep.model.name, "gpt-4o-mini");
  const auto& openai = std::get<OpenAISettings>(ep.model.settings);
  EXPECT_EQ(openai.api_key.reveal(), "sk-from-env");
  EXPECT_EQ(openai.api_type, OpenAIApiType::OpenAI);
  EXPECT_EQ(openai.api_base, "https://api.openai.com/v1");
  EXPECT_EQ(openai.api_version, std::nullopt);
  ASSERT_TRUE(ep.limit.has_value());
  EXPECT_EQ(ep.limit->calls, 10);
  EXPECT_EQ(ep.limit->renewal_period, "5 minutes");
  EXPECT_EQ(ep.limit->key, "header:X-User");
  EXPECT_EQ(ep.limit->period_seconds, 300);
  EXPECT_EQ(ep.limit->describe(), "10 per 5 minute");

  const EndpointConfig& embed = r.config->endpoints[1];
  EXPECT_EQ(embed.line, 13);
  EXPECT_EQ(embed.model.name, std::nullopt);
  EXPECT_EQ(embed.limit, std::nullopt);
  EXPECT_EQ(std::get<OpenAISettings>(embed.model.settings).api_key.reveal(), "sk-literal");
  EXPECT_EQ(std::get<OpenAISettings>(embed.model.settings).organization, "org-1");
  EXPECT_TRUE(r.config->routes.empty());
}

TEST(ConfigLoad, AzureTypeIsCaseInsensitive) {
  const auto r = load(R"(endpoints:
  - name: az
    endpoint_type: llm/v1/completions
    model:
      provider: openai
      config:
        openai_api_key: k
        openai_api_type: AzureAD
        openai_api_base: https://x.openai.azure.com
        openai_deployment_name: dep
        openai_api_version: "2024-02-01"
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  const auto& s = std::get<OpenAISettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(s.api_type, OpenAIApiType::AzureAD);
  EXPECT_EQ(s.api_base, "https://x.openai.azure.com");
  EXPECT_EQ(s.deployment_name, "dep");
  EXPECT_EQ(s.api_version, "2024-02-01");
}

TEST(ConfigLoad, MockNeedsNoConfig) {
  const auto r = load(R"(endpoints:
  - name: m1
    endpoint_type: llm/v1/chat
    model: {provider: mock}
  - name: m2
    endpoint_type: llm/v1/embeddings
    model:
      provider: Mock
      config:
        response: hello
        dimensions: 16
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  const auto& m1 = std::get<MockSettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(m1.response, std::nullopt);
  EXPECT_EQ(m1.dimensions, 8);
  const auto& m2 = std::get<MockSettings>(r.config->endpoints[1].model.settings);
  EXPECT_EQ(r.config->endpoints[1].model.provider, "mock");
  EXPECT_EQ(m2.response, "hello");
  EXPECT_EQ(m2.dimensions, 16);
}

TEST(ConfigLoad, NamesMayHaveDotsAndNonAscii) {
  const auto r = load(R"(endpoints:
  - {name: a.b-c_1, endpoint_type: llm/v1/chat, model: {provider: mock}}
  - {name: "modèle", endpoint_type: llm/v1/chat, model: {provider: mock}}
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints[1].name, "modèle");
}

TEST(ConfigLoad, TrafficRoute) {
  const auto r = load(std::string(kOpenAIChat) + R"(  - name: chat2
    endpoint_type: llm/v1/chat
    model: {provider: mock}
routes:
  - name: chat-ab
    task_type: llm/v1/chat
    destinations:
      - name: chat
        traffic_percentage: 80
      - name: chat2
        traffic_percentage: 20
    routing_strategy: TRAFFIC_SPLIT
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  ASSERT_EQ(r.config->routes.size(), 1u);
  const TrafficRoute& route = r.config->routes[0];
  EXPECT_EQ(route.name, "chat-ab");
  EXPECT_EQ(route.task_type, EndpointType::Chat);
  EXPECT_EQ(route.line, 13);
  EXPECT_EQ(route.routing_strategy, "TRAFFIC_SPLIT");
  ASSERT_EQ(route.destinations.size(), 2u);
  EXPECT_EQ(route.destinations[0].name, "chat");
  EXPECT_EQ(route.destinations[0].traffic_percentage, 80);
  EXPECT_EQ(route.destinations[1].traffic_percentage, 20);
}

TEST(ConfigLoad, Mlflow2LayoutLoadsWithWarnings) {
  const auto r = load(R"(routes:
  - name: split
    task_type: llm/v1/completions
    destinations: [{name: comp, traffic_percentage: 100}]
  - name: comp
    route_type: llm/v1/completions
    model:
      provider: openai
      config: {openai_api_key: $OPENAI_KEY}
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(texts(r.warnings),
            Texts{"routes[1].route_type: 'route_type' is deprecated; use 'endpoint_type' "
                  "(line 6, column 5)"});
  ASSERT_EQ(r.config->endpoints.size(), 1u);
  EXPECT_EQ(r.config->endpoints[0].name, "comp");
  EXPECT_EQ(r.config->endpoints[0].type, EndpointType::Completions);
  EXPECT_EQ(r.config->endpoints[0].line, 5);
  ASSERT_EQ(r.config->routes.size(), 1u);
  EXPECT_EQ(r.config->routes[0].name, "split");
}

TEST(ConfigLoad, RouteTypeAcceptedIn3xLayoutWithWarning) {
  const auto r = load(R"(endpoints:
  - name: c
    route_type: llm/v1/embeddings
    model: {provider: mock}
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints[0].type, EndpointType::Embeddings);
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].route_type: 'route_type' is deprecated; use 'endpoint_type' "
                  "(line 3, column 5)"});
}

TEST(ConfigLoad, UnknownKeysAreWarningsAtEveryLevel) {
  const auto r = load(R"(endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    typo: 1
    model:
      provider: openai
      nam: gpt
      config:
        openai_api_key: $OPENAI_KEY
        anthropic_api_key: x
    limit:
      calls: 1
      renewal_perod: minute
      renewal_period: minute
  - name: m
    endpoint_type: llm/v1/chat
    model:
      provider: mock
      config: {respons: hi}
routes:
  - name: r
    task_type: llm/v1/chat
    weight: 3
    destinations:
      - {name: chat, traffic_percentage: 100, extra: true}
version: 2
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(texts(r.warnings),
            (Texts{
                "version: unknown key 'version' (ignored) (line 26, column 1)",
                "endpoints[0].typo: unknown key 'typo' (ignored) (line 4, column 5)",
                "endpoints[0].model.nam: unknown key 'nam' (ignored; did you mean 'name'?) "
                "(line 7, column 7)",
                "endpoints[0].model.config.anthropic_api_key: unknown key 'anthropic_api_key' "
                "(ignored) (line 10, column 9)",
                "endpoints[0].limit.renewal_perod: unknown key 'renewal_perod' (ignored; did you "
                "mean 'renewal_period'?) (line 13, column 7)",
                "endpoints[1].model.config.respons: unknown key 'respons' (ignored; did you mean "
                "'response'?) (line 19, column 16)",
                "routes[0].weight: unknown key 'weight' (ignored) (line 23, column 5)",
                "routes[0].destinations[0].extra: unknown key 'extra' (ignored) "
                "(line 25, column 47)",
            }));
}

TEST(ConfigLoad, DuplicateKeyLastValueWinsWithWarning) {
  // PyYAML (and so MLflow) keeps the last value of a repeated key.
  const auto r = load(R"(endpoints:
  - name: first
    name: second
    endpoint_type: llm/v1/chat
    model: {provider: mock}
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints[0].name, "second");
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].name: duplicate key 'name' (the last value is used) "
                  "(line 3, column 5)"});
}

// ---- file-level errors ----------------------------------------------------------------------

std::vector<ErrorCase> document_structure_cases() {
  const std::string msg =
      "The gateway configuration is invalid: the top level must be a mapping with an "
      "'endpoints' list";
  return {
      {"InvalidYaml", "endpoints: [1, 2\n",
       Texts{"The file is not a valid yaml file: end of sequence flow not found "
             "(line 2, column 1)"}},
      {"TabInIndentationIsAYamlError", "endpoints:\n  - name: a\n  \tendpoint_type: llm/v1/chat\n",
       Texts{"The file is not a valid yaml file: illegal tab when looking for indentation "
             "(line 3, column 3)"}},
      {"TopLevelEmpty", "", Texts{msg}},
      {"TopLevelOnlyAComment", "# just a comment\n", Texts{msg}},
      {"TopLevelIsAList", "- name: a\n", Texts{msg + " (line 1, column 1)"}},
      {"TopLevelIsAScalar", "hello\n", Texts{msg + " (line 1, column 1)"}},
      // A file with only traffic routes is not a 2.x file either.
      {"EndpointsRequiredWithOnlyRoutes",
       "routes:\n  - {name: r, task_type: llm/v1/chat, destinations: []}\n",
       Texts{"The gateway configuration is invalid: 'endpoints' is required "
             "(line 1, column 1)",
             "routes[0]: For each route configuration, the traffic percentage sum of "
             "destinations must be 100, but got invalid configuration of route 'r'. "
             "(line 2, column 5)"}},
      {"EndpointsIsAMapping", "endpoints:\n  name: a\n",
       Texts{"endpoints: The gateway configuration is invalid: 'endpoints' must be a list "
             "(line 2, column 3)"}},
      {"EndpointsIsNull", "endpoints:\n",
       Texts{"endpoints: The gateway configuration is invalid: 'endpoints' must be a list "
             "(line 1, column 1)"}},
      {"RoutesIsAScalar", "endpoints: []\nroutes: 3\n",
       Texts{"routes: The gateway configuration is invalid: 'routes' must be a list "
             "(line 2, column 9)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(DocumentStructure, ConfigErrorTable,
                         ::testing::ValuesIn(document_structure_cases()), case_name);

TEST(ConfigErrors, EndpointsRequired) {
  const auto r = load("endpoint:\n  - name: a\n");
  EXPECT_EQ(texts(r.errors), Texts{"The gateway configuration is invalid: 'endpoints' is required "
                                   "(line 1, column 1)"});
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoint: unknown key 'endpoint' (ignored; did you mean 'endpoints'?) "
                  "(line 1, column 1)"});
  EXPECT_FALSE(r.config.has_value());
}

TEST(ConfigErrors, EndpointsAndRoutesMustBeLists) {
  EXPECT_TRUE(load("endpoints: []\nroutes:\n").ok());  // empty lists are fine
}

// ---- endpoint errors ------------------------------------------------------------------------

std::vector<ErrorCase> endpoint_field_cases() {
  return {
      {"EntryMustBeAMapping", "endpoints:\n  - chat\n",
       Texts{"endpoints[0]: Input should be a valid dictionary (line 2, column 5)"}},
      {"DisallowedName", R"(endpoints:
  - name: my endpoint/1
    endpoint_type: llm/v1/chat
    model: {provider: mock}
)",
       Texts{"endpoints[0].name: The route name provided contains disallowed characters for "
             "a url endpoint. 'my endpoint/1' is invalid. Names cannot contain spaces or "
             "any non alphanumeric characters other than hyphen and underscore. "
             "(line 2, column 11)"}},
      {"DisallowedEmptyName",
       "endpoints:\n  - {name: '', endpoint_type: llm/v1/chat, model: {provider: "
       "mock}}\n",
       Texts{"endpoints[0].name: The route name provided contains disallowed characters for "
             "a url endpoint. '' is invalid. Names cannot contain spaces or any non "
             "alphanumeric characters other than hyphen and underscore. (line 2, column 12)"}},
      {"MissingRequiredFieldsPointAtTheEntry",
       "endpoints:\n  - limit: {calls: 1, renewal_period: minute}\n",
       Texts{"endpoints[0].name: Field required (line 2, column 5)",
             "endpoints[0].endpoint_type: Field required (line 2, column 5)",
             "endpoints[0].model: Field required (line 2, column 5)"}},
      {"MissingProviderPointsAtTheModel",
       "endpoints:\n  - name: a\n    endpoint_type: llm/v1/chat\n    model:\n"
       "      name: x\n",
       Texts{"endpoints[0].model.provider: Field required (line 5, column 7)"}},
      {"WrongTypes", R"(endpoints:
  - name: {a: 1}
    endpoint_type: [llm/v1/chat]
    model: [mock]
    limit: minute
)",
       Texts{"endpoints[0].name: Input should be a valid string (line 2, column 11)",
             "endpoints[0].endpoint_type: Input should be a valid string "
             "(line 3, column 20)",
             "endpoints[0].model: Input should be a valid dictionary (line 4, column 12)",
             "endpoints[0].limit: Input should be a valid dictionary (line 5, column 12)"}},
      // A required string left empty is null, not absent.
      {"EmptyRequiredStringIsNull",
       "endpoints:\n  - name:\n    endpoint_type: llm/v1/chat\n"
       "    model: {provider: mock, name: [a]}\n",
       Texts{"endpoints[0].name: Input should be a valid string (line 2, column 5)",
             "endpoints[0].model.name: Input should be a valid string "
             "(line 4, column 35)"}},
      {"UnsupportedEndpointType", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/images
    model: {provider: mock}
)",
       // MLflow's text, then the valid values.
       Texts{"endpoints[0].endpoint_type: The route_type 'llm/v1/images' is not supported. "
             "Valid values: llm/v1/chat, llm/v1/completions, llm/v1/embeddings. "
             "(line 3, column 20)"}},
      {"UnknownProvider", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model:
      provider: azuread
      config: {openai_api_key: x}
)",
       // MLflow's text, then the valid providers (nothing is near enough to suggest).
       Texts{"endpoints[0].model.provider: The provider 'azuread' is not supported. Valid "
             "providers: " +
             provider_list() + ". (line 5, column 17)"}},
      {"KnownProviderNotImplementedYet", R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model:
      provider: LiteLLM
      config: {litellm_api_key: k}
)",
       Texts{"endpoints[0].model.provider: The provider 'litellm' is not supported "
             "yet by this gateway (supported: " +
             provider_list() + "). (line 5, column 17)"}},
      {"ConfigRequiredWhenAbsent",
       "endpoints:\n  - name: a\n    endpoint_type: llm/v1/chat\n    model:\n"
       "      provider: OpenAI\n",
       Texts{"endpoints[0].model.config: A config must be supplied when setting a provider. "
             "The provider entry for OpenAI is incorrect. (line 5, column 7)"}},
      {"ConfigRequiredWhenNull",
       "endpoints:\n  - name: a\n    endpoint_type: llm/v1/chat\n    model:\n"
       "      provider: openai\n      config:\n",
       Texts{"endpoints[0].model.config: A config must be supplied when setting a provider. "
             "The provider entry for openai is incorrect. (line 6, column 7)"}},
      {"ConfigMustBeAMapping",
       "endpoints:\n  - name: a\n    endpoint_type: llm/v1/chat\n"
       "    model: {provider: openai, config: key}\n",
       Texts{"endpoints[0].model.config: Input should be a valid dictionary "
             "(line 4, column 39)"}},
      {"TimeoutsOutOfRangeOrNotANumber", R"(endpoints:
  - name: e
    endpoint_type: llm/v1/chat
    model: {provider: mock}
    timeouts: {total: -1, idle: soon}
)",
       Texts{"endpoints[0].timeouts.total: Input should be a number of seconds greater than 0 "
             "and at most 86400 (line 5, column 23)",
             "endpoints[0].timeouts.idle: Input should be a number of seconds greater than 0 "
             "and at most 86400 (line 5, column 33)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(EndpointFields, ConfigErrorTable,
                         ::testing::ValuesIn(endpoint_field_cases()), case_name);

// ---- OpenAI config --------------------------------------------------------------------------

// An endpoint whose model.config block (at line 6, column 9) is `config_lines`.
std::string openai_with(std::string_view config_lines) {
  return std::string(R"(endpoints:
  - name: a
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      config:
)") + std::string(config_lines);
}

// An openai_api_base that is not an http(s) URL with a host.
ErrorCase bad_api_base(const char* name, const std::string& bad) {
  return {name,
          openai_with("        openai_api_key: k\n        openai_api_base: \"" + bad + "\"\n"),
          Texts{"endpoints[0].model.config.openai_api_base: Invalid URL '" + bad +
                "': expected http:// or https:// and a host " + "(line 8, column 26)"}};
}

std::vector<ErrorCase> openai_config_cases() {
  const std::string not_a_string =
      "The api key provided is not a string. Please provide either an environment variable key, "
      "a path to a file containing the api key, or the api key itself";
  return {
      {"ApiKeyFromUnsetVariable", openai_with("        openai_api_key: $OPENAI_KEY_TYPO\n"),
       Texts{"endpoints[0].model.config.openai_api_key: Environment variable "
             "'OPENAI_KEY_TYPO' is not set (line 7, column 25)"}},
      {"ApiKeyMissing", openai_with("        openai_api_base: https://proxy/v1\n"),
       Texts{"endpoints[0].model.config.openai_api_key: Field required (line 7, column 9)"}},
      {"ApiKeyIsAMapping", openai_with("        openai_api_key: {env: X}\n"),
       Texts{"endpoints[0].model.config.openai_api_key: " + not_a_string + " (line 7, column 25)"}},
      {"ApiKeyIsNull", openai_with("        openai_api_key:\n"),
       Texts{"endpoints[0].model.config.openai_api_key: " + not_a_string + " (line 7, column 9)"}},
      {"ApiKeyWithALineBreakIsRejectedWithoutItsValue",
       openai_with("        openai_api_key: \"sk-a\\nb\"\n"),
       Texts{"endpoints[0].model.config.openai_api_key: The api key contains a line break "
             "(line 7, column 25)"}},
      bad_api_base("ApiBaseWithoutScheme", "api.openai.com/v1"),
      bad_api_base("ApiBaseFtpScheme", "ftp://x/v1"),
      bad_api_base("ApiBaseSchemeOnly", "https://"),
      bad_api_base("ApiBaseEmptyHost", "https:///v1"),
      bad_api_base("ApiBaseSpaceInHost", "http://a b/v1"),
      bad_api_base("ApiBaseNonNumericPort", "http://host:abc/v1"),
      bad_api_base("ApiBasePortZero", "http://host:0"),
      bad_api_base("ApiBaseWithFragment", "http://h/v1#x"),
      bad_api_base("ApiBaseWithUserinfo", "https://user@host/v1"),
      bad_api_base("ApiBasePortOutOfRange", "http://host:70000"),
      {"OrganizationWithALineBreakIsRejected",
       openai_with("        openai_api_key: k\n        openai_organization: "
                   "\"org\\r\\nX: y\"\n"),
       Texts{"endpoints[0].model.config.openai_organization: The value contains a line "
             "break (line 8, column 30)"}},
      {"InvalidApiType",
       openai_with("        openai_api_key: k\n        openai_api_type: azure_ad\n"),
       Texts{"endpoints[0].model.config.openai_api_type: Invalid OpenAI API type 'azure_ad' "
             "(line 8, column 26)"}},
      {"DeploymentNameNeedsAzure",
       openai_with("        openai_api_key: k\n        openai_deployment_name: d\n"),
       Texts{"endpoints[0].model.config: OpenAI route configuration can only specify a value for "
             "'openai_deployment_name' if 'openai_api_type' is 'azure' or 'azuread'. Found type: "
             "'openai' (line 7, column 9)"}},
      {"AzureRejectsOrganizationAndNeedsAllThree",
       openai_with("        openai_api_key: k\n        openai_api_type: azure\n"
                   "        openai_organization: org\n"
                   "        openai_api_base: https://x\n"),
       Texts{"endpoints[0].model.config: OpenAI route configuration can only specify a "
             "value for 'openai_organization' if 'openai_api_type' is 'openai' "
             "(line 7, column 9)",
             "endpoints[0].model.config: OpenAI route configuration must specify "
             "'openai_api_base', 'openai_deployment_name', and 'openai_api_version' if "
             "'openai_api_type' is 'azure' or 'azuread'. (line 7, column 9)"}},
      {"AzureMissingVersion",
       openai_with("        openai_api_key: k\n        openai_api_type: azuread\n"
                   "        openai_deployment_name: d\n"
                   "        openai_api_base: https://x\n"),
       Texts{"endpoints[0].model.config: OpenAI route configuration must specify "
             "'openai_api_base', 'openai_deployment_name', and 'openai_api_version' if "
             "'openai_api_type' is 'azure' or 'azuread'. (line 7, column 9)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(OpenAIConfig, ConfigErrorTable, ::testing::ValuesIn(openai_config_cases()),
                         case_name);

TEST(ConfigOpenAI, ApiKeyFromFile) {
  TempFile file("sk-file-key");
  const auto r = load(openai_with("        openai_api_key: " + file.path() + "\n"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(std::get<OpenAISettings>(r.config->endpoints[0].model.settings).api_key.reveal(),
            "sk-file-key");
}

TEST(ConfigOpenAI, ApiBaseMustBeAnHttpUrl) {
  EXPECT_TRUE(load(openai_with("        openai_api_key: k\n        openai_api_base: "
                               "HTTP://127.0.0.1:8080/v1?x=1\n"))
                  .ok());
}

TEST(ConfigOpenAI, SecretsNeverAppearInIssues) {
  // A literal key in a config that is wrong in every other way, plus a key typed as a YAML
  // value of a known-but-wrong field: nothing may echo it.
  const auto r = load(openai_with(
      "        openai_api_key: sk-SECRET-123\n        openai_api_type: azure\n"
      "        openai_organization: org\n        openai_deployment_name: [sk-SECRET-123]\n"
      "        bogus: sk-SECRET-123\n"));
  EXPECT_EQ(r.errors.size(), 3u);
  for (const auto& issue : r.errors) {
    EXPECT_EQ(issue.to_string().find("SECRET"), std::string::npos) << issue.to_string();
  }
  for (const auto& issue : r.warnings) {
    EXPECT_EQ(issue.to_string().find("SECRET"), std::string::npos) << issue.to_string();
  }
}

// ---- mock config ----------------------------------------------------------------------------

// A mock embeddings endpoint whose model.config mapping (from line 7) is `config_lines`.
std::string mock_config_with(std::string_view config_lines) {
  return "endpoints:\n  - name: m\n    endpoint_type: llm/v1/embeddings\n    model:\n"
         "      provider: mock\n      config:\n" +
         std::string(config_lines);
}

std::vector<ErrorCase> mock_config_cases() {
  return {
      {"MockDimensionsZero", mock_config_with("        dimensions: 0\n"),
       Texts{"endpoints[0].model.config.dimensions: Input should be between 1 and 4096 "
             "(line 7, column 21)"}},
      {"MockDimensionsTooLarge", mock_config_with("        dimensions: 4097\n"),
       Texts{"endpoints[0].model.config.dimensions: Input should be between 1 and 4096 "
             "(line 7, column 21)"}},
      {"MockWrongTypes", mock_config_with("        dimensions: eight\n        response: {a: b}\n"),
       Texts{"endpoints[0].model.config.response: Input should be a valid string "
             "(line 8, column 19)",
             "endpoints[0].model.config.dimensions: Input should be a valid integer "
             "(line 7, column 21)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(MockConfig, ConfigErrorTable, ::testing::ValuesIn(mock_config_cases()),
                         case_name);

TEST(ConfigMock, DimensionsRangeAndType) {
  EXPECT_TRUE(load(mock_config_with("        dimensions: 4096\n")).ok());
}

// ---- limits ---------------------------------------------------------------------------------

std::string mock_with_limit(std::string_view limit_lines) {
  return "endpoints:\n  - name: m\n    endpoint_type: llm/v1/chat\n    model: {provider: mock}\n"
         "    limit:\n" +
         std::string(limit_lines);
}

std::vector<ErrorCase> limit_cases() {
  // MLflow's run-together text (kept: tools search for it), then a readable sentence.
  const std::string unparseable =
      "endpoints[0].limit: Failed to parse the rate limit configuration.Please make sure "
      "limit.calls is a positive number andlimit.renewal_period is a right granularity. ";
  const std::string periods =
      "limit.renewal_period must be second, minute, hour, day, month or year, optionally with a "
      "count of 1 or more before it and an 's' after it ('minute', '5 minutes', '1 hour'), got ";
  return {
      {"LimitMissingFields", mock_with_limit("      key: k\n"),
       Texts{"endpoints[0].limit.calls: Field required (line 6, column 7)",
             "endpoints[0].limit.renewal_period: Field required (line 6, column 7)"}},
      {"LimitWrongTypes", mock_with_limit("      calls: ten\n      renewal_period: [minute]\n"),
       Texts{"endpoints[0].limit.calls: Input should be a valid integer (line 6, column 14)",
             "endpoints[0].limit.renewal_period: Input should be a valid string "
             "(line 7, column 23)"}},
      // An unparseable limit uses MLflow's text.
      {"LimitUnknownRenewalPeriod",
       mock_with_limit("      calls: 10\n      renewal_period: week\n"),
       Texts{unparseable + periods + "'week'. (line 6, column 7)"}},
      {"LimitRunTogetherPeriod", mock_with_limit("      calls: 10\n      renewal_period: 1m\n"),
       Texts{unparseable + periods + "'1m'. (line 6, column 7)"}},
      {"LimitZeroPeriods", mock_with_limit("      calls: 10\n      renewal_period: 0 minutes\n"),
       Texts{unparseable + periods + "'0 minutes'. (line 6, column 7)"}},
      {"LimitNegativeCalls", mock_with_limit("      calls: -1\n      renewal_period: minute\n"),
       Texts{unparseable + "limit.calls must be 0 or more, got -1. (line 6, column 7)"}},
      // Only null, global and header:<Name> choose a counter; anything else is refused.
      {"LimitKeyMustBeGlobalOrAHeader",
       mock_with_limit("      calls: 10\n      renewal_period: minute\n      key: user\n"),
       Texts{"endpoints[0].limit.key: limit.key must be absent or null (one counter per client "
             "address), 'global' (one counter for all callers) or 'header:<Name>' (one counter "
             "per value of that request header, e.g. 'header:X-User'), got 'user' "
             "(line 8, column 12)"}},
      {"LimitKeyHeaderNeedsAName",
       mock_with_limit("      calls: 10\n      renewal_period: minute\n      key: 'header:'\n"),
       Texts{"endpoints[0].limit.key: limit.key must be absent or null (one counter per client "
             "address), 'global' (one counter for all callers) or 'header:<Name>' (one counter "
             "per value of that request header, e.g. 'header:X-User'), got 'header:' "
             "(line 8, column 12)"}},
      {"LimitKeyHeaderNameIsAToken",
       mock_with_limit("      calls: 10\n      renewal_period: minute\n      key: 'header:X User'\n"),
       Texts{"endpoints[0].limit.key: limit.key must be absent or null (one counter per client "
             "address), 'global' (one counter for all callers) or 'header:<Name>' (one counter "
             "per value of that request header, e.g. 'header:X-User'), got 'header:X User' "
             "(line 8, column 12)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Limits, ConfigErrorTable, ::testing::ValuesIn(limit_cases()), case_name);

TEST(ConfigLimit, NullLimitAndNullKeyAreAbsent) {
  auto r = load(
      "endpoints:\n  - {name: m, endpoint_type: llm/v1/chat, model: {provider: mock},"
      " limit: null}\n");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints[0].limit, std::nullopt);
  r = load(mock_with_limit("      calls: 0\n      renewal_period: Day\n      key: null\n"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints[0].limit->key, std::nullopt);
  EXPECT_EQ(r.config->endpoints[0].limit->granularity, Granularity::Day);
}

// ---- names and traffic routes ---------------------------------------------------------------

// Two endpoints (chat "c", embeddings "e") and then `route_lines`; the route starts at line 5.
std::string with_route(std::string_view route_lines) {
  return R"(endpoints:
  - {name: c, endpoint_type: llm/v1/chat, model: {provider: mock}}
  - {name: e, endpoint_type: llm/v1/embeddings, model: {provider: mock}}
routes:
)" + std::string(route_lines);
}

std::vector<ErrorCase> route_cases() {
  const std::string duplicate =
      "Duplicate names found in endpoint / route configurations. Please remove the duplicate "
      "endpoint / route name from the configuration to ensure that endpoints / routes are "
      "created properly.";
  return {
      {"DuplicateNamesReportTheLaterOne", R"(endpoints:
  - {name: a, endpoint_type: llm/v1/chat, model: {provider: mock}}
  - {name: a, endpoint_type: llm/v1/chat, model: {provider: mock}}
routes:
  - name: a
    task_type: llm/v1/chat
    destinations: [{name: a, traffic_percentage: 100}]
)",
       Texts{"endpoints[1].name: " + duplicate + " (line 3, column 12)",
             "routes[0].name: " + duplicate + " (line 5, column 11)"}},
      {"DestinationMustBeAnEndpointOfTheSameType", with_route(R"(  - name: r
    task_type: llm/v1/chat
    destinations:
      - {name: nope, traffic_percentage: 50}
      - {name: e, traffic_percentage: 50}
)"),
       Texts{"routes[0].destinations[0].name: The route destination name must be a "
             "endpoint name, but the route 'r' has an invalid destination name 'nope'. "
             "(line 8, column 16)",
             "routes[0].destinations[1].name: The route destination endpoint types in the "
             "route 'r' must have endpoint type 'llm/v1/chat' but got endpoint type "
             "'llm/v1/embeddings'. (line 9, column 16)"}},
      {"PercentagesOutOfRange", with_route(R"(  - name: r
    task_type: llm/v1/chat
    destinations:
      - {name: c, traffic_percentage: 150}
      - {name: c, traffic_percentage: -50}
)"),
       Texts{"routes[0].destinations[0].traffic_percentage: The route destination traffic "
             "percentage must between 0 and 100. (line 8, column 39)",
             "routes[0].destinations[1].traffic_percentage: The route destination traffic "
             "percentage must between 0 and 100. (line 9, column 39)"}},
      {"PercentagesMustSumTo100", with_route(R"(  - name: r
    task_type: llm/v1/chat
    destinations:
      - {name: c, traffic_percentage: 60}
      - {name: c, traffic_percentage: 30}
)"),
       Texts{"routes[0]: For each route configuration, the traffic percentage sum of "
             "destinations must be 100, but got invalid configuration of route 'r'. "
             "(line 5, column 5)"}},
      {"RouteFieldErrors", with_route(R"(  - name: r
    task_type: llm/v2/chat
    destinations: c
    routing_strategy: ROUND_ROBIN
  - task_type: llm/v1/chat
    destinations: [c, {name: c}]
)"),
       Texts{"routes[0].task_type: The route_type 'llm/v2/chat' is not supported. Valid values: "
             "llm/v1/chat, llm/v1/completions, llm/v1/embeddings. Did you mean 'llm/v1/chat'? "
             "(line 6, column 16)",
             "routes[0].destinations: Input should be a valid list (line 7, column 19)",
             "routes[0].routing_strategy: The routing strategy 'ROUND_ROBIN' is not "
             "supported. Supported: TRAFFIC_SPLIT (line 8, column 23)",
             "routes[1].name: Field required (line 9, column 5)",
             "routes[1].destinations[0]: Input should be a valid dictionary "
             "(line 10, column 20)",
             "routes[1].destinations[1].traffic_percentage: Field required "
             "(line 10, column 23)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Routes, ConfigErrorTable, ::testing::ValuesIn(route_cases()), case_name);

// ---- everything at once ---------------------------------------------------------------------

TEST(ConfigErrors, CollectsEveryProblemInFileOrder) {
  const auto r = load(R"(endpoints:
  - name: bad name
    endpoint_type: llm/v1/chat
    model: {provider: mock}
  - name: ok
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      config:
        openai_api_key: $MISSING
  - name: third
    endpoint_type: chat
    model: {provider: cohere, config: {cohere_api_key: $NOPE}}
    limit: {calls: 1, renewal_period: fortnight}
)");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_EQ(
      texts(r.errors),
      (Texts{"endpoints[0].name: The route name provided contains disallowed characters for a url "
             "endpoint. 'bad name' is invalid. Names cannot contain spaces or any non "
             "alphanumeric characters other than hyphen and underscore. (line 2, column 11)",
             "endpoints[1].model.config.openai_api_key: Environment variable 'MISSING' is not "
             "set (line 10, column 25)",
             "endpoints[2].endpoint_type: The route_type 'chat' is not supported. Valid values: "
             "llm/v1/chat, llm/v1/completions, llm/v1/embeddings. (line 12, column 20)",
             "endpoints[2].model.config.cohere_api_key: Environment variable 'NOPE' is not "
             "set (line 13, column 56)",
             "endpoints[2].limit: Failed to parse the rate limit configuration.Please make sure "
             "limit.calls is a positive number andlimit.renewal_period is a right granularity. "
             "limit.renewal_period must be second, minute, hour, day, month or year, optionally "
             "with a count of 1 or more before it and an 's' after it ('minute', '5 minutes', "
             "'1 hour'), got 'fortnight'. (line 14, column 12)"}));
}

// ---- load_config_file -----------------------------------------------------------------------

TEST(ConfigFile, LoadsAFile) {
  TempFile file{std::string(kOpenAIChat)};
  const auto r = load_config_file(file.path(), test_env());
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints.at(0).name, "chat");
}

TEST(ConfigFile, MissingFile) {
  EXPECT_EQ(texts(load_config_file("/nonexistent/gw/config.yaml", test_env()).errors),
            Texts{"/nonexistent/gw/config.yaml does not exist"});
}

TEST(ConfigFile, UnreadablePath) {
  EXPECT_EQ(texts(load_config_file("/tmp", test_env()).errors),
            Texts{"/tmp could not be read: Is a directory"});
}

TEST(ConfigCompatible, PresetsFillDefaultsAndAcceptGenericKeyNames) {
  const auto r = load(R"(endpoints:
  - name: g
    endpoint_type: llm/v1/chat
    model:
      provider: Groq
      name: llama-3.3-70b-versatile
      config: {groq_api_key: gsk-1}
  - name: o
    endpoint_type: llm/v1/embeddings
    model: {provider: ollama, name: nomic-embed-text}
  - name: c
    endpoint_type: llm/v1/completions
    model:
      provider: openai-compatible
      config: {api_base: "http://127.0.0.1:8000/v1", api_key: k2}
  - name: f
    endpoint_type: llm/v1/chat
    model: {provider: fireworks, config: {api_key: fw-key, fireworks_api_base: "https://proxy.example/v1"}}
)");
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  const auto& g = std::get<OpenAISettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(r.config->endpoints[0].model.provider, "groq");
  EXPECT_EQ(g.api_base, "https://api.groq.com/openai/v1");
  EXPECT_EQ(g.api_key.reveal(), "gsk-1");
  const auto& o = std::get<OpenAISettings>(r.config->endpoints[1].model.settings);
  EXPECT_EQ(o.api_base, "http://localhost:11434/v1");
  EXPECT_TRUE(o.api_key.empty());
  const auto& c = std::get<OpenAISettings>(r.config->endpoints[2].model.settings);
  EXPECT_EQ(c.api_base, "http://127.0.0.1:8000/v1");
  EXPECT_EQ(c.api_key.reveal(), "k2");
  const auto& f = std::get<OpenAISettings>(r.config->endpoints[3].model.settings);
  EXPECT_EQ(f.api_base, "https://proxy.example/v1");
  EXPECT_EQ(f.api_key.reveal(), "fw-key");
}

}  // namespace
}  // namespace gw::config

// ---- the providers of docs/mlflow-compatibility.md §6.2–6.12
// -----------------------------------------------------------

namespace gw::config {
namespace {

std::string one_endpoint(const std::string& type, const std::string& provider,
                         const std::string& config) {
  // AI21 endpoints must name one of MLflow's three models (ConfigModelRules).
  const std::string model = provider == "ai21labs" ? "j2-ultra" : "m";
  return "endpoints:\n  - name: e\n    endpoint_type: " + type +
         "\n    model:\n      provider: " + provider + "\n      name: " + model +
         "\n      config: " + config + "\n";
}

// OpenAI-compatible presets (ConfigCompatible) and the HTTP providers of
// docs/mlflow-compatibility.md §6.2–6.12.
std::vector<ErrorCase> provider_cases() {
  return {
      {"CompatibleRequiredKeysBaseAndServedTypes", R"(endpoints:
  - name: g
    endpoint_type: llm/v1/chat
    model: {provider: groq, config: {groq_api_base: "https://x/v1"}}
  - name: c
    endpoint_type: llm/v1/chat
    model: {provider: openai-compatible, config: {api_key: k}}
  - name: e
    endpoint_type: llm/v1/embeddings
    model: {provider: groq, config: {groq_api_key: k}}
)",
       Texts{"endpoints[0].model.config.groq_api_key: Field required (line 4, column 37)",
             "endpoints[1].model.config.api_base: Field required (line 7, column 50)",
             "endpoints[2].model.provider: Endpoint 'e': provider 'groq' does not serve "
             "llm/v1/embeddings (supported: llm/v1/chat) (line 10, column 12)"}},
      {"ApiBaseOverrideMustBeAnHttpUrl",
       one_endpoint("llm/v1/chat", "anthropic",
                    "{anthropic_api_key: k, anthropic_api_base: 'ftp://x'}"),
       Texts{"endpoints[0].model.config.anthropic_api_base: Invalid URL 'ftp://x': expected "
             "http:// or https:// and a host (line 7, column 58)"}},
      {"MissingKeyIsFieldRequired",
       one_endpoint("llm/v1/chat", "gemini", "{gemini_api_base: 'http://h'}"),
       Texts{"endpoints[0].model.config.gemini_api_key: Field required (line 7, column 15)"}},
      {"MissingServerUrlIsFieldRequired",
       one_endpoint("llm/v1/chat", "mlflow-model-serving", "{other: 1}"),
       Texts{"endpoints[0].model.config.model_server_url: Field required (line 7, column 15)"}},
      // Unsupported endpoint types are rejected at load, naming the supported ones.
      {"AnthropicDoesNotServeEmbeddings",
       one_endpoint("llm/v1/embeddings", "anthropic", "{anthropic_api_key: k}"),
       Texts{"endpoints[0].model.provider: Endpoint 'e': provider 'anthropic' does not serve "
             "llm/v1/embeddings (supported: llm/v1/chat, llm/v1/completions) (line 5, column 7)"}},
      {"Ai21labsDoesNotServeChat", one_endpoint("llm/v1/chat", "ai21labs", "{ai21labs_api_key: k}"),
       Texts{"endpoints[0].model.provider: Endpoint 'e': provider 'ai21labs' does not serve "
             "llm/v1/chat (supported: llm/v1/completions) (line 5, column 7)"}},
      {"BedrockDoesNotServeEmbeddings",
       one_endpoint("llm/v1/embeddings", "bedrock",
                    "{aws_config: {aws_region: us-east-1, aws_access_key_id: a, "
                    "aws_secret_access_key: b}}"),
       Texts{"endpoints[0].model.provider: Endpoint 'e': provider 'bedrock' does not serve "
             "llm/v1/embeddings (supported: llm/v1/chat, llm/v1/completions) (line 5, column 7)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Providers, ConfigErrorTable, ::testing::ValuesIn(provider_cases()),
                         case_name);

TEST(ProviderConfig, HttpProvidersGetTheirDefaultBaseAndKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"anthropic", "https://api.anthropic.com/v1"},
      {"gemini", "https://generativelanguage.googleapis.com/v1beta/models"},
      {"cohere", "https://api.cohere.ai/v1"},
      {"mistral", "https://api.mistral.ai/v1"},
      {"togetherai", "https://api.together.xyz/v1"},
      {"ai21labs", "https://api.ai21.com/studio/v1"},
      {"palm", "https://generativelanguage.googleapis.com/v1beta3/models"},
      {"mosaicml", "https://models.hosted-on.mosaicml.hosting"},
  };
  for (const auto& [provider, base] : cases) {
    const std::string key_field = std::string(provider) + "_api_key";
    const auto r =
        load(one_endpoint("llm/v1/completions", provider, "{" + key_field + ": $OPENAI_KEY}"));
    ASSERT_TRUE(r.ok()) << provider << ": " << texts(r.errors)[0];
    const auto& s = std::get<HttpProviderSettings>(r.config->endpoints[0].model.settings);
    EXPECT_EQ(s.api_key.reveal(), "sk-from-env") << provider;
    EXPECT_EQ(s.api_base, base) << provider;
    EXPECT_TRUE(r.warnings.empty()) << provider;
  }
}

TEST(ProviderConfig, EveryProviderAcceptsAnApiBaseOverride) {
  for (const char* provider :
       {"anthropic", "gemini", "cohere", "mistral", "togetherai", "ai21labs", "palm", "mosaicml"}) {
    const std::string p(provider);
    const auto r =
        load(one_endpoint("llm/v1/completions", p,
                          "{" + p + "_api_key: k, " + p + "_api_base: 'http://127.0.0.1:9/x'}"));
    ASSERT_TRUE(r.ok()) << p;
    EXPECT_EQ(std::get<HttpProviderSettings>(r.config->endpoints[0].model.settings).api_base,
              "http://127.0.0.1:9/x");
  }
}

TEST(ProviderConfig, ServerUrlProviders) {
  auto r = load(one_endpoint("llm/v1/completions", "huggingface-text-generation-inference",
                             "{hf_server_url: 'http://tgi:8080'}"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<HttpProviderSettings>(r.config->endpoints[0].model.settings).api_base,
            "http://tgi:8080");
}

TEST(ProviderConfig, AnthropicVersionDefaultsAndOverrides) {
  auto r = load(one_endpoint("llm/v1/chat", "anthropic", "{anthropic_api_key: k}"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<HttpProviderSettings>(r.config->endpoints[0].model.settings).anthropic_version,
            "2023-06-01");
  r = load(one_endpoint("llm/v1/chat", "anthropic",
                        "{anthropic_api_key: k, anthropic_version: '2024-01-01'}"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<HttpProviderSettings>(r.config->endpoints[0].model.settings).anthropic_version,
            "2024-01-01");
}

TEST(ProviderConfig, CapabilitiesTableIsConsistent) {
  for (const auto& c : all_provider_capabilities()) {
    EXPECT_TRUE(canonical_provider(c.provider).has_value()) << c.provider;
    EXPECT_TRUE(c.chat || c.completions || c.embeddings) << c.provider;
    EXPECT_TRUE(!c.chat_stream || c.chat) << c.provider;
    EXPECT_TRUE(!c.completions_stream || c.completions) << c.provider;
  }
}

// ---- Bedrock credentials ---------------------------------------------------------------------

LoadResult load_env(const std::string& yaml, std::map<std::string, std::string> vars) {
  return load_config_string(yaml, env_from(std::move(vars)));
}

TEST(BedrockConfig, StaticKeysFromTheConfig) {
  auto r = load_env(one_endpoint("llm/v1/chat", "Amazon-Bedrock",
                                 "{aws_config: {aws_region: eu-west-1, aws_access_key_id: AKID, "
                                 "aws_secret_access_key: $SECRET, aws_session_token: TOKEN}}"),
                    {{"SECRET", "s3cr3t"}, {"AWS_ACCESS_KEY_ID", "ignored"}});
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->endpoints[0].model.provider, "amazon-bedrock");
  const auto& s = std::get<BedrockSettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_EQ(s.access_key_id.reveal(), "AKID");
  EXPECT_EQ(s.secret_access_key.reveal(), "s3cr3t");
  EXPECT_EQ(s.session_token.reveal(), "TOKEN");
  EXPECT_EQ(s.credentials_source, "config");
  EXPECT_EQ(s.endpoint_url, "https://bedrock-runtime.eu-west-1.amazonaws.com");
  EXPECT_EQ(s.sts_endpoint_url, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_FALSE(s.role_arn.has_value());
  EXPECT_EQ(s.session_length_seconds, 900);
}

TEST(BedrockConfig, EnvironmentThenSharedFile) {
  auto r = load_env(one_endpoint("llm/v1/completions", "bedrock", "{aws_config: {}}"),
                    {{"AWS_REGION", "us-west-2"},
                     {"AWS_ACCESS_KEY_ID", "AKENV"},
                     {"AWS_SECRET_ACCESS_KEY", "SKENV"}});
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  auto s = std::get<BedrockSettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(s.region, "us-west-2");
  EXPECT_EQ(s.access_key_id.reveal(), "AKENV");
  EXPECT_EQ(s.credentials_source, "environment");

  const std::string file = ::testing::TempDir() + "/aws_credentials_test";
  {
    std::ofstream f(file);
    f << "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = SKDEF\n\n"
         "# comment\n[prod]\naws_access_key_id=AKPROD\r\naws_secret_access_key=SKPROD\r\n"
         "aws_session_token = TPROD\n";
  }
  r = load_env(one_endpoint("llm/v1/completions", "bedrock", "{aws_config: {}}"),
               {{"AWS_DEFAULT_REGION", "ap-south-1"},
                {"AWS_SHARED_CREDENTIALS_FILE", file},
                {"AWS_PROFILE", "prod"}});
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  s = std::get<BedrockSettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(s.region, "ap-south-1");
  EXPECT_EQ(s.access_key_id.reveal(), "AKPROD");
  EXPECT_EQ(s.secret_access_key.reveal(), "SKPROD");
  EXPECT_EQ(s.session_token.reveal(), "TPROD");
  EXPECT_EQ(s.credentials_source, file + " [prod]");

  r = load_env(
      one_endpoint("llm/v1/completions", "bedrock", "{aws_config: {aws_region: us-east-1}}"),
      {{"AWS_SHARED_CREDENTIALS_FILE", file}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<BedrockSettings>(r.config->endpoints[0].model.settings).access_key_id.reveal(),
            "AKDEF");
  std::remove(file.c_str());
}

TEST(BedrockConfig, ErrorsNameWhatIsMissing) {
  EXPECT_EQ(
      texts(load_env(one_endpoint("llm/v1/completions", "bedrock", "{aws_config: {}}"), {}).errors),
      (Texts{"endpoints[0].model.config.aws_config.aws_region: No AWS region: set aws_region, "
             "AWS_REGION or AWS_DEFAULT_REGION (line 7, column 28)",
             "endpoints[0].model.config.aws_config: No AWS credentials: set aws_access_key_id "
             "and aws_secret_access_key, the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
             "environment variables, or a shared credentials file "
             "(AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials) (line 7, column 28)"}));
  EXPECT_EQ(
      texts(load_env(one_endpoint("llm/v1/completions", "bedrock",
                                  "{aws_config: {aws_region: 'bad region', aws_access_key_id: a}}"),
                     {})
                .errors),
      (Texts{"endpoints[0].model.config.aws_config.aws_region: Invalid AWS region 'bad region' "
             "(line 7, column 28)",
             "endpoints[0].model.config.aws_config: 'aws_access_key_id' and "
             "'aws_secret_access_key' must be given together (line 7, column 28)"}));
}

// Errors checked with the usual test environment (errors_of); the ones above use an empty one.
std::vector<ErrorCase> bedrock_cases() {
  return {
      {"BedrockAwsConfigRequired", one_endpoint("llm/v1/completions", "bedrock", "{}"),
       Texts{"endpoints[0].model.config.aws_config: Field required (line 7, column 15)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Bedrock, ConfigErrorTable, ::testing::ValuesIn(bedrock_cases()),
                         case_name);

TEST(BedrockConfig, RoleAndEndpointOverrides) {
  auto r =
      load_env(one_endpoint("llm/v1/chat", "bedrock",
                            "{aws_config: {aws_region: us-east-1, aws_access_key_id: a, "
                            "aws_secret_access_key: b, aws_role_arn: 'arn:aws:iam::1:role/r', "
                            "session_length_seconds: 3600, aws_endpoint_url: 'http://127.0.0.1:1', "
                            "aws_sts_endpoint_url: 'http://127.0.0.1:2'}}"),
               {});
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  const auto& s = std::get<BedrockSettings>(r.config->endpoints[0].model.settings);
  EXPECT_EQ(s.role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(s.session_length_seconds, 3600);
  EXPECT_EQ(s.endpoint_url, "http://127.0.0.1:1");
  EXPECT_EQ(s.sts_endpoint_url, "http://127.0.0.1:2");
  EXPECT_EQ(
      texts(load_env(one_endpoint("llm/v1/chat", "bedrock",
                                  "{aws_config: {aws_region: us-east-1, aws_access_key_id: a, "
                                  "aws_secret_access_key: b, aws_role_arn: r, "
                                  "session_length_seconds: 60}}"),
                     {})
                .errors),
      (Texts{"endpoints[0].model.config.aws_config.aws_role_arn: Invalid role ARN 'r': "
             "expected arn:... (line 7, column 114)",
             "endpoints[0].model.config.aws_config.session_length_seconds: Input should be "
             "between 900 and 43200 (line 7, column 141)"}));
}

TEST(EndpointTimeouts, ParsedInSecondsAndCompared) {
  auto r = load(R"(endpoints:
  - name: e
    endpoint_type: llm/v1/chat
    model: {provider: mock}
    timeouts: {connect: 2, total: 0.5, first_event: 10, idle: 1.25}
)");
  ASSERT_TRUE(r.ok());
  const auto& t = r.config->endpoints[0].timeouts;
  EXPECT_EQ(t.connect_ms, 2000);
  EXPECT_EQ(t.total_ms, 500);
  EXPECT_EQ(t.first_event_ms, 10000);
  EXPECT_EQ(t.idle_ms, 1250);
  // The errors are the EndpointFields row TimeoutsOutOfRangeOrNotANumber.
}

}  // namespace
}  // namespace gw::config

namespace gw::config {
namespace {

// Hardening (docs/security.md): values that become part of an upstream request line are
// refused at load when they hold a space or a control character (they would otherwise break or
// inject into the request line of Gemini, PaLM, MosaicML, AI21, Bedrock or Azure).
std::vector<ErrorCase> hardening_cases() {
  return {
      {"ModelNameWithLineBreakIsRejected",
       "endpoints:\n"
       "  - name: g\n"
       "    endpoint_type: llm/v1/chat\n"
       "    model:\n"
       "      provider: gemini\n"
       "      name: \"gemini-pro\\r\\nX-Injected: 1\"\n"
       "      config: {gemini_api_key: k}\n",
       Texts{"endpoints[0].model.name: The model name contains a space or control character "
             "(CR), which cannot be sent in an upstream request line (line 6, column 13)"}},
      {"ModelNameWithSpaceIsRejected",
       "endpoints:\n"
       "  - name: p\n"
       "    endpoint_type: llm/v1/completions\n"
       "    model:\n"
       "      provider: palm\n"
       "      name: text bison\n"
       "      config: {palm_api_key: k}\n",
       Texts{"endpoints[0].model.name: The model name contains a space or control character "
             "(space), which cannot be sent in an upstream request line (line 6, column 13)"}},
      {"AzureDeploymentNameAndVersionMustBeSafeInTheUrl",
       "endpoints:\n"
       "  - name: az\n"
       "    endpoint_type: llm/v1/chat\n"
       "    model:\n"
       "      provider: openai\n"
       "      name: gpt-4o\n"
       "      config:\n"
       "        openai_api_key: k\n"
       "        openai_api_type: azure\n"
       "        openai_api_base: https://x.openai.azure.com\n"
       "        openai_api_version: \"2024-02-01\\n\"\n"
       "        openai_deployment_name: my deployment\n",
       Texts{"endpoints[0].model.config.openai_api_version: The API version contains a "
             "space or control character (LF), which cannot be sent in an upstream request "
             "line (line 11, column 29)",
             "endpoints[0].model.config.openai_deployment_name: The deployment name "
             "contains a space or control character (space), which cannot be sent in an "
             "upstream request line (line 12, column 33)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Hardening, ConfigErrorTable, ::testing::ValuesIn(hardening_cases()),
                         case_name);

TEST(ConfigHardening, ModelNameWithLineBreakOrSpaceIsRejected) {
  const std::string nul =
      "endpoints:\n"
      "  - name: m\n"
      "    endpoint_type: llm/v1/completions\n"
      "    model:\n"
      "      provider: mosaicml\n"
      "      name: \"mpt\\0x\"\n"
      "      config: {mosaicml_api_key: k}\n";
  ASSERT_EQ(errors_of(nul).size(), 1u);
  EXPECT_NE(errors_of(nul)[0].find("(byte 0)"), std::string::npos) << errors_of(nul)[0];
}

}  // namespace
}  // namespace gw::config
