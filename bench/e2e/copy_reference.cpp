#include "bench/e2e/copy_reference.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "bench/e2e/bench_cluster.hpp"
#include "bench/e2e/pg_session.hpp"

namespace contactd::bench::e2e {

namespace {

//! `'{a,b}'`: the workspace ids are the generator's own (letters, digits and '-'), so no quoting is needed.
std::string ArrayLiteral(const std::vector<std::string>& values) {
    std::string literal = "'{";
    for (std::size_t index = 0; index < values.size(); ++index) {
        for (const char c : values[index]) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
                throw std::invalid_argument("unexpected workspace id " + values[index]);
            }
        }
        literal += (index ? "," : "") + values[index];
    }
    return literal + "}'";
}

double Median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];  // kCopyRuns is odd
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

StoredRows ExportStoredRows(const std::string& contactd_url, const std::vector<std::string>& workspace_ids,
                            const std::filesystem::path& folder) {
    PgSession session(contactd_url);
    const std::string filter = "workspace_id = ANY(" + ArrayLiteral(workspace_ids) + "::text[])";
    StoredRows rows;
    rows.contacts_file = folder / "contacts.copy";
    rows.keys_file = folder / "contact_keys.copy";
    rows.contacts_bytes =
        session.CopyToFile("COPY (SELECT * FROM contacts WHERE " + filter + ") TO STDOUT", rows.contacts_file);
    rows.keys_bytes =
        session.CopyToFile("COPY (SELECT * FROM contact_keys WHERE " + filter + ") TO STDOUT", rows.keys_file);
    return rows;
}

CopyFigures RunCopyReference(const BenchCluster& cluster, const StoredRows& rows) {
    PgSession session(cluster.ReferenceUrl());
    CopyFigures figures;
    figures.contacts_bytes = rows.contacts_bytes;
    figures.keys_bytes = rows.keys_bytes;

    // Alternating the two kinds of run spreads a slow spell of the host over both rather than one.
    for (int run = 0; run < kCopyRuns; ++run) {
        session.Exec("TRUNCATE contacts, contact_keys");
        cluster.Checkpoint();
        auto start = std::chrono::steady_clock::now();
        session.Exec("BEGIN");
        const auto contacts =
            static_cast<std::int64_t>(session.CopyFromFile("COPY contacts FROM STDIN", rows.contacts_file));
        session.Exec("COMMIT");
        figures.contacts_runs.push_back(SecondsSince(start));

        session.Exec("TRUNCATE contacts, contact_keys");
        cluster.Checkpoint();
        start = std::chrono::steady_clock::now();
        session.Exec("BEGIN");
        const auto with_keys =
            static_cast<std::int64_t>(session.CopyFromFile("COPY contacts FROM STDIN", rows.contacts_file));
        figures.keys = static_cast<std::int64_t>(session.CopyFromFile("COPY contact_keys FROM STDIN", rows.keys_file));
        session.Exec("COMMIT");
        figures.with_keys_runs.push_back(SecondsSince(start));
        if (with_keys != contacts || (run > 0 && contacts != figures.contacts)) {
            throw std::runtime_error("the reference COPYs stored different row counts");
        }
        figures.contacts = contacts;
    }
    figures.contacts_seconds = Median(figures.contacts_runs);
    figures.with_keys_seconds = Median(figures.with_keys_runs);

    session.Exec("VACUUM ANALYZE contacts, contact_keys");
    figures.measured = true;
    return figures;
}

}  // namespace contactd::bench::e2e
