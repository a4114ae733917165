#include "gateway/redis_ledger.h"

#include <hiredis/hiredis.h>

#include <openssl/evp.h>

#include <boost/asio.hpp>
#include <algorithm>
#include <charconv>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "gateway/log.h"

namespace gw {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using Values = std::vector<std::int64_t>;
constexpr auto kTok = net::as_tuple(net::use_awaitable);

// Adds batches of counters and usage rows, atomically; returns the last batch's counter values.
// KEYS[1] is this ledger's set of applied batch ids; then, batch by batch, its counters' keys
// and, per usage row, the row's hash and its bucket's member set. ARGV: the id below which
// recorded ids are pruned, the id set's expiry, the number of batches; then per batch its id,
// counter count and row count, (amount, expiry) per counter, (member, requests, input, output,
// usd, expiry) per row. A batch whose id is recorded was applied before (a call that timed out
// after Redis ran it): it is skipped, and its counters' current values are returned. Expiries
// are UNIX ms, only ever extended (0: none); the script's clock is Redis' TIME.
constexpr const char* kScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function extend(key, at)
  at = tonumber(at)
  if at <= 0 then return end
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or now + ttl < at then redis.call('PEXPIREAT', key, at) end
end
local ids = KEYS[1]
redis.call('ZREMRANGEBYSCORE', ids, '-inf', '(' .. ARGV[1])
local k, a, out = 2, 4, {}
for b = 1, tonumber(ARGV[3]) do
  local fresh = redis.call('ZADD', ids, 'NX', ARGV[a], ARGV[a]) == 1
  local nc, nr = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a, out = a + 3, {}
  for i = 1, nc do
    if fresh then
      out[i] = redis.call('INCRBY', KEYS[k], ARGV[a])
      extend(KEYS[k], ARGV[a + 1])
    else
      out[i] = tonumber(redis.call('GET', KEYS[k]) or '0')
    end
    k, a = k + 1, a + 2
  end
  for i = 1, nr do
    if fresh then
      redis.call('HINCRBY', KEYS[k], 'requests', ARGV[a + 1])
      redis.call('HINCRBY', KEYS[k], 'input', ARGV[a + 2])
      redis.call('HINCRBY', KEYS[k], 'output', ARGV[a + 3])
      redis.call('HINCRBY', KEYS[k], 'usd', ARGV[a + 4])
      redis.call('SADD', KEYS[k + 1], ARGV[a])
      extend(KEYS[k], ARGV[a + 5])
      extend(KEYS[k + 1], ARGV[a + 5])
    end
    k, a = k + 2, a + 6
  end
end
extend(ids, ARGV[2])
return out
)lua";

const std::string kPrefix = "gw:acc:{ledger}:";
// Recorded ids kept below the oldest unresolved one: a command that a connection the ledger
// gave up on delivers late still finds its id.
constexpr std::uint64_t kIdMargin = 1024;
constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

std::string counter_key(const std::string& key) { return kPrefix + "c:" + key; }
std::string members_key(const std::string& bucket) { return kPrefix + "m:" + bucket; }
std::string member(const UsageAdd& u) { return u.key_name + "|" + u.endpoint; }
std::string row_key(const std::string& bucket, const std::string& member) {
  return kPrefix + "u:" + bucket + "|" + member;
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An expiry of 0 (or less) means none: such an addition never expires while kept.
bool expired(std::int64_t expires_at_ms, std::int64_t now_ms) {
  return expires_at_ms > 0 && expires_at_ms <= now_ms;
}

std::optional<std::int64_t> to_int(const char* s, std::size_t n) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s, s + n, v);
  if (ec != std::errc() || end != s + n) return std::nullopt;
  return v;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xf];
  }
  return out;
}

std::string sha1_hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr);
  return hex(md, len);
}

// Names this ledger's ids set: random, so ledgers (workers, replicas, restarts) never share one.
std::string random_instance() {
  std::random_device rd;
  std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(v >> (8 * i));
  return hex(bytes, 8);
}

// One call's additions, sent to Redis under one id. `sealed`: it was sent (or may have been)
// under this id, so it is kept whole and its id reused, and Redis skips it if it ran before.
struct Batch {
  std::uint64_t id = 0;  // 0: not yet assigned
  bool sealed = false;
  std::vector<CounterAdd> counters;
  std::vector<UsageAdd> usage;
  std::size_t entries() const { return counters.size() + usage.size(); }
};

