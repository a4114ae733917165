// SigV4 signing of Bedrock requests (providers/wire/aws_sigv4.h) with credentials resolved per
// endpoint: the static or chain credentials resolved at config load (config/config.h
// BedrockSettings), or, with `aws_role_arn`, temporary credentials from STS AssumeRole
// (providers/wire/aws_sts.h), cached until five minutes before they expire.
//
// Thread safety: one AwsAuth per worker (like the UpstreamClient it uses); not thread-safe.
// Two requests of one worker that miss the cache at once may both call STS (harmless; the
// later answer wins).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "gateway/upstream_client.h"
#include "providers/wire/aws_sts.h"

namespace gw {

class AwsAuth {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  AwsAuth(UpstreamClient& client, Clock clock) : client_(client), clock_(std::move(clock)) {}

  // Signs `req` in place as `how` says. A GatewayError when the role's credentials cannot be
  // obtained (STS unreachable or refusing: 502, never with a secret in the text).
  boost::asio::awaitable<std::optional<GatewayError>> sign(UpstreamRequest& req,
                                                           const AwsSigV4& how,
                                                           std::string_view endpoint);

  // Number of STS calls made (tests: the cache is used).
  std::size_t sts_calls() const { return sts_calls_; }

 private:
  boost::asio::awaitable<Result<AwsCredentials>> role_credentials(const config::BedrockSettings& s,
                                                                  std::string_view endpoint);

  UpstreamClient& client_;
  Clock clock_;
  std::map<std::string, AssumedCredentials> cache_;  // role ARN + base key id + STS URL
  std::size_t sts_calls_ = 0;
};

}  // namespace gw
