// YAML -> GatewayConfig (architecture guide §2, spec §2, decisions.md).
//
// One Loader walks the document once. Every problem becomes a ConfigIssue with the YAML path
// and the 1-based position of the offending node (or of the parent mapping when a key is
// missing), and the walk carries on, so a file with five mistakes reports five errors.
// Unknown keys are warnings, not errors: MLflow ignores them, and files written for MLflow must
// keep loading (decisions.md), but a typo such as `renewal_perod` must not go unnoticed.
#include "config/config.h"
#include "config/url.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gw::config {

// ---- small public helpers -----------------------------------------------------------------

std::string_view to_string(EndpointType t) {
  switch (t) {
    case EndpointType::Completions:
      return "llm/v1/completions";
    case EndpointType::Chat:
      return "llm/v1/chat";
    case EndpointType::Embeddings:
      return "llm/v1/embeddings";
  }
  return "llm/v1/chat";
}

std::optional<EndpointType> parse_endpoint_type(std::string_view s) {
  // Case-sensitive, like MLflow's str enum.
  if (s == "llm/v1/completions") return EndpointType::Completions;
  if (s == "llm/v1/chat") return EndpointType::Chat;
  if (s == "llm/v1/embeddings") return EndpointType::Embeddings;
  return std::nullopt;
}

