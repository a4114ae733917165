// The resilience keys of an endpoint (docs/resilience.md, docs/configuration.md): `retries`,
// `circuit_breaker`, `fallbacks` and `proxy`. Values are range-checked where they are read;
// fallbacks are checked once every endpoint is known (they may name a later one).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "config/loader.h"
#include "config/proxy.h"

namespace gw::config::detail {
namespace {

constexpr int kMaxAttempts = 10;
constexpr std::size_t kMaxFallbacks = 10;

}  // namespace

std::optional<std::int64_t> Loader::read_seconds(const YAML::Node& map, const char* key,
                                                 const std::string& path, Pos here, double max) {
  const auto v = get_string(map, key, path, here, false);
  if (!v) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(v->value.c_str(), &end);
  if (v->value.empty() || end != v->value.c_str() + v->value.size() || !(d > 0) || d > max) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", max);
    error(v->path, v->pos,
          std::string("Input should be a number of seconds greater than 0 and at most ") + limit);
    return std::nullopt;
  }
  const auto ms = static_cast<std::int64_t>(d * 1000 + 0.5);
  return std::max<std::int64_t>(ms, 1);
}

void Loader::parse_retries(const Field<YAML::Node>& r, RetryConfig& out) {
  check_keys(r.value, r.path, {"max_attempts", "backoff", "retry_on"});
  if (const auto n = get_int(r.value, "max_attempts", r.path, r.pos, false)) {
    if (n->value < 1 || n->value > kMaxAttempts) {
      error(n->path, n->pos,
            "retries.max_attempts must be from 1 to " + std::to_string(kMaxAttempts) +
                " (total tries, including the first), got " + std::to_string(n->value));
    } else {
      out.max_attempts = static_cast<int>(n->value);
    }
  }
  if (const auto b = get_node(r.value, "backoff", r.path, r.pos, false, YAML::NodeType::Map)) {
    check_keys(b->value, b->path, {"initial", "max"});
    const auto initial = read_seconds(b->value, "initial", b->path, b->pos, 300);
    const auto max = read_seconds(b->value, "max", b->path, b->pos, 300);
    if (initial) out.backoff_initial_ms = *initial;
    if (max) out.backoff_max_ms = *max;
    if (out.backoff_initial_ms > out.backoff_max_ms) {
      error(b->path, b->pos,
            "retries.backoff.initial must not be greater than retries.backoff.max (the defaults "
            "are 0.1 and 2 seconds)");
    }
  }
  if (const auto list =
          get_node(r.value, "retry_on", r.path, r.pos, false, YAML::NodeType::Sequence)) {
    parse_retry_on(*list, out);
  }
}

void Loader::parse_retry_on(const Field<YAML::Node>& list, RetryConfig& out) {
  out.retry_on_status.clear();
  out.retry_on_connect = false;
  out.retry_on_timeout = false;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const YAML::Node item = list.value[i];
    const std::string path = indexed(list.path, i);
    const Pos pos = pos_of(item.Mark());
    const std::string text = item.IsScalar() ? item.Scalar() : "";
    const auto status = to_int(text);
    if (!seen.insert(text).second) {
      warn(path, pos, "'" + text + "' is listed twice in retry_on");
    } else if (text == "connect") {
      out.retry_on_connect = true;
    } else if (text == "timeout") {
      out.retry_on_timeout = true;
    } else if (status && *status >= 400 && *status <= 599) {
      out.retry_on_status.push_back(static_cast<int>(*status));
    } else {
      error(path, pos,
            "retry_on entries must be 'connect', 'timeout' or an HTTP status from 400 to 599, "
            "got '" +
                (item.IsScalar() ? text : std::string("a ") + (item.IsMap() ? "mapping" : "list")) +
                "'");
    }
  }
}

