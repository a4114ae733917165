// Reads a file under tests/fixtures/ (shared by every test that compares against a recorded
// wire format).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace gw::fixtures {

// A file under tests/fixtures/ (e.g. "gemini/chat_response.json"), byte for byte.
inline std::string read(const std::string& path) {
  const std::string full = std::string(GW_SOURCE_DIR) + "/tests/fixtures/" + path;
  std::ifstream in(full, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << full;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace gw::fixtures
