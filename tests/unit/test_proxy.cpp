// config/proxy: proxy URLs, the proxy environment variables and curl's NO_PROXY rules
// (docs/outbound-proxies.md).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config/proxy.h"

namespace gw::config {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Url url(const std::string& text) {
  auto u = parse_url(text);
  EXPECT_TRUE(u.has_value()) << text;
  return u.value_or(Url{});
}

TEST(ParseProxyUrl, HostAndPort) {
  auto p = parse_proxy_url("http://proxy.internal:3128");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "proxy.internal");
  EXPECT_EQ(p->port, "3128");
  EXPECT_EQ(p->user, "");
  EXPECT_EQ(p->password, "");
  EXPECT_EQ(p->authority(), "proxy.internal:3128");
  EXPECT_EQ(p->basic_credentials(), "");
}

TEST(ParseProxyUrl, DefaultPortIs80) {
  auto p = parse_proxy_url("http://proxy.internal");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->port, "80");
  ASSERT_TRUE(parse_proxy_url("http://proxy.internal/"));
  EXPECT_EQ(parse_proxy_url("http://proxy.internal/")->authority(), "proxy.internal:80");
}

TEST(ParseProxyUrl, SchemeIsCaseInsensitiveAndOptional) {
  EXPECT_TRUE(parse_proxy_url("HTTP://proxy:8080"));
  auto bare = parse_proxy_url("proxy.internal:3128");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->authority(), "proxy.internal:3128");
  auto bare_creds = parse_proxy_url("alice:s3cret@10.1.2.3:3128");
  ASSERT_TRUE(bare_creds);
  EXPECT_EQ(bare_creds->user, "alice");
  EXPECT_EQ(bare_creds->password, "s3cret");
  EXPECT_EQ(bare_creds->authority(), "10.1.2.3:3128");
}

TEST(ParseProxyUrl, CredentialsArePercentDecoded) {
  auto p = parse_proxy_url("http://al%40ice:p%3Ass%2Fw%25rd@proxy:3128/");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user, "al@ice");
  EXPECT_EQ(p->password, "p:ss/w%rd");
  EXPECT_EQ(p->authority(), "proxy:3128");
  // A password may hold a literal '@': the last one ends the credentials.
  auto at = parse_proxy_url("http://bob:a@b@proxy:3128");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->password, "a@b");
  EXPECT_EQ(at->host, "proxy");
}

TEST(ParseProxyUrl, BasicCredentials) {
  // RFC 7617's example: Aladdin / open sesame.
  EXPECT_EQ(parse_proxy_url("http://Aladdin:open%20sesame@proxy:1")->basic_credentials(),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(parse_proxy_url("http://user@proxy:1")->basic_credentials(), "dXNlcjo=");
  EXPECT_EQ(parse_proxy_url("http://ab:c@proxy:1")->basic_credentials(), "YWI6Yw==");
  EXPECT_EQ(parse_proxy_url("http://:pw@proxy:1")->basic_credentials(), "OnB3");
}

TEST(ParseProxyUrl, Ipv6Literal) {
  auto p = parse_proxy_url("http://[fd00::1]:3128");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "fd00::1");
  EXPECT_EQ(p->authority(), "[fd00::1]:3128");
  EXPECT_EQ(parse_proxy_url("http://[::1]")->port, "80");
}

TEST(ParseProxyUrl, Rejects) {
  for (const char* bad : {
           "",
           "https://proxy:3128",
           "HTTPS://proxy:3128",
           "socks5://proxy:1080",
           "socks5h://proxy:1080",
           "ftp://proxy:21",
           "http://",
           "http://:3128",
           "http://user:pw@",
           "http://proxy:0",
           "http://proxy:65536",
           "http://proxy:80a",
           "http://proxy:",
           "http://proxy:3128/path",
           "http://proxy:3128?x=1",
           "http://proxy:3128#frag",
           "http://pro xy:3128",
           "http://proxy:3128\r\nX: y",
           "http://[::1:3128",
           "http://[proxy]:3128",
           "http://::1:3128",
           "http://a%zz@proxy:1",
           "http://a%4@proxy:1",
           "http://prox,y:1",
           "http://proxy:3128 ",
       }) {
    EXPECT_FALSE(parse_proxy_url(bad)) << bad;
  }
}

TEST(CheckProxySetting, ValidValues) {
  EXPECT_EQ(check_proxy_setting("none"), "");
  EXPECT_EQ(check_proxy_setting("None"), "");
  EXPECT_EQ(check_proxy_setting("http://proxy.internal:3128"), "");
  EXPECT_EQ(check_proxy_setting("http://u:p@proxy.internal:3128"), "");
  EXPECT_EQ(check_proxy_setting("proxy.internal:3128"), "");
}

