// The config loader (internal to config/): one walk over the YAML document that fills a
// GatewayConfig and collects every issue (docs/architecture.md, "Config loading"). Its parts:
//   document.cpp           the document, endpoints, limits, traffic routes, cross checks
//   provider_settings.cpp  `model` and each provider's `model.config` (catalogue-driven)
//   aws_credentials.cpp    Bedrock's `aws_config` and the AWS credential chain
//   access.cpp             `auth`, `budgets`, and an endpoint's `tokens`, `cost` and `budget`
// on top of the YAML cursor (yaml_cursor.h).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/yaml_cursor.h"

namespace gw::config::detail {

// Raw facts about one traffic route, kept until every endpoint is known (in a 2.x file the
// endpoints may come after the route that names them).
struct DestinationFacts {
  std::optional<Field<std::string>> name;
  std::optional<Field<std::int64_t>> percentage;
};
struct RouteFacts {
  std::optional<std::string> name;
  std::string path;
  Pos pos;
  std::optional<EndpointType> task_type;
  std::optional<std::vector<DestinationFacts>> destinations;
};
// One endpoint's `fallbacks`, checked once every endpoint is known.
struct FallbackFacts {
  std::string endpoint;
  EndpointType type = EndpointType::Chat;
  std::vector<Field<std::string>> entries;
};
// One parsed `budget`, kept for the warnings that need the whole file (does any endpoint have
// a cost? is there an alert webhook?).
struct BudgetFacts {
  std::string path;
  Pos pos;
  OnExceed on_exceed = OnExceed::Reject;
  bool endpoint = false;  // an endpoint's own budget (checked against its cost where parsed)
};
// Where one client key's name and key were written, for the checks across keys (unique names,
// no key given twice).
using KeyDigest = std::array<unsigned char, 32>;
struct ClientKeyFacts {
  std::optional<Field<std::string>> name;
  std::optional<Field<KeyDigest>> digest;  // path and position of `key` or `key_sha256`
};

class Loader : private YamlCursor {
 public:
  explicit Loader(const EnvLookup& env) : env_(env) {}
  LoadResult run(std::string_view yaml);

 private:
  // document.cpp
  void parse_document(const YAML::Node& root);
  void parse_endpoint(const YAML::Node& node, const std::string& path);
  std::optional<EndpointType> parse_endpoint_type_field(const YAML::Node& node,
                                                        const std::string& path, Pos here);
  // An endpoint whose provider does not serve its type fails at load (docs/deviations.md).
  bool check_provider_serves(const EndpointConfig& ep, const Field<YAML::Node>& model);
  void check_model_rules(const EndpointConfig& ep, const Field<YAML::Node>& model);
  void parse_timeouts(const Field<YAML::Node>& t, TimeoutConfig& out);
  void parse_resilience(const YAML::Node& node, const std::string& path, Pos here,
                        EndpointConfig& ep);
  // `per_key`: a client key's limit (auth.keys[].limit), which takes no `key` member.
  std::optional<LimitConfig> parse_limit_block(const Field<YAML::Node>& limit,
                                               bool per_key = false);
  void parse_route(const YAML::Node& node, const std::string& path);
  DestinationFacts parse_destination(const YAML::Node& node, const std::string& path);
  void check_duplicate_names();
  void check_routes();
  void check_route(const RouteFacts& route);

  // resilience.cpp
  // Seconds (fractions allowed) greater than 0 and at most `max`, as milliseconds (at least 1).
  std::optional<std::int64_t> read_seconds(const YAML::Node& map, const char* key,
                                           const std::string& path, Pos here, double max);
  void parse_retries(const Field<YAML::Node>& r, RetryConfig& out);
  void parse_retry_on(const Field<YAML::Node>& list, RetryConfig& out);
  void parse_breaker(const Field<YAML::Node>& b, BreakerConfig& out);
  void parse_fallbacks(const Field<YAML::Node>& list, EndpointConfig& ep);
  void parse_proxy(const YAML::Node& node, const std::string& path, Pos here, EndpointConfig& ep);
  bool reaches(const std::string& from, const std::string& to,
               std::set<std::string>& visited) const;
  void check_fallback_entry(const FallbackFacts& f, const Field<std::string>& e,
                            std::set<std::string>& seen);
  void check_fallbacks();

