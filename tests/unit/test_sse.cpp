// providers/sse: the incremental SSE parser (WHATWG event-stream interpretation). Fixtures come
// from the providers' documentation (tests/fixtures/sse/README.md); the key property is that
// every split of a stream (every single offset, every pair of offsets for the small cases, one
// byte at a time) yields exactly the events of a single feed.
#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "providers/wire/sse.h"
#include "fixture_file.h"

namespace gw {

void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{event=\"" << e.event << "\", data=\"" << e.data << "\", id=\"" << e.id << "\"}";
}

namespace {

using Events = std::vector<SseEvent>;
using namespace std::string_literals;

std::string fixture(const std::string& name) { return fixtures::read("sse/" + name); }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos).append(to);
  }
  return out.append(s, pos);
}

struct Outcome {
  Events events;
  bool partial = false;
  std::size_t buffered = 0;
};

// Feeds `parts` in order into one parser; fails the test on a parser error.
Outcome feed_all(const std::vector<std::string_view>& parts) {
  SseParser p;
  Outcome o;
  for (std::string_view part : parts) {
    auto r = p.feed(part);
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (!r.ok()) return o;
    o.events.insert(o.events.end(), r->begin(), r->end());
  }
  o.partial = p.has_partial();
  o.buffered = p.buffered();
  return o;
}

Outcome feed_once(std::string_view s) { return feed_all({s}); }

void expect_split_invariant(const std::string& stream, bool all_pairs) {
  Outcome whole = feed_once(stream);
  std::string_view s = stream;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    Outcome two = feed_all({s.substr(0, i), s.substr(i)});
    ASSERT_EQ(two.events, whole.events) << "split at " << i;
    ASSERT_EQ(two.partial, whole.partial) << "split at " << i;
    ASSERT_EQ(two.buffered, whole.buffered) << "split at " << i;
    if (!all_pairs) continue;
    for (std::size_t j = i; j <= s.size(); ++j) {
      Outcome three = feed_all({s.substr(0, i), s.substr(i, j - i), s.substr(j)});
      ASSERT_EQ(three.events, whole.events) << "split at " << i << " and " << j;
      ASSERT_EQ(three.partial, whole.partial) << "split at " << i << " and " << j;
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < s.size(); ++i) bytes.push_back(s.substr(i, 1));
  Outcome single = feed_all(bytes);
  EXPECT_EQ(single.events, whole.events) << "one byte at a time";
  EXPECT_EQ(single.partial, whole.partial) << "one byte at a time";
}

// ---- Provider fixtures ---------------------------------------------------------------------

Events openai_expected() {
  const std::string head =
      R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,)"
      R"("model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,)";
  return {
      {"",
       head +
           R"("delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})",
       ""},
      {"", head + R"("delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]})", ""},
      {"", head + R"("delta":{},"logprobs":null,"finish_reason":"stop"}]})", ""},
      {"", "[DONE]", ""},
  };
}

TEST(SseParser, OpenAIChatStreamFromDocs) {
  Outcome o = feed_once(fixture("openai_chat_stream.txt"));
  EXPECT_EQ(o.events, openai_expected());
  EXPECT_FALSE(o.partial);
  EXPECT_EQ(o.buffered, 0u);
}

TEST(SseParser, AnthropicMessagesStreamFromDocs) {
  Outcome o = feed_once(fixture("anthropic_messages_stream.txt"));
  const std::vector<std::string> names = {
      "message_start",       "content_block_start", "ping",          "content_block_delta",
      "content_block_delta", "content_block_stop",  "message_delta", "message_stop"};
  ASSERT_EQ(o.events.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(o.events[i].event, names[i]);
    // Anthropic repeats the event name as the JSON `type`.
    EXPECT_EQ(o.events[i].data.rfind(R"({"type": ")" + names[i] + "\"", 0), 0u) << o.events[i].data;
    EXPECT_EQ(o.events[i].id, "");
  }
  EXPECT_EQ(o.events[2].data, R"({"type": "ping"})");
  EXPECT_EQ(
      o.events[3].data,
      R"({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}})");
  EXPECT_EQ(o.events[7].data, R"({"type": "message_stop"})");
  EXPECT_FALSE(o.partial);
}