TEST(CheckProxySetting, ErrorsSayWhy) {
  EXPECT_EQ(check_proxy_setting("https://proxy:3128"),
            "proxy must be 'none' or an http:// proxy URL such as http://proxy.internal:3128: "
            "https:// proxies are not supported (the gateway talks plain HTTP to the proxy and "
            "TLS to the provider through its CONNECT tunnel)");
  EXPECT_EQ(check_proxy_setting("socks5://proxy:1080"),
            "proxy must be 'none' or an http:// proxy URL such as http://proxy.internal:3128: "
            "SOCKS proxies are not supported");
  EXPECT_EQ(check_proxy_setting("http://proxy:99999"),
            "proxy must be 'none' or an http:// proxy URL such as http://proxy.internal:3128: "
            "the port is not a number from 1 to 65535");
  EXPECT_EQ(check_proxy_setting(""),
            "proxy must be 'none' or an http:// proxy URL such as http://proxy.internal:3128: "
            "it is empty");
  EXPECT_EQ(check_proxy_setting("gopher://proxy:70"),
            "proxy must be 'none' or an http:// proxy URL such as http://proxy.internal:3128: "
            "the scheme is not supported (only http:// proxies are)");
}

TEST(CheckProxySetting, NeverQuotesTheCredentials) {
  for (const char* bad : {
           "https://alice:hunter2@proxy:3128",
           "http://alice:hunter2@proxy:3128/v1",
           "http://alice:hunter2@proxy:notaport",
           "http://alice:hunter2@",
           "alice:hunter2@pro xy",
           "http://alice:hunter2@[::1",
           "hunter2://alice:hunter2@proxy",
           "socks5://alice:hunter2@proxy",
           "http://alice:hunter2@proxy:3128?q",
       }) {
    const std::string error = check_proxy_setting(bad);
    EXPECT_NE(error, "") << bad;
    EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
    EXPECT_EQ(error.find("alice"), std::string::npos) << error;
  }
}

TEST(ProxyEnvironment, LowerCaseWinsOverUpperCase) {
  auto e = ProxyEnvironment::from(env_of({{"https_proxy", "http://lower:1"},
                                          {"HTTPS_PROXY", "http://upper:1"},
                                          {"http_proxy", "http://lower:2"},
                                          {"HTTP_PROXY", "http://upper:2"},
                                          {"no_proxy", "lower.example"},
                                          {"NO_PROXY", "upper.example"}}));
  EXPECT_EQ(e.https_proxy, "http://lower:1");
  EXPECT_EQ(e.https_proxy_var, "https_proxy");
  EXPECT_EQ(e.http_proxy, "http://lower:2");
  EXPECT_EQ(e.http_proxy_var, "http_proxy");
  EXPECT_EQ(e.no_proxy, "lower.example");
  EXPECT_EQ(e.no_proxy_var, "no_proxy");
}

TEST(ProxyEnvironment, UpperCaseIsReadWhenLowerCaseIsUnset) {
  auto e = ProxyEnvironment::from(env_of({{"HTTPS_PROXY", "http://upper:1"},
                                          {"HTTP_PROXY", "http://upper:2"},
                                          {"NO_PROXY", "upper.example"}}));
  EXPECT_EQ(e.https_proxy, "http://upper:1");
  EXPECT_EQ(e.https_proxy_var, "HTTPS_PROXY");
  EXPECT_EQ(e.http_proxy, "http://upper:2");
  EXPECT_EQ(e.http_proxy_var, "HTTP_PROXY");
  EXPECT_EQ(e.no_proxy, "upper.example");
}

TEST(ProxyEnvironment, AnEmptyLowerCaseValueTurnsTheUpperCaseOneOff) {
  auto e = ProxyEnvironment::from(env_of({{"https_proxy", ""}, {"HTTPS_PROXY", "http://u:1"}}));
  EXPECT_EQ(e.https_proxy, "");
  EXPECT_EQ(choose_proxy(e, "", url("https://api.openai.com/v1")), std::nullopt);
}

TEST(ProxyEnvironment, UpperCaseHttpProxyIsIgnoredUnderCgi) {
  // httpoxy: REQUEST_METHOD means a CGI process, whose HTTP_PROXY a client can set.
  auto e =
      ProxyEnvironment::from(env_of({{"REQUEST_METHOD", "GET"}, {"HTTP_PROXY", "http://evil:1"}}));
  EXPECT_EQ(e.http_proxy, "");
  auto lower =
      ProxyEnvironment::from(env_of({{"REQUEST_METHOD", "GET"}, {"http_proxy", "http://ok:1"}}));
  EXPECT_EQ(lower.http_proxy, "http://ok:1");
}

