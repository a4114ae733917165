// Hot reload through the real server and the real inotify watcher: provider swaps under
// continuous load with zero failed requests, invalid edits, delete-then-recreate, and rate-limit
// counters kept across reloads when the limit is unchanged. Waits are on the reloader's
// counters, never on sleeps.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "gateway/reload.h"
#include "gateway_fixture.h"

namespace gw::test {
namespace {

// Stops and joins load threads on every way out of a test, including a failed ASSERT (which
// returns from the test body while the threads still use its locals).
struct JoinOnExit {
  std::atomic<bool>& stop;
  std::vector<std::thread>& threads;
  ~JoinOnExit() {
    stop = true;
    for (auto& th : threads)
      if (th.joinable()) th.join();
  }
};

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes a file the way editors and kubectl do: a temporary file, then a rename.
void write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::rename(tmp, path);
}

std::string chat_config(const std::string& base, const std::string& extra = "") {
  return "endpoints:\n"
         "  - name: chat\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model:\n"
         "      provider: openai\n"
         "      name: gpt-4o-mini\n"
         "      config: {openai_api_key: sk-test, openai_api_base: \"" +
         base + "/v1\"}\n" + extra;
}

std::string reply_saying(const std::string& text) {
  return R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
         R"("message":{"role":"assistant","content":")" +
         text +
         R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gw-reload-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    path_ = (dir_ / "gateway.yaml").string();
    a_.reply_with(ScriptedReply{.body = reply_saying("A")});
    b_.reply_with(ScriptedReply{.body = reply_saying("B")});
  }
  void TearDown() override {
    reloader_.reset();
    server_.reset();
    fs::remove_all(dir_);
  }
  void start(const std::string& yaml, ServerOptions opts = {}, bool strict = false) {
    write_atomically(path_, yaml);
    auto loaded = config::load_config_file(path_);
    ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.handle_signals = false;
    auto runtime = std::make_shared<RuntimeHolder>(std::make_shared<const Runtime>(*loaded.config));
    reloader_ = std::make_unique<ConfigReloader>(path_, runtime);
    reloader_->set_strict(strict);
    reloader_->start();
    server_ = std::make_unique<Server>(opts, runtime);
    server_->start();
  }
  // The content of a chat reply through `target`.
  std::string said(const std::string& target = "/endpoints/chat/invocations") {
    auto r = http_request(server_->port(), "POST", target,
                          target.rfind("/v1/", 0) == 0
                              ? R"({"model":"chat","messages":[{"role":"user","content":"x"}]})"
                              : R"({"messages":[{"role":"user","content":"x"}]})");
    if (r.status != 200) return "status " + std::to_string(r.status) + ": " + r.body;
    return parse(r.body)["choices"][0]["message"]["content"];
  }
  bool wait_generation(std::uint64_t g) {
    return reloader_->wait_until([&] { return reloader_->generation() >= g; }, 10s);
  }
  bool wait_failures(std::uint64_t f) {
    return reloader_->wait_until([&] { return reloader_->failures() >= f; }, 10s);
  }

  fs::path dir_;
  std::string path_;
  FakeUpstream a_, b_;
  std::unique_ptr<ConfigReloader> reloader_;
  std::unique_ptr<Server> server_;
};

TEST_F(ReloadTest, FiftySwapsUnderLoadWithZeroFailedRequests) {
  start(chat_config(a_.base_url()));
  ASSERT_EQ(said(), "A");

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::vector<std::thread> load;
  JoinOnExit join_load{stop, load};
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&, t] {
      TestClient c(server_->port());
      for (int i = 0; !stop; ++i) {
        auto r = (i + t) % 2
                     ? c.post("/endpoints/chat/invocations",
                              R"({"messages":[{"role":"user","content":"x"}]})")
                     : c.post("/v1/chat/completions",
                              R"({"model":"chat","messages":[{"role":"user","content":"x"}]})");
        if (r.status == 200) {
          ++ok;
        } else {
          ++failed;
          std::lock_guard lock(failures_mu);
          failures.push_back(std::to_string(r.status) + " " + r.error + " " + r.body);
        }
      }
    });
  }
  for (int i = 1; i <= 50; ++i) {
    const bool to_b = i % 2 == 1;
    write_atomically(path_, chat_config(to_b ? b_.base_url() : a_.base_url()));
    ASSERT_TRUE(wait_generation(i)) << "reload " << i << " not applied";
    // New requests reach the new upstream as soon as the reload is done.
    EXPECT_EQ(said(i % 3 ? "/endpoints/chat/invocations" : "/v1/chat/completions"),
              to_b ? "B" : "A");
  }
  stop = true;
  for (auto& th : load) th.join();  // (JoinOnExit joins them on an early return)
  EXPECT_EQ(failed.load(), 0) << (failures.empty() ? "" : failures.front());
  EXPECT_GT(ok.load(), 100);
  EXPECT_EQ(reloader_->failures(), 0u);
}

