// The `limits` grammar for MLflow's `limit` block (docs/mlflow-compatibility.md §5).
//
// MLflow hands f"{calls}/{renewal_period}" to slowapi, which parses it with the `limits`
// library's regex. We implement that regex by hand (no std::regex: it is slow to build and its
// case-insensitive matching is locale-dependent) so that exactly the same files load.
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace gw::config {
namespace {

struct Unit {
  std::string_view word;
  Granularity granularity;
  std::int64_t seconds;
};

// `limits` counts a month as 30 days and a year as 365 days (fixed windows, no calendar).
constexpr Unit kUnits[] = {
    {"second", Granularity::Second, 1},     {"minute", Granularity::Minute, 60},
    {"hour", Granularity::Hour, 3600},      {"day", Granularity::Day, 86400},
    {"month", Granularity::Month, 2592000}, {"year", Granularity::Year, 31536000},
};

// Python's `\s` on ASCII input (the grammar is matched against str, but a config file's
// renewal period never needs Unicode spaces).
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

void skip_spaces(std::string_view s, std::size_t& i) {
  while (i < s.size() && is_space(s[i])) ++i;
}

// Matches a unit word case-insensitively at s[i...]; advances i past it.
const Unit* match_unit(std::string_view s, std::size_t& i) {
  for (const Unit& u : kUnits) {
    if (s.size() - i < u.word.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < u.word.size() && same; ++k) same = lower(s[i + k]) == u.word[k];
    if (same) {
      i += u.word.size();
      return &u;
    }
  }
  return nullptr;
}

std::string_view granularity_name(Granularity g) {
  for (const Unit& u : kUnits) {
    if (u.granularity == g) return u.word;
  }
  return "minute";
}

}  // namespace

std::string LimitConfig::describe() const {
  // slowapi's RateLimitItem.__str__: "<amount> per <multiples> <granularity>", always singular.
  return std::to_string(calls) + " per " + std::to_string(multiples) + " " +
         std::string(granularity_name(granularity));
}

std::optional<LimitConfig> parse_limit(std::int64_t calls, const std::string& renewal_period) {
  // A negative count would make "-1/minute", which the grammar's `[0-9]+` rejects.
  if (calls < 0) return std::nullopt;
  std::string_view s = renewal_period;
  std::size_t i = 0;
  skip_spaces(s, i);
  std::optional<std::int64_t> multiples;
  if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    std::int64_t n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      n = n * 10 + (s[i] - '0');
      // Anything past int's range is not a period anyone means; refuse rather than overflow.
      if (n > std::numeric_limits<int>::max()) return std::nullopt;
      ++i;
    }
    multiples = n;
    skip_spaces(s, i);
  }
  const Unit* unit = match_unit(s, i);
  if (unit == nullptr) return std::nullopt;
  if (i < s.size() && lower(s[i]) == 's') ++i;
  skip_spaces(s, i);
  // The grammar must match the whole string: "1m", "minutely" and "minute;5/second" (limits'
  // multi-limit syntax, never meaningful for one MLflow endpoint) are all rejected.
  if (i != s.size()) return std::nullopt;
  // "0 minutes" matches the grammar, but a zero-length window cannot be enforced; refuse it
  // instead of silently allowing everything.
  if (multiples == 0) return std::nullopt;

  LimitConfig out;
  out.calls = calls;
  out.renewal_period = renewal_period;
  out.multiples = static_cast<int>(multiples.value_or(1));
  out.granularity = unit->granularity;
  out.period_seconds = out.multiples * unit->seconds;
  return out;
}

}  // namespace gw::config
