#include "gateway/redis_client.h"

#include <hiredis/hiredis.h>

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>

#include "config/url.h"
#include "gateway/log.h"

namespace gw {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace boost::asio::experimental::awaitable_operators;
constexpr auto kTok = net::as_tuple(net::use_awaitable);

// One connection to Redis: plain TCP, or TLS over it for rediss://.
struct Connection {
  explicit Connection(net::io_context& ioc) : socket(ioc), reader(redisReaderCreate()) {}
  ~Connection() { redisReaderFree(reader); }
  tcp::socket socket;
  std::unique_ptr<ssl::stream<tcp::socket&>> tls;
  redisReader* reader;

  template <class Buffers>
  auto write(const Buffers& b) {
    return tls ? net::async_write(*tls, b, kTok) : net::async_write(socket, b, kTok);
  }
  template <class Buffers>
  auto read_some(const Buffers& b) {
    return tls ? tls->async_read_some(b, kTok) : socket.async_read_some(b, kTok);
  }
};

}  // namespace

void RedisReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

std::string format_redis_command(const std::vector<std::string>& args) {
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

std::string redact_uri(const std::string& uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return uri.find('@') == std::string::npos ? uri : "***";
  const auto rest = scheme_end + 3;
  const auto slash = uri.find('/', rest);
  const auto at = uri.rfind('@', slash == std::string::npos ? std::string::npos : slash);
  if (at == std::string::npos || at < rest) return uri;
  return uri.substr(0, rest) + "***@" + uri.substr(at + 1);
}

std::string RedisAddress::redacted() const {
  std::string out = tls ? "rediss://" : "redis://";
  if (!username.empty() || !password.empty()) out += "***@";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ":" + port;
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

std::optional<RedisAddress> parse_redis_uri(const std::string& uri) {
  RedisAddress a;
  std::string rest;
  if (uri.rfind("redis://", 0) == 0) {
    rest = uri.substr(8);
  } else if (uri.rfind("rediss://", 0) == 0) {
    rest = uri.substr(9);
    a.tls = true;
  } else {
    return std::nullopt;
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos && slash + 1 < rest.size()) {
    std::string db = rest.substr(slash + 1);
    if (db.empty() || db.find_first_not_of("0123456789") != std::string::npos || db.size() > 4)
      return std::nullopt;
    a.db = std::stoi(db);
  }
  // Credentials: "user:password@", ":password@" or "password@" (as redis-cli and redis-py).
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    std::optional<std::string> user, pass;
    if (colon == std::string::npos) {
      user = std::string();
      pass = strict_percent_decode(userinfo);
    } else {
      user = strict_percent_decode(userinfo.substr(0, colon));
      pass = strict_percent_decode(userinfo.substr(colon + 1));
    }
    if (!user || !pass || pass->empty()) return std::nullopt;
    a.username = *user;
    a.password = *pass;
  }
  std::string hostport = authority;
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
    auto close = hostport.find(']');
    if (close == std::string::npos) return std::nullopt;
    a.host = hostport.substr(1, close - 1);
    std::string after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      a.port = after.substr(1);
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    a.host = hostport.substr(0, colon);
    a.port = hostport.substr(colon + 1);
  } else if (!hostport.empty()) {
    a.host = hostport;
  }
  if (a.port.empty() || a.port.size() > 5 ||
      a.port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  if (a.host.empty() || a.host.find_first_of("@/?# ") != std::string::npos) return std::nullopt;
  return a;
}

struct RedisClient::Impl {
  Impl(net::io_context& io, RedisAddress addr, std::chrono::milliseconds t, std::string s,
       std::string w, RedisBackoff b)
      : ioc(io),
        address(std::move(addr)),
        timeout(t),
        store(std::move(s)),
        when_down(std::move(w)),
        backoff_limits(b),
        backoff(b.first),
        ssl_ctx(ssl::context::tls_client) {
    if (address.tls) {
      ssl_ctx.set_default_verify_paths();
      if (!address.ca_file.empty()) ssl_ctx.load_verify_file(address.ca_file);  // at start-up
      ssl_ctx.set_verify_mode(ssl::verify_peer);
      SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
    }
  }

  net::io_context& ioc;
  RedisAddress address;
  std::chrono::milliseconds timeout;
  std::string store;      // "rate-limit store", "ledger", ... (log lines)
  std::string when_down;  // what the store does meanwhile (end of the "unreachable" line)
  RedisBackoff backoff_limits;
  std::chrono::milliseconds backoff;
  Clock::time_point down_until{};
  bool down = false;
  ssl::context ssl_ctx;  // used for rediss:// only
  std::vector<std::unique_ptr<Connection>> idle;

  void mark_down(const std::string& why) {
    if (!down) {
      log::error(store + " " + address.redacted() + " unreachable (" + why + ")" + when_down);
    }
    down = true;
    down_until = Clock::now() + backoff;
    backoff = std::min(backoff * 2, backoff_limits.max);
  }
  void mark_up() {
    if (down) log::info(store + " " + address.redacted() + " reachable again");
    down = false;
    backoff = backoff_limits.first;
  }

  // Sends `cmd` and reads `expected` replies, bounded by `limit` in total. Empty on failure.
  net::awaitable<std::vector<RedisReply>> roundtrip(Connection& c, const std::string& cmd,
                                                    std::size_t expected,
                                                    std::chrono::milliseconds limit,
                                                    std::string& err) {
    net::steady_timer timer(ioc, limit);
    std::vector<RedisReply> replies;
    auto io = [&]() -> net::awaitable<bool> {
      auto [wec, wn] = co_await c.write(net::buffer(cmd));
      if (wec) {
        err = wec.message();
        co_return false;
      }
      char buf[4096];
      while (replies.size() < expected) {
        void* reply = nullptr;
        if (redisReaderGetReply(c.reader, &reply) != REDIS_OK) {
          err = "protocol error";
          co_return false;
        }
        if (reply) {
          replies.emplace_back(static_cast<redisReply*>(reply));
          continue;
        }
        auto [rec, n] = co_await c.read_some(net::buffer(buf));
        if (rec) {
          err = rec.message();
          co_return false;
        }
        redisReaderFeed(c.reader, buf, n);
      }
      co_return true;
    };
    auto result = co_await (io() || timer.async_wait(kTok));
    if (result.index() == 1) err = "timed out after " + std::to_string(limit.count()) + " ms";
    if (result.index() == 1 || !std::get<0>(result)) replies.clear();
    co_return replies;
  }

  // SNI, then certificate chain + hostname verification, bounded like the connect.
  net::awaitable<bool> handshake(Connection& c, std::string& err) {
    c.tls = std::make_unique<ssl::stream<tcp::socket&>>(c.socket, ssl_ctx);
    if (!SSL_set_tlsext_host_name(c.tls->native_handle(), address.host.c_str())) {
      err = "TLS set-up failed";
      co_return false;
    }
    c.tls->set_verify_callback(ssl::host_name_verification(address.host));
    net::steady_timer hs_timer(ioc, timeout);
    auto hs = co_await (c.tls->async_handshake(ssl::stream_base::client, kTok) ||
                        hs_timer.async_wait(kTok));
    if (hs.index() == 1) {
      err = "TLS handshake timed out";
      co_return false;
    }
    if (auto [hec] = std::get<0>(hs); hec) {
      err = "TLS handshake failed (" + hec.message() + ")";
      co_return false;
    }
    co_return true;
  }

  // AUTH (when the URI has a password), then SELECT (when it names a db other than 0).
  net::awaitable<bool> authenticate(Connection& c, std::string& err) {
    if (!address.password.empty()) {
      // Built before the co_await: GCC 12 miscompiles braced lists inside co_await operands.
      std::vector<std::string> args{"AUTH"};
      if (!address.username.empty()) args.push_back(address.username);
      args.push_back(address.password);
      const std::string auth = format_redis_command(args);
      auto replies = co_await roundtrip(c, auth, 1, timeout, err);
      if (replies.empty() || replies[0]->type == REDIS_REPLY_ERROR) {
        // Redis' own text ("WRONGPASS invalid username-password pair ...") holds no secret.
        if (!replies.empty())
          err = "AUTH refused: " + std::string(replies[0]->str, replies[0]->len);
        co_return false;
      }
    }
    if (address.db != 0) {
      // Built before the co_await: GCC 12 miscompiles braced lists inside co_await operands.
      const std::string select =
          format_redis_command(std::vector<std::string>{"SELECT", std::to_string(address.db)});
      auto replies = co_await roundtrip(c, select, 1, timeout, err);
      if (replies.empty() || replies[0]->type == REDIS_REPLY_ERROR) {
        if (!replies.empty()) err = std::string(replies[0]->str, replies[0]->len);
        co_return false;
      }
    }
    co_return true;
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
    // (No co_await inside && or ?: operands: GCC 12 miscompiles some of those.)
    if (address.tls) {
      const bool secured = co_await handshake(*c, err);
      if (!secured) co_return nullptr;
    }
    const bool ready = co_await authenticate(*c, err);
    if (!ready) co_return nullptr;
    co_return c;
  }

  net::awaitable<Result> exchange(const std::string& commands, std::size_t expected,
                                  std::chrono::milliseconds limit) {
    Result r;
    std::unique_ptr<Connection> c;
    // A pooled connection may have died with a Redis restart: one retry on a fresh one.
    for (int attempt = 0; attempt < 2 && r.replies.empty(); ++attempt) {
      const bool pooled = attempt == 0 && !idle.empty();
      if (pooled) {
        c = std::move(idle.back());
        idle.pop_back();
      } else {
        c = co_await connect(r.error);
        if (!c) break;
      }
      r.maybe_sent = true;
      r.replies = co_await roundtrip(*c, commands, expected, limit, r.error);
      if (r.replies.empty() && !pooled) break;
    }
    if (r.replies.empty()) {
      if (r.error.empty()) r.error = "unexpected reply";
      co_return r;  // the connection is dropped, not returned
    }
    r.error.clear();
    r.maybe_sent = false;
    if (idle.size() < 64) idle.push_back(std::move(c));
    co_return r;
  }
};

RedisClient::RedisClient(net::io_context& ioc, RedisAddress address,
                         std::chrono::milliseconds timeout, std::string store,
                         std::string when_down, RedisBackoff backoff)
    : impl_(std::make_unique<Impl>(ioc, std::move(address), timeout, std::move(store),
                                   std::move(when_down), backoff)) {}
RedisClient::~RedisClient() = default;

net::awaitable<RedisClient::Result> RedisClient::exchange(
    const std::string& commands, std::size_t expected,
    std::optional<std::chrono::milliseconds> timeout) {
  return impl_->exchange(commands, expected, timeout.value_or(impl_->timeout));
}

bool RedisClient::backing_off() const { return impl_->down && Clock::now() < impl_->down_until; }
Clock::time_point RedisClient::retry_at() const {
  return impl_->down ? impl_->down_until : Clock::time_point{};
}
void RedisClient::mark_down(const std::string& why) { impl_->mark_down(why); }
void RedisClient::mark_up() { impl_->mark_up(); }
bool RedisClient::down() const { return impl_->down; }
const RedisAddress& RedisClient::address() const { return impl_->address; }
std::chrono::milliseconds RedisClient::timeout() const { return impl_->timeout; }

}  // namespace gw
