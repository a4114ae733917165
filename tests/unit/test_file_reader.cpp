// The whole-file reader (config/file_reader.h).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/file_reader.h"

namespace gw::config {
namespace {

TEST(FileReader, ReadsEveryByteIncludingNulsAndLargeFiles) {
  const auto path = std::filesystem::temp_directory_path() / "gw_file_reader_test.bin";
  std::string data(100'000, 'x');
  data[5] = '\0';
  data.back() = '\n';
  std::ofstream(path, std::ios::binary) << data;
  FileText f = read_file(path.string());
  ASSERT_TRUE(f.text);
  EXPECT_EQ(*f.text, data);
  std::filesystem::remove(path);
}

TEST(FileReader, MissingFileAndDirectoryReportErrno) {
  FileText missing = read_file("/nonexistent/dir/file");
  EXPECT_FALSE(missing.text);
  EXPECT_EQ(missing.error, ENOENT);
  FileText dir = read_file(std::filesystem::temp_directory_path().string());
  EXPECT_FALSE(dir.text);
  EXPECT_EQ(dir.error, EISDIR);
}

}  // namespace
}  // namespace gw::config
