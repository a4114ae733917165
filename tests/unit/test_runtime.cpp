// The runtime snapshot (gateway/runtime.h): endpoint objects without secrets, limit keys,
// traffic-route picks.
#include <gtest/gtest.h>

#include "config/config.h"
#include "runtime_fixture.h"
#include "gateway/runtime.h"

namespace gw {
namespace {

const char* kYaml =
    "endpoints:\n"
    "  - name: chat\n"
    "    endpoint_type: llm/v1/chat\n"
    "    model: {provider: openai, name: gpt-4o, config: {openai_api_key: sk-secret-1234}}\n"
    "    limit: {calls: 5, renewal_period: minute, key: 'header:X-Team'}\n"
    "  - {name: b, endpoint_type: llm/v1/chat, model: {provider: mock}}\n"
    "  - {name: emb, endpoint_type: llm/v1/embeddings, model: {provider: mock},\n"
    "     limit: {calls: 1, renewal_period: second, key: global}}\n"
    "routes:\n"
    "  - name: r\n"
    "    task_type: llm/v1/chat\n"
    "    destinations: [{name: chat, traffic_percentage: 25}, {name: b, traffic_percentage: 75}]\n";

TEST(Runtime, EndpointObjectsNeverCarryTheKey) {
  Runtime rt = fixtures::runtime_from(kYaml);
  const EndpointRuntime* ep = rt.endpoint("chat");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(to_text(ep->info).find("sk-secret"), std::string::npos);
  EXPECT_EQ(to_text(ep->legacy_info).find("sk-secret"), std::string::npos);
  EXPECT_EQ(ep->secrets, std::vector<std::string>{"sk-secret-1234"});
  EXPECT_EQ(ep->info["name"], "chat");
  EXPECT_EQ(ep->info["endpoint_type"], "llm/v1/chat");
}

TEST(Runtime, LimitKeysAndPrefixes) {
  Runtime rt = fixtures::runtime_from(kYaml);
  const EndpointRuntime* chat = rt.endpoint("chat");
  EXPECT_EQ(chat->limit_key, LimitKeyKind::Header);
  EXPECT_EQ(chat->limit_header, "x-team");
  EXPECT_EQ(rt.endpoint("emb")->limit_key, LimitKeyKind::Global);
  EXPECT_NE(chat->limit_prefix, rt.endpoint("emb")->limit_prefix);
  EXPECT_EQ(chat->limit_prefix.rfind("chat|", 0), 0u);
}

TEST(Runtime, EndpointsKeepConfigOrderAndRoutesPickByCumulativeWeight) {
  Runtime rt = fixtures::runtime_from(kYaml);
  ASSERT_EQ(rt.endpoints().size(), 3u);
  EXPECT_EQ(rt.endpoints()[0]->config.name, "chat");
  EXPECT_EQ(rt.endpoints()[2]->config.name, "emb");
  const RouteRuntime* r = rt.route("r");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pick(0.0)->config.name, "chat");
  EXPECT_EQ(r->pick(24.99)->config.name, "chat");
  EXPECT_EQ(r->pick(25.0)->config.name, "b");
  EXPECT_EQ(r->pick(99.99)->config.name, "b");
  EXPECT_EQ(rt.endpoint("r"), nullptr);  // a route is not an endpoint
  EXPECT_EQ(rt.route("chat"), nullptr);
}

}  // namespace
}  // namespace gw