// The streaming half: a stream keeps the snapshot (and so the upstream) it started with across
// a reload, and streams started during 20 swaps all end cleanly.
std::string stream_event(const std::string& text, const char* finish) {
  return "data: " +
         std::string(
             R"({"id":"s","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":")") +
         text + R"("},"finish_reason":)" + finish + "}]}\n\n";
}

ScriptedReply stream_saying(const std::string& who, std::shared_future<void> gate = {}) {
  ScriptedReply r;
  r.content_type = "text/event-stream";
  r.chunks = {stream_event(who + "1", "null"),
              stream_event(who + "2", "\"stop\"") + "data: [DONE]\n\n"};
  r.gate = std::move(gate);
  return r;
}

TEST_F(ReloadTest, StreamInFlightFinishesOnItsSnapshotAndStreamsSurviveSwaps) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  a_.set_handler([gate](const RecordedRequest& req) {
    return req.body.find("\"stream\":true") != std::string::npos
               ? stream_saying("A", gate)
               : ScriptedReply{.body = reply_saying("A")};
  });
  b_.set_handler([](const RecordedRequest& req) {
    return req.body.find("\"stream\":true") != std::string::npos
               ? stream_saying("B")
               : ScriptedReply{.body = reply_saying("B")};
  });
  start(chat_config(a_.base_url()));
  const std::string body =
      R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"x"}]})";
  RawConnection held(server_->port());
  held.send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_NE(held.read_until("A1").find("A1"), std::string::npos);
  // Swap to B while the stream is held by A.
  write_atomically(path_, chat_config(b_.base_url()));
  ASSERT_TRUE(wait_generation(1));
  auto fresh = http_request(server_->port(), "POST", "/v1/chat/completions", body);
  ASSERT_EQ(fresh.status, 200);
  EXPECT_NE(fresh.body.find("B1"), std::string::npos) << fresh.body;
  release.set_value();  // the held stream finishes on A, cleanly
  const std::string rest = held.read_until("0\r\n\r\n");
  EXPECT_NE(rest.find("A2"), std::string::npos) << rest;
  EXPECT_NE(rest.find("data: [DONE]"), std::string::npos) << rest;
  EXPECT_EQ(rest.find("\"error\""), std::string::npos) << rest;

  // Streams under load during 20 swaps: every one completes with its terminator, no error.
  a_.set_handler([](const RecordedRequest& req) {
    return req.body.find("\"stream\":true") != std::string::npos
               ? stream_saying("A")
               : ScriptedReply{.body = reply_saying("A")};
  });
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::string first_failure;
  std::mutex mu;
  std::vector<std::thread> load;
  JoinOnExit join_load{stop, load};
  for (int t = 0; t < 3; ++t) {
    load.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const bool v1 = (i + t) % 2 == 0;
        auto r = v1 ? http_request(server_->port(), "POST", "/v1/chat/completions", body)
                    : http_request(server_->port(), "POST", "/endpoints/chat/invocations",
                                   R"({"stream":true,"messages":[{"role":"user","content":"x"}]})");
        const bool whole =
            r.status == 200 && r.body.find("\"error\"") == std::string::npos &&
            (r.body.find("A2") != std::string::npos || r.body.find("B2") != std::string::npos) &&
            (!v1 || r.body.find("data: [DONE]") != std::string::npos);
        if (whole) {
          ++ok;
        } else {
          ++failed;
          std::lock_guard lock(mu);
          if (first_failure.empty())
            first_failure = std::to_string(r.status) + " " + r.error + " " + r.body;
        }
      }
    });
  }
  for (int i = 2; i <= 21; ++i) {
    write_atomically(path_, chat_config(i % 2 ? b_.base_url() : a_.base_url()));
    ASSERT_TRUE(wait_generation(i)) << "reload " << i;
    EXPECT_EQ(said(), i % 2 ? "B" : "A");
  }
  stop = true;
  for (auto& th : load) th.join();  // (JoinOnExit joins them on an early return)
  EXPECT_EQ(failed.load(), 0) << first_failure;
  EXPECT_GT(ok.load(), 20);
}

