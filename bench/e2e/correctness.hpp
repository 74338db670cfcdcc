#pragma once
// Correctness after the run (issue 4, item 5): what the jobs report and what the database holds are compared
// with what the workload generator says they must be. A benchmark of a wrong answer is worthless, so any
// mismatch fails the run.

#include <map>
#include <string>
#include <vector>

#include "bench/e2e/concurrent_batches.hpp"
#include "bench/e2e/expected.hpp"

namespace contactd::bench::e2e {

//! One comparison. Summaries first; each failing detail is a check of its own.
struct Check {
    std::string name;
    std::string expected;
    std::string actual;
    bool ok = false;
};

//! The preload jobs: every line created a contact, none was ignored.
std::vector<Check> CheckPreloadJobs(const ExpectedWorkload& workload, const ConcurrentRun& preload);

//! The timed jobs: every item processed; the IGNORED ones are exactly the generator's unique-value conflicts.
std::vector<Check> CheckTimedJobs(const ExpectedWorkload& workload, const ConcurrentRun& run);

//! The stored contacts: the count per workspace (SQL), and every sampled contact (found by its phone claim in
//! SQL, read through GET /v1/contacts/{id}) with its last title and the tags it must have.
std::vector<Check> CheckStoredContacts(const ExpectedWorkload& workload, const std::string& contactd_url,
                                       const std::string& server_url,
                                       const std::map<std::string, std::string>& api_keys);

}  // namespace contactd::bench::e2e
