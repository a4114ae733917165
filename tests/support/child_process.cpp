#include "child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

extern char** environ;

namespace gw::test {

std::smatch Child::wait_for(const std::regex& pattern, int timeout_ms, std::size_t from) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::smatch m;
  const auto search = [&] {
    from = std::min(from, output.size());
    return std::regex_search(output.cbegin() + static_cast<std::ptrdiff_t>(from), output.cend(), m,
                             pattern);
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

int Child::wait_exit() {
  char buf[4096];
  ssize_t n;
  while ((n = read(out_fd, buf, sizeof buf)) > 0) output.append(buf, static_cast<std::size_t>(n));
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Child::~Child() {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  if (out_fd >= 0) close(out_fd);
}

char** child_environ() {
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

std::unique_ptr<Child> spawn_child(std::vector<std::string> args, bool search_path) {
  int fds[2];
  if (args.empty() || pipe(fds) != 0) return nullptr;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto c = std::make_unique<Child>();
  const int rc = search_path
                     ? posix_spawnp(&c->pid, argv[0], &fa, nullptr, argv.data(), child_environ())
                     : posix_spawn(&c->pid, argv[0], &fa, nullptr, argv.data(), child_environ());
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    c->pid = -1;
    close(fds[0]);
    return nullptr;
  }
  c->out_fd = fds[0];
  return c;
}

}  // namespace gw::test
