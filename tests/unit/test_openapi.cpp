// The OpenAPI document (gateway/openapi.h) against the route table it is generated from: every
// route with exactly its methods and path parameters, the three endpoint types' schemas in both
// API families, each family's error shape (as errors_http.cpp renders it), unique operationIds,
// and no dangling $ref. (tests/sdk/openapi.test.mjs runs a real OpenAPI 3.1 validator on it.)
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "gateway/errors_http.h"
#include "gateway/openapi.h"
#include "gateway/router.h"

namespace gw {
namespace {

const Json& doc() {
  static const Json d = openapi_document();
  return d;
}

// The operations of a path item (its "get", "post", ... members).
std::vector<std::string> methods_of(const Json& item) {
  std::vector<std::string> out;
  for (const auto& [method, op] : item.items()) out.push_back(method);
  return out;
}

// Every $ref string under `j`.
void collect_refs(const Json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key == "$ref" && value.is_string())
        out.push_back(value.get<std::string>());
      else
        collect_refs(value, out);
    }
  } else if (j.is_array()) {
    for (const Json& v : j) collect_refs(v, out);
  }
}

TEST(OpenApi, IsAnOpenApi31DocumentWithTitleAndVersion) {
  EXPECT_EQ(doc().at("openapi"), "3.1.0");
  EXPECT_EQ(doc().at("info").at("title"), "LLM Gateway");
  EXPECT_FALSE(doc().at("info").at("version").get<std::string>().empty());
  EXPECT_EQ(Json::parse(openapi_text()), doc());
}

TEST(OpenApi, EveryRouteAppearsWithItsMethods) {
  const Json& paths = doc().at("paths");
  for (const RouteSpec& r : route_table()) {
    const std::string path(r.pattern);
    ASSERT_TRUE(paths.contains(path)) << path;
    EXPECT_EQ(paths.at(path).contains("get"), (r.methods & kGet) != 0) << path;
    EXPECT_EQ(paths.at(path).contains("post"), (r.methods & kPost) != 0) << path;
  }
  // Nothing else: each documented operation is a route's (HEAD is implied by GET, not listed).
  for (const auto& [path, item] : paths.items()) {
    for (const std::string& method : methods_of(item)) {
      std::uint8_t bit = 0;
      if (method == "get") bit = kGet;
      if (method == "post") bit = kPost;
      bool served = false;
      for (const RouteSpec& r : route_table()) served |= r.pattern == path && (r.methods & bit);
      EXPECT_TRUE(served) << method << " " << path;
    }
  }
}

TEST(OpenApi, PathParametersAreDeclared) {
  for (const auto& [path, item] : doc().at("paths").items()) {
    const bool templated = path.find("{name}") != std::string::npos;
    for (const auto& [method, op] : item.items()) {
      int declared = 0;
      for (const Json& p : op.value("parameters", Json::array())) {
        if (p.value("in", "") != "path") continue;
        ++declared;
        EXPECT_EQ(p.at("name"), "name") << path;
        EXPECT_EQ(p.at("required"), true) << path;
        EXPECT_EQ(p.at("schema").at("type"), "string") << path;
      }
      EXPECT_EQ(declared, templated ? 1 : 0) << method << " " << path;
    }
  }
}

TEST(OpenApi, TheThreeEndpointTypesHaveRequestAndResponseSchemas) {
  const Json& schemas = doc().at("components").at("schemas");
  EXPECT_EQ(schemas.at("ChatRequest").at("required"), Json::array({"messages"}));
  EXPECT_EQ(schemas.at("CompletionsRequest").at("required"), Json::array({"prompt"}));
  EXPECT_EQ(schemas.at("EmbeddingsRequest").at("required"), Json::array({"input"}));
  EXPECT_EQ(schemas.at("ModelSelector").at("required"), Json::array({"model"}));
  const Json& paths = doc().at("paths");
  auto body = [&](const char* path) -> const Json& {
    return paths.at(path).at("post").at("requestBody").at("content").at("application/json");
  };
  auto ok = [&](const char* path) -> const Json& {
    return paths.at(path).at("post").at("responses").at("200").at("content");
  };
  auto body_schema = [&](const char* path) { return body(path).at("schema"); };
  auto ok_schema = [&](const char* path) { return ok(path).at("application/json").at("schema"); };
  const std::string s = "#/components/schemas/";
  EXPECT_EQ(body_schema("/v1/chat/completions").at("$ref").get<std::string>(),
            s + "OpenAIChatRequest");
  EXPECT_EQ(body_schema("/v1/completions").at("$ref").get<std::string>(),
            s + "OpenAICompletionsRequest");
  EXPECT_EQ(body_schema("/v1/embeddings").at("$ref").get<std::string>(),
            s + "OpenAIEmbeddingsRequest");
  EXPECT_EQ(ok_schema("/v1/chat/completions").at("$ref").get<std::string>(), s + "ChatResponse");
  EXPECT_EQ(ok_schema("/v1/completions").at("$ref").get<std::string>(), s + "CompletionsResponse");
  EXPECT_EQ(ok_schema("/v1/embeddings").at("$ref").get<std::string>(), s + "EmbeddingsResponse");
  for (const char* path : {"/endpoints/{name}/invocations", "/gateway/{name}/invocations"}) {
    EXPECT_EQ(body_schema(path).at("oneOf"),
              Json::parse(R"([{"$ref":"#/components/schemas/ChatRequest"},
                              {"$ref":"#/components/schemas/CompletionsRequest"},
                              {"$ref":"#/components/schemas/EmbeddingsRequest"}])"));
    EXPECT_EQ(ok_schema(path).at("oneOf").size(), 3u);
    const Json& examples = body(path).at("examples");
    EXPECT_TRUE(examples.contains("chat") && examples.contains("completions") &&
                examples.contains("embeddings"));
  }
  // Streams are described too.
  EXPECT_TRUE(ok("/v1/chat/completions").contains("text/event-stream"));
  EXPECT_TRUE(ok("/endpoints/{name}/invocations").contains("text/event-stream"));
}

