#include "gateway/redis_limiter.h"

#include <hiredis/hiredis.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <vector>

#include "gateway/log.h"

namespace gw {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace boost::asio::experimental::awaitable_operators;
constexpr auto kTok = net::as_tuple(net::use_awaitable);

// Fixed-window counter, atomically: reject without counting when the window is full, else
// count; the key expires with its window. Returns {admitted 0/1, count after this call}.
constexpr const char* kScript = R"lua(
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return {0, n} end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, n}
)lua";

std::string format_command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* out = nullptr;
  int n = redisFormatCommandArgv(&out, static_cast<int>(args.size()), argv.data(), lens.data());
  std::string cmd = n > 0 ? std::string(out, static_cast<std::size_t>(n)) : std::string();
  redisFreeCommand(out);
  return cmd;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

struct Connection {
  explicit Connection(net::io_context& ioc) : socket(ioc), reader(redisReaderCreate()) {}
  ~Connection() { redisReaderFree(reader); }
  tcp::socket socket;
  redisReader* reader;
};

}  // namespace

std::optional<RedisAddress> parse_redis_uri(const std::string& uri) {
  const std::string scheme = "redis://";
  if (uri.rfind(scheme, 0) != 0) return std::nullopt;
  std::string rest = uri.substr(scheme.size());
  RedisAddress a;
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos && slash + 1 < rest.size()) {
    std::string db = rest.substr(slash + 1);
    if (db.empty() || db.find_first_not_of("0123456789") != std::string::npos || db.size() > 4)
      return std::nullopt;
    a.db = std::stoi(db);
  }
  if (hostport.find('@') != std::string::npos) return std::nullopt;  // no credentials (yet)
  auto colon = hostport.rfind(':');
  if (colon != std::string::npos) {
    a.host = hostport.substr(0, colon);
    a.port = hostport.substr(colon + 1);
    if (a.port.empty() || a.port.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
  } else if (!hostport.empty()) {
    a.host = hostport;
  }
  if (a.host.empty()) return std::nullopt;
  return a;
}

struct RedisLimiter::Impl {
  Impl(net::io_context& io, RedisAddress addr, std::chrono::milliseconds t)
      : ioc(io), address(std::move(addr)), timeout(t) {}

  net::io_context& ioc;
  RedisAddress address;
  std::chrono::milliseconds timeout;
  std::vector<std::unique_ptr<Connection>> idle;
  Clock::time_point down_until{};
  std::chrono::milliseconds backoff{100};
  bool down = false;

