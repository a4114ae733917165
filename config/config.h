// Gateway configuration: YAML -> typed, validated GatewayConfig.
//
// Stage 1 of the config pipeline (docs/architecture.md, "Config loading"): the file is parsed once
// into plain structs; every problem is reported with its YAML path and line/column, and all
// problems are collected (not just the first). Nothing here touches sockets or provider code.
//
// Thread safety: the functions are pure apart from reading the file / environment / secret
// files; the returned structs are plain values.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/provider_catalogue.h"

namespace gw::config {

// "llm/v1/completions", "llm/v1/chat", "llm/v1/embeddings".
std::string_view to_string(EndpointType t);
std::optional<EndpointType> parse_endpoint_type(std::string_view s);

// A resolved secret (API key). Kept in its own type so that it is never printed by accident:
// there is deliberately no operator<< and no implicit conversion.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : value_(std::move(v)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

// ---- per-provider settings (model.config), one struct per implemented provider ----------

enum class OpenAIApiType { OpenAI, Azure, AzureAD };

struct OpenAISettings {
  OpenAIApiType api_type = OpenAIApiType::OpenAI;
  Secret api_key;  // may be empty for keyless OpenAI-compatible servers (no Authorization sent)
  std::string api_base;  // default https://api.openai.com/v1 for api_type openai
  std::optional<std::string> api_version;
  std::optional<std::string> deployment_name;
  std::optional<std::string> organization;
  bool operator==(const OpenAISettings&) const = default;
};

// The built-in offline provider (docs/providers.md, "mock"; not an MLflow provider). Every key is
// optional.
struct MockSettings {
  std::optional<std::string> response;  // fixed reply text; default echoes the prompt
  int dimensions = 8;                   // embedding vector length (1..4096)
  bool operator==(const MockSettings&) const = default;
};

// The HTTP providers of docs/mlflow-compatibility.md §6.2–6.11 (anthropic, gemini, cohere, mistral,
// togetherai, ai21labs, palm, mosaicml, huggingface-text-generation-inference,
// mlflow-model-serving): an API key (none for TGI and MLflow model serving) and a base URL (the
// provider's default, the
// `<provider>_api_base` override of docs/deviations.md, or `hf_server_url` / `model_server_url`).
// ModelConfig::provider says which wire format applies.
struct HttpProviderSettings {
  Secret api_key;
  std::string api_base;           // no trailing-slash normalisation; append_path() handles it
  std::string anthropic_version;  // anthropic only (default "2023-06-01")
  bool operator==(const HttpProviderSettings&) const = default;
};

// Amazon Bedrock (docs/mlflow-compatibility.md §6.12, docs/deviations.md). The base credentials are
// resolved when the file is loaded: model.config.aws_config keys, else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials, profile AWS_PROFILE or "default"). With `aws_role_arn` the gateway calls
// STS AssumeRole with them and caches the temporary credentials until shortly before expiry.
struct BedrockSettings {
  std::string region;  // aws_region, else AWS_REGION, else AWS_DEFAULT_REGION
  std::string
      endpoint_url;  // aws_endpoint_url, default https://bedrock-runtime.<region>.amazonaws.com
  std::string sts_endpoint_url;  // aws_sts_endpoint_url, default https://sts.<region>.amazonaws.com
  Secret access_key_id;
  Secret secret_access_key;
  Secret session_token;            // may be empty
  std::string credentials_source;  // "config", "environment" or the shared file's path (for logs)
  std::optional<std::string> role_arn;
  int session_length_seconds = 900;
  bool operator==(const BedrockSettings&) const = default;
};

// The closed set of implemented providers. Adding one fails to compile until every
// std::visit over it handles the new alternative.
using ProviderSettings =
    std::variant<OpenAISettings, MockSettings, HttpProviderSettings, BedrockSettings>;

struct ModelConfig {
  ProviderId id = ProviderId::OpenAI;  // the catalogue row (provider_catalogue.h)
  std::string provider;                // its canonical name, e.g. "openai", "amazon-bedrock"
  std::optional<std::string> name;     // model name forwarded upstream (may be absent)
  ProviderSettings settings;
  bool operator==(const ModelConfig&) const = default;
};

enum class Granularity { Second, Minute, Hour, Day, Month, Year };

// MLflow's `limit` block, checked with the `limits` grammar (docs/mlflow-compatibility.md §5).
struct LimitConfig {
  std::int64_t calls = 0;
  std::string renewal_period;  // as written in the file, e.g. "minute", "5 minutes"
  std::optional<std::string> key;
  int multiples = 1;  // the optional number in renewal_period ("5 minutes" -> 5)
  Granularity granularity = Granularity::Minute;
  std::int64_t period_seconds = 60;  // multiples * granularity seconds (month 30 d, year 365 d)
  // "<calls> per <multiples> <granularity>", e.g. "10 per 1 minute" (slowapi's text).
  std::string describe() const;
  bool operator==(const LimitConfig&) const = default;
};

// Per-endpoint upstream timeouts (docs/deviations.md, docs/configuration.md), each overriding the
// server-wide flag of the same name; seconds in the file (fractions allowed), milliseconds here.
struct TimeoutConfig {
  std::optional<std::int64_t> connect_ms;      // TCP + TLS handshake
  std::optional<std::int64_t> total_ms;        // a whole non-streaming call, retries included
  std::optional<std::int64_t> attempt_ms;      // one try of it (default: total; resilience.md)
  std::optional<std::int64_t> first_event_ms;  // streams: until the first upstream bytes
  std::optional<std::int64_t> idle_ms;         // streams: between upstream reads
  bool operator==(const TimeoutConfig&) const = default;
};

// `retries:` (docs/resilience.md): attempts on the endpoint's own provider. Seconds in the
// file, milliseconds here.
struct RetryConfig {
  int max_attempts = 1;  // total tries, including the first
  std::int64_t backoff_initial_ms = 100;
  std::int64_t backoff_max_ms = 2000;
  std::vector<int> retry_on_status{429, 500, 502, 503, 504, 529};
  bool retry_on_connect = true;   // `connect`: connect, DNS or TLS errors
  bool retry_on_timeout = false;  // `timeout`: only when listed
  bool operator==(const RetryConfig&) const = default;
};

// `circuit_breaker:` (docs/resilience.md): opens after `failures` consecutive retryable
// failures, for `cooldown`.
struct BreakerConfig {
  int failures = 5;
  std::int64_t cooldown_ms = 30'000;
  bool operator==(const BreakerConfig&) const = default;
};

// ---- access and spend (docs/access-and-budgets.md) ------------------------------------------

// Money is counted in integer micro-dollars (1 USD = 1'000'000), never in floats.
using MicroUsd = std::int64_t;

// Calendar budget periods, in UTC: a day from 00:00, a week from Monday 00:00, a month from
// the 1st 00:00.
enum class BudgetPeriod { Day, Week, Month };
enum class OnExceed { Reject, Alert };

// `budget: {usd, period, on_exceed}` of a key, an endpoint, or `budgets.global`.
struct BudgetConfig {
  MicroUsd usd = 0;  // the limit (`usd: 50` -> 50'000'000)
  BudgetPeriod period = BudgetPeriod::Month;
  OnExceed on_exceed = OnExceed::Reject;
  bool operator==(const BudgetConfig&) const = default;
};

// `tokens: {per_minute, per_hour, per_day}`: input + output tokens per fixed window (UTC,
// aligned to the epoch like call limits). Absent = no limit.
struct TokenLimitConfig {
  std::optional<std::int64_t> per_minute;
  std::optional<std::int64_t> per_hour;
  std::optional<std::int64_t> per_day;
  bool empty() const { return !per_minute && !per_hour && !per_day; }
  bool operator==(const TokenLimitConfig&) const = default;
};

// `cost: {input_per_million, output_per_million}` in USD, held as micro-dollars per million
// tokens (0.15 -> 150'000), so cost = tokens * price / 1e6 micro-dollars (integer arithmetic).
struct CostConfig {
  MicroUsd input_per_million = 0;
  MicroUsd output_per_million = 0;
  bool operator==(const CostConfig&) const = default;
};

// One client API key of `auth.keys`. Only the key's SHA-256 digest is held.
struct ClientKeyConfig {
  std::string name;                            // in logs, metrics and usage reports (never the key)
  std::array<unsigned char, 32> key_sha256{};  // of `key` (resolved like provider keys) or given
  bool all_endpoints = false;                  // `endpoints: [all]` (the default)
  std::vector<std::string> endpoints;          // endpoint and traffic-route names it may use
  bool admin = false;                          // sees every key's usage
  std::optional<LimitConfig> limit;            // calls per window, across all its endpoints
  TokenLimitConfig tokens;
  std::optional<BudgetConfig> budget;
  int line = 0;
  bool operator==(const ClientKeyConfig&) const = default;
};

// `auth:` (absent: no authentication).
struct AuthConfig {
  std::string header = "Authorization";  // "Authorization" takes "Bearer <key>"; any other
                                         // header holds the key itself. X-API-Key always works.
  std::vector<ClientKeyConfig> keys;
  bool operator==(const AuthConfig&) const = default;
};

// `budgets:` at the top level.
struct BudgetsConfig {
  std::optional<BudgetConfig> global;
  std::optional<std::string> alert_webhook;  // http(s) URL POSTed at 80 % and 100 %
  bool operator==(const BudgetsConfig&) const = default;
};

struct EndpointConfig {
  std::string name;
  EndpointType type = EndpointType::Chat;
  ModelConfig model;
  std::optional<LimitConfig> limit;
  TimeoutConfig timeouts;
  RetryConfig retries;
  std::vector<std::string> fallbacks;  // endpoint names of the same type, tried in order
  std::optional<BreakerConfig> circuit_breaker;
  std::optional<std::string> proxy;  // `proxy:` ("none" or an http:// URL); absent = environment
  TokenLimitConfig tokens;           // per endpoint, all callers
  std::optional<CostConfig> cost;    // USD per million tokens, for spend and budgets
  std::optional<BudgetConfig> budget;
  int line = 0;  // 1-based line of the entry in the file (0 = unknown)
  // Same behaviour (the line may differ): what a reload compares.
  bool same_as(const EndpointConfig& o) const {
    return name == o.name && type == o.type && model == o.model && limit == o.limit &&
           timeouts == o.timeouts && retries == o.retries && fallbacks == o.fallbacks &&
           circuit_breaker == o.circuit_breaker && proxy == o.proxy && tokens == o.tokens &&
           cost == o.cost && budget == o.budget;
  }
};

struct RouteDestination {
  std::string name;
  int traffic_percentage = 0;
  bool operator==(const RouteDestination&) const = default;
};

// Traffic-split route (docs/mlflow-compatibility.md §2.6): each request picks one destination
// endpoint by weight.
struct TrafficRoute {
  std::string name;
  EndpointType task_type = EndpointType::Chat;
  std::vector<RouteDestination> destinations;
  std::string routing_strategy = "TRAFFIC_SPLIT";
  int line = 0;
  bool operator==(const TrafficRoute&) const = default;
};

struct GatewayConfig {
  std::vector<EndpointConfig> endpoints;
  std::vector<TrafficRoute> routes;
  std::optional<AuthConfig> auth;
  BudgetsConfig budgets;
};

// One problem found in a file. `path` is the YAML path (e.g.
// "endpoints[2].model.config.openai_api_key"), empty for file-level problems.
struct ConfigIssue {
  std::string path;
  int line = 0;    // 1-based, 0 = unknown
  int column = 0;  // 1-based, 0 = unknown
  std::string message;
  // "endpoints[0].name: <message> (line 3, column 11)"; "<message>" alone when no path/line.
  std::string to_string() const;
};

struct LoadResult {
  std::optional<GatewayConfig> config;  // set iff errors is empty
  std::vector<ConfigIssue> errors;
  std::vector<ConfigIssue> warnings;  // unknown keys, deprecated spellings
  bool ok() const { return errors.empty(); }
};

// Reads environment variables for `$NAME` secrets; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// Parses YAML text. `source` names the file in messages.
LoadResult load_config_string(std::string_view yaml, const EnvLookup& env = process_env());
// Reads and parses a file. A missing file is an error "<path> does not exist".
LoadResult load_config_file(const std::string& path, const EnvLookup& env = process_env());

// ---- helpers shared with tests ---------------------------------------------------------

// Secret resolution (docs/mlflow-compatibility.md §2.4): "$NAME" -> env (must be set and
// non-empty), else an existing regular file's full text, else the literal. Returns the error text
// on failure.
struct SecretResult {
  std::optional<Secret> secret;
  std::string error;
  std::string warning;  // the value is used, but probably not what was meant
};
SecretResult resolve_secret(const std::string& value, const EnvLookup& env);

// A USD amount as written in the file ("50", "0.15", "2000.5"; at most 6 decimals, not
// negative, at most 1e9) in micro-dollars, parsed from the text without floating point.
// nullopt when it is not such an amount.
std::optional<MicroUsd> parse_usd(std::string_view text);

// The SHA-256 digest of a client key (auth.keys[].key), as held in memory.
std::array<unsigned char, 32> key_digest(std::string_view key);

// `limits` grammar for "<calls>/<renewal_period>" (docs/mlflow-compatibility.md §5). nullopt when
// it does not parse.
std::optional<LimitConfig> parse_limit(std::int64_t calls, const std::string& renewal_period);

}  // namespace gw::config
