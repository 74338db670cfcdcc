#pragma once
// What the workload generator says the database must hold after the run (expected.json, written by
// contactd_workload), and where each workspace's files are.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace contactd::bench::e2e {

//! One sampled contact: found by its phone (the identifier), its last title and some tags it must have.
struct ExpectedSample {
    std::string phone;
    std::string title;
    std::vector<std::string> tags;
};

//! One workspace of the workload.
struct ExpectedWorkspace {
    std::string id;
    std::int64_t preload = 0;  // contacts created by the preload
    std::int64_t items = 0;    // items of the timed batch
    std::int64_t expected_contacts = 0;
    std::int64_t expected_duplicates = 0;  // items that must end IGNORED with DUPLICATE_VALUE
    std::vector<ExpectedSample> samples;
    std::filesystem::path preload_file;
    std::filesystem::path batch_file;
    std::uint64_t batch_bytes = 0;
};

struct ExpectedWorkload {
    std::int64_t items = 0;
    std::uint64_t seed = 0;
    std::vector<ExpectedWorkspace> workspaces;
};

//! Reads `<folder>/expected.json` and checks that every NDJSON file it implies is there. Throws
//! std::runtime_error when something is missing or malformed.
ExpectedWorkload LoadExpectedWorkload(const std::filesystem::path& folder);

}  // namespace contactd::bench::e2e
