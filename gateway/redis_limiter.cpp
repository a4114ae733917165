#include "gateway/redis_limiter.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace gw {
namespace {

// Fixed-window counter, atomically: reject without counting when the window is full, else
// count; the key expires with its window. Returns {admitted 0/1, count after this call}.
// KEYS[1] is the client's counter, KEYS[2] the scope's count of live counters in this window,
// KEYS[3] the scope's overflow counter: once ARGV[3] clients have a counter in the window, new
// ones share the overflow counter (as the in-memory limiter), so Redis memory stays bounded.
// All three keys carry the scope as a hash tag, so they live in one Redis Cluster slot.
constexpr const char* kScript = R"lua(
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  local live = redis.call('INCR', KEYS[2])
  if live == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
  if live > tonumber(ARGV[3]) then key = KEYS[3] end
end
local n = tonumber(redis.call('GET', key) or '0')
if n >= tonumber(ARGV[1]) then return {0, n} end
n = redis.call('INCR', key)
if n == 1 then redis.call('PEXPIRE', key, ARGV[2]) end
return {1, n}
)lua";

}  // namespace

RedisLimiter::RedisLimiter(boost::asio::io_context& ioc, RedisAddress address,
                           std::chrono::milliseconds timeout)
    : client_(ioc, std::move(address), timeout, "rate-limit store",
              "; limits fall back to the configured failure mode") {}

boost::asio::awaitable<std::optional<LimitDecision>> RedisLimiter::hit(
    std::string_view scope, std::string_view client, const config::LimitConfig& limit,
    std::chrono::system_clock::time_point now) {
  if (client_.backing_off()) co_return std::nullopt;
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const Window w = window_of(limit, now_ms);
  const std::string tag = "gw:rl:{" + std::string(scope) + "}";
  const std::string window = "|" + std::to_string(w.index);
  const std::string ttl = std::to_string(w.end_ms - now_ms + 1000);
  // Built before the co_await: GCC 12 miscompiles braced lists inside co_await operands.
  // The key names the window, so a replica never extends another replica's window.
  const std::string eval = format_redis_command(std::vector<std::string>{
      "EVAL", kScript, "3", tag + std::string(client) + window, tag + "~live" + window,
      tag + std::string(kOverflowClient) + window, std::to_string(limit.calls), ttl,
      std::to_string(kMaxCountersPerScope)});
  auto result = co_await client_.exchange(eval);
  const redisReply* reply = result.replies.empty() ? nullptr : result.replies[0].get();
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER ||
      reply->element[1]->type != REDIS_REPLY_INTEGER) {
    std::string err = result.error;
    if (reply && reply->type == REDIS_REPLY_ERROR) err = std::string(reply->str, reply->len);
    if (err.empty()) err = "unexpected reply";
    client_.mark_down(err);
    co_return std::nullopt;
  }
  client_.mark_up();
  LimitDecision d;
  d.allowed = reply->element[0]->integer == 1;
  d.limit = limit.calls;
  d.remaining = std::max<std::int64_t>(0, limit.calls - reply->element[1]->integer);
  d.reset_ms = w.end_ms - now_ms;
  co_return d;
}

}  // namespace gw
