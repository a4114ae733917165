// The framing layer under every stream translator (providers/wire/stream_decoder.h).
#include <gtest/gtest.h>

#include "providers/wire/aws_eventstream.h"
#include "providers/wire/stream_decoder.h"

namespace gw {
namespace {

std::vector<SseEvent> feed_split(StreamDecoder& d, const std::string& bytes, std::size_t at) {
  std::vector<SseEvent> out;
  for (auto part : {std::string_view(bytes).substr(0, at), std::string_view(bytes).substr(at)}) {
    auto events = d.feed(part);
    EXPECT_TRUE(events.ok());
    if (events) out.insert(out.end(), events->begin(), events->end());
  }
  return out;
}

TEST(NdJsonDecoder, EveryLineIsOneEventWhateverTheSplit) {
  // Cohere's v1 chat stream (https://docs.cohere.com/v1/reference/chat, "stream": true).
  const std::string bytes =
      "{\"is_finished\":false,\"event_type\":\"stream-start\",\"generation_id\":\"g1\"}\n"
      "{\"is_finished\":false,\"event_type\":\"text-generation\",\"text\":\"Hi\"}\r\n"
      "\n"
      "{\"is_finished\":true,\"event_type\":\"stream-end\",\"finish_reason\":\"COMPLETE\"}\n";
  for (std::size_t at = 0; at <= bytes.size(); ++at) {
    auto d = make_stream_decoder(StreamFraming::NdJson);
    auto events = feed_split(*d, bytes, at);
    ASSERT_EQ(events.size(), 3u) << "split at " << at;
    EXPECT_EQ(events[1].data,
              "{\"is_finished\":false,\"event_type\":\"text-generation\",\"text\":\"Hi\"}");
    EXPECT_EQ(events[1].event, "");
    EXPECT_FALSE(d->has_partial());
    EXPECT_TRUE(d->finish().empty());
  }
}

TEST(NdJsonDecoder, LastLineWithoutNewlineCompletesAtEof) {
  auto d = make_stream_decoder(StreamFraming::NdJson);
  auto events = d->feed("{\"a\":1}\n{\"b\":2}");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
  EXPECT_TRUE(d->has_partial());
  auto last = d->finish();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].data, "{\"b\":2}");
}

TEST(NdJsonDecoder, OverlongLineIsAnError) {
  auto d = make_stream_decoder(StreamFraming::NdJson);
  auto r = d->feed(std::string((1u << 20) + 10, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_FALSE(d->feed("{}\n").ok());  // stays failed
}

TEST(SseDecoder, IsTheSseParser) {
  auto d = make_stream_decoder(StreamFraming::Sse);
  auto events = d->feed("event: ping\ndata: {}\n\ndata: x");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event, "ping");
  EXPECT_TRUE(d->has_partial());
}

TEST(AwsEventStreamDecoder, MapsEventsExceptionsAndErrors) {
  const std::string bytes =
      encode_event_stream_message({{":event-type", "contentBlockDelta"},
                                   {":content-type", "application/json"},
                                   {":message-type", "event"}},
                                  R"({"contentBlockIndex":0,"delta":{"text":"Hi"}})") +
      encode_event_stream_message({{":exception-type", "throttlingException"},
                                   {":content-type", "application/json"},
                                   {":message-type", "exception"}},
                                  R"({"message":"Too many requests"})") +
      encode_event_stream_message({{":error-code", "InternalFailure"},
                                   {":error-message", "boom"},
                                   {":message-type", "error"}},
                                  "");
  for (std::size_t at = 0; at <= bytes.size(); at += 7) {
    auto d = make_stream_decoder(StreamFraming::AwsEventStream);
    auto events = feed_split(*d, bytes, at);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0], (SseEvent{"contentBlockDelta",
                                   R"({"contentBlockIndex":0,"delta":{"text":"Hi"}})", ""}));
    EXPECT_EQ(events[1], (SseEvent{"exception:throttlingException",
                                   R"({"message":"Too many requests"})", ""}));
    EXPECT_EQ(events[2], (SseEvent{"error:InternalFailure", "boom", ""}));
  }
}

TEST(AwsEventStreamDecoder, CorruptedCrcIsAnError) {
  std::string bytes = encode_event_stream_message({{":event-type", "messageStop"}}, "{}");
  bytes[bytes.size() - 1] ^= 0x01;
  auto d = make_stream_decoder(StreamFraming::AwsEventStream);
  auto r = d->feed(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
}

}  // namespace
}  // namespace gw
