// `deployments`: the gateway's command line (CLI11).
//   deployments start-server --config-path P [--host H] [--port N] [--workers W] ...
//   deployments validate-config --config-path P [--strict]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include "config/config.h"
#include "config/file_reader.h"
#include "config/proxy.h"
#include "gateway/healthcheck.h"
#include "gateway/log.h"
#include "gateway/reload.h"
#include "gateway/runtime.h"
#include "gateway/server.h"
#include "gateway/tls.h"
#include "gateway/version.h"
#include "providers/wire/aws_sigv4.h"

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

// `start-server`'s flags: ServerOptions fields directly, durations in seconds until apply().
struct StartArgs {
  std::string config_path;
  gw::ServerOptions opts;
  double read_timeout = 30, idle_timeout = 60, upstream_timeout = 300, connect_timeout = 10,
         grace = 8, stream_first_event = 60, stream_idle = 60;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string access_log = "text";  // off | text | json
  std::string rate_limit_storage;
  std::string tls_cert, tls_key;  // HTTPS (docs/tls.md)
  bool watch_config = true;       // !no_reload, after parsing
  bool no_reload = false;
  bool strict = false;

  void apply_durations() {
    opts.read_timeout = seconds_opt(read_timeout);
    opts.stream_first_event = seconds_opt(stream_first_event);
    opts.stream_idle = seconds_opt(stream_idle);
    opts.idle_timeout = seconds_opt(idle_timeout);
    opts.shutdown_grace = seconds_opt(grace);
    opts.upstream.total_timeout = seconds_opt(upstream_timeout);
    opts.upstream.connect_timeout = seconds_opt(connect_timeout);
  }
};

struct HealthcheckArgs {
  std::string url = "http://127.0.0.1:5000/health";
  double timeout = 3;
};

struct ValidateArgs {
  std::string config_path;
  bool strict = false;
};

