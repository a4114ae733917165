// `deployments healthcheck [--url URL] [--timeout SECONDS]` (docs/operations.md, "Health
// checks"): one GET to the gateway's health route, for container HEALTHCHECKs in images
// without curl. Exit status 0 when the answer is 200, else 1, with one line saying why.
#pragma once

#include <chrono>
#include <string>

namespace gw {

struct HealthcheckResult {
  bool healthy = false;
  std::string message;  // "200 OK from http://..." or what failed
};

HealthcheckResult run_healthcheck(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace gw