  // access.cpp
  // `budgets` and `auth`, after every endpoint and route (a key's `endpoints` names them),
  // then the budget warnings that need the whole file.
  void parse_access(const YAML::Node& root);
  // An endpoint's `tokens`, `cost` and `budget`.
  void parse_endpoint_spend(const YAML::Node& node, const std::string& path, Pos here,
                            EndpointConfig& ep);
  void parse_tokens(const Field<YAML::Node>& t, TokenLimitConfig& out);
  std::optional<std::int64_t> read_tokens(const Field<YAML::Node>& t, std::string_view key,
                                          std::string_view unit);
  CostConfig parse_cost(const Field<YAML::Node>& c);
  std::optional<BudgetConfig> parse_budget(const Field<YAML::Node>& b, bool endpoint);
  // A USD amount (parse_usd) under `key`, named `what` in messages ("budget.usd").
  std::optional<MicroUsd> read_usd(const YAML::Node& map, std::string_view key,
                                   const std::string& path, Pos here, bool required,
                                   std::string_view what);
  std::optional<bool> read_bool(const YAML::Node& map, std::string_view key,
                                const std::string& path, Pos here);
  void parse_budgets(const YAML::Node& root, Pos here);
  void parse_auth(const YAML::Node& root, Pos here);
  void parse_client_keys(const Field<YAML::Node>& list, AuthConfig& out);
  ClientKeyFacts parse_client_key(const YAML::Node& node, const std::string& path,
                                  ClientKeyConfig& out);
  // Exactly one of `key` and `key_sha256`, as the key's digest. Never echoes either value.
  std::optional<Field<KeyDigest>> parse_key_secret(const YAML::Node& node, const std::string& path,
                                                   Pos here);
  std::optional<Field<KeyDigest>> resolve_client_key(const Entry& key, const std::string& path);
  std::optional<Field<KeyDigest>> read_key_sha256(const Entry& sha, const std::string& path);
  void parse_key_endpoints(const Field<YAML::Node>& list, ClientKeyConfig& out);
  void check_budgets();

  // provider_settings.cpp
  void parse_model(const Field<YAML::Node>& model, ModelConfig& out);
  // The catalogue row of `provider`, or nullptr after reporting why there is none.
  const ProviderInfo* find_provider_row(const Field<std::string>& provider);
  void parse_settings(const ProviderInfo& row, const std::optional<Entry>& config,
                      const std::string& config_path, const Field<YAML::Node>& model,
                      const std::string& written_name, ModelConfig& out);
  std::optional<OpenAISettings> parse_openai(const YAML::Node& config, const std::string& path,
                                             Pos here);
  // OpenAI's cross-field rules (Azure needs base, deployment and version; OpenAI takes an
  // organization but no deployment), once the API type is known.
  void check_openai_type_rules(OpenAISettings& s, const std::string& path, Pos here, bool has_base,
                               bool has_deployment, bool has_version, bool has_organization);
  MockSettings parse_mock(const std::optional<Entry>& config, const std::string& path);
  // The shared part of every API-key field: resolved (docs/mlflow-compatibility.md §2.4) into
  // `out`, or reported at `key_path` without the value.
  void parse_api_key(const Entry& key, const std::string& key_path, Secret& out);
  // An upstream base URL: kept in `out` and checked with the client's own URL parser.
  void parse_api_base(const Field<std::string>& base, std::string& out);
  std::optional<OpenAISettings> parse_compatible(const CompatiblePreset& preset,
                                                 const YAML::Node& config, const std::string& path,
                                                 Pos here);
  std::optional<HttpProviderSettings> parse_http_provider(const HttpProviderFields& fields,
                                                          const YAML::Node& config,
                                                          const std::string& path, Pos here);

  // aws_credentials.cpp
  std::optional<BedrockSettings> parse_bedrock(const YAML::Node& config, const std::string& path,
                                               Pos here);
  void parse_aws_region(const Field<YAML::Node>& aws, BedrockSettings& s);
  // Static keys from aws_config, else the environment, else the shared credentials file.
  void resolve_aws_credentials(const Field<YAML::Node>& aws, BedrockSettings& s);
  std::string env(const char* name) const;

  const EnvLookup& env_;
  GatewayConfig config_;
  std::size_t endpoint_entries_ = 0;
  std::vector<Field<std::string>> names_;  // every endpoint and route name, for duplicates
  // Endpoint name -> its type (nullopt when the type itself was invalid); first one wins.
  std::map<std::string, std::optional<EndpointType>> endpoint_types_;
  std::vector<RouteFacts> routes_;
  std::vector<FallbackFacts> fallbacks_;
  std::vector<BudgetFacts> budget_facts_;
};

// `[\w\-\.]+` fully matched (MLflow's endpoint-name rule).
bool valid_endpoint_name(std::string_view name);
bool valid_limit_key(std::string_view key);
std::string unsupported_type(const std::string& written);

}  // namespace gw::config::detail
