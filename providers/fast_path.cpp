#include "providers/fast_path.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <span>
#include <vector>

#include "providers/json.h"

namespace gw {
namespace {

using config::EndpointType;
using simdjson::dom::element;
using simdjson::dom::element_type;

void append_double(std::string& out, double d) {
  // Exactly what nlohmann's dump() writes (its own shortest round-trip digits and layout:
  // "1.0" for an integral value, exponent from 1e16 on, "null" for non-finite values).
  // std::to_chars differs, e.g. "184467440737095516160.0" for nlohmann's
  // "1.8446744073709552e+20" (found by tests/fuzz/fuzz_request).
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

// True when the reference (nlohmann) DOM represents the document as simdjson sees it: no object
// repeats a key (nlohmann keeps the last value; simdjson lookups find the first and
// append_value() copies both) and nothing nests deeper than kMaxJsonDepth (parse_json() and
// parse_request_body() refuse that). The fast paths decline anything else, so the reference
// answers (found by tests/fuzz/fuzz_provider_reply and fuzz_provider_stream).
bool plain_document(element e, std::size_t depth = 1) {
  const element_type type = e.type();
  if (type != element_type::OBJECT && type != element_type::ARRAY) return true;
  if (depth > kMaxJsonDepth) return false;
  if (type == element_type::ARRAY) {
    for (element x : simdjson::dom::array(e))
      if (!plain_document(x, depth + 1)) return false;
    return true;
  }
  std::string_view few[16];
  std::vector<std::string_view> many;
  std::size_t n = 0;
  for (auto [key, value] : simdjson::dom::object(e)) {
    if (n < 16) {
      for (std::size_t i = 0; i < n; ++i)
        if (few[i] == key) return false;
      few[n] = key;
    } else {
      if (n == 16) many.assign(few, few + 16);
      many.push_back(key);
    }
    ++n;
    if (!plain_document(value, depth + 1)) return false;
  }
  if (n > 16) {
    std::sort(many.begin(), many.end());
    if (std::adjacent_find(many.begin(), many.end()) != many.end()) return false;
  }
  return true;
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

// `tool_calls` of a reply message, or with `delta` of a stream chunk (which has `index` and
// keeps `type` as sent, where a reply defaults it to "function"); null when not an array.
void append_tool_calls(std::string& out, const std::optional<element>& calls, bool delta) {
  if (!calls || calls->type() != element_type::ARRAY) {
    out += "null";
    return;
  }
  out += '[';
  bool first = true;
  for (element tc : simdjson::dom::array(*calls)) {
    if (!first) out += ',';
    first = false;
    out += '{';
    if (delta) {
      out += "\"index\":";
      append_field(out, tc, "index");
      out += ',';
    }
    out += "\"id\":";
    append_field(out, tc, "id");
    out += ",\"type\":";
    auto type = field(tc, "type");
    if (!delta && is_null_or_absent(type)) {
      out += "\"function\"";
    } else {
      append_field(out, tc, "type");
    }
    out += ",\"function\":{\"name\":";
    auto fn = field(tc, "function");
    fn ? append_field(out, *fn, "name") : void(out += "null");
    out += ",\"arguments\":";
    fn ? append_field(out, *fn, "arguments") : void(out += "null");
    out += "}}";
  }
  out += ']';
}

// `{"id":..,"object":..,"created":..,"model":..,"choices":[` (chat and completions): the
// object is the upstream's when it is a string and `object_from_upstream`, else the default.
void append_head(std::string& out, element root, std::string_view default_object,
                 bool object_from_upstream, std::int64_t now) {
  out += "{\"id\":";
  append_field(out, root, "id");
  out += ",\"object\":";
  auto object = object_from_upstream ? field(root, "object") : std::nullopt;
  if (object && object->type() == element_type::STRING) {
    append_value(out, *object);
  } else {
    out += default_object;
  }
  out += ",\"created\":";
  append_created(out, root, now);
  out += ",\"model\":";
  append_field(out, root, "model");
  out += ",\"choices\":[";
}

// `],"usage":{...}}`: closes what append_head opened.
void append_tail(std::string& out, element root) {
  out += "],\"usage\":";
  append_usage(out, root, true);
  out += '}';
}

// The first of `a`, `b` that is a JSON string, else `none` (a choice's text: message content,
// then text; a reply's missing text is "", a stream chunk's is null, as MLflow has them).
void append_first_string(std::string& out, std::optional<element> a, std::optional<element> b,
                         std::string_view none) {
  if (a && a->type() == element_type::STRING) {
    append_value(out, *a);
  } else if (b && b->type() == element_type::STRING) {
    append_value(out, *b);
  } else {
    out += none;
  }
}

bool chat(std::string& out, element root, std::int64_t now) {
  auto choices = field(root, "choices");
  if (!choices || choices->type() != element_type::ARRAY) return false;
  append_head(out, root, "\"chat.completion\"", /*object_from_upstream=*/true, now);
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
    append_tool_calls(out, field(*msg, "tool_calls"), /*delta=*/false);
    out += ",\"refusal\":";
    append_field(out, *msg, "refusal");
    out += "},\"finish_reason\":";
    append_field(out, c, "finish_reason");
    out += '}';
  }
  append_tail(out, root);
  return true;
}

bool completions(std::string& out, element root, std::int64_t now) {
  auto choices = field(root, "choices");
  if (!choices || choices->type() != element_type::ARRAY) return false;
  append_head(out, root, "\"text_completion\"", /*object_from_upstream=*/false, now);
  int index = 0;
  for (element c : simdjson::dom::array(*choices)) {
    if (index) out += ',';
    out += "{\"index\":" + std::to_string(index++) + ",\"text\":";
    std::optional<element> content;
    if (auto msg = field(c, "message")) content = field(*msg, "content");
    auto text = field(c, "text");
    append_first_string(out, content, text, "\"\"");
    out += ",\"finish_reason\":";
    append_field(out, c, "finish_reason");
    out += '}';
  }
  append_tail(out, root);
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
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
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
  if (root.type() != element_type::OBJECT || !plain_document(root)) return std::nullopt;
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

namespace {

using simdjson::dom::object;

// True when no key appears twice (the reference DOM would merge duplicates differently).
bool unique_keys(object obj) {
  std::string_view keys[32];
  std::size_t n = 0;
  for (auto [key, value] : obj) {
    if (n == 32) return false;  // unusually wide: let the reference path handle it
    for (std::size_t i = 0; i < n; ++i)
      if (keys[i] == key) return false;
    keys[n++] = key;
  }
  return true;
}

bool is_int(element e) { return e.type() == element_type::INT64; }

// One chat message: {role, content?, refusal?, tool_call_id?} with string values; other keys
// are dropped, as the reference does. Anything else (parts, tool_calls) declines.
bool append_message(std::string& out, element m) {
  if (m.type() != element_type::OBJECT || !unique_keys(object(m))) return false;
  auto role = field(m, "role");
  if (!role || role->type() != element_type::STRING) return false;
  out += "{\"role\":";
  append_value(out, *role);
  auto calls = field(m, "tool_calls");
  if (!is_null_or_absent(calls)) return false;
  for (const char* key : {"content", "refusal", "tool_call_id"}) {
    auto v = field(m, key);
    if (is_null_or_absent(v)) continue;
    if (v->type() != element_type::STRING) return false;
    out += ",\"";
    out += key;
    out += "\":";
    append_value(out, *v);
  }
  out += '}';
  return true;
}

bool valid_embeddings_input(element v) {
  if (v.type() == element_type::STRING) return true;
  if (v.type() != element_type::ARRAY) return false;
  bool all_str = true, all_int = true, all_int_lists = true;
  for (element x : simdjson::dom::array(v)) {
    all_str = all_str && x.type() == element_type::STRING;
    all_int = all_int && is_int(x);
    bool int_list = x.type() == element_type::ARRAY;
    if (int_list)
      for (element y : simdjson::dom::array(x)) int_list = int_list && is_int(y);
    all_int_lists = all_int_lists && int_list;
  }
  return all_str || all_int || all_int_lists;
}

// `temperature` (default 0.0, a number in 0..2) for chat and completions; false declines.
bool append_temperature(std::string& out, element root) {
  auto t = field(root, "temperature");
  double temperature = 0.0;
  if (!is_null_or_absent(t)) {
    if (t->type() == element_type::INT64) {
      temperature = static_cast<double>(int64_t(*t));
    } else if (t->type() == element_type::DOUBLE) {
      temperature = double(*t);
    } else {
      return false;
    }
    if (!(temperature >= 0 && temperature <= 2)) return false;
  }
  out += "\"temperature\":";
  append_double(out, temperature);
  return true;
}

// The parameters chat and completions share; `stream` is set from the request. False declines.
bool append_base_params(std::string& out, element root, bool& stream_out) {
  // Same order as the reference: temperature, n, stop, max_tokens, stream, stream_options.
  if (!append_temperature(out, root)) return false;
  auto n = field(root, "n");
  out += ",\"n\":";
  if (is_null_or_absent(n)) {
    out += '1';
  } else {
    if (!is_int(*n) || int64_t(*n) < 1) return false;
    append_value(out, *n);
  }
  auto stop = field(root, "stop");
  if (!is_null_or_absent(stop)) {
    if (stop->type() != element_type::ARRAY) return false;
    std::size_t count = 0;
    for (element x : simdjson::dom::array(*stop)) {
      if (x.type() != element_type::STRING) return false;
      ++count;
    }
    if (count == 0) return false;
    out += ",\"stop\":";
    append_value(out, *stop);
  }
  auto max_tokens = field(root, "max_tokens");
  if (!is_null_or_absent(max_tokens)) {
    if (!is_int(*max_tokens) || int64_t(*max_tokens) < 1) return false;
    out += ",\"max_tokens\":";
    append_value(out, *max_tokens);
  }
  auto stream = field(root, "stream");
  if (!is_null_or_absent(stream)) {
    if (stream->type() != element_type::BOOL) return false;
    stream_out = bool(*stream);
    out += stream_out ? ",\"stream\":true" : ",\"stream\":false";
  }
  auto options = field(root, "stream_options");
  if (!is_null_or_absent(options)) {
    if (options->type() != element_type::OBJECT) return false;
    out += ",\"stream_options\":";
    append_value(out, *options);
  }
  return true;
}

// `model` (a string) into `model_out`, and into the payload unless drop_model. False declines.
bool append_model(std::string& out, element root, bool base, bool drop_model,
                  std::optional<std::string>& model_out) {
  auto model = field(root, "model");
  if (!is_null_or_absent(model)) {
    if (model->type() != element_type::STRING) return false;
    model_out = std::string(std::string_view(*model));
    if (!drop_model) {
      out += base ? ",\"model\":" : "\"model\":";
      append_value(out, *model);
    }
  }
  return true;
}

// A ',' before the next member, unless `out` holds only the opening '{'.
void comma(std::string& out) {
  if (out.size() > 1) out += ',';
}

// Chat `messages` (a non-empty array of plain messages); `tools` declines. False declines.
bool append_messages(std::string& out, element root) {
  auto msgs = field(root, "messages");
  if (!msgs || msgs->type() != element_type::ARRAY) return false;
  comma(out);
  out += "\"messages\":[";
  std::size_t count = 0;
  for (element m : simdjson::dom::array(*msgs)) {
    if (count++) out += ',';
    if (!append_message(out, m)) return false;
  }
  if (count == 0) return false;
  out += ']';
  return is_null_or_absent(field(root, "tools"));
}

// Completions `prompt` (a string). False declines.
bool append_prompt(std::string& out, element root) {
  auto prompt = field(root, "prompt");
  if (!prompt || prompt->type() != element_type::STRING) return false;
  comma(out);
  out += "\"prompt\":";
  append_value(out, *prompt);
  return true;
}

// Embeddings `input`. False declines.
bool append_input(std::string& out, element root) {
  auto input = field(root, "input");
  if (!input || !valid_embeddings_input(*input)) return false;
  comma(out);
  out += "\"input\":";
  append_value(out, *input);
  return true;
}

// The keys the schema defines for each type; everything else is an extra, forwarded as is.
constexpr std::string_view kChatKeys[] = {"temperature", "n",        "stop",
                                          "max_tokens",  "stream",   "stream_options",
                                          "model",       "messages", "tools"};
constexpr std::string_view kCompletionsKeys[] = {
    "temperature", "n", "stop", "max_tokens", "stream", "stream_options", "model", "prompt"};
constexpr std::string_view kEmbeddingsKeys[] = {"model", "input"};

// Extra top-level keys are forwarded in the client's order, nulls dropped.
void append_extras(std::string& out, element root, std::span<const std::string_view> known) {
  for (auto [key, value] : object(root)) {
    if (value.type() == element_type::NULL_VALUE) continue;
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || key == k;
    if (is_known) continue;
    comma(out);
    append_json_string(out, key);
    out += ':';
    append_value(out, value);
  }
}

}  // namespace

std::optional<FastRequest> fast_validate_request(EndpointType type, std::string_view body,
                                                 bool drop_model) {
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size()).get(root)) return std::nullopt;
  if (root.type() != element_type::OBJECT || !unique_keys(object(root)) || !plain_document(root))
    return std::nullopt;
  FastRequest r;
  std::string& out = r.payload;
  out.reserve(body.size() + 48);
  out += '{';
  const bool base = type != EndpointType::Embeddings;
  if (base && !append_base_params(out, root, r.stream)) return std::nullopt;
  if (!append_model(out, root, base, drop_model, r.model)) return std::nullopt;
  std::span<const std::string_view> known;
  switch (type) {
    case EndpointType::Chat:
      if (!append_messages(out, root)) return std::nullopt;
      known = kChatKeys;
      break;
    case EndpointType::Completions:
      if (!append_prompt(out, root)) return std::nullopt;
      known = kCompletionsKeys;
      break;
    case EndpointType::Embeddings:
      if (!append_input(out, root)) return std::nullopt;
      known = kEmbeddingsKeys;
      break;
  }
  append_extras(out, root, known);
  out += '}';
  return r;
}

namespace {

// `{"id":..,"object":..,"created":..,"model":..,"choices":[` of a stream chunk.
void append_chunk_head(std::string& out, element root, bool chat, std::int64_t now) {
  out += "{\"id\":";
  append_field(out, root, "id");
  out += chat ? ",\"object\":\"chat.completion.chunk\"" : ",\"object\":\"text_completion_chunk\"";
  out += ",\"created\":";
  append_created(out, root, now);
  out += ",\"model\":";
  append_field(out, root, "model");
  out += ",\"choices\":[";
}

// One choice of a stream chunk: its index (the upstream's, else `position`), finish_reason,
// then the chat delta or the completions text.
void append_chunk_choice(std::string& out, element c, int position, bool chat) {
  out += "{\"index\":";
  auto index = field(c, "index");
  if (index && (index->type() == element_type::INT64 || index->type() == element_type::UINT64)) {
    append_value(out, *index);
  } else {
    out += std::to_string(position);
  }
  out += ",\"finish_reason\":";
  append_field(out, c, "finish_reason");
  auto delta = field(c, "delta");
  if (chat) {
    out += ",\"delta\":{\"role\":";
    delta ? append_field(out, *delta, "role") : void(out += "null");
    out += ",\"content\":";
    delta ? append_field(out, *delta, "content") : void(out += "null");
    out += ",\"tool_calls\":";
    append_tool_calls(out, delta ? field(*delta, "tool_calls") : std::nullopt,
                      /*delta=*/true);
    out += "}}";
  } else {
    out += ",\"text\":";
    auto content = delta ? field(*delta, "content") : std::nullopt;
    auto text = field(c, "text");
    append_first_string(out, content, text, "null");
    out += '}';
  }
}

}  // namespace

std::optional<std::optional<std::string>> openai_fast_chunk(EndpointType type,
                                                            std::string_view data, std::int64_t now,
                                                            bool client_wants_usage) {
  if (type == EndpointType::Embeddings) return std::nullopt;
  thread_local simdjson::dom::parser parser;
  element root;
  if (parser.parse(data.data(), data.size()).get(root)) return std::nullopt;
  if (root.type() != element_type::OBJECT || !plain_document(root)) return std::nullopt;
  if (!is_null_or_absent(field(root, "error"))) return std::nullopt;  // reference reports it
  auto choices = field(root, "choices");
  auto usage = field(root, "usage");
  const bool has_usage = usage && usage->type() == element_type::OBJECT;
  const bool no_choices = !choices || choices->type() != element_type::ARRAY ||
                          simdjson::dom::array(*choices).size() == 0;
  if (has_usage && no_choices && !client_wants_usage) return std::optional<std::string>();
  std::string out;
  out.reserve(data.size() + 64);
  const bool chat = type == EndpointType::Chat;
  append_chunk_head(out, root, chat, now);
  if (choices && choices->type() == element_type::ARRAY) {
    int position = 0;
    for (element c : simdjson::dom::array(*choices)) {
      if (position) out += ',';
      append_chunk_choice(out, c, position++, chat);
    }
  }
  out += ']';
  if (has_usage && client_wants_usage) {
    out += ",\"usage\":";
    append_value(out, *usage);
  }
  out += '}';
  return std::optional<std::string>(std::move(out));
}

}  // namespace gw