TEST_F(ReloadTest, InvalidEditIsIgnoredAndTheNextValidEditApplies) {
  start(chat_config(a_.base_url()));
  write_atomically(path_, "endpoints:\n  - name: chat\n    endpoint_type: llm/v1/nope\n");
  ASSERT_TRUE(wait_failures(1));
  EXPECT_EQ(reloader_->generation(), 0u);
  EXPECT_EQ(said(), "A");  // the old configuration keeps serving
  write_atomically(path_, chat_config(b_.base_url()));
  ASSERT_TRUE(wait_generation(1));
  EXPECT_EQ(said(), "B");
}

// Under --strict a reloaded file with warnings is refused like an invalid one; without it the
// same file applies (the warning is logged).
TEST_F(ReloadTest, StrictRefusesAReloadWithWarnings) {
  start(chat_config(a_.base_url()), {}, /*strict=*/true);
  write_atomically(path_, chat_config(b_.base_url()) + "unknown_top_level_key: 1\n");
  ASSERT_TRUE(wait_failures(1));
  EXPECT_EQ(reloader_->generation(), 0u);
  EXPECT_EQ(said(), "A");
  write_atomically(path_, chat_config(b_.base_url()));
  ASSERT_TRUE(wait_generation(1));
  EXPECT_EQ(said(), "B");
}

TEST_F(ReloadTest, WithoutStrictAReloadWithWarningsApplies) {
  start(chat_config(a_.base_url()));
  write_atomically(path_, chat_config(b_.base_url()) + "unknown_top_level_key: 1\n");
  ASSERT_TRUE(wait_generation(1));
  EXPECT_EQ(reloader_->failures(), 0u);
  EXPECT_EQ(said(), "B");
}

TEST_F(ReloadTest, DeleteThenRecreate) {
  start(chat_config(a_.base_url()));
  fs::remove(path_);
  ASSERT_TRUE(wait_failures(1));
  EXPECT_EQ(said(), "A");
  write_atomically(path_, chat_config(b_.base_url()));
  ASSERT_TRUE(wait_generation(1));
  EXPECT_EQ(said(), "B");
}

TEST_F(ReloadTest, RateLimitCountersSurviveAReloadThatKeepsTheLimit) {
  ServerOptions opts;
  opts.clock = [] { return std::chrono::system_clock::time_point(std::chrono::hours(500000)); };
  const std::string limited =
      "  - name: limited\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model: {provider: mock}\n"
      "    limit: {calls: 2, renewal_period: minute}\n";
  start(chat_config(a_.base_url(), limited), opts);
  auto call = [&] {
    return http_request(server_->port(), "POST", "/endpoints/limited/invocations",
                        R"({"messages":[{"role":"user","content":"x"}]})")
        .status;
  };
  EXPECT_EQ(call(), 200);
  EXPECT_EQ(call(), 200);
  // Another endpoint changes; this one's limit does not: its counter carries on.
  write_atomically(path_, chat_config(b_.base_url(), limited));
  ASSERT_TRUE(wait_generation(1));
  EXPECT_EQ(said(), "B");
  EXPECT_EQ(call(), 429);
  // A changed limit starts a fresh counter.
  write_atomically(path_, chat_config(b_.base_url(),
                                      "  - name: limited\n"
                                      "    endpoint_type: llm/v1/chat\n"
                                      "    model: {provider: mock}\n"
                                      "    limit: {calls: 3, renewal_period: minute}\n"));
  ASSERT_TRUE(wait_generation(2));
  EXPECT_EQ(call(), 200);
}

TEST_F(ReloadTest, ForcedReloadPicksUpARotatedKeyFile) {
  const std::string key_file = (dir_ / "key.txt").string();
  write_atomically(key_file, "sk-old\n");
  const std::string yaml =
      "endpoints:\n"
      "  - name: chat\n"
      "    endpoint_type: llm/v1/chat\n"
      "    model:\n"
      "      provider: openai\n"
      "      name: gpt-4o-mini\n"
      "      config: {openai_api_key: \"" +
      key_file + "\", openai_api_base: \"" + a_.base_url() + "/v1\"}\n";
  start(yaml);
  ASSERT_EQ(said(), "A");
  EXPECT_EQ(a_.last_request().header("authorization"), "Bearer sk-old");
  write_atomically(key_file, "sk-new\n");  // the YAML itself is unchanged
  reloader_->request_reload();             // what SIGHUP does
  ASSERT_TRUE(wait_generation(1));
  ASSERT_EQ(said(), "A");
  EXPECT_EQ(a_.last_request().header("authorization"), "Bearer sk-new");
}

