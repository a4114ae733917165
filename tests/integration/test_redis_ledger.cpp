// RedisLedger (gateway/redis_ledger.h) against a real, private redis-server: counters and usage
// rows shared exactly by replicas (two ledgers = two replicas' connections), expiries only
// extended, additions kept while Redis is down and applied exactly once when it is back (by
// the next call, by the replay timer, and after a call that timed out although Redis ran it),
// and no password in any log line.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "gateway/redis_ledger.h"
#include "support/redis_server.h"

namespace gw::test {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Values = std::vector<std::int64_t>;
constexpr auto kTok = net::as_tuple(net::use_awaitable);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

CounterAdd counter(std::string key, std::int64_t amount, std::int64_t expires_at_ms) {
  return CounterAdd{std::move(key), amount, expires_at_ms};
}

UsageAdd row(std::string bucket, std::string key_name, std::string endpoint, std::int64_t n,
             std::int64_t expires_at_ms) {
  // n requests, 10n input tokens, 20n output tokens, 30n micro-dollars.
  return UsageAdd{
      std::move(bucket), std::move(key_name), std::move(endpoint), n, 10 * n, 20 * n, 30 * n,
      expires_at_ms};
}

UsageRow usage_row(std::string key_name, std::string endpoint, std::int64_t n) {
  return UsageRow{std::move(key_name), std::move(endpoint), n, 10 * n, 20 * n, 30 * n};
}

RedisAddress address_of(const RedisServer& server) {
  RedisAddress a;
  a.port = std::to_string(server.port);
  return a;
}

// Runs `ioc` until `done()` (each run_one_for waits for the next handler: a reply, a timer),
// or until nothing is left to run, or the timeout.
bool run_until(net::io_context& ioc, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    ioc.restart();
    if (ioc.run_one_for(left) == 0 && ioc.stopped()) return done();
  }
  return true;
}

// Runs `task` on `ioc` to completion (the replay timer runs meanwhile, as in a worker).
template <class T>
T run(net::io_context& ioc, net::awaitable<T> task) {
  std::optional<T> out;
  std::exception_ptr error;
  net::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T v) {
    error = e;
    out.emplace(std::move(v));
  });
  EXPECT_TRUE(run_until(ioc, [&] { return out.has_value(); }));
  if (error) std::rethrow_exception(error);
  return out ? std::move(*out) : T{};
}

// A temporary directory for a server's append-only file (removed with its files).
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/gw-redis-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// A server whose data survives a crash and restart (append-only file, fsync on every write),
// as a production Redis: what was applied before it stopped is still there.
std::vector<std::string> durable(const TempDir& dir) {
  return {"--appendonly", "yes", "--appendfsync", "always", "--dir", dir.path};
}

TEST(RedisLedger, AbsentCountersReadAsZeroAndAnEmptyBucketHasNoRows) {
  RedisServer server;
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  RedisLedger ledger(ioc, address_of(server));
  EXPECT_EQ(run(ioc, ledger.read({"tok:k:a:60:1", "usd:k:a:d:1"})), Values({0, 0}));
  EXPECT_EQ(run(ioc, ledger.read({})), Values{});
  EXPECT_EQ(run(ioc, ledger.usage("d:1")), std::vector<UsageRow>{});
}

TEST(RedisLedger, AddReturnsNewValuesAndAnotherReplicaReadsThem) {
  RedisServer server;
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  const std::int64_t exp = now_ms() + 60'000;
  net::io_context ioc_a, ioc_b;
  RedisLedger a(ioc_a, address_of(server)), b(ioc_b, address_of(server));
  EXPECT_EQ(run(ioc_a, a.add({counter("x", 5, exp), counter("y", 7, exp)}, {})), Values({5, 7}));
  EXPECT_EQ(run(ioc_a, a.add({counter("x", 3, exp)}, {})), Values({8}));
  EXPECT_EQ(run(ioc_b, b.read({"x", "y", "z"})), Values({8, 7, 0}));
  EXPECT_EQ(run(ioc_b, b.add({counter("y", -2, exp), counter("x", 1, exp)}, {})), Values({5, 9}));
  EXPECT_EQ(run(ioc_a, a.read({"y", "x"})), Values({5, 9}));
  // The documented layout.
  EXPECT_EQ(server.command({"GET", "gw:acc:{ledger}:c:x"}), "9");
}

