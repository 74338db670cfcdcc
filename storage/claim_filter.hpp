#pragma once
// What this process has seen of the unique values a workspace's contacts hold, so that the commit path's read
// can skip looking up values nobody holds. Most of what a create item mentions (its identifier, its other
// e-mails and phones) is new, and each lookup is a descent of contact_keys' primary key: the largest single
// cost of a batch before this.
//
// A filter can be wrong in one way that matters: saying "no one holds it" for a value someone holds. It is
// loaded from a scan of the workspace's claims and told every value this process reads or writes from the
// moment it exists. What it cannot see (a value claimed by another node, or by a single-contact write) is
// caught where every other race is caught: the item takes the value, the claim INSERT meets the unique
// index, the run fails as a serialization failure, and the retry looks every value up. A value an item
// selects its contact by is skipped only when "no contact has it" makes the item create a contact, which
// claims the value; an item that finds nothing by a skipped value and claims nothing (IGNORED, say) has the
// value checked before its result stands. So a filter changes how fast a run goes, never what it decides.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/apply.hpp"

namespace contactd::storage {

class ConnectionPool;

//! Bytes that every filter of the process may take together; a filter grows only while some are left.
using FilterBudget = std::atomic<std::int64_t>;

//! A scalable Bloom filter of (kind, value) pairs: layers of growing size, each ~1% false positives when
//! full; a value is added to the newest layer, and a full layer gets a successor four times larger, so the
//! filter never needs rebuilding. No false negatives for what was added. Thread-safe. Until it is marked
//! loaded it says "maybe" to every value, so a filter still being filled is simply not relied on.
class ClaimFilter {
  public:
    //! The first layer has room for `first_capacity` values; layers are paid for from `budget`.
    ClaimFilter(std::size_t first_capacity, std::shared_ptr<FilterBudget> budget);
    ~ClaimFilter();  // gives its bytes back to the budget
    ClaimFilter(const ClaimFilter&) = delete;
    ClaimFilter& operator=(const ClaimFilter&) = delete;

    //! False only when the value was never added (and the filter is loaded).
    bool MayHold(engine::UniqueKind kind, std::string_view value) const;
    //! Adds a value; one already added counts again towards its layer's capacity, so callers that may repeat
    //! values ask MayHold first.
    void Add(engine::UniqueKind kind, std::string_view value);

    //! Called once every value of the scan was added: from then on a "no" is meant.
    void MarkLoaded() { loaded_.store(true, std::memory_order_release); }
    bool loaded() const { return loaded_.load(std::memory_order_acquire); }
    std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

  private:
    struct Layer;
    struct Hash {
        std::uint64_t first;
        std::uint64_t step;
    };
    static Hash HashOf(engine::UniqueKind kind, std::string_view value);
    bool InAnyLayer(const Hash& hash) const;
    void Grow(const Layer& full);

    static constexpr int kMaxLayers = 16;
    std::shared_ptr<FilterBudget> budget_;
    std::array<std::atomic<Layer*>, kMaxLayers> layers_{};
    std::atomic<int> layer_count_{0};
    std::atomic<std::size_t> bytes_{0};
    std::atomic<bool> loaded_{false};
    std::mutex grow_mutex_;
};

//! One filter per workspace, loaded on a thread of its own from the workspace's claims, within one memory
//! budget. Batch workers ask for their workspace's filter before each chunk.
class ClaimFilters {
  public:
    static constexpr std::size_t kDefaultBudgetBytes = std::size_t{64} << 20;
    //! A new filter's first layer: room for this many values (80 KiB).
    static constexpr std::size_t kFirstCapacity = std::size_t{1} << 16;

    //! The scan reads the claims in pages of this many rows, in primary-key order, so that its memory stays
    //! small whatever the workspace's size.
    static constexpr int kDefaultScanPage = 50000;

    explicit ClaimFilters(ConnectionPool& pool, std::size_t budget_bytes = kDefaultBudgetBytes,
                          int scan_page = kDefaultScanPage);
    ~ClaimFilters();  // stops loading and joins
    ClaimFilters(const ClaimFilters&) = delete;
    ClaimFilters& operator=(const ClaimFilters&) = delete;

    //! The workspace's filter: created (and its loading started) on the first call, so that every chunk
    //! applied from then on tells it what it writes. Null when the budget has no room for another.
    std::shared_ptr<ClaimFilter> For(const std::string& workspace_id);

  private:
    struct Entry {
        std::shared_ptr<ClaimFilter> filter;
        bool queued = false;
        std::chrono::steady_clock::time_point retry_at{};  // after a failed load
    };
    void Run();
    void Load(const std::string& workspace_id, ClaimFilter& filter);

    ConnectionPool& pool_;
    std::shared_ptr<FilterBudget> budget_;
    const int scan_page_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace contactd::storage
