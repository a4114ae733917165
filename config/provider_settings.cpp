// A model's provider and its `model.config`, driven by the provider catalogue
// (provider_catalogue.h): the row says which settings struct the config becomes and, for the
// HTTP providers and the OpenAI-compatible family, which key and base fields it has. MLflow's
// texts for these: docs/mlflow-compatibility.md §2.5; our additions: docs/deviations.md.
#include <cctype>

#include "config/loader.h"
#include "config/suggest.h"
#include "config/url.h"

namespace gw::config::detail {

void Loader::parse_model(const Field<YAML::Node>& model, ModelConfig& out) {
  const YAML::Node& m = model.value;
  check_keys(m, model.path, {"provider", "name", "config"});
  const auto provider = get_string(m, "provider", model.path, model.pos, true);
  if (const auto name = get_string(m, "name", model.path, model.pos, false)) {
    out.name = name->value;
    // Several providers put the model name in the request path (Gemini, PaLM, MosaicML, AI21,
    // Bedrock): a space or control character would break or inject into the request line.
    reject_unsafe_for_url(*name, "The model name");
  }
  if (!provider) return;
  const ProviderInfo* row = find_provider_row(*provider);
  if (!row) return;
  out.id = row->id;
  out.provider = std::string(row->provider);
  parse_settings(*row, find(m, "config"), join(model.path, "config"), model, provider->value, out);
}

const ProviderInfo* Loader::find_provider_row(const Field<std::string>& provider) {
  std::vector<std::string_view> names;
  for (const auto& c : all_providers()) names.push_back(c.provider);
  const auto canonical = canonical_provider(provider.value);
  if (!canonical) {
    // MLflow's text, then what is valid and the nearest name.
    error(provider.path, provider.pos,
          "The provider '" + provider.value + "' is not supported. Valid providers: " +
              join_words(names) + "." + did_you_mean(provider.value, names));
    return nullptr;
  }
  const ProviderInfo* row = find_provider(*canonical);
  if (!row) {
    error(provider.path, provider.pos,
          "The provider '" + *canonical +
              "' is not supported yet by this gateway (supported: " + join_words(names) + ").");
  }
  return row;
}

void Loader::parse_settings(const ProviderInfo& row, const std::optional<Entry>& config,
                            const std::string& config_path, const Field<YAML::Node>& model,
                            const std::string& written_name, ModelConfig& out) {
  if (row.settings == SettingsKind::Mock) {
    out.settings = parse_mock(config, config_path);
    return;
  }
  const bool no_config = !config || config->value.IsNull();
  if (row.settings == SettingsKind::Compatible && !row.key_required && no_config) {
    // A keyless server with a default base (ollama) needs no config at all.
    if (auto s = parse_compatible(row, YAML::Node(YAML::NodeType::Map), config_path, model.pos))
      out.settings = std::move(*s);
    return;
  }
  if (no_config) {
    error(config_path, config ? pos_of(*config) : model.pos,
          "A config must be supplied when setting a provider. The provider entry for " +
              written_name + " is incorrect.");
    return;
  }
  if (!config->value.IsMap()) {
    error(config_path, pos_of(*config), kNotDict);
    return;
  }
  const YAML::Node& c = config->value;
  const Pos at = pos_of(*config);
  switch (row.settings) {
    case SettingsKind::Http:
      if (auto s = parse_http_provider(row, c, config_path, at)) out.settings = std::move(*s);
      return;
    case SettingsKind::Bedrock:
      if (auto s = parse_bedrock(c, config_path, at)) out.settings = std::move(*s);
      return;
    case SettingsKind::Compatible:
      if (auto s = parse_compatible(row, c, config_path, at)) out.settings = std::move(*s);
      return;
    case SettingsKind::OpenAI:
      if (auto s = parse_openai(c, config_path, at)) out.settings = std::move(*s);
      return;
    case SettingsKind::Mock:
      return;  // handled above
  }
}

std::optional<HttpProviderSettings> Loader::parse_http_provider(const HttpProviderFields& f,
                                                                const YAML::Node& config,
                                                                const std::string& path, Pos here) {
  std::vector<std::string_view> known = {f.base_field};
  if (!f.key_field.empty()) known.push_back(f.key_field);
  const bool anthropic = f.provider == "anthropic";
  if (anthropic) known.push_back("anthropic_version");
  check_keys(config, path, known);
  const std::size_t errors_before = error_count();
  HttpProviderSettings s;
  if (!f.key_field.empty()) {
    const std::string key_path = join(path, f.key_field);
    if (const auto key = find(config, f.key_field); !key || key->value.IsNull()) {
      error(key_path, here, kFieldRequired);
    } else {
      parse_api_key(*key, key_path, s.api_key);
    }
  }
  const bool required = f.default_base.empty();
  if (const auto base = get_string(config, f.base_field, path, here, required)) {
    parse_api_base(*base, s.api_base);
  } else if (!required) {
    s.api_base = std::string(f.default_base);
  }
  if (anthropic) {
    s.anthropic_version = "2023-06-01";
    if (const auto v = get_string(config, "anthropic_version", path, here, false)) {
      s.anthropic_version = v->value;
      if (v->value.empty() || v->value.find_first_of("\r\n") != std::string::npos)
        error(v->path, v->pos, "The value must be a non-empty single line");
    }
  }
  if (error_count() != errors_before) return std::nullopt;
  return s;
}

std::optional<OpenAISettings> Loader::parse_compatible(const CompatiblePreset& p,
                                                       const YAML::Node& config,
                                                       const std::string& path, Pos here) {
  const std::string key_field(p.key_field), base_field(p.base_field);
  check_keys(config, path, {key_field, base_field, "api_key", "api_base"});
  const std::size_t errors_before = error_count();
  OpenAISettings s;
  // The provider's own key name first, then the generic one (MLflow's newer providers).
  const std::string key_name = find(config, key_field) ? key_field : "api_key";
  const std::string key_path = join(path, key_name);
  if (const auto key = find(config, key_name); !key || key->value.IsNull()) {
    if (p.key_required) error(join(path, key_field), here, kFieldRequired);
  } else {
    parse_api_key(*key, key_path, s.api_key);
  }
  const std::string base_name = find(config, base_field) ? base_field : "api_base";
  if (const auto base = get_string(config, base_name, path, here, false)) {
    parse_api_base(*base, s.api_base);
  } else if (p.default_base.empty()) {
    error(join(path, base_field), here, kFieldRequired);
  } else {
    s.api_base = std::string(p.default_base);
  }
  if (error_count() != errors_before) return std::nullopt;
  return s;
}

void Loader::parse_api_key(const Entry& key, const std::string& key_path, Secret& out) {
  if (!key.value.IsScalar()) {
    error(key_path, pos_of(key), kKeyNotString);
  } else if (auto secret = resolve_secret(key.value.Scalar(), env_); !secret.secret) {
    error(key_path, pos_of(key), secret.error);
  } else if (secret.secret->reveal().find_first_of("\r\n") != std::string::npos) {
    // It would have to go into an HTTP header; reported without the value.
    error(key_path, pos_of(key), "The api key contains a line break");
  } else {
    if (!secret.warning.empty()) warn(key_path, pos_of(key), secret.warning);
    out = std::move(*secret.secret);
  }
}

void Loader::parse_api_base(const Field<std::string>& base, std::string& out) {
  out = base.value;
  if (!parse_url(base.value) || base.value.find_first_of(" \t\r\n") != std::string::npos)
    error(base.path, base.pos,
          "Invalid URL '" + base.value + "': expected http:// or https:// and a host");
}

std::optional<OpenAISettings> Loader::parse_openai(const YAML::Node& config,
                                                   const std::string& path, Pos here) {
  check_keys(config, path,
             {"openai_api_key", "openai_api_type", "openai_api_base", "openai_api_version",
              "openai_deployment_name", "openai_organization"});
  const std::size_t errors_before = error_count();
  OpenAISettings s;
  const std::string key_path = join(path, "openai_api_key");
  if (const auto key = find(config, "openai_api_key"); !key) {
    error(key_path, here, kFieldRequired);
  } else {
    parse_api_key(*key, key_path, s.api_key);
  }
  bool type_ok = true;
  const std::size_t before_type = error_count();
  if (const auto type = get_string(config, "openai_api_type", path, here, false)) {
    std::string lower = type->value;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "openai") {
      s.api_type = OpenAIApiType::OpenAI;
    } else if (lower == "azure") {
      s.api_type = OpenAIApiType::Azure;
    } else if (lower == "azuread") {
      s.api_type = OpenAIApiType::AzureAD;
    } else {
      error(type->path, type->pos, "Invalid OpenAI API type '" + type->value + "'");
      type_ok = false;
    }
  }
  type_ok = type_ok && error_count() == before_type;
  const auto base = get_string(config, "openai_api_base", path, here, false);
  const auto version = get_string(config, "openai_api_version", path, here, false);
  const auto deployment = get_string(config, "openai_deployment_name", path, here, false);
  const auto organization = get_string(config, "openai_organization", path, here, false);
  if (base) parse_api_base(*base, s.api_base);
  if (version) {
    s.api_version = version->value;
    reject_unsafe_for_url(*version, "The API version");
  }
  if (deployment) {
    s.deployment_name = deployment->value;
    reject_unsafe_for_url(*deployment, "The deployment name");  // it is part of Azure's path
  }
  if (organization) {
    s.organization = organization->value;
    // It goes into an HTTP header, like the key.
    if (organization->value.find_first_of("\r\n") != std::string::npos)
      error(organization->path, organization->pos, "The value contains a line break");
  }
  if (type_ok)
    check_openai_type_rules(s, path, here, base.has_value(), deployment.has_value(),
                            version.has_value(), organization.has_value());
  if (error_count() != errors_before) return std::nullopt;
  return s;
}

