#include "gateway/accounting.h"

#include <cstdio>

namespace gw::accounting {
namespace {

constexpr std::int64_t kDay = 86'400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's civil-calendar algorithms (proleptic Gregorian, days since 1970-01-01).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = floor_div(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146'097 + static_cast<std::int64_t>(doe) - 719'468;
}

struct Civil {
  std::int64_t y;
  unsigned m;
  unsigned d;
};

Civil civil_from_days(std::int64_t z) {
  z += 719'468;
  const std::int64_t era = floor_div(z, 146'097);
  const auto doe = static_cast<unsigned>(z - era * 146'097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

// The month span of month index `index` (year * 12 + month - 1).
Span month_span(std::int64_t index) {
  const std::int64_t y = floor_div(index, 12);
  const auto m = static_cast<unsigned>(index - y * 12 + 1);
  const std::int64_t start = days_from_civil(y, m, 1) * kDay;
  const std::int64_t end =
      (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) * kDay;
  return {index, start, end};
}

}  // namespace

Span fixed_window(std::int64_t seconds, std::int64_t now) {
  const std::int64_t index = floor_div(now, seconds);
  return {index, index * seconds, (index + 1) * seconds};
}

Span calendar(BudgetPeriod period, std::int64_t now) {
  const std::int64_t day = floor_div(now, kDay);
  switch (period) {
    case BudgetPeriod::Day:
      return {day, day * kDay, (day + 1) * kDay};
    case BudgetPeriod::Week: {
      // 1970-01-01 was a Thursday: Monday-based weeks start 3 days before it.
      const std::int64_t week = floor_div(day + 3, 7);
      const std::int64_t start = (week * 7 - 3) * kDay;
      return {week, start, start + 7 * kDay};
    }
    case BudgetPeriod::Month: {
      const Civil c = civil_from_days(day);
      return month_span(c.y * 12 + c.m - 1);
    }
  }
  return {};
}

Span previous(BudgetPeriod period, const Span& span) {
  if (period == BudgetPeriod::Month) return month_span(span.index - 1);
  const std::int64_t length = span.end - span.start;
  return {span.index - 1, span.start - length, span.start};
}

std::string utc_text(std::int64_t unix_seconds) {
  const std::int64_t day = floor_div(unix_seconds, kDay);
  const std::int64_t rest = unix_seconds - day * kDay;
  const Civil c = civil_from_days(day);
  char text[40];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(c.y), c.m, c.d, static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return text;
}

std::string_view period_name(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::Day:
      return "day";
    case BudgetPeriod::Week:
      return "week";
    case BudgetPeriod::Month:
      return "month";
  }
  return "month";
}

std::optional<BudgetPeriod> parse_period(std::string_view text) {
  if (text == "day") return BudgetPeriod::Day;
  if (text == "week") return BudgetPeriod::Week;
  if (text == "month") return BudgetPeriod::Month;
  return std::nullopt;
}

std::string_view on_exceed_name(config::OnExceed on_exceed) {
  return on_exceed == config::OnExceed::Reject ? "reject" : "alert";
}

char period_letter(BudgetPeriod period) { return period_name(period)[0]; }

MicroUsd cost(std::int64_t input_tokens, std::int64_t output_tokens, const config::CostConfig& c) {
  const __int128 sum =
      static_cast<__int128>(std::max<std::int64_t>(input_tokens, 0)) * c.input_per_million +
      static_cast<__int128>(std::max<std::int64_t>(output_tokens, 0)) * c.output_per_million;
  const __int128 micros = (sum + 500'000) / 1'000'000;
  constexpr __int128 kMax = INT64_MAX;
  return static_cast<MicroUsd>(micros > kMax ? kMax : micros);
}

std::string usd_text(MicroUsd micros) {
  const bool negative = micros < 0;
  const auto magnitude = static_cast<unsigned long long>(negative ? -(micros + 1) + 1 : micros);
  std::string out = std::to_string(magnitude / 1'000'000);
  const unsigned long long fraction = magnitude % 1'000'000;
  if (fraction != 0) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%06llu", fraction);
    std::string f(digits);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return negative ? "-" + out : out;
}

double usd_value(MicroUsd micros) { return static_cast<double>(micros) / 1e6; }

std::int64_t estimate_tokens(std::size_t utf8_bytes) {
  return static_cast<std::int64_t>((utf8_bytes + 3) / 4);
}

std::vector<int> crossings(MicroUsd before, MicroUsd after, MicroUsd limit) {
  std::vector<int> out;
  if (limit <= 0) return out;
  for (const int percent : {80, 100}) {
    // value >= limit * percent / 100, in integers: value * 100 >= limit * percent.
    const __int128 mark = static_cast<__int128>(limit) * percent;
    if (static_cast<__int128>(before) * 100 < mark && static_cast<__int128>(after) * 100 >= mark)
      out.push_back(percent);
  }
  return out;
}

std::string token_counter(char scope, std::string_view name, std::int64_t window_seconds,
                          std::int64_t index) {
  return std::string("tok:") + scope + ':' + std::string(name) + ':' +
         std::to_string(window_seconds) + ':' + std::to_string(index);
}

std::string spend_counter(char scope, std::string_view name, BudgetPeriod period,
                          std::int64_t index) {
  return std::string("usd:") + scope + ':' + std::string(name) + ':' + period_letter(period) + ':' +
         std::to_string(index);
}

std::string usage_bucket(BudgetPeriod period, std::int64_t index) {
  return std::string(1, period_letter(period)) + ':' + std::to_string(index);
}

}  // namespace gw::accounting
