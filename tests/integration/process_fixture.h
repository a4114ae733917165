// The built `deployments` binary as a child process for tests: spawned with its output (stdout
// and stderr) in a pipe that the test reads and matches, a temp file helper, and the
// environment without proxy variables.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_paths.h"

extern char** environ;

namespace gw::test {

// The test's environment without proxy variables (a machine may set HTTPS_PROXY): the
// gateway under test talks to 127.0.0.1 directly.
inline char** child_environ() {
  static std::vector<char*> env = [] {
    std::vector<char*> out;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string name(*e, std::strcspn(*e, "="));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "http_proxy" || name == "https_proxy" || name == "no_proxy") continue;
      out.push_back(*e);
    }
    out.push_back(nullptr);
    return out;
  }();
  return env.data();
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's stdout+stderr
  std::string output;

  // Reads output until `pattern` matches (in the output from offset `from` on) or the child
  // exits / timeout passes.
  std::smatch wait_for(const std::regex& pattern, int timeout_ms = 10000, std::size_t from = 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::smatch m;
    const auto search = [&] {
      return std::regex_search(output.cbegin() + static_cast<std::ptrdiff_t>(from), output.cend(),
                               m, pattern);
    };
    while (!search()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) break;
      pollfd p{out_fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char buf[4096];
      ssize_t n = read(out_fd, buf, sizeof buf);
      if (n <= 0) break;
      output.append(buf, static_cast<std::size_t>(n));
    }
    search();
    return m;
  }
  // Waits for exit (reading the rest of the output); returns the exit status or -1.
  int wait_exit() {
    char buf[4096];
    ssize_t n;
    while ((n = read(out_fd, buf, sizeof buf)) > 0) output.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (out_fd >= 0) close(out_fd);
  }
};

inline std::unique_ptr<Child> spawn(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) return nullptr;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  args.insert(args.begin(), GW_DEPLOYMENTS_BIN);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto c = std::make_unique<Child>();
  if (posix_spawn(&c->pid, GW_DEPLOYMENTS_BIN, &fa, nullptr, argv.data(), child_environ()) != 0)
    return nullptr;
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  c->out_fd = fds[0];
  return c;
}

inline std::string write_temp(const std::string& text) {
  char path[] = "/tmp/gw-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

}  // namespace gw::test