std::string ConfigIssue::to_string() const {
  std::string out;
  if (!path.empty()) out = path + ": ";
  out += message;
  if (line > 0) {
    out += " (line " + std::to_string(line) + ", column " + std::to_string(column) + ")";
  }
  return out;
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

const CompatiblePreset* compatible_preset(std::string_view canonical) {
  // Default base URLs and served endpoint types from each provider's API documentation.
  static constexpr CompatiblePreset kPresets[] = {
      {"openai-compatible", "api_key", "api_base", "", false, true, true, true},
      {"ollama", "ollama_api_key", "ollama_api_base", "http://localhost:11434/v1", false, true,
       true, true},
      {"groq", "groq_api_key", "groq_api_base", "https://api.groq.com/openai/v1", true, true,
       false, false},
      {"deepseek", "deepseek_api_key", "deepseek_api_base", "https://api.deepseek.com/v1", true,
       true, false, false},
      {"xai", "xai_api_key", "xai_api_base", "https://api.x.ai/v1", true, true, false, false},
      {"openrouter", "openrouter_api_key", "openrouter_api_base", "https://openrouter.ai/api/v1",
       true, true, true, false},
      {"fireworks", "fireworks_api_key", "fireworks_api_base",
       "https://api.fireworks.ai/inference/v1", true, true, true, true},
  };
  for (const auto& p : kPresets)
    if (p.provider == canonical) return &p;
  return nullptr;
}

const std::vector<ProviderCapabilities>& all_provider_capabilities() {
  // What this gateway serves (decisions.md amends spec §6.14: Mistral chat, Bedrock chat, and
  // streaming wherever the provider's API streams). The OpenAI-compatible family follows its
  // presets; streaming goes with every type it serves except embeddings.
  static const std::vector<ProviderCapabilities> kAll = [] {
    std::vector<ProviderCapabilities> v = {
        // provider, display, chat, chat_stream, completions, completions_stream, embeddings
        {"openai", "OpenAI", true, true, true, true, true},
        {"anthropic", "Anthropic", true, true, true, true, false},
        {"gemini", "Gemini", true, true, true, true, true},
        {"cohere", "Cohere", true, true, true, true, true},
        {"mistral", "Mistral", true, true, true, true, true},
        {"togetherai", "TogetherAI", true, true, true, true, true},
        {"huggingface-text-generation-inference", "Hugging Face Text Generation Inference", false,
         false, true, false, false},
        {"mlflow-model-serving", "MLflow Model Serving", true, false, true, false, true},
        {"ai21labs", "AI21Labs", false, false, true, false, false},
        {"palm", "PaLM", true, false, true, false, true},
        {"mosaicml", "MosaicML", true, false, true, false, true},
        {"bedrock", "Amazon Bedrock", true, true, true, false, false},
        {"amazon-bedrock", "Amazon Bedrock", true, true, true, false, false},
        {"mock", "Mock", true, true, true, true, true},
    };
    for (std::string_view name : {"openai-compatible", "ollama", "groq", "deepseek", "xai",
                                  "openrouter", "fireworks"}) {
      const CompatiblePreset* p = compatible_preset(name);
      v.push_back({p->provider, "OpenAI", p->chat, p->chat, p->completions, p->completions,
                   p->embeddings});
    }
    return v;
  }();
  return kAll;
}

const ProviderCapabilities* provider_capabilities(std::string_view canonical) {
  for (const auto& c : all_provider_capabilities())
    if (c.provider == canonical) return &c;
  return nullptr;
}

const HttpProviderFields* http_provider_fields(std::string_view canonical) {
  // Default base URLs: spec §6.2–6.11. The `<provider>_api_base` overrides are ours
  // (decisions.md); TGI and MLflow model serving have only their server URL.
  static constexpr HttpProviderFields kFields[] = {
      {"anthropic", "anthropic_api_key", "anthropic_api_base", "https://api.anthropic.com/v1"},
      {"gemini", "gemini_api_key", "gemini_api_base",
       "https://generativelanguage.googleapis.com/v1beta/models"},
      {"cohere", "cohere_api_key", "cohere_api_base", "https://api.cohere.ai/v1"},
      {"mistral", "mistral_api_key", "mistral_api_base", "https://api.mistral.ai/v1"},
      {"togetherai", "togetherai_api_key", "togetherai_api_base", "https://api.together.xyz/v1"},
      {"ai21labs", "ai21labs_api_key", "ai21labs_api_base", "https://api.ai21.com/studio/v1"},
      {"palm", "palm_api_key", "palm_api_base",
       "https://generativelanguage.googleapis.com/v1beta3/models"},
      {"mosaicml", "mosaicml_api_key", "mosaicml_api_base",
       "https://models.hosted-on.mosaicml.hosting"},
      {"huggingface-text-generation-inference", "", "hf_server_url", ""},
      {"mlflow-model-serving", "", "model_server_url", ""},
  };
  for (const auto& f : kFields)
    if (f.provider == canonical) return &f;
  return nullptr;
}

std::optional<std::string> canonical_provider(std::string_view name) {
  // MLflow's Provider enum: member name -> value. The lookup goes through the member name
  // ('-' -> '_', upper-cased), so "Amazon-Bedrock" and "amazon_bedrock" both work while the
  // value is what the API reports back.
  static const std::pair<std::string_view, std::string_view> kProviders[] = {
      {"OPENAI", "openai"},
      {"ANTHROPIC", "anthropic"},
      {"COHERE", "cohere"},
      {"AI21LABS", "ai21labs"},
      {"MOSAICML", "mosaicml"},
      {"PALM", "palm"},
      {"GEMINI", "gemini"},
      {"MISTRAL", "mistral"},
      {"TOGETHERAI", "togetherai"},
      {"HUGGINGFACE_TEXT_GENERATION_INFERENCE", "huggingface-text-generation-inference"},
      {"MLFLOW_MODEL_SERVING", "mlflow-model-serving"},
      {"BEDROCK", "bedrock"},
      {"AMAZON_BEDROCK", "amazon-bedrock"},
      {"LITELLM", "litellm"},
      {"DATABRICKS", "databricks"},
      {"DATABRICKS_MODEL_SERVING", "databricks-model-serving"},
      {"MOCK", "mock"},  // ours (decisions.md "Additions")
      // The OpenAI-compatible family (docs/providers.md).
      {"OPENAI_COMPATIBLE", "openai-compatible"},
      {"OLLAMA", "ollama"},
      {"GROQ", "groq"},
      {"DEEPSEEK", "deepseek"},
      {"XAI", "xai"},
      {"OPENROUTER", "openrouter"},
      {"FIREWORKS", "fireworks"},
  };
  std::string key(name);
  for (char& c : key) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  for (const auto& [member, value] : kProviders) {
    if (key == member) return std::string(value);
  }
  return std::nullopt;
}

namespace {



// ---- messages (MLflow's texts verbatim where MLflow has one) ------------------------------

constexpr std::string_view kFieldRequired = "Field required";
constexpr std::string_view kNotString = "Input should be a valid string";
constexpr std::string_view kNotInt = "Input should be a valid integer";
constexpr std::string_view kNotList = "Input should be a valid list";
constexpr std::string_view kNotDict = "Input should be a valid dictionary";
constexpr std::string_view kInvalid = "The gateway configuration is invalid: ";
constexpr std::string_view kBadTopLevel =
    "The gateway configuration is invalid: the top level must be a mapping with an 'endpoints' "
    "list";
constexpr std::string_view kBadName =
    "The route name provided contains disallowed characters for a url endpoint. '{}' is "
    "invalid. Names cannot contain spaces or any non alphanumeric characters other than hyphen "
    "and underscore.";
constexpr std::string_view kKeyNotString =
    "The api key provided is not a string. Please provide either an environment variable key, a "
    "path to a file containing the api key, or the api key itself";
constexpr std::string_view kBadLimit =  // sic: MLflow's text has no spaces after the periods
    "Failed to parse the rate limit configuration.Please make sure limit.calls is a positive "
    "number andlimit.renewal_period is a right granularity";
constexpr std::string_view kDuplicateName =
    "Duplicate names found in endpoint / route configurations. Please remove the duplicate "
    "endpoint / route name from the configuration to ensure that endpoints / routes are created "
    "properly.";
constexpr std::string_view kDefaultOpenAIBase = "https://api.openai.com/v1";

// Substitutes the single "{}" of a message template.
std::string fill(std::string_view tmpl, std::string_view value) {
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

Pos pos_of(const YAML::Mark& m) {
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

Pos pos_of(const Entry& e) {
  return e.value.IsNull() ? pos_of(e.key.Mark()) : pos_of(e.value.Mark());
}

std::string key_text(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : "?"; }

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string indexed(std::string_view path, std::size_t i) {
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
std::optional<std::int64_t> to_int(const std::string& s) {
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return out;
}

// `[\w\-\.]+` fully matched. Python's `\w` is Unicode-aware; treating every non-ASCII byte as a
// word character accepts the same UTF-8 names without a Unicode table.
bool valid_endpoint_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x80 || std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

bool read_whole_file(const std::string& path, std::string& out, int& err) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      ::close(fd);
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

// ---- the loader ---------------------------------------------------------------------------

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

class Loader {
 public:
  explicit Loader(const EnvLookup& env) : env_(env) {}
  LoadResult run(std::string_view yaml);

 private:
  void error(std::string path, Pos pos, std::string_view message) {
    result_.errors.push_back({std::move(path), pos.line, pos.column, std::string(message)});
  }
  void warn(std::string path, Pos pos, std::string_view message) {
    result_.warnings.push_back({std::move(path), pos.line, pos.column, std::string(message)});
  }

  void parse_document(const YAML::Node& root);
  void parse_endpoint(const YAML::Node& node, const std::string& path);
  std::optional<EndpointType> parse_endpoint_type_field(const YAML::Node& node,
                                                        const std::string& path, Pos here);
  void parse_model(const Field<YAML::Node>& model, ModelConfig& out);
  std::optional<OpenAISettings> parse_openai(const YAML::Node& config, const std::string& path,
                                             Pos here);
  MockSettings parse_mock(const std::optional<Entry>& config, const std::string& path);
  // The shared part of every API-key field: resolved (spec §2.4) into `out`, or reported at
  // `key_path` without the value.
  void parse_api_key(const Entry& key, const std::string& key_path, Secret& out);
  // An upstream base URL: kept in `out` and checked with the client's own URL parser.
  void parse_api_base(const Field<std::string>& base, std::string& out);
  // A value that becomes part of an upstream request line: a space or control character
  // (CR, LF, NUL, tab, DEL, ...) is an error naming `what`.
  void reject_unsafe_for_url(const Field<std::string>& value, std::string_view what) {
    for (unsigned char c : value.value) {
      if (c <= 0x20 || c == 0x7f) {
        error(value.path, value.pos,
              std::string(what) + " contains a space or control character (" +
                  (c == '\r' ? "CR" : c == '\n' ? "LF" : c == ' ' ? "space" : "byte " + std::to_string(c)) +
                  "), which cannot be sent in an upstream request line");
        return;
      }
    }
  }
  std::optional<OpenAISettings> parse_compatible(const CompatiblePreset& preset,
                                                 const YAML::Node& config, const std::string& path,
                                                 Pos here);
  std::optional<HttpProviderSettings> parse_http_provider(const HttpProviderFields& fields,
                                                          const YAML::Node& config,
                                                          const std::string& path, Pos here);
  std::optional<BedrockSettings> parse_bedrock(const YAML::Node& config, const std::string& path,
                                               Pos here);
  std::optional<LimitConfig> parse_limit_block(const Field<YAML::Node>& limit);
  void parse_route(const YAML::Node& node, const std::string& path);
  DestinationFacts parse_destination(const YAML::Node& node, const std::string& path);
  void check_duplicate_names();
  void check_routes();

  // Map access. `find` takes the last occurrence of a key, like PyYAML does.
  static std::optional<Entry> find(const YAML::Node& map, std::string_view key);
  void check_keys(const YAML::Node& map, const std::string& path,
                  std::initializer_list<std::string_view> known) {
    check_keys(map, path, std::vector<std::string_view>(known));
  }
  void check_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string_view>& known);
  std::optional<Field<std::string>> get_string(const YAML::Node& map, std::string_view key,
                                               const std::string& path, Pos here, bool required);
  std::optional<Field<std::int64_t>> get_int(const YAML::Node& map, std::string_view key,
                                             const std::string& path, Pos here, bool required);
  std::optional<Field<YAML::Node>> get_node(const YAML::Node& map, std::string_view key,
                                            const std::string& path, Pos here, bool required,
                                            YAML::NodeType::value type);

  const EnvLookup& env_;
  LoadResult result_;
  GatewayConfig config_;
  std::size_t endpoint_entries_ = 0;
  std::vector<Field<std::string>> names_;  // every endpoint and route name, for duplicates
  // Endpoint name -> its type (nullopt when the type itself was invalid); first one wins.
  std::map<std::string, std::optional<EndpointType>> endpoint_types_;
  std::vector<RouteFacts> routes_;
};

std::optional<Entry> Loader::find(const YAML::Node& map, std::string_view key) {
  std::optional<Entry> found;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) found = Entry{it->first, it->second};
  }
  return found;
}

void Loader::check_keys(const YAML::Node& map, const std::string& path,
                        const std::vector<std::string_view>& known) {
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = key_text(it->first);
    const Pos pos = pos_of(it->first.Mark());
    if (!seen.insert(key).second) {
      warn(join(path, key), pos, "duplicate key '" + key + "' (the last value is used)");
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      warn(join(path, key), pos, "unknown key '" + key + "' (ignored)");
    }
  }
}

std::optional<Field<std::string>> Loader::get_string(const YAML::Node& map, std::string_view key,
                                                     const std::string& path, Pos here,
                                                     bool required) {
  const std::string p = join(path, key);
  const auto e = find(map, key);
  if (!e) {
    if (required) error(p, here, kFieldRequired);
    return std::nullopt;
  }
  // An optional field written as `key:` or `key: null` is simply absent (pydantic's None).
  if (!required && e->value.IsNull()) return std::nullopt;
  if (!e->value.IsScalar()) {
    error(p, pos_of(*e), kNotString);
    return std::nullopt;
  }
  return Field<std::string>{e->value.Scalar(), p, pos_of(*e)};
}

std::optional<Field<std::int64_t>> Loader::get_int(const YAML::Node& map, std::string_view key,
                                                   const std::string& path, Pos here,
                                                   bool required) {
  const std::string p = join(path, key);
  const auto e = find(map, key);
  if (!e) {
    if (required) error(p, here, kFieldRequired);
    return std::nullopt;
  }
  if (!required && e->value.IsNull()) return std::nullopt;
  const auto v = e->value.IsScalar() ? to_int(e->value.Scalar()) : std::nullopt;
  if (!v) {
    error(p, pos_of(*e), kNotInt);
    return std::nullopt;
  }
  return Field<std::int64_t>{*v, p, pos_of(*e)};
}

std::optional<Field<YAML::Node>> Loader::get_node(const YAML::Node& map, std::string_view key,
                                                  const std::string& path, Pos here, bool required,
                                                  YAML::NodeType::value type) {
  const std::string p = join(path, key);
  const auto e = find(map, key);
  if (!e) {
    if (required) error(p, here, kFieldRequired);
    return std::nullopt;
  }
  if (!required && e->value.IsNull()) return std::nullopt;
  if (e->value.Type() != type) {
    error(p, pos_of(*e), type == YAML::NodeType::Map ? kNotDict : kNotList);
    return std::nullopt;
  }
  return Field<YAML::Node>{e->value, p, pos_of(*e)};
}

LoadResult Loader::run(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    error("", pos_of(e.mark), "The file is not a valid yaml file: " + e.msg);
    return std::move(result_);
  }
  try {
    parse_document(root);
  } catch (const YAML::Exception& e) {
    // Backstop: the walk only uses non-throwing accessors, but a config error must never
    // escape as an exception from a function whose contract is "report issues".
    error("", pos_of(e.mark), std::string(kInvalid) + e.msg);
  }
  if (result_.errors.empty()) result_.config = std::move(config_);
  return std::move(result_);
}

