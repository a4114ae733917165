// config/access.cpp: `auth` (client keys), `budgets`, and an endpoint's `tokens`, `cost` and
// `budget` (docs/access-and-budgets.md), plus parse_usd and key_digest. Each error row asserts
// the exact text, YAML path, line and column, like test_config.cpp. No message may contain a
// client key or its digest.
//
// Hermetic: `$NAME` keys come from an injected EnvLookup, key files are private temp files.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace gw::config {
namespace {

using Texts = std::vector<std::string>;

constexpr const char* kTeamAKey = "team-a-secret-key-0123456789";
// SHA-256 of "test".
constexpr const char* kTestSha256 =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

EnvLookup test_env() {
  static const std::map<std::string, std::string> vars = {
      {"TEAM_A_KEY", kTeamAKey}, {"SHORT_KEY", "abc"}, {"BROKEN_KEY", "line\nbreak-0123456789"}};
  return [](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

LoadResult load(std::string_view yaml) { return load_config_string(yaml, test_env()); }

Texts texts(const std::vector<ConfigIssue>& issues) {
  Texts out;
  for (const auto& issue : issues) out.push_back(issue.to_string());
  return out;
}

std::string hex(const std::array<unsigned char, 32>& digest) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// `top` (auth, budgets: from line 1), then a chat endpoint `chat` with `chat_keys`, an
// embeddings endpoint `embeddings` and a traffic route `split`.
std::string config_with(const std::string& top, const std::string& chat_keys = "") {
  return top +
         "endpoints:\n"
         "  - name: chat\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model: {provider: mock}\n" +
         chat_keys +
         "  - name: embeddings\n"
         "    endpoint_type: llm/v1/embeddings\n"
         "    model: {provider: mock}\n"
         "routes:\n"
         "  - name: split\n"
         "    task_type: llm/v1/chat\n"
         "    destinations: [{name: chat, traffic_percentage: 100}]\n";
}

// One client key entry (from line 3), after `auth:` and `keys:`.
std::string auth_with(const std::string& entry) {
  return "auth:\n"
         "  keys:\n" +
         entry;
}

// ---- parse_usd and key_digest ---------------------------------------------------------------

TEST(ParseUsd, AmountsInMicroDollars) {
  EXPECT_EQ(parse_usd("0.15"), 150'000);
  EXPECT_EQ(parse_usd("0.60"), 600'000);
  EXPECT_EQ(parse_usd("2000"), 2'000'000'000);
  EXPECT_EQ(parse_usd("0.000001"), 1);
  EXPECT_EQ(parse_usd("0"), 0);
  EXPECT_EQ(parse_usd("50"), 50'000'000);
  EXPECT_EQ(parse_usd("12.5"), 12'500'000);
  EXPECT_EQ(parse_usd("007.25"), 7'250'000);                  // leading zeros are just zeros
  EXPECT_EQ(parse_usd("1000000000"), 1'000'000'000'000'000);  // the maximum, 1e9 USD
  EXPECT_EQ(parse_usd("0000000001000000000.000000"), 1'000'000'000'000'000);
}

TEST(ParseUsd, RejectsAnythingElse) {
  // Decided: a point needs digits on both sides (".5" and "5." are not amounts).
  for (const char* text : {"",
                           ".5",
                           "5.",
                           ".",
                           "1.0000001",
                           "-1",
                           "+1",
                           "1e3",
                           "abc",
                           "1000000001",
                           "1000000000.000001",
                           "99999999999",
                           "1,5",
                           " 1",
                           "1 ",
                           "1.2.3",
                           "0x10",
                           "inf",
                           "nan",
                           "1_000",
                           "１"}) {
    EXPECT_EQ(parse_usd(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(KeyDigest, IsSha256) {
  EXPECT_EQ(hex(key_digest("test")), kTestSha256);
  EXPECT_EQ(hex(key_digest("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// ---- parsed values --------------------------------------------------------------------------

TEST(ConfigAccess, DefaultsWhenAbsent) {
  auto r = load(config_with(""));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_FALSE(r.config->auth);
  EXPECT_FALSE(r.config->budgets.global);
  EXPECT_FALSE(r.config->budgets.alert_webhook);
  const EndpointConfig& chat = r.config->endpoints[0];
  EXPECT_TRUE(chat.tokens.empty());
  EXPECT_FALSE(chat.cost);
  EXPECT_FALSE(chat.budget);
}

TEST(ConfigAccess, KeyDefaults) {
  auto r = load(config_with(auth_with("    - {name: team-a, key: $TEAM_A_KEY}\n")));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_TRUE(r.warnings.empty()) << texts(r.warnings)[0];
  ASSERT_TRUE(r.config->auth);
  EXPECT_EQ(r.config->auth->header, "Authorization");
  ASSERT_EQ(r.config->auth->keys.size(), 1u);
  const ClientKeyConfig& k = r.config->auth->keys[0];
  EXPECT_EQ(k.name, "team-a");
  EXPECT_EQ(k.key_sha256, key_digest(kTeamAKey));
  EXPECT_TRUE(k.all_endpoints);
  EXPECT_TRUE(k.endpoints.empty());
  EXPECT_FALSE(k.admin);
  EXPECT_FALSE(k.limit);
  EXPECT_TRUE(k.tokens.empty());
  EXPECT_FALSE(k.budget);
  EXPECT_EQ(k.line, 3);
}

TEST(ConfigAccess, EveryKeyParsed) {
  auto r = load(config_with(R"(auth:
  header: X-Api-Key
  keys:
    - name: team-a
      key: $TEAM_A_KEY
      endpoints: [chat, embeddings]
      admin: true
      limit: {calls: 100, renewal_period: minute}
      tokens: {per_minute: 100000, per_hour: 1500000, per_day: 2000000}
      budget: {usd: 50, period: week, on_exceed: alert}
    - name: team_b.2
      key_sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08
      endpoints: [split]
      admin: false
      budget: {usd: 0.000001, period: day}
    - name: team-c
      key: team-c-literal-key-0123456789
      endpoints: [all]
budgets:
  global: {usd: 2000, period: month, on_exceed: reject}
  alert_webhook: https://hooks.example/budget
)",
                            R"(    tokens: {per_minute: 200000}
    cost: {input_per_million: 0.15, output_per_million: 0.60}
    budget: {usd: 500, period: month, on_exceed: reject}
)"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_TRUE(r.warnings.empty()) << texts(r.warnings)[0];
  const AuthConfig& auth = *r.config->auth;
  EXPECT_EQ(auth.header, "X-Api-Key");
  ASSERT_EQ(auth.keys.size(), 3u);
  const ClientKeyConfig& a = auth.keys[0];
  EXPECT_EQ(a.name, "team-a");
  EXPECT_EQ(a.key_sha256, key_digest(kTeamAKey));
  EXPECT_FALSE(a.all_endpoints);
  EXPECT_EQ(a.endpoints, (std::vector<std::string>{"chat", "embeddings"}));
  EXPECT_TRUE(a.admin);
  ASSERT_TRUE(a.limit);
  EXPECT_EQ(a.limit->calls, 100);
  EXPECT_EQ(a.limit->period_seconds, 60);
  EXPECT_FALSE(a.limit->key);
  EXPECT_EQ(a.tokens, (TokenLimitConfig{100'000, 1'500'000, 2'000'000}));
  EXPECT_EQ(a.budget, (BudgetConfig{50'000'000, BudgetPeriod::Week, OnExceed::Alert}));
  EXPECT_EQ(a.line, 4);
  const ClientKeyConfig& b = auth.keys[1];
  EXPECT_EQ(b.name, "team_b.2");
  EXPECT_EQ(hex(b.key_sha256), kTestSha256);  // either case of hex digits
  EXPECT_EQ(b.key_sha256, key_digest("test"));
  EXPECT_EQ(b.endpoints, (std::vector<std::string>{"split"}));
  EXPECT_FALSE(b.admin);
  EXPECT_EQ(b.budget, (BudgetConfig{1, BudgetPeriod::Day, OnExceed::Reject}));
  const ClientKeyConfig& c = auth.keys[2];
  EXPECT_EQ(c.key_sha256, key_digest("team-c-literal-key-0123456789"));
  EXPECT_TRUE(c.all_endpoints);
  EXPECT_TRUE(c.endpoints.empty());

  EXPECT_EQ(r.config->budgets.global,
            (BudgetConfig{2'000'000'000, BudgetPeriod::Month, OnExceed::Reject}));
  EXPECT_EQ(r.config->budgets.alert_webhook, "https://hooks.example/budget");
  const EndpointConfig& chat = r.config->endpoints[0];
  EXPECT_EQ(chat.tokens, (TokenLimitConfig{200'000, std::nullopt, std::nullopt}));
  EXPECT_EQ(chat.cost, (CostConfig{150'000, 600'000}));
  EXPECT_EQ(chat.budget, (BudgetConfig{500'000'000, BudgetPeriod::Month, OnExceed::Reject}));
  const EndpointConfig& emb = r.config->endpoints[1];
  EXPECT_TRUE(emb.tokens.empty());
  EXPECT_FALSE(emb.cost);
}

TEST(ConfigAccess, KeySha256EqualsTheDigestOfTheSameKey) {
  // The same key given as itself and as its hex SHA-256 authenticates the same way (and is
  // therefore refused twice in one file: see the error rows).
  auto plain = load(config_with(auth_with("    - {name: a, key: test}\n")));
  auto hashed = load(
      config_with(auth_with(std::string("    - {name: a, key_sha256: ") + kTestSha256 + "}\n")));
  ASSERT_TRUE(plain.ok() && hashed.ok());
  EXPECT_EQ(plain.config->auth->keys[0].key_sha256, hashed.config->auth->keys[0].key_sha256);
  EXPECT_EQ(plain.config->auth->keys[0].key_sha256, key_digest("test"));
}

TEST(ConfigAccess, KeyFromAFileDropsTheTrailingNewline) {
  char tmpl[] = "/tmp/gw_access_test_XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  const std::string content = std::string(kTeamAKey) + "\n";
  ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  auto r = load(config_with(auth_with(std::string("    - {name: a, key: ") + tmpl + "}\n")));
  unlink(tmpl);
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(r.config->auth->keys[0].key_sha256, key_digest(kTeamAKey));
}

TEST(ConfigAccess, EmptyBlocksMeanNoLimit) {
  auto r = load(config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, tokens: {}}\n"),
                            "    tokens: {}\n    cost: {}\n"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_TRUE(r.config->auth->keys[0].tokens.empty());
  EXPECT_TRUE(r.config->endpoints[0].tokens.empty());
  EXPECT_EQ(r.config->endpoints[0].cost, (CostConfig{0, 0}));
}

TEST(ConfigAccess, ReloadComparesTheNewEndpointKeys) {
  auto before = load(config_with(""));
  auto after = load(config_with("", "    cost: {input_per_million: 1}\n"));
  auto tokens = load(config_with("", "    tokens: {per_day: 5}\n"));
  ASSERT_TRUE(before.ok() && after.ok() && tokens.ok());
  EXPECT_FALSE(before.config->endpoints[0].same_as(after.config->endpoints[0]));
  EXPECT_FALSE(before.config->endpoints[0].same_as(tokens.config->endpoints[0]));
  EXPECT_TRUE(before.config->endpoints[1].same_as(after.config->endpoints[1]));
}

TEST(ConfigAccess, NewKeysAreKnownKeys) {
  // Unknown keys are warned about; every documented key here is known.
  auto r = load(config_with(auth_with("    - name: a\n"
                                      "      key: $TEAM_A_KEY\n"
                                      "      endpoints: [all]\n"
                                      "      admin: false\n"
                                      "      limit: {calls: 1, renewal_period: day}\n"
                                      "      tokens: {per_minute: 1, per_hour: 2, per_day: 3}\n"
                                      "      budget: {usd: 1, period: day, on_exceed: reject}\n"
                                      "  header: Authorization\n"
                                      "budgets:\n"
                                      "  global: {usd: 1}\n"
                                      "  alert_webhook: http://localhost:9/x\n"),
                            "    tokens: {per_minute: 1, per_hour: 2, per_day: 3}\n"
                            "    cost: {input_per_million: 1, output_per_million: 2}\n"
                            "    budget: {usd: 1, period: week, on_exceed: alert}\n"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(texts(r.warnings), Texts{});
}

// ---- warnings -------------------------------------------------------------------------------

TEST(ConfigAccessWarnings, BudgetWithoutCostOnTheEndpoint) {
  auto r = load(config_with("", "    budget: {usd: 10}\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].budget: budget has no effect: the endpoint has no cost, so its "
                  "spend stays 0 (add cost: {input_per_million, output_per_million} to this "
                  "endpoint) (line 5, column 13)"});
}

TEST(ConfigAccessWarnings, ZeroCostCountsAsNoCost) {
  auto r = load(config_with("", "    cost: {input_per_million: 0}\n    budget: {usd: 10}\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].budget: budget has no effect: the endpoint has no cost, so its "
                  "spend stays 0 (add cost: {input_per_million, output_per_million} to this "
                  "endpoint) (line 6, column 13)"});
}

TEST(ConfigAccessWarnings, GlobalAndKeyBudgetsWhenNoEndpointHasACost) {
  auto r = load(config_with("budgets:\n  global: {usd: 100}\n" +
                            auth_with("    - {name: a, key: $TEAM_A_KEY, budget: {usd: 1}}\n")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(texts(r.warnings),
            (Texts{"budgets.global: budget has no effect: no endpoint has a cost, so spend stays "
                   "0 (add cost: {input_per_million, output_per_million} to the endpoints) (line "
                   "2, column 11)",
                   "auth.keys[0].budget: budget has no effect: no endpoint has a cost, so spend "
                   "stays 0 (add cost: {input_per_million, output_per_million} to the "
                   "endpoints) (line 5, column 43)"}));
}

TEST(ConfigAccessWarnings, AlertWithoutWebhook) {
  auto r = load(config_with("budgets:\n  global: {usd: 100, on_exceed: alert}\n",
                            "    cost: {output_per_million: 1}\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(texts(r.warnings),
            Texts{"budgets.global: on_exceed is 'alert', but budgets.alert_webhook is not set: no "
                  "alert is sent when this budget is reached, and calls over it are still "
                  "served (line 2, column 11)"});
}

TEST(ConfigAccessWarnings, ShortKeyAndRepeatedEndpoint) {
  auto r =
      load(config_with(auth_with("    - name: a\n"
                                 "      key: $SHORT_KEY\n"
                                 "      endpoints: [chat, split, chat]\n")));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(texts(r.warnings),
            (Texts{"auth.keys[0].key: The key is shorter than 16 characters and easy to guess: "
                   "use a long random key (e.g. from `openssl rand -hex 32`) (line 4, column 12)",
                   "auth.keys[0].endpoints[2]: 'chat' is listed twice in endpoints (line 5, "
                   "column 32)"}));
  EXPECT_EQ(r.config->auth->keys[0].endpoints, (std::vector<std::string>{"chat", "split"}));
}

TEST(ConfigAccessWarnings, UnknownKeysAreWarnedWithASuggestion) {
  // (The endpoint's cost is then empty, so the global budget also has no effect.)
  auto r = load(config_with("budgets:\n  global: {usd: 1, perod: day}\n  webhook: x\n",
                            "    cost: {input_per_milion: 1}\n"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_EQ(texts(r.warnings),
            (Texts{"endpoints[0].cost.input_per_milion: unknown key 'input_per_milion' (ignored; "
                   "did you mean 'input_per_million'?) (line 8, column 12)",
                   "budgets.webhook: unknown key 'webhook' (ignored) (line 3, column 3)",
                   "budgets.global.perod: unknown key 'perod' (ignored; did you mean 'period'?) "
                   "(line 2, column 20)",
                   "budgets.global: budget has no effect: no endpoint has a cost, so spend stays "
                   "0 (add cost: {input_per_million, output_per_million} to the endpoints) (line "
                   "2, column 11)"}));
}

// ---- errors ---------------------------------------------------------------------------------

struct Row {
  const char* name;
  std::string yaml;
  Texts errors;
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

class AccessErrors : public ::testing::TestWithParam<Row> {};

TEST_P(AccessErrors, ReportsExactTexts) {
  EXPECT_EQ(texts(load(GetParam().yaml).errors), GetParam().errors) << GetParam().yaml;
}

std::vector<Row> auth_rows() {
  return {
      {"AuthEmpty",
       config_with("auth:\n"),
       {"auth: auth is empty: list the client keys under auth.keys, or remove 'auth' to turn "
        "authentication off (line 1, column 1)"}},
      {"AuthNotAMapping",
       config_with("auth: [a]\n"),
       {"auth: Input should be a valid dictionary (line 1, column 7)"}},
      {"KeysMissing",
       config_with("auth: {header: X-Key}\n"),
       {"auth.keys: Field required (line 1, column 7)"}},
      {"KeysEmpty",
       config_with("auth: {keys: []}\n"),
       {"auth.keys: auth.keys must list at least one key (remove 'auth' to turn authentication "
        "off) (line 1, column 14)"}},
      {"KeysNotAList",
       config_with("auth: {keys: {name: a}}\n"),
       {"auth.keys: Input should be a valid list (line 1, column 14)"}},
      {"HeaderNotAName",
       config_with("auth:\n  header: X Key\n  keys: [{name: a, key: $TEAM_A_KEY}]\n"),
       {"auth.header: auth.header must be an HTTP header name (letters, digits and "
        "!#$%&'*+-.^_`|~), such as Authorization or X-Api-Key, got 'X Key' (line 2, column 11)"}},
      {"EntryNotAMapping",
       config_with(auth_with("    - team-a\n")),
       {"auth.keys[0]: Input should be a valid dictionary (line 3, column 7)"}},
      {"NameMissing",
       config_with(auth_with("    - {key: $TEAM_A_KEY}\n")),
       {"auth.keys[0].name: Field required (line 3, column 7)"}},
      {"NameInvalid",
       config_with(auth_with("    - {name: team a, key: $TEAM_A_KEY}\n")),
       {"auth.keys[0].name: Key name 'team a' is invalid: use 1 to 64 characters, each a letter, "
        "a digit, '_', '-' or '.' (line 3, column 14)"}},
      {"NameTooLong",
       config_with(auth_with("    - {name: " + std::string(65, 'n') + ", key: $TEAM_A_KEY}\n")),
       {"auth.keys[0].name: Key name '" + std::string(65, 'n') +
        "' is invalid: use 1 to 64 characters, each a letter, a digit, '_', '-' or '.' (line 3, "
        "column 14)"}},
      {"NameTwice",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY}\n"
                             "    - {name: a, key_sha256: " +
                             std::string(kTestSha256) + "}\n")),
       {"auth.keys[1].name: Duplicate key name 'a' in auth.keys (first at line 3); key names "
        "must be unique (line 4, column 14)"}},
      {"NeitherKeyNorSha",
       config_with(auth_with("    - {name: a}\n")),
       {"auth.keys[0]: A key needs 'key' (the key itself, '$ENV_VAR' or the path of a file "
        "holding the key) or 'key_sha256' (the key's SHA-256 as 64 hex digits) (line 3, column "
        "7)"}},
      {"BothKeyAndSha",
       config_with(auth_with(
           "    - {name: a, key: $TEAM_A_KEY, key_sha256: " + std::string(kTestSha256) + "}\n")),
       {"auth.keys[0]: Give either 'key' or 'key_sha256', not both (line 3, column 7)"}},
      {"KeyEnvUnset",
       config_with(auth_with("    - {name: a, key: $NOPE}\n")),
       {"auth.keys[0].key: Environment variable 'NOPE' is not set (line 3, column 22)"}},
      {"KeyShellSyntax",
       config_with(auth_with("    - {name: a, key: \"${TEAM_A_KEY}\"}\n")),
       {"auth.keys[0].key: '${TEAM_A_KEY}' is shell syntax: the gateway reads environment "
        "variable 'TEAM_A_KEY' when the value is '$TEAM_A_KEY' (no braces) (line 3, column 22)"}},
      {"KeyEmpty",
       config_with(auth_with("    - {name: a, key: \"\"}\n")),
       {"auth.keys[0].key: The key is empty: set it to the key itself, '$ENV_VAR' or the path "
        "of a file holding the key (line 3, column 22)"}},
      {"KeyNull",
       config_with(auth_with("    - name: a\n      key:\n")),
       {"auth.keys[0].key: The key is empty: set it to the key itself, '$ENV_VAR' or the path "
        "of a file holding the key (line 4, column 7)"}},
      {"KeyNotAString",
       config_with(auth_with("    - {name: a, key: [x]}\n")),
       {"auth.keys[0].key: The key must be a string: the key itself, '$ENV_VAR' or the path of "
        "a file holding the key (line 3, column 22)"}},
      {"KeyWithALineBreak",
       config_with(auth_with("    - {name: a, key: $BROKEN_KEY}\n")),
       {"auth.keys[0].key: The key contains a line break, so no request header can carry it "
        "(line 3, column 22)"}},
      {"ShaTooShort",
       config_with(
           auth_with("    - {name: a, key_sha256: " + std::string(kTestSha256, 63) + "}\n")),
       {"auth.keys[0].key_sha256: key_sha256 must be the key's SHA-256 as 64 hex digits (such "
        "as the output of `printf %s \"$KEY\" | sha256sum`), got 63 characters (line 3, column "
        "29)"}},
      {"ShaNotHex",
       config_with(
           auth_with("    - {name: a, key_sha256: " + std::string(kTestSha256, 63) + "g}\n")),
       {"auth.keys[0].key_sha256: key_sha256 must be the key's SHA-256 as 64 hex digits (such "
        "as the output of `printf %s \"$KEY\" | sha256sum`), got a character that is not a hex "
        "digit (line 3, column 29)"}},
      {"SameKeyTwice",
       config_with(auth_with("    - {name: a, key: test}\n"
                             "    - {name: b, key: $TEAM_A_KEY}\n"
                             "    - {name: c, key_sha256: " +
                             std::string(kTestSha256) + "}\n")),
       {"auth.keys[2].key_sha256: Keys 'a' and 'c' are the same key; give each entry its own key "
        "(line 5, column 29)"}},
  };
}

std::vector<Row> key_field_rows() {
  return {
      {"EndpointsUnknown",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, endpoints: [chta, nope]}\n")),
       {"auth.keys[0].endpoints[0]: 'chta' is not an endpoint or traffic route of this file. "
        "Did you mean 'chat'? (line 3, column 47)",
        "auth.keys[0].endpoints[1]: 'nope' is not an endpoint or traffic route of this file. "
        "(line 3, column 53)"}},
      {"EndpointsEmpty",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, endpoints: []}\n")),
       {"auth.keys[0].endpoints: endpoints must not be empty: list endpoint or traffic route "
        "names, or leave endpoints out (the default, [all], allows every one) (line 3, column "
        "46)"}},
      {"EndpointsNotAList",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, endpoints: chat}\n")),
       {"auth.keys[0].endpoints: Input should be a valid list (line 3, column 46)"}},
      {"EndpointsEntryNotAName",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, endpoints: [{name: chat}]}\n")),
       {"auth.keys[0].endpoints[0]: endpoints entries must be endpoint or traffic route names, "
        "or 'all' (line 3, column 47)"}},
      {"EndpointsAllAndNames",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, endpoints: [all, chat]}\n")),
       {"auth.keys[0].endpoints[0]: 'all' already allows every endpoint and traffic route: list "
        "either 'all' alone or the names (line 3, column 47)"}},
      {"AdminNotABool",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, admin: yes}\n")),
       {"auth.keys[0].admin: Input should be a valid boolean (line 3, column 42)"}},
      {"LimitWithKey",
       config_with(auth_with("    - name: a\n      key: $TEAM_A_KEY\n"
                             "      limit: {calls: 1, renewal_period: minute, key: global}\n")),
       {"auth.keys[0].limit.key: limit.key is not allowed in a client key's limit: it always "
        "counts that key's own calls (remove limit.key) (line 5, column 54)"}},
      {"LimitBadPeriod",
       config_with(auth_with("    - name: a\n      key: $TEAM_A_KEY\n"
                             "      limit: {calls: 1, renewal_period: 1m}\n")),
       {"auth.keys[0].limit: Failed to parse the rate limit configuration.Please make sure "
        "limit.calls is a positive number andlimit.renewal_period is a right granularity. "
        "limit.renewal_period must be second, minute, hour, day, month or year, optionally "
        "with a count of 1 or more before it and an 's' after it ('minute', '5 minutes', '1 "
        "hour'), got '1m'. (line 5, column 14)"}},
      {"KeyTokensZero",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, tokens: {per_hour: 0}}\n")),
       {"auth.keys[0].tokens.per_hour: tokens.per_hour must be from 1 to 1000000000000000 (input "
        "+ output tokens per hour), got 0 (line 3, column 54)"}},
      {"KeyBudgetWithoutUsd",
       config_with(auth_with("    - {name: a, key: $TEAM_A_KEY, budget: {period: day}}\n")),
       {"auth.keys[0].budget.usd: Field required (line 3, column 43)"}},
  };
}

std::vector<Row> spend_rows() {
  return {
      {"TokensNegative",
       config_with("", "    tokens: {per_minute: -5}\n"),
       {"endpoints[0].tokens.per_minute: tokens.per_minute must be from 1 to 1000000000000000 "
        "(input + output tokens per minute), got -5 (line 5, column 26)"}},
      {"TokensTooMany",
       config_with("", "    tokens: {per_day: 1000000000000001}\n"),
       {"endpoints[0].tokens.per_day: tokens.per_day must be from 1 to 1000000000000000 (input "
        "+ output tokens per day), got 1000000000000001 (line 5, column 23)"}},
      {"TokensNotAnInteger",
       config_with("", "    tokens: {per_day: 1.5}\n"),
       {"endpoints[0].tokens.per_day: Input should be a valid integer (line 5, column 23)"}},
      {"TokensNotAMapping",
       config_with("", "    tokens: 1000\n"),
       {"endpoints[0].tokens: Input should be a valid dictionary (line 5, column 13)"}},
      {"CostNotAnAmount",
       config_with("", "    cost: {input_per_million: -1, output_per_million: 1e3}\n"),
       {"endpoints[0].cost.input_per_million: cost.input_per_million must be a USD amount such "
        "as 50 or 0.15 (digits, at most 6 decimals, at most 1000000000), got '-1' (line 5, "
        "column 31)",
        "endpoints[0].cost.output_per_million: cost.output_per_million must be a USD amount "
        "such as 50 or 0.15 (digits, at most 6 decimals, at most 1000000000), got '1e3' (line "
        "5, column 55)"}},
      {"CostTooPrecise",
       config_with("", "    cost: {input_per_million: 0.0000001}\n"),
       {"endpoints[0].cost.input_per_million: cost.input_per_million must be a USD amount such "
        "as 50 or 0.15 (digits, at most 6 decimals, at most 1000000000), got '0.0000001' (line "
        "5, column 31)"}},
      {"CostAList",
       config_with("", "    cost: {input_per_million: [1]}\n"),
       {"endpoints[0].cost.input_per_million: cost.input_per_million must be a USD amount such "
        "as 50 or 0.15 (digits, at most 6 decimals, at most 1000000000), got a list (line 5, "
        "column 31)"}},
      {"BudgetZero",
       config_with("", "    budget: {usd: 0}\n"),
       {"endpoints[0].budget.usd: budget.usd must be greater than 0 (leave the budget out for "
        "no limit), got 0 (line 5, column 19)"}},
      {"BudgetTooLarge",
       config_with("", "    budget: {usd: 1000000001}\n"),
       {"endpoints[0].budget.usd: budget.usd must be a USD amount such as 50 or 0.15 (digits, "
        "at most 6 decimals, at most 1000000000), got '1000000001' (line 5, column 19)"}},
      {"BudgetPeriodAndAction",
       config_with("", "    budget: {usd: 5, period: monthly, on_exceed: warn}\n"),
       {"endpoints[0].budget.period: budget.period must be day, week or month (calendar periods "
        "in UTC), got 'monthly'. Did you mean 'month'? (line 5, column 30)",
        "endpoints[0].budget.on_exceed: budget.on_exceed must be reject (refuse calls once the "
        "budget is spent) or alert (serve them and send an alert), got 'warn'. (line 5, column "
        "50)"}},
      {"BudgetsNotAMapping",
       config_with("budgets: [global]\n"),
       {"budgets: Input should be a valid dictionary (line 1, column 10)"}},
      {"GlobalBudgetYearly",
       config_with("budgets:\n  global: {usd: 10, period: year}\n", "    cost: {}\n"),
       {"budgets.global.period: budget.period must be day, week or month (calendar periods in "
        "UTC), got 'year'. (line 2, column 29)"}},
      {"WebhookNotHttp",
       config_with("budgets:\n  alert_webhook: ftp://hooks.example/t0ken\n"),
       {"budgets.alert_webhook: budgets.alert_webhook must be an http:// or https:// URL with a "
        "host, such as https://hooks.example/budget (the value is not shown: webhook URLs often "
        "hold a token) (line 2, column 18)"}},
      {"WebhookWithoutHost",
       config_with("budgets:\n  alert_webhook: https:///path\n"),
       {"budgets.alert_webhook: budgets.alert_webhook must be an http:// or https:// URL with a "
        "host, such as https://hooks.example/budget (the value is not shown: webhook URLs often "
        "hold a token) (line 2, column 18)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Auth, AccessErrors, ::testing::ValuesIn(auth_rows()),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(KeyFields, AccessErrors, ::testing::ValuesIn(key_field_rows()),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(Spend, AccessErrors, ::testing::ValuesIn(spend_rows()),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- no secret in any message ---------------------------------------------------------------

TEST(ConfigAccessSecrets, NoMessageContainsAKeyOrItsDigest) {
  const std::string key = kTeamAKey;
  const std::string digest = hex(key_digest(key));
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> files = {
      // The same key twice: as a literal, from the environment, and as its digest.
      config_with(auth_with("    - {name: a, key: " + key +
                            "}\n    - {name: b, key: $TEAM_A_KEY}\n" +
                            "    - {name: c, key_sha256: " + upper + "}\n")),
      // A digest one character short, one too long, one not hex; and both key and digest.
      config_with(auth_with("    - {name: a, key_sha256: " + digest.substr(1) + "}\n" +
                            "    - {name: b, key_sha256: " + digest + "0}\n" +
                            "    - {name: c, key_sha256: " + digest.substr(1) + "z}\n" +
                            "    - {name: d, key: " + key + ", key_sha256: " + digest + "}\n")),
      // A literal key that looks like a path, and keys that are too short or in the name.
      config_with(auth_with(
          "    - {name: a, key: /" + key + "}\n" + "    - {name: b, key: " + key.substr(0, 10) +
          "}\n" + "    - {name: c, key: $NOPE}\n" + "    - {name: d, key: [" + key + "]}\n")),
  };
  for (const std::string& yaml : files) {
    const LoadResult r = load(yaml);
    EXPECT_FALSE(r.errors.empty() && r.warnings.empty()) << yaml;
    for (const auto* issues : {&r.errors, &r.warnings}) {
      for (const ConfigIssue& issue : *issues) {
        const std::string text = issue.to_string();
        for (const std::string& secret :
             {key, key.substr(0, 10), digest, upper, digest.substr(1), upper.substr(1)}) {
          EXPECT_EQ(text.find(secret), std::string::npos) << text;
        }
      }
    }
  }
}

}  // namespace
}  // namespace gw::config