void merge_into(UsageAdd& into, const UsageAdd& u) {
  into.requests += u.requests;
  into.input_tokens += u.input_tokens;
  into.output_tokens += u.output_tokens;
  into.usd += u.usd;
  into.expires_at_ms = std::max(into.expires_at_ms, u.expires_at_ms);
}

// Additions waiting for Redis: those never sent are merged per counter key and usage row;
// sealed batches are kept whole. size() counts counters, rows and sealed batches, and is
// capped: what would pass the cap is dropped (the return values count it).
class Pending {
 public:
  explicit Pending(std::size_t cap) : cap_(cap) {}
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t additions() const { return size_ - sealed_.size(); }  // counters and rows

  std::size_t merge(const std::vector<CounterAdd>& counters, const std::vector<UsageAdd>& usage) {
    std::size_t dropped = 0;
    for (const auto& c : counters) {
      auto it = counters_.find(c.key);
      if (it == counters_.end() && size_ >= cap_) {
        ++dropped;
      } else if (it == counters_.end()) {
        counters_.emplace(c.key, c);
        ++size_;
      } else {
        it->second.amount += c.amount;
        it->second.expires_at_ms = std::max(it->second.expires_at_ms, c.expires_at_ms);
      }
    }
    for (const auto& u : usage) {
      const auto key = std::tie(u.bucket, u.key_name, u.endpoint);
      auto it = rows_.find(key);
      if (it == rows_.end() && size_ >= cap_) {
        ++dropped;
      } else if (it == rows_.end()) {
        rows_.emplace(std::make_tuple(u.bucket, u.key_name, u.endpoint), u);
        ++size_;
      } else {
        merge_into(it->second, u);
      }
    }
    return dropped;
  }

  std::size_t seal(Batch b) {
    if (size_ + b.entries() + 1 > cap_) return b.entries();
    size_ += b.entries() + 1;
    b.sealed = true;
    sealed_.push_back(std::move(b));
    return 0;
  }

  // Everything, for one replay: the sealed batches, then the merged additions as one new
  // batch. Additions whose expiry passed are dropped (`expired_out` counts them).
  std::vector<Batch> take(std::int64_t now_ms, std::size_t& expired_out) {
    std::vector<Batch> out = std::move(sealed_);
    Batch open;
    for (auto& [key, c] : counters_) open.counters.push_back(std::move(c));
    for (auto& [key, u] : rows_) open.usage.push_back(std::move(u));
    if (open.entries() > 0) out.push_back(std::move(open));
    for (auto& b : out) {
      const auto before = b.entries();
      std::erase_if(b.counters,
                    [&](const CounterAdd& c) { return expired(c.expires_at_ms, now_ms); });
      std::erase_if(b.usage, [&](const UsageAdd& u) { return expired(u.expires_at_ms, now_ms); });
      expired_out += before - b.entries();
    }
    sealed_.clear();
    counters_.clear();
    rows_.clear();
    size_ = 0;
    return out;
  }

 private:
  std::size_t cap_;
  std::size_t size_ = 0;
  std::map<std::string, CounterAdd> counters_;
  std::map<std::tuple<std::string, std::string, std::string>, UsageAdd> rows_;
  std::vector<Batch> sealed_;
};

// The script call's arguments (after the command name and script): see kScript.
std::vector<std::string> script_args(const std::vector<Batch>& batches, const std::string& ids,
                                     std::uint64_t prune_below, std::int64_t ids_expiry) {
  std::vector<std::string> keys{ids};
  std::vector<std::string> argv{std::to_string(prune_below), std::to_string(ids_expiry),
                                std::to_string(batches.size())};
  for (const auto& b : batches) {
    argv.push_back(std::to_string(b.id));
    argv.push_back(std::to_string(b.counters.size()));
    argv.push_back(std::to_string(b.usage.size()));
    for (const auto& c : b.counters) {
      keys.push_back(counter_key(c.key));
      argv.push_back(std::to_string(c.amount));
      argv.push_back(std::to_string(c.expires_at_ms));
    }
    for (const auto& u : b.usage) {
      const std::string m = member(u);
      keys.push_back(row_key(u.bucket, m));
      keys.push_back(members_key(u.bucket));
      argv.push_back(m);
      for (std::int64_t v : {u.requests, u.input_tokens, u.output_tokens, u.usd, u.expires_at_ms})
        argv.push_back(std::to_string(v));
    }
  }
  std::vector<std::string> args{"", "", std::to_string(keys.size())};
  args.insert(args.end(), std::make_move_iterator(keys.begin()),
              std::make_move_iterator(keys.end()));
  args.insert(args.end(), std::make_move_iterator(argv.begin()),
              std::make_move_iterator(argv.end()));
  return args;
}