TEST(DescribeChanges, NamesAddedRemovedAndChangedEndpointsAndRoutes) {
  auto load = [](const std::string& yaml) {
    auto r = config::load_config_string(yaml);
    EXPECT_TRUE(r.ok());
    return Runtime(*r.config);
  };
  Runtime before = load(
      "endpoints:\n"
      "  - {name: a, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
      "  - {name: b, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
      "  - {name: c, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
      "routes:\n"
      "  - {name: r, task_type: llm/v1/chat, destinations: [{name: a, traffic_percentage: "
      "100}]}\n");
  Runtime after = load(
      "endpoints:\n"
      "  - {name: a, endpoint_type: llm/v1/chat, model: {provider: mock, name: other}}\n"
      "\n"
      "  - {name: c, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
      "  - {name: d, endpoint_type: llm/v1/chat, model: {provider: mock}}\n");
  EXPECT_EQ(describe_changes(before, after), "added [d], removed [b, route r], changed [a]");
  EXPECT_EQ(describe_changes(after, after), "no changes");
}


// /proc/self/mountinfo lines: a single-file bind mount of the config is found (escapes decoded),
// a directory mount or a longer path is not.
TEST(MountPoint, ASingleFileBindMountIsRecognised) {
  const std::string info =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "90 22 8:1 /srv/gw/config.yaml /etc/gateway/config.yaml ro,relatime - ext4 /dev/sda1 ro\n"
      "91 22 8:1 /srv/my\\040dir /etc/my\\040gw rw - ext4 /dev/sda1 rw\n"
      "92 22 8:1 /x /etc/gateway/config.yaml.d rw - ext4 /dev/sda1 rw";
  EXPECT_TRUE(is_mount_point(info, "/etc/gateway/config.yaml"));
  EXPECT_TRUE(is_mount_point(info, "/etc/my gw"));
  EXPECT_FALSE(is_mount_point(info, "/etc/gateway"));
  EXPECT_FALSE(is_mount_point(info, "/etc/gateway/other.yaml"));
  EXPECT_FALSE(is_mount_point("", "/etc/gateway/config.yaml"));
  EXPECT_FALSE(is_mount_point("garbage without fields", "/etc/gateway/config.yaml"));
}

// The reloader tells its observer each reload's outcome with the served text; an unchanged
// file is not a reload.
TEST(ReloadObserver, ToldEverySuccessAndFailure) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("gw-observer-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "config.yaml").string();
  const std::string good =
      "endpoints:\n  - name: a\n    endpoint_type: llm/v1/chat\n    model: {provider: mock, "
      "name: m}\n";
  std::ofstream(path) << good;
  auto loaded = config::load_config_string(good);
  ASSERT_TRUE(loaded.ok());
  auto holder = std::make_shared<RuntimeHolder>(std::make_shared<const Runtime>(*loaded.config));
  ConfigReloader reloader(path, holder);
  std::mutex mu;
  std::vector<std::pair<bool, std::string>> seen;
  reloader.set_observer([&](bool ok, const std::string& text) {
    std::lock_guard lock(mu);
    seen.emplace_back(ok, text);
  });
  reloader.start();
  std::ofstream(path) << "endpoints: [";
  ASSERT_TRUE(reloader.wait_until([&] { return reloader.failures() >= 1; },
                                  std::chrono::seconds(10)));
  const std::string changed = good + "  - name: b\n    endpoint_type: llm/v1/chat\n    model: "
                                     "{provider: mock, name: m}\n";
  std::ofstream(path) << changed;
  ASSERT_TRUE(reloader.wait_until([&] { return reloader.generation() == 1; },
                                  std::chrono::seconds(10)));
  std::lock_guard lock(mu);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_FALSE(seen.front().first);
  EXPECT_TRUE(seen.back().first);
  EXPECT_EQ(seen.back().second, changed);
  EXPECT_EQ(std::count_if(seen.begin(), seen.end(), [](const auto& e) { return e.first; }), 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gw::test
