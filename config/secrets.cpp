// API-key resolution (docs/mlflow-compatibility.md §2.4), byte-for-byte MLflow's rules so existing
// files keep working: "$NAME" -> environment, else an existing regular file's full text, else the
// literal.
//
// Error texts never contain the value itself: a literal is a key, and a key must not reach a
// log line.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "config/config.h"

namespace gw::config {
namespace {

// Reads the whole file. MLflow does `open(path).read()` and keeps a trailing newline in the key,
// which then fails every request (a line break cannot go into an HTTP header). We drop the
// trailing line break(s) instead (docs/deviations.md); nothing else is trimmed.
bool read_whole_file(const std::string& path, std::string& out, int& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      ::close(fd);
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

SecretResult resolve_secret(const std::string& value, const EnvLookup& env) {
  SecretResult result;
  if (!value.empty() && value[0] == '$') {
    // The whole rest is the variable name: "$A$B" names variable "A$B", there is no ${...}.
    const std::string name = value.substr(1);
    std::optional<std::string> v = env ? env(name) : std::nullopt;
    if (!v || v->empty()) {
      result.error = "Environment variable '" + name + "' is not set";
      return result;
    }
    result.secret = Secret(std::move(*v));
    return result;
  }
  // A string with an embedded NUL cannot name a file (and c_str() would silently truncate it),
  // so it can only be a literal. Likewise, names so long that stat() fails (ENAMETOOLONG) are
  // literals, exactly as in MLflow where os.path.isfile() swallows the error.
  struct stat st {};
  if (value.find('\0') == std::string::npos && ::stat(value.c_str(), &st) == 0 &&
      S_ISREG(st.st_mode)) {
    std::string text;
    int err = 0;
    if (!read_whole_file(value, text, err)) {
      // The value is a path here, not a key, but we still do not echo it: the message is
      // reported at the key's YAML path, which is enough to find it.
      result.error = std::string("The api key file could not be read: ") + std::strerror(err);
      return result;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    result.secret = Secret(std::move(text));
    return result;
  }
  result.secret = Secret(value);
  return result;
}

}  // namespace gw::config
