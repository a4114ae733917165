// AWS Signature Version 4 (header form, AWS4-HMAC-SHA256), used to sign Amazon Bedrock calls
// (docs/mlflow-compatibility.md §6.12). A pure function of (request, credentials, region,
// service, time): no I/O, no clock, no environment (docs/architecture.md, "Bedrock signing").
// Where the credentials come from (static keys, STS AssumeRole, the default chain) is the
// caller's business.
//
// The algorithm (AWS "Create a signed AWS API request", and the published SigV4 test suite):
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//                      SignedHeaders \n hex(SHA256(body))
//   StringToSign     = "AWS4-HMAC-SHA256" \n YYYYMMDDTHHMMSSZ \n Scope \n
//   hex(SHA256(CanonicalRequest)) Scope            = YYYYMMDD/region/service/aws4_request
//   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, YYYYMMDD), region), service),
//   "aws4_request") Signature        = hex(HMAC(SigningKey, StringToSign))
//
// Canonical URI (non-S3 services): the URL's path as it is sent, normalised (empty and "."
// segments dropped, ".." removes the previous one, a trailing '/' kept), then every segment is
// URI-encoded once more: RFC 3986 unreserved characters stay, everything else becomes %XX with
// upper-case hex, '/' separates segments. So a path sent as "/a%3Ab" is signed as "/a%253Ab"
// (AWS's "encoded twice", counted from the raw name) and one sent as "/a:b" as "/a%3Ab"; both
// are what the service computes from the bytes it receives.
//
// Canonical query: each name and value is percent-decoded (%XX only; '+' is a literal plus) and
// re-encoded like a path segment, the pairs are sorted by name then value, a parameter without
// '=' or with an empty value becomes "name=".
//
// Canonical headers: every header of the request except the unsignable ones (Authorization,
// User-Agent, Expect, X-Amzn-Trace-Id and the hop-by-hop headers Connection, Keep-Alive,
// Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade), names lower-cased, values
// trimmed with runs of spaces/tabs collapsed to one space, repeated names joined with ',' in
// request order, sorted by name, each line ended by '\n'.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "providers/adapter.h"

namespace gw {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // STS temporary credentials
};

// Signs `req` in place for `region`/`service` at `now`. Removes any Authorization, Host,
// X-Amz-Date, X-Amz-Content-Sha256 and X-Amz-Security-Token headers it already carries, then
// adds Host (from the URL, with the port only when it is not the scheme's default),
// X-Amz-Date, X-Amz-Content-Sha256 (hex SHA-256 of the body, when `sign_content_sha256`),
// X-Amz-Security-Token (when the credentials have a session token) and Authorization; all but
// Authorization are signed, together with the request's other signable headers.
// Returns false (and leaves `req` untouched) when `req.url` is not an absolute http(s) URL
// (config/url.h parse_url).
//
// Note for the HTTP client: the request must go out with exactly the signed headers and body
// (one Host header, equal to the signed one); headers added after signing are not covered.
bool sigv4_sign(UpstreamRequest& req, const AwsCredentials& creds, std::string_view region,
                std::string_view service, std::chrono::system_clock::time_point now,
                bool sign_content_sha256 = true);

// --- Building blocks, exposed for the tests ---

// "YYYYMMDDTHHMMSSZ" (UTC, seconds truncated) for `now`.
std::string sigv4_amz_date(std::chrono::system_clock::time_point now);

// Lower-case hex SHA-256 of `data`.
std::string sigv4_sha256_hex(std::string_view data);

// "YYYYMMDD/region/service/aws4_request"; `date` is the 8-digit day (or a full amz date, of
// which the first 8 characters are used).
std::string sigv4_credential_scope(std::string_view date, std::string_view region,
                                   std::string_view service);

// The canonical URI for a URL path (see above).
std::string sigv4_canonical_uri(std::string_view path);

// The canonical query string for a raw query (without '?').
std::string sigv4_canonical_query(std::string_view query);

// "host;x-amz-date;...": the names of the headers of `req` that are signed, sorted.
std::string sigv4_signed_headers(const UpstreamRequest& req);

// The canonical request for `req` exactly as it is (method, URL, headers; nothing is added),
// with `payload_hash` (hex SHA-256 of the body, or e.g. "UNSIGNED-PAYLOAD") as its last line.
// An unparseable URL is treated as path "/" with no query.
std::string sigv4_canonical_request(const UpstreamRequest& req, std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical_request>".
std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view credential_scope,
                                 std::string_view canonical_request);

// The derived signing key kSigning (32 raw bytes) for the day `date` (YYYYMMDD).
std::string sigv4_signing_key(std::string_view secret_access_key, std::string_view date,
                              std::string_view region, std::string_view service);

// Lower-case hex HMAC-SHA256(signing key, string_to_sign): the signature.
std::string sigv4_signature(std::string_view secret_access_key, std::string_view date,
                            std::string_view region, std::string_view service,
                            std::string_view string_to_sign);

}  // namespace gw
