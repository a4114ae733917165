// The pure halves of STS AssumeRole (providers/wire/aws_sts.h): the signed request and the
// parsing of the answer.
#include <gtest/gtest.h>

#include "providers/wire/aws_sts.h"

namespace gw {
namespace {

config::BedrockSettings role_settings() {
  config::BedrockSettings s;
  s.region = "us-east-1";
  s.sts_endpoint_url = "https://sts.us-east-1.amazonaws.com";
  s.access_key_id = config::Secret("AKIDEXAMPLE");
  s.secret_access_key = config::Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  s.role_arn = "arn:aws:iam::123456789012:role/demo";
  s.session_length_seconds = 1800;
  return s;
}

TEST(AwsSts, AssumeRoleRequestIsASignedQueryApiPost) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  UpstreamRequest req = make_assume_role_request(role_settings(), now);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://sts.us-east-1.amazonaws.com");
  EXPECT_EQ(
      req.body,
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
      "&RoleSessionName=ai-gateway-bedrock&DurationSeconds=1800");
  std::map<std::string, std::string> h(req.headers.begin(), req.headers.end());
  EXPECT_EQ(h["X-Amz-Date"], "20150830T123600Z");
  EXPECT_EQ(h["Host"], "sts.us-east-1.amazonaws.com");
  const std::string& auth = h["Authorization"];
  EXPECT_EQ(
      auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, "
                 "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=",
                 0),
      0u)
      << auth;
  // The signature is the signer's over exactly this request (independently checked against
  // AWS's vectors in test_aws_sigv4.cpp).
  UpstreamRequest again = make_assume_role_request(role_settings(), now);
  EXPECT_EQ(again.headers, req.headers);
}

TEST(AwsSts, ParsesTheDocumentedResponse) {
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (example response)
  const char* xml = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
  <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764&amp;bNrC</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>)";
  auto r = parse_assume_role_response(xml);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(r->credentials.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(r->credentials.session_token, "AQoDYXdzEPT//////////wEXAMPLEtc764&bNrC");
  EXPECT_EQ(r->expires_at, 1573306481);
}

TEST(AwsSts, ErrorResponseGivesCodeAndMessage) {
  auto r = parse_assume_role_response(
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not "
      "authorized to perform: sts:AssumeRole</Message></Error></ErrorResponse>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_EQ(
      r.error().message(),
      "STS AssumeRole failed: AccessDenied: User is not authorized to perform: sts:AssumeRole");
}

TEST(AwsSts, IncompleteCredentialsAreMalformed) {
  auto r = parse_assume_role_response(
      "<AssumeRoleResponse><Credentials><AccessKeyId>A</AccessKeyId></Credentials></"
      "AssumeRoleResponse>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 502);
  EXPECT_FALSE(parse_assume_role_response("").ok());
}

TEST(AwsSts, Iso8601) {
  EXPECT_EQ(parse_iso8601_utc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_utc("2026-11-26T12:00:00Z"), 1795694400);
  EXPECT_EQ(parse_iso8601_utc("2024-02-29T23:59:59.123Z"), 1709251199);
  EXPECT_EQ(parse_iso8601_utc("2024-02-29 23:59:59"), -1);
  EXPECT_EQ(parse_iso8601_utc("garbage"), -1);
}

}  // namespace
}  // namespace gw
