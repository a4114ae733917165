// providers/url: upstream base-URL parsing and MLflow's append_path
// (docs/mlflow-compatibility.md §3.6).
#include <gtest/gtest.h>

#include <string>

#include "config/url.h"

namespace gw {
namespace {

struct UrlCase {
  const char* text;
  const char* scheme;
  const char* host;
  const char* port;
  const char* path;
  const char* query;
  const char* host_header;
  const char* target;
};

class ParseUrlOk : public ::testing::TestWithParam<UrlCase> {};

TEST_P(ParseUrlOk, Parts) {
  const UrlCase& c = GetParam();
  auto u = parse_url(c.text);
  ASSERT_TRUE(u.has_value()) << c.text;
  EXPECT_EQ(u->scheme, c.scheme);
  EXPECT_EQ(u->host, c.host);
  EXPECT_EQ(u->port, c.port);
  EXPECT_EQ(u->path, c.path);
  EXPECT_EQ(u->query, c.query);
  EXPECT_EQ(u->host_header(), c.host_header);
  EXPECT_EQ(u->target(), c.target);
  EXPECT_EQ(u->tls(), std::string(c.scheme) == "https");
}

INSTANTIATE_TEST_SUITE_P(
    Urls, ParseUrlOk,
    ::testing::Values(
        // default ports
        UrlCase{"https://api.openai.com/v1", "https", "api.openai.com", "443", "/v1", "",
                "api.openai.com", "/v1"},
        UrlCase{"http://localhost", "http", "localhost", "80", "/", "", "localhost", "/"},
        UrlCase{"http://localhost/", "http", "localhost", "80", "/", "", "localhost", "/"},
        // explicit ports (default ones are not repeated in Host)
        UrlCase{"http://127.0.0.1:8080/v1/", "http", "127.0.0.1", "8080", "/v1/", "",
                "127.0.0.1:8080", "/v1/"},
        UrlCase{"https://example.com:8443", "https", "example.com", "8443", "/", "",
                "example.com:8443", "/"},
        UrlCase{"https://example.com:443/x", "https", "example.com", "443", "/x", "", "example.com",
                "/x"},
        UrlCase{"http://example.com:80/x", "http", "example.com", "80", "/x", "", "example.com",
                "/x"},
        UrlCase{"http://example.com:443/x", "http", "example.com", "443", "/x", "",
                "example.com:443", "/x"},
        UrlCase{"http://h:65535", "http", "h", "65535", "/", "", "h:65535", "/"},
        // IPv6 literals
        UrlCase{"http://[::1]:8080/v1", "http", "::1", "8080", "/v1", "", "[::1]:8080", "/v1"},
        UrlCase{"https://[2001:db8::1]/openai", "https", "2001:db8::1", "443", "/openai", "",
                "[2001:db8::1]", "/openai"},
        // queries
        UrlCase{"https://x.openai.azure.com/openai/deployments/d?api-version=2023-05-15", "https",
                "x.openai.azure.com", "443", "/openai/deployments/d", "api-version=2023-05-15",
                "x.openai.azure.com", "/openai/deployments/d?api-version=2023-05-15"},
        UrlCase{"http://h?a=b&c=d", "http", "h", "80", "/", "a=b&c=d", "h", "/?a=b&c=d"},
        UrlCase{"http://h:81?a", "http", "h", "81", "/", "a", "h:81", "/?a"},
        // '@' after the authority is an ordinary path character (RFC 3986 pchar)
        UrlCase{"http://h/path@x", "http", "h", "80", "/path@x", "", "h", "/path@x"},
        // the scheme is case-insensitive (the host keeps its spelling)
        UrlCase{"HTTPS://API.Example.com/V1", "https", "API.Example.com", "443", "/V1", "",
                "API.Example.com", "/V1"}));

TEST(ParseUrl, ToStringRoundTrips) {
  for (const char* text : {"https://api.openai.com/v1", "http://127.0.0.1:8080/v1/chat?x=1",
                           "http://[::1]:9000/", "https://h/a/b?api-version=2024-02-01"}) {
    auto u = parse_url(text);
    ASSERT_TRUE(u.has_value()) << text;
    EXPECT_EQ(u->to_string(), text);
  }
  EXPECT_EQ(parse_url("https://h:443")->to_string(), "https://h/");
}

class ParseUrlRejects : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseUrlRejects, Nullopt) { EXPECT_FALSE(parse_url(GetParam()).has_value()) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(
    Bad, ParseUrlRejects,
    ::testing::Values(
        // no scheme / other schemes
        "api.openai.com/v1", "//api.openai.com/v1", "localhost:8080", "", "ftp://example.com/x",
        "ws://example.com", "file:///etc/passwd", "https:/example.com",
        // userinfo
        "https://user:pass@example.com/v1", "https://user@example.com", "http://u@h:80/x",
        // fragments
        "https://example.com/v1#frag", "https://example.com#",
        // bad ports
        "http://h:0", "http://h:65536", "http://h:99999", "http://h:123456", "http://h:abc",
        "http://h:-1", "http://h:8o", "http://[::1]:x",
        // bad hosts
        "http://", "https:///v1", "http://:8080", "http://[::1", "http://[::1]x", "http://::1/",
        "http://[]:80",
        // an IP literal must be an IPv6 address (found by tests/fuzz/fuzz_url: "[[x]" gave host
        // "[x" and an unbracketed Host "[x" that did not parse again)
        "https://[[mStaageSti2]:8442/", "http://[abc]/", "http://[[::1]/"));

// Found by tests/fuzz/fuzz_url: a URL with a control character parsed, and its target() /
// host_header() then went verbatim into the upstream request line and Host header (e.g. an
// api_base "https://h/v1\0" or "https://h/v1\x0b" passed the config loader).
TEST(ParseUrl, RejectsControlCharactersAnywhereAndSpacesInTheHost) {
  for (std::string text :
       {std::string("http://h/v1\r\nX-Injected: 1"),
        std::string("http://h/v1?x=1\0chat/completions", 32), std::string("http://h\t/"),
        std::string("http://h:80/\x0b"), std::string("http://h/\x7f"), std::string("http://h?q=\n"),
        std::string("\x01http://h/"), std::string("http://h\x01.test/"), std::string("http://a b/"),
        std::string("http:// h/"), std::string("http://h :80/")}) {
    EXPECT_FALSE(parse_url(text).has_value()) << text;
  }
  // Percent-encoded bytes and non-ASCII bytes are not control characters; a space in the path
  // stays (the AWS SigV4 suite signs "/example space/").
  EXPECT_TRUE(parse_url("http://h/a%20b%00?q=%0D%0A").has_value());
  EXPECT_TRUE(parse_url("http://h/caf\xC3\xA9").has_value());
  EXPECT_EQ(parse_url("http://h/example space/")->target(), "/example space/");
}

// MLflow's append_path (mlflow.utils.uri.append_to_uri_path): the suffix is joined to the
// path with one '/', the query string is kept.
struct AppendCase {
  const char* base;
  const char* suffix;
  const char* expected;
};

class AppendPath : public ::testing::TestWithParam<AppendCase> {};

TEST_P(AppendPath, Joins) {
  const AppendCase& c = GetParam();
  EXPECT_EQ(append_path(c.base, c.suffix), c.expected) << c.base << " + " << c.suffix;
}

INSTANTIATE_TEST_SUITE_P(
    Mlflow, AppendPath,
    ::testing::Values(
        AppendCase{"https://api.openai.com/v1", "chat/completions",
                   "https://api.openai.com/v1/chat/completions"},
        AppendCase{"https://api.openai.com/v1/", "chat/completions",
                   "https://api.openai.com/v1/chat/completions"},
        AppendCase{"https://api.openai.com/v1", "/embeddings",
                   "https://api.openai.com/v1/embeddings"},
        AppendCase{"https://api.openai.com/v1/", "/embeddings",
                   "https://api.openai.com/v1/embeddings"},
        AppendCase{"http://example.com", "foo", "http://example.com/foo"},
        AppendCase{"http://example.com/", "foo", "http://example.com/foo"},
        AppendCase{"http://example.com?a=b", "foo", "http://example.com/foo?a=b"},
        AppendCase{"http://example.com/?a=b", "foo", "http://example.com/foo?a=b"},
        // MLflow's docstring example: "s3://root/base/path?param=value" + "some/subpath"
        AppendCase{"https://root/base/path?param=value", "some/subpath",
                   "https://root/base/path/some/subpath?param=value"},
        // Azure: the api-version query stays at the end
        AppendCase{"https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35"
                   "?api-version=2023-05-15",
                   "completions",
                   "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35/"
                   "completions?api-version=2023-05-15"},
        AppendCase{"https://test-azureopenai.openai.azure.com/", "openai/deployments/test-gpt35",
                   "https://test-azureopenai.openai.azure.com/openai/deployments/test-gpt35"},
        AppendCase{"https://h/v1?api-version=1", "chat/completions",
                   "https://h/v1/chat/completions?api-version=1"},
        AppendCase{"https://h/v1/?api-version=1", "/chat/completions",
                   "https://h/v1/chat/completions?api-version=1"}));

TEST(UrlEncode, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(url_encode("2023-05-15"), "2023-05-15");
  EXPECT_EQ(url_encode("2024-02-15-preview"), "2024-02-15-preview");
  EXPECT_EQ(url_encode("a_b.c~d"), "a_b.c~d");
  EXPECT_EQ(url_encode("a b&c=d/e?"), "a%20b%26c%3Dd%2Fe%3F");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(url_encode(""), "");
}

}  // namespace
}  // namespace gw
