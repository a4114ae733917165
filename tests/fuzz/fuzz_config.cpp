// fuzz_config: the input is a YAML config file -> config::load_config_string.
//
// Checks: never crashes, hangs or throws; `config` is set iff `errors` is empty; every issue
// renders; a loaded config is usable as the gateway uses it: every endpoint's provider serves its
// type, make_adapter() builds its adapter, limits describe themselves, and a plain request
// prepares into an absolute URL whose request target and Host carry no CR, LF, space or NUL
// (they go on the wire verbatim).
//
// Hermetic: `$NAME` secrets resolve through an injected lookup that returns one fixed value for
// every name, and the secret-file lookups (stat/open in config/secrets.cpp) are redirected with
// the linker's --wrap to one fake file, "key.txt", so a fuzzed path never reads the real file
// system (e.g. /proc/kcore).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "config/config.h"
#include "config/url.h"
#include "fuzz_common.h"
#include "providers/schema.h"

namespace {
bool g_in_test = false;  // only calls made while the loader runs are redirected
constexpr const char* kFakeKeyFile = "key.txt";
constexpr std::string_view kFakeKeyText = "file-key-value\n";
}  // namespace

extern "C" {
int __real_stat(const char* path, struct stat* st);
int __real_open(const char* path, int flags, ...);

int __wrap_stat(const char* path, struct stat* st) {
  if (!g_in_test) return __real_stat(path, st);
  if (std::strcmp(path, kFakeKeyFile) == 0) {
    std::memset(st, 0, sizeof *st);
    st->st_mode = S_IFREG | 0600;
    st->st_size = static_cast<off_t>(kFakeKeyText.size());
    return 0;
  }
  errno = ENOENT;
  return -1;
}

int __wrap_open(const char* path, int flags, ...) {
  if (!g_in_test) {
    va_list ap;
    va_start(ap, flags);
    const int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
    va_end(ap);
    return __real_open(path, flags, mode);
  }
  if (std::strcmp(path, kFakeKeyFile) == 0) {
    const int fd = memfd_create("fuzz-key", MFD_CLOEXEC);
    if (fd >= 0 &&
        ::write(fd, kFakeKeyText.data(), kFakeKeyText.size()) ==
            static_cast<ssize_t>(kFakeKeyText.size()) &&
        ::lseek(fd, 0, SEEK_SET) == 0)
      return fd;
    if (fd >= 0) ::close(fd);
    errno = EIO;
    return -1;
  }
  errno = ENOENT;
  return -1;
}
}  // extern "C"

namespace {

using gw::fuzz::detail_of;

bool clean_for_the_wire(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n \0", 4)) == std::string_view::npos;
}

// A minimal valid client body per type.
std::string_view plain_body(gw::config::EndpointType t) {
  switch (t) {
    case gw::config::EndpointType::Chat:
      return R"({"messages":[{"role":"user","content":"hi"}]})";
    case gw::config::EndpointType::Completions:
      return R"({"prompt":"hi"})";
    case gw::config::EndpointType::Embeddings:
      break;
  }
  return R"({"input":"hi"})";
}

void check_endpoint(const gw::config::EndpointConfig& ep) {
  const auto* caps = gw::config::provider_capabilities(ep.model.provider);
  FUZZ_CHECK(caps != nullptr, ep.model.provider);
  FUZZ_CHECK(caps->serves(ep.type), ep.model.provider);
  if (ep.limit) (void)ep.limit->describe();
  auto adapter = gw::make_adapter(ep);
  FUZZ_CHECK(adapter != nullptr);
  auto validated = gw::validate_request(ep.type, gw::Json::parse(plain_body(ep.type)));
  FUZZ_CHECK(validated.ok());
  gw::RequestContext ctx{ep.type, gw::fuzz::kNow};
  auto call = adapter->prepare(ctx, std::move(validated->payload));
  if (!call) return;  // e.g. a provider-side 422 for this model
  const auto* req = std::get_if<gw::UpstreamRequest>(&*call);
  if (!req) return;  // mock answers locally
  // The gateway sends exactly this; parse_url() refuses what cannot go on the wire (the
  // upstream client then answers 502), so a URL that parses must be clean.
  if (auto url = gw::parse_url(req->url)) {
    FUZZ_CHECK(clean_for_the_wire(url->target()), req->url);
    FUZZ_CHECK(clean_for_the_wire(url->host_header()), req->url);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const gw::config::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return std::string("fuzz-env-value");
  };
  g_in_test = true;
  gw::config::LoadResult r = gw::config::load_config_string(yaml, env);
  g_in_test = false;
  FUZZ_CHECK(r.ok() == r.config.has_value());
  for (const auto& e : r.errors) (void)e.to_string();
  for (const auto& w : r.warnings) (void)w.to_string();
  if (!r.config) return 0;
  for (const auto& ep : r.config->endpoints) check_endpoint(ep);
  return 0;
}
