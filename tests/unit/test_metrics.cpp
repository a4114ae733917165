// The Prometheus exposition (gateway/metrics.h): exact text for known samples, histogram
// buckets, label escaping, shards merged at scrape time; and the usage scan of replies.
#include <gtest/gtest.h>

#include "gateway/access_log.h"
#include "gateway/metrics.h"

namespace gw::metrics {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, RequestsAreCountedPerEndpointFamilyAndStatusClassAcrossShards) {
  Registry r(2);
  RequestSample s;
  s.endpoint = "chat";
  s.provider = "openai";
  s.seconds = 0.2;
  s.overhead_seconds = 0.0004;
  r.shard(0).record_request(s);
  r.shard(1).record_request(s);
  s.status = 429;
  r.shard(1).record_request(s);
  RequestSample other;
  other.family = Family::OpenAI;
  other.status = 404;
  r.shard(0).record_request(other);
  const std::string t = r.render(nullptr, {});
  EXPECT_TRUE(has_line(t, "# TYPE gateway_requests_total counter")) << t;
  EXPECT_TRUE(has_line(
      t,
      R"(gateway_requests_total{endpoint="chat",provider="openai",family="mlflow",code="2xx"} 2)"));
  EXPECT_TRUE(has_line(
      t,
      R"(gateway_requests_total{endpoint="chat",provider="openai",family="mlflow",code="4xx"} 1)"));
  EXPECT_TRUE(has_line(
      t, R"(gateway_requests_total{endpoint="",provider="",family="openai",code="4xx"} 1)"));
  // Buckets are cumulative; 0.2 s falls in le="0.25", the overhead of 0.4 ms in le="0.0005".
  const std::string labels = R"(endpoint="chat",provider="openai")";
  EXPECT_TRUE(
      has_line(t, "gen_ai_server_request_duration_seconds_bucket{" + labels + R"(,le="0.1"} 0)"))
      << t;
  EXPECT_TRUE(
      has_line(t, "gen_ai_server_request_duration_seconds_bucket{" + labels + R"(,le="0.25"} 3)"));
  EXPECT_TRUE(
      has_line(t, "gen_ai_server_request_duration_seconds_bucket{" + labels + R"(,le="+Inf"} 3)"));
  EXPECT_TRUE(has_line(t, "gen_ai_server_request_duration_seconds_count{" + labels + "} 3"));
  EXPECT_TRUE(
      has_line(t, "gateway_request_overhead_seconds_bucket{" + labels + R"(,le="0.00025"} 0)"));
  EXPECT_TRUE(
      has_line(t, "gateway_request_overhead_seconds_bucket{" + labels + R"(,le="0.0005"} 3)"));
  // Requests outside an endpoint have no duration series.
  EXPECT_EQ(t.find(R"(gen_ai_server_request_duration_seconds_count{endpoint="")"),
            std::string::npos);
}

TEST(Metrics, ABoundIsInItsOwnBucket) {
  Histogram h(kTokens);
  h.observe(16);
  h.observe(17);
  EXPECT_EQ(h.counts()[0], 1u);  // le="16"
  EXPECT_EQ(h.counts()[1], 1u);  // le="64"
  EXPECT_EQ(h.sum(), 33);
  EXPECT_EQ(h.count(), 2u);
}

