// The one way the gateway reads a whole file (the config file, API-key files, AWS shared
// credentials): open(2)/read(2) to the end, retrying on EINTR.
#pragma once

#include <optional>
#include <string>

namespace gw::config {

struct FileText {
  std::optional<std::string> text;  // nullopt when the file could not be opened or read
  int error = 0;                    // the errno value then
};

FileText read_file(const std::string& path);

}  // namespace gw::config