void Loader::parse_document(const YAML::Node& root) {
  if (!root.IsMap()) {
    error("", pos_of(root.Mark()), kBadTopLevel);
    return;
  }
  const Pos here = pos_of(root.Mark());
  check_keys(root, "", {"endpoints", "routes"});
  const auto endpoints = find(root, "endpoints");
  auto routes = find(root, "routes");
  if (routes && routes->value.IsNull()) routes.reset();  // `routes:` left empty = no routes
  if (routes && !routes->value.IsSequence()) {
    error("routes", pos_of(*routes), std::string(kInvalid) + "'routes' must be a list");
  }
  if (endpoints) {
    // MLflow 3.x layout: `endpoints` are endpoints, `routes` are traffic routes.
    if (!endpoints->value.IsSequence()) {
      error("endpoints", pos_of(*endpoints), std::string(kInvalid) + "'endpoints' must be a list");
    } else {
      for (std::size_t i = 0; i < endpoints->value.size(); ++i) {
        parse_endpoint(endpoints->value[i], indexed("endpoints", i));
      }
    }
    if (routes && routes->value.IsSequence()) {
      for (std::size_t i = 0; i < routes->value.size(); ++i) {
        parse_route(routes->value[i], indexed("routes", i));
      }
    }
  } else {
    // MLflow 2.x layout: `routes` held the endpoints. An entry with `model` is an endpoint; one
    // that looks like a traffic route is one; anything else is reported as an endpoint, which
    // is what a 2.x author meant.
    if (routes && routes->value.IsSequence()) {
      for (std::size_t i = 0; i < routes->value.size(); ++i) {
        const YAML::Node entry = routes->value[i];
        const bool traffic = entry.IsMap() && !find(entry, "model") &&
                             (find(entry, "destinations") || find(entry, "task_type"));
        if (traffic) {
          parse_route(entry, indexed("routes", i));
        } else {
          parse_endpoint(entry, indexed("routes", i));
        }
      }
    }
    if (endpoint_entries_ == 0) error("", here, std::string(kInvalid) + "'endpoints' is required");
  }
  check_duplicate_names();
  check_routes();
}

