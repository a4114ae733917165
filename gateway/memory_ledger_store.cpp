// MemoryLedgerStore (gateway/ledger.h): the in-memory token and spend counters and usage rows.
// No Asio here, so the unit tests link it with the pipeline's pure parts.
#include "gateway/ledger.h"

namespace gw {

namespace {
// A purge scans everything: at most once a minute.
constexpr std::int64_t kPurgeEveryMs = 60'000;
}  // namespace

void MemoryLedgerStore::purge(std::int64_t now_ms) {
  if (now_ms < next_purge_ms_) return;
  next_purge_ms_ = now_ms + kPurgeEveryMs;
  std::erase_if(counters_, [now_ms](const auto& kv) { return kv.second.expires_at_ms <= now_ms; });
  std::erase_if(buckets_, [now_ms](const auto& kv) { return kv.second.expires_at_ms <= now_ms; });
}

std::vector<std::int64_t> MemoryLedgerStore::read(const std::vector<std::string>& keys,
                                                  std::int64_t now_ms) {
  std::vector<std::int64_t> out;
  out.reserve(keys.size());
  std::lock_guard lock(mu_);
  for (const auto& key : keys) {
    const auto it = counters_.find(key);
    out.push_back(it == counters_.end() || it->second.expires_at_ms <= now_ms ? 0
                                                                              : it->second.value);
  }
  return out;
}

std::vector<std::int64_t> MemoryLedgerStore::add(const std::vector<CounterAdd>& counters,
                                                 const std::vector<UsageAdd>& usage,
                                                 std::int64_t now_ms) {
  std::vector<std::int64_t> out;
  out.reserve(counters.size());
  std::lock_guard lock(mu_);
  purge(now_ms);
  for (const auto& c : counters) {
    Value& v = counters_[c.key];
    if (v.expires_at_ms <= now_ms) v.value = 0;  // an expired counter starts again
    v.value += c.amount;
    v.expires_at_ms = std::max(v.expires_at_ms, c.expires_at_ms);
    out.push_back(v.value);
  }
  for (const auto& u : usage) {
    Bucket& b = buckets_[u.bucket];
    b.expires_at_ms = std::max(b.expires_at_ms, u.expires_at_ms);
    UsageRow& row = b.rows[{u.key_name, u.endpoint}];
    row.key_name = u.key_name;
    row.endpoint = u.endpoint;
    row.requests += u.requests;
    row.input_tokens += u.input_tokens;
    row.output_tokens += u.output_tokens;
    row.usd += u.usd;
  }
  return out;
}

std::vector<UsageRow> MemoryLedgerStore::usage(const std::string& bucket, std::int64_t now_ms) {
  std::vector<UsageRow> out;
  std::lock_guard lock(mu_);
  const auto it = buckets_.find(bucket);
  if (it == buckets_.end() || it->second.expires_at_ms <= now_ms) return out;
  for (const auto& [who, row] : it->second.rows) out.push_back(row);  // std::map: sorted
  return out;
}

std::size_t MemoryLedgerStore::size() const {
  std::lock_guard lock(mu_);
  std::size_t rows = 0;
  for (const auto& [name, b] : buckets_) rows += b.rows.size();
  return counters_.size() + rows;
}

}  // namespace gw