TEST(RedisLedger, ConcurrentAddsFromTwoReplicasSumExactly) {
  RedisServer server;
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  const std::int64_t exp = now_ms() + 60'000;
  constexpr int kAddsPerCoroutine = 40;
  std::mutex mu;
  std::vector<std::int64_t> returned;
  std::atomic<int> failures{0};
  // Two replicas (a ledger each, on its own io_context and thread), 8 coroutines each.
  auto replica = [&](int r) {
    net::io_context ioc;
    RedisLedger ledger(ioc, address_of(server));
    for (int c = 0; c < 8; ++c) {
      net::co_spawn(
          ioc,
          [&, r, c]() -> net::awaitable<void> {
            for (int i = 0; i < kAddsPerCoroutine; ++i) {
              std::vector<CounterAdd> counters{counter("tok:shared", 1 + (r + c + i) % 5, exp)};
              std::vector<UsageAdd> usage{row("d:1", "k" + std::to_string(c % 2), "chat", 1, exp)};
              auto v = co_await ledger.add(counters, usage);
              std::lock_guard lock(mu);
              if (v) {
                returned.push_back(v->at(0));
              } else {
                ++failures;
              }
            }
          },
          net::detached);
    }
    ioc.run();
  };
  std::thread t0(replica, 0), t1(replica, 1);
  t0.join();
  t1.join();
  ASSERT_EQ(failures.load(), 0);
  std::int64_t total = 0;
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 8; ++c)
      for (int i = 0; i < kAddsPerCoroutine; ++i) total += 1 + (r + c + i) % 5;
  net::io_context ioc;
  RedisLedger reader(ioc, address_of(server));
  EXPECT_EQ(run(ioc, reader.read({"tok:shared"})), Values({total}));
  // Every addition saw its own value: no two additions interleaved.
  ASSERT_EQ(returned.size(), 2u * 8 * kAddsPerCoroutine);
  EXPECT_EQ(std::set<std::int64_t>(returned.begin(), returned.end()).size(), returned.size());
  EXPECT_EQ(*std::max_element(returned.begin(), returned.end()), total);
  const std::int64_t n = 8 * kAddsPerCoroutine;  // rows per key name: 2 replicas x 4 coroutines
  EXPECT_EQ(run(ioc, reader.usage("d:1")),
            (std::vector<UsageRow>{usage_row("k0", "chat", n), usage_row("k1", "chat", n)}));
}

