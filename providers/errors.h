// Errors are values on the request path (docs/architecture.md, "Errors as values"): adapters,
// the schema validator and the upstream client return Result<T>; one function per path family
// renders a GatewayError as an HTTP response (gateway/errors_http.h).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "providers/json.h"

namespace gw {

struct GatewayError {
  int status = 500;
  // FastAPI's `detail`: usually a string; an array for 422 validation lists; an object when an
  // upstream error body without `error.message` is passed through
  // (docs/mlflow-compatibility.md §3.6).
  Json detail;
  // OpenAI error `type` for /v1/* responses; derived from the status when empty.
  std::string type;
  // OpenAI error `code` (e.g. "model_not_found"); null when empty.
  std::string code;
  // Set by the upstream client when no usable HTTP reply came: the resilience stage decides
  // on it whether to retry (docs/resilience.md). None for every other error.
  enum class Transport : unsigned char { None, Connect, Tls, Timeout, Malformed };
  Transport transport = Transport::None;

  static GatewayError make(int status, std::string message, std::string type = {},
                           std::string code = {});
  // The detail as one human-readable string (non-string details are serialised).
  std::string message() const;
  // OpenAI type for this error: `type` if set, else one derived from the status.
  std::string openai_type() const;
};

// The 422 MLflow returns when a client sets `model` on an endpoint that already defines one.
GatewayError model_not_permitted();

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}         // NOLINT: implicit
  Result(GatewayError err) : v_(std::in_place_index<1>, std::move(err)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const GatewayError& error() const { return std::get<1>(v_); }
  GatewayError&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, GatewayError> v_;
};

}  // namespace gw
