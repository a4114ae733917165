#include "gateway/limiter.h"

namespace gw {

boost::asio::awaitable<std::optional<LimitDecision>> LocalLimiter::hit(
    std::string_view scope, std::string_view client, const config::LimitConfig& limit,
    std::chrono::system_clock::time_point now) {
  co_return counters_->hit(scope, client, limit, now);
}

}  // namespace gw