// Limits on what a client may send and what an upstream may answer.
void add_size_options(CLI::App* start, gw::ServerOptions& opts) {
  start
      ->add_option("--max-body-size", opts.max_body_bytes,
                   "Largest request body in bytes (413 above)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--max-header-size", opts.max_header_bytes,
                   "Largest request header section in bytes (431 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  start
      ->add_option(
          "--max-json-values", opts.max_json_values,
          "Most JSON values (array elements, object members) in a request body (413 above)")
      ->check(CLI::Range(std::size_t{1000}, std::size_t{100'000'000}))
      ->capture_default_str();
  start
      ->add_option("--max-response-size", opts.upstream.max_response_bytes,
                   "Largest upstream response body or stream in bytes (502 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 40))
      ->capture_default_str();
  start
      ->add_option("--max-connections", opts.max_connections,
                   "Most open client connections; past it new ones get 503 (default: from the "
                   "file-descriptor limit, raised to its hard limit)")
      ->check(CLI::PositiveNumber);
}

void add_timeout_options(CLI::App* start, StartArgs& a) {
  start
      ->add_option("--read-timeout", a.read_timeout,
                   "Seconds to receive a whole request (408 after)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--idle-timeout", a.idle_timeout,
                   "Seconds an idle keep-alive connection stays open")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--upstream-timeout", a.upstream_timeout,
                   "Total seconds for one upstream call (504 after)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--upstream-connect-timeout", a.connect_timeout,
                   "Seconds to connect to an upstream (504 after)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--shutdown-grace", a.grace,
                   "Seconds requests in flight may take to finish after SIGINT/SIGTERM")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--stream-first-event-timeout", a.stream_first_event,
                   "Seconds a stream may wait for the upstream's first bytes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  start
      ->add_option("--stream-idle-timeout", a.stream_idle,
                   "Seconds a stream may stay silent between events (no total limit)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// HTTPS (docs/tls.md). A flag given without its partner is a usage error (CLI11: "--tls-cert
// requires --tls-key"); the files themselves are checked in configure_tls().
void add_tls_options(CLI::App* start, StartArgs& a) {
  auto* cert = start->add_option("--tls-cert", a.tls_cert,
                                 "Serve HTTPS with this certificate chain (PEM, leaf first; "
                                 "needs --tls-key). Reloaded on change and on SIGHUP");
  auto* key = start->add_option("--tls-key", a.tls_key,
                                "The certificate's private key (PEM, not encrypted)");
  auto* port = start->add_option_function<std::uint16_t>(
      "--tls-port", [&a](std::uint16_t p) { a.opts.tls_port = p; },
      "Serve HTTPS on this port and plain HTTP on --port (needs --tls-cert); without it, "
      "HTTPS replaces plain HTTP on --port");
  cert->needs(key);
  key->needs(cert);
  port->needs(cert);
}

CLI::App* add_start_server(CLI::App& app, StartArgs& a) {
  auto* start = app.add_subcommand("start-server", "Start the gateway server");
  start->add_option("--config-path", a.config_path,
                    "Gateway YAML config (default: $MLFLOW_DEPLOYMENTS_CONFIG, then "
                    "$MLFLOW_GATEWAY_CONFIG)");
  start->add_option("--host", a.opts.host, "Address to listen on")->capture_default_str();
  start->add_option("--port", a.opts.port, "Port to listen on (0 = any free port)")
      ->capture_default_str();
  start->add_option("--workers", a.opts.workers, "Worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  add_size_options(start, a.opts);
  add_timeout_options(start, a);
  start->add_option("--ca-file", a.opts.upstream.ca_file,
                    "Extra CA bundle (PEM) trusted for upstream TLS, besides the system store");
  // `--access-log` alone means text (as before); `--access-log=off` turns it off.
  start
      ->add_flag("--access-log{text}", a.access_log,
                 "One line per answered request: off, text or json (default: text)")
      ->check(CLI::IsMember({"off", "text", "json"}));
  start->add_option("--log-format", a.log_format, "Log lines as text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  start->add_option("--rate-limit-storage", a.rate_limit_storage,
                    "Shared rate-limit counters: redis[s]://[[user]:password@]host[:port][/db] "
                    "(default: in memory; "
                    "env MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI)");
  start->add_flag("--rate-limit-fail-closed", a.opts.rate_limit_fail_closed,
                  "When the Redis store is unreachable, answer 503 instead of admitting calls");
  start->add_flag_callback(
      "--no-ui", [&a] { a.opts.ui = false; }, "Do not serve the web console at /ui");
  start->add_flag("--no-reload", a.no_reload,
                  "Do not watch the config file (SIGHUP then does nothing either)");
  start->add_flag("--strict", a.strict,
                  "Refuse to start when the config has warnings (e.g. unknown keys)");
  start->add_option("--log-level", a.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  start->add_option_function<std::uint16_t>(
      "--metrics-port", [&a](std::uint16_t port) { a.opts.metrics_port = port; },
      "Serve GET /metrics on this port only (same --host), not on the API's port");
  add_tls_options(start, a);
  return start;
}

CLI::App* add_healthcheck(CLI::App& app, HealthcheckArgs& a) {
  auto* check = app.add_subcommand(
      "healthcheck", "GET a running gateway's health route; exit 0 when it answers 200");
  check->add_option("--url", a.url, "Health URL")->capture_default_str();
  check->add_option("--timeout", a.timeout, "Seconds to wait for the answer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return check;
}

int healthcheck(const HealthcheckArgs& a) {
  const auto result = gw::run_healthcheck(a.url, seconds_opt(a.timeout));
  (result.healthy ? std::cout : std::cerr)
      << (result.healthy ? "healthy: " : "unhealthy: ") << result.message << "\n";
  return result.healthy ? 0 : 1;
}

CLI::App* add_validate_config(CLI::App& app, ValidateArgs& a) {
  auto* validate =
      app.add_subcommand("validate-config", "Check a config file and exit (0 = valid)");
  validate->add_option("--config-path", a.config_path, "Gateway YAML config");
  validate->add_flag("--strict", a.strict, "Treat warnings (e.g. unknown keys) as errors");
  return validate;
}

// The config path from the flag or the environment; "" (after saying so) when neither has one.
std::string required_config_path(const std::string& given) {
  std::string path = config_path_or_env(given);
  if (path.empty())
    std::cerr << "Error: --config-path is required (or set MLFLOW_DEPLOYMENTS_CONFIG or "
                 "MLFLOW_GATEWAY_CONFIG)\n";
  return path;
}

int validate_config(const ValidateArgs& a) {
  const std::string path = required_config_path(a.config_path);
  if (path.empty()) return 2;
  auto result = gw::config::load_config_file(path);
  print_issues(path, result, a.strict);
  if (!result.ok() || (a.strict && !result.warnings.empty())) return 1;
  std::cout << path << ": OK (" << result.config->endpoints.size() << " endpoints, "
            << result.config->routes.size() << " routes)\n";
  return 0;
}

gw::log::Level log_level_of(const std::string& name) {
  if (name == "debug") return gw::log::Level::Debug;
  if (name == "warn") return gw::log::Level::Warn;
  if (name == "error") return gw::log::Level::Error;
  return gw::log::Level::Info;
}

// --rate-limit-storage (or its environment variable) into opts.redis; false after an error.
bool configure_rate_limit_storage(StartArgs& a) {
  std::string uri = a.rate_limit_storage;
  if (uri.empty()) {
    if (const char* v = std::getenv("MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI")) uri = v;
  }
  if (uri.empty() || uri == "memory://") return true;
  a.opts.redis = gw::parse_redis_uri(uri);
  if (!a.opts.redis) {
    // The URI may hold a password: never echo it.
    std::cerr << "Error: --rate-limit-storage must be memory:// or "
                 "redis[s]://[[user]:password@]host[:port][/db] (rediss:// for TLS), got '"
              << gw::redact_uri(uri) << "'\n";
    return false;
  }
  a.opts.redis->ca_file = a.opts.upstream.ca_file;
  return true;
}

// --tls-cert/--tls-key into opts.tls: the files are read and checked now, so an unreadable
// file, a file without a certificate or key, or a key that does not match is a start-up error
// naming the flag and the file (never the key's content). False after an error.
bool configure_tls(StartArgs& a) {
  if (a.tls_cert.empty()) return true;
  if (a.opts.tls_port && *a.opts.tls_port != 0 && *a.opts.tls_port == a.opts.port) {
    std::cerr << "Error: --tls-port " << *a.opts.tls_port
              << " is the same as --port (plain HTTP and HTTPS need a port each; without "
                 "--tls-port, HTTPS is served on --port)\n";
    return false;
  }
  try {
    a.opts.tls = std::make_shared<gw::TlsContextHolder>(gw::TlsFiles{a.tls_cert, a.tls_key});
  } catch (const std::exception& ex) {
    std::cerr << "Error: " << ex.what() << "\n";
    return false;
  }
  return true;
}

// HTTPS_PROXY / HTTP_PROXY / NO_PROXY for the upstream client (docs/outbound-proxies.md), said
// once at start-up without credentials; an unusable value is a warning (those upstreams go
// direct).
void configure_proxies(StartArgs& a) {
  auto& env = a.opts.upstream.proxy_env;
  env = gw::config::ProxyEnvironment::from(gw::config::process_env());
  for (const auto& w : gw::config::proxy_env_warnings(env)) gw::log::warn(w);
  if (auto summary = gw::config::proxy_env_summary(env); !summary.empty()) gw::log::info(summary);
}

// The HTTPS listener and the certificate it serves (public parts only).
void log_tls(const StartArgs& a, const gw::Server& server) {
  if (!a.opts.tls) return;
  gw::log::info("TLS certificate from " + a.tls_cert + ": " + a.opts.tls->description());
  if (a.opts.tls_port)
    gw::log::info("listening on https://" + a.opts.host + ":" + std::to_string(server.tls_port()) +
                  " (TLS; plain HTTP stays on --port)");
}

// Runs the server until SIGINT/SIGTERM with the loaded config, watching `path` for changes.
int serve(StartArgs& a, const std::string& path, gw::config::GatewayConfig config,
          std::string served_text) {
  const std::size_t n_endpoints = config.endpoints.size();
  auto runtime =
      std::make_shared<gw::RuntimeHolder>(std::make_shared<const gw::Runtime>(std::move(config)));
  // Hot reload: the watcher swaps the snapshot in `runtime`; SIGHUP asks it to re-read.
  // Metrics: one shard per worker; reloads report their outcome and the served file's hash.
  auto registry = std::make_shared<gw::metrics::Registry>(std::max(1, a.opts.workers));
  registry->set_config(gw::sigv4_sha256_hex(served_text));
  a.opts.metrics = registry;
  gw::ConfigReloader reloader(path, runtime, std::move(served_text));
  reloader.set_strict(a.strict);
  reloader.set_observer([registry](bool ok, const std::string& text) {
    registry->reload_result(ok, ok ? gw::sigv4_sha256_hex(text) : std::string());
  });
  if (a.watch_config) {
    a.opts.on_reload_signal = [&reloader] { reloader.request_reload(); };
  } else {
    // SIGHUP would otherwise terminate the process.
    a.opts.on_reload_signal = [] { gw::log::warn("SIGHUP ignored: started with --no-reload"); };
  }
  // The certificate reloads with the config: on a change of its files and on SIGHUP.
  if (auto tls = a.opts.tls) {
    reloader.also_watch({tls->files().cert_path, tls->files().key_path},
                        [tls](bool forced, const char* why) { tls->reload(forced, why); });
  }
  // Bind first: a port in use is reported before anything else is said or started.
  gw::Server server(a.opts, runtime);
  auto port = server.start();
  if (a.watch_config) reloader.start();
  if (a.opts.metrics_port)
    gw::log::info("metrics on http://" + a.opts.host + ":" + std::to_string(server.metrics_port()) +
                  "/metrics");
  log_tls(a, server);
  const bool tls_on_port = a.opts.tls && !a.opts.tls_port;
  gw::log::info("listening on " + std::string(tls_on_port ? "https" : "http") + "://" +
                a.opts.host + ":" + std::to_string(port) + " (" + std::to_string(a.opts.workers) +
                " workers, " + std::to_string(n_endpoints) + " endpoints, config " + path +
                ", rate limits in " +
                (a.opts.redis ? a.opts.redis->redacted() : std::string("memory")) + ")");
  server.wait();
  gw::log::info("stopped");
  return 0;
}

int start_server(StartArgs& a) {
  gw::log::set_level(log_level_of(a.log_level));
  gw::log::set_format(a.log_format == "json" ? gw::log::Format::Json : gw::log::Format::Text);
  a.opts.access_log = a.access_log != "off";
  a.opts.access_log_json = a.access_log == "json";
  const std::string path = required_config_path(a.config_path);
  if (path.empty()) return 2;
  // Parsed from the same text the reloader starts from (an edit during start-up is not lost).
  std::string served_text = gw::config::read_file(path).text.value_or("");
  auto loaded = served_text.empty() ? gw::config::load_config_file(path)
                                    : gw::config::load_config_string(served_text);
  if (!loaded.ok() || (a.strict && !loaded.warnings.empty())) {
    std::cerr << "Error: invalid gateway configuration\n";
    print_issues(path, loaded, a.strict);
    return 2;
  }
  for (const auto& w : loaded.warnings) gw::log::warn(path + ": " + w.to_string());
  if (!configure_rate_limit_storage(a)) return 2;
  if (!configure_tls(a)) return 2;
  a.apply_durations();
  configure_proxies(a);
  try {
    return serve(a, path, std::move(*loaded.config), std::move(served_text));
  } catch (const std::exception& ex) {
    std::cerr << "Error: " << ex.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "LLM deployments gateway: one API in front of many LLM providers "
      "(compatible with MLflow's Deployments Server)",
      "deployments"};
  app.set_version_flag("--version", std::string("deployments ") + GW_VERSION);
  app.require_subcommand(1);
  StartArgs start_args;
  ValidateArgs validate_args;
  HealthcheckArgs healthcheck_args;
  auto* start = add_start_server(app, start_args);
  auto* validate = add_validate_config(app, validate_args);
  auto* check = add_healthcheck(app, healthcheck_args);
  // CLI11 reports an unknown command as a missing one; say what was typed.
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (argc > 1 && argv[1][0] != '-' && command != "start-server" && command != "validate-config" &&
      command != "healthcheck") {
    std::cerr << "Error: unknown command '" << argv[1]
              << "' (commands: start-server, validate-config, healthcheck)\n\n"
              << app.help();
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Every usage error exits 2 (CLI11's own codes are 100+), with the usage of the command
    // that was being parsed.
    const CLI::App* failed = start->parsed()      ? start
                             : validate->parsed() ? validate
                             : check->parsed()    ? check
                                                  : &app;
    std::cerr << "Error: " << e.what() << "\n\n" << failed->help();
    return 2;
  }
  start_args.watch_config = !start_args.no_reload;
  if (*validate) return validate_config(validate_args);
  if (*check) return healthcheck(healthcheck_args);
  return start_server(start_args);
}