TEST(RedisLedger, ExpiryIsSetAndNeverShortened) {
  RedisServer server;
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  RedisLedger ledger(ioc, address_of(server));
  const std::int64_t now = now_ms();
  auto pttl = [&](const std::string& key) { return std::stoll(server.command({"PTTL", key})); };
  const std::string c = "gw:acc:{ledger}:c:usd:k:a:d:1";
  const std::string u = "gw:acc:{ledger}:u:d:1|a|chat";
  const std::string m = "gw:acc:{ledger}:m:d:1";
  ASSERT_TRUE(run(ioc, ledger.add({counter("usd:k:a:d:1", 1, now + 60'000)},
                                  {row("d:1", "a", "chat", 1, now + 60'000)})));
  for (const auto& key : {c, u, m}) {
    EXPECT_GT(pttl(key), 50'000) << key;
    EXPECT_LE(pttl(key), 60'000) << key;
  }
  // An earlier expiry does not shorten it...
  ASSERT_TRUE(run(ioc, ledger.add({counter("usd:k:a:d:1", 1, now + 10'000)},
                                  {row("d:1", "a", "chat", 1, now + 10'000)})));
  for (const auto& key : {c, u, m}) EXPECT_GT(pttl(key), 50'000) << key;
  // ... a later one extends it.
  ASSERT_TRUE(run(ioc, ledger.add({counter("usd:k:a:d:1", 1, now + 120'000)},
                                  {row("d:1", "a", "chat", 1, now + 120'000)})));
  for (const auto& key : {c, u, m}) EXPECT_GT(pttl(key), 110'000) << key;
  EXPECT_EQ(run(ioc, ledger.read({"usd:k:a:d:1"})), Values({3}));
  // The ledger's record of applied batches expires too.
  const std::string ids = server.command({"KEYS", "gw:acc:{ledger}:ids:*"});
  ASSERT_FALSE(ids.empty());
  EXPECT_GT(pttl(ids), 0);
}

TEST(RedisLedger, UsageRowsAreSummedAndListedSorted) {
  RedisServer server;
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  RedisLedger ledger(ioc, address_of(server));
  const std::int64_t exp = now_ms() + 60'000;
  ASSERT_TRUE(run(ioc, ledger.add({}, {row("d:7", "team-b", "chat", 1, exp),
                                       row("d:7", "team-a", "embed", 2, exp)})));
  ASSERT_TRUE(
      run(ioc, ledger.add({}, {row("d:7", "team-a", "chat", 3, exp), row("d:7", "", "chat", 4, exp),
                               row("d:8", "team-a", "chat", 100, exp)})));
  ASSERT_TRUE(run(ioc, ledger.add({}, {row("d:7", "team-a", "chat", 5, exp)})));
  EXPECT_EQ(
      run(ioc, ledger.usage("d:7")),
      (std::vector<UsageRow>{usage_row("", "chat", 4), usage_row("team-a", "chat", 8),
                             usage_row("team-a", "embed", 2), usage_row("team-b", "chat", 1)}));
  EXPECT_EQ(run(ioc, ledger.usage("d:8")),
            (std::vector<UsageRow>{usage_row("team-a", "chat", 100)}));
  // The documented layout: a hash per row, a set of "<key>|<endpoint>" per bucket.
  EXPECT_EQ(server.command({"HGETALL", "gw:acc:{ledger}:u:d:7||chat"}),
            "requests,4,input,40,output,80,usd,120");
  EXPECT_EQ(server.command({"SISMEMBER", "gw:acc:{ledger}:m:d:7", "|chat"}), "1");
}

// Redis crashes and comes back on the same port (its data kept): a call while it is down
// returns nullopt and keeps its additions; read and usage return nullopt; the first call after
// it is back applies them, once, with its own.
TEST(RedisLedger, ChargesKeptWhileRedisIsDownAreAppliedOnceByTheNextCall) {
  TempDir dir;
  RedisServer server(durable(dir));
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  // No back-off, and a timer that stays out of the way: every call tries Redis.
  RedisLedgerTuning tuning;
  tuning.backoff = {std::chrono::milliseconds(0), std::chrono::milliseconds(0)};
  tuning.replay_after = std::chrono::hours(1);
  RedisLedger ledger(ioc, address_of(server), std::chrono::milliseconds(250), tuning);
  const std::int64_t exp = now_ms() + 60'000;
  ASSERT_EQ(run(ioc, ledger.add({counter("x", 10, exp)}, {row("d:1", "a", "chat", 1, exp)})),
            Values({10}));

  testing::internal::CaptureStderr();
  server.stop();
  // Sent on the pooled connection the crash closed: Redis may have run it, so it is kept
  // whole under its batch id.
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 5, exp)}, {row("d:1", "a", "chat", 2, exp)})),
            std::nullopt);
  EXPECT_EQ(ledger.pending(), 2u);
  // No connection: certainly not run, so merged per counter.
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 1, exp), counter("y", 2, exp)}, {})), std::nullopt);
  EXPECT_EQ(ledger.pending(), 4u);
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 1, exp)}, {})), std::nullopt);
  EXPECT_EQ(ledger.pending(), 4u);
  EXPECT_EQ(run(ioc, ledger.read({"x"})), std::nullopt);
  EXPECT_EQ(run(ioc, ledger.usage("d:1")), std::nullopt);

  ASSERT_TRUE(server.restart()) << server.child->output;
  EXPECT_EQ(server.command({"GET", "gw:acc:{ledger}:c:x"}), "10");  // kept by the server
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 100, exp)}, {})), Values({117}));
  EXPECT_EQ(ledger.pending(), 0u);
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(
      log.find("ledger store redis://127.0.0.1:" + std::to_string(server.port) + " unreachable ("),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("reachable again"), std::string::npos) << log;
  EXPECT_NE(log.find("4 kept additions applied"), std::string::npos) << log;

  net::io_context ioc2;
  RedisLedger replica(ioc2, address_of(server));
  EXPECT_EQ(run(ioc2, replica.read({"x", "y"})), Values({117, 2}));
  EXPECT_EQ(run(ioc2, replica.usage("d:1")), (std::vector<UsageRow>{usage_row("a", "chat", 3)}));
}

// No call comes after Redis is back: the replay timer applies the kept additions.
TEST(RedisLedger, TheReplayTimerAppliesKeptChargesOnceRedisIsBack) {
  TempDir dir;
  RedisServer server(durable(dir));
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  RedisLedger ledger(ioc, address_of(server));
  const std::int64_t exp = now_ms() + 60'000;
  ASSERT_EQ(run(ioc, ledger.add({counter("x", 4, exp)}, {})), Values({4}));
  server.stop();
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 6, exp)}, {})), std::nullopt);
  EXPECT_EQ(ledger.pending(), 1u);
  ASSERT_TRUE(server.restart()) << server.child->output;
  ASSERT_TRUE(run_until(ioc, [&] { return ledger.pending() == 0; }));
  EXPECT_EQ(server.command({"GET", "gw:acc:{ledger}:c:x"}), "10");
}

