// A runtime snapshot from YAML text, as the server builds it (tests of the pipeline's pure
// parts).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "gateway/runtime.h"

namespace gw::fixtures {

inline Runtime runtime_from(const std::string& yaml) {
  auto r = config::load_config_string(yaml, [](const std::string&) { return std::nullopt; });
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
  return Runtime(*r.config);
}

}  // namespace gw::fixtures
