// Token and spend counters, and the usage report's rows, shared exactly by gateway replicas
// through Redis (the Ledger interface, ledger.h). The connection code is RedisClient's
// (redis_client.h, shared with RedisLimiter): TLS, AUTH/SELECT, a pool, timeouts, back-off.
//
// Keys (every one carries the hash tag {ledger}, so a call's keys share one Redis Cluster slot
// and the add script stays valid on a cluster; the ledger then lives on one node):
//   gw:acc:{ledger}:c:<counter key>             a counter (string, INCRBY), expires with its key
//   gw:acc:{ledger}:u:<bucket>|<key>|<endpoint>  a usage row (hash: requests, input, output, usd)
//   gw:acc:{ledger}:m:<bucket>                   the bucket's rows (set of "<key>|<endpoint>")
//   gw:acc:{ledger}:ids:<instance>               batch ids this ledger has applied (sorted set)
// Key and endpoint names are [A-Za-z0-9_.-] (the key name may be empty, without auth), so '|'
// cannot occur in them and "<key>|<endpoint>" splits at its first '|'.
//
// read() is one MGET; usage() one SMEMBERS, then one pipeline of HGETALLs. add() is one EVALSHA
// (EVAL after NOSCRIPT) of a Lua script that, atomically, INCRBYs every counter, HINCRBYs every
// usage row and SADDs it to its bucket, extends (never shortens) each key's expiry with
// PEXPIREAT, and returns the counters' new values: no read-modify-write outside Redis, so
// replicas' additions sum exactly.
//
// Failure: when Redis cannot be reached (or answers too slowly), add() returns nullopt and keeps
// the additions (read() and usage() return nullopt). Kept additions are merged per counter and
// usage row (memory grows with distinct keys only, capped at `max_pending` entries; beyond that
// new ones are dropped, logged once) and replayed in one script call by the next call that
// reaches Redis, or by a timer once the back-off ends. Additions whose expiry passed meanwhile
// are dropped. Each script call's batches carry ids (this ledger's instance and a sequence
// number) that the script records in the ids set, skipping a batch it already applied: a call
// that timed out after Redis ran it is replayed without counting twice. The ids set is pruned
// below the oldest batch still unresolved (less a margin, for a command a dead connection
// delivers late) and expires a day after its last use, or with the latest addition it covers.
//
// Thread safety: one instance per worker; every call runs on that worker's io_context, and
// the ledger is destroyed there too (or after that io_context stopped).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include "gateway/ledger.h"
#include "gateway/redis_client.h"

namespace gw {

struct RedisLedgerTuning {
  RedisBackoff backoff{};  // after a failure, calls do not try Redis for this long
  // Kept additions are replayed by a timer at the end of each back-off, but no sooner than
  // this after the timer's previous wake-up (a call that reaches Redis replays them at once).
  std::chrono::milliseconds replay_after{100};
  // Distinct counters and usage rows kept while Redis is unreachable. One replay sends them
  // all in one command of up to 8 arguments each, under Redis' limit of 1,048,576.
  std::size_t max_pending = 100'000;
};

class RedisLedger final : public Ledger {
 public:
  RedisLedger(boost::asio::io_context& ioc, RedisAddress address,
              std::chrono::milliseconds timeout = std::chrono::milliseconds(250),
              RedisLedgerTuning tuning = {});
  ~RedisLedger() override;

  boost::asio::awaitable<std::optional<std::vector<std::int64_t>>> read(
      const std::vector<std::string>& keys) override;
  boost::asio::awaitable<std::optional<std::vector<std::int64_t>>> add(
      const std::vector<CounterAdd>& counters, const std::vector<UsageAdd>& usage) override;
  boost::asio::awaitable<std::optional<std::vector<UsageRow>>> usage(
      const std::string& bucket) override;

  // Stops the replay timer; additions still kept (Redis unreachable) are logged as lost.
  void close() override;

  // Counters and usage rows kept for a replay, or being replayed (0 once Redis has them all).
  std::size_t pending() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the replay timer's coroutine
};

}  // namespace gw