struct FixtureCase {
  std::string name;
  std::string file;
  std::string line_ending;  // the fixture's "\n" is rewritten to this
};

class SseFixtureSplit : public testing::TestWithParam<FixtureCase> {};

TEST_P(SseFixtureSplit, EverySplitMatchesSingleFeed) {
  const FixtureCase& c = GetParam();
  std::string lf = fixture(c.file);
  std::string stream = replace_all(lf, "\n", c.line_ending);
  // Line endings never change the events.
  EXPECT_EQ(feed_once(stream).events, feed_once(lf).events);
  EXPECT_FALSE(feed_once(stream).events.empty());
  expect_split_invariant(stream, /*all_pairs=*/false);
  // Without the final blank line the last event is pending, whatever the split.
  std::string cut = stream.substr(0, stream.size() - c.line_ending.size());
  Outcome o = feed_once(cut);
  EXPECT_TRUE(o.partial);
  EXPECT_EQ(o.events.size() + 1, feed_once(stream).events.size());
  expect_split_invariant(cut, /*all_pairs=*/false);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, SseFixtureSplit,
    testing::Values(FixtureCase{"openai_lf", "openai_chat_stream.txt", "\n"},
                    FixtureCase{"openai_crlf", "openai_chat_stream.txt", "\r\n"},
                    FixtureCase{"openai_cr", "openai_chat_stream.txt", "\r"},
                    FixtureCase{"anthropic_lf", "anthropic_messages_stream.txt", "\n"},
                    FixtureCase{"anthropic_crlf", "anthropic_messages_stream.txt", "\r\n"},
                    FixtureCase{"anthropic_cr", "anthropic_messages_stream.txt", "\r"}),
    [](const testing::TestParamInfo<FixtureCase>& info) { return info.param.name; });

// ---- Edge cases (table) ----------------------------------------------------------------------

struct EdgeCase {
  std::string name;
  std::string stream;
  Events expected;
  bool partial = false;
};

std::ostream& operator<<(std::ostream& os, const EdgeCase& c) { return os << c.name; }

const std::string kBom = "\xEF\xBB\xBF";

