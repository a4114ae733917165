// The OpenAPI 3.1 description of the HTTP API, served at GET /openapi.json and rendered by
// /docs and /redoc (apidocs.h; docs/api.md, "API description").
//
// Generated from the route table the router matches with (router.h), so the description cannot
// drift from what is served: every row of route_table() becomes a path (its `{name}` capture a
// path parameter) with one operation per method it accepts (HEAD, implied by GET, is not
// listed), and each RouteId's operation (summary, operationId, tag, request and response
// schemas, examples) comes from a switch without a default, which -Werror=switch turns into a
// build error for a RouteId nobody documented. Error responses are added per path family, as
// errors_http.cpp renders them.
//
// Pure (no Asio, no runtime snapshot): the document describes the API, not a configuration, so
// it is the same for every request of a build.
#pragma once

#include <string>

#include "providers/json.h"

namespace gw {

// The document, built from route_table().
Json openapi_document();
// openapi_document() serialised: built on first use, then shared (thread-safe).
const std::string& openapi_text();

}  // namespace gw
