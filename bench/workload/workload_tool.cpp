// contactd_workload: writes the reference workload to a folder, one NDJSON file per workspace for the
// preload and for the timed batch, and expected.json with what the database must hold afterwards.
//   contactd_workload --items 1000000 --out DIR [--seed N]
// With --large-batch it writes only DIR/large-batch.ndjson instead: the ~1 GiB acceptance batch of issue 3.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_set>

#include "bench/workload/workload.hpp"
#include "engine/json_writer.hpp"
#include "engine/phone_number.hpp"

namespace {

void WriteLines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const std::string& line : lines) out << line << '\n';
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

//! Writes the large batch to a temporary name first, so an interrupted run never leaves a short file behind.
int WriteLargeBatch(const std::filesystem::path& out, std::uint64_t seed) {
    std::filesystem::create_directories(out);
    const std::filesystem::path path = out / "large-batch.ndjson";
    const std::filesystem::path partial = out / "large-batch.ndjson.partial";
    contactd::bench::LargeBatchConfig config;
    config.seed = seed;
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
    {
        std::ofstream file(partial, std::ios::binary | std::ios::trunc);
        bytes = contactd::bench::GenerateLargeBatch(config, [&](const std::string& line) {
            file << line << '\n';
            ++lines;
        });
        if (!file.flush()) throw std::runtime_error("cannot write " + partial.string());
    }
    std::filesystem::rename(partial, path);
    std::cout << "wrote " << lines << " items, " << bytes << " bytes to " << path << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    contactd::bench::WorkloadConfig config;
    std::filesystem::path out = "workload";
    bool large_batch = false;
    for (int i = 1; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        if (std::strcmp(argv[i], "--large-batch") == 0) {
            large_batch = true;
        } else if (std::strcmp(argv[i], "--version") == 0) {
            std::cout << contactd::bench::kWorkloadVersion << "\n";
            return 0;
        } else if (std::strcmp(argv[i], "--items") == 0 && has_value) {
            config.items = std::stoull(argv[++i]);
        } else if (std::strcmp(argv[i], "--out") == 0 && has_value) {
            out = argv[++i];
        } else if (std::strcmp(argv[i], "--seed") == 0 && has_value) {
            config.seed = std::stoull(argv[++i]);
        } else {
            std::cerr << "usage: contactd_workload [--items N] [--out DIR] [--seed N] [--large-batch] [--version]\n";
            return 2;
        }
    }
    if (large_batch) return WriteLargeBatch(out, config.seed);
    // The generator's phones must be numbers libphonenumber accepts, or the workload measures refusals, and
    // distinct contacts must never share one.
    for (std::uint64_t n = 1; n < 3000; n += 7) {
        const std::string phone = contactd::bench::PhoneFor(n, static_cast<int>(n % 3));
        const auto normalized = contactd::engine::NormalizePhoneNumber(phone, std::nullopt);
        if (!normalized.ok() || normalized.value() != phone) {
            std::cerr << "generated phone " << phone << " is not valid E.164: "
                      << (normalized.ok() ? normalized.value() : normalized.problem().message) << "\n";
            return 1;
        }
    }
    std::unordered_set<std::string> phones;  // two full cycles of area code × exchange
    for (std::uint64_t n = 0; n < 50000; ++n) {
        for (int which = 0; which < 3; ++which) {
            if (!phones.insert(contactd::bench::PhoneFor(n, which)).second) {
                std::cerr << "contact " << n << " got phone " << contactd::bench::PhoneFor(n, which)
                          << ", which another contact has\n";
                return 1;
            }
        }
    }
    std::filesystem::create_directories(out);
    const auto workloads = contactd::bench::GenerateWorkload(config);
    std::string expected;
    contactd::engine::JsonWriter writer(expected);
    writer.BeginObject().Key("items").Int(static_cast<std::int64_t>(config.items));
    writer.Key("seed").Int(static_cast<std::int64_t>(config.seed));
    writer.Key("version").Int(contactd::bench::kWorkloadVersion).Key("workspaces").BeginArray();
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
