// Token and spend counters, and the usage report's rows (docs/access-and-budgets.md): held in
// this process (MemoryLedger) or in Redis, shared exactly by replicas (RedisLedger,
// redis_ledger.h). The accounting stage (gateway/stages/account.h) builds the counter keys
// (they carry the window or period index, so a new window is a new key) and asks the ledger
// only to read and to add.
//
// Thread safety: a MemoryLedger is shared by every worker (a mutex); a RedisLedger belongs to
// one worker and runs on that worker's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"

namespace gw {

// One addition to one counter.
struct CounterAdd {
  std::string key;                 // e.g. "tok:k:team-a:60:29472012" (no store prefix)
  std::int64_t amount = 0;         // tokens or micro-dollars
  std::int64_t expires_at_ms = 0;  // UNIX ms after which the store may drop the counter
};

// One addition to a row of the usage report.
struct UsageAdd {
  std::string bucket;    // period and its index, e.g. "d:20424", "w:2917", "m:24323"
  std::string key_name;  // the client key's name ("" without auth)
  std::string endpoint;
  std::int64_t requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  config::MicroUsd usd = 0;
  std::int64_t expires_at_ms = 0;  // the row is kept until then (the next period's end)
};

// A row of the usage report: one (key, endpoint) in one bucket.
struct UsageRow {
  std::string key_name;
  std::string endpoint;
  std::int64_t requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  config::MicroUsd usd = 0;
  bool operator==(const UsageRow&) const = default;
};

class Ledger {
 public:
  virtual ~Ledger() = default;
  // The current values of `keys`, in order (0 for a counter that does not exist). nullopt when
  // the store cannot be reached.
  virtual boost::asio::awaitable<std::optional<std::vector<std::int64_t>>> read(
      const std::vector<std::string>& keys) = 0;
  // Adds every counter's amount and every usage row, atomically (all or none), and returns the
  // counters' new values in order. nullopt when the store cannot be reached: the additions are
  // then kept and applied once it can be reached again (spend is never lost).
  virtual boost::asio::awaitable<std::optional<std::vector<std::int64_t>>> add(
      const std::vector<CounterAdd>& counters, const std::vector<UsageAdd>& usage) = 0;
  // Every row of one bucket, sorted by key name then endpoint. nullopt when the store cannot
  // be reached.
  virtual boost::asio::awaitable<std::optional<std::vector<UsageRow>>> usage(
      const std::string& bucket) = 0;
  // The server is shutting down: stop background work (a replay timer), so the worker's
  // io_context can finish. Called on the ledger's own thread.
  virtual void close() {}
  // The counters are in this process: read and add never wait.
  virtual bool local() const { return false; }
};

// The counters in this process: shared by every worker, so they hold across workers and
// across config reloads (keys carry names, not snapshots). Expired counters and rows are
// dropped as time passes (the clock is the expiries' own: `now_ms` of the last call).
class MemoryLedgerStore {
 public:
  std::vector<std::int64_t> read(const std::vector<std::string>& keys, std::int64_t now_ms);
  std::vector<std::int64_t> add(const std::vector<CounterAdd>& counters,
                                const std::vector<UsageAdd>& usage, std::int64_t now_ms);
  std::vector<UsageRow> usage(const std::string& bucket, std::int64_t now_ms);
  std::size_t size() const;  // live counters and rows (tests)

 private:
  struct Value {
    std::int64_t value = 0;
    std::int64_t expires_at_ms = 0;
  };
  struct Bucket {
    std::map<std::pair<std::string, std::string>, UsageRow> rows;  // by (key name, endpoint)
    std::int64_t expires_at_ms = 0;
  };
  void purge(std::int64_t now_ms);
  mutable std::mutex mu_;
  std::unordered_map<std::string, Value> counters_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::int64_t next_purge_ms_ = 0;
};

class MemoryLedger final : public Ledger {
 public:
  // `clock`: the wall clock that expiries are measured against (injectable for tests).
  MemoryLedger(std::shared_ptr<MemoryLedgerStore> store,
               std::function<std::chrono::system_clock::time_point()> clock)
      : store_(std::move(store)), clock_(std::move(clock)) {}
  boost::asio::awaitable<std::optional<std::vector<std::int64_t>>> read(
      const std::vector<std::string>& keys) override;
  boost::asio::awaitable<std::optional<std::vector<std::int64_t>>> add(
      const std::vector<CounterAdd>& counters, const std::vector<UsageAdd>& usage) override;
  boost::asio::awaitable<std::optional<std::vector<UsageRow>>> usage(
      const std::string& bucket) override;
  bool local() const override { return true; }

 private:
  std::int64_t now_ms() const;
  std::shared_ptr<MemoryLedgerStore> store_;
  std::function<std::chrono::system_clock::time_point()> clock_;
};

}  // namespace gw
