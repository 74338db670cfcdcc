#pragma once
// The physical reference of the end-to-end figure (issue 3: "a raw single-stream COPY of the same contacts
// into the same indexed table"). The rows are exactly those contactd stored in the run: its contacts and
// their unique-value claims (contact_keys) are exported from its database to files, then COPYed, timed, in
// one stream and one transaction each, into the identically migrated reference database of the same cluster
// (same tables, same indexes, same settings).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace contactd::bench::e2e {

class BenchCluster;

//! The exported rows (COPY text format).
struct StoredRows {
    std::filesystem::path contacts_file;
    std::filesystem::path keys_file;
    std::uint64_t contacts_bytes = 0;
    std::uint64_t keys_bytes = 0;
};

//! Each timed COPY runs this many times and its median time counts: on a shared host one COPY stream (one core,
//! and the WAL it writes) was seen to vary from 41,000 to 63,000 rows/s between runs of the same benchmark.
inline constexpr int kCopyRuns = 3;

//! The reference figures.
struct CopyFigures {
    bool measured = false;
    std::int64_t contacts = 0;
    std::int64_t keys = 0;
    std::uint64_t contacts_bytes = 0;
    std::uint64_t keys_bytes = 0;
    double contacts_seconds = 0;   // COPY contacts, commit included: the median of the runs
    double with_keys_seconds = 0;  // COPY contacts and then contact_keys in one transaction, commit included: median
    std::vector<double> contacts_runs;   // every run's seconds, in order
    std::vector<double> with_keys_runs;  // every run's seconds, in order

    double ContactsPerSecond() const {
        return contacts_seconds > 0 ? static_cast<double>(contacts) / contacts_seconds : 0;
    }
    double WithKeysPerSecond() const {
        return with_keys_seconds > 0 ? static_cast<double>(contacts) / with_keys_seconds : 0;
    }
};

//! Writes the contacts and contact_keys rows of `workspace_ids` from contactd's database into `folder`.
StoredRows ExportStoredRows(const std::string& contactd_url, const std::vector<std::string>& workspace_ids,
                            const std::filesystem::path& folder);

//! Runs both timed COPYs kCopyRuns times each into the (emptied) reference database, a checkpoint before every
//! run, alternating contacts alone and contacts with their claims. Leaves the reference
//! database holding the contacts and their claims, analysed, for the pgbench reference.
CopyFigures RunCopyReference(const BenchCluster& cluster, const StoredRows& rows);

}  // namespace contactd::bench::e2e
