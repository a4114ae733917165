// Stage 1 of an invocation: which endpoint serves it. Pure functions of the runtime snapshot
// and the request; a traffic route picks one destination per request from a uniform draw in
// [0, 100) (traffic_draw(), injectable in tests).
#pragma once

#include <string>

#include "gateway/runtime.h"
#include "providers/errors.h"

namespace gw {

// A uniform draw in [0, 100) for picking a traffic-route destination.
double traffic_draw();

// Whether `name` is an endpoint or a traffic route of the snapshot.
bool is_invocable(const Runtime& rt, const std::string& name);

// /endpoints/{name}/invocations: the endpoint, or a traffic route's destination for `draw`.
// nullptr when the name is neither.
const EndpointRuntime* resolve_name(const Runtime& rt, const std::string& name, double draw);

// /v1/*: the body's `model` -> an endpoint of type `want` (or a route's destination).
// 404 `model_not_found` when no endpoint or route has that name; 400 when its type differs.
Result<const EndpointRuntime*> resolve_model(const Runtime& rt, config::EndpointType want,
                                             const std::string& model, double draw);

// /v1/*: the `model` member of a parsed body. 422 (the schema's "valid dictionary" error) for
// a body that is not an object; 400 when `model` is missing, null or not a string.
Result<std::string> model_of(config::EndpointType want, const Json& body);

}  // namespace gw
