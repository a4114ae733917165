// The config document (docs/architecture.md, "Config loading"): the public entry points, the
// walk over endpoints, limits and traffic routes, and the cross checks that need every entry
// (duplicate names, route destinations). MLflow's behaviour these follow:
// docs/mlflow-compatibility.md §2; where this loader deliberately differs (warnings for unknown
// keys, every error at once, route_type accepted): docs/deviations.md.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "config/file_reader.h"
#include "config/loader.h"
#include "config/suggest.h"

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

namespace detail {

// MLflow's text, then the values that are valid (and the nearest, for a typo).
std::string unsupported_type(const std::string& written) {
  static constexpr std::string_view kTypes[] = {"llm/v1/chat", "llm/v1/completions",
                                                "llm/v1/embeddings"};
  return "The route_type '" + written + "' is not supported. Valid values: " + join_words(kTypes) +
         "." + did_you_mean(written, kTypes);
}

// null, "global" or "header:<token>" (any case), as the runtime reads them.
bool valid_limit_key(std::string_view key) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  auto starts = [&](std::string_view word) {
    if (key.size() < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if (lower(key[i]) != word[i]) return false;
    return true;
  };
  if (key.size() == 6 && starts("global")) return true;
  if (!starts("header:") || key.size() == 7) return false;
  // An HTTP field name is a token (RFC 9110 §5.1).
  return std::all_of(key.begin() + 7, key.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
  });
}

bool valid_endpoint_name(std::string_view name) {
  // Python's `\w` is Unicode-aware; treating every non-ASCII byte as a word character accepts
  // the same UTF-8 names without a Unicode table.
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x80 || std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
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
  check_keys(root, "", {"endpoints", "routes", "auth", "budgets"});
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
  check_fallbacks();
  parse_access(root);  // last: a key's `endpoints` names endpoints and routes
}

void Loader::parse_endpoint(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) {
    error(path, pos_of(node.Mark()), kNotDict);
    return;
  }
  ++endpoint_entries_;
  const Pos here = pos_of(node.Mark());
  check_keys(node, path,
             {"name", "endpoint_type", "route_type", "model", "limit", "timeouts", "retries",
              "fallbacks", "circuit_breaker", "proxy", "tokens", "cost", "budget"});
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
    // An invalid type is reported already; the model rules apply to a type the provider serves.
    if (type && check_provider_serves(ep, *model)) check_model_rules(ep, *model);
  }
  if (const auto limit = get_node(node, "limit", path, here, false, YAML::NodeType::Map)) {
    ep.limit = parse_limit_block(*limit);
  }
  if (const auto t = get_node(node, "timeouts", path, here, false, YAML::NodeType::Map))
    parse_timeouts(*t, ep.timeouts);
  parse_resilience(node, path, here, ep);
  parse_endpoint_spend(node, path, here, ep);
  config_.endpoints.push_back(std::move(ep));
}

std::optional<EndpointType> Loader::parse_endpoint_type_field(const YAML::Node& node,
                                                              const std::string& path, Pos here) {
  // `route_type` is the MLflow 2.x spelling. MLflow 3.x rejects it; we accept it in both
  // layouts with a warning so that old files keep loading (docs/deviations.md).
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
  if (!type) error(value->path, value->pos, unsupported_type(value->value));
  return type;
}

bool Loader::check_provider_serves(const EndpointConfig& ep, const Field<YAML::Node>& model) {
  const ProviderCapabilities* caps = provider_capabilities(ep.model.provider);
  if (!caps || caps->serves(ep.type)) return true;
  std::string supported;
  for (EndpointType t : {EndpointType::Chat, EndpointType::Completions, EndpointType::Embeddings})
    if (caps->serves(t)) supported += (supported.empty() ? "" : ", ") + std::string(to_string(t));
  error(join(model.path, "provider"), model.pos,
        "Endpoint '" + ep.name + "': provider '" + ep.model.provider + "' does not serve " +
            std::string(to_string(ep.type)) + " (supported: " + supported + ")");
  return false;
}

// MLflow's cross-field rules for two legacy providers (docs/mlflow-compatibility.md §2.3), with
// its texts. A missing model name reads 'None', as Python prints it.
void Loader::check_model_rules(const EndpointConfig& ep, const Field<YAML::Node>& model) {
  const std::string name = ep.model.name.value_or("None");
  const auto at = find(model.value, "name");
  const Pos pos = at ? pos_of(*at) : model.pos;
  const std::string path = join(model.path, "name");
  if (ep.model.provider == "ai21labs" && name != "j2-ultra" && name != "j2-mid" &&
      name != "j2-light") {
    error(path, pos,
          "An Unsupported AI21Labs model has been specified: '" + name +
              "'. Please see documentation for supported models.");
  }
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ep.model.provider == "mosaicml" && ep.type == EndpointType::Chat &&
      lower.rfind("llama2", 0) != 0) {
    error(path, pos,
          "An invalid model has been specified for the chat route. '" + name +
              "'. Ensure the model selected starts with one of: ['llama2']");
  }
}

