// The Redis connection code the Redis stores share (RedisLimiter, redis_limiter.h; RedisLedger,
// redis_ledger.h): the address and its URI, connections (TCP, or TLS for rediss://, then AUTH
// and SELECT), a pool of idle connections, one exchange of commands and replies bounded by a
// timeout, and the back-off while Redis cannot be reached.
//
// The protocol is hiredis' (command formatting and reply parsing); the I/O is Asio on the
// worker's own io_context. When Redis cannot be reached (or answers too slowly) the store marks
// it down and stops trying for a back-off period (100 ms doubling to 5 s), so a dead Redis never
// adds latency to every request. State changes are logged once, with the address redacted.
//
// Thread safety: one instance per worker; everything runs on that worker's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct redisReply;  // hiredis

namespace gw {

struct RedisAddress {
  std::string host = "127.0.0.1";
  std::string port = "6379";
  int db = 0;
  std::string username;  // AUTH <username> <password> (Redis 6 ACLs) when set
  std::string password;  // AUTH <password> when set without a username
  bool tls = false;      // rediss://: TLS, verified against the system store (+ ca_file)
  std::string ca_file;   // extra trusted CA bundle (PEM) for rediss://

  // "redis[s]://host:port/db", with any credentials shown as "***": for logs and errors.
  std::string redacted() const;
};

// Parses "redis[s]://[[username]:password@]host[:port][/db]" (percent-escapes in the
// credentials are decoded). nullopt when it is not such a URI.
std::optional<RedisAddress> parse_redis_uri(const std::string& uri);

// The URI with its credentials replaced by "***" (for logging a URI that did not parse).
std::string redact_uri(const std::string& uri);

struct RedisReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// One command in the protocol's wire format (what redisFormatCommandArgv makes). Commands are
// pipelined by concatenating them.
std::string format_redis_command(const std::vector<std::string>& args);

// How long a store stops trying after a failure: `first`, doubling up to `max`.
struct RedisBackoff {
  std::chrono::milliseconds first{100};
  std::chrono::milliseconds max{5000};
};

class RedisClient {
 public:
  // `store` names the store in the two state-change lines: "<store> <address> unreachable
  // (<why>)<when_down>" and "<store> <address> reachable again".
  RedisClient(boost::asio::io_context& ioc, RedisAddress address, std::chrono::milliseconds timeout,
              std::string store, std::string when_down, RedisBackoff backoff = {});
  ~RedisClient();

  struct Result {
    std::vector<RedisReply> replies;  // `expected` replies; empty when the exchange failed
    std::string error;                // why it failed
    bool maybe_sent = false;          // failed after the commands may have reached Redis
  };
  // Sends `commands` (one or more, pipelined) and reads `expected` replies on a pooled
  // connection, bounded by the timeout (or `timeout` when given) in total. A pooled connection
  // may have died with a Redis restart: one retry on a fresh one. The connection goes back to
  // the pool once every reply was read. Does not change the up/down state (the store decides
  // whether the replies are what it asked for: mark_up / mark_down).
  boost::asio::awaitable<Result> exchange(
      const std::string& commands, std::size_t expected = 1,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // True while a back-off after a failure runs: callers then do not try Redis.
  bool backing_off() const;
  // When the current back-off ends (a past time when there is none).
  std::chrono::steady_clock::time_point retry_at() const;
  // Redis failed: logs once per outage, starts (or doubles) the back-off.
  void mark_down(const std::string& why);
  // Redis answered: logs once when it had been down, resets the back-off.
  void mark_up();
  bool down() const;

  const RedisAddress& address() const;
  std::chrono::milliseconds timeout() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw
