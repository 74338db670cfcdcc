#include "bench/e2e/patch_load.hpp"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/e2e/bench_cluster.hpp"
#include "bench/e2e/pg_session.hpp"
#include "bench/e2e/programs.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr int kLoadThreads = 2;  // one per core of the reference machine

//! Picks the contacts to patch from contactd's database (a stable shuffle by md5 of the id), writes them one
//! per line for wrk, and numbers the same ids in bench_patch_ids of the reference database for pgbench.
int PrepareContacts(const BenchCluster& cluster, const PatchConfig& config, const std::filesystem::path& ids_file) {
    const TextRows rows = PgSession(cluster.ContactdUrl())
                              .Query("SELECT id FROM contacts WHERE workspace_id = $1 ORDER BY md5(id::text) LIMIT $2",
                                     {config.workspace_id, std::to_string(config.contacts)});
    if (rows.empty()) throw std::runtime_error("no contacts in " + config.workspace_id + " to patch");
    std::ofstream out(ids_file);
    std::string array = "{";
    for (std::size_t index = 0; index < rows.size(); ++index) {
        out << rows[index][0] << "\n";
        array += (index ? "," : "") + rows[index][0];
    }
    array += "}";
    if (!out.flush()) throw std::runtime_error("cannot write " + ids_file.string());
    PgSession reference(cluster.ReferenceUrl());
    reference.Exec(
        "DROP TABLE IF EXISTS bench_patch_ids; "
        "CREATE TABLE bench_patch_ids (n integer PRIMARY KEY, workspace_id text NOT NULL, id uuid NOT NULL)");
    reference.Query(
        "INSERT INTO bench_patch_ids SELECT ordinality, $1, id FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id)",
        {config.workspace_id, array});
    const TextRows present = reference.Query(
        "SELECT count(*) FROM bench_patch_ids b JOIN contacts c ON c.workspace_id = b.workspace_id AND c.id = b.id");
    if (present.at(0).at(0) != std::to_string(rows.size())) {
        throw std::runtime_error("the reference database lacks some of the contacts to patch");
    }
    reference.Exec("ANALYZE bench_patch_ids");
    return static_cast<int>(rows.size());
}

LoadFigures RunWrk(const PatchConfig& config, const std::filesystem::path& ids_file) {
    const std::filesystem::path output = config.run_dir / "wrk.out";
    std::filesystem::remove(output);
    const int exit_code = RunProgram(
        {FindProgram("wrk").string(), "-t" + std::to_string(kLoadThreads), "-c" + std::to_string(config.connections),
         "-d" + std::to_string(config.seconds) + "s", "--timeout", "10s", "-s",
         (config.scripts_dir / "patch.lua").string(), config.server_url, "--", ids_file.string(), config.api_key},
        output, std::chrono::seconds(config.seconds + 60));
    const std::string text = ReadTextFile(output);
    const auto marker = text.find("E2E_RESULT ");
    if (exit_code != 0 || marker == std::string::npos) {
        throw std::runtime_error("wrk failed (exit " + std::to_string(exit_code) + "):\n" + text);
    }
    const std::string json = text.substr(marker + 11, text.find('\n', marker) - marker - 11);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root) != simdjson::SUCCESS) throw std::runtime_error("wrk printed " + json);
    auto get = [&](const char* key) {
        std::int64_t value = 0;
        if (root[key].get(value) != simdjson::SUCCESS) throw std::runtime_error("wrk result lacks " + std::string(key));
        return value;
    };
    LoadFigures figures;
    figures.requests = get("requests");
    figures.errors =
        get("errors_status") + get("errors_connect") + get("errors_read") + get("errors_write") + get("errors_timeout");
    figures.seconds = static_cast<double>(get("duration_us")) / 1e6;
    figures.p50_ms = static_cast<double>(get("p50_us")) / 1000;
    figures.p99_ms = static_cast<double>(get("p99_us")) / 1000;
    figures.measured = true;
    return figures;
}