void Loader::check_openai_type_rules(OpenAISettings& s, const std::string& path, Pos here,
                                     bool has_base, bool has_deployment, bool has_version,
                                     bool has_organization) {
  if (s.api_type == OpenAIApiType::OpenAI) {
    if (has_deployment) {
      error(path, here,
            "OpenAI route configuration can only specify a value for 'openai_deployment_name' "
            "if 'openai_api_type' is 'azure' or 'azuread'. Found type: 'openai'");
    }
    if (!has_base) s.api_base = std::string(kDefaultOpenAIBase);
    return;
  }
  if (has_organization) {
    error(path, here,
          "OpenAI route configuration can only specify a value for 'openai_organization' if "
          "'openai_api_type' is 'openai'");
  }
  if (!has_base || !has_deployment || !has_version) {
    error(path, here,
          "OpenAI route configuration must specify 'openai_api_base', "
          "'openai_deployment_name', and 'openai_api_version' if 'openai_api_type' is 'azure' "
          "or 'azuread'.");
  }
}

MockSettings Loader::parse_mock(const std::optional<Entry>& config, const std::string& path) {
  MockSettings s;
  // The mock provider needs no config at all (so the example file runs with no keys).
  if (!config || config->value.IsNull()) return s;
  if (!config->value.IsMap()) {
    error(path, pos_of(*config), kNotDict);
    return s;
  }
  const YAML::Node& c = config->value;
  const Pos here = pos_of(*config);
  check_keys(c, path, {"response", "dimensions"});
  if (const auto response = get_string(c, "response", path, here, false)) {
    s.response = response->value;
  }
  if (const auto dims = get_int(c, "dimensions", path, here, false)) {
    if (dims->value < 1 || dims->value > 4096) {
      error(dims->path, dims->pos, "Input should be between 1 and 4096");
    } else {
      s.dimensions = static_cast<int>(dims->value);
    }
  }
  return s;
}

}  // namespace gw::config::detail
