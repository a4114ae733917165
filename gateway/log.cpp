#include "gateway/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>

#include "providers/json.h"

namespace gw::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
const char* name(Level l) {
  switch (l) {
    case Level::Debug:
      return "DEBUG";
    case Level::Info:
      return "INFO";
    case Level::Warn:
      return "WARN";
    case Level::Error:
      return "ERROR";
  }
  return "?";
}

std::atomic<bool> g_json{false};

// "2025-01-15T10:32:07.412Z" (UTC, milliseconds). The part up to the seconds is formatted once
// per second and thread (gmtime_r and strftime cost more than the rest of a line).
std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto since = now.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000;
  thread_local long long cached_second = -1;
  thread_local char cached[40];
  if (seconds != cached_second) {
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = seconds;
  }
  std::string out = cached;
  out += '.';
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += 'Z';
  return out;
}

// A single write(2) per line (or batch of whole lines) keeps lines from different threads
// whole.
void emit(std::string_view line) {
  std::size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
}

std::string json_head(Level level) {
  return "{\"time\":\"" + timestamp() + "\",\"level\":\"" + name(level) + "\"";
}
}  // namespace

void set_level(Level level) { g_level = static_cast<int>(level); }
bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }
void set_format(Format format) { g_json = format == Format::Json; }

std::string format(Level level, std::string_view message) {
  if (!enabled(level)) return {};
  if (g_json.load(std::memory_order_relaxed)) {
    return json_head(level) + ",\"message\":" +
           Json(std::string(message)).dump(-1, ' ', false, Json::error_handler_t::replace) + "}\n";
  }
  std::string line;
  line.reserve(message.size() + 48);
  line += timestamp();
  line += ' ';
  line += name(level);
  line += ' ';
  line += message;
  line += '\n';
  return line;
}

std::string format_json(Level level, std::string_view members) {
  if (!enabled(level)) return {};
  std::string line = json_head(level);
  if (!members.empty()) line += ',';
  line += members;
  line += "}\n";
  return line;
}

void emit_lines(std::string_view lines) { emit(lines); }

void write(Level level, std::string_view message) {
  if (enabled(level)) emit(format(level, message));
}

void write_json(Level level, std::string_view members) {
  if (enabled(level)) emit(format_json(level, members));
}

}  // namespace gw::log
