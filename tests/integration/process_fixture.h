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

#include "support/child_process.h"
#include "test_paths.h"

namespace gw::test {

// The built gateway as a child process (support/child_process.h).
inline std::unique_ptr<Child> spawn(std::vector<std::string> args) {
  args.insert(args.begin(), GW_DEPLOYMENTS_BIN);
  return spawn_child(std::move(args), /*search_path=*/false);
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