TEST(ProxyEnvironment, NothingSet) {
  auto e = ProxyEnvironment::from(env_of({}));
  EXPECT_EQ(e.https_proxy, "");
  EXPECT_EQ(e.http_proxy, "");
  EXPECT_EQ(e.no_proxy, "");
  EXPECT_TRUE(proxy_env_warnings(e).empty());
  EXPECT_EQ(proxy_env_summary(e), "");
}

struct NoProxyCase {
  const char* no_proxy;
  const char* host;
  bool match;
};

class NoProxy : public ::testing::TestWithParam<NoProxyCase> {};

TEST_P(NoProxy, Matches) {
  const auto& c = GetParam();
  EXPECT_EQ(no_proxy_matches(c.no_proxy, c.host), c.match)
      << "NO_PROXY='" << c.no_proxy << "' host '" << c.host << "'";
}

// Mostly curl's own cases (tests/unit/unit1614.c), plus the extensions documented in proxy.h.
INSTANTIATE_TEST_SUITE_P(
    Curl, NoProxy,
    ::testing::Values(
        NoProxyCase{"", "example.com", false}, NoProxyCase{"*", "example.com", true},
        NoProxyCase{" * ", "10.1.2.3", true}, NoProxyCase{"*", "[::1]", true},
        NoProxyCase{"example.com,*", "other.org", false},  // "*" only as the whole value
        NoProxyCase{"example.com", "example.com", true},
        NoProxyCase{"example.com", "www.example.com", true},
        NoProxyCase{"example.com", "a.b.example.com", true},
        NoProxyCase{"example.com", "badexample.com", false},
        NoProxyCase{"example.com", "example.com.evil", false},
        NoProxyCase{".example.com", "example.com", true},
        NoProxyCase{".example.com", "www.example.com", true},
        NoProxyCase{".example.com", "badexample.com", false},
        NoProxyCase{"www.example.com", "example.com", false},
        NoProxyCase{"EXAMPLE.com", "www.Example.COM", true},
        NoProxyCase{"example.com.", "example.com", true},
        NoProxyCase{"example.com", "example.com.", true},
        NoProxyCase{"*.example.com", "www.example.com", true},
        NoProxyCase{"*.example.com", "example.com", true},
        NoProxyCase{"example.com:443", "example.com", true},  // the port is ignored
        NoProxyCase{"foo.org, example.com", "example.com", true},
        NoProxyCase{"foo.org example.com", "example.com", true},
        NoProxyCase{"foo.org,,, ,example.com", "example.com", true},
        NoProxyCase{"foo.org,\texample.com", "example.com", true},
        NoProxyCase{"localhost", "localhost", true},
        NoProxyCase{"localhost", "127.0.0.1", false},  // no DNS, no aliases
        NoProxyCase{"127.0.0.1", "localhost", false}, NoProxyCase{"127.0.0.1", "127.0.0.1", true},
        NoProxyCase{"127.0.0.1", "127.0.0.10", false},
        NoProxyCase{"127.0.0.1:8080", "127.0.0.1", true},
        NoProxyCase{"10.0.0.0/8", "10.200.3.4", true}, NoProxyCase{"10.0.0.0/8", "11.0.0.1", false},
        NoProxyCase{"192.168.0.0/16", "192.168.255.1", true},
        NoProxyCase{"192.168.0.0/16", "192.169.0.1", false},
        NoProxyCase{"192.168.1.0/25", "192.168.1.127", true},
        NoProxyCase{"192.168.1.0/25", "192.168.1.128", false},
        NoProxyCase{"1.2.3.4/32", "1.2.3.4", true}, NoProxyCase{"1.2.3.4/33", "1.2.3.4", false},
        NoProxyCase{"1.2.3.4/x", "1.2.3.4", false}, NoProxyCase{"0.0.0.0/0", "203.0.113.9", true},
        NoProxyCase{"10.0.0.0/8", "ten.example", false},  // a name never matches a range
        NoProxyCase{"::1", "::1", true}, NoProxyCase{"::1", "[::1]", true},
        NoProxyCase{"[::1]", "::1", true}, NoProxyCase{"[::1]:8080", "::1", true},
        NoProxyCase{"0:0::1", "::1", true},  // compared as addresses, not text
        NoProxyCase{"::1", "::2", false}, NoProxyCase{"fd00::/8", "fd12:3456::1", true},
        NoProxyCase{"fd00::/8", "fe80::1", false}, NoProxyCase{"fe80::/10", "febf::1", true},
        NoProxyCase{"fe80::/10", "fec0::1", false},
        NoProxyCase{"2001:db8::/33", "2001:db8:7fff::1", true},
        NoProxyCase{"2001:db8::/33", "2001:db8:8000::1", false},
        NoProxyCase{"127.0.0.0/8", "::1", false},  // families never mix
        NoProxyCase{"::1", "127.0.0.1", false}, NoProxyCase{"example.com", "", false}));

