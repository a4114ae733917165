// Bedrock's `model.config.aws_config` and the AWS credential chain it falls back to
// (docs/providers.md, "Amazon Bedrock"): keys in the file ($ENV, a file or a literal, like the
// API keys), else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the
// shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile
// AWS_PROFILE or "default"). Resolved once, when the file is loaded.
#include <algorithm>
#include <cctype>

#include "config/file_reader.h"
#include "config/loader.h"

namespace gw::config::detail {

namespace {

std::string trim_ini(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
    v.remove_suffix(1);
  return std::string(v);
}

// The `[profile]` section of an AWS shared credentials file (INI: `key = value` lines, `#` and
// `;` comments). Returns the section's keys, empty when the section is absent.
std::map<std::string, std::string> read_aws_profile(const std::string& text,
                                                    const std::string& profile) {
  std::map<std::string, std::string> out;
  bool in_section = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = trim_ini(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_section = trim_ini(std::string_view(line).substr(1, line.size() - 2)) == profile;
      continue;
    }
    const std::size_t eq = line.find('=');
    if (!in_section || eq == std::string::npos) continue;
    out[trim_ini(std::string_view(line).substr(0, eq))] =
        trim_ini(std::string_view(line).substr(eq + 1));
  }
  return out;
}

}  // namespace

std::string Loader::env(const char* name) const {
  auto v = env_ ? env_(name) : std::nullopt;
  return v ? *v : std::string();
}

std::optional<BedrockSettings> Loader::parse_bedrock(const YAML::Node& config,
                                                     const std::string& path, Pos here) {
  check_keys(config, path, {"aws_config", "aws_endpoint_url"});
  const std::size_t errors_before = error_count();
  const auto aws = get_node(config, "aws_config", path, here, true, YAML::NodeType::Map);
  if (!aws) return std::nullopt;
  const YAML::Node& a = aws->value;
  check_keys(
      a, aws->path,
      {"aws_region", "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
       "aws_role_arn", "session_length_seconds", "aws_endpoint_url", "aws_sts_endpoint_url"});
  BedrockSettings s;
  parse_aws_region(*aws, s);
  resolve_aws_credentials(*aws, s);
  if (const auto role = get_string(a, "aws_role_arn", aws->path, aws->pos, false)) {
    if (role->value.rfind("arn:", 0) != 0)
      error(role->path, role->pos, "Invalid role ARN '" + role->value + "': expected arn:...");
    s.role_arn = role->value;
  }
  if (const auto len = get_int(a, "session_length_seconds", aws->path, aws->pos, false)) {
    // STS AssumeRole accepts 900 s to 12 h.
    if (len->value < 900 || len->value > 43200) {
      error(len->path, len->pos, "Input should be between 900 and 43200");
    } else {
      s.session_length_seconds = static_cast<int>(len->value);
    }
  }
  auto url = [&](const YAML::Node& map, const std::string& map_path, Pos map_pos, const char* name,
                 std::string& out) {
    if (const auto u = get_string(map, name, map_path, map_pos, false)) parse_api_base(*u, out);
  };
  url(config, path, here, "aws_endpoint_url", s.endpoint_url);
  url(a, aws->path, aws->pos, "aws_endpoint_url", s.endpoint_url);
  url(a, aws->path, aws->pos, "aws_sts_endpoint_url", s.sts_endpoint_url);
  if (s.endpoint_url.empty())
    s.endpoint_url = "https://bedrock-runtime." + s.region + ".amazonaws.com";
  if (s.sts_endpoint_url.empty()) s.sts_endpoint_url = "https://sts." + s.region + ".amazonaws.com";
  if (error_count() != errors_before) return std::nullopt;
  return s;
}

void Loader::parse_aws_region(const Field<YAML::Node>& aws, BedrockSettings& s) {
  if (const auto region = get_string(aws.value, "aws_region", aws.path, aws.pos, false)) {
    s.region = region->value;
  } else {
    s.region = env("AWS_REGION");
    if (s.region.empty()) s.region = env("AWS_DEFAULT_REGION");
  }
  const bool region_ok =
      !s.region.empty() && std::all_of(s.region.begin(), s.region.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      });
  if (!region_ok)
    error(join(aws.path, "aws_region"), aws.pos,
          s.region.empty() ? "No AWS region: set aws_region, AWS_REGION or AWS_DEFAULT_REGION"
                           : "Invalid AWS region '" + s.region + "'");
}

void Loader::resolve_aws_credentials(const Field<YAML::Node>& aws, BedrockSettings& s) {
  // Static keys: $ENV, a file or a literal, like the *_api_key fields (an addition: AWS keys
  // never start with '$').
  auto key = [&](const char* name, Secret& out) {
    if (const auto e = find(aws.value, name); e && !e->value.IsNull()) {
      parse_api_key(*e, join(aws.path, name), out);
      return true;
    }
    return false;
  };
  const bool has_id = key("aws_access_key_id", s.access_key_id);
  const bool has_secret = key("aws_secret_access_key", s.secret_access_key);
  key("aws_session_token", s.session_token);
  if (has_id != has_secret) {
    error(aws.path, aws.pos,
          "'aws_access_key_id' and 'aws_secret_access_key' must be given together");
  } else if (has_id) {
    s.credentials_source = "config";
  } else if (!env("AWS_ACCESS_KEY_ID").empty() && !env("AWS_SECRET_ACCESS_KEY").empty()) {
    s.access_key_id = Secret(env("AWS_ACCESS_KEY_ID"));
    s.secret_access_key = Secret(env("AWS_SECRET_ACCESS_KEY"));
    s.session_token = Secret(env("AWS_SESSION_TOKEN"));
    s.credentials_source = "environment";
  } else {
    std::string file = env("AWS_SHARED_CREDENTIALS_FILE");
    if (file.empty() && !env("HOME").empty()) file = env("HOME") + "/.aws/credentials";
    std::string profile = env("AWS_PROFILE");
    if (profile.empty()) profile = "default";
    FileText text = file.empty() ? FileText{} : read_file(file);
    if (text.text) {
      auto p = read_aws_profile(*text.text, profile);
      if (!p["aws_access_key_id"].empty() && !p["aws_secret_access_key"].empty()) {
        s.access_key_id = Secret(p["aws_access_key_id"]);
        s.secret_access_key = Secret(p["aws_secret_access_key"]);
        s.session_token = Secret(p["aws_session_token"]);
        s.credentials_source = file + " [" + profile + "]";
      }
    }
    if (s.credentials_source.empty())
      error(aws.path, aws.pos,
            "No AWS credentials: set aws_access_key_id and aws_secret_access_key, the "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, or a shared "
            "credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials)");
  }
  for (const Secret* sec : {&s.access_key_id, &s.secret_access_key, &s.session_token})
    if (sec->reveal().find_first_of("\r\n") != std::string::npos)
      error(aws.path, aws.pos, "An AWS credential contains a line break");
}

}  // namespace gw::config::detail
