// The access and spend keys (docs/access-and-budgets.md, docs/configuration.md): `auth` and its
// client keys, the top-level `budgets`, and an endpoint's `tokens`, `cost` and `budget`. `auth`
// and `budgets` are parsed after every endpoint and route (a key's `endpoints` names them, and
// the budget warnings need every endpoint's cost).
//
// A client key is held only as its SHA-256 digest, and no message ever contains a key or a
// digest: messages name the key's `name` and YAML path instead.
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>

#include "config/loader.h"
#include "config/suggest.h"
#include "config/url.h"

namespace gw::config {

namespace {

constexpr MicroUsd kMicrosPerUsd = 1'000'000;
constexpr MicroUsd kMaxUsd = 1'000'000'000;  // per amount, in USD
constexpr std::size_t kMaxDecimals = 6;      // a micro-dollar

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<MicroUsd> parse_usd(std::string_view text) {
  // "<digits>[.<1 to 6 digits>]": no sign, exponent, spaces, or bare ".5" / "5.".
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view decimals =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || !all_digits(whole) || !all_digits(decimals)) return std::nullopt;
  if (dot != std::string_view::npos && (decimals.empty() || decimals.size() > kMaxDecimals))
    return std::nullopt;
  // Leading zeros aside, more than 10 digits is above the maximum (and would overflow below).
  std::string_view significant = whole;
  while (significant.size() > 1 && significant.front() == '0') significant.remove_prefix(1);
  if (significant.size() > 10) return std::nullopt;
  MicroUsd micros = 0;
  for (char c : significant) micros = micros * 10 + (c - '0');
  for (std::size_t i = 0; i < kMaxDecimals; ++i)
    micros = micros * 10 + (i < decimals.size() ? decimals[i] - '0' : 0);
  if (micros > kMaxUsd * kMicrosPerUsd) return std::nullopt;
  return micros;
}

std::array<unsigned char, 32> key_digest(std::string_view key) {
  // The algorithm is fetched once and each thread keeps one context: EVP_Digest with
  // EVP_sha256() looks the algorithm up and allocates a context on every call, which costs
  // more than hashing a key (every request with `auth` hashes one).
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                            EVP_MD_CTX_free);
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  if (sha256 && ctx && EVP_DigestInit_ex2(ctx.get(), sha256, nullptr) == 1 &&
      EVP_DigestUpdate(ctx.get(), key.data(), key.size()) == 1 &&
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1)
    return out;
  EVP_Digest(key.data(), key.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

namespace detail {
namespace {

constexpr std::int64_t kMaxTokens = 1'000'000'000'000'000;  // 10^15 per window
constexpr std::size_t kMaxKeyName = 64;
constexpr std::size_t kShortKey = 16;
constexpr std::string_view kNotBool = "Input should be a valid boolean";  // pydantic's text
constexpr std::string_view kKeyForms =
    "the key itself, '$ENV_VAR' or the path of a file holding the key";

// An HTTP field name is a token (RFC 9110 §5.1).
bool valid_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
  });
}

// 1 to 64 ASCII letters, digits, '_', '-' or '.': it goes into logs, metrics labels and
// counter keys as it is.
bool valid_key_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxKeyName &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           const auto c = static_cast<unsigned char>(ch);
           return std::isalnum(c) || c == '_' || c == '-' || c == '.';
         });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits (either case) -> the 32 bytes.
std::optional<KeyDigest> parse_hex_digest(std::string_view hex) {
  KeyDigest out{};
  if (hex.size() != 2 * out.size()) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

// What a wrong value was, for messages: 'text', a mapping, a list, an empty value.
std::string shown(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "an empty value";
}

// A cost that makes spend grow (a `cost: {}` of zeros does not).
bool priced(const std::optional<CostConfig>& c) {
  return c && (c->input_per_million > 0 || c->output_per_million > 0);
}

}  // namespace

void Loader::parse_access(const YAML::Node& root) {
  const Pos here = pos_of(root.Mark());
  parse_budgets(root, here);
  parse_auth(root, here);
  check_budgets();
}

// ---- spend: tokens, cost, budget ----------------------------------------------------------

