#include "providers/wire/aws_sts.h"

#include <cctype>

#include "config/url.h"
#include "providers/upstream_reply.h"

namespace gw {
namespace {

// The text of the first <tag>...</tag> element (no attributes expected in STS answers).
std::string_view element(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const std::size_t a = xml.find(open);
  if (a == std::string_view::npos) return {};
  const std::size_t b = xml.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return xml.substr(a + open.size(), b - a - open.size());
}

// XML character entities in text content.
std::string unescape_xml(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool matched = false;
    for (auto [name, ch] : kEntities) {
      if (v.substr(i, name.size()) == name) {
        out += ch;
        i += name.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out += '&';
  }
  return out;
}

}  // namespace

UpstreamRequest make_assume_role_request(const config::BedrockSettings& s,
                                         std::chrono::system_clock::time_point now) {
  UpstreamRequest req;
  req.url = s.sts_endpoint_url;  // the Query API is served at "/"
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + url_encode(s.role_arn.value_or("")) +
             "&RoleSessionName=ai-gateway-bedrock&DurationSeconds=" +
             std::to_string(s.session_length_seconds);
  AwsCredentials base{s.access_key_id.reveal(), s.secret_access_key.reveal(), std::nullopt};
  if (!s.session_token.empty()) base.session_token = s.session_token.reveal();
  sigv4_sign(req, base, s.region, "sts", now);
  return req;
}

std::int64_t parse_iso8601_utc(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (t.size() < 20) return -1;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
      t[16] != ':' || (t.back() != 'Z' && t.back() != 'z'))
    return -1;
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
            se = num(17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 60)
    return -1;
  // Days from civil (Howard Hinnant's algorithm).
  const int yy = y - (mo <= 2);
  const int era = yy / 400;
  const unsigned yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + se;
}

Result<AssumedCredentials> parse_assume_role_response(std::string_view xml) {
  if (xml.find("<ErrorResponse") != std::string_view::npos) {
    const std::string code = unescape_xml(element(xml, "Code"));
    const std::string message = unescape_xml(element(xml, "Message"));
    return GatewayError::make(
        502, "STS AssumeRole failed: " + code + (message.empty() ? "" : ": ") + message,
        "upstream_error", "bad_gateway");
  }
  const std::string_view creds = element(xml, "Credentials");
  AssumedCredentials out;
  out.credentials.access_key_id = unescape_xml(element(creds, "AccessKeyId"));
  out.credentials.secret_access_key = unescape_xml(element(creds, "SecretAccessKey"));
  const std::string token = unescape_xml(element(creds, "SessionToken"));
  if (!token.empty()) out.credentials.session_token = token;
  out.expires_at = parse_iso8601_utc(element(creds, "Expiration"));
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() ||
      token.empty() || out.expires_at < 0)
    return malformed_upstream("the STS AssumeRole answer has no complete Credentials element");
  return out;
}

}  // namespace gw
