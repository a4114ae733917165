// The route table (gateway/router.h): every route, the 404/405/307 outcomes, captures.
#include <gtest/gtest.h>

#include "gateway/router.h"

namespace gw {
namespace {

using Kind = RouteMatch::Kind;

struct Case {
  const char* method;
  const char* target;
  Kind kind;
  std::optional<RouteId> id = std::nullopt;  // Found and MethodNotAllowed
  const char* name = "";                     // the decoded capture
  const char* location = "";                 // Redirect
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.method << " " << c.target; }

class RouterTable : public ::testing::TestWithParam<Case> {};

TEST_P(RouterTable, Matches) {
  const Case& c = GetParam();
  RouteMatch m = match_route(route_table(), c.method, c.target);
  EXPECT_EQ(m.kind, c.kind);
  if (c.id) {
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->id, *c.id);
  }
  EXPECT_EQ(m.name, c.name);
  EXPECT_EQ(m.location, c.location);
}

INSTANTIATE_TEST_SUITE_P(
    Routes, RouterTable,
    ::testing::Values(
        Case{"GET", "/health", Kind::Found, RouteId::Health},
        Case{"HEAD", "/health", Kind::Found, RouteId::Health},
        Case{"POST", "/health", Kind::MethodNotAllowed, RouteId::Health},
        Case{"GET", "/health/", Kind::NotFound}, Case{"GET", "/", Kind::Found, RouteId::Root},
        Case{"DELETE", "/", Kind::MethodNotAllowed, RouteId::Root},
        Case{"GET", "//", Kind::NotFound}, Case{"GET", "/docs?x=1", Kind::Found, RouteId::Docs},
        Case{"POST", "/docs", Kind::MethodNotAllowed, RouteId::Docs},
        Case{"GET", "/redoc", Kind::Found, RouteId::Redoc},
        Case{"HEAD", "/openapi.json", Kind::Found, RouteId::OpenApi},
        Case{"GET", "/favicon.ico", Kind::Found, RouteId::Favicon},
        Case{"GET", "/static/swagger-ui/swagger-ui.css?v=5", Kind::Found, RouteId::StaticAsset,
             "swagger-ui.css"},
        Case{"GET", "/static/redoc/redoc.standalone.js", Kind::Found, RouteId::StaticAsset,
             "redoc.standalone.js"},
        Case{"GET", "/static/redoc/", Kind::NotFound},
        Case{"GET", "/static/redoc/a/b.js", Kind::NotFound},
        Case{"GET", "/static/other.js", Kind::NotFound},
        Case{"POST", "/v1/chat/completions", Kind::Found, RouteId::V1Chat},
        Case{"GET", "/v1/chat/completions", Kind::MethodNotAllowed, RouteId::V1Chat},
        Case{"POST", "/v1/completions", Kind::Found, RouteId::V1Completions},
        Case{"POST", "/v1/embeddings", Kind::Found, RouteId::V1Embeddings},
        Case{"POST", "/v1/chat/completions/", Kind::NotFound},
        Case{"POST", "/v1/models", Kind::MethodNotAllowed, RouteId::V1Models},
        Case{"GET", "/v1/models", Kind::Found, RouteId::V1Models},
        Case{"GET", "/v1/models/chat", Kind::Found, RouteId::V1Model, "chat"},
        Case{"GET", "/v1/models/", Kind::NotFound}, Case{"GET", "/v1/files", Kind::NotFound},
        Case{"POST", "/endpoints/chat/invocations", Kind::Found, RouteId::Invoke, "chat"},
        Case{"GET", "/endpoints/chat/invocations", Kind::MethodNotAllowed, RouteId::Invoke, "chat"},
        Case{"POST", "/gateway/chat/invocations?x", Kind::Found, RouteId::Invoke, "chat"},
        Case{"POST", "/endpoints/a%2Fb%20c/invocations", Kind::Found, RouteId::Invoke, "a/b c"},
        Case{"POST", "/endpoints/%zz%4/invocations", Kind::Found, RouteId::Invoke, "%zz%4"},
        Case{"POST", "/endpoints//invocations", Kind::NotFound},
        Case{"POST", "/endpoints/a/b/invocations", Kind::NotFound},
        Case{"POST", "/endpoints/chat/invocations/", Kind::NotFound},
        Case{"GET", "/api/2.0/endpoints/", Kind::Found, RouteId::ListEndpoints},
        Case{"POST", "/api/2.0/endpoints/", Kind::MethodNotAllowed, RouteId::ListEndpoints},
        Case{"GET", "/api/2.0/endpoints", Kind::Redirect, std::nullopt, "", "/api/2.0/endpoints/"},
        Case{"POST", "/api/2.0/endpoints?page_token=x", Kind::Redirect, std::nullopt, "",
             "/api/2.0/endpoints/?page_token=x"},
        Case{"GET", "/api/2.0/endpoints?", Kind::Redirect, std::nullopt, "", "/api/2.0/endpoints/"},
        Case{"GET", "/api/2.0/endpoints//", Kind::Redirect, std::nullopt, "",
             "/api/2.0/endpoints/"},
        Case{"GET", "/api/2.0/gateway/routes", Kind::Redirect, std::nullopt, "",
             "/api/2.0/gateway/routes/"},
        Case{"GET", "/api/2.0/gateway/routes/", Kind::Found, RouteId::ListLegacyRoutes},
        Case{"POST", "/api/2.0/endpoints/limits/", Kind::Found, RouteId::SetLimits},
        Case{"GET", "/api/2.0/gateway/limits/", Kind::MethodNotAllowed, RouteId::SetLimits},
        Case{"GET", "/api/2.0/endpoints/limits/chat", Kind::Found, RouteId::GetLimits, "chat"},
        Case{"POST", "/api/2.0/gateway/limits/chat", Kind::MethodNotAllowed, RouteId::GetLimits,
             "chat"},
        Case{"GET", "/api/2.0/endpoints/limits/chat/", Kind::NotFound},
        Case{"GET", "/api/2.0/gateway/limits", Kind::NotFound},
        Case{"GET", "/api/2.0/endpoints/limits", Kind::Found, RouteId::GetEndpoint, "limits"},
        Case{"GET", "/api/2.0/endpoints/chat", Kind::Found, RouteId::GetEndpoint, "chat"},
        Case{"POST", "/api/2.0/endpoints/chat", Kind::MethodNotAllowed, RouteId::GetEndpoint,
             "chat"},
        Case{"GET", "/api/2.0/endpoints/chat/?a=1", Kind::Redirect, std::nullopt, "",
             "/api/2.0/endpoints/chat?a=1"},
        Case{"PUT", "/api/2.0/endpoints/chat/", Kind::Redirect, std::nullopt, "",
             "/api/2.0/endpoints/chat"},
        Case{"GET", "/api/2.0/endpoints/a/b", Kind::NotFound},
        Case{"GET", "/api/3.0/gateway/endpoint/chat", Kind::Found, RouteId::GetEndpoint, "chat"},
        Case{"GET", "/api/3.0/gateway/endpoint/", Kind::NotFound},
        Case{"GET", "/api/3.0/gateway/endpoint", Kind::NotFound},
        Case{"GET", "/api/3.0/gateway/endpoint/x/", Kind::Redirect, std::nullopt, "",
             "/api/3.0/gateway/endpoint/x"},
        Case{"GET", "/api/2.0/gateway/routes/chat", Kind::Found, RouteId::GetLegacyRoute, "chat"},
        Case{"GET", "/api/3.0/gateway/route/r1", Kind::Found, RouteId::GetTrafficRoute, "r1"},
        Case{"GET", "/api/3.0/gateway/route/r1/", Kind::Redirect, std::nullopt, "",
             "/api/3.0/gateway/route/r1"},
        Case{"GET", "/nothing", Kind::NotFound}, Case{"GET", "", Kind::NotFound}));

// Every pattern is reachable: each route's own pattern (capture filled in) matches it.
TEST(RouterTable, EveryRouteIsReachableByItsPattern) {
  for (const RouteSpec& r : route_table()) {
    std::string path(r.pattern);
    if (auto open = path.find('{'); open != std::string::npos)
      path.replace(open, path.find('}') - open + 1, "x");
    RouteMatch m = match_route(route_table(), (r.methods & kPost) ? "POST" : "GET", path);
    ASSERT_EQ(m.kind, Kind::Found) << r.pattern;
    EXPECT_EQ(m.route->id, r.id) << r.pattern;
  }
}

TEST(Router, OnlyInvocationRoutesNeedAKnownNameAndOnlyV1RoutesRenderOpenAIErrors) {
  for (const RouteSpec& r : route_table()) {
    EXPECT_EQ(r.needs_name, r.id == RouteId::Invoke) << r.pattern;
    EXPECT_EQ(r.family == PathFamily::OpenAI, r.pattern.substr(0, 4) == "/v1/") << r.pattern;
  }
}

TEST(Router, TheMatchCarriesTheQuery) {
  const std::string target = "/api/2.0/endpoints/?page_token=abc&x=1";
  RouteMatch m = match_route(route_table(), "GET", target);
  ASSERT_EQ(m.kind, RouteMatch::Kind::Found);
  EXPECT_EQ(m.route->id, RouteId::ListEndpoints);
  EXPECT_EQ(m.query, "page_token=abc&x=1");
  EXPECT_EQ(match_route(route_table(), "GET", "/health").query, "");
  EXPECT_EQ(match_route(route_table(), "GET", "/health?").query, "");
}

TEST(Router, QueryParamDecodesTheFirstMatch) {
  EXPECT_EQ(query_param("a=1&page_token=eyJ%3D&page_token=2", "page_token"), "eyJ=");
  EXPECT_EQ(query_param("page_token", "page_token"), "");
  EXPECT_EQ(query_param("x=1", "page_token"), "");
  EXPECT_EQ(query_param("", "page_token"), "");
}

TEST(Router, PercentDecodeKeepsMalformedEscapes) {
  EXPECT_EQ(percent_decode("a%41%4"), "aA%4");
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%g1%2f"), "%g1/");
  EXPECT_EQ(percent_decode("%00x").size(), 2u);
}

}  // namespace
}  // namespace gw