void Loader::parse_endpoint(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) {
    error(path, pos_of(node.Mark()), kNotDict);
    return;
  }
  ++endpoint_entries_;
  const Pos here = pos_of(node.Mark());
  check_keys(node, path, {"name", "endpoint_type", "route_type", "model", "limit", "timeouts"});
  EndpointConfig ep;
  ep.line = here.line;
  const auto name = get_string(node, "name", path, here, true);
  if (name) {
    // Checked before the type, as in MLflow; the name is echoed (names are not secrets).
    if (!valid_endpoint_name(name->value))
      error(name->path, name->pos, fill(kBadName, name->value));
    ep.name = name->value;
    names_.push_back(*name);
  }
  const auto type = parse_endpoint_type_field(node, path, here);
  if (type) ep.type = *type;
  if (name) endpoint_types_.emplace(name->value, type);
  if (const auto model = get_node(node, "model", path, here, true, YAML::NodeType::Map)) {
    parse_model(*model, ep.model);
    // Unsupported provider x endpoint-type combinations fail at load (decisions.md).
    const ProviderCapabilities* caps = provider_capabilities(ep.model.provider);
    if (caps && type && !caps->serves(*type)) {
      std::string supported;
      for (EndpointType t :
           {EndpointType::Chat, EndpointType::Completions, EndpointType::Embeddings})
        if (caps->serves(t))
          supported += (supported.empty() ? "" : ", ") + std::string(to_string(t));
      error(join(model->path, "provider"), model->pos,
            "Endpoint '" + ep.name + "': provider '" + ep.model.provider + "' does not serve " +
                std::string(to_string(*type)) + " (supported: " + supported + ")");
    }
  }
  if (const auto limit = get_node(node, "limit", path, here, false, YAML::NodeType::Map)) {
    ep.limit = parse_limit_block(*limit);
  }
  if (const auto t = get_node(node, "timeouts", path, here, false, YAML::NodeType::Map)) {
    check_keys(t->value, t->path, {"connect", "total", "first_event", "idle"});
    auto seconds = [&](const char* key, std::optional<std::int64_t>& out) {
      const auto v = get_string(t->value, key, t->path, t->pos, false);
      if (!v) return;
      char* end = nullptr;
      const double d = std::strtod(v->value.c_str(), &end);
      if (v->value.empty() || end != v->value.c_str() + v->value.size() || !(d > 0) || d > 86400) {
        error(v->path, v->pos, "Input should be a number of seconds greater than 0 and at most 86400");
        return;
      }
      out = static_cast<std::int64_t>(d * 1000 + 0.5);
      if (*out == 0) out = 1;
    };
    seconds("connect", ep.timeouts.connect_ms);
    seconds("total", ep.timeouts.total_ms);
    seconds("first_event", ep.timeouts.first_event_ms);
    seconds("idle", ep.timeouts.idle_ms);
  }
  config_.endpoints.push_back(std::move(ep));
}

