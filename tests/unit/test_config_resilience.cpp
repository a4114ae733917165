// config/resilience.cpp: the `retries`, `fallbacks`, `circuit_breaker` and `proxy` keys of an
// endpoint (docs/resilience.md). Each error row asserts the exact text, YAML path, line and
// column, like test_config.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace gw::config {
namespace {

using Texts = std::vector<std::string>;

LoadResult load(std::string_view yaml) {
  return load_config_string(yaml, [](const std::string&) { return std::nullopt; });
}

Texts texts(const std::vector<ConfigIssue>& issues) {
  Texts out;
  for (const auto& issue : issues) out.push_back(issue.to_string());
  return out;
}

// Three mock chat endpoints a, b, c and one embeddings endpoint e, then `extra` YAML.
std::string config_with(const std::string& a_keys, const std::string& extra = "") {
  return "endpoints:\n"
         "  - name: a\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model: {provider: mock}\n" +
         a_keys +
         "  - name: b\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model: {provider: mock}\n"
         "  - name: c\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model: {provider: mock}\n"
         "  - name: e\n"
         "    endpoint_type: llm/v1/embeddings\n"
         "    model: {provider: mock}\n" +
         extra;
}

TEST(ConfigResilience, DefaultsWhenAbsent) {
  auto r = load(config_with(""));
  ASSERT_TRUE(r.ok());
  const EndpointConfig& a = r.config->endpoints[0];
  EXPECT_EQ(a.retries.max_attempts, 1);
  EXPECT_EQ(a.retries.backoff_initial_ms, 100);
  EXPECT_EQ(a.retries.backoff_max_ms, 2000);
  EXPECT_EQ(a.retries.retry_on_status, (std::vector<int>{429, 500, 502, 503, 504, 529}));
  EXPECT_TRUE(a.retries.retry_on_connect);
  EXPECT_FALSE(a.retries.retry_on_timeout);
  EXPECT_TRUE(a.fallbacks.empty());
  EXPECT_FALSE(a.circuit_breaker);
  EXPECT_FALSE(a.proxy);
}

TEST(ConfigResilience, EveryKeyParsed) {
  auto r = load(config_with(R"(    retries:
      max_attempts: 3
      backoff: {initial: 0.2, max: 5}
      retry_on: [connect, timeout, 429, 503]
    fallbacks: [b, c]
    circuit_breaker: {failures: 4, cooldown: 2.5}
    proxy: http://proxy.internal:3128
)"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  EXPECT_TRUE(r.warnings.empty());
  const EndpointConfig& a = r.config->endpoints[0];
  EXPECT_EQ(a.retries.max_attempts, 3);
  EXPECT_EQ(a.retries.backoff_initial_ms, 200);
  EXPECT_EQ(a.retries.backoff_max_ms, 5000);
  EXPECT_EQ(a.retries.retry_on_status, (std::vector<int>{429, 503}));
  EXPECT_TRUE(a.retries.retry_on_connect);
  EXPECT_TRUE(a.retries.retry_on_timeout);
  EXPECT_EQ(a.fallbacks, (std::vector<std::string>{"b", "c"}));
  ASSERT_TRUE(a.circuit_breaker);
  EXPECT_EQ(a.circuit_breaker->failures, 4);
  EXPECT_EQ(a.circuit_breaker->cooldown_ms, 2500);
  EXPECT_EQ(a.proxy, "http://proxy.internal:3128");
}

TEST(ConfigResilience, RetryOnWithoutConnectAndBreakerDefaults) {
  auto r =
      load(config_with("    retries: {retry_on: [500]}\n    circuit_breaker: {}\n"
                       "    proxy: none\n"));
  ASSERT_TRUE(r.ok()) << texts(r.errors)[0];
  const EndpointConfig& a = r.config->endpoints[0];
  EXPECT_FALSE(a.retries.retry_on_connect);
  EXPECT_EQ(a.retries.retry_on_status, (std::vector<int>{500}));
  ASSERT_TRUE(a.circuit_breaker);
  EXPECT_EQ(a.circuit_breaker->failures, 5);
  EXPECT_EQ(a.circuit_breaker->cooldown_ms, 30000);
  EXPECT_EQ(a.proxy, "none");
}

TEST(ConfigResilience, ReloadComparesTheNewKeys) {
  auto before = load(config_with(""));
  auto after = load(config_with("    fallbacks: [b]\n"));
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_FALSE(before.config->endpoints[0].same_as(after.config->endpoints[0]));
  EXPECT_TRUE(before.config->endpoints[1].same_as(after.config->endpoints[1]));
}

TEST(ConfigResilience, DuplicateRetryOnEntryWarns) {
  auto r = load(config_with("    retries: {retry_on: [429, 429]}\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(texts(r.warnings),
            Texts{"endpoints[0].retries.retry_on[1]: '429' is listed twice in retry_on "
                  "(line 5, column 31)"});
}

struct Row {
  const char* name;
  std::string yaml;
  Texts errors;
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

class ResilienceErrors : public ::testing::TestWithParam<Row> {};

TEST_P(ResilienceErrors, ReportsExactTexts) {
  EXPECT_EQ(texts(load(GetParam().yaml).errors), GetParam().errors) << GetParam().yaml;
}

std::vector<Row> rows() {
  return {
      {"MaxAttemptsOutOfRange",
       config_with("    retries: {max_attempts: 0}\n"),
       {"endpoints[0].retries.max_attempts: retries.max_attempts must be from 1 to 10 (total "
        "tries, including the first), got 0 (line 5, column 29)"}},
      {"MaxAttemptsTooMany",
       config_with("    retries: {max_attempts: 11}\n"),
       {"endpoints[0].retries.max_attempts: retries.max_attempts must be from 1 to 10 (total "
        "tries, including the first), got 11 (line 5, column 29)"}},
      {"BackoffNotANumber",
       config_with("    retries: {backoff: {initial: soon}}\n"),
       {"endpoints[0].retries.backoff.initial: Input should be a number of seconds greater than "
        "0 and at most 300 (line 5, column 34)"}},
      {"BackoffInitialAboveMax",
       config_with("    retries: {backoff: {initial: 3, max: 1}}\n"),
       {"endpoints[0].retries.backoff: retries.backoff.initial must not be greater than "
        "retries.backoff.max (the defaults are 0.1 and 2 seconds) (line 5, column 24)"}},
      {"RetryOnUnknownEntry",
       config_with("    retries: {retry_on: [connect, 200, oops]}\n"),
       {"endpoints[0].retries.retry_on[1]: retry_on entries must be 'connect', 'timeout' or an "
        "HTTP status from 400 to 599, got '200' (line 5, column 35)",
        "endpoints[0].retries.retry_on[2]: retry_on entries must be 'connect', 'timeout' or an "
        "HTTP status from 400 to 599, got 'oops' (line 5, column 40)"}},
      {"RetryOnNotAList",
       config_with("    retries: {retry_on: connect}\n"),
       {"endpoints[0].retries.retry_on: Input should be a valid list (line 5, column 25)"}},
      {"BreakerFailuresOutOfRange",
       config_with("    circuit_breaker: {failures: 0, cooldown: 0}\n"),
       {"endpoints[0].circuit_breaker.failures: circuit_breaker.failures must be from 1 to 1000 "
        "(consecutive retryable failures), got 0 (line 5, column 33)",
        "endpoints[0].circuit_breaker.cooldown: Input should be a number of seconds greater than "
        "0 and at most 86400 (line 5, column 46)"}},
      {"FallbackUnknown",
       config_with("    fallbacks: [nope]\n"),
       {"endpoints[0].fallbacks[0]: Fallback 'nope' is not an endpoint of this file (line 5, "
        "column 17)"}},
      {"FallbackIsARoute",
       config_with("    fallbacks: [split]\n",
                   "routes:\n  - name: split\n    task_type: llm/v1/chat\n"
                   "    destinations: [{name: b, traffic_percentage: 100}]\n"),
       {"endpoints[0].fallbacks[0]: Fallback 'split' is a traffic route; fallbacks must name "
        "endpoints (line 5, column 17)"}},
      {"FallbackIsItself",
       config_with("    fallbacks: [a]\n"),
       {"endpoints[0].fallbacks[0]: Endpoint 'a' cannot fall back to itself (line 5, column 17)"}},
      {"FallbackTwice",
       config_with("    fallbacks: [b, b]\n"),
       {"endpoints[0].fallbacks[1]: Fallback 'b' is listed twice (line 5, column 20)"}},
      {"FallbackOfAnotherType",
       config_with("    fallbacks: [e]\n"),
       {"endpoints[0].fallbacks[0]: Fallback 'e' has endpoint type 'llm/v1/embeddings', but "
        "endpoint 'a' has 'llm/v1/chat' (line 5, column 17)"}},
      {"FallbackNotAName",
       config_with("    fallbacks: [{name: b}]\n"),
       {"endpoints[0].fallbacks[0]: fallbacks entries must be endpoint names (line 5, column 17)"}},
      {"FallbacksCycle",
       "endpoints:\n"
       "  - {name: a, endpoint_type: llm/v1/chat, model: {provider: mock}, fallbacks: [b]}\n"
       "  - {name: b, endpoint_type: llm/v1/chat, model: {provider: mock}, fallbacks: [c]}\n"
       "  - {name: c, endpoint_type: llm/v1/chat, model: {provider: mock}, fallbacks: [a]}\n",
       {"endpoints[0].fallbacks[0]: Fallbacks form a cycle: 'a' falls back to 'b', which falls "
        "back (directly or not) to 'a' (line 2, column 80)",
        "endpoints[1].fallbacks[0]: Fallbacks form a cycle: 'b' falls back to 'c', which falls "
        "back (directly or not) to 'b' (line 3, column 80)",
        "endpoints[2].fallbacks[0]: Fallbacks form a cycle: 'c' falls back to 'a', which falls "
        "back (directly or not) to 'c' (line 4, column 80)"}},
      {"AttemptLongerThanTotal",
       config_with("    timeouts: {total: 5, attempt: 6}\n"),
       {"endpoints[0].timeouts: timeouts.attempt (one try) must not be greater than "
        "timeouts.total (the whole call, retries and fallbacks included) (line 5, column 15)"}},
      {"ProxyNotAUrl",
       config_with("    proxy: ftp://x\n"),
       {"endpoints[0].proxy: proxy must be 'none' or an http:// proxy URL such as "
        "http://proxy.internal:3128: the scheme is not supported (only http:// proxies are) "
        "(line 5, column 12)"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Keys, ResilienceErrors, ::testing::ValuesIn(rows()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace gw::config
