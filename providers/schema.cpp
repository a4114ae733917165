#include "providers/schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace gw {
namespace {

using config::EndpointType;

// Collects pydantic-v2-shaped error objects: {type, loc, msg, input[, ctx]}.
class Errors {
 public:
  void add(std::string type, Json loc, std::string msg, const Json& input, Json ctx = nullptr) {
    Json e;
    e["type"] = std::move(type);
    e["loc"] = std::move(loc);
    e["msg"] = std::move(msg);
    e["input"] = input;
    if (!ctx.is_null()) e["ctx"] = std::move(ctx);
    list_.push_back(std::move(e));
  }
  bool empty() const { return list_.empty(); }
  GatewayError to_error() const {
    GatewayError err;
    err.status = 422;
    err.detail = list_;
    return err;
  }

 private:
  Json list_ = Json::array();
};

Json loc_of(const Json& base, const Json& key) {
  Json l = base;
  l.push_back(key);
  return l;
}

// pydantic lax-mode float: numbers, or strings holding a number. Bools are rejected.
std::optional<double> as_float(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) return d;
  }
  return std::nullopt;
}

// pydantic lax-mode int: integers, floats without a fractional part, numeric strings.
// Returns "int_type" / "int_from_float" error types through `why`.
std::optional<std::int64_t> as_int(const Json& v, std::string& why) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18)
      return static_cast<std::int64_t>(d);
    why = "int_from_float";
    return std::nullopt;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size()) return n;
    why = "int_parsing";
    return std::nullopt;
  }
  why = "int_type";
  return std::nullopt;
}

std::optional<bool> as_bool(const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) {
    auto n = v.get<std::int64_t>();
    if (n == 0 || n == 1) return n == 1;
  }
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "1" || s == "yes" || s == "on" || s == "t" || s == "y") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off" || s == "f" || s == "n") return false;
  }
  return std::nullopt;
}

void int_error(Errors& errs, const Json& loc, const Json& input, const std::string& why) {
  if (why == "int_from_float") {
    errs.add("int_from_float", loc,
             "Input should be a valid integer, got a number with a fractional part", input);
  } else if (why == "int_parsing") {
    errs.add("int_parsing", loc,
             "Input should be a valid integer, unable to parse string as an integer", input);
  } else {
    errs.add("int_type", loc, "Input should be a valid integer", input);
  }
}

const Json& body_root() {
  static const Json root = Json::array({"body"});  // built once: the happy path allocates less
  return root;
}

// The field `key` of `body` when present and not null.
const Json* present(const Json& body, const char* key) {
  auto it = body.find(key);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

// temperature: float in [0, 2], default 0.0
void validate_temperature(const Json& body, Json& out, Errors& errs) {
  const Json* v = present(body, "temperature");
  if (!v) {
    out["temperature"] = 0.0;
    return;
  }
  auto t = as_float(*v);
  Json loc = loc_of(body_root(), "temperature");
  if (!t && v->is_string()) {
    errs.add("float_parsing", loc,
             "Input should be a valid number, unable to parse string as a number", *v);
  } else if (!t) {
    errs.add("float_type", loc, "Input should be a valid number", *v);
  } else if (*t < 0) {
    errs.add("greater_than_equal", loc, "Input should be greater than or equal to 0", *v,
             Json{{"ge", 0.0}});
  } else if (*t > 2) {
    errs.add("less_than_equal", loc, "Input should be less than or equal to 2", *v,
             Json{{"le", 2.0}});
  } else {
    out["temperature"] = *t;
  }
}

// An int >= 1 (n, max_tokens); `fallback` is written when the field is absent or null.
void validate_positive_int(const Json& body, const char* key, Json& out, Errors& errs,
                           std::optional<int> fallback) {
  const Json* v = present(body, key);
  if (!v) {
    if (fallback) out[key] = *fallback;
    return;
  }
  std::string why;
  auto n = as_int(*v, why);
  Json loc = loc_of(body_root(), key);
  if (!n) {
    int_error(errs, loc, *v, why);
  } else if (*n < 1) {
    errs.add("greater_than_equal", loc, "Input should be greater than or equal to 1", *v,
             Json{{"ge", 1}});
  } else {
    out[key] = *n;
  }
}

// stop: list[str] with at least one item
void validate_stop(const Json& body, Json& out, Errors& errs) {
  const Json* v = present(body, "stop");
  if (!v) return;
  Json loc = loc_of(body_root(), "stop");
  if (!v->is_array()) {
    errs.add("list_type", loc, "Input should be a valid list", *v);
    return;
  }
  if (v->empty()) {
    errs.add("too_short", loc, "List should have at least 1 item after validation, not 0", *v,
             Json{{"field_type", "List"}, {"min_length", 1}, {"actual_length", 0}});
    return;
  }
  bool good = true;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      errs.add("string_type", loc_of(loc, i), "Input should be a valid string", (*v)[i]);
      good = false;
    }
  }
  if (good) out["stop"] = *v;
}

