#include "config/yaml_cursor.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "config/suggest.h"

namespace gw::config::detail {

// pydantic's lax int: decimal digits with an optional sign.
std::optional<std::int64_t> to_int(const std::string& s) {
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return out;
}

std::optional<Entry> YamlCursor::find(const YAML::Node& map, std::string_view key) {
  std::optional<Entry> found;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) found = Entry{it->first, it->second};
  }
  return found;
}

void YamlCursor::check_keys(const YAML::Node& map, const std::string& path,
                            const std::vector<std::string_view>& known) {
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = key_text(it->first);
    const Pos pos = pos_of(it->first.Mark());
    if (!seen.insert(key).second) {
      warn(join(path, key), pos, "duplicate key '" + key + "' (the last value is used)");
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const auto near = nearest(key, known);
      warn(join(path, key), pos,
           "unknown key '" + key + "' (ignored" +
               (near ? "; did you mean '" + std::string(*near) + "'?)" : std::string(")")));
    }
  }
}

std::optional<Entry> YamlCursor::present(const YAML::Node& map, std::string_view key,
                                         const std::string& p, Pos here, bool required) {
  auto e = find(map, key);
  if (!e) {
    if (required) error(p, here, kFieldRequired);
    return std::nullopt;
  }
  // An optional field written as `key:` or `key: null` is simply absent (pydantic's None).
  if (!required && e->value.IsNull()) return std::nullopt;
  return e;
}

std::optional<Field<std::string>> YamlCursor::get_string(const YAML::Node& map,
                                                         std::string_view key,
                                                         const std::string& path, Pos here,
                                                         bool required) {
  const std::string p = join(path, key);
  const auto e = present(map, key, p, here, required);
  if (!e) return std::nullopt;
  if (!e->value.IsScalar()) {
    error(p, pos_of(*e), kNotString);
    return std::nullopt;
  }
  return Field<std::string>{e->value.Scalar(), p, pos_of(*e)};
}

std::optional<Field<std::int64_t>> YamlCursor::get_int(const YAML::Node& map, std::string_view key,
                                                       const std::string& path, Pos here,
                                                       bool required) {
  const std::string p = join(path, key);
  const auto e = present(map, key, p, here, required);
  if (!e) return std::nullopt;
  const auto v = e->value.IsScalar() ? to_int(e->value.Scalar()) : std::nullopt;
  if (!v) {
    error(p, pos_of(*e), kNotInt);
    return std::nullopt;
  }
  return Field<std::int64_t>{*v, p, pos_of(*e)};
}

std::optional<Field<YAML::Node>> YamlCursor::get_node(const YAML::Node& map, std::string_view key,
                                                      const std::string& path, Pos here,
                                                      bool required, YAML::NodeType::value type) {
  const std::string p = join(path, key);
  const auto e = present(map, key, p, here, required);
  if (!e) return std::nullopt;
  if (e->value.Type() != type) {
    error(p, pos_of(*e), type == YAML::NodeType::Map ? kNotDict : kNotList);
    return std::nullopt;
  }
  return Field<YAML::Node>{e->value, p, pos_of(*e)};
}

void YamlCursor::reject_unsafe_for_url(const Field<std::string>& value, std::string_view what) {
  for (unsigned char c : value.value) {
    if (c <= 0x20 || c == 0x7f) {
      const std::string shown = c == '\r'   ? "CR"
                                : c == '\n' ? "LF"
                                : c == ' '  ? "space"
                                            : "byte " + std::to_string(c);
      error(value.path, value.pos,
            std::string(what) + " contains a space or control character (" + shown +
                "), which cannot be sent in an upstream request line");
      return;
    }
  }
}

}  // namespace gw::config::detail