void Loader::parse_breaker(const Field<YAML::Node>& b, BreakerConfig& out) {
  check_keys(b.value, b.path, {"failures", "cooldown"});
  if (const auto n = get_int(b.value, "failures", b.path, b.pos, false)) {
    if (n->value < 1 || n->value > 1000) {
      error(n->path, n->pos,
            "circuit_breaker.failures must be from 1 to 1000 (consecutive retryable failures), "
            "got " +
                std::to_string(n->value));
    } else {
      out.failures = static_cast<int>(n->value);
    }
  }
  if (const auto ms = read_seconds(b.value, "cooldown", b.path, b.pos, 86400))
    out.cooldown_ms = *ms;
}

void Loader::parse_fallbacks(const Field<YAML::Node>& list, EndpointConfig& ep) {
  if (list.value.size() > kMaxFallbacks) {
    error(list.path, list.pos,
          "fallbacks may list at most " + std::to_string(kMaxFallbacks) + " endpoints, got " +
              std::to_string(list.value.size()));
    return;
  }
  FallbackFacts facts{ep.name, ep.type, {}};
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const YAML::Node item = list.value[i];
    const std::string path = indexed(list.path, i);
    if (!item.IsScalar() || item.Scalar().empty()) {
      error(path, pos_of(item.Mark()), "fallbacks entries must be endpoint names");
      continue;
    }
    ep.fallbacks.push_back(item.Scalar());
    facts.entries.push_back({item.Scalar(), path, pos_of(item.Mark())});
  }
  fallbacks_.push_back(std::move(facts));
}

void Loader::parse_proxy(const YAML::Node& node, const std::string& path, Pos here,
                         EndpointConfig& ep) {
  const auto proxy = get_string(node, "proxy", path, here, false);
  if (!proxy) return;
  const std::string why = check_proxy_setting(proxy->value);
  if (!why.empty()) {
    error(proxy->path, proxy->pos, why);
    return;
  }
  ep.proxy = proxy->value;
}

// A fallback endpoint's own fallbacks are not followed at run time, but a cycle is still
// refused: it is almost always a mistake, and the chain of each endpoint stays readable.
bool Loader::reaches(const std::string& from, const std::string& to,
                     std::set<std::string>& visited) const {
  if (from == to) return true;
  if (!visited.insert(from).second) return false;
  for (const FallbackFacts& f : fallbacks_) {
    if (f.endpoint != from) continue;
    for (const auto& e : f.entries)
      if (reaches(e.value, to, visited)) return true;
  }
  return false;
}

void Loader::check_fallback_entry(const FallbackFacts& f, const Field<std::string>& e,
                                  std::set<std::string>& seen) {
  const auto it = endpoint_types_.find(e.value);
  const bool is_route = std::any_of(routes_.begin(), routes_.end(),
                                    [&](const RouteFacts& r) { return r.name == e.value; });
  if (e.value == f.endpoint) {
    error(e.path, e.pos, "Endpoint '" + f.endpoint + "' cannot fall back to itself");
  } else if (!seen.insert(e.value).second) {
    error(e.path, e.pos, "Fallback '" + e.value + "' is listed twice");
  } else if (it == endpoint_types_.end()) {
    error(e.path, e.pos,
          is_route ? "Fallback '" + e.value + "' is a traffic route; fallbacks must name endpoints"
                   : "Fallback '" + e.value + "' is not an endpoint of this file");
  } else if (it->second && *it->second != f.type) {
    error(e.path, e.pos,
          "Fallback '" + e.value + "' has endpoint type '" + std::string(to_string(*it->second)) +
              "', but endpoint '" + f.endpoint + "' has '" + std::string(to_string(f.type)) + "'");
  } else if (std::set<std::string> visited; reaches(e.value, f.endpoint, visited)) {
    error(e.path, e.pos,
          "Fallbacks form a cycle: '" + f.endpoint + "' falls back to '" + e.value +
              "', which falls back (directly or not) to '" + f.endpoint + "'");
  }
}

void Loader::check_fallbacks() {
  for (const FallbackFacts& f : fallbacks_) {
    std::set<std::string> seen;
    for (const auto& e : f.entries) check_fallback_entry(f, e, seen);
  }
}

}  // namespace gw::config::detail
