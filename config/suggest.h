// "Did you mean ...?": the nearest of a few known words to a mistyped one, for config messages
// (docs/configuration.md, "Messages").
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gw::config {

// Edit distance with adjacent transpositions counting as one edit (optimal string alignment),
// compared case-insensitively with '-' and '_' treated alike.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is close enough to be a typo (at most one edit for
// words of up to four letters, two up to eight, three beyond; a case or '-'/'_' variant is
// nearest of all). nullopt when `word` is itself a candidate. Ties go to the earlier candidate.
std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates);

// " Did you mean 'x'?" or "" when nothing is near.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// "a, b, c": candidates joined for a message.
std::string join_words(std::span<const std::string_view> words);

}  // namespace gw::config
