#include "gateway/aws_auth.h"

#include "gateway/log.h"

namespace gw {

namespace net = boost::asio;

net::awaitable<std::optional<GatewayError>> AwsAuth::sign(UpstreamRequest& req, const AwsSigV4& how,
                                                          std::string_view endpoint) {
  const config::BedrockSettings& s = *how.settings;
  AwsCredentials creds;
  if (s.role_arn) {
    auto role = co_await role_credentials(s, endpoint);
    if (!role) co_return role.take_error();
    creds = std::move(*role);
  } else {
    creds.access_key_id = s.access_key_id.reveal();
    creds.secret_access_key = s.secret_access_key.reveal();
    if (!s.session_token.empty()) creds.session_token = s.session_token.reveal();
  }
  if (!sigv4_sign(req, creds, s.region, how.service, clock_()))
    co_return GatewayError::make(500, "The Bedrock request URL cannot be signed");
  co_return std::nullopt;
}

net::awaitable<Result<AwsCredentials>> AwsAuth::role_credentials(const config::BedrockSettings& s,
                                                                 std::string_view endpoint) {
  const std::string key = *s.role_arn + '\n' + s.access_key_id.reveal() + '\n' + s.sts_endpoint_url;
  const auto now = clock_();
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (auto it = cache_.find(key); it != cache_.end() && it->second.expires_at - 300 > now_s)
    co_return it->second.credentials;

  ++sts_calls_;
  UpstreamRequest sts = make_assume_role_request(s, now);
  auto reply = co_await client_.send(sts, endpoint);
  if (!reply) co_return reply.take_error();
  auto assumed = parse_assume_role_response(reply->body);
  if (!assumed) {
    GatewayError e = assumed.take_error();
    if (reply->status < 200 || reply->status >= 300)
      e.detail = "Assuming role " + *s.role_arn + " failed (STS status " +
                 std::to_string(reply->status) + "): " + e.message();
    log::warn("endpoint '" + std::string(endpoint) + "': " + e.message());
    co_return e;
  }
  AwsCredentials creds = assumed->credentials;
  cache_[key] = std::move(*assumed);
  co_return creds;
}

}  // namespace gw
