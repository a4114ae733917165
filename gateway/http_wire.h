// Helpers for writing HTTP/1.1 messages straight into one buffer (server responses and upstream
// requests), which costs far less than Beast's generic serializer on the hot path.
#pragma once

#include <string>
#include <string_view>

namespace gw {

// "Name: value\r\n". Callers guarantee that neither contains CR or LF.
inline void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace gw