std::optional<EndpointType> Loader::parse_endpoint_type_field(const YAML::Node& node,
                                                              const std::string& path, Pos here) {
  // `route_type` is the MLflow 2.x spelling. MLflow 3.x rejects it; we accept it in both
  // layouts with a warning so that old files keep loading (decisions.md).
  const auto route_type = find(node, "route_type");
  if (route_type) {
    warn(join(path, "route_type"), pos_of(route_type->key.Mark()),
         "'route_type' is deprecated; use 'endpoint_type'");
  }
  const bool use_route_type = route_type && !find(node, "endpoint_type");
  const auto value =
      get_string(node, use_route_type ? "route_type" : "endpoint_type", path, here, true);
  if (!value) return std::nullopt;
  const auto type = parse_endpoint_type(value->value);
  if (!type)
    error(value->path, value->pos, "The route_type '" + value->value + "' is not supported.");
  return type;
}

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
  const auto canonical = canonical_provider(provider->value);
  if (!canonical) {
    error(provider->path, provider->pos,
          "The provider '" + provider->value + "' is not supported.");
    return;
  }
  out.provider = *canonical;
  const CompatiblePreset* preset = compatible_preset(*canonical);
  if (!provider_capabilities(*canonical)) {
    std::string supported;
    for (const auto& c : all_provider_capabilities())
      supported += (supported.empty() ? "" : ", ") + std::string(c.provider);
    error(provider->path, provider->pos,
          "The provider '" + *canonical + "' is not supported yet by this gateway (supported: " +
              supported + ").");
    return;
  }
  const std::string config_path = join(model.path, "config");
  const auto config = find(m, "config");
  if (*canonical == "mock") {
    out.settings = parse_mock(config, config_path);
    return;
  }
  if (preset && !preset->key_required && (!config || config->value.IsNull())) {
    // A keyless server with a default base (ollama) needs no config at all.
    if (auto settings = parse_compatible(*preset, YAML::Node(YAML::NodeType::Map), config_path,
                                         model.pos)) {
      out.settings = std::move(*settings);
    }
    return;
  }
  if (!config || config->value.IsNull()) {
    error(config_path, config ? pos_of(*config) : model.pos,
          "A config must be supplied when setting a provider. The provider entry for " +
              provider->value + " is incorrect.");
    return;
  }
  if (!config->value.IsMap()) {
    error(config_path, pos_of(*config), kNotDict);
    return;
  }
  if (const HttpProviderFields* fields = http_provider_fields(*canonical)) {
    if (auto settings = parse_http_provider(*fields, config->value, config_path, pos_of(*config)))
      out.settings = std::move(*settings);
    return;
  }
  if (*canonical == "bedrock" || *canonical == "amazon-bedrock") {
    if (auto settings = parse_bedrock(config->value, config_path, pos_of(*config)))
      out.settings = std::move(*settings);
    return;
  }
  auto settings = preset ? parse_compatible(*preset, config->value, config_path, pos_of(*config))
                         : parse_openai(config->value, config_path, pos_of(*config));
  if (settings) out.settings = std::move(*settings);
}