// stream: lax bool; stream_options: object
void validate_stream(const Json& body, Json& out, Errors& errs, bool& stream) {
  if (const Json* v = present(body, "stream")) {
    auto b = as_bool(*v);
    if (!b && (v->is_string() || v->is_number_integer())) {
      // pydantic: strings and ints it cannot interpret -> bool_parsing; other types -> bool_type.
      errs.add("bool_parsing", loc_of(body_root(), "stream"),
               "Input should be a valid boolean, unable to interpret input", *v);
    } else if (!b) {
      errs.add("bool_type", loc_of(body_root(), "stream"), "Input should be a valid boolean", *v);
    } else {
      stream = *b;
      out["stream"] = *b;
    }
  }
  if (const Json* v = present(body, "stream_options")) {
    if (!v->is_object()) {
      errs.add("dict_type", loc_of(body_root(), "stream_options"),
               "Input should be a valid dictionary", *v);
    } else {
      out["stream_options"] = *v;
    }
  }
}

// Validates the fields of BaseRequestPayload (docs/mlflow-compatibility.md §4.1) and writes them
// into `out`, in MLflow's order.
void validate_base(const Json& body, Json& out, Errors& errs, bool& stream) {
  validate_temperature(body, out, errs);
  validate_positive_int(body, "n", out, errs, 1);
  validate_stop(body, out, errs);
  validate_positive_int(body, "max_tokens", out, errs, std::nullopt);
  validate_stream(body, out, errs, stream);
}

// model: optional string (selects the endpoint on /v1/*; providers decide whether it is allowed).
void validate_model(const Json& body, Json& out, Errors& errs, std::optional<std::string>& model) {
  if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) {
      errs.add("string_type", Json::array({"body", "model"}), "Input should be a valid string",
               *it);
    } else {
      model = it->get<std::string>();
      out["model"] = *it;
    }
  }
}

void require_string(const Json& obj, const char* key, const Json& loc, Errors& errs, Json& out,
                    bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || (it->is_null() && required)) {
    if (required) errs.add("missing", loc_of(loc, key), "Field required", obj);
    return;
  }
  if (it->is_null()) return;
  if (!it->is_string()) {
    errs.add("string_type", loc_of(loc, key), "Input should be a valid string", *it);
    return;
  }
  out[key] = *it;
}

// The object field `key` of a content part; nullptr (after the error) when missing or not an
// object.
const Json* part_object(const Json& part, const char* key, const Json& loc, Errors& errs) {
  auto it = part.find(key);
  if (it == part.end()) {
    errs.add("missing", loc, "Field required", part);
    return nullptr;
  }
  if (!it->is_object()) {
    errs.add("model_attributes_type", loc,
             "Input should be a valid dictionary or object to extract fields from", *it);
    return nullptr;
  }
  return &*it;
}

// {"type":"image_url","image_url":{url, detail?}}
void validate_image_url(const Json& part, const Json& loc, Errors& errs, Json& p) {
  Json l = loc_of(loc, "image_url");
  const Json* iu = part_object(part, "image_url", l, errs);
  if (!iu) return;
  Json img;
  require_string(*iu, "url", l, errs, img, true);
  if (auto d = iu->find("detail"); d != iu->end() && !d->is_null()) {
    if (!d->is_string() || (*d != "auto" && *d != "low" && *d != "high")) {
      errs.add("literal_error", loc_of(l, "detail"), "Input should be 'auto', 'low' or 'high'", *d,
               Json{{"expected", "'auto', 'low' or 'high'"}});
    } else {
      img["detail"] = *d;
    }
  }
  p["image_url"] = img;
}

// {"type":"input_audio","input_audio":{data, format}}
void validate_input_audio(const Json& part, const Json& loc, Errors& errs, Json& p) {
  Json l = loc_of(loc, "input_audio");
  const Json* ia = part_object(part, "input_audio", l, errs);
  if (!ia) return;
  Json audio;
  require_string(*ia, "data", l, errs, audio, true);
  auto f = ia->find("format");
  if (f == ia->end()) {
    errs.add("missing", loc_of(l, "format"), "Field required", *ia);
  } else if (!f->is_string() || (*f != "wav" && *f != "mp3")) {
    errs.add("literal_error", loc_of(l, "format"), "Input should be 'wav' or 'mp3'", *f,
             Json{{"expected", "'wav' or 'mp3'"}});
  } else {
    audio["format"] = *f;
  }
  p["input_audio"] = audio;
}

