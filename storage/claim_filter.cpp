#include "storage/claim_filter.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <bit>
#include <functional>

#include "storage/connection_pool.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

constexpr std::size_t kBitsPerValue = 10;  // with 7 bits set a value: ~1% false positives in a full layer
constexpr int kBitsSet = 7;
constexpr std::size_t kGrowth = 4;
constexpr std::chrono::seconds kRetryLoadAfter{30};

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

// A layer is blocked: a value's bits all fall in one 64-byte block (one cache line), so a test or an insert
// touches one line of a bitmap far larger than the caches.
struct ClaimFilter::Layer {
    static constexpr std::size_t kBlockWords = 8;

    explicit Layer(std::size_t capacity_in)
        : capacity(capacity_in),
          word_count(std::bit_ceil(std::max<std::size_t>(capacity_in, 64) * kBitsPerValue) / 64),
          block_mask(word_count / kBlockWords - 1),
          words(new std::atomic<std::uint64_t>[word_count]) {
        for (std::size_t i = 0; i < word_count; ++i) words[i].store(0, std::memory_order_relaxed);
    }

    std::size_t bytes() const { return word_count * sizeof(std::uint64_t); }

    template <typename Visit>
    bool EachBit(const Hash& hash, Visit&& visit) const {
        const std::size_t block = static_cast<std::size_t>(hash.first >> 32) & block_mask;
        for (int i = 0; i < kBitsSet; ++i) {
            const std::uint64_t bit = (hash.first + static_cast<std::uint64_t>(i) * hash.step) % (kBlockWords * 64);
            if (!visit(words[block * kBlockWords + bit / 64], std::uint64_t{1} << (bit % 64))) return false;
        }
        return true;
    }

    const std::atomic<std::uint64_t>* BlockOf(const Hash& hash) const {
        return &words[(static_cast<std::size_t>(hash.first >> 32) & block_mask) * kBlockWords];
    }

    bool Test(const Hash& hash) const {
        return EachBit(hash, [](const std::atomic<std::uint64_t>& word, std::uint64_t mask) {
            return (word.load(std::memory_order_relaxed) & mask) != 0;
        });
    }

    void Set(const Hash& hash) {
        EachBit(hash, [](std::atomic<std::uint64_t>& word, std::uint64_t mask) {
            word.fetch_or(mask, std::memory_order_relaxed);
            return true;
        });
    }

    const std::size_t capacity;
    const std::size_t word_count;
    const std::size_t block_mask;
    const std::unique_ptr<std::atomic<std::uint64_t>[]> words;
    std::atomic<std::size_t> added{0};
};

ClaimFilter::ClaimFilter(std::size_t first_capacity, std::shared_ptr<FilterBudget> budget)
    : budget_(std::move(budget)) {
    auto* layer = new Layer(first_capacity);
    budget_->fetch_sub(static_cast<std::int64_t>(layer->bytes()));
    bytes_.store(layer->bytes());
    layers_[0].store(layer, std::memory_order_release);
    layer_count_.store(1, std::memory_order_release);
}

ClaimFilter::~ClaimFilter() {
    for (int i = 0; i < layer_count_.load(); ++i) delete layers_[static_cast<std::size_t>(i)].load();
    budget_->fetch_add(static_cast<std::int64_t>(bytes_.load()));
}

ClaimFilter::Hash ClaimFilter::HashOf(engine::UniqueKind kind, std::string_view value) {
    // Double hashing over one 64-bit hash of (kind, value); every layer uses the same two numbers.
    const std::uint64_t first = Mix(std::hash<std::string_view>()(value) ^ (static_cast<std::uint64_t>(kind) << 56));
    return {first, Mix(first) | 1};
}

bool ClaimFilter::InAnyLayer(const Hash& hash) const {
    const int count = layer_count_.load(std::memory_order_acquire);
    std::array<const Layer*, kMaxLayers> layers{};
    // A value absent from the filter is tested in every layer, each a cache miss: ask for all the lines at
    // once, so that the misses overlap instead of adding up.
    for (int i = 0; i < count; ++i) {
        layers[static_cast<std::size_t>(i)] = layers_[static_cast<std::size_t>(i)].load(std::memory_order_acquire);
        __builtin_prefetch(layers[static_cast<std::size_t>(i)]->BlockOf(hash));
    }
    for (int i = count - 1; i >= 0; --i) {  // the newest layer is the largest: most values are there
        if (layers[static_cast<std::size_t>(i)]->Test(hash)) return true;
    }
    return false;
}

bool ClaimFilter::MayHold(engine::UniqueKind kind, std::string_view value) const {
    return !loaded() || InAnyLayer(HashOf(kind, value));
}

