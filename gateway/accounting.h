// The arithmetic of token limits, spend and budgets (docs/access-and-budgets.md): windows and
// calendar periods in UTC, cost in integer micro-dollars, threshold crossings, and the keys of
// the ledger's counters. Pure functions: the clock is always a parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace gw::accounting {

using config::BudgetPeriod;
using config::MicroUsd;

// A window or period: [start, end) in UNIX seconds, and its index (what the counter keys carry,
// so a new period is a new counter).
struct Span {
  std::int64_t index = 0;
  std::int64_t start = 0;
  std::int64_t end = 0;
  bool operator==(const Span&) const = default;
};

// A fixed window of `seconds` aligned to the UNIX epoch (a token limit's minute, hour or day;
// a day is a UTC calendar day).
Span fixed_window(std::int64_t seconds, std::int64_t now);
// The UTC calendar period holding `now`: a day from 00:00, a week from Monday 00:00, a month
// from the 1st 00:00 (28 to 31 days).
Span calendar(BudgetPeriod period, std::int64_t now);
// The period before `span` (of the same kind).
Span previous(BudgetPeriod period, const Span& span);

// "2026-12-01T00:00:00Z".
std::string utc_text(std::int64_t unix_seconds);
// "day", "week", "month"; and back (nullopt for anything else).
std::string_view period_name(BudgetPeriod period);
std::optional<BudgetPeriod> parse_period(std::string_view text);
// "reject" or "alert", as `on_exceed` is written in the config.
std::string_view on_exceed_name(config::OnExceed on_exceed);
// The letter a period's counter keys carry: 'd', 'w', 'm'.
char period_letter(BudgetPeriod period);

// The cost of one response, rounded half up to a micro-dollar:
// (input * input_per_million + output * output_per_million) / 1e6, in integers.
MicroUsd cost(std::int64_t input_tokens, std::int64_t output_tokens, const config::CostConfig& c);
// Micro-dollars as a decimal USD text without trailing zeros: "50", "0.15", "0.000001".
std::string usd_text(MicroUsd micros);
// The JSON number for a USD amount (for display only: sums are never made of it).
double usd_value(MicroUsd micros);

// A token count estimated from text when the provider reported none: UTF-8 bytes / 4, rounded
// up.
std::int64_t estimate_tokens(std::size_t utf8_bytes);

// The thresholds (percent of `limit`: 80, 100) that an addition taking a counter from `before`
// to `after` crossed. Each crossing is seen by exactly one addition, since additions are atomic.
std::vector<int> crossings(MicroUsd before, MicroUsd after, MicroUsd limit);

// Counter keys. `scope` is 'k' (a client key), 'e' (an endpoint) or 'g' (global).
std::string token_counter(char scope, std::string_view name, std::int64_t window_seconds,
                          std::int64_t index);
std::string spend_counter(char scope, std::string_view name, BudgetPeriod period,
                          std::int64_t index);
// A usage-report bucket: "d:<day index>", "w:<week index>", "m:<month index>".
std::string usage_bucket(BudgetPeriod period, std::int64_t index);

}  // namespace gw::accounting