// Content part: text | image_url | input_audio, by its `type` tag.
void validate_part(const Json& part, const Json& loc, Errors& errs, Json& out) {
  if (!part.is_object()) {
    errs.add("model_attributes_type", loc,
             "Input should be a valid dictionary or object to extract fields from", part);
    return;
  }
  auto t = part.find("type");
  if (t == part.end() || !t->is_string()) {
    errs.add("union_tag_not_found", loc, "Unable to extract tag using discriminator 'type'", part,
             Json{{"discriminator", "'type'"}});
    return;
  }
  const std::string& type = t->get_ref<const std::string&>();
  Json p;
  p["type"] = type;
  if (type == "text") {
    require_string(part, "text", loc_of(loc, "text"), errs, p, true);
  } else if (type == "image_url") {
    validate_image_url(part, loc, errs, p);
  } else if (type == "input_audio") {
    validate_input_audio(part, loc, errs, p);
  } else {
    errs.add("union_tag_invalid", loc,
             "Input tag '" + type +
                 "' found using 'type' does not match any of the expected tags: 'text', "
                 "'image_url', 'input_audio'",
             part,
             Json{{"discriminator", "'type'"},
                  {"tag", type},
                  {"expected_tags", "'text', 'image_url', 'input_audio'"}});
  }
  out.push_back(std::move(p));
}

void validate_tool_call(const Json& tc, const Json& loc, Errors& errs, Json& out) {
  if (!tc.is_object()) {
    errs.add("model_attributes_type", loc,
             "Input should be a valid dictionary or object to extract fields from", tc);
    return;
  }
  Json o;
  require_string(tc, "id", loc, errs, o, true);
  o["type"] = "function";
  if (auto t = tc.find("type"); t != tc.end() && !t->is_null()) {
    if (!t->is_string()) {
      errs.add("string_type", loc_of(loc, "type"), "Input should be a valid string", *t);
    } else {
      o["type"] = *t;
    }
  }
  auto fn = tc.find("function");
  if (fn == tc.end()) {
    errs.add("missing", loc_of(loc, "function"), "Field required", tc);
  } else if (!fn->is_object()) {
    errs.add("model_attributes_type", loc_of(loc, "function"),
             "Input should be a valid dictionary or object to extract fields from", *fn);
  } else {
    Json f = Json::object();
    require_string(*fn, "name", loc_of(loc, "function"), errs, f, false);
    require_string(*fn, "arguments", loc_of(loc, "function"), errs, f, false);
    o["function"] = f;
  }
  out.push_back(std::move(o));
}

void validate_messages(Json& body, Json& out, Errors& errs) {
  static const Json loc = Json::array({"body", "messages"});
  auto it = body.find("messages");
  if (it == body.end() || it->is_null()) {
    errs.add("missing", loc, "Field required", body);
    return;
  }
  if (!it->is_array()) {
    errs.add("list_type", loc, "Input should be a valid list", *it);
    return;
  }
  if (it->empty()) {
    errs.add("too_short", loc, "List should have at least 1 item after validation, not 0", *it,
             Json{{"field_type", "List"}, {"min_length", 1}, {"actual_length", 0}});
    return;
  }
  Json msgs = Json::array();
  for (std::size_t i = 0; i < it->size(); ++i) {
    Json& m = (*it)[i];
    Json mloc = loc_of(loc, i);
    if (!m.is_object()) {
      errs.add("model_attributes_type", mloc,
               "Input should be a valid dictionary or object to extract fields from", m);
      continue;
    }
    Json o;
    require_string(m, "role", mloc, errs, o, true);
    if (auto c = m.find("content"); c != m.end() && !c->is_null()) {
      if (c->is_string()) {
        o["content"] = std::move(*c);  // validated; later errors never quote this message
      } else if (c->is_array()) {
        Json parts = Json::array();
        for (std::size_t j = 0; j < c->size(); ++j)
          validate_part((*c)[j], loc_of(loc_of(mloc, "content"), j), errs, parts);
        o["content"] = parts;
      } else {
        errs.add("string_type", loc_of(mloc, "content"), "Input should be a valid string", *c);
      }
    }
    if (auto tc = m.find("tool_calls"); tc != m.end() && !tc->is_null()) {
      if (!tc->is_array()) {
        errs.add("list_type", loc_of(mloc, "tool_calls"), "Input should be a valid list", *tc);
      } else {
        Json calls = Json::array();
        for (std::size_t j = 0; j < tc->size(); ++j)
          validate_tool_call((*tc)[j], loc_of(loc_of(mloc, "tool_calls"), j), errs, calls);
        o["tool_calls"] = calls;
      }
    }
    require_string(m, "refusal", mloc, errs, o, false);
    require_string(m, "tool_call_id", mloc, errs, o, false);
    msgs.push_back(std::move(o));
  }
  out["messages"] = std::move(msgs);
}

