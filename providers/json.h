// The JSON type used across the gateway. ordered_json keeps insertion order, so responses keep
// MLflow's field order (id, object, created, model, choices, usage) and forwarded extras keep
// the client's order.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace gw {
using Json = nlohmann::ordered_json;
}  // namespace gw

namespace gw {

// Deepest array/object nesting accepted anywhere JSON enters the gateway (client bodies,
// upstream replies and stream events, tool-call arguments). nlohmann's parser is iterative, but
// copying and serialising recurse once per level: a 200 KB body of 100,000 '[' would overflow a
// worker's stack. 256 levels is far beyond any real schema or message.
inline constexpr std::size_t kMaxJsonDepth = 256;

// Calls on_structural(c, i) for every '[', ']', '{', '}' and ',' of `text` that is outside a
// string, in order, until it returns false. A linear scan, no allocation; the shared walk of the
// two bounds below.
template <class F>
inline void for_each_structural(std::string_view text, F&& on_structural) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{' || c == ']' || c == '}' || c == ',') {
      if (!on_structural(c, i)) return;
    }
  }
}

// Position of the first '[' or '{' that opens level max_depth + 1 (strings skipped), or npos
// when `text` nests no deeper than max_depth.
inline std::size_t json_too_deep_at(std::string_view text, std::size_t max_depth = kMaxJsonDepth) {
  std::size_t depth = 0;
  std::size_t at = std::string_view::npos;
  for_each_structural(text, [&](char c, std::size_t i) {
    if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        at = i;
        return false;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    return true;
  });
  return at;
}

// Whether `text` holds more than `max_values` JSON values (array elements and object members,
// counted by the separators and openers outside strings). It bounds the CPU a client body can
// cost before it is parsed into a DOM (a 10 MB body of 5,000,000 tiny elements took a worker
// 2.8 s).
inline bool json_values_exceed(std::string_view text, std::size_t max_values) {
  std::size_t values = 1;
  bool exceeded = false;
  for_each_structural(text, [&](char c, std::size_t) {
    if (c == ']' || c == '}') return true;
    exceeded = ++values > max_values;
    return !exceeded;
  });
  return exceeded;
}

// Json::parse without exceptions that also refuses nesting deeper than kMaxJsonDepth: the
// result is discarded (is_discarded()) for invalid or too deeply nested text. Use it for every
// text that comes from outside the process.
inline Json parse_json(std::string_view text) {
  if (json_too_deep_at(text) != std::string_view::npos) return Json(Json::value_t::discarded);
  return Json::parse(text, nullptr, false);
}

// Accessors that never throw, whatever the shape of an outside document.
namespace jsonx {
// obj[key], or a null value when obj is not an object or has no such key.
inline const Json& field_or_null(const Json& obj, const char* key) {
  static const Json kNull = nullptr;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}
// A pointer to obj[key], or nullptr.
inline const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}
// A copy of obj[key], or null.
inline Json member_or_null(const Json& obj, const char* key) { return field_or_null(obj, key); }
// obj[key] when it is a string, else "".
inline std::string string_or_empty(const Json& obj, const char* key) {
  const Json& v = field_or_null(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
// The text of a unified message content: a string, or the text parts of a list concatenated.
inline std::string content_text(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) out += string_or_empty(part, "text");
  }
  return out;
}
}  // namespace jsonx

// Serialises compactly (MLflow's separators). Invalid UTF-8 in strings is replaced with U+FFFD
// instead of throwing, so client-supplied text can never turn a response into an exception.
inline std::string to_text(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}
}  // namespace gw