TEST(Metrics, AttemptsLimitsRetriesAndFallbacks) {
  Registry r(1);
  const std::string key = series_key("chat", "anthropic");
  r.shard(0).record_attempt(key, "status", false);
  r.shard(0).record_attempt(key, "timeout", true);
  r.shard(0).record_attempt(key, "ok", true);
  r.shard(0).record_attempt(key, "rate_limited", false);  // not an upstream outcome
  r.shard(0).record_fallback(key);
  r.shard(0).record_limit(key, LimitOutcome::Admitted);
  r.shard(0).record_limit(key, LimitOutcome::StoreError);
  const std::string t = r.render(nullptr, {});
  const std::string l = R"(endpoint="chat",provider="anthropic")";
  EXPECT_TRUE(has_line(t, "gateway_upstream_attempts_total{" + l + R"(,outcome="ok"} 1)")) << t;
  EXPECT_TRUE(has_line(t, "gateway_upstream_attempts_total{" + l + R"(,outcome="status"} 1)"));
  EXPECT_TRUE(has_line(t, "gateway_upstream_attempts_total{" + l + R"(,outcome="timeout"} 1)"));
  EXPECT_EQ(t.find("rate_limited"), std::string::npos);
  EXPECT_TRUE(has_line(t, "gateway_upstream_retries_total{" + l + "} 2"));
  EXPECT_TRUE(has_line(t, "gateway_fallbacks_total{" + l + "} 1"));
  EXPECT_TRUE(
      has_line(t, "gateway_rate_limit_decisions_total{" + l + R"(,decision="admitted"} 1)"));
  EXPECT_TRUE(
      has_line(t, "gateway_rate_limit_decisions_total{" + l + R"(,decision="store_error"} 1)"));
  EXPECT_EQ(t.find(R"(decision="rejected")"), std::string::npos);  // zero series are left out
}

TEST(Metrics, GaugesPoolsReloadsAndBuildInfo) {
  Registry r(2);
  r.shard(0).connections += 3;
  r.shard(1).connections += 2;
  r.shard(1).in_flight += 1;
  r.set_config("abc");
  r.reload_result(false, "");
  const std::string t = r.render(nullptr, {{2, 5, 9}, {1, 1, 0}});
  EXPECT_TRUE(has_line(t, "gateway_open_connections 5")) << t;
  EXPECT_TRUE(has_line(t, "gateway_in_flight_requests 1"));
  EXPECT_TRUE(has_line(t, "gateway_open_streams 0"));
  EXPECT_TRUE(has_line(t, "gateway_upstream_pool_idle_connections 3"));
  EXPECT_TRUE(has_line(t, "gateway_upstream_connections_opened_total 6"));
  EXPECT_TRUE(has_line(t, "gateway_upstream_connection_reuses_total 9"));
  EXPECT_TRUE(has_line(t, R"(gateway_config_reloads_total{result="success"} 0)"));
  EXPECT_TRUE(has_line(t, R"(gateway_config_reloads_total{result="failure"} 1)"));
  EXPECT_TRUE(has_line(t, R"(gateway_config_info{sha256="abc"} 1)"));
  EXPECT_TRUE(has_line(t, R"(gateway_build_info{version="0.1.0"} 1)"));
  EXPECT_TRUE(has_line(t, "# TYPE process_cpu_seconds_total counter"));
  EXPECT_TRUE(has_line(t, "# TYPE process_resident_memory_bytes gauge"));
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r(1);
  RequestSample s;
  const std::string name = "a\"b\\c\nd";
  s.endpoint = name;
  s.provider = "p";
  r.shard(0).record_request(s);
  const std::string t = r.render(nullptr, {});
  EXPECT_NE(t.find(R"(endpoint="a\"b\\c\nd",provider="p")"), std::string::npos) << t;
}

TEST(UsageTokens, FoundInRepliesAndStreamsWithoutParsing) {
  ApiResponse r;
  r.body = R"({"choices":[{"message":{"content":"say \"usage\": {\"prompt_tokens\": 99}"}}],)"
           R"("usage": {"prompt_tokens": 12, "completion_tokens":30,"total_tokens":42}})";
  EXPECT_EQ(usage_tokens(r), std::make_pair(12LL, 30LL));
  r.body = R"({"data":[],"usage":{"prompt_tokens":4,"total_tokens":4}})";
  EXPECT_EQ(usage_tokens(r), std::make_pair(4LL, -1LL));
  r.body = R"({"detail":"nope"})";
  EXPECT_EQ(usage_tokens(r), std::make_pair(-1LL, -1LL));
  r.streamed = true;
  r.usage = "tokens 3/-/-";
  EXPECT_EQ(usage_tokens(r), std::make_pair(3LL, -1LL));
  r.usage = "tokens 3/4/7";
  EXPECT_EQ(usage_tokens(r), std::make_pair(3LL, 4LL));
}

}  // namespace
}  // namespace gw::metrics
