// `deployments`: the gateway's command line (CLI11).
//   deployments start-server --config-path P [--host H] [--port N] [--workers W] ...
//   deployments validate-config --config-path P [--strict]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/config.h"
#include "config/file_reader.h"
#include "gateway/log.h"
#include "gateway/reload.h"
#include "gateway/runtime.h"
#include "gateway/server.h"

#ifndef GW_VERSION
#define GW_VERSION "0.1.0"
#endif

namespace {

// --config-path falls back to MLFLOW_DEPLOYMENTS_CONFIG, then MLFLOW_GATEWAY_CONFIG.
std::string config_path_or_env(const std::string& given) {
  if (!given.empty()) return given;
  for (const char* var : {"MLFLOW_DEPLOYMENTS_CONFIG", "MLFLOW_GATEWAY_CONFIG"}) {
    const char* v = std::getenv(var);
    if (v && *v) return v;
  }
  return {};
}

void print_issues(const std::string& path, const gw::config::LoadResult& r, bool strict) {
  for (const auto& e : r.errors) std::cerr << path << ": error: " << e.to_string() << "\n";
  for (const auto& w : r.warnings)
    std::cerr << path << ": " << (strict ? "error" : "warning") << ": " << w.to_string() << "\n";
}

std::chrono::milliseconds seconds_opt(double s) {
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"LLM deployments gateway: one API in front of many LLM providers "
               "(compatible with MLflow's Deployments Server)",
               "deployments"};
  app.set_version_flag("--version", std::string("deployments ") + GW_VERSION);
  app.require_subcommand(1);

  std::string config_path;
  gw::ServerOptions opts;
  double read_timeout = 30, idle_timeout = 60, upstream_timeout = 300, connect_timeout = 10,
         grace = 30;
  std::string log_level = "info";

