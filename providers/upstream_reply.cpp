#include "providers/upstream_reply.h"

#include <algorithm>
#include <cctype>

namespace gw {
namespace {

bool same_letter(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), same_letter) !=
         hay.end();
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  return contains_ci(content_type, "application/json");
}

GatewayError upstream_stream_error(std::string_view message) {
  return GatewayError::make(502,
                            "The upstream reported an error mid-stream: " + std::string(message),
                            "upstream_error", "bad_gateway");
}

GatewayError upstream_stream_error_of(const Json& error) {
  if (error.is_object()) {
    auto it = error.find("message");
    if (it != error.end() && it->is_string()) return upstream_stream_error(it->get<std::string>());
  }
  if (error.is_string()) return upstream_stream_error(error.get<std::string>());
  return upstream_stream_error(to_text(error));
}

namespace {
constexpr std::string_view kMalformed = "The upstream returned a malformed response: ";
}

GatewayError malformed_upstream(std::string_view what) {
  GatewayError e = GatewayError::make(502, std::string(kMalformed) + std::string(what),
                                      "upstream_error", "bad_gateway");
  e.transport = GatewayError::Transport::Malformed;
  return e;
}

GatewayError name_the_upstream(GatewayError e, std::string_view endpoint, std::string_view host) {
  if (e.status != 502 || !e.detail.is_string()) return e;
  const std::string& text = e.detail.get_ref<const std::string&>();
  if (text.rfind(kMalformed, 0) != 0) return e;
  e.detail = "Endpoint '" + std::string(endpoint) + "': the upstream " + std::string(host) +
             " returned a malformed response: " + text.substr(kMalformed.size());
  return e;
}

std::string_view UpstreamReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(), same_letter)) return value;
  return {};
}

Result<Json> decode_upstream_reply(const UpstreamReply& reply,
                                   const std::vector<std::string_view>& message_fields,
                                   std::string_view error_type_header) {
  Json body;
  if (is_json_content_type(reply.content_type)) {
    if (json_too_deep_at(reply.body) != std::string_view::npos)
      return malformed_upstream("the body nests deeper than " + std::to_string(kMaxJsonDepth) +
                                " levels");
    body = Json::parse(reply.body, nullptr, false);
    if (body.is_discarded()) {
      if (reply.status >= 400) {
        // An error status with a broken JSON body: keep the status, pass the text on.
        return GatewayError::make(reply.status, reply.body);
      }
      return malformed_upstream("the body is not valid JSON");
    }
  } else if (contains_ci(reply.content_type, "text/plain")) {
    body = Json{{"message", reply.body}};
  } else {
    return GatewayError::make(
        502,
        "The returned data type from the route service is not supported. Received content type: " +
            (reply.content_type.empty() ? std::string("None") : reply.content_type),
        "upstream_error", "bad_gateway");
  }
  if (reply.status >= 400) {
    GatewayError e;
    e.status = reply.status;
    if (body.is_object() && body.contains("error")) {
      const Json& err = body["error"];
      if (err.is_object() && err.contains("message")) {
        e.detail = err["message"];
      } else if (err.is_string()) {
        e.detail = err;  // MLflow crashes (500) here; the string is the message.
      } else {
        e.detail = body;
      }
    } else {
      e.detail = body;
      for (std::string_view field : message_fields) {
        auto it = body.is_object() ? body.find(field) : body.end();
        if (it != body.end() && it->is_string()) {
          e.detail = *it;
          break;
        }
      }
      // A body without a message may still name the error in a header (AWS's
      // x-amzn-ErrorType: "ThrottlingException:http://internal.amazon.com/..."): the name.
      const std::string_view type =
          error_type_header.empty() ? std::string_view() : reply.header(error_type_header);
      if (!e.detail.is_string() && !type.empty())
        e.detail = std::string(type.substr(0, type.find(':')));
    }
    return e;
  }
  if (reply.status < 200 || reply.status >= 300) {
    return malformed_upstream("unexpected status " + std::to_string(reply.status));
  }
  return body;
}

Result<Json> Adapter::decode_reply(const UpstreamReply& reply) const {
  return decode_upstream_reply(reply, error_message_fields(), error_type_header());
}

Result<Json> Adapter::parse_reply(const RequestContext& ctx, const UpstreamReply& reply) const {
  auto body = decode_reply(reply);
  if (!body) return body.take_error();
  return translate(ctx, std::move(*body));
}

}  // namespace gw

namespace gw {

Result<std::string> Adapter::reply_text(const RequestContext& ctx,
                                        const UpstreamReply& reply) const {
  auto unified = parse_reply(ctx, reply);
  if (!unified) return unified.take_error();
  return to_text(*unified);
}

}  // namespace gw