  void mark_down(const std::string& why) {
    if (!down) {
      log::error("rate-limit store redis://" + address.host + ":" + address.port +
                 " unreachable (" + why + "); limits fall back to the configured failure mode");
    }
    down = true;
    down_until = Clock::now() + backoff;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  void mark_up() {
    if (down) log::info("rate-limit store redis://" + address.host + ":" + address.port + " reachable again");
    down = false;
    backoff = std::chrono::milliseconds(100);
  }

  // Sends one command and reads one reply, bounded by `timeout` in total.
  net::awaitable<ReplyPtr> roundtrip(Connection& c, const std::string& cmd, std::string& err) {
    net::steady_timer timer(ioc, timeout);
    auto io = [&]() -> net::awaitable<ReplyPtr> {
      auto [wec, wn] = co_await net::async_write(c.socket, net::buffer(cmd), kTok);
      if (wec) {
        err = wec.message();
        co_return nullptr;
      }
      char buf[4096];
      for (;;) {
        void* reply = nullptr;
        if (redisReaderGetReply(c.reader, &reply) != REDIS_OK) {
          err = "protocol error";
          co_return nullptr;
        }
        if (reply) co_return ReplyPtr(static_cast<redisReply*>(reply));
        auto [rec, n] = co_await c.socket.async_read_some(net::buffer(buf), kTok);
        if (rec) {
          err = rec.message();
          co_return nullptr;
        }
        redisReaderFeed(c.reader, buf, n);
      }
    };
    auto result = co_await (io() || timer.async_wait(kTok));
    if (result.index() == 1) {
      err = "timed out after " + std::to_string(timeout.count()) + " ms";
      co_return nullptr;
    }
    co_return std::move(std::get<0>(result));
  }

  net::awaitable<std::unique_ptr<Connection>> connect(std::string& err) {
    auto c = std::make_unique<Connection>(ioc);
    tcp::resolver resolver(ioc);
    net::steady_timer timer(ioc, timeout);
    auto attempt = [&]() -> net::awaitable<error_code> {
      auto [rec, results] = co_await resolver.async_resolve(address.host, address.port, kTok);
      if (rec) co_return rec;
      auto [cec, ep] = co_await net::async_connect(c->socket, results, kTok);
      co_return cec;
    };
    auto result = co_await (attempt() || timer.async_wait(kTok));
    if (result.index() == 1) {
      err = "connect timed out";
      co_return nullptr;
    }
    if (auto ec = std::get<0>(result)) {
      err = ec.message();
      co_return nullptr;
    }
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    if (address.db != 0) {
      // Built before the co_await: GCC 12 miscompiles braced lists inside co_await operands.
      const std::string select = format_command(std::vector<std::string>{"SELECT", std::to_string(address.db)});
      auto reply = co_await roundtrip(*c, select, err);
      if (!reply || reply->type == REDIS_REPLY_ERROR) {
        if (reply) err = std::string(reply->str, reply->len);
        co_return nullptr;
      }
    }
    co_return c;
  }

  net::awaitable<std::optional<LimitDecision>> hit(const std::string& key,
                                                   const config::LimitConfig& limit,
                                                   std::chrono::system_clock::time_point now) {
    if (down && Clock::now() < down_until) co_return std::nullopt;
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const Window w = window_of(limit, now_ms);
    std::string err;
    const std::string redis_key = "gw:rl:" + key + "|" + std::to_string(w.index);
    const std::string ttl = std::to_string(w.end_ms - now_ms + 1000);
    // Built before the co_await: GCC 12 miscompiles braced lists inside co_await operands.
    const std::string eval = format_command(std::vector<std::string>{
        "EVAL", kScript, "1", redis_key, std::to_string(limit.calls), ttl});
    ReplyPtr reply;
    std::unique_ptr<Connection> c;
    // A pooled connection may have died with a Redis restart: one retry on a fresh one.
    for (int attempt = 0; attempt < 2 && !reply; ++attempt) {
      const bool pooled = attempt == 0 && !idle.empty();
      if (pooled) {
        c = std::move(idle.back());
        idle.pop_back();
      } else {
        c = co_await connect(err);
        if (!c) break;
      }
      // The key names the window, so a replica never extends another replica's window.
      reply = co_await roundtrip(*c, eval, err);
      if (!reply && !pooled) break;
    }
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER ||
        reply->element[1]->type != REDIS_REPLY_INTEGER) {
      if (reply && reply->type == REDIS_REPLY_ERROR) err = std::string(reply->str, reply->len);
      if (err.empty()) err = "unexpected reply";
      mark_down(err);  // the connection is dropped, not returned
      co_return std::nullopt;
    }
    mark_up();
    LimitDecision d;
    d.allowed = reply->element[0]->integer == 1;
    d.limit = limit.calls;
    d.remaining = std::max<std::int64_t>(0, limit.calls - reply->element[1]->integer);
    d.reset_ms = w.end_ms - now_ms;
    if (idle.size() < 64) idle.push_back(std::move(c));
    co_return d;
  }
};

RedisLimiter::RedisLimiter(net::io_context& ioc, RedisAddress address,
                           std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(ioc, std::move(address), timeout)) {}
RedisLimiter::~RedisLimiter() = default;

net::awaitable<std::optional<LimitDecision>> RedisLimiter::hit(
    const std::string& key, const config::LimitConfig& limit,
    std::chrono::system_clock::time_point now) {
  return impl_->hit(key, limit, now);
}

}  // namespace gw
