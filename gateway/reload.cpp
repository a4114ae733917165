#include "gateway/reload.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "config/file_reader.h"
#include "gateway/log.h"

namespace gw {
namespace {

// The file's text, or nullopt when it does not exist / cannot be read.
std::optional<std::string> read_text(const std::string& path) {
  return config::read_file(path).text;
}

// The absolute, normalised path split into its directory and its name.
std::pair<std::string, std::string> split_path(const std::string& path) {
  const std::string full = std::filesystem::absolute(path).lexically_normal().string();
  const auto slash = full.rfind('/');
  if (slash == std::string::npos) return {".", full};
  return {slash == 0 ? "/" : full.substr(0, slash), full.substr(slash + 1)};
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Whether two snapshots' `auth:` differ (on, off, the header, or any key's settings).
bool auth_changed(const Runtime& before, const Runtime& after) {
  const AccessRuntime* a = before.access();
  const AccessRuntime* b = after.access();
  if (!a || !b) return a != b;
  if (a->header != b->header || a->keys.size() != b->keys.size()) return true;
  for (std::size_t i = 0; i < a->keys.size(); ++i)
    if (!(a->keys[i].config == b->keys[i].config)) return true;
  return false;
}

}  // namespace

std::string describe_changes(const Runtime& before, const Runtime& after) {
  std::vector<std::string> added, removed, changed;
  for (const auto& ep : after.endpoints()) {
    const EndpointRuntime* old = before.endpoint(ep->config.name);
    if (!old) {
      added.push_back(ep->config.name);
    } else if (!old->config.same_as(ep->config)) {
      changed.push_back(ep->config.name);
    }
  }
  for (const auto& ep : before.endpoints())
    if (!after.endpoint(ep->config.name)) removed.push_back(ep->config.name);
  for (const auto& [name, r] : after.routes()) {
    const RouteRuntime* old = before.route(name);
    if (!old) {
      added.push_back("route " + name);
    } else if (!(old->config.task_type == r.config.task_type &&
                 old->config.destinations == r.config.destinations)) {
      changed.push_back("route " + name);
    }
  }
  for (const auto& [name, r] : before.routes())
    if (!after.route(name)) removed.push_back("route " + name);
  // Keys and budgets are reloaded like endpoints; their counters are kept (by name).
  if (auth_changed(before, after)) changed.push_back("auth");
  if (!(before.budgets() == after.budgets())) changed.push_back("budgets");
  if (added.empty() && removed.empty() && changed.empty()) return "no changes";
  return "added [" + join(added) + "], removed [" + join(removed) + "], changed [" + join(changed) +
         "]";
}

ConfigReloader::ConfigReloader(std::string path, std::shared_ptr<RuntimeHolder> holder,
                               std::string served_text, config::EnvLookup env)
    : path_(std::filesystem::absolute(path).lexically_normal().string()),
      holder_(std::move(holder)),
      env_(std::move(env)) {
  std::tie(dir_, base_) = split_path(path_);
  watched_.push_back(Watched{-1, dir_, base_, true});
  last_text_ = served_text.empty() ? read_text(path_).value_or("") : std::move(served_text);
}

ConfigReloader::~ConfigReloader() {
  stop_ = true;
  if (wake_fd_ >= 0) {
    std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ConfigReloader::also_watch(std::vector<std::string> paths,
                                std::function<void(bool forced, const char* why)> on_change) {
  for (const auto& p : paths) {
    auto [dir, base] = split_path(p);
    watched_.push_back(Watched{-1, std::move(dir), std::move(base), false});
  }
  on_others_ = std::move(on_change);
}

// One inotify watch per directory (inotify gives a directory watched twice the same
// descriptor, so files that share a directory share it).
void ConfigReloader::add_watches() {
  const std::uint32_t mask =
      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB;
  for (auto& w : watched_) {
    w.wd = ::inotify_add_watch(inotify_fd_, w.dir.c_str(), mask);
    if (w.wd < 0)
      throw std::runtime_error("config watcher: cannot watch " + w.dir + ": " +
                               std::strerror(errno));
  }
}

void ConfigReloader::start() {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || wake_fd_ < 0)
    throw std::runtime_error(std::string("config watcher: ") + std::strerror(errno));
  add_watches();
  thread_ = std::thread([this] { run(); });
  log::info("watching " + path_ + " for changes (SIGHUP also reloads)");
  for (std::size_t i = 1; i < watched_.size(); ++i)
    log::info("watching " + watched_[i].dir + "/" + watched_[i].base +
              " for changes (SIGHUP also reloads)");
  std::ifstream mounts("/proc/self/mountinfo");
  std::stringstream text;
  text << mounts.rdbuf();
  if (is_mount_point(text.str(), path_)) {
    log::warn(path_ +
              " is a single-file bind mount: a file replaced on the host or by a ConfigMap "
              "update stays invisible here, so hot reload cannot see edits. Mount its "
              "directory instead (docker -v DIR:" +
              dir_ + ", or a ConfigMap volume without subPath)");
  }
}

void ConfigReloader::request_reload() {
  reload_requested_ = true;
  std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

bool ConfigReloader::wait_until(const std::function<bool()>& pred,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, pred);
}

ConfigReloader::Concern ConfigReloader::concerns(const char* buf, long len) const {
  // Only events about a watched file itself, or Kubernetes' "..data" symlink swap of a mounted
  // ConfigMap or Secret in its directory, matter; anything else in the directory (a log file,
  // say) does not. A queue overflow may have hidden anything.
  Concern c;
  for (long off = 0; off < len;) {
    const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
    std::string_view name = ev->len ? std::string_view(ev->name) : std::string_view();
    for (const auto& w : watched_) {
      const bool hit = (ev->mask & IN_Q_OVERFLOW) ||
                       (ev->wd == w.wd && (name == w.base || name.substr(0, 2) == ".."));
      if (!hit) continue;
      (w.config ? c.config : c.others) = true;
    }
    off += static_cast<long>(sizeof(inotify_event) + ev->len);
  }
  return c;
}

// Drains a burst of events, then waits until the directories have been quiet for 50 ms:
// editors write in several steps, and reading mid-way would report a bogus error.
ConfigReloader::Concern ConfigReloader::drain_events() {
  alignas(inotify_event) char buf[16 * 1024];
  Concern changed;
  do {
    ssize_t n;
    while ((n = ::read(inotify_fd_, buf, sizeof buf)) > 0) {
      const Concern c = concerns(buf, n);
      changed.config |= c.config;
      changed.others |= c.others;
    }
    pollfd quiet{inotify_fd_, POLLIN, 0};
    if (::poll(&quiet, 1, 50) <= 0 || stop_) break;
  } while (true);
  return changed;
}

void ConfigReloader::run() {
  while (!stop_) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    // Wakes every 2 s without events to notice a file replaced behind a single-file mount.
    const int ready = ::poll(fds, 2, 2000);
    if (ready == 0) {
      check_replaced();
      continue;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      log::error(std::string("config watcher stopped: ") + std::strerror(errno));
      return;
    }
    if (stop_) return;
    Concern changed;
    if (fds[0].revents & POLLIN) changed = drain_events();
    if (fds[1].revents & POLLIN) {
      std::uint64_t n;
      while (::read(wake_fd_, &n, sizeof n) > 0) {
      }
    }
    if (stop_) return;
    if (reload_requested_.exchange(false)) {
      reload_once("reload requested");
      if (on_others_) on_others_(true, "reload requested");
      continue;
    }
    if (changed.config) reload_once("file changed");
    if (changed.others && on_others_) on_others_(false, "file changed");
  }
}

void ConfigReloader::wake_waiters() {
  // Counters are updated before, under the mutex's ordering, so a woken waiter sees them.
  { std::lock_guard lock(mu_); }
  cv_.notify_all();
}

void ConfigReloader::finish(bool ok) {
  if (observer_) observer_(ok, last_text_);
  wake_waiters();
}

void ConfigReloader::check_replaced() {
  struct stat st {};
  if (replaced_warned_ || ::stat(path_.c_str(), &st) != 0 || st.st_nlink != 0) return;
  replaced_warned_ = true;
  log::warn(path_ +
            " was replaced or deleted where it comes from, but this path still shows the old "
            "file: it is a single-file bind mount, which pins the original inode, so edits "
            "(which replace the file) never reach the gateway. Mount the directory that holds "
            "it instead (docker -v DIR:" +
            dir_ + ", or a ConfigMap volume without subPath), then restart");
}

void ConfigReloader::reload_once(const char* why) {
  auto text = read_text(path_);
  if (!text) {
    log::warn(path_ + " deleted or unreadable (" + why + "); keeping the current configuration");
    ++failures_;
    finish(false);
    return;
  }
  const bool forced = std::string_view(why) == "reload requested";
  if (*text == last_text_ && !forced) {  // not a reload: only waiters are told
    wake_waiters();
    return;
  }
  auto loaded = config::load_config_string(*text, env_);
  if (!loaded.ok() || (strict_ && !loaded.warnings.empty())) {
    for (const auto& e : loaded.errors) log::error(path_ + ": " + e.to_string());
    if (strict_)
      for (const auto& w : loaded.warnings) log::error(path_ + ": " + w.to_string());
    log::error(loaded.ok()
                   ? "configuration reload refused under --strict (" +
                         std::to_string(loaded.warnings.size()) +
                         " warnings); keeping the current configuration"
                   : "configuration reload failed (" + std::to_string(loaded.errors.size()) +
                         " errors); keeping the current configuration");
    ++failures_;
    finish(false);
    return;
  }
  for (const auto& w : loaded.warnings) log::warn(path_ + ": " + w.to_string());
  const auto current = holder_->load();
  auto next = std::make_shared<const Runtime>(std::move(*loaded.config), current.get());
  const std::string changes = describe_changes(*current, *next);
  holder_->store(std::move(next));
  last_text_ = std::move(*text);
  ++generation_;
  log::info("configuration reloaded from " + path_ + " (" + why + "): " + changes);
  finish(true);
}

bool is_mount_point(std::string_view mountinfo, std::string_view path) {
  // Each line: id parent major:minor root mount-point options ...; the mount point has
  // space, tab, newline and backslash escaped as \ooo.
  while (!mountinfo.empty()) {
    const auto eol = mountinfo.find('\n');
    std::string_view line = mountinfo.substr(0, eol);
    mountinfo = eol == std::string_view::npos ? std::string_view() : mountinfo.substr(eol + 1);
    for (int field = 0; field < 4 && !line.empty(); ++field) {
      const auto sp = line.find(' ');
      line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    }
    const std::string_view raw = line.substr(0, line.find(' '));
    std::string point;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const auto octal = [&](std::size_t k) { return raw[k] >= '0' && raw[k] <= '7'; };
      if (raw[i] == '\\' && i + 3 < raw.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
        point += static_cast<char>((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 +
                                   (raw[i + 3] - '0'));
        i += 3;
      } else {
        point += raw[i];
      }
    }
    if (!point.empty() && point == path) return true;
  }
  return false;
}

}  // namespace gw