void ClaimFilter::Add(engine::UniqueKind kind, std::string_view value) {
    // Callers add values that are new as far as they know (scanned, or just claimed), so there is no test
    // first: a value added twice only counts twice towards its layer's capacity.
    const Hash hash = HashOf(kind, value);
    const int newest = layer_count_.load(std::memory_order_acquire) - 1;
    Layer& layer = *layers_[static_cast<std::size_t>(newest)].load(std::memory_order_acquire);
    layer.Set(hash);
    if (layer.added.fetch_add(1, std::memory_order_relaxed) + 1 == layer.capacity) Grow(layer);
}

void ClaimFilter::Grow(const Layer& full) {
    std::lock_guard lock(grow_mutex_);
    const int count = layer_count_.load(std::memory_order_acquire);
    if (layers_[static_cast<std::size_t>(count - 1)].load() != &full || count == kMaxLayers) return;
    const std::size_t capacity = full.capacity * kGrowth;
    const auto bytes = static_cast<std::int64_t>(std::bit_ceil(capacity * kBitsPerValue) / 8);
    // Out of budget, the newest layer just keeps filling: its false positives grow, which costs lookups, not
    // correctness.
    if (budget_->fetch_sub(bytes) < bytes) {
        budget_->fetch_add(bytes);
        return;
    }
    auto* layer = new Layer(capacity);
    bytes_.fetch_add(layer->bytes());
    layers_[static_cast<std::size_t>(count)].store(layer, std::memory_order_release);
    layer_count_.store(count + 1, std::memory_order_release);
}

ClaimFilters::ClaimFilters(ConnectionPool& pool, std::size_t budget_bytes, int scan_page)
    : pool_(pool),
      budget_(std::make_shared<FilterBudget>(static_cast<std::int64_t>(budget_bytes))),
      scan_page_(scan_page),
      thread_([this] { Run(); }) {}

ClaimFilters::~ClaimFilters() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::shared_ptr<ClaimFilter> ClaimFilters::For(const std::string& workspace_id) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(workspace_id);
    if (found == entries_.end()) {
        const auto first_bytes = static_cast<std::int64_t>(std::bit_ceil(kFirstCapacity * kBitsPerValue) / 8);
        if (budget_->load() < first_bytes) return nullptr;
        found = entries_.emplace(workspace_id, Entry{std::make_shared<ClaimFilter>(kFirstCapacity, budget_)}).first;
    }
    Entry& entry = found->second;
    if (!entry.filter->loaded() && !entry.queued && std::chrono::steady_clock::now() >= entry.retry_at) {
        entry.queued = true;
        queue_.push_back(workspace_id);
        wake_.notify_all();
    }
    return entry.filter;
}

void ClaimFilters::Run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        const std::string workspace_id = std::move(queue_.front());
        queue_.pop_front();
        const std::shared_ptr<ClaimFilter> filter = entries_.at(workspace_id).filter;
        lock.unlock();
        bool failed = false;
        try {
            Load(workspace_id, *filter);
        } catch (const std::exception&) {
            failed = true;  // the database is unreachable or failing: every value is looked up meanwhile
        }
        lock.lock();
        Entry& entry = entries_.at(workspace_id);
        entry.queued = false;
        if (failed) entry.retry_at = std::chrono::steady_clock::now() + kRetryLoadAfter;
    }
}

void ClaimFilters::Load(const std::string& workspace_id, ClaimFilter& filter) {
    PooledConnection connection = pool_.Acquire();
    // One snapshot for the whole scan, taken after the filter was handed out: a claim committed before it is
    // in the scan, and one this process's workers commit after it they add themselves.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(*connection);
    std::string after_kind = "0";
    std::string after_value;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        SqlParams params;
        params.Add(workspace_id).Add(after_kind).Add(after_value);
        const pqxx::result rows = params.Exec(
            txn,
            "SELECT kind, value FROM contact_keys WHERE workspace_id = $1 AND (kind, value) > ($2::int2, $3) "
            "ORDER BY kind, value LIMIT " +
                std::to_string(scan_page_));
        for (const pqxx::row& row : rows) {
            filter.Add(static_cast<engine::UniqueKind>(row[0].as<int>()),
                       std::string_view(row[1].c_str(), row[1].size()));
        }
        if (rows.size() < static_cast<pqxx::result::size_type>(scan_page_)) break;
        const pqxx::row last = rows[rows.size() - 1];
        after_kind = last[0].c_str();
        after_value.assign(last[1].c_str(), last[1].size());
    }
    txn.commit();
    filter.MarkLoaded();
}

}  // namespace contactd::storage
