// Prints what metrics cost (docs/benchmarks.md, "Metrics"): nanoseconds per recorded request on
// the hot path, and milliseconds per scrape of 1,000 endpoints with every series populated.
//   build/tests/metrics_bench [endpoints] [workers]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/metrics.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const int endpoints = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int workers = argc > 2 ? std::atoi(argv[2]) : 2;
  gw::metrics::Registry registry(static_cast<std::size_t>(workers));
  std::vector<std::string> names;
  for (int i = 0; i < endpoints; ++i) names.push_back("endpoint-" + std::to_string(i));

  // Hot path: one request sample with every field set, plus one attempt and one limit decision.
  const int rounds = 2'000'000;
  const auto t0 = Clock::now();
  for (int i = 0; i < rounds; ++i) {
    const std::string& name = names[static_cast<std::size_t>(i % endpoints)];
    gw::metrics::Shard& shard = registry.shard(static_cast<std::size_t>(i % workers));
    gw::metrics::RequestSample s;
    s.endpoint = name;
    s.provider = "openai";
    s.seconds = 0.001 * (i % 500);
    s.overhead_seconds = 0.00003;
    s.ttft_seconds = i % 2 ? 0.0005 : -1;
    s.tokens_in = 12;
    s.tokens_out = 40;
    s.status = i % 7 ? 200 : 429;
    shard.record_request(s);
  }
  const double record_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / rounds;

  // Scrapes: merge the shards and render.
  const int scrapes = 20;
  std::size_t bytes = 0;
  const auto t1 = Clock::now();
  for (int i = 0; i < scrapes; ++i) bytes = registry.render(nullptr, {{1, 2, 3}}).size();
  const double scrape_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - t1).count() / scrapes;
  std::printf("record_request: %.0f ns per request (%d endpoints, %d shards)\n", record_ns,
              endpoints, workers);
  std::printf("scrape: %.2f ms for %d endpoints (%zu bytes of exposition)\n", scrape_ms,
              endpoints, bytes);
  return 0;
}