void Loader::parse_endpoint_spend(const YAML::Node& node, const std::string& path, Pos here,
                                  EndpointConfig& ep) {
  if (const auto t = get_node(node, "tokens", path, here, false, YAML::NodeType::Map))
    parse_tokens(*t, ep.tokens);
  const std::size_t errors_before = error_count();
  if (const auto c = get_node(node, "cost", path, here, false, YAML::NodeType::Map))
    ep.cost = parse_cost(*c);
  const bool cost_invalid = error_count() != errors_before;
  if (const auto b = get_node(node, "budget", path, here, false, YAML::NodeType::Map)) {
    ep.budget = parse_budget(*b, true);
    if (ep.budget && !cost_invalid && !priced(ep.cost)) {
      warn(b->path, b->pos,
           "budget has no effect: the endpoint has no cost, so its spend stays 0 (add cost: "
           "{input_per_million, output_per_million} to this endpoint)");
    }
  }
}

void Loader::parse_tokens(const Field<YAML::Node>& t, TokenLimitConfig& out) {
  check_keys(t.value, t.path, {"per_minute", "per_hour", "per_day"});
  out.per_minute = read_tokens(t, "per_minute", "minute");
  out.per_hour = read_tokens(t, "per_hour", "hour");
  out.per_day = read_tokens(t, "per_day", "day");
}

std::optional<std::int64_t> Loader::read_tokens(const Field<YAML::Node>& t, std::string_view key,
                                                std::string_view unit) {
  const auto n = get_int(t.value, key, t.path, t.pos, false);
  if (!n) return std::nullopt;
  if (n->value < 1 || n->value > kMaxTokens) {
    error(n->path, n->pos,
          "tokens." + std::string(key) + " must be from 1 to " + std::to_string(kMaxTokens) +
              " (input + output tokens per " + std::string(unit) + "), got " +
              std::to_string(n->value));
    return std::nullopt;
  }
  return n->value;
}

CostConfig Loader::parse_cost(const Field<YAML::Node>& c) {
  check_keys(c.value, c.path, {"input_per_million", "output_per_million"});
  CostConfig out;
  if (const auto v =
          read_usd(c.value, "input_per_million", c.path, c.pos, false, "cost.input_per_million"))
    out.input_per_million = *v;
  if (const auto v =
          read_usd(c.value, "output_per_million", c.path, c.pos, false, "cost.output_per_million"))
    out.output_per_million = *v;
  return out;
}

std::optional<BudgetConfig> Loader::parse_budget(const Field<YAML::Node>& b, bool endpoint) {
  static constexpr std::string_view kPeriods[] = {"day", "week", "month"};
  static constexpr std::string_view kActions[] = {"reject", "alert"};
  check_keys(b.value, b.path, {"usd", "period", "on_exceed"});
  const std::size_t errors_before = error_count();
  BudgetConfig out;
  if (const auto usd = read_usd(b.value, "usd", b.path, b.pos, true, "budget.usd")) {
    if (*usd == 0)
      error(join(b.path, "usd"), pos_of(*find(b.value, "usd")),
            "budget.usd must be greater than 0 (leave the budget out for no limit), got 0");
    out.usd = *usd;
  }
  if (const auto p = get_string(b.value, "period", b.path, b.pos, false)) {
    if (p->value == "day" || p->value == "week" || p->value == "month") {
      out.period = p->value == "day"    ? BudgetPeriod::Day
                   : p->value == "week" ? BudgetPeriod::Week
                                        : BudgetPeriod::Month;
    } else {
      error(p->path, p->pos,
            "budget.period must be day, week or month (calendar periods in UTC), got '" + p->value +
                "'." + did_you_mean(p->value, kPeriods));
    }
  }
  if (const auto o = get_string(b.value, "on_exceed", b.path, b.pos, false)) {
    if (o->value == "reject" || o->value == "alert") {
      out.on_exceed = o->value == "reject" ? OnExceed::Reject : OnExceed::Alert;
    } else {
      error(o->path, o->pos,
            "budget.on_exceed must be reject (refuse calls once the budget is spent) or alert "
            "(serve them and send an alert), got '" +
                o->value + "'." + did_you_mean(o->value, kActions));
    }
  }
  if (error_count() != errors_before) return std::nullopt;
  budget_facts_.push_back({b.path, b.pos, out.on_exceed, endpoint});
  return out;
}