  auto* start = app.add_subcommand("start-server", "Start the gateway server");
  start->add_option("--config-path", config_path,
                    "Gateway YAML config (default: $MLFLOW_DEPLOYMENTS_CONFIG, then "
                    "$MLFLOW_GATEWAY_CONFIG)");
  start->add_option("--host", opts.host, "Address to listen on")->capture_default_str();
  start->add_option("--port", opts.port, "Port to listen on (0 = any free port)")
      ->capture_default_str();
  start->add_option("--workers", opts.workers, "Worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  start->add_option("--max-body-size", opts.max_body_bytes, "Largest request body in bytes (413 above)")
      ->capture_default_str();
  start->add_option("--max-header-size", opts.max_header_bytes,
                    "Largest request header section in bytes (431 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  start->add_option("--max-json-values", opts.max_json_values,
                    "Most JSON values (array elements, object members) in a request body (413 above)")
      ->check(CLI::Range(std::size_t{1000}, std::size_t{100'000'000}))
      ->capture_default_str();
  start->add_option("--max-response-size", opts.upstream.max_response_bytes,
                    "Largest upstream response body or stream in bytes (502 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 40))
      ->capture_default_str();
  start->add_option("--max-connections", opts.max_connections,
                    "Most open client connections; past it new ones get 503 (default: from the "
                    "file-descriptor limit, raised to its hard limit)");
  start->add_option("--read-timeout", read_timeout, "Seconds to receive a whole request (408 after)")
      ->capture_default_str();
  start->add_option("--idle-timeout", idle_timeout, "Seconds an idle keep-alive connection stays open")
      ->capture_default_str();
  start->add_option("--upstream-timeout", upstream_timeout,
                    "Total seconds for one upstream call (504 after)")
      ->capture_default_str();
  start->add_option("--upstream-connect-timeout", connect_timeout,
                    "Seconds to connect to an upstream (504 after)")
      ->capture_default_str();
  start->add_option("--ca-file", opts.upstream.ca_file,
                    "Extra CA bundle (PEM) trusted for upstream TLS, besides the system store");
  start->add_option("--shutdown-grace", grace,
                    "Seconds requests in flight may take to finish after SIGINT/SIGTERM")
      ->capture_default_str();
  start->add_flag("--access-log", opts.access_log, "Log one line per request");
  double stream_first_event = 60, stream_idle = 60;
  start->add_option("--stream-first-event-timeout", stream_first_event,
                    "Seconds a stream may wait for the upstream's first bytes")
      ->capture_default_str();
  start->add_option("--stream-idle-timeout", stream_idle,
                    "Seconds a stream may stay silent between events (no total limit)")
      ->capture_default_str();
  std::string rate_limit_storage;
  start->add_option("--rate-limit-storage", rate_limit_storage,
                    "Shared rate-limit counters: redis[s]://[[user]:password@]host[:port][/db] "
                    "(default: in memory; "
                    "env MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI)");
  start->add_flag("--rate-limit-fail-closed", opts.rate_limit_fail_closed,
                  "When the Redis store is unreachable, answer 503 instead of admitting calls");
  bool watch_config = true;
  start->add_flag("!--no-reload", watch_config,
                  "Do not watch the config file (SIGHUP then does nothing either)");
  start->add_option("--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();

  bool strict = false;
  std::string validate_path;
  auto* validate = app.add_subcommand("validate-config", "Check a config file and exit (0 = valid)");
  validate->add_option("--config-path", validate_path, "Gateway YAML config");
  validate->add_flag("--strict", strict, "Treat warnings (e.g. unknown keys) as errors");

  CLI11_PARSE(app, argc, argv);

  if (*validate) {
    std::string path = config_path_or_env(validate_path);
    if (path.empty()) {
      std::cerr << "Error: --config-path is required (or set MLFLOW_DEPLOYMENTS_CONFIG or "
                   "MLFLOW_GATEWAY_CONFIG)\n";
      return 2;
    }
    auto result = gw::config::load_config_file(path);
    print_issues(path, result, strict);
    if (!result.ok() || (strict && !result.warnings.empty())) return 1;
    std::cout << path << ": OK (" << result.config->endpoints.size() << " endpoints, "
              << result.config->routes.size() << " routes)\n";
    return 0;
  }

  gw::log::set_level(log_level == "debug"  ? gw::log::Level::Debug
                     : log_level == "warn"  ? gw::log::Level::Warn
                     : log_level == "error" ? gw::log::Level::Error
                                            : gw::log::Level::Info);
  std::string path = config_path_or_env(config_path);
  if (path.empty()) {
    std::cerr << "Error: --config-path is required (or set MLFLOW_DEPLOYMENTS_CONFIG or "
                 "MLFLOW_GATEWAY_CONFIG)\n";
    return 2;
  }
  // Parsed from the same text the reloader starts from (an edit during start-up is not lost).
  const std::string served_text = gw::config::read_file(path).text.value_or("");
  auto loaded = served_text.empty() ? gw::config::load_config_file(path)
                                    : gw::config::load_config_string(served_text);
  if (!loaded.ok()) {
    std::cerr << "Error: invalid gateway configuration\n";
    print_issues(path, loaded, false);
    return 2;
  }
  for (const auto& w : loaded.warnings) gw::log::warn(path + ": " + w.to_string());

  if (rate_limit_storage.empty()) {
    if (const char* v = std::getenv("MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI")) rate_limit_storage = v;
  }
  if (!rate_limit_storage.empty() && rate_limit_storage != "memory://") {
    opts.redis = gw::parse_redis_uri(rate_limit_storage);
    if (!opts.redis) {
      // The URI may hold a password: never echo it.
      std::cerr << "Error: --rate-limit-storage must be memory:// or redis://host:port[/db] "
                   "(rediss:// for TLS; credentials as redis://[user]:password@host), got '"
                << gw::redact_uri(rate_limit_storage) << "'\n";
      return 2;
    }
    opts.redis->ca_file = opts.upstream.ca_file;
  }
  opts.read_timeout = seconds_opt(read_timeout);
  opts.stream_first_event = seconds_opt(stream_first_event);
  opts.stream_idle = seconds_opt(stream_idle);
  opts.idle_timeout = seconds_opt(idle_timeout);
  opts.shutdown_grace = seconds_opt(grace);
  opts.upstream.total_timeout = seconds_opt(upstream_timeout);
  opts.upstream.connect_timeout = seconds_opt(connect_timeout);

  const std::size_t n_endpoints = loaded.config->endpoints.size();
  try {
    auto runtime = std::make_shared<gw::RuntimeHolder>(
        std::make_shared<const gw::Runtime>(std::move(*loaded.config)));
    // Hot reload: the watcher swaps the snapshot in `runtime`; SIGHUP asks it to re-read.
    gw::ConfigReloader reloader(path, runtime, std::move(served_text));
    if (watch_config) {
      reloader.start();
      opts.on_reload_signal = [&reloader] { reloader.request_reload(); };
    } else {
      // SIGHUP would otherwise terminate the process.
      opts.on_reload_signal = [] { gw::log::warn("SIGHUP ignored: started with --no-reload"); };
    }
    gw::Server server(opts, runtime);
    auto port = server.start();
    gw::log::info("listening on http://" + opts.host + ":" + std::to_string(port) + " (" +
                  std::to_string(opts.workers) + " workers, " + std::to_string(n_endpoints) +
                  " endpoints, config " + path + ", rate limits in " +
                  (opts.redis ? opts.redis->redacted() : std::string("memory")) +
                  ")");
    server.wait();
    gw::log::info("stopped");
  } catch (const std::exception& ex) {
    std::cerr << "Error: " << ex.what() << "\n";
    return 1;
  }
  return 0;
}
