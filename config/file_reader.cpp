#include "config/file_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace gw::config {

FileText read_file(const std::string& path) {
  FileText out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error = errno;
    return out;
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = errno;
      ::close(fd);
      return out;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  out.text = std::move(text);
  return out;
}

}  // namespace gw::config