std::optional<MicroUsd> Loader::read_usd(const YAML::Node& map, std::string_view key,
                                         const std::string& path, Pos here, bool required,
                                         std::string_view what) {
  const std::string p = join(path, key);
  const auto e = present(map, key, p, here, required);
  if (!e) return std::nullopt;
  const auto usd = e->value.IsScalar() ? parse_usd(e->value.Scalar()) : std::nullopt;
  if (!usd) {
    error(p, pos_of(*e),
          std::string(what) +
              " must be a USD amount such as 50 or 0.15 (digits, at most 6 decimals, at most " +
              std::to_string(kMaxUsd) + "), got " + shown(e->value));
  }
  return usd;
}

std::optional<bool> Loader::read_bool(const YAML::Node& map, std::string_view key,
                                      const std::string& path, Pos here) {
  const std::string p = join(path, key);
  const auto e = present(map, key, p, here, false);
  if (!e) return std::nullopt;
  // YAML 1.2's core schema (yaml-cpp would also take yes/no/on/off).
  const std::string text = e->value.IsScalar() ? e->value.Scalar() : "";
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  error(p, pos_of(*e), kNotBool);
  return std::nullopt;
}

void Loader::parse_budgets(const YAML::Node& root, Pos here) {
  const auto b = get_node(root, "budgets", "", here, false, YAML::NodeType::Map);
  if (!b) return;
  check_keys(b->value, b->path, {"global", "alert_webhook"});
  if (const auto g = get_node(b->value, "global", b->path, b->pos, false, YAML::NodeType::Map))
    config_.budgets.global = parse_budget(*g, false);
  if (const auto w = get_string(b->value, "alert_webhook", b->path, b->pos, false)) {
    // Not echoed: a webhook URL often carries a token in its path.
    if (!parse_url(w->value) || w->value.find(' ') != std::string::npos) {
      error(w->path, w->pos,
            "budgets.alert_webhook must be an http:// or https:// URL with a host, such as "
            "https://hooks.example/budget (the value is not shown: webhook URLs often hold a "
            "token)");
    } else {
      config_.budgets.alert_webhook = w->value;
    }
  }
}

void Loader::check_budgets() {
  const bool any_cost = std::any_of(config_.endpoints.begin(), config_.endpoints.end(),
                                    [](const EndpointConfig& ep) { return priced(ep.cost); });
  for (const BudgetFacts& b : budget_facts_) {
    if (!b.endpoint && !any_cost) {
      warn(b.path, b.pos,
           "budget has no effect: no endpoint has a cost, so spend stays 0 (add cost: "
           "{input_per_million, output_per_million} to the endpoints)");
    }
    if (b.on_exceed == OnExceed::Alert && !config_.budgets.alert_webhook) {
      warn(b.path, b.pos,
           "on_exceed is 'alert', but budgets.alert_webhook is not set: no alert is sent when "
           "this budget is reached, and calls over it are still served");
    }
  }
}

// ---- auth: client keys --------------------------------------------------------------------

void Loader::parse_auth(const YAML::Node& root, Pos here) {
  const auto entry = find(root, "auth");
  if (!entry) return;
  if (entry->value.IsNull()) {
    // An empty `auth:` is more likely a mistake than a wish for no authentication.
    error("auth", pos_of(*entry),
          "auth is empty: list the client keys under auth.keys, or remove 'auth' to turn "
          "authentication off");
    return;
  }
  const auto auth = get_node(root, "auth", "", here, true, YAML::NodeType::Map);
  if (!auth) return;
  check_keys(auth->value, auth->path, {"header", "keys"});
  AuthConfig out;
  if (const auto h = get_string(auth->value, "header", auth->path, auth->pos, false)) {
    if (valid_header_name(h->value)) {
      out.header = h->value;
    } else {
      error(h->path, h->pos,
            "auth.header must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), "
            "such as Authorization or X-Api-Key, got '" +
                h->value + "'");
    }
  }
  if (const auto keys =
          get_node(auth->value, "keys", auth->path, auth->pos, true, YAML::NodeType::Sequence)) {
    if (keys->value.size() == 0) {
      error(keys->path, keys->pos,
            "auth.keys must list at least one key (remove 'auth' to turn authentication off)");
    }
    parse_client_keys(*keys, out);
  }
  config_.auth = std::move(out);
}

