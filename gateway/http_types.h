// Plain request/response values between the Beast session (server.cpp) and the API handlers
// (api.cpp), so the handlers neither see sockets nor depend on Beast's message types.
// No Asio here either: the pure parts of the pipeline (router, stages' rules) include it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

class StreamWriter;  // stream_writer.h

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path + optional "?query"
  std::string body;
  std::string client_ip;
  std::vector<std::pair<std::string, std::string>> headers;  // only those the API reads
  StreamWriter* stream = nullptr;  // set by the server: how a streamed response is written
  std::string request_id;          // set by the server (request_id.h)
};

// What the JSON access log says about an invocation (docs/operations.md, "Access log"): set by
// the API for invocation routes. Never a secret, a prompt or a completion.
struct InvocationFacts {
  std::string endpoint;  // the endpoint that answered (or was tried last)
  std::string provider;
  std::string model;
  double overhead_ms = 0;  // time not spent waiting for upstreams
  double ttft_ms = -1;     // streams: until the stream began (-1: not a stream)
  std::string limit_key;   // the rate-limit counter key, hashed ("" without a limit)
  std::string key;         // the client key's name ("" without auth)
  // The provider reported no usage: the tokens charged were estimated (bytes / 4).
  bool tokens_estimated = false;
  long long estimated_in = -1;
  long long estimated_out = -1;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, ...)
  // The response was written through ApiRequest::stream; `stream_complete` is false when it
  // could not be finished cleanly (the connection is then closed).
  bool streamed = false;
  bool stream_complete = false;
  // A stream's token usage as reported by the provider ("tokens <prompt>/<completion>/<total>",
  // "-" for a missing count), for the access log; empty when the stream reported none.
  std::string usage;
  // A stream: the UTF-8 bytes of the text it carried (for a token estimate without usage).
  std::size_t text_bytes = 0;
  // Every attempt of an invocation ("<endpoint>:<status>:<reason>", comma-separated), for the
  // access log (docs/resilience.md); empty for other routes.
  std::string attempts;
  std::optional<InvocationFacts> invocation;
};

}  // namespace gw
