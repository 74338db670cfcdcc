#include "bench/e2e/bench_cluster.hpp"

#include <pqxx/connection>

#include <stdexcept>

#include "bench/e2e/pg_session.hpp"
#include "storage/migrations.hpp"

namespace contactd::bench::e2e {

BenchCluster::BenchCluster(const std::filesystem::path& folder) {
    if (std::filesystem::exists(folder / "data")) {
        throw std::runtime_error("a benchmark needs a fresh cluster, but " + folder.string() + " holds one");
    }
    storage::EmbeddedPostgresOptions options;
    options.folder = folder;
    options.port = port_;
    options.database = kContactdDatabase;
    server_ = std::make_unique<storage::EmbeddedPostgres>(options);
    bin_dir_ = storage::EmbeddedPostgres::FindBinaries(15);
    PgSession(server_->UrlFor("postgres")).Exec(std::string("CREATE DATABASE ") + kReferenceDatabase);
    for (const char* database : {kContactdDatabase, kReferenceDatabase}) {
        pqxx::connection connection(server_->UrlFor(database));
        storage::ApplyMigrations(connection);
    }
}

void BenchCluster::Checkpoint() const { PgSession(server_->UrlFor("postgres")).Exec("CHECKPOINT"); }

void BenchCluster::VacuumContactd() const { PgSession(ContactdUrl()).Exec("VACUUM"); }

}  // namespace contactd::bench::e2e
