// The stream pump (providers/stream_pump.h): decoder -> translator, one read at a time.
#include <gtest/gtest.h>

#include "providers/stream_pump.h"

namespace gw {
namespace {

// Echoes each event's data as a chunk; "END" finishes, "BAD" fails.
class EchoTranslator : public StreamTranslator {
 public:
  Result<std::vector<std::string>> on_event(const SseEvent& e) override {
    ++events;
    if (e.data == "BAD") return GatewayError::make(502, "bad event");
    if (e.data == "END") {
      done = true;
      return std::vector<std::string>{};
    }
    return std::vector<std::string>{"\"" + e.data + "\""};
  }
  bool finished() const override { return done; }
  bool done = false;
  int events = 0;
};

TEST(StreamPump, TranslatesEveryEventThisReadCompleted) {
  auto decoder = make_stream_decoder(StreamFraming::Sse);
  EchoTranslator t;
  auto step = pump_stream(*decoder, t, "data: a\n\ndata: b\n\ndata: c", false);
  EXPECT_FALSE(step.failure);
  EXPECT_EQ(step.chunks, (std::vector<std::string>{"\"a\"", "\"b\""}));
  step = pump_stream(*decoder, t, "\n\n", false);
  EXPECT_EQ(step.chunks, (std::vector<std::string>{"\"c\""}));
}

TEST(StreamPump, StopsAtTheEndMarkerAndLeavesLaterEvents) {
  auto decoder = make_stream_decoder(StreamFraming::Sse);
  EchoTranslator t;
  auto step = pump_stream(*decoder, t, "data: a\n\ndata: END\n\ndata: late\n\n", false);
  EXPECT_FALSE(step.failure);
  EXPECT_EQ(step.chunks, (std::vector<std::string>{"\"a\""}));
  EXPECT_TRUE(t.finished());
  EXPECT_EQ(t.events, 2);
}

TEST(StreamPump, KeepsChunksBeforeATranslatorFailure) {
  auto decoder = make_stream_decoder(StreamFraming::Sse);
  EchoTranslator t;
  auto step = pump_stream(*decoder, t, "data: a\n\ndata: BAD\n\ndata: b\n\n", false);
  ASSERT_TRUE(step.failure);
  EXPECT_EQ(step.failure->message(), "bad event");
  EXPECT_EQ(step.chunks, (std::vector<std::string>{"\"a\""}));
}

TEST(StreamPump, DecoderFailureTranslatesNothing) {
  auto decoder = make_stream_decoder(StreamFraming::AwsEventStream);
  EchoTranslator t;
  auto step = pump_stream(*decoder, t, std::string(16, '\xff'), false);
  ASSERT_TRUE(step.failure);
  EXPECT_EQ(step.failure->status, 502);
  EXPECT_TRUE(step.chunks.empty());
  EXPECT_EQ(t.events, 0);
}

TEST(StreamPump, EndOfBodyReleasesAnUnterminatedNdjsonLine) {
  auto decoder = make_stream_decoder(StreamFraming::NdJson);
  EchoTranslator t;
  auto step = pump_stream(*decoder, t, R"({"x":1})", false);
  EXPECT_TRUE(step.chunks.empty());
  step = pump_stream(*decoder, t, "ignored", true);
  EXPECT_FALSE(step.failure);
  ASSERT_EQ(step.chunks.size(), 1u);
}

}  // namespace
}  // namespace gw
