#include "redis_server.h"

#include <hiredis/hiredis.h>

#include <regex>

#include "support/fake_upstream.h"

namespace gw::test {
namespace {

std::string reply_text(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ERROR:
      return "ERR: " + std::string(r->str, r->len);
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (std::size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out += ",";
        out += reply_text(r->element[i]);
      }
      return out;
    }
    default:
      return std::string(r->str, r->len);
  }
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> extra, bool tls) {
  port = free_port();
  args_ = {
      "redis-server", "--port", std::to_string(tls ? 0 : port), "--bind", "127.0.0.1", "--save", "",
      "--appendonly", "no"};
  if (tls) {
    args_.push_back("--tls-port");
    args_.push_back(std::to_string(port));
  }
  args_.insert(args_.end(), extra.begin(), extra.end());
  start();
}

void RedisServer::start() { child = spawn_child(args_, /*search_path=*/true); }

bool RedisServer::ready() {
  return child && !child->wait_for(std::regex("Ready to accept connections")).empty();
}

std::string RedisServer::uri(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port) + "/" + std::to_string(db);
}

void RedisServer::stop() { child.reset(); }  // ~Child: SIGKILL, waitpid

bool RedisServer::restart() {
  stop();
  start();
  return ready();
}

std::string RedisServer::command(const std::vector<std::string>& args, int db) const {
  redisContext* c = redisConnect("127.0.0.1", port);
  if (!c || c->err) {
    if (c) redisFree(c);
    return "";
  }
  auto run = [c](const std::vector<std::string>& a) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& s : a) {
      argv.push_back(s.data());
      lens.push_back(s.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(a.size()), argv.data(), lens.data()));
    std::string out = r ? reply_text(r) : "";
    if (r) freeReplyObject(r);
    return out;
  };
  std::string out;
  if (db == 0 || run({"SELECT", std::to_string(db)}) == "OK") out = run(args);
  redisFree(c);
  return out;
}

std::uint16_t RedisServer::free_port() {
  FakeUpstream probe;  // binds 127.0.0.1:0; the port is free again once it is destroyed
  return probe.port();
}

}  // namespace gw::test
