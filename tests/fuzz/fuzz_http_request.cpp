// fuzz_http_request: the HTTP request reader of gateway/server.cpp, bytes in, responses out.
//
// One gateway runs in-process (started at the first input: one worker, small limits, mock
// endpoints, one endpoint limited by a header key, one OpenAI endpoint whose upstream port is
// closed). Each input is written raw on a new connection, whose write side is then shut down;
// everything the gateway sends is read until it closes the connection.
//
// Checks, for every input:
//   - the gateway closes the connection within 10 s (it never hangs on a client that stopped);
//   - what it sent is zero or more complete, well-formed HTTP/1.1 responses, one after another
//     (Beast's strict response parser reads them, chunked streams included), each with a status
//     of 100-599 and, unless it is a 1xx, a Content-Type;
//   - and, as everywhere under ASan/UBSan, no memory error or undefined behaviour in the server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/log.h"
#include "gateway/server.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "==FUZZ CHECK FAILED== %s\n%s\n", what, detail.c_str());
  std::abort();
}

constexpr const char* kConfig = R"(endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model: {provider: mock}
  - name: completions
    endpoint_type: llm/v1/completions
    model: {provider: mock}
  - name: embeddings
    endpoint_type: llm/v1/embeddings
    model: {provider: mock}
  - name: limited
    endpoint_type: llm/v1/chat
    model: {provider: mock}
    limit: {calls: 1000000, renewal_period: minute, key: 'header:X-User'}
  - name: dead
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config: {openai_api_key: sk-fuzz, openai_api_base: 'http://127.0.0.1:9/v1'}
routes:
  - name: split
    task_type: llm/v1/chat
    destinations: [{name: chat, traffic_percentage: 50}, {name: limited, traffic_percentage: 50}]
    routing_strategy: TRAFFIC_SPLIT
)";

struct Gateway {
  std::unique_ptr<gw::Server> server;
  std::uint16_t port = 0;
  Gateway() {
    gw::log::set_level(gw::log::Level::Error);
    auto loaded = gw::config::load_config_string(kConfig);
    if (!loaded.ok()) {
      std::string errors;
      for (const auto& e : loaded.errors) errors += e.to_string() + "\n";
      fail("the fuzz config does not load", errors);
    }
    gw::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.workers = 1;
    o.handle_signals = false;
    o.max_body_bytes = 64 * 1024;
    o.max_header_bytes = 4096;
    o.max_json_values = 10'000;
    o.max_connections = 64;
    o.read_timeout = std::chrono::milliseconds(2000);
    o.idle_timeout = std::chrono::milliseconds(2000);
    o.upstream.connect_timeout = std::chrono::milliseconds(500);
    o.upstream.total_timeout = std::chrono::milliseconds(1000);
    auto runtime = std::make_shared<gw::RuntimeHolder>(
        std::make_shared<const gw::Runtime>(std::move(*loaded.config)));
    server = std::make_unique<gw::Server>(o, runtime);
    port = server->start();
  }
};

// Started before the first input (not counted by libFuzzer's per-input leak check) and never
// destroyed: libFuzzer exits without unwinding.
Gateway* g_gateway = nullptr;

// Sends `input`, half-closes, and returns everything read until the gateway closes.
std::string exchange(std::uint16_t port, const std::uint8_t* data, std::size_t size) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket()", "");
  // The gateway closes first, so each connection leaves a TIME_WAIT entry for its address pair:
  // rotating the client's source address over 127.1.0.0/16 keeps tens of thousands of
  // executions a minute from running out of ephemeral ports.
  static std::uint32_t next_source = 0;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(0x7f010000u | (1 + next_source++ % 65000));
  ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // libFuzzer's SIGALRM handler (per-input timeout) has no SA_RESTART: an interrupted connect()
  // goes on in the background, so wait for it instead of failing the input.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    if (err == EINTR || err == EINPROGRESS || err == EALREADY) {
      pollfd p{fd, POLLOUT, 0};
      int ready;
      do ready = ::poll(&p, 1, 10'000);
      while (ready < 0 && errno == EINTR);
      socklen_t len = sizeof err;
      err = ready == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 ? err : ETIMEDOUT;
    }
    if (err != 0) {
      ::close(fd);
      fail("connect()", std::strerror(err));
    }
  }
  std::string out;
  std::size_t sent = 0;
  bool write_open = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    if (write_open && sent == size) {
      ::shutdown(fd, SHUT_WR);
      write_open = false;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      ::close(fd);
      fail("the gateway did not close the connection within 10 s", out.substr(0, 512));
    }
    pollfd p{fd, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(left)) < 0) continue;
    if (write_open && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        sent = size;  // the gateway closed its side (it answered an error): just read
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[16 * 1024];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;  // closed (or reset after an error response)
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// Every byte the gateway sent must be whole HTTP/1.1 responses.
void check_responses(const std::string& wire) {
  if (wire.empty()) return;  // closed without an answer (nothing was sent, or nothing complete)
  beast::flat_buffer buffer;
  auto space = buffer.prepare(wire.size());
  std::memcpy(space.data(), wire.data(), wire.size());
  buffer.commit(wire.size());
  while (buffer.size() > 0) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(64 * 1024);
    parser.eager(true);
    beast::error_code ec;
    for (;;) {  // put() may stop after the header: feed it until it is done or wants more
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) fail(("an invalid response: " + ec.message()).c_str(), wire.substr(0, 1024));
      if (parser.is_done() || used == 0) break;
    }
    if (!parser.is_done()) {
      if (!parser.is_header_done()) fail("a truncated response head", wire.substr(0, 1024));
      // Only a body delimited by the end of the connection (HTTP/1.0 streams) may end here.
      parser.put_eof(ec);
      if (ec) fail("a truncated response body", wire.substr(0, 1024));
      return;
    }
    const unsigned status = parser.get().result_int();
    if (status < 100 || status > 599) fail("a status outside 100-599", wire.substr(0, 1024));
    if (status >= 200 && parser.get()[http::field::content_type].empty() &&
        !parser.get().body().empty()) {
      fail("a response body without Content-Type", wire.substr(0, 1024));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_gateway = new Gateway();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string wire = exchange(g_gateway->port, data, size);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.find("HEAD") != std::string_view::npos) {
    // A response to HEAD announces a body it does not send: only its first line is checked.
    if (!wire.empty() && wire.rfind("HTTP/1.1 ", 0) != 0) fail("not an HTTP/1.1 response", wire);
    return 0;
  }
  check_responses(wire);
  return 0;
}
