// fuzz_sts: the STS AssumeRole answer parser (providers/wire/aws_sts.h), which reads XML from the
// STS endpoint for Bedrock role configs, and its ISO 8601 time parser.
//
// Input: the XML answer (also tried whole as an ISO 8601 time).
//
// Checks: never crashes; a successful parse has non-empty key id, secret and session token and
// a non-negative expiry, which is exactly parse_iso8601_utc() of its <Expiration>; an error is a
// 502. parse_iso8601_utc() agrees with std::chrono's civil-calendar arithmetic
// (sys_days{y/m/d} + h:m:s, day overflow carried forward as the chrono types define it) for
// every text it accepts, and refuses what is not "YYYY-MM-DDTHH:MM:SS[...]Z".
#include <chrono>

#include "fuzz_common.h"
#include "providers/wire/aws_sts.h"

namespace {

void check_time(std::string_view t) {
  const std::int64_t got = gw::parse_iso8601_utc(t);
  if (got < 0) return;
  FUZZ_CHECK(t.size() >= 20 && (t.back() == 'Z' || t.back() == 'z'), t);
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      FUZZ_CHECK(t[i] >= '0' && t[i] <= '9', t);
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  using namespace std::chrono;
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
            s = num(17, 2);
  FUZZ_CHECK(
      y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60, t);
  const sys_days day =
      year{y} / month{static_cast<unsigned>(mo)} / std::chrono::day{static_cast<unsigned>(d)};
  const std::int64_t want =
      duration_cast<seconds>(day.time_since_epoch()).count() + h * 3600 + mi * 60 + s;
  FUZZ_CHECK(got == want,
             std::string(t) + ": " + std::to_string(got) + " vs " + std::to_string(want));
}

std::string_view element(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const std::size_t a = xml.find(open);
  if (a == std::string_view::npos) return {};
  const std::size_t b = xml.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return xml.substr(a + open.size(), b - a - open.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  check_time(xml);
  auto r = gw::parse_assume_role_response(xml);
  if (!r) {
    FUZZ_CHECK(r.error().status == 502);
    (void)r.error().message();
    return 0;
  }
  FUZZ_CHECK(!r->credentials.access_key_id.empty());
  FUZZ_CHECK(!r->credentials.secret_access_key.empty());
  FUZZ_CHECK(r->credentials.session_token && !r->credentials.session_token->empty());
  FUZZ_CHECK(r->expires_at >= 0);
  const std::string_view expiration = element(element(xml, "Credentials"), "Expiration");
  FUZZ_CHECK(r->expires_at == gw::parse_iso8601_utc(expiration));
  check_time(expiration);
  return 0;
}