// The script's reply: `n` integers.
std::optional<Values> parse_values(const redisReply* r, std::size_t n) {
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != n) return std::nullopt;
  Values out;
  for (std::size_t i = 0; i < n; ++i) {
    if (r->element[i]->type != REDIS_REPLY_INTEGER) return std::nullopt;
    out.push_back(r->element[i]->integer);
  }
  return out;
}

// MGET's reply: a value per key, absent ones (nil) read as 0.
std::optional<Values> parse_mget(const redisReply* r, std::size_t n) {
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != n) return std::nullopt;
  Values out;
  for (std::size_t i = 0; i < n; ++i) {
    const redisReply* e = r->element[i];
    if (e->type == REDIS_REPLY_NIL) {
      out.push_back(0);
      continue;
    }
    auto v = e->type == REDIS_REPLY_STRING ? to_int(e->str, e->len) : std::nullopt;
    if (!v) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

// One HGETALL reply as a usage row; nullopt for an empty hash (a row that expired) or a bad one.
std::optional<UsageRow> parse_row(const redisReply* r, const std::string& member) {
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0 || r->elements % 2 != 0)
    return std::nullopt;
  UsageRow row;
  const auto bar = member.find('|');
  if (bar == std::string::npos) return std::nullopt;
  row.key_name = member.substr(0, bar);
  row.endpoint = member.substr(bar + 1);
  const std::map<std::string, std::int64_t*> fields{{"requests", &row.requests},
                                                    {"input", &row.input_tokens},
                                                    {"output", &row.output_tokens},
                                                    {"usd", &row.usd}};
  for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
    const redisReply* f = r->element[i];
    const redisReply* v = r->element[i + 1];
    if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) return std::nullopt;
    auto it = fields.find(std::string(f->str, f->len));
    auto value = to_int(v->str, v->len);
    if (it != fields.end() && value) *it->second = *value;
  }
  return row;
}

std::string error_of(const RedisClient::Result& r) {
  if (!r.replies.empty() && r.replies[0]->type == REDIS_REPLY_ERROR)
    return std::string(r.replies[0]->str, r.replies[0]->len);
  return r.error.empty() ? "unexpected reply" : r.error;
}

}  // namespace