TEST(OpenApi, EveryOperationReferencesItsFamilysErrorResponse) {
  for (const RouteSpec& r : route_table()) {
    const std::string want = r.family == PathFamily::OpenAI ? "#/components/responses/OpenAIError"
                                                            : "#/components/responses/MlflowError";
    for (const auto& [method, op] : doc().at("paths").at(std::string(r.pattern)).items())
      EXPECT_EQ(op.at("responses").at("default").at("$ref").get<std::string>(), want)
          << method << " " << r.pattern;
  }
  const Json& paths = doc().at("paths");
  const Json& v1 = paths.at("/v1/chat/completions").at("post").at("responses");
  EXPECT_EQ(v1.at("422").at("$ref"), "#/components/responses/OpenAIValidationError");
  EXPECT_EQ(v1.at("429").at("$ref"), "#/components/responses/OpenAIRateLimited");
  const Json& invoke = paths.at("/endpoints/{name}/invocations").at("post").at("responses");
  EXPECT_EQ(invoke.at("422").at("$ref"), "#/components/responses/MlflowValidationError");
  EXPECT_EQ(invoke.at("429").at("$ref"), "#/components/responses/MlflowRateLimited");
}

// The documented error shapes are the ones errors_http.cpp renders.
TEST(OpenApi, ErrorSchemasMatchTheRenderedErrors) {
  const Json& schemas = doc().at("components").at("schemas");
  const Json openai = Json::parse(
      render_error(GatewayError::make(404, "x", "", "model_not_found"), PathFamily::OpenAI).body);
  std::set<std::string> keys;
  for (const auto& [key, value] : openai["error"].items()) keys.insert(key);
  std::set<std::string> documented;
  for (const Json& key : schemas.at("OpenAIError").at("properties").at("error").at("required"))
    documented.insert(key.get<std::string>());
  EXPECT_EQ(keys, documented);
  EXPECT_EQ(keys, (std::set<std::string>{"message", "type", "param", "code"}));
  const Json mlflow =
      Json::parse(render_error(GatewayError::make(404, "x"), PathFamily::Mlflow).body);
  EXPECT_EQ(mlflow.size(), 1u);
  EXPECT_TRUE(mlflow.contains("detail"));
  EXPECT_EQ(schemas.at("MlflowError").at("required"), Json::array({"detail"}));
  const Json limited = Json::parse(render_rate_limited("Rate limit", PathFamily::Mlflow).body);
  EXPECT_TRUE(limited.contains("error"));
  EXPECT_EQ(schemas.at("MlflowRateLimitError").at("required"), Json::array({"error"}));
}

TEST(OpenApi, OperationIdsAreUnique) {
  std::set<std::string> ids;
  std::size_t operations = 0;
  for (const auto& [path, item] : doc().at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      ++operations;
      ASSERT_TRUE(op.contains("operationId")) << method << " " << path;
      const std::string id = op.at("operationId").get<std::string>();
      EXPECT_TRUE(ids.insert(id).second) << id << " repeats";
      EXPECT_TRUE(op.contains("summary") && op.contains("tags")) << method << " " << path;
    }
  }
  EXPECT_EQ(ids.size(), operations);
  EXPECT_TRUE(ids.count("create_chat_completion") && ids.count("health"));
}

TEST(OpenApi, EveryRefResolves) {
  std::vector<std::string> refs;
  collect_refs(doc(), refs);
  EXPECT_GT(refs.size(), 50u);
  for (const std::string& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(doc().contains(Json::json_pointer(ref.substr(1)))) << ref;
  }
}

TEST(OpenApi, StaticFilesAreListedByName) {
  const Json& paths = doc().at("paths");
  auto names = [&](const char* path) {
    return paths.at(path).at("get").at("parameters").at(0).at("schema").at("enum");
  };
  EXPECT_EQ(names("/static/swagger-ui/{name}"),
            Json::parse(R"(["swagger-ui-bundle.js", "swagger-ui.css"])"));
  EXPECT_EQ(names("/static/redoc/{name}"), Json::parse(R"(["redoc.standalone.js"])"));
  EXPECT_TRUE(paths.at("/metrics")
                  .at("get")
                  .at("responses")
                  .at("200")
                  .at("content")
                  .contains("text/plain"));
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

// Client keys (docs/access-and-budgets.md): both ways of sending one are described, and
// declared optional (a gateway without `auth` asks for nothing).
TEST(OpenApi, ClientKeysAreDescribedAsOptionalSecuritySchemes) {
  const Json doc = Json::parse(openapi_text());
  const Json& schemes = doc.at("components").at("securitySchemes");
  EXPECT_EQ(schemes.at("bearerAuth").at("type"), "http");
  EXPECT_EQ(schemes.at("bearerAuth").at("scheme"), "bearer");
  EXPECT_EQ(schemes.at("apiKeyHeader").at("in"), "header");
  EXPECT_EQ(schemes.at("apiKeyHeader").at("name"), "X-API-Key");
  EXPECT_EQ(doc.at("security"), Json::parse(R"([{}, {"bearerAuth": []}, {"apiKeyHeader": []}])"));
}

}  // namespace
}  // namespace gw