void Loader::parse_client_keys(const Field<YAML::Node>& list, AuthConfig& out) {
  std::map<std::string, Field<std::string>> names;                // name -> its first entry
  std::vector<std::pair<Field<KeyDigest>, std::string>> digests;  // -> who has it
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const std::string path = indexed(list.path, i);
    ClientKeyConfig key;
    const ClientKeyFacts facts = parse_client_key(list.value[i], path, key);
    if (facts.name) {
      const auto [first, inserted] = names.emplace(facts.name->value, *facts.name);
      if (!inserted) {
        error(facts.name->path, facts.name->pos,
              "Duplicate key name '" + facts.name->value + "' in auth.keys (first at line " +
                  std::to_string(first->second.pos.line) + "); key names must be unique");
      }
    }
    const std::string who = facts.name ? "'" + facts.name->value + "'" : path;
    if (facts.digest) {
      // Reported without either key or digest: the names say which entries to look at.
      for (const auto& [other, other_who] : digests) {
        if (other.value != facts.digest->value) continue;
        error(
            facts.digest->path, facts.digest->pos,
            "Keys " + other_who + " and " + who + " are the same key; give each entry its own key");
        break;
      }
      digests.emplace_back(*facts.digest, who);
    }
    out.keys.push_back(std::move(key));
  }
}

ClientKeyFacts Loader::parse_client_key(const YAML::Node& node, const std::string& path,
                                        ClientKeyConfig& out) {
  ClientKeyFacts facts;
  if (!node.IsMap()) {
    error(path, pos_of(node.Mark()), kNotDict);
    return facts;
  }
  const Pos here = pos_of(node.Mark());
  out.line = here.line;
  check_keys(node, path,
             {"name", "key", "key_sha256", "endpoints", "admin", "limit", "tokens", "budget"});
  if (const auto name = get_string(node, "name", path, here, true)) {
    if (!valid_key_name(name->value)) {
      error(name->path, name->pos,
            "Key name '" + name->value +
                "' is invalid: use 1 to 64 characters, each a letter, a digit, '_', '-' or '.'");
    }
    out.name = name->value;
    facts.name = *name;
  }
  facts.digest = parse_key_secret(node, path, here);
  if (facts.digest) out.key_sha256 = facts.digest->value;
  if (const auto list = get_node(node, "endpoints", path, here, false, YAML::NodeType::Sequence))
    parse_key_endpoints(*list, out);
  else
    out.all_endpoints = true;  // absent or null: [all]
  if (const auto admin = read_bool(node, "admin", path, here)) out.admin = *admin;
  if (const auto limit = get_node(node, "limit", path, here, false, YAML::NodeType::Map))
    out.limit = parse_limit_block(*limit, true);
  if (const auto t = get_node(node, "tokens", path, here, false, YAML::NodeType::Map))
    parse_tokens(*t, out.tokens);
  if (const auto b = get_node(node, "budget", path, here, false, YAML::NodeType::Map))
    out.budget = parse_budget(*b, false);
  return facts;
}

std::optional<Field<KeyDigest>> Loader::parse_key_secret(const YAML::Node& node,
                                                         const std::string& path, Pos here) {
  const auto key = find(node, "key");
  const auto sha = find(node, "key_sha256");
  if (key && sha) {
    error(path, here, "Give either 'key' or 'key_sha256', not both");
    return std::nullopt;
  }
  if (!key && !sha) {
    error(path, here,
          "A key needs 'key' (" + std::string(kKeyForms) +
              ") or 'key_sha256' (the key's SHA-256 as 64 hex digits)");
    return std::nullopt;
  }
  if (sha) return read_key_sha256(*sha, join(path, "key_sha256"));
  return resolve_client_key(*key, join(path, "key"));
}

