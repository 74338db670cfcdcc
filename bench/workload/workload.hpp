#pragma once
// The reference workload (issue: benchmarks), generated deterministically from a seed:
//   * N items (1,000,000 by default) across 20 workspaces, skewed: workspace 0 holds half of them;
//   * 70% update contacts that exist before the run (the "preload"), 30% create new ones;
//   * an update picks its contact at random, so some contacts appear several times;
//   * about 5% of items carry an invalid field (dropped with a remark) and about 1% reuse an e-mail another
//     contact holds (DUPLICATE_VALUE);
//   * realistic contacts: names, company, title, 1-3 e-mails and phones (valid US numbers, E.164), tags,
//     status, priority, source, country, language and 6 custom fields.
// It also says what the database must hold afterwards, for the benchmark's correctness check.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace contactd::bench {

//! Changes whenever the same config would give other bytes, so that saved workloads are regenerated.
inline constexpr int kWorkloadVersion = 2;

struct WorkloadConfig {
    std::uint64_t items = 1000000;
    int workspaces = 20;
    std::uint64_t seed = 20261123;
};

//! What one contact looks like after the run, for a sampled check.
struct ExpectedContact {
    std::string phone;  // identifier (E.164)
    std::string title;  // the last title written
    std::vector<std::string> tags_included;
};

//! One workspace's share of the workload.
struct WorkspaceWorkload {
    std::string workspace_id;
    std::vector<std::string> preload;    // NDJSON lines creating the existing contacts
    std::vector<std::string> items;      // NDJSON lines of the timed batch
    std::int64_t expected_contacts = 0;  // after preload and batch
    std::int64_t expected_duplicates = 0;
    std::vector<ExpectedContact> samples;
};

//! Generates the workload; the same config always gives the same bytes.
std::vector<WorkspaceWorkload> GenerateWorkload(const WorkloadConfig& config);

//! The acceptance batch of issue 3: one NDJSON file as large as a batch may be (SPEC §6: 1,000,000 items and
//! 1 GiB), made of create items for new contacts, each padded with a long custom text field to the same size.
struct LargeBatchConfig {
    std::uint64_t seed = 20261123;
    std::uint64_t max_items = 1000000;
    std::uint64_t max_bytes = (std::uint64_t{1} << 30) - (std::uint64_t{1} << 20);  // a margin under 1 GiB
};

//! Contact numbers of the large batch and of the small (fairness) batch: far above any workload's own, so
//! their phones never meet the workload's.
inline constexpr std::uint64_t kLargeBatchFirstContact = 40000001;
inline constexpr std::uint64_t kSmallBatchFirstContact = 60000001;

//! Generates the large batch: `emit` gets each line without its newline. Returns the bytes, newlines included
//! (never above max_bytes). The same config always gives the same bytes.
std::uint64_t GenerateLargeBatch(const LargeBatchConfig& config, const std::function<void(const std::string&)>& emit);

//! `items` create items for new contacts (a small job for the fairness measurement), deterministic.
std::vector<std::string> GenerateSmallBatch(std::uint64_t seed, int items);

//! The workspace ids, in order (workspace 0 is the big one).
std::string WorkspaceId(int index);

//! A valid US phone number in E.164 for a contact number (stable: the same number always gives the same
//! phone).
std::string PhoneFor(std::uint64_t contact_number, int which);

}  // namespace contactd::bench
