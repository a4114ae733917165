// Request ids (docs/api.md, "Request ids"): every request gets one. It is returned in the
// response's X-Request-Id, sent to the provider as X-Request-Id, and written in every log line
// about the request.
#pragma once

#include <string>
#include <string_view>

namespace gw {

// The client's X-Request-Id when it is 1..128 characters from [A-Za-z0-9._:-] (kept as sent),
// else a new id. A longer or unsafe value is replaced, never echoed.
std::string request_id_for(std::string_view incoming);

// A new random id: a UUID version 4 ("f47ac10b-58cc-4372-a567-0e02b2c3d479").
std::string new_request_id();

}  // namespace gw
