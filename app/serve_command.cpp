#include <csignal>
#include <iostream>
#include <optional>

#include "app/commands.hpp"
#include "app/options.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/api_routes.hpp"
#include "ingest/callback_dispatcher.hpp"
#include "ingest/http_server.hpp"
#include "ingest/job_workers.hpp"
#include "ingest/logger.hpp"
#include "storage/database.hpp"

namespace contactd::app {

namespace {

//! Blocks SIGINT and SIGTERM in this thread (and every thread it starts) so that only sigwait sees them.
sigset_t BlockStopSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return signals;
}

storage::DatabaseConfig DatabaseConfigFrom(const Options& options) {
    storage::DatabaseConfig config = storage::DatabaseConfig::FromEnvironment();
    if (auto url = options.Get("database-url")) config.url = *url;
    if (auto dir = options.Get("data-dir")) config.data_dir = *dir;
    return config;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
    const sigset_t stop_signals = BlockStopSignals();
    ingest::Logger& log = ingest::Logger::Default();
    const Options options(args);
    const std::string level_name = options.Get("log-level", "CONTACTD_LOG_LEVEL", "info");
    if (const auto level = ingest::ParseLogLevel(level_name)) {
        log.SetMinLevel(*level);
    } else {
        log.Warn("unknown log level; using info", {{"log_level", level_name}});
    }
    const storage::DatabaseConfig db_config = DatabaseConfigFrom(options);
    const Endpoint listen = ParseEndpoint(options.Get("listen", "CONTACTD_LISTEN", "127.0.0.1:8080"));

    log.Info("starting", {{"listen", listen.host + ":" + std::to_string(listen.port)},
                          {"database", db_config.url ? "external" : "embedded"},
                          {"data_dir", db_config.data_dir.string()}});
    storage::Database database = storage::OpenDatabase(db_config);
    if (const auto* embedded = database.Embedded()) {
        const std::optional<std::int64_t> huge_kib = embedded->Startup().huge_pages_kib;
        log.Info("embedded postgresql ready",
                 {{"socket_dir", embedded->SocketDir().string()},
                  {"initdb", embedded->Startup().initialized},
                  {"start_ms", static_cast<std::int64_t>(embedded->Startup().start_time.count())},
                  huge_kib ? ingest::LogField("huge_pages_mib", *huge_kib / 1024)
                           : ingest::LogField("huge_pages_mib", "unknown")});
        if (huge_kib == 0) {
            log.Info(
                "embedded postgresql has no huge pages; as root, scripts/reserve-huge-pages.sh reserves them "
                "(docs/decisions.md, \"Huge pages\")");
        }
    }
    log.Info("schema current", {{"migrations_applied", database.MigrationsApplied()}});

    bool generated = false;
    const std::string admin_token = *AdminToken(options, db_config.data_dir, /*create=*/true, &generated);
    if (generated) {
        log.Info("admin token generated",
                 {{"admin_token", admin_token}, {"file", (db_config.data_dir / "admin_token").string()}});
    }

    ingest::HttpServerConfig server_config;
    server_config.address = listen.host;
    server_config.port = listen.port;
    // The handlers' statements touch one contact each: planned once per session, not once a request.
    storage::ConnectionPool pool(database.Url(), server_config.handler_threads + 4, storage::PlanCaching::kGeneric);
    storage::WorkspaceStore workspaces(pool);
    storage::ContactStore contacts(pool);
    storage::JobStore jobs(pool);
    ingest::RateLimiter rate_limiter;
    ingest::Metrics metrics;
    metrics.AddGauge("contactd_db_connections_leased", "PostgreSQL connections in use",
                     [&pool] { return static_cast<double>(pool.Stats().leased); });

    ingest::JobWorkersConfig workers_config;
    workers_config.database_url = database.Url();
    workers_config.workers = std::stoul(options.Get("workers", "CONTACTD_WORKERS", "2"));
    workers_config.node_id = NodeId(options, db_config.data_dir);
    workers_config.lease_ms = std::stoll(options.Get("lease-ms", "CONTACTD_LEASE_MS", "30000"));
    workers_config.metrics = &metrics;
    ingest::JobWorkers workers(workers_config, ingest::JsonItemParser());
    ingest::CallbackDispatcherConfig callbacks_config;
    callbacks_config.database_url = database.Url();
    callbacks_config.metrics = &metrics;
    ingest::CallbackDispatcher callbacks(callbacks_config);

    ingest::ApiServices services{pool,
                                 workspaces,
                                 contacts,
                                 rate_limiter,
                                 metrics,
                                 admin_token,
                                 ingest::SystemNowMillis,
                                 jobs,
                                 database.Url(),
                                 [&workers] { workers.Notify(); }};
    ingest::HttpServer server(server_config, ingest::BuildApiRouter(services));
    server.Start();
    workers.Start();
    callbacks.Start();

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log.Info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.Stop();     // no new requests; those in flight finish
    workers.Stop();    // the chunks in flight finish and the lanes are released
    callbacks.Stop();  // the callback in flight finishes (or is due again at once)
    log.Info("stopped");
    return 0;  // the database (and an embedded server) closes as it goes out of scope
}

int RunMigrate(const std::vector<std::string>& args) {
    const Options options(args);
    storage::DatabaseConfig config = DatabaseConfigFrom(options);
    const storage::Database database = storage::OpenDatabase(config);
    ingest::Logger::Default().Info("migrated", {{"migrations_applied", database.MigrationsApplied()}});
    return 0;
}

}  // namespace contactd::app
