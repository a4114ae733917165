// Line-oriented logging to stderr. One write per line, safe from any thread.
// Never pass secrets (API keys, Authorization headers) to these functions.
#pragma once

#include <string>
#include <string_view>

namespace gw::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
// `--log-format`: "<time> <LEVEL> <message>" lines, or one JSON object per line
// {"time": ..., "level": ..., "message": ...} (docs/operations.md, "Logs").
enum class Format { Text, Json };

void set_level(Level level);
bool enabled(Level level);
void set_format(Format format);
void write(Level level, std::string_view message);
// One JSON line {"time": ..., "level": ..., <members>} whatever the format: `members` is the
// text of an object's members without braces (e.g. the access log's fields).
void write_json(Level level, std::string_view members);

// The line write() / write_json() would write (with its '\n'), for callers that batch lines
// (the access log); "" when `level` is filtered out.
std::string format(Level level, std::string_view message);
std::string format_json(Level level, std::string_view members);
// Writes whole lines (each ending in '\n') with one write(2).
void emit_lines(std::string_view lines);

inline void debug(std::string_view m) { write(Level::Debug, m); }
inline void info(std::string_view m) { write(Level::Info, m); }
inline void warn(std::string_view m) { write(Level::Warn, m); }
inline void error(std::string_view m) { write(Level::Error, m); }

}  // namespace gw::log
