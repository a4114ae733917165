// API-key resolution (docs/mlflow-compatibility.md §2.4), byte-for-byte MLflow's rules so existing
// files keep working: "$NAME" -> environment, else an existing regular file's full text, else the
// literal.
//
// Error texts never contain the value itself: a literal is a key, and a key must not reach a
// log line.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "config/config.h"
#include "config/file_reader.h"

namespace gw::config {

SecretResult resolve_secret(const std::string& value, const EnvLookup& env) {
  SecretResult result;
  if (!value.empty() && value[0] == '$') {
    // The whole rest is the variable name: "$A$B" names variable "A$B", there is no ${...}.
    const std::string name = value.substr(1);
    if (name.size() >= 2 && name.front() == '{' && name.back() == '}') {
      // Shell syntax. MLflow would look up a variable named "{NAME}"; say what to write instead.
      const std::string inner = name.substr(1, name.size() - 2);
      result.error = "'${" + inner +
                     "}' is shell syntax: the gateway reads environment variable '" + inner +
                     "' when the value is '$" + inner + "' (no braces)";
      return result;
    }
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
  const bool exists = value.find('\0') == std::string::npos && ::stat(value.c_str(), &st) == 0;
  if (exists && S_ISREG(st.st_mode)) {
    FileText file = read_file(value);
    if (!file.text) {
      // The value is a path here, not a key, but we still do not echo it: the message is
      // reported at the key's YAML path, which is enough to find it.
      result.error =
          std::string("The api key file could not be read: ") + std::strerror(file.error);
      return result;
    }
    // MLflow does `open(path).read()` and keeps a trailing newline in the key, which then fails
    // every request (a line break cannot go into an HTTP header). We drop the trailing line
    // break(s) instead (docs/deviations.md); nothing else is trimmed.
    std::string text = std::move(*file.text);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    result.secret = Secret(std::move(text));
    return result;
  }
  // An absolute path that names no file is most likely a mistyped key file, which would
  // otherwise become the key itself and fail every call with a 401 (not echoed: it may be a key).
  if (!exists && value.size() > 1 && value[0] == '/' &&
      value.find_first_of(" \t\r\n") == std::string::npos)
    result.warning =
        "The value looks like a file path but no such file exists: it is used as the api key "
        "itself";
  result.secret = Secret(value);
  return result;
}

}  // namespace gw::config
