#pragma once
// The status of a batch job (SPEC §6, §9 "Batch status"): state, counts, ignored items by code, rate and
// ETA, and its JSON document. Pure: times are parameters.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/contact.hpp"
#include "engine/outcome.hpp"

namespace contactd::engine {

enum class JobState { kQueued, kRunning, kCompleted, kCancelled, kFailed };

std::string_view JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);
bool IsFinished(JobState state);

//! Item counts. `processed = ok + ignored`; at the end `processed = total`.
struct JobCounts {
    std::int64_t total = 0;
    std::int64_t processed = 0;
    std::int64_t ok = 0;
    std::int64_t ignored = 0;
    std::int64_t created = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t with_remarks = 0;  // OK items that had fields dropped
};

//! Counts and ignored codes of a set of outcomes (a chunk, or a whole job when chunks are summed).
struct OutcomeTally {
    JobCounts counts;
    std::map<std::string, std::int64_t> ignored_by_code;

    void Add(const Outcome& outcome);
    void Merge(const OutcomeTally& other);
    //! `{"CODE": n, ...}`.
    std::string IgnoredByCodeJson() const;
    //! Adds the codes of an IgnoredByCodeJson text (as stored per chunk); false when it is malformed.
    bool MergeIgnoredByCodeJson(std::string_view json);
};

//! Everything the status document shows.
struct JobStatus {
    std::string job_id;
    JobState state = JobState::kQueued;
    bool dry_run = false;
    OutcomeTally tally;  // counts.total is the job's item count
    Millis created_at = 0;
    std::optional<Millis> started_at;
    std::optional<Millis> finished_at;
    std::optional<std::string> message;  // why it failed

    bool has_errors() const { return tally.counts.ignored > 0; }
    //! Items applied per second since the job started (0 before).
    double ItemsPerSecond(Millis now) const;
    //! Seconds until the remaining items are applied at the current rate; nullopt when unknown or done.
    std::optional<double> EtaSeconds(Millis now) const;
};

//! The status document: `{"job_id", "status", "has_errors", "dry_run", "counts": {...}, "ignored_by_code",
//! "items_per_second", "eta_seconds", "created_at", "started_at", "finished_at", "links": {...}}`.
std::string JobStatusJson(const JobStatus& status, Millis now);

}  // namespace contactd::engine
