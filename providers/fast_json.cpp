#include "providers/fast_json.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>

namespace gw {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using config::EndpointType;

void append_double(std::string& out, double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<std::size_t>(end - buf));
  out += s;
  // nlohmann writes a double with an integral value as "1.0", keeping it a float.
  if (s.find_first_of(".eEn") == std::string_view::npos) out += ".0";
}

void append_value(std::string& out, element e) {
  switch (e.type()) {
    case element_type::OBJECT: {
      out += '{';
      bool first = true;
      for (auto [key, value] : simdjson::dom::object(e)) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_value(out, value);
      }
      out += '}';
      break;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (element value : simdjson::dom::array(e)) {
        if (!first) out += ',';
        first = false;
        append_value(out, value);
      }
      out += ']';
      break;
    }
    case element_type::STRING:
      append_json_string(out, std::string_view(e));
      break;
    case element_type::INT64:
      out += std::to_string(int64_t(e));
      break;
    case element_type::UINT64:
      out += std::to_string(uint64_t(e));
      break;
    case element_type::DOUBLE:
      append_double(out, double(e));
      break;
    case element_type::BOOL:
      out += bool(e) ? "true" : "false";
      break;
    case element_type::NULL_VALUE:
      out += "null";
      break;
  }
}

// obj[key] when obj is an object and has the key; nullopt otherwise ("take" in openai.cpp).
std::optional<element> field(element obj, const char* key) {
  if (obj.type() != element_type::OBJECT) return std::nullopt;
  element v;
  if (simdjson::dom::object(obj)[key].get(v)) return std::nullopt;
  return v;
}

void append_field(std::string& out, element obj, const char* key) {
  if (auto v = field(obj, key)) {
    append_value(out, *v);
  } else {
    out += "null";
  }
}

bool is_null_or_absent(const std::optional<element>& v) {
  return !v || v->type() == element_type::NULL_VALUE;
}

void append_created(std::string& out, element root, std::int64_t now) {
  auto c = field(root, "created");
  if (c && (c->type() == element_type::INT64 || c->type() == element_type::UINT64)) {
    append_value(out, *c);
  } else {
    out += std::to_string(now);
  }
}

void append_usage(std::string& out, element root, bool with_completion) {
  auto u = field(root, "usage");
  element usage = u ? *u : element();
  out += "{\"prompt_tokens\":";
  u ? append_field(out, usage, "prompt_tokens") : void(out += "null");
  if (with_completion) {
    out += ",\"completion_tokens\":";
    u ? append_field(out, usage, "completion_tokens") : void(out += "null");
  }
  out += ",\"total_tokens\":";
  u ? append_field(out, usage, "total_tokens") : void(out += "null");
  out += '}';
}

bool chat(std::string& out, element root, std::int64_t now) {
  auto choices = field(root, "choices");
  if (!choices || choices->type() != element_type::ARRAY) return false;
  out += "{\"id\":";
  append_field(out, root, "id");
  out += ",\"object\":";
  auto object = field(root, "object");
  if (object && object->type() == element_type::STRING) {
    append_value(out, *object);
  } else {
    out += "\"chat.completion\"";
  }
  out += ",\"created\":";
  append_created(out, root, now);
  out += ",\"model\":";
  append_field(out, root, "model");
  out += ",\"choices\":[";
  int index = 0;
  for (element c : simdjson::dom::array(*choices)) {
    auto msg = field(c, "message");
    if (!msg || msg->type() != element_type::OBJECT) return false;
    if (index) out += ',';
    out += "{\"index\":" + std::to_string(index++) + ",\"message\":{\"role\":";
    auto role = field(*msg, "role");
    is_null_or_absent(role) ? void(out += "\"assistant\"") : append_value(out, *role);
    out += ",\"content\":";
    append_field(out, *msg, "content");
    out += ",\"tool_calls\":";
    auto calls = field(*msg, "tool_calls");
    if (calls && calls->type() == element_type::ARRAY) {
      out += '[';
      bool first = true;
      for (element tc : simdjson::dom::array(*calls)) {
        if (!first) out += ',';
        first = false;
        out += "{\"id\":";
        append_field(out, tc, "id");
        out += ",\"type\":";
        auto type = field(tc, "type");
        is_null_or_absent(type) ? void(out += "\"function\"") : append_value(out, *type);
        out += ",\"function\":{\"name\":";
        auto fn = field(tc, "function");
        fn ? append_field(out, *fn, "name") : void(out += "null");
        out += ",\"arguments\":";
        fn ? append_field(out, *fn, "arguments") : void(out += "null");
        out += "}}";
      }
      out += ']';
    } else {
      out += "null";
    }
    out += ",\"refusal\":";
    append_field(out, *msg, "refusal");
    out += "},\"finish_reason\":";
    append_field(out, c, "finish_reason");
    out += '}';
  }
  out += "],\"usage\":";
  append_usage(out, root, true);
  out += '}';
  return true;
}

bool completions(std::string& out, element root, std::int64_t now) {
  auto choices = field(root, "choices");
  if (!choices || choices->type() != element_type::ARRAY) return false;
  out += "{\"id\":";
  append_field(out, root, "id");
  out += ",\"object\":\"text_completion\",\"created\":";
  append_created(out, root, now);
  out += ",\"model\":";
  append_field(out, root, "model");
  out += ",\"choices\":[";
  int index = 0;
  for (element c : simdjson::dom::array(*choices)) {
    if (index) out += ',';
    out += "{\"index\":" + std::to_string(index++) + ",\"text\":";
    std::optional<element> content;
    if (auto msg = field(c, "message")) content = field(*msg, "content");
    auto text = field(c, "text");
    if (content && content->type() == element_type::STRING) {
      append_value(out, *content);
    } else if (text && text->type() == element_type::STRING) {
      append_value(out, *text);
    } else {
      out += "\"\"";
    }
    out += ",\"finish_reason\":";
    append_field(out, c, "finish_reason");
    out += '}';
  }
  out += "],\"usage\":";
  append_usage(out, root, true);
  out += '}';
  return true;
}

bool embeddings(std::string& out, element root) {
  auto data = field(root, "data");
  if (!data || data->type() != element_type::ARRAY) return false;
  out += "{\"object\":\"list\",\"data\":[";
  int index = 0;
  for (element d : simdjson::dom::array(*data)) {
    auto emb = field(d, "embedding");
    if (!emb || (emb->type() != element_type::ARRAY && emb->type() != element_type::STRING))
      return false;
    if (index) out += ',';
    out += "{\"object\":\"embedding\",\"embedding\":";
    append_value(out, *emb);
    out += ",\"index\":" + std::to_string(index++) + '}';
  }
  out += "],\"model\":";
  append_field(out, root, "model");
  out += ",\"usage\":";
  append_usage(out, root, false);
  out += '}';
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending run of characters that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::optional<std::string> openai_fast_unified(EndpointType type, std::string_view body,
                                               std::int64_t now) {
  // One parser per thread: it keeps its buffers between requests.
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size()).get(root)) return std::nullopt;
  if (root.type() != element_type::OBJECT) return std::nullopt;
  std::string out;
  out.reserve(body.size() + 64);
  bool ok = false;
  switch (type) {
    case EndpointType::Chat:
      ok = chat(out, root, now);
      break;
    case EndpointType::Completions:
      ok = completions(out, root, now);
      break;
    case EndpointType::Embeddings:
      ok = embeddings(out, root);
      break;
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace gw