void Loader::parse_timeouts(const Field<YAML::Node>& t, TimeoutConfig& out) {
  check_keys(t.value, t.path, {"connect", "total", "attempt", "first_event", "idle"});
  out.connect_ms = read_seconds(t.value, "connect", t.path, t.pos, 86400);
  out.total_ms = read_seconds(t.value, "total", t.path, t.pos, 86400);
  out.attempt_ms = read_seconds(t.value, "attempt", t.path, t.pos, 86400);
  if (out.attempt_ms && out.total_ms && *out.attempt_ms > *out.total_ms) {
    error(t.path, t.pos,
          "timeouts.attempt (one try) must not be greater than timeouts.total (the whole call, "
          "retries and fallbacks included)");
  }
  out.first_event_ms = read_seconds(t.value, "first_event", t.path, t.pos, 86400);
  out.idle_ms = read_seconds(t.value, "idle", t.path, t.pos, 86400);
}

void Loader::parse_resilience(const YAML::Node& node, const std::string& path, Pos here,
                              EndpointConfig& ep) {
  if (const auto r = get_node(node, "retries", path, here, false, YAML::NodeType::Map))
    parse_retries(*r, ep.retries);
  if (const auto f = get_node(node, "fallbacks", path, here, false, YAML::NodeType::Sequence))
    parse_fallbacks(*f, ep);
  if (const auto b = get_node(node, "circuit_breaker", path, here, false, YAML::NodeType::Map))
    parse_breaker(*b, ep.circuit_breaker.emplace());
  parse_proxy(node, path, here, ep);
}

std::optional<LimitConfig> Loader::parse_limit_block(const Field<YAML::Node>& limit, bool per_key) {
  const YAML::Node& l = limit.value;
  check_keys(l, limit.path, {"calls", "renewal_period", "key"});
  const auto calls = get_int(l, "calls", limit.path, limit.pos, true);
  const auto period = get_string(l, "renewal_period", limit.path, limit.pos, true);
  const auto key = get_string(l, "key", limit.path, limit.pos, false);
  // A client key's limit always counts that key's own calls (docs/access-and-budgets.md).
  if (key && per_key) {
    error(key->path, key->pos,
          "limit.key is not allowed in a client key's limit: it always counts that key's own "
          "calls (remove limit.key)");
  }
  if (!calls || !period) return std::nullopt;
  auto parsed = parse_limit(calls->value, period->value);
  if (!parsed) {
    // MLflow's run-together text first (tools search for it), then a readable sentence.
    const std::string why =
        calls->value < 0
            ? "limit.calls must be 0 or more, got " + std::to_string(calls->value) + "."
            : "limit.renewal_period must be second, minute, hour, day, month or year, "
              "optionally with a count of 1 or more before it and an 's' after it ('minute', '5 "
              "minutes', "
              "'1 hour'), got '" +
                  period->value + "'.";
    error(limit.path, limit.pos, std::string(kBadLimit) + ". " + why);
    return std::nullopt;
  }
  // MLflow accepts any string and ignores it; here it chooses whose calls share a counter
  // (docs/rate-limits.md, "Keys"), so a value that means nothing is an error, not a silent
  // per-address limit.
  if (key) {
    if (per_key) return std::nullopt;  // reported above
    if (!valid_limit_key(key->value)) {
      error(key->path, key->pos,
            "limit.key must be absent or null (one counter per client address), 'global' (one "
            "counter for all callers) or 'header:<Name>' (one counter per value of that request "
            "header, e.g. 'header:X-User'), got '" +
                key->value + "'");
      return std::nullopt;
    }
    parsed->key = key->value;
  }
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
      error(task->path, task->pos, unsupported_type(task->value));
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
  for (const RouteFacts& route : routes_)
    if (route.name && route.destinations) check_route(route);
}

void Loader::check_route(const RouteFacts& route) {
  // MLflow's order (docs/mlflow-compatibility.md §2.2): per destination, name, then type, then
  // percentage; the sum last. Facts already reported as invalid are skipped, not re-reported.
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

}  // namespace detail

// ---- entry points -------------------------------------------------------------------------

LoadResult load_config_string(std::string_view yaml, const EnvLookup& env) {
  return detail::Loader(env).run(yaml);
}

LoadResult load_config_file(const std::string& path, const EnvLookup& env) {
  LoadResult result;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    result.errors.push_back({"", 0, 0, path + " does not exist"});
    return result;
  }
  FileText file = read_file(path);
  if (!file.text) {
    result.errors.push_back({"", 0, 0, path + " could not be read: " + std::strerror(file.error)});
    return result;
  }
  return load_config_string(*file.text, env);
}

}  // namespace gw::config