// A relay between the ledger and Redis that can swallow Redis' replies: a call then times out
// although Redis ran it (what a congested or broken network does). Runs on its own thread.
class ReplySwallowingRelay {
 public:
  explicit ReplySwallowingRelay(std::uint16_t redis_port)
      : redis_port_(redis_port), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    net::co_spawn(ioc_, accept_loop(), net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ReplySwallowingRelay() {
    ioc_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void swallow(bool on) { swallow_ = on; }
  // Waits until a reply was swallowed (Redis ran a command whose caller never heard back).
  bool wait_swallowed() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return swallowed_ > 0; });
  }

 private:
  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, client] = co_await acceptor_.async_accept(kTok);
      if (ec) co_return;
      auto down = std::make_shared<tcp::socket>(std::move(client));
      auto up = std::make_shared<tcp::socket>(ioc_);
      const tcp::endpoint redis(net::ip::make_address("127.0.0.1"), redis_port_);
      auto [cec] = co_await up->async_connect(redis, kTok);
      if (cec) continue;
      net::co_spawn(ioc_, pipe(down, up, false), net::detached);
      net::co_spawn(ioc_, pipe(up, down, true), net::detached);
    }
  }
  net::awaitable<void> pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
                            bool replies) {
    char buf[16384];
    for (;;) {
      auto [ec, n] = co_await from->async_read_some(net::buffer(buf), kTok);
      if (ec) break;
      if (replies && swallow_) {
        std::lock_guard lock(mu_);
        ++swallowed_;
        cv_.notify_all();
        continue;
      }
      auto [wec, wn] = co_await net::async_write(*to, net::buffer(buf, n), kTok);
      if (wec) break;
    }
    boost::system::error_code ignored;
    from->close(ignored);
    to->close(ignored);
  }

  std::uint16_t redis_port_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> swallow_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int swallowed_ = 0;
};

// The reply to an addition is lost after Redis applied it: the call returns nullopt and keeps
// it (Redis may not have run it), its retry on a fresh connection and the replay both carry
// the same batch id, and Redis skips the batch it already applied.
TEST(RedisLedger, AnAdditionWhoseReplyWasLostIsNotCountedTwice) {
  RedisServer server;
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  ReplySwallowingRelay relay(server.port);
  RedisAddress via_relay;
  via_relay.port = std::to_string(relay.port());
  net::io_context ioc;
  RedisLedger ledger(ioc, via_relay, std::chrono::milliseconds(200));
  const std::int64_t exp = now_ms() + 60'000;
  ASSERT_EQ(run(ioc, ledger.add({counter("x", 1, exp)}, {})), Values({1}));

  relay.swallow(true);
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 2, exp)}, {row("d:1", "a", "chat", 1, exp)})),
            std::nullopt);
  ASSERT_TRUE(relay.wait_swallowed());
  EXPECT_EQ(server.command({"GET", "gw:acc:{ledger}:c:x"}), "3");  // Redis did apply it
  EXPECT_EQ(ledger.pending(), 2u);

  relay.swallow(false);
  ASSERT_TRUE(run_until(ioc, [&] { return ledger.pending() == 0; }));  // the replay timer
  EXPECT_EQ(server.command({"GET", "gw:acc:{ledger}:c:x"}), "3");
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 1, exp)}, {})), Values({4}));
  EXPECT_EQ(run(ioc, ledger.usage("d:1")), (std::vector<UsageRow>{usage_row("a", "chat", 1)}));
}

RedisLedgerTuning no_backoff() {
  RedisLedgerTuning tuning;
  tuning.backoff = {std::chrono::milliseconds(0), std::chrono::milliseconds(0)};
  tuning.replay_after = std::chrono::hours(1);
  return tuning;
}