double Percentile(std::vector<double>& values, double share) {
    if (values.empty()) return 0;
    const auto rank = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
    return values[rank];
}

//! Latencies (ms) from pgbench's per-transaction logs: `client_id transaction_no time_us script_no epoch us`.
std::vector<double> ReadPgbenchLatencies(const std::filesystem::path& folder, const std::string& prefix) {
    std::vector<double> latencies;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            std::istringstream fields(line);
            long long client = 0, transaction = 0, micros = 0;
            if (fields >> client >> transaction >> micros) latencies.push_back(static_cast<double>(micros) / 1000);
        }
    }
    return latencies;
}

LoadFigures RunPgbench(const BenchCluster& cluster, const PatchConfig& config, int contacts) {
    const std::filesystem::path output = config.run_dir / "pgbench.out";
    const std::string log_prefix = "pgbench_log";
    for (const auto& entry : std::filesystem::directory_iterator(config.run_dir)) {
        if (entry.path().filename().string().rfind(log_prefix, 0) == 0) std::filesystem::remove(entry.path());
    }
    std::filesystem::remove(output);
    const int exit_code = RunProgram({(cluster.BinDir() / "pgbench").string(),
                                      "-n",
                                      "-M",
                                      "prepared",
                                      "-c",
                                      std::to_string(config.connections),
                                      "-j",
                                      std::to_string(kLoadThreads),
                                      "-T",
                                      std::to_string(config.seconds),
                                      "-f",
                                      (config.scripts_dir / "patch_pgbench.sql").string(),
                                      "-D",
                                      "ids=" + std::to_string(contacts),
                                      "-l",
                                      "--log-prefix=" + (config.run_dir / log_prefix).string(),
                                      "-h",
                                      cluster.SocketDir().string(),
                                      "-p",
                                      std::to_string(cluster.Port()),
                                      "-U",
                                      "postgres",
                                      BenchCluster::kReferenceDatabase},
                                     output, std::chrono::seconds(config.seconds + 60));
    const std::string text = ReadTextFile(output);
    std::smatch processed;
    std::smatch failed;
    std::smatch tps;
    if (exit_code != 0 ||
        !std::regex_search(text, processed, std::regex(R"(number of transactions actually processed: (\d+))")) ||
        !std::regex_search(text, tps, std::regex(R"(tps = ([0-9.]+) \(without initial connection time\))"))) {
        throw std::runtime_error("pgbench failed (exit " + std::to_string(exit_code) + "):\n" + text);
    }
    LoadFigures figures;
    figures.requests = std::stoll(processed[1]);
    if (std::regex_search(text, failed, std::regex(R"(number of failed transactions: (\d+))"))) {
        figures.errors = std::stoll(failed[1]);
    }
    // tps excludes connection set-up, like wrk's rate: the time is what makes the two agree.
    const double rate = std::stod(tps[1]);
    figures.seconds = rate > 0 ? static_cast<double>(figures.requests) / rate : 0;
    std::vector<double> latencies = ReadPgbenchLatencies(config.run_dir, log_prefix);
    if (latencies.empty()) throw std::runtime_error("pgbench wrote no transaction log in " + config.run_dir.string());
    figures.p50_ms = Percentile(latencies, 0.50);
    figures.p99_ms = Percentile(latencies, 0.99);
    figures.measured = true;
    return figures;
}

}  // namespace

PatchFigures RunPatchLoad(const BenchCluster& cluster, const PatchConfig& config) {
    PatchFigures figures;
    figures.connections = config.connections;
    figures.seconds = config.seconds;
    const std::filesystem::path ids_file = config.run_dir / "patch-ids.txt";
    figures.contacts = PrepareContacts(cluster, config, ids_file);
    cluster.Checkpoint();
    figures.contactd = RunWrk(config, ids_file);
    cluster.Checkpoint();
    figures.pgbench = RunPgbench(cluster, config, figures.contacts);
    figures.measured = true;
    return figures;
}

}  // namespace contactd::bench::e2e
