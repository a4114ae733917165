// The web console through the real server (docs/console.md): /ui redirects, the page and its
// assets with their headers (gzip when accepted, HEAD), --no-ui, the console reachable without
// a key while its data (the stats route) needs one and shows only the key's endpoints, and the
// stats document counting real traffic and the caller's rate-limit counter.
#include "gateway/console.h"
#include "gateway_fixture.h"

namespace gw::test {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kKey = "console-key-0123456789abcdef0123";
const char* kChat = R"({"messages":[{"role":"user","content":"hi"}]})";

std::string mock_config(const std::string& extra = "") {
  return "endpoints:\n"
         "  - name: chat\n"
         "    endpoint_type: llm/v1/chat\n"
         "    model: {provider: mock, name: mock-chat}\n"
         "    limit: {calls: 5, renewal_period: hour}\n"
         "  - name: embeddings\n"
         "    endpoint_type: llm/v1/embeddings\n"
         "    model: {provider: mock, name: mock-embeddings}\n" +
         extra;
}

HttpResult get(const Server& s, const std::string& target, const Headers& h = {}) {
  TestClient c(s.port());
  return c.request("GET", target, "", h);
}

TEST(ConsoleServer, ServesThePageAndItsAssetsWithTheirHeaders) {
  auto server = start_gateway(mock_config());
  ASSERT_TRUE(server);
  auto redirect = get(*server, "/ui");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ(redirect.header("location"), "ui/");

  auto page = get(*server, "/ui/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.body, std::string(console_files()[0].plain));
  EXPECT_EQ(page.header("content-encoding"), "");
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  EXPECT_NE(page.header("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_NE(page.header("x-request-id"), "");

  for (const ConsoleFile& f : console_files()) {
    const std::string target = "/ui/" + std::string(f.name);
    auto gz = get(*server, target, {{"Accept-Encoding", "gzip, deflate, br"}});
    EXPECT_EQ(gz.status, 200) << target;
    EXPECT_EQ(gz.header("content-encoding"), "gzip") << target;
    EXPECT_EQ(gz.header("vary"), "Accept-Encoding") << target;
    EXPECT_EQ(gz.header("content-length"), std::to_string(f.gzip.size())) << target;
    EXPECT_EQ(gz.body, std::string(f.gzip)) << target;
    EXPECT_EQ(gz.header("cache-control"), std::string(f.cache_control)) << target;
    auto head = TestClient(server->port()).request("HEAD", target);
    EXPECT_EQ(head.status, 200) << target;
    EXPECT_EQ(head.body, "") << target;
  }
  EXPECT_EQ(get(*server, "/ui/assets/app.js").status, 404);
  EXPECT_EQ(TestClient(server->port()).request("POST", "/ui/").status, 405);
}

TEST(ConsoleServer, NoUiTurnsItOff) {
  ServerOptions o;
  o.ui = false;
  auto server = start_gateway(mock_config(), o);
  ASSERT_TRUE(server);
  for (const char* target : {"/ui", "/ui/"}) {
    auto r = get(*server, target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, R"({"detail":"Not Found"})");
  }
  EXPECT_EQ(get(*server, "/ui/" + std::string(console_files()[1].name)).status, 404);
  EXPECT_EQ(get(*server, "/api/2.0/gateway/stats").status, 200);  // the API stays
}

TEST(ConsoleServer, WithKeysThePageIsOpenAndTheStatsShowOnlyTheKeysEndpoints) {
  auto server = start_gateway(
      mock_config("auth:\n  keys:\n    - {name: ui, key: " + kKey + ", endpoints: [chat]}\n"));
  ASSERT_TRUE(server);
  EXPECT_EQ(get(*server, "/ui/").status, 200);
  EXPECT_EQ(get(*server, "/ui/" + std::string(console_files()[1].name)).status, 200);
  auto anonymous = get(*server, "/api/2.0/gateway/stats");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  EXPECT_EQ(get(*server, "/api/2.0/gateway/stats", {{"Authorization", "Bearer wrong"}}).status,
            401);
  auto mine = get(*server, "/api/2.0/gateway/stats", {{"Authorization", "Bearer " + kKey}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.header("cache-control"), "no-store");
  const Json doc = parse(mine.body);
  ASSERT_EQ(doc["endpoints"].size(), 1u);
  EXPECT_EQ(doc["endpoints"][0]["name"], "chat");
}

TEST(ConsoleServer, StatsCountTrafficAndTheCallersLimit) {
  auto server = start_gateway(mock_config());
  ASSERT_TRUE(server);
  TestClient c(server->port());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(c.post("/endpoints/chat/invocations", kChat).status, 200);
  EXPECT_EQ(c.post("/endpoints/chat/invocations", "{}").status, 422);
  auto r = get(*server, "/api/2.0/gateway/stats");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = parse(r.body);
  const Json& chat = doc["endpoints"][0];
  EXPECT_EQ(chat["name"], "chat");
  EXPECT_EQ(chat["provider"], "mock");
  EXPECT_EQ(chat["requests"]["2xx"], 2);
  EXPECT_EQ(chat["requests"]["4xx"], 1);
  EXPECT_EQ(chat["latency"]["count"], 3);
  EXPECT_GT(chat["tokens_in"].get<long long>(), 0);
  // The limit counts calls that passed validation: two, from this client's address.
  EXPECT_EQ(chat["limit_usage"]["used"], 2);
  EXPECT_EQ(chat["limit_usage"]["remaining"], 3);
  EXPECT_GT(chat["limit_usage"]["resets_in"].get<double>(), 0);
  EXPECT_TRUE(doc["endpoints"][1]["limit_usage"].is_null());
  EXPECT_GE(doc["now"].get<double>(), doc["started"].get<double>());
}

}  // namespace
}  // namespace gw::test
