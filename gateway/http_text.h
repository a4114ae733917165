// Small text rules of HTTP shared by the request path: case-insensitive header names,
// optional whitespace, looking a header up. Header-only and allocation-free.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

// ASCII case-insensitive equality (header names, schemes, codings).
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// The first header named `name` (any case), or "" when there is none.
inline std::string_view header_value(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return {};
}

}  // namespace gw
