// Plain request/response values between the Beast session (server.cpp) and the API handlers
// (api.cpp), so the handlers neither see sockets nor depend on Beast's message types.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path + optional "?query"
  std::string body;
  std::string client_ip;
  std::vector<std::pair<std::string, std::string>> headers;  // only those the API reads
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, ...)
};

}  // namespace gw
