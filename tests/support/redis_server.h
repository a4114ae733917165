// A private redis-server on a free port for tests, ready when it says so (no polling, no
// sleeping). It can be stopped (SIGKILL, as a crash) and started again on the same port, and
// answers commands directly (hiredis, a connection of its own) so tests check what Redis holds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace gw::test {

struct RedisServer {
  std::unique_ptr<Child> child;  // null once stopped
  std::uint16_t port = 0;

  // `extra` are redis-server options; `tls`: the port is a TLS port (--tls-port).
  explicit RedisServer(std::vector<std::string> extra = {}, bool tls = false);
  bool ready();
  std::string uri(int db = 0) const;
  // Kills the server (SIGKILL) and reaps it; its port is free again.
  void stop();
  // Starts it again with the same options on the same port; true once it is ready.
  bool restart();
  // One command on a plain connection of its own: an integer or a string as text, nil as
  // "(nil)", an array as its elements joined by ",", an error as "ERR: ..."; "" when the
  // server cannot be reached.
  std::string command(const std::vector<std::string>& args, int db = 0) const;
  static std::uint16_t free_port();

 private:
  void start();
  std::vector<std::string> args_;
};

}  // namespace gw::test