std::vector<EdgeCase> edge_cases() {
  return {
      {"lf", "data: a\n\n", {{"", "a", ""}}},
      {"crlf", "data: a\r\n\r\n", {{"", "a", ""}}},
      {"cr", "data: a\r\r", {{"", "a", ""}}},
      {"mixed_endings",
       "event: x\r\ndata: 1\rdata: 2\n\r\ndata: 3\r\r",
       {{"x", "1\n2", ""}, {"", "3", ""}}},
      {"lf_cr_is_two_endings", "data: a\n\rdata: b\n\n", {{"", "a", ""}, {"", "b", ""}}},
      {"crlf_then_lone_cr", "data: a\r\n\rdata: b\r\n\r\n", {{"", "a", ""}, {"", "b", ""}}},
      {"comments", ": keep-alive\n\n:\ndata: a\n: inside an event\n\n", {{"", "a", ""}}},
      {"multi_line_data", "data: a\ndata: b\ndata\n\n", {{"", "a\nb\n", ""}}},
      {"json_split_over_data_lines",
       "data: {\ndata: \"k\": 1\ndata: }\n\n",
       {{"", "{\n\"k\": 1\n}", ""}}},
      {"no_space_after_colon", "data:a\n\n", {{"", "a", ""}}},
      {"only_one_space_removed", "data:  a \n\n", {{"", " a ", ""}}},
      {"tab_not_removed", "data:\ta\n\n", {{"", "\ta", ""}}},
      {"colon_in_value", "data: a: b:c\n\n", {{"", "a: b:c", ""}}},
      {"field_without_colon", "event\ndata\n\n", {{"", "", ""}}},
      {"empty_data_value", "data:\n\n", {{"", "", ""}}},
      {"two_empty_data_lines", "data\ndata\n\n", {{"", "\n", ""}}},
      {"bom_skipped", kBom + "data: a\n\n", {{"", "a", ""}}},
      {"bom_only_once", kBom + kBom + "data: a\n\ndata: b\n\n", {{"", "b", ""}}},
      {"bom_only_at_start", "data: a\n\n" + kBom + "data: b\n\n", {{"", "a", ""}}},
      {"partial_bom_is_not_a_bom",
       "\xEF\xBB"
       "data: a\n\ndata: b\n\n",
       {{"", "b", ""}}},
      {"event_without_data_not_dispatched", "event: ping\n\ndata: a\n\n", {{"", "a", ""}}},
      {"event_type_reset_after_dispatch",
       "event: x\ndata: a\n\ndata: b\n\n",
       {{"x", "a", ""}, {"", "b", ""}}},
      {"last_event_type_wins", "event: x\nevent: y\ndata: a\n\n", {{"y", "a", ""}}},
      {"id_persists", "id: 1\ndata: a\n\ndata: b\n\n", {{"", "a", "1"}, {"", "b", "1"}}},
      {"id_set_by_event_without_data", "id: 7\n\ndata: a\n\n", {{"", "a", "7"}}},
      {"id_reset_by_empty_value",
       "id: 1\ndata: a\n\nid\ndata: b\n\n",
       {{"", "a", "1"}, {"", "b", ""}}},
      {"id_with_nul_ignored",
       "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"s,
       {{"", "a", "1"}, {"", "b", "1"}}},
      {"retry_and_unknown_ignored", "retry: 1000\nfoo: bar\ndata: a\nretry\n\n", {{"", "a", ""}}},
      {"field_names_case_sensitive", "Data: a\nEVENT: x\ndata: b\n\n", {{"", "b", ""}}},
      {"space_before_colon", "data : a\ndata: b\n\n", {{"", "b", ""}}},
      {"leading_space_in_name", " data: a\ndata: b\n\n", {{"", "b", ""}}},
      {"event_value_space", "event:  x\ndata: a\n\n", {{" x", "a", ""}}},
      {"bytes_pass_through", "data: \xC3\xA9\xFF\0z\n\n"s, {{"", "\xC3\xA9\xFF\0z"s, ""}}},
      {"many_blank_lines", "\n\n\r\n\rdata: a\n\n\n\n", {{"", "a", ""}}},
      // Truncated streams: the pending event is not dispatched, has_partial() reports it.
      {"truncated_mid_line", "data: a\n\ndata: b", {{"", "a", ""}}, true},
      {"truncated_before_blank_line", "data: a\n\ndata: b\n", {{"", "a", ""}}, true},
      {"truncated_after_cr", "data: a\r", {}, true},
      {"truncated_event_line_only", "event: x\n", {}, true},
      {"truncated_comment_line", ": keep", {}, true},
      {"truncated_bom", "\xEF\xBB", {}, true},
      {"complete_comment_not_partial", "data: a\n\n: ping\n", {{"", "a", ""}}, false},
      {"empty_stream", "", {}, false},
  };
}

class SseEdgeCase : public testing::TestWithParam<EdgeCase> {};

TEST_P(SseEdgeCase, SingleFeed) {
  const EdgeCase& c = GetParam();
  Outcome o = feed_once(c.stream);
  EXPECT_EQ(o.events, c.expected);
  EXPECT_EQ(o.partial, c.partial);
  if (!c.partial) {
    EXPECT_EQ(o.buffered, 0u);
  }
}

TEST_P(SseEdgeCase, EveryOneAndTwoPointSplitMatches) {
  expect_split_invariant(GetParam().stream, /*all_pairs=*/true);
}

INSTANTIATE_TEST_SUITE_P(EdgeCases, SseEdgeCase, testing::ValuesIn(edge_cases()),
                         [](const testing::TestParamInfo<EdgeCase>& info) {
                           return info.param.name;
                         });

