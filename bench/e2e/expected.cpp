#include "bench/e2e/expected.hpp"

#include <simdjson.h>

#include <stdexcept>

namespace contactd::bench::e2e {

namespace {

std::int64_t Int(simdjson::dom::element object, const char* key) {
    std::int64_t value = 0;
    if (object[key].get(value) != simdjson::SUCCESS) {
        throw std::runtime_error(std::string("expected.json: missing integer \"") + key + "\"");
    }
    return value;
}

std::string Text(simdjson::dom::element object, const char* key) {
    std::string_view value;
    if (object[key].get(value) != simdjson::SUCCESS) {
        throw std::runtime_error(std::string("expected.json: missing string \"") + key + "\"");
    }
    return std::string(value);
}

std::filesystem::path ExistingFile(const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path)) throw std::runtime_error("workload file missing: " + path.string());
    return path;
}

}  // namespace

ExpectedWorkload LoadExpectedWorkload(const std::filesystem::path& folder) {
    const std::filesystem::path path = folder / "expected.json";
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.load(path.string()).get(root) != simdjson::SUCCESS) {
        throw std::runtime_error("cannot read " + path.string() + " (generate the workload with contactd_workload)");
    }
    ExpectedWorkload workload;
    workload.items = Int(root, "items");
    std::int64_t seed = 0;
    if (root["seed"].get(seed) == simdjson::SUCCESS) workload.seed = static_cast<std::uint64_t>(seed);
    simdjson::dom::array workspaces;
    if (root["workspaces"].get(workspaces) != simdjson::SUCCESS) {
        throw std::runtime_error("expected.json: no \"workspaces\" array");
    }
    for (const simdjson::dom::element entry : workspaces) {
        ExpectedWorkspace workspace;
        workspace.id = Text(entry, "id");
        workspace.preload = Int(entry, "preload");
        workspace.items = Int(entry, "items");
        workspace.expected_contacts = Int(entry, "expected_contacts");
        workspace.expected_duplicates = Int(entry, "expected_duplicates");
        simdjson::dom::array samples;
        if (entry["samples"].get(samples) == simdjson::SUCCESS) {
            for (const simdjson::dom::element sample_json : samples) {
                ExpectedSample sample{Text(sample_json, "phone"), Text(sample_json, "title"), {}};
                simdjson::dom::array tags;
                if (sample_json["tags"].get(tags) == simdjson::SUCCESS) {
                    for (const simdjson::dom::element tag : tags) {
                        std::string_view text;
                        if (tag.get(text) == simdjson::SUCCESS) sample.tags.emplace_back(text);
                    }
                }
                workspace.samples.push_back(std::move(sample));
            }
        }
        workspace.preload_file = ExistingFile(folder / ("preload-" + workspace.id + ".ndjson"));
        workspace.batch_file = ExistingFile(folder / ("batch-" + workspace.id + ".ndjson"));
        workspace.batch_bytes = std::filesystem::file_size(workspace.batch_file);
        workload.workspaces.push_back(std::move(workspace));
    }
    if (workload.workspaces.empty()) throw std::runtime_error("expected.json lists no workspace");
    return workload;
}

}  // namespace contactd::bench::e2e
