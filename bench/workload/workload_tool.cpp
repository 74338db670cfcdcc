// contactd_workload: writes the reference workload to a folder, one NDJSON file per workspace for the
// preload and for the timed batch, and expected.json with what the database must hold afterwards.
//   contactd_workload --items 1000000 --out DIR [--seed N]
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench/workload/workload.hpp"
#include "engine/json_writer.hpp"
#include "engine/phone_number.hpp"

namespace {

void WriteLines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const std::string& line : lines) out << line << '\n';
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
    contactd::bench::WorkloadConfig config;
    std::filesystem::path out = "workload";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--items") == 0) config.items = std::stoull(argv[i + 1]);
        if (std::strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        if (std::strcmp(argv[i], "--seed") == 0) config.seed = std::stoull(argv[i + 1]);
    }
    // The generator's phones must be numbers libphonenumber accepts, or the workload measures refusals.
    for (std::uint64_t n = 1; n < 3000; n += 7) {
        const std::string phone = contactd::bench::PhoneFor(n, static_cast<int>(n % 3));
        const auto normalized = contactd::engine::NormalizePhoneNumber(phone, std::nullopt);
        if (!normalized.ok() || normalized.value() != phone) {
            std::cerr << "generated phone " << phone << " is not valid E.164: "
                      << (normalized.ok() ? normalized.value() : normalized.problem().message) << "\n";
            return 1;
        }
    }
    std::filesystem::create_directories(out);
    const auto workloads = contactd::bench::GenerateWorkload(config);
    std::string expected;
    contactd::engine::JsonWriter writer(expected);
    writer.BeginObject().Key("items").Int(static_cast<std::int64_t>(config.items)).Key("workspaces").BeginArray();
    for (const auto& workload : workloads) {
        WriteLines(out / ("preload-" + workload.workspace_id + ".ndjson"), workload.preload);
        WriteLines(out / ("batch-" + workload.workspace_id + ".ndjson"), workload.items);
        writer.BeginObject();
        writer.Key("id").String(workload.workspace_id);
        writer.Key("preload").Int(static_cast<std::int64_t>(workload.preload.size()));
        writer.Key("items").Int(static_cast<std::int64_t>(workload.items.size()));
        writer.Key("expected_contacts").Int(workload.expected_contacts);
        writer.Key("expected_duplicates").Int(workload.expected_duplicates);
        writer.Key("samples").BeginArray();
        for (const auto& sample : workload.samples) {
            writer.BeginObject().Key("phone").String(sample.phone).Key("title").String(sample.title);
            writer.Key("tags").BeginArray();
            for (const std::string& tag : sample.tags_included) writer.String(tag);
            writer.EndArray().EndObject();
        }
        writer.EndArray().EndObject();
    }
    writer.EndArray().EndObject();
    std::ofstream(out / "expected.json") << expected << "\n";
    std::cout << "wrote " << workloads.size() << " workspaces to " << out << "\n";
    return 0;
}