// Resolved like a provider's API key (resolve_secret: $ENV, file or literal), then hashed.
std::optional<Field<KeyDigest>> Loader::resolve_client_key(const Entry& key,
                                                           const std::string& path) {
  const Pos pos = pos_of(key);
  if (!key.value.IsScalar() && !key.value.IsNull()) {
    error(path, pos, "The key must be a string: " + std::string(kKeyForms));
    return std::nullopt;
  }
  SecretResult resolved;  // `key:` left empty resolves to nothing
  if (key.value.IsScalar()) resolved = resolve_secret(key.value.Scalar(), env_);
  if (!resolved.error.empty()) {
    error(path, pos, resolved.error);
    return std::nullopt;
  }
  if (!resolved.secret || resolved.secret->empty()) {
    error(path, pos, "The key is empty: set it to " + std::string(kKeyForms));
    return std::nullopt;
  }
  const std::string& value = resolved.secret->reveal();
  if (value.find_first_of("\r\n") != std::string::npos) {
    error(path, pos, "The key contains a line break, so no request header can carry it");
    return std::nullopt;
  }
  if (!resolved.warning.empty()) warn(path, pos, resolved.warning);
  if (value.size() < kShortKey) {
    warn(path, pos,
         "The key is shorter than " + std::to_string(kShortKey) +
             " characters and easy to guess: use a long random key (e.g. from `openssl rand "
             "-hex 32`)");
  }
  return Field<KeyDigest>{key_digest(value), path, pos};
}

std::optional<Field<KeyDigest>> Loader::read_key_sha256(const Entry& sha, const std::string& path) {
  const Pos pos = pos_of(sha);
  const auto digest = sha.value.IsScalar() ? parse_hex_digest(sha.value.Scalar()) : std::nullopt;
  if (!digest) {
    // Not echoed: the length says enough to find the mistake.
    const std::string got = !sha.value.IsScalar() ? shown(sha.value)
                            : sha.value.Scalar().size() != 64
                                ? std::to_string(sha.value.Scalar().size()) + " characters"
                                : "a character that is not a hex digit";
    error(path, pos,
          "key_sha256 must be the key's SHA-256 as 64 hex digits (such as the output of `printf "
          "%s \"$KEY\" | sha256sum`), got " +
              got);
    return std::nullopt;
  }
  return Field<KeyDigest>{*digest, path, pos};
}

void Loader::parse_key_endpoints(const Field<YAML::Node>& list, ClientKeyConfig& out) {
  std::vector<std::string_view> known;  // every endpoint and traffic route, for suggestions
  for (const auto& [name, type] : endpoint_types_) known.push_back(name);
  for (const RouteFacts& r : routes_)
    if (r.name) known.push_back(*r.name);
  if (list.value.size() == 0) {
    error(list.path, list.pos,
          "endpoints must not be empty: list endpoint or traffic route names, or leave "
          "endpoints out (the default, [all], allows every one)");
  }
  std::set<std::string> seen;
  std::optional<Field<std::string>> all;  // where `all` is listed
  std::size_t named = 0;
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const YAML::Node item = list.value[i];
    const std::string path = indexed(list.path, i);
    const Pos pos = pos_of(item.Mark());
    if (!item.IsScalar() || item.Scalar().empty()) {
      error(path, pos, "endpoints entries must be endpoint or traffic route names, or 'all'");
      continue;
    }
    const std::string& name = item.Scalar();
    if (!seen.insert(name).second) {
      warn(path, pos, "'" + name + "' is listed twice in endpoints");
    } else if (name == "all") {
      out.all_endpoints = true;
      all = Field<std::string>{name, path, pos};
    } else if (std::find(known.begin(), known.end(), name) == known.end()) {
      ++named;
      error(path, pos,
            "'" + name + "' is not an endpoint or traffic route of this file." +
                did_you_mean(name, known));
    } else {
      ++named;
      out.endpoints.push_back(name);
    }
  }
  if (all && named > 0) {
    error(all->path, all->pos,
          "'all' already allows every endpoint and traffic route: list either 'all' alone or "
          "the names");
  }
}

}  // namespace detail
}  // namespace gw::config