// ---- Explicit chunk-boundary behaviour ---------------------------------------------------------

TEST(SseParser, CrlfSplitAcrossFeedsIsOneLineEnding) {
  SseParser p;
  EXPECT_TRUE(p.feed("data: a\r")->empty());
  EXPECT_TRUE(p.has_partial());
  // Were this LF a second line ending, it would be a blank line and dispatch the event.
  EXPECT_TRUE(p.feed("\n")->empty());
  EXPECT_TRUE(p.feed("")->empty());  // an empty feed keeps the pending-CR state
  auto r = p.feed("\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Events{{"", "a", ""}}));
  EXPECT_FALSE(p.has_partial());
}

TEST(SseParser, CrAtChunkEndFollowedByOtherByte) {
  SseParser p;
  EXPECT_TRUE(p.feed("data: a\r")->empty());
  auto r = p.feed("\rdata: b\r");  // the CR alone was a line ending; the next CR a blank line
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Events{{"", "a", ""}}));
  EXPECT_TRUE(p.has_partial());
}

TEST(SseParser, EventsReturnedAsSoonAsComplete) {
  SseParser p;
  auto r = p.feed("data: a\n\ndata: b\n\ndata: c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Events{{"", "a", ""}, {"", "b", ""}}));
  EXPECT_EQ(p.buffered(), 7u);  // "data: c"
  r = p.feed("\n\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Events{{"", "c", ""}}));
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(SseParser, BufferedCountsRetainedFieldsAndPartialLine) {
  SseParser p;
  ASSERT_TRUE(p.feed("event: abc\ndata: hello\ndata: wo").ok());
  // event "abc" (3) + data "hello\n" (6) + partial line "data: wo" (8)
  EXPECT_EQ(p.buffered(), 17u);
  EXPECT_TRUE(p.has_partial());
}

// ---- Memory guard --------------------------------------------------------------------------

TEST(SseParser, PartialLineOverLimitFails) {
  SseParser p(16);
  ASSERT_TRUE(p.feed("data: 0123456789").ok());  // exactly 16 bytes buffered
  auto r = p.feed("x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_NE(r.error().message().find("16-byte"), std::string::npos) << r.error().message();
  EXPECT_TRUE(p.failed());
  // Stays failed, even for valid input.
  EXPECT_FALSE(p.feed("\n\ndata: a\n\n").ok());
}

TEST(SseParser, EventOverLimitFailsWhateverTheSplit) {
  // Many small data lines: no single line is long, the event is.
  std::string stream;
  for (int i = 0; i < 20; ++i) stream += "data: 0123456789\n";
  stream += "\n";
  std::string_view s = stream;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    SseParser p(100);
    bool ok = p.feed(s.substr(0, i)).ok() && p.feed(s.substr(i)).ok();
    ASSERT_FALSE(ok) << "split at " << i;
  }
  // The same event fits a bigger limit.
  SseParser big(1000);
  auto r = big.feed(stream);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
}

TEST(SseParser, LimitDoesNotAccumulateAcrossEventsOrComments) {
  SseParser p(64);
  for (int i = 0; i < 1000; ++i) {
    auto r =
        p.feed(": keep-alive comment line\ndata: 0123456789012345678901234567890123456789\n\n");
    ASSERT_TRUE(r.ok()) << "iteration " << i;
    ASSERT_EQ(r->size(), 1u);
  }
}

TEST(SseParser, DefaultLimitIsOneMiB) {
  EXPECT_EQ(SseParser::kDefaultMaxBuffered, 1u << 20);
  SseParser p;
  std::string big(1u << 20, 'x');  // "data: " + 1 MiB > 1 MiB
  EXPECT_FALSE(p.feed("data: " + big).ok());
  SseParser q;
  auto r = q.feed("data: " + big.substr(0, (1u << 20) - 6) + "\n\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].data.size(), (1u << 20) - 6);
}

}  // namespace
}  // namespace gw
