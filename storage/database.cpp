#include "storage/database.hpp"

#include <pqxx/connection>
#include <pqxx/except>

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "storage/connection_pool.hpp"
#include "storage/migrations.hpp"

namespace contactd::storage {
namespace {

std::optional<std::string> Env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

//! Connects, waiting up to `wait` for a server that is still starting (docker-compose starts both at once).
pqxx::connection ConnectPatiently(const std::string& url, std::chrono::seconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    const std::string conninfo = WithConnectTimeout(url, 5);
    while (true) {
        try {
            return pqxx::connection(conninfo);
        } catch (const pqxx::broken_connection&) {
            if (std::chrono::steady_clock::now() >= deadline) throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
}

}  // namespace

DatabaseConfig DatabaseConfig::FromEnvironment() {
    DatabaseConfig config;
    config.url = Env("CONTACTD_DATABASE_URL");
    if (auto dir = Env("CONTACTD_DATA_DIR")) config.data_dir = *dir;
    if (auto port = Env("CONTACTD_PG_PORT")) {
        try {
            config.embedded.port = std::stoi(*port);
        } catch (const std::exception&) {
            throw std::invalid_argument("CONTACTD_PG_PORT is not a port number: " + *port);
        }
    }
    return config;
}

Database::Database(std::string url, std::unique_ptr<EmbeddedPostgres> embedded, int migrations_applied)
    : url_(std::move(url)), embedded_(std::move(embedded)), migrations_applied_(migrations_applied) {}

Database::~Database() = default;

Database OpenDatabase(const DatabaseConfig& config) {
    std::unique_ptr<EmbeddedPostgres> embedded;
    std::string url;
    if (config.url) {
        url = *config.url;
    } else {
        EmbeddedPostgresOptions options = config.embedded;
        if (options.folder.empty()) options.folder = config.data_dir / "pg";
        embedded = std::make_unique<EmbeddedPostgres>(std::move(options));
        url = embedded->Url();
    }
    int applied = 0;
    if (config.apply_migrations) {
        pqxx::connection connection = ConnectPatiently(url, config.connect_wait);
        applied = ApplyMigrations(connection);
    }
    return Database(std::move(url), std::move(embedded), applied);
}

}  // namespace contactd::storage
