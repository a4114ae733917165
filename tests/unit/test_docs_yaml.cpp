// Every YAML example in README.md and docs/*.md is checked, so the docs cannot drift from the
// loader. A fenced block's info string says what it is (docs/README.md, "YAML examples"):
//   ```yaml             a complete gateway config: it must load without errors
//   ```yaml invalid     a complete config shown for its errors: it must fail to load
//   ```yaml fragment    part of a config (an entry, a block): not loaded
//   ```yaml kubernetes  not a gateway config (a manifest): not loaded
// Any other info string starting with "yaml" is an error, so a new block is always classified.
// Environment variables resolve to a placeholder, so `$OPENAI_API_KEY` works without secrets.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace gw {
namespace {

struct YamlBlock {
  std::string file;
  int line = 0;  // of the opening fence
  std::string kind;  // "", "invalid", "fragment", "kubernetes", or what was written
  std::string text;
};

std::vector<std::string> markdown_files() {
  const std::filesystem::path root(GW_SOURCE_DIR);
  std::vector<std::string> files = {(root / "README.md").string()};
  for (const auto& entry : std::filesystem::directory_iterator(root / "docs"))
    if (entry.path().extension() == ".md") files.push_back(entry.path().string());
  return files;
}

std::vector<YamlBlock> yaml_blocks(const std::string& path) {
  std::ifstream in(path);
  std::vector<YamlBlock> blocks;
  std::string line;
  std::optional<YamlBlock> open;
  for (int n = 1; std::getline(in, line); ++n) {
    if (open) {
      if (line.rfind("```", 0) == 0) {
        blocks.push_back(std::move(*open));
        open.reset();
      } else {
        open->text += line + "\n";
      }
    } else if (line.rfind("```yaml", 0) == 0) {
      std::string kind = line.substr(7);
      while (!kind.empty() && kind.front() == ' ') kind.erase(0, 1);
      open = YamlBlock{std::filesystem::path(path).filename().string(), n, kind, ""};
    }
  }
  EXPECT_FALSE(open.has_value()) << path << ": a ```yaml block is not closed";
  return blocks;
}

std::string issues_text(const std::vector<config::ConfigIssue>& issues) {
  std::string out;
  for (const auto& issue : issues) out += "  " + issue.to_string() + "\n";
  return out;
}

config::LoadResult load(const std::string& text) {
  return config::load_config_string(
      text, [](const std::string&) { return std::optional<std::string>("placeholder-value"); });
}

TEST(DocsYaml, EveryCompleteConfigLoadsAndEveryBlockIsClassified) {
  int complete = 0, invalid = 0, skipped = 0;
  for (const std::string& path : markdown_files()) {
    for (const YamlBlock& b : yaml_blocks(path)) {
      const std::string where = b.file + ":" + std::to_string(b.line);
      if (b.kind.empty()) {
        const auto r = load(b.text);
        EXPECT_TRUE(r.ok()) << where << " does not load:\n" << issues_text(r.errors) << b.text;
        ++complete;
      } else if (b.kind == "invalid") {
        EXPECT_FALSE(load(b.text).ok()) << where << " is marked invalid but loads";
        ++invalid;
      } else if (b.kind == "fragment" || b.kind == "kubernetes") {
        ++skipped;
      } else {
        ADD_FAILURE() << where << ": unknown YAML block kind '" << b.kind
                      << "' (use yaml, yaml invalid, yaml fragment or yaml kubernetes)";
      }
    }
  }
  // The docs do have examples: a parser that found none would pass vacuously.
  EXPECT_GE(complete, 5);
  EXPECT_GE(invalid + skipped, 1);
}

TEST(DocsYaml, TheExtractorReadsFencesAndKinds) {
  const std::string path = ::testing::TempDir() + "/docs_yaml_test.md";
  {
    std::ofstream out(path);
    out << "# t\n```yaml\na: 1\n```\ntext\n```yaml fragment\n  - b\n```\n```sh\nx\n```\n";
  }
  const auto blocks = yaml_blocks(path);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].line, 2);
  EXPECT_EQ(blocks[0].kind, "");
  EXPECT_EQ(blocks[0].text, "a: 1\n");
  EXPECT_EQ(blocks[1].kind, "fragment");
  EXPECT_EQ(blocks[1].text, "  - b\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace gw
