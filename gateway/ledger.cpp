#include "gateway/ledger.h"

namespace gw {

namespace net = boost::asio;

std::int64_t MemoryLedger::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
}

net::awaitable<std::optional<std::vector<std::int64_t>>> MemoryLedger::read(
    const std::vector<std::string>& keys) {
  co_return store_->read(keys, now_ms());
}

net::awaitable<std::optional<std::vector<std::int64_t>>> MemoryLedger::add(
    const std::vector<CounterAdd>& counters, const std::vector<UsageAdd>& usage) {
  co_return store_->add(counters, usage, now_ms());
}

net::awaitable<std::optional<std::vector<UsageRow>>> MemoryLedger::usage(
    const std::string& bucket) {
  co_return store_->usage(bucket, now_ms());
}

}  // namespace gw