void validate_tools(const Json& body, Json& out, Errors& errs) {
  auto it = body.find("tools");
  if (it == body.end() || it->is_null()) return;
  static const Json loc = Json::array({"body", "tools"});
  if (!it->is_array()) {
    errs.add("list_type", loc, "Input should be a valid list", *it);
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& t = (*it)[i];
    Json tloc = loc_of(loc, i);
    if (!t.is_object()) {
      errs.add("model_attributes_type", tloc,
               "Input should be a valid dictionary or object to extract fields from", t);
      continue;
    }
    auto type = t.find("type");
    if (type != t.end() &&
        !(type->is_string() && (*type == "function" || *type == "uc_function"))) {
      errs.add("literal_error", loc_of(tloc, "type"), "Input should be 'function' or 'uc_function'",
               *type, Json{{"expected", "'function' or 'uc_function'"}});
    }
    if (auto fn = t.find("function"); fn != t.end() && !fn->is_null()) {
      if (!fn->is_object()) {
        errs.add("model_attributes_type", loc_of(tloc, "function"),
                 "Input should be a valid dictionary or object to extract fields from", *fn);
      } else if (!fn->contains("name")) {
        errs.add("missing", loc_of(loc_of(tloc, "function"), "name"), "Field required", *fn);
      } else if (!(*fn)["name"].is_string()) {
        errs.add("string_type", loc_of(loc_of(tloc, "function"), "name"),
                 "Input should be a valid string", (*fn)["name"]);
      }
    }
  }
  // Tools are forwarded as given: JSON-schema keywords (minimum, nested properties, ...) are
  // kept, unlike MLflow, which drops every keyword its model does not list (docs/deviations).
  out["tools"] = *it;
}

bool is_int_list(const Json& v) {
  for (const auto& x : v)
    if (!x.is_number_integer()) return false;
  return true;
}

void validate_embeddings_input(Json& body, Json& out, Errors& errs) {
  static const Json loc = Json::array({"body", "input"});
  auto it = body.find("input");
  if (it == body.end() || it->is_null()) {
    errs.add("missing", loc, "Field required", body);
    return;
  }
  Json& v = *it;
  bool good = v.is_string();
  if (v.is_array()) {
    bool all_str = true, all_int = true, all_int_lists = true;
    for (const auto& x : v) {
      all_str = all_str && x.is_string();
      all_int = all_int && x.is_number_integer();
      all_int_lists = all_int_lists && x.is_array() && is_int_list(x);
    }
    good = all_str || all_int || all_int_lists;
  }
  if (!good) {
    errs.add("union_type", loc,
             "Input should be a string, a list of strings, a list of integers or a list of "
             "lists of integers",
             v);
    return;
  }
  out["input"] = std::move(v);
}

// Copies the keys the schema does not define (pydantic extra="allow"), dropping nulls.
// Runs last, after every check, so moving values out cannot change an error's `input`.
void move_extras(Json& body, Json& out, std::initializer_list<const char*> known) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.value().is_null()) continue;
    bool is_known = false;
    for (const char* k : known) is_known = is_known || it.key() == k;
    if (!is_known && !out.contains(it.key())) out[it.key()] = std::move(it.value());
  }
}

// FastAPI's 422 for a body that is not JSON: json_invalid at byte `pos`, with `why`.
GatewayError json_invalid(std::size_t pos, const std::string& why) {
  GatewayError e;
  e.status = 422;
  e.detail = Json::array({Json{{"type", "json_invalid"},
                               {"loc", Json::array({"body", pos})},
                               {"msg", "JSON decode error"},
                               {"input", Json::object()},
                               {"ctx", Json{{"error", why}}}}});
  return e;
}