// Kept additions are bounded: past the cap, new counters and rows are dropped (logged once),
// while ones already kept still merge.
TEST(RedisLedger, KeptChargesAreCappedAndDroppingIsLoggedOnce) {
  TempDir dir;
  RedisServer server(durable(dir));
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  RedisLedgerTuning tuning = no_backoff();
  tuning.max_pending = 3;
  RedisLedger ledger(ioc, address_of(server), std::chrono::milliseconds(250), tuning);
  const std::int64_t exp = now_ms() + 60'000;

  testing::internal::CaptureStderr();
  server.stop();
  EXPECT_FALSE(run(ioc, ledger.add({counter("a", 1, exp), counter("b", 1, exp)}, {})));
  EXPECT_FALSE(run(ioc, ledger.add({counter("c", 1, exp), counter("d", 1, exp)},
                                   {row("d:1", "a", "chat", 1, exp)})));
  EXPECT_FALSE(run(ioc, ledger.add({counter("e", 1, exp)}, {})));
  EXPECT_FALSE(run(ioc, ledger.add({counter("a", 10, exp)}, {})));
  EXPECT_EQ(ledger.pending(), 3u);
  ASSERT_TRUE(server.restart()) << server.child->output;
  EXPECT_EQ(run(ioc, ledger.read({"a", "b", "c", "d", "e"})), Values({11, 1, 1, 0, 0}));
  EXPECT_EQ(run(ioc, ledger.usage("d:1")), std::vector<UsageRow>{});
  const std::string log = testing::internal::GetCapturedStderr();
  const std::string dropping = "3 additions are waiting for it; further ones are dropped";
  const auto first = log.find(dropping);
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(dropping, first + 1), std::string::npos) << log;
}

// A kept counter whose expiry passed before Redis was back is not replayed.
TEST(RedisLedger, KeptChargesWhoseExpiryPassedAreNotReplayed) {
  TempDir dir;
  RedisServer server(durable(dir));
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  net::io_context ioc;
  RedisLedger ledger(ioc, address_of(server), std::chrono::milliseconds(250), no_backoff());
  testing::internal::CaptureStderr();
  server.stop();
  // (This one's expiry has passed already: as if the outage had outlasted it.)
  EXPECT_FALSE(
      run(ioc, ledger.add({counter("live", 1, now_ms() + 60'000), counter("old", 1, now_ms() - 1)},
                          {row("d:0", "a", "chat", 1, now_ms() - 1)})));
  EXPECT_EQ(ledger.pending(), 3u);
  ASSERT_TRUE(server.restart()) << server.child->output;
  EXPECT_EQ(run(ioc, ledger.read({"live", "old"})), Values({1, 0}));
  EXPECT_EQ(ledger.pending(), 0u);
  EXPECT_EQ(server.command({"EXISTS", "gw:acc:{ledger}:c:old"}), "0");
  EXPECT_EQ(server.command({"EXISTS", "gw:acc:{ledger}:m:d:0"}), "0");
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("2 kept additions expired before it was back and are dropped"),
            std::string::npos)
      << log;
}

TEST(RedisLedger, PasswordIsNeverLogged) {
  TempDir dir;
  std::vector<std::string> options = durable(dir);
  options.insert(options.end(), {"--requirepass", "ledger-s3cret"});
  RedisServer server(options);
  ASSERT_TRUE(server.ready()) << "redis-server is required (bash .ci/setup installs it)";
  auto address =
      parse_redis_uri("redis://:ledger-s3cret@127.0.0.1:" + std::to_string(server.port) + "/2");
  auto wrong = parse_redis_uri("redis://:wrong-s3cret@127.0.0.1:" + std::to_string(server.port));
  ASSERT_TRUE(address && wrong);
  testing::internal::CaptureStderr();
  net::io_context ioc;
  RedisLedger ledger(ioc, *address);
  const std::int64_t exp = now_ms() + 60'000;
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 1, exp)}, {})), Values({1}));
  server.stop();
  EXPECT_EQ(run(ioc, ledger.add({counter("x", 1, exp)}, {})), std::nullopt);
  ASSERT_TRUE(server.restart());
  ASSERT_TRUE(run_until(ioc, [&] { return ledger.pending() == 0; }));
  EXPECT_EQ(run(ioc, ledger.read({"x"})), Values({2}));
  RedisLedger refused(ioc, *wrong);
  EXPECT_EQ(run(ioc, refused.read({"x"})), std::nullopt);
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("ledger store redis://***@127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find("AUTH refused: WRONGPASS"), std::string::npos) << log;
  EXPECT_NE(log.find("reachable again"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
}

}  // namespace
}  // namespace gw::test