struct RedisLedger::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& io, RedisAddress address, std::chrono::milliseconds timeout,
       RedisLedgerTuning t)
      : ioc(io),
        client(io, std::move(address), timeout, "ledger store",
               "; additions are kept and replayed once it is back", t.backoff),
        tuning(t),
        script_sha(sha1_hex(kScript)),
        ids_key(kPrefix + "ids:" + random_instance()),
        pending(t.max_pending),
        timer(io) {}

  net::io_context& ioc;
  RedisClient client;
  RedisLedgerTuning tuning;
  const std::string script_sha;
  const std::string ids_key;
  std::uint64_t next_id = 1;
  std::multiset<std::uint64_t> unresolved;  // ids sent or sealed, not yet known to be applied
  Pending pending;
  bool replaying = false;       // a call holds the pending batches (at most one at a time)
  std::size_t replaying_n = 0;  // the additions in them
  bool loop_running = false;    // the replay timer's coroutine runs
  bool stopped = false;         // the RedisLedger is gone
  bool drop_logged = false;     // "dropping" was logged (until the pending additions drain)
  net::steady_timer timer;

  std::uint64_t prune_below() const {
    const std::uint64_t oldest = unresolved.empty() ? next_id : *unresolved.begin();
    return oldest > kIdMargin ? oldest - kIdMargin : 0;
  }

  void resolve(std::uint64_t id) {
    if (auto it = unresolved.find(id); it != unresolved.end()) unresolved.erase(it);
  }

  void count_dropped(std::size_t dropped) {
    if (dropped == 0 || drop_logged) return;
    drop_logged = true;
    log::error("ledger store " + client.address().redacted() + ": " +
               std::to_string(tuning.max_pending) +
               " additions are waiting for it; further ones are dropped until it is back");
  }

  // Keeps additions that were never sent, and makes sure the timer will replay them.
  void keep(const std::vector<CounterAdd>& counters, const std::vector<UsageAdd>& usage) {
    count_dropped(pending.merge(counters, usage));
    start_replay_timer();
  }

  // Keeps the batches of a failed script call: whole (sealed) when it may have run, or when
  // an earlier call may have run them; merged again when it certainly did not run.
  void keep_failed(std::vector<Batch> batches, bool maybe_applied) {
    for (auto& b : batches) {
      const std::uint64_t id = b.id;
      if (maybe_applied || b.sealed) {
        const auto dropped = pending.seal(std::move(b));
        if (dropped > 0) resolve(id);  // (a batch is dropped whole)
        count_dropped(dropped);
      } else {
        resolve(id);
        count_dropped(pending.merge(b.counters, b.usage));
      }
    }
    start_replay_timer();
  }

  void start_replay_timer() {
    if (loop_running || stopped || pending.empty()) return;
    loop_running = true;
    net::co_spawn(ioc, replay_loop(shared_from_this()), net::detached);
  }

  // While additions are kept: wakes at the end of each back-off (no sooner than replay_after)
  // and replays them, unless a call does first.
  static net::awaitable<void> replay_loop(std::shared_ptr<Impl> self) {
    Impl& s = *self;
    while (!s.stopped && !s.pending.empty()) {
      s.timer.expires_at(std::max(s.client.retry_at(), Clock::now() + s.tuning.replay_after));
      co_await s.timer.async_wait(kTok);
      if (s.stopped) break;
      if (!s.client.backing_off()) co_await s.replay();
    }
    s.loop_running = false;
  }

  // Replays the kept additions in one script call (when no other call is doing so).
  net::awaitable<void> replay() {
    if (replaying || pending.empty()) co_return;
    replaying = true;
    auto batches = take_pending();
    const std::size_t n = entries(batches);
    if (!batches.empty()) {
      auto applied = co_await apply(std::move(batches));
      if (applied) log_replayed(n);
    }
    replaying = false;
    replaying_n = 0;
  }

  // The kept additions, for a replay (the caller sets `replaying` until it is done).
  std::vector<Batch> take_pending() {
    std::size_t expired_n = 0;
    auto batches = pending.take(unix_ms(), expired_n);
    replaying_n = entries(batches);
    if (expired_n > 0) {
      log::warn("ledger store " + client.address().redacted() + ": " + std::to_string(expired_n) +
                " kept additions expired before it was back and are dropped");
    }
    return batches;
  }

  static std::size_t entries(const std::vector<Batch>& batches) {
    std::size_t n = 0;
    for (const auto& b : batches) n += b.entries();
    return n;
  }

  void log_replayed(std::size_t n) {
    log::info("ledger store " + client.address().redacted() + ": " + std::to_string(n) +
              " kept additions applied");
  }

  // Sends `batches` in one script call (EVALSHA, then EVAL if Redis does not have the script).
  // The last batch's counter values; nullopt after a failure, the batches then being kept.
  net::awaitable<std::optional<Values>> apply(std::vector<Batch> batches) {
    std::size_t n = 0;
    std::int64_t ids_expiry = unix_ms() + kDayMs;
    for (auto& b : batches) {
      if (b.id == 0) unresolved.insert(b.id = next_id++);
      n += b.entries();
      for (const auto& c : b.counters) ids_expiry = std::max(ids_expiry, c.expires_at_ms);
      for (const auto& u : b.usage) ids_expiry = std::max(ids_expiry, u.expires_at_ms);
    }
    auto args = script_args(batches, ids_key, prune_below(), ids_expiry);
    args[0] = "EVALSHA";
    args[1] = script_sha;
    // A large replay takes Redis longer: 1 ms more per 100 entries.
    const auto limit = client.timeout() + std::chrono::milliseconds(n / 100);
    std::string cmd = format_redis_command(args);
    auto r = co_await client.exchange(cmd, 1, limit);
    if (!r.replies.empty() && error_of(r).rfind("NOSCRIPT", 0) == 0) {
      args[0] = "EVAL";
      args[1] = kScript;
      cmd = format_redis_command(args);
      r = co_await client.exchange(cmd, 1, limit);
    }
    const redisReply* reply = r.replies.empty() ? nullptr : r.replies[0].get();
    auto values = parse_values(reply, batches.back().counters.size());
    if (!values) {
      client.mark_down(error_of(r));
      keep_failed(std::move(batches), r.maybe_sent || reply != nullptr);
      co_return std::nullopt;
    }
    client.mark_up();
    for (const auto& b : batches) resolve(b.id);
    if (pending.empty()) drop_logged = false;
    co_return values;
  }

  net::awaitable<std::optional<Values>> add(const std::vector<CounterAdd>& counters,
                                            const std::vector<UsageAdd>& usage) {
    if (client.backing_off()) {
      keep(counters, usage);
      co_return std::nullopt;
    }
    const bool took = !replaying && !pending.empty();
    if (!took && counters.empty() && usage.empty()) co_return Values{};
    // Kept additions go first, in the same script call.
    std::vector<Batch> batches;
    if (took) {
      replaying = true;
      batches = take_pending();
    }
    const std::size_t kept = entries(batches);
    Batch own;
    own.counters = counters;
    own.usage = usage;
    batches.push_back(std::move(own));
    auto values = co_await apply(std::move(batches));
    if (took) {
      replaying = false;
      replaying_n = 0;
    }
    if (values && kept > 0) log_replayed(kept);
    co_return values;
  }

  // Replays kept additions first (so a read sees them); false when Redis is not to be tried.
  net::awaitable<bool> ready_to_read() {
    if (!client.backing_off() && !pending.empty() && !replaying) co_await replay();
    co_return !client.backing_off();
  }

  net::awaitable<std::optional<Values>> read(const std::vector<std::string>& keys) {
    const bool ready = co_await ready_to_read();
    if (!ready) co_return std::nullopt;
    if (keys.empty()) co_return Values{};
    std::vector<std::string> args{"MGET"};
    for (const auto& k : keys) args.push_back(counter_key(k));
    const std::string cmd = format_redis_command(args);
    auto r = co_await client.exchange(cmd);
    auto values = parse_mget(r.replies.empty() ? nullptr : r.replies[0].get(), keys.size());
    if (!values) {
      client.mark_down(error_of(r));
      co_return std::nullopt;
    }
    client.mark_up();
    co_return values;
  }

  // The bucket's members (SMEMBERS); nullopt after a failure.
  net::awaitable<std::optional<std::vector<std::string>>> members(const std::string& bucket) {
    const std::string cmd =
        format_redis_command(std::vector<std::string>{"SMEMBERS", members_key(bucket)});
    auto r = co_await client.exchange(cmd);
    const redisReply* reply = r.replies.empty() ? nullptr : r.replies[0].get();
    if (!reply || reply->type != REDIS_REPLY_ARRAY) {
      client.mark_down(error_of(r));
      co_return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < reply->elements; ++i) {
      const redisReply* e = reply->element[i];
      if (e->type == REDIS_REPLY_STRING) out.emplace_back(e->str, e->len);
    }
    co_return out;
  }

  net::awaitable<std::optional<std::vector<UsageRow>>> usage(const std::string& bucket) {
    const bool ready = co_await ready_to_read();
    if (!ready) co_return std::nullopt;
    auto names = co_await members(bucket);
    if (!names) co_return std::nullopt;
    std::vector<UsageRow> rows;
    if (!names->empty()) {
      std::string cmds;  // one pipeline: HGETALL per member
      for (const auto& m : *names)
        cmds += format_redis_command(std::vector<std::string>{"HGETALL", row_key(bucket, m)});
      auto r = co_await client.exchange(cmds, names->size());
      if (r.replies.empty()) {
        client.mark_down(error_of(r));
        co_return std::nullopt;
      }
      for (std::size_t i = 0; i < names->size(); ++i) {
        if (auto row = parse_row(r.replies[i].get(), (*names)[i])) rows.push_back(*row);
      }
    }
    client.mark_up();
    std::sort(rows.begin(), rows.end(), [](const UsageRow& a, const UsageRow& b) {
      return std::tie(a.key_name, a.endpoint) < std::tie(b.key_name, b.endpoint);
    });
    co_return rows;
  }
};

RedisLedger::RedisLedger(net::io_context& ioc, RedisAddress address,
                         std::chrono::milliseconds timeout, RedisLedgerTuning tuning)
    : impl_(std::make_shared<Impl>(ioc, std::move(address), timeout, tuning)) {}

RedisLedger::~RedisLedger() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

net::awaitable<std::optional<Values>> RedisLedger::read(const std::vector<std::string>& keys) {
  return impl_->read(keys);
}

net::awaitable<std::optional<Values>> RedisLedger::add(const std::vector<CounterAdd>& counters,
                                                       const std::vector<UsageAdd>& usage) {
  return impl_->add(counters, usage);
}

net::awaitable<std::optional<std::vector<UsageRow>>> RedisLedger::usage(const std::string& bucket) {
  return impl_->usage(bucket);
}

void RedisLedger::close() {
  impl_->stopped = true;
  impl_->timer.cancel();
  if (const std::size_t n = pending()) {
    log::error("ledger store " + impl_->client.address().redacted() + ": shutting down with " +
               std::to_string(n) +
               " token and spend additions that could not reach Redis; they are lost");
  }
}

std::size_t RedisLedger::pending() const { return impl_->pending.additions() + impl_->replaying_n; }

}  // namespace gw