TEST(ChooseProxy, EnvironmentByScheme) {
  ProxyEnvironment env{.https_proxy = "http://secure-proxy:3128", .http_proxy = "http://plain:80"};
  auto https = choose_proxy(env, "", url("https://api.openai.com/v1/chat"));
  ASSERT_TRUE(https);
  EXPECT_EQ(https->authority(), "secure-proxy:3128");
  auto http = choose_proxy(env, "", url("http://10.0.0.5:8000/v1"));
  ASSERT_TRUE(http);
  EXPECT_EQ(http->authority(), "plain:80");
}

TEST(ChooseProxy, NoEnvironmentMeansDirect) {
  EXPECT_EQ(choose_proxy({}, "", url("https://api.openai.com/v1")), std::nullopt);
  ProxyEnvironment only_http{.http_proxy = "http://plain:80"};
  EXPECT_EQ(choose_proxy(only_http, "", url("https://api.openai.com/v1")), std::nullopt);
}

TEST(ChooseProxy, NoProxyBypassesTheEnvironment) {
  ProxyEnvironment env{.https_proxy = "http://p:3128", .no_proxy = "localhost,.internal"};
  EXPECT_EQ(choose_proxy(env, "", url("https://llm.internal/v1")), std::nullopt);
  EXPECT_EQ(choose_proxy(env, "", url("https://localhost:8443/v1")), std::nullopt);
  EXPECT_TRUE(choose_proxy(env, "", url("https://api.openai.com/v1")));
}

TEST(ChooseProxy, TheEndpointKeyWins) {
  ProxyEnvironment env{.https_proxy = "http://env-proxy:3128", .no_proxy = "api.openai.com"};
  // Its own proxy, even for a host NO_PROXY names.
  auto own = choose_proxy(env, "http://u:p@own:8080", url("https://api.openai.com/v1"));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->authority(), "own:8080");
  EXPECT_EQ(own->user, "u");
  // `none`: direct although the environment sets a proxy.
  EXPECT_EQ(choose_proxy(env, "none", url("https://other.example/v1")), std::nullopt);
  EXPECT_EQ(choose_proxy(env, "NONE", url("https://other.example/v1")), std::nullopt);
  // The endpoint's proxy serves http:// targets too.
  EXPECT_TRUE(choose_proxy({}, "http://own:8080", url("http://10.0.0.5/v1")));
}

TEST(ChooseProxy, AnInvalidEnvironmentValueMeansDirectAndIsReported) {
  ProxyEnvironment env{.https_proxy = "https://alice:hunter2@proxy:3128",
                       .http_proxy = "socks5://proxy:1080",
                       .https_proxy_var = "HTTPS_PROXY",
                       .http_proxy_var = "http_proxy"};
  EXPECT_EQ(choose_proxy(env, "", url("https://api.openai.com/v1")), std::nullopt);
  EXPECT_EQ(choose_proxy(env, "", url("http://10.0.0.5/v1")), std::nullopt);
  auto warnings = proxy_env_warnings(env);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0],
            "HTTPS_PROXY is ignored: https:// proxies are not supported (the gateway talks plain "
            "HTTP to the proxy and TLS to the provider through its CONNECT tunnel). https:// "
            "upstreams are reached directly; set it to an http:// proxy URL such as "
            "http://proxy.internal:3128");
  EXPECT_EQ(warnings[1],
            "http_proxy is ignored: SOCKS proxies are not supported. http:// upstreams are reached "
            "directly; set it to an http:// proxy URL such as http://proxy.internal:3128");
  for (const auto& w : warnings) EXPECT_EQ(w.find("hunter2"), std::string::npos) << w;
}

TEST(ProxyEnvSummary, NamesProxiesWithoutCredentials) {
  auto env = ProxyEnvironment::from(env_of(
      {{"HTTPS_PROXY", "http://alice:hunter2@proxy:3128"}, {"no_proxy", " localhost,.internal "}}));
  EXPECT_EQ(proxy_env_summary(env),
            "outbound proxy for https:// upstreams: proxy:3128 (from HTTPS_PROXY, with "
            "credentials); no_proxy: localhost,.internal");
}

}  // namespace
}  // namespace gw::config
