// A child process for tests (the built gateway, redis-server): its stdout and stderr read from
// one pipe, waited for by pattern (poll, no sleeping); killed and reaped when destroyed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace gw::test {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's stdout+stderr
  std::string output;

  // Reads output until `pattern` matches (in the output from offset `from` on) or the child
  // exits / timeout passes.
  std::smatch wait_for(const std::regex& pattern, int timeout_ms = 10000, std::size_t from = 0);
  // Waits for exit (reading the rest of the output); returns the exit status or -1.
  int wait_exit();
  ~Child();
};

// The test's environment without proxy variables (a machine may set HTTPS_PROXY): the
// programs under test talk to 127.0.0.1 directly.
char** child_environ();

// Starts `args` (args[0] looked up in PATH when `search_path`, else a path), stdout and
// stderr to the Child's pipe. nullptr when it cannot be started.
std::unique_ptr<Child> spawn_child(std::vector<std::string> args, bool search_path);

}  // namespace gw::test
