// The YAML cursor of the config loader (internal to config/): positions and YAML paths of
// values, typed getters that report what is missing or of the wrong type with MLflow's
// (pydantic's) texts, unknown- and duplicate-key warnings, and the issues collected so far.
// The loader (loader.h) walks the document with it; nothing outside config/ includes it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace gw::config::detail {

// ---- messages (MLflow's texts verbatim where MLflow has one) ------------------------------

inline constexpr std::string_view kFieldRequired = "Field required";
inline constexpr std::string_view kNotString = "Input should be a valid string";
inline constexpr std::string_view kNotInt = "Input should be a valid integer";
inline constexpr std::string_view kNotList = "Input should be a valid list";
inline constexpr std::string_view kNotDict = "Input should be a valid dictionary";
inline constexpr std::string_view kInvalid = "The gateway configuration is invalid: ";
inline constexpr std::string_view kBadTopLevel =
    "The gateway configuration is invalid: the top level must be a mapping with an 'endpoints' "
    "list";
inline constexpr std::string_view kBadName =
    "The route name provided contains disallowed characters for a url endpoint. '{}' is "
    "invalid. Names cannot contain spaces or any non alphanumeric characters other than hyphen "
    "and underscore.";
inline constexpr std::string_view kKeyNotString =
    "The api key provided is not a string. Please provide either an environment variable key, a "
    "path to a file containing the api key, or the api key itself";
inline constexpr std::string_view kBadLimit =  // sic: MLflow's text has no spaces after the periods
    "Failed to parse the rate limit configuration.Please make sure limit.calls is a positive "
    "number andlimit.renewal_period is a right granularity";
inline constexpr std::string_view kDuplicateName =
    "Duplicate names found in endpoint / route configurations. Please remove the duplicate "
    "endpoint / route name from the configuration to ensure that endpoints / routes are created "
    "properly.";
inline constexpr std::string_view kDefaultOpenAIBase = "https://api.openai.com/v1";

// Substitutes the single "{}" of a message template.
inline std::string fill(std::string_view tmpl, std::string_view value) {
  std::string out(tmpl);
  const auto at = out.find("{}");
  if (at != std::string::npos) out.replace(at, 2, value);
  return out;
}

// ---- positions and paths ------------------------------------------------------------------

struct Pos {
  int line = 0;  // 1-based; 0 = unknown
  int column = 0;
};

inline Pos pos_of(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

// One key of a mapping. Both nodes are kept because yaml-cpp places the mark of an empty value
// (`key:` followed by a newline) on the next token, so issues about a null value point at the
// key instead.
struct Entry {
  YAML::Node key;
  YAML::Node value;
};

inline Pos pos_of(const Entry& e) {
  return e.value.IsNull() ? pos_of(e.key.Mark()) : pos_of(e.value.Mark());
}

inline std::string key_text(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : "?"; }

inline std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline std::string indexed(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// A value read from the file together with where it came from.
template <class T>
struct Field {
  T value{};
  std::string path;
  Pos pos;
};

// pydantic's lax int: decimal digits with an optional sign.
std::optional<std::int64_t> to_int(const std::string& s);

// ---- the cursor ---------------------------------------------------------------------------

class YamlCursor {
 protected:
  void error(std::string path, Pos pos, std::string_view message) {
    result_.errors.push_back({std::move(path), pos.line, pos.column, std::string(message)});
  }
  void warn(std::string path, Pos pos, std::string_view message) {
    result_.warnings.push_back({std::move(path), pos.line, pos.column, std::string(message)});
  }
  std::size_t error_count() const { return result_.errors.size(); }

  // Map access. `find` takes the last occurrence of a key, like PyYAML does.
  static std::optional<Entry> find(const YAML::Node& map, std::string_view key);
  // Warns about keys not in `known` and about keys given twice.
  void check_keys(const YAML::Node& map, const std::string& path,
                  std::initializer_list<std::string_view> known) {
    check_keys(map, path, std::vector<std::string_view>(known));
  }
  void check_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string_view>& known);
  // The entry under `key` unless it is absent (a required one is reported at `here` under the
  // YAML path `p`) or an optional one written as `key:` / `key: null`.
  std::optional<Entry> present(const YAML::Node& map, std::string_view key, const std::string& p,
                               Pos here, bool required);
  // A scalar, an integer or a node of `type` under `key`; `here` is where a missing required
  // key is reported. An optional key written as `key:` or `key: null` is absent.
  std::optional<Field<std::string>> get_string(const YAML::Node& map, std::string_view key,
                                               const std::string& path, Pos here, bool required);
  std::optional<Field<std::int64_t>> get_int(const YAML::Node& map, std::string_view key,
                                             const std::string& path, Pos here, bool required);
  std::optional<Field<YAML::Node>> get_node(const YAML::Node& map, std::string_view key,
                                            const std::string& path, Pos here, bool required,
                                            YAML::NodeType::value type);
  // A value that becomes part of an upstream request line: a space or control character
  // (CR, LF, NUL, tab, DEL, ...) is an error naming `what`.
  void reject_unsafe_for_url(const Field<std::string>& value, std::string_view what);

  LoadResult result_;
};

}  // namespace gw::config::detail