// A syntax error: nlohmann's reason, at the byte where Python's json would report it.
std::pair<std::size_t, std::string> syntax_error_at(std::string_view body,
                                                    const Json::parse_error& ex) {
  std::size_t pos = ex.byte > 0 ? ex.byte - 1 : 0;
  std::string what = ex.what();
  // "[json.exception.parse_error.101] parse error at line 1, column 6: <why>"; <why> may
  // itself contain ": " ("last read: 'no'"), so cut after the position, not at the last one.
  auto column = what.find("column ");
  auto colon = what.find(": ", column == std::string::npos ? 0 : column);
  std::string why = colon == std::string::npos ? what : what.substr(colon + 2);
  // Python's json (FastAPI) reports a bad literal or an unterminated string where the token
  // starts; nlohmann reports the byte where it gave up.
  pos = std::min(pos, body.size());
  if (why.find("invalid literal") != std::string::npos) {
    std::size_t start = pos;
    while (start > 0 && std::isalpha(static_cast<unsigned char>(body[start - 1]))) --start;
    std::string_view word = body.substr(start, pos - start);
    if (word != "true" && word != "false" && word != "null") pos = start;  // "truex": extra data
  } else if (why.find("missing closing quote") != std::string::npos) {
    auto quote = body.rfind('"', pos);
    if (quote != std::string_view::npos) pos = quote;
  }
  return {pos, why};
}

// Not a syntax error: out_of_range 406 "number overflow parsing '1e400'" (found by
// tests/fuzz/fuzz_provider_request; it escaped as an exception, a 500). No byte position: the
// number's first occurrence is reported.
std::pair<std::size_t, std::string> value_error_at(std::string_view body,
                                                   const Json::exception& ex) {
  std::size_t pos = 0;
  std::string what = ex.what();
  auto bracket = what.find("] ");
  std::string why = bracket == std::string::npos ? what : what.substr(bracket + 2);
  auto open = what.find('\'');
  auto close = open == std::string::npos ? open : what.find('\'', open + 1);
  if (close != std::string::npos) {
    auto at = body.find(std::string_view(what).substr(open + 1, close - open - 1));
    if (at != std::string_view::npos) pos = at;
  }
  return {pos, why};
}

}  // namespace

Result<Json> parse_request_body(std::string_view body) {
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) {
    GatewayError e;
    e.status = 422;
    e.detail = Json::array({Json{{"type", "missing"},
                                 {"loc", Json::array({"body"})},
                                 {"msg", "Field required"},
                                 {"input", nullptr}}});
    return e;
  }
  if (const std::size_t at = json_too_deep_at(body); at != std::string_view::npos)
    return json_invalid(at, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  Json parsed = Json::parse(body, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  // Rare path: parse again with exceptions, only to learn where and why it failed.
  std::pair<std::size_t, std::string> failure{0, "Invalid JSON"};
  try {
    Json ignored = Json::parse(body);
    (void)ignored;
  } catch (const Json::parse_error& ex) {
    failure = syntax_error_at(body, ex);
  } catch (const Json::exception& ex) {
    failure = value_error_at(body, ex);
  }
  return json_invalid(failure.first, failure.second);
}

Result<ValidatedRequest> validate_request(EndpointType type, Json body) {
  Errors errs;
  if (!body.is_object()) {
    errs.add("model_attributes_type", Json::array({"body"}),
             "Input should be a valid dictionary or object to extract fields from", body);
    return errs.to_error();
  }
  ValidatedRequest req;
  Json& out = req.payload;
  out = Json::object();
  switch (type) {
    case EndpointType::Chat:
      validate_base(body, out, errs, req.stream);
      validate_model(body, out, errs, req.model);
      validate_messages(body, out, errs);
      validate_tools(body, out, errs);
      move_extras(body, out,
                  {"temperature", "n", "stop", "max_tokens", "stream", "stream_options", "model",
                   "messages", "tools"});
      break;
    case EndpointType::Completions: {
      validate_base(body, out, errs, req.stream);
      validate_model(body, out, errs, req.model);
      auto it = body.find("prompt");
      static const Json loc = Json::array({"body", "prompt"});
      if (it == body.end() || it->is_null()) {
        errs.add("missing", loc, "Field required", body);
      } else if (!it->is_string()) {
        errs.add("string_type", loc, "Input should be a valid string", *it);
      } else {
        out["prompt"] = *it;
      }
      move_extras(body, out,
                  {"temperature", "n", "stop", "max_tokens", "stream", "stream_options", "model",
                   "prompt"});
      break;
    }
    case EndpointType::Embeddings:
      validate_model(body, out, errs, req.model);
      validate_embeddings_input(body, out, errs);
      move_extras(body, out, {"model", "input"});
      break;
  }
  if (!errs.empty()) return errs.to_error();
  return req;
}

}  // namespace gw