std::optional<HttpProviderSettings> Loader::parse_http_provider(const HttpProviderFields& f,
                                                                const YAML::Node& config,
                                                                const std::string& path,
                                                                Pos here) {
  std::vector<std::string_view> known = {f.base_field};
  if (!f.key_field.empty()) known.push_back(f.key_field);
  const bool anthropic = f.provider == "anthropic";
  if (anthropic) known.push_back("anthropic_version");
  check_keys(config, path, known);
  const std::size_t errors_before = result_.errors.size();
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
  if (result_.errors.size() != errors_before) return std::nullopt;
  return s;
}

std::optional<OpenAISettings> Loader::parse_compatible(const CompatiblePreset& p,
                                                       const YAML::Node& config,
                                                       const std::string& path, Pos here) {
  const std::string key_field(p.key_field), base_field(p.base_field);
  check_keys(config, path, {key_field, base_field, "api_key", "api_base"});
  const std::size_t errors_before = result_.errors.size();
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
  if (result_.errors.size() != errors_before) return std::nullopt;
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
  const std::size_t errors_before = result_.errors.size();
  OpenAISettings s;

  const std::string key_path = join(path, "openai_api_key");
  if (const auto key = find(config, "openai_api_key"); !key) {
    error(key_path, here, kFieldRequired);
  } else {
    parse_api_key(*key, key_path, s.api_key);
  }

  bool type_ok = true;
  const std::size_t before_type = result_.errors.size();
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
  type_ok = type_ok && result_.errors.size() == before_type;

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

  // The cross-field rules only make sense once the type is known.
  if (type_ok && s.api_type == OpenAIApiType::OpenAI) {
    if (deployment) {
      error(path, here,
            "OpenAI route configuration can only specify a value for 'openai_deployment_name' "
            "if 'openai_api_type' is 'azure' or 'azuread'. Found type: 'openai'");
    }
    if (!base) s.api_base = std::string(kDefaultOpenAIBase);
  } else if (type_ok) {
    if (organization) {
      error(path, here,
            "OpenAI route configuration can only specify a value for 'openai_organization' if "
            "'openai_api_type' is 'openai'");
    }
    if (!base || !deployment || !version) {
      error(path, here,
            "OpenAI route configuration must specify 'openai_api_base', "
            "'openai_deployment_name', and 'openai_api_version' if 'openai_api_type' is 'azure' "
            "or 'azuread'.");
    }
  }
  if (result_.errors.size() != errors_before) return std::nullopt;
  return s;
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

namespace {

std::string trim_ini(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
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

std::optional<BedrockSettings> Loader::parse_bedrock(const YAML::Node& config,
                                                     const std::string& path, Pos here) {
  check_keys(config, path, {"aws_config", "aws_endpoint_url"});
  const std::size_t errors_before = result_.errors.size();
  const auto aws = get_node(config, "aws_config", path, here, true, YAML::NodeType::Map);
  if (!aws) return std::nullopt;
  const YAML::Node& a = aws->value;
  check_keys(a, aws->path,
             {"aws_region", "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
              "aws_role_arn", "session_length_seconds", "aws_endpoint_url",
              "aws_sts_endpoint_url"});
  BedrockSettings s;
  auto env = [&](const char* name) -> std::string {
    auto v = env_ ? env_(name) : std::nullopt;
    return v ? *v : std::string();
  };
  if (const auto region = get_string(a, "aws_region", aws->path, aws->pos, false)) {
    s.region = region->value;
  } else {
    s.region = env("AWS_REGION");
    if (s.region.empty()) s.region = env("AWS_DEFAULT_REGION");
  }
  const bool region_ok = !s.region.empty() && std::all_of(s.region.begin(), s.region.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!region_ok)
    error(join(aws->path, "aws_region"), aws->pos,
          s.region.empty() ? "No AWS region: set aws_region, AWS_REGION or AWS_DEFAULT_REGION"
                           : "Invalid AWS region '" + s.region + "'");

  // Static keys: $ENV, a file or a literal, like the *_api_key fields (an addition: AWS keys
  // never start with '$').
  auto key = [&](const char* name, Secret& out) {
    if (const auto e = find(a, name); e && !e->value.IsNull()) {
      parse_api_key(*e, join(aws->path, name), out);
      return true;
    }
    return false;
  };
  const bool has_id = key("aws_access_key_id", s.access_key_id);
  const bool has_secret = key("aws_secret_access_key", s.secret_access_key);
  key("aws_session_token", s.session_token);
  if (has_id != has_secret) {
    error(aws->path, aws->pos,
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
    std::string text;
    int err = 0;
    if (!file.empty() && read_whole_file(file, text, err)) {
      auto p = read_aws_profile(text, profile);
      if (!p["aws_access_key_id"].empty() && !p["aws_secret_access_key"].empty()) {
        s.access_key_id = Secret(p["aws_access_key_id"]);
        s.secret_access_key = Secret(p["aws_secret_access_key"]);
        s.session_token = Secret(p["aws_session_token"]);
        s.credentials_source = file + " [" + profile + "]";
      }
    }
    if (s.credentials_source.empty())
      error(aws->path, aws->pos,
            "No AWS credentials: set aws_access_key_id and aws_secret_access_key, the "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, or a shared "
            "credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials)");
  }
  for (const Secret* sec : {&s.access_key_id, &s.secret_access_key, &s.session_token})
    if (sec->reveal().find_first_of("\r\n") != std::string::npos)
      error(aws->path, aws->pos, "An AWS credential contains a line break");

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
  auto url = [&](const YAML::Node& map, const std::string& map_path, Pos map_pos,
                 const char* name, std::string& out) {
    if (const auto u = get_string(map, name, map_path, map_pos, false)) parse_api_base(*u, out);
  };
  url(config, path, here, "aws_endpoint_url", s.endpoint_url);
  url(a, aws->path, aws->pos, "aws_endpoint_url", s.endpoint_url);
  url(a, aws->path, aws->pos, "aws_sts_endpoint_url", s.sts_endpoint_url);
  if (s.endpoint_url.empty()) s.endpoint_url = "https://bedrock-runtime." + s.region + ".amazonaws.com";
  if (s.sts_endpoint_url.empty()) s.sts_endpoint_url = "https://sts." + s.region + ".amazonaws.com";
  if (result_.errors.size() != errors_before) return std::nullopt;
  return s;
}

std::optional<LimitConfig> Loader::parse_limit_block(const Field<YAML::Node>& limit) {
  const YAML::Node& l = limit.value;
  check_keys(l, limit.path, {"calls", "renewal_period", "key"});
  const auto calls = get_int(l, "calls", limit.path, limit.pos, true);
  const auto period = get_string(l, "renewal_period", limit.path, limit.pos, true);
  const auto key = get_string(l, "key", limit.path, limit.pos, false);
  if (!calls || !period) return std::nullopt;
  auto parsed = parse_limit(calls->value, period->value);
  if (!parsed) {
    error(limit.path, limit.pos, kBadLimit);
    return std::nullopt;
  }
  // Accepted and echoed back by the API, but not used for enforcement (spec §2.3).
  if (key) parsed->key = key->value;
  return parsed;
}

void Loader::parse_route(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) {
    error(path, pos_of(node.Mark()), kNotDict);
    return;
  }
  const Pos here = pos_of(node.Mark());
  check_keys(node, path, {"name", "task_type", "destinations", "routing_strategy"});
  TrafficRoute route;
  route.line = here.line;
  RouteFacts facts;
  facts.path = path;
  facts.pos = here;
  // Route names are not pattern-checked (MLflow only checks endpoint names).
  if (const auto name = get_string(node, "name", path, here, true)) {
    route.name = name->value;
    facts.name = name->value;
    names_.push_back(*name);
  }
  if (const auto task = get_string(node, "task_type", path, here, true)) {
    facts.task_type = parse_endpoint_type(task->value);
    if (facts.task_type) {
      route.task_type = *facts.task_type;
    } else {
      error(task->path, task->pos, "The route_type '" + task->value + "' is not supported.");
    }
  }
  if (const auto dests =
          get_node(node, "destinations", path, here, true, YAML::NodeType::Sequence)) {
    facts.destinations.emplace();
    for (std::size_t i = 0; i < dests->value.size(); ++i) {
      DestinationFacts d = parse_destination(dests->value[i], indexed(dests->path, i));
      if (d.name && d.percentage) {
        // Out-of-range values are reported by check_routes(), and then no config is returned.
        route.destinations.push_back({d.name->value, static_cast<int>(d.percentage->value)});
      }
      facts.destinations->push_back(std::move(d));
    }
  }
  if (const auto strategy = get_string(node, "routing_strategy", path, here, false)) {
    if (strategy->value != "TRAFFIC_SPLIT") {
      error(strategy->path, strategy->pos,
            "The routing strategy '" + strategy->value +
                "' is not supported. Supported: "
                "TRAFFIC_SPLIT");
    }
    route.routing_strategy = strategy->value;
  }
  config_.routes.push_back(std::move(route));
  routes_.push_back(std::move(facts));
}

DestinationFacts Loader::parse_destination(const YAML::Node& node, const std::string& path) {
  DestinationFacts d;
  if (!node.IsMap()) {
    error(path, pos_of(node.Mark()), kNotDict);
    return d;
  }
  const Pos here = pos_of(node.Mark());
  check_keys(node, path, {"name", "traffic_percentage"});
  d.name = get_string(node, "name", path, here, true);
  d.percentage = get_int(node, "traffic_percentage", path, here, true);
  return d;
}

void Loader::check_duplicate_names() {
  // "Later" means later in the file, whichever list the names are in.
  std::stable_sort(names_.begin(), names_.end(), [](const auto& a, const auto& b) {
    return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
  });
  std::set<std::string> seen;
  for (const auto& name : names_) {
    if (!seen.insert(name.value).second) error(name.path, name.pos, kDuplicateName);
  }
}

void Loader::check_routes() {
  // MLflow's order (spec §2.2 step 3): per destination, name, then type, then percentage; the
  // sum last. Facts that were already reported as invalid are skipped rather than re-reported.
  for (const RouteFacts& route : routes_) {
    if (!route.name || !route.destinations) continue;
    const std::string& rname = *route.name;
    std::int64_t sum = 0;
    bool sum_known = true;
    for (const DestinationFacts& d : *route.destinations) {
      if (d.name) {
        const auto it = endpoint_types_.find(d.name->value);
        if (it == endpoint_types_.end()) {
          error(d.name->path, d.name->pos,
                "The route destination name must be a endpoint name, but the route '" + rname +
                    "' has an invalid destination name '" + d.name->value + "'.");
        } else if (route.task_type && it->second && *it->second != *route.task_type) {
          error(d.name->path, d.name->pos,
                "The route destination endpoint types in the route '" + rname +
                    "' must have endpoint type '" + std::string(to_string(*route.task_type)) +
                    "' but got endpoint type '" + std::string(to_string(*it->second)) + "'.");
        }
      }
      if (!d.percentage) {
        sum_known = false;
        continue;
      }
      const std::int64_t pct = d.percentage->value;
      if (pct < 0 || pct > 100) {
        error(d.percentage->path, d.percentage->pos,
              "The route destination traffic percentage must between 0 and 100.");
        sum_known = false;  // also keeps the sum far from overflow
        continue;
      }
      sum += pct;
    }
    if (sum_known && sum != 100) {
      error(route.path, route.pos,
            "For each route configuration, the traffic percentage sum of destinations must be "
            "100, but got invalid configuration of route '" +
                rname + "'.");
    }
  }
}

}  // namespace

// ---- entry points -------------------------------------------------------------------------

LoadResult load_config_string(std::string_view yaml, const EnvLookup& env) {
  return Loader(env).run(yaml);
}

LoadResult load_config_file(const std::string& path, const EnvLookup& env) {
  LoadResult result;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    result.errors.push_back({"", 0, 0, path + " does not exist"});
    return result;
  }
  std::string text;
  int err = 0;
  if (!read_whole_file(path, text, err)) {
    result.errors.push_back({"", 0, 0, path + " could not be read: " + std::strerror(err)});
    return result;
  }
  return load_config_string(text, env);
}

}  // namespace gw::config
