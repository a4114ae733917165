// Hot reload (docs/reload.md): watch the config file's directory with inotify (editors and
// Kubernetes replace files by rename or swap a symlinked directory, so every event in the
// directory leads to a re-read and a content comparison), and reload on request (SIGHUP).
// A reload parses and validates the file and builds a new Runtime off the request path, then
// swaps it in atomically; requests in flight keep the snapshot they started with. An invalid or
// deleted file is reported (every error with path and line) and the current snapshot stays.
//
// The same thread watches other files on request (the TLS certificate and key, docs/tls.md),
// and a SIGHUP reloads them too: one signal, one watcher for everything that reloads.
//
// Thread safety: one watcher thread does all the work; request_reload() and the observers may
// be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "gateway/runtime.h"

namespace gw {

class ConfigReloader {
 public:
  // `served_text` is the text the current snapshot was built from (read from the file when
  // empty), so an edit made during start-up is not mistaken for the served version.
  ConfigReloader(std::string path, std::shared_ptr<RuntimeHolder> holder,
                 std::string served_text = {}, config::EnvLookup env = config::process_env());
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  // --strict: a reloaded file with warnings (unknown keys, ...) is refused like an invalid one.
  // Set before start().
  void set_strict(bool strict) { strict_ = strict; }
  // Told every reload's outcome (on the watcher thread): ok with the served text, or a
  // refused file. For metrics. Set before start().
  void set_observer(std::function<void(bool ok, const std::string& text)> observer) {
    observer_ = std::move(observer);
  }
  // Files watched besides the config (the TLS certificate and key): a change to one of them
  // calls `on_change(false, "file changed")`, and a reload request (SIGHUP) calls
  // `on_change(true, "reload requested")` after the config's reload; both on the watcher
  // thread. Set before start().
  void also_watch(std::vector<std::string> paths,
                  std::function<void(bool forced, const char* why)> on_change);
  // Starts the watcher thread (throws if inotify cannot watch a directory).
  void start();
  // Asks the watcher thread to reload now (the SIGHUP path). Unlike a file event, this rebuilds
  // even when the text is unchanged, so rotated secrets ($ENV, key files) are re-read.
  void request_reload();

  // Outcomes, for logs and tests: successful swaps, and rejected files (invalid or deleted).
  std::uint64_t generation() const { return generation_.load(); }
  std::uint64_t failures() const { return failures_.load(); }
  // Blocks until `pred` holds after some processed attempt, or the timeout passes.
  bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) const;

 private:
  // A watched directory entry: the config file, or one of also_watch()'s files.
  struct Watched {
    int wd = -1;  // the inotify watch of its directory
    std::string dir;
    std::string base;
    bool config = false;
  };
  // What a burst of events touched.
  struct Concern {
    bool config = false;
    bool others = false;
  };
  void run();
  void add_watches();
  Concern concerns(const char* buf, long len) const;
  Concern drain_events();
  void reload_once(const char* why);
  // After every attempt: wakes wait_until(); finish() tells the observer first.
  void wake_waiters();
  void finish(bool ok);
  // Warns once when the file this path shows was replaced on the other side of a single-file
  // bind mount (its link count dropped to 0): edits can no longer reach the gateway.
  void check_replaced();

  std::string path_;
  std::string dir_;
  std::string base_;       // the file name within dir_
  std::string last_text_;  // the text of the snapshot being served (watcher thread only)
  std::shared_ptr<RuntimeHolder> holder_;
  config::EnvLookup env_;
  std::vector<Watched> watched_;  // the config first
  std::function<void(bool, const char*)> on_others_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: reload requests and stop
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_requested_{false};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> failures_{0};
  bool strict_ = false;
  bool replaced_warned_ = false;  // watcher thread only
  std::function<void(bool, const std::string&)> observer_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::thread thread_;
};

// "added [a, b], removed [c], changed [d]" between two snapshots ("no changes" when equal).
std::string describe_changes(const Runtime& before, const Runtime& after);

// Whether `path` is itself a mount point in `mountinfo` (the text of /proc/self/mountinfo):
// a single-file bind mount, which pins the file's inode so that a replaced file is never seen.
bool is_mount_point(std::string_view mountinfo, std::string_view path);

}  // namespace gw
