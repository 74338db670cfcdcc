// The embedded server against real PostgreSQL binaries: initdb once, data kept across restarts, leftovers
// of killed runs stopped, failures explained.
#include "storage/embedded_postgres.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::storage {
namespace {

using test_support::TestCluster;

EmbeddedPostgresOptions FastOptions(const std::filesystem::path& folder) {
    EmbeddedPostgresOptions options;
    options.folder = folder;
    options.sync_initdb = false;
    return options;
}

std::string QueryOne(const std::string& url, const std::string& sql) {
    pqxx::connection connection(url);
    pqxx::nontransaction transaction(connection);
    return transaction.exec(sql).at(0).at(0).c_str();
}

void Execute(const std::string& url, const std::string& sql) {
    pqxx::connection connection(url);
    pqxx::nontransaction transaction(connection);
    transaction.exec(sql);
}

//! Gone, or a zombie nobody has reaped yet (the server is not our child once its owner is dead).
bool ProcessGone(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto name_end = text.rfind(')');
    return name_end != std::string::npos && name_end + 2 < text.size() && text[name_end + 2] == 'Z';
}

bool WaitUntilGone(pid_t pid, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ProcessGone(pid)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

uid_t OwnerUid(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("Uid:")) return static_cast<uid_t>(std::stoul(line.substr(4)));
    }
    return static_cast<uid_t>(-1);
}

TEST(EmbeddedPostgres, DataSurvivesStopAndStart) {
    EmbeddedPostgresOptions options;  // the production defaults, synchronous initdb included
    options.folder = TestCluster::MakeTempDir("survives");
    pid_t first_pid = 0;
    {
        EmbeddedPostgres server(options);
        const auto& startup = server.Startup();
        EXPECT_TRUE(startup.initialized);
        std::cerr << "[timing] initdb " << startup.initdb_time.count() << " ms, start " << startup.start_time.count()
                  << " ms (fresh folder)\n";
        Execute(server.Url(), "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
        first_pid = server.Pid();
    }
    EXPECT_TRUE(ProcessGone(first_pid));
    EmbeddedPostgres again(options);
    EXPECT_FALSE(again.Startup().initialized);
    std::cerr << "[timing] restart " << again.Startup().start_time.count() << " ms (existing folder)\n";
    EXPECT_EQ(QueryOne(again.Url(), "SELECT value FROM kept"), "still here");
}

TEST(EmbeddedPostgres, StopEndsTheServerAndItsSocket) {
    EmbeddedPostgres server(FastOptions(TestCluster::MakeTempDir("stop")));
    const pid_t pid = server.Pid();
    const auto socket = server.SocketDir() / ".s.PGSQL.5432";
    ASSERT_TRUE(std::filesystem::exists(socket));
    server.Stop();
    EXPECT_FALSE(server.Running());
    EXPECT_TRUE(ProcessGone(pid));
    EXPECT_FALSE(std::filesystem::exists(socket));
    server.Stop();  // idempotent
}

TEST(EmbeddedPostgres, ListensOnlyOnAPrivateSocketAndNeverAsRoot) {
    EmbeddedPostgres server(FastOptions(TestCluster::MakeTempDir("private")));
    EXPECT_EQ(QueryOne(server.Url(), "SHOW listen_addresses"), "");
    struct stat info {};
    ASSERT_EQ(::stat(server.SocketDir().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    EXPECT_NE(OwnerUid(server.Pid()), 0u) << "PostgreSQL must not run as root";
    if (::geteuid() == 0) {
        EXPECT_EQ(OwnerUid(server.Pid()), UserIdentity::Lookup("postgres").uid);
    }
}

TEST(EmbeddedPostgres, DefaultSettingsKeepDurabilityAndUseUtc) {
    EmbeddedPostgres server(FastOptions(TestCluster::MakeTempDir("settings")));
    EXPECT_EQ(QueryOne(server.Url(), "SHOW fsync"), "on");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW synchronous_commit"), "on");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW full_page_writes"), "on");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW shared_buffers"), "1GB");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW wal_compression"), "lz4");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW max_wal_size"), "4GB");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW TimeZone"), "UTC");
    EXPECT_EQ(QueryOne(server.Url(), "SHOW server_encoding"), "UTF8");
    EXPECT_EQ(QueryOne(server.Url(), "SELECT current_database()"), "contactd");
}

TEST(HugePagesKibIn, AddsUpTheMappingsOnLargePagesOnly) {
    // The shape of /proc/<pid>/smaps: a mapping's header line, then its fields.
    std::istringstream smaps(
        "55d0b9078000-55d0b9079000 r--p 00000000 fd:01 123 /usr/lib/postgresql/15/bin/postgres\n"
        "Size:                  4 kB\n"
        "KernelPageSize:        4 kB\n"
        "7f1000000000-7f1046400000 rw-s 00000000 00:0f 456 /anon_hugepage (deleted)\n"
        "Size:            1148928 kB\n"
        "Rss:               26624 kB\n"
        "KernelPageSize:     2048 kB\n"
        "MMUPageSize:        2048 kB\n"
        "7ffe3a12d000-7ffe3a14e000 rw-p 00000000 00:00 0 [stack]\n"
        "Size:                132 kB\n"
        "KernelPageSize:        4 kB\n");
    EXPECT_EQ(HugePagesKibIn(smaps, 4), 1148928);
    std::istringstream on_64k_pages("Size: 1024 kB\nKernelPageSize: 64 kB\n");
    EXPECT_EQ(HugePagesKibIn(on_64k_pages, 64), 0) << "a system's own base pages are not huge";
    std::istringstream none("Size: 8 kB\nKernelPageSize: 4 kB\n");
    EXPECT_EQ(HugePagesKibIn(none, 4), 0);
}

// Huge pages when the system has them reserved (scripts/reserve-huge-pages.sh), normal pages otherwise: the
// start never depends on them, and what the server got is reported.
long MeminfoField(const std::string& field) {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(field + ":")) return std::atol(line.c_str() + field.size() + 1);
    }
    return 0;
}

// Huge pages nobody holds or has reserved for a mapping yet.
long UnclaimedHugePages() { return MeminfoField("HugePages_Free") - MeminfoField("HugePages_Rsvd"); }

TEST(EmbeddedPostgres, ReportsWhetherItsSharedMemoryIsOnHugePages) {
    constexpr long kNeeded = 561;  // postgres -C shared_memory_size_in_huge_pages, with the default settings
    const long reserved = MeminfoField("HugePages_Total");
    const bool enough_before = UnclaimedHugePages() >= kNeeded;
    EmbeddedPostgres server(FastOptions(TestCluster::MakeTempDir("hugepages")));
    EXPECT_EQ(QueryOne(server.Url(), "SHOW huge_pages"), "try");
    if (!server.Startup().huge_pages_kib) {
        // Unknown only when the maps cannot be read (root without CAP_SYS_PTRACE, in some containers).
        EXPECT_FALSE(std::ifstream("/proc/" + std::to_string(server.Pid()) + "/smaps").is_open());
        return;
    }
    const std::int64_t kib = *server.Startup().huge_pages_kib;
    if (reserved == 0) {
        EXPECT_EQ(kib, 0);
    } else if (kib != 0) {
        // PostgreSQL maps its shared memory in one piece.
        EXPECT_GE(kib, 1024 * 1024) << "1 GB of shared buffers on huge pages";
    } else if (enough_before) {
        // Enough were free when we looked; another test's server may have taken them since.
        EXPECT_LT(UnclaimedHugePages(), kNeeded) << "huge pages were free, yet the server reports none";
    }
}

TEST(EmbeddedPostgres, ASecondOwnerOfTheSameFolderIsRefused) {
    const auto options = FastOptions(TestCluster::MakeTempDir("two-owners"));
    EmbeddedPostgres first(options);
    try {
        EmbeddedPostgres second(options);
        FAIL() << "a second server started on a folder in use";
    } catch (const EmbeddedPostgresError& error) {
        EXPECT_NE(std::string(error.what()).find("in use"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(first.Running());
    EXPECT_EQ(QueryOne(first.Url(), "SELECT 1"), "1");
}

TEST(EmbeddedPostgres, StartStopsAServerLeftRunningByAnEarlierOwner) {
    const auto options = FastOptions(TestCluster::MakeTempDir("leftover"));
    pid_t leftover = 0;
    {
        EmbeddedPostgres first(options);
        Execute(first.Url(), "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('from the first owner')");
        leftover = first.Pid();
        first.Detach();  // as if we had died before the parent-death signal arrived
    }
    ASSERT_FALSE(ProcessGone(leftover)) << "Detach must leave the server running";
    EmbeddedPostgres second(options);
    EXPECT_TRUE(second.Startup().stopped_leftover);
    EXPECT_TRUE(ProcessGone(leftover));
    EXPECT_NE(second.Pid(), leftover);
    EXPECT_EQ(QueryOne(second.Url(), "SELECT value FROM kept"), "from the first owner");
}

TEST(EmbeddedPostgres, ServerShutsDownWhenItsOwnerIsSigkilledAndTheNextStartWorks) {
    const auto folder = TestCluster::MakeTempDir("killed-owner");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t owner = ::fork();
    ASSERT_GE(owner, 0);
    if (owner == 0) {
        // The owner process: starts a server, writes a row, reports the server's pid, waits to be killed.
        ::close(ready[0]);
        try {
            EmbeddedPostgres server(FastOptions(folder));
            Execute(server.Url(), "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('before the kill')");
            const pid_t server_pid = server.Pid();
            if (::write(ready[1], &server_pid, sizeof server_pid) != sizeof server_pid) ::_exit(2);
            while (true) ::pause();
        } catch (const std::exception& error) {
            std::cerr << "owner process failed: " << error.what() << "\n";
        }
        ::_exit(1);
    }
    ::close(ready[1]);
    pid_t server_pid = 0;
    const auto received = ::read(ready[0], &server_pid, sizeof server_pid);
    ::close(ready[0]);
    ::kill(owner, SIGKILL);
    int status = 0;
    ::waitpid(owner, &status, 0);
    ASSERT_EQ(received, static_cast<ssize_t>(sizeof server_pid)) << "the owner process did not start its server";

    // Nobody stops the orphaned server but its parent-death signal (SIGINT: fast shutdown).
    EXPECT_TRUE(WaitUntilGone(server_pid, std::chrono::seconds(30)));

    EmbeddedPostgres again(FastOptions(folder));
    EXPECT_EQ(QueryOne(again.Url(), "SELECT value FROM kept"), "before the kill");
}

TEST(EmbeddedPostgres, StartsAfterTheServerItselfWasSigkilled) {
    const auto options = FastOptions(TestCluster::MakeTempDir("killed-server"));
    {
        EmbeddedPostgres first(options);
        Execute(first.Url(), "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('committed')");
        ::kill(first.Pid(), SIGKILL);  // postmaster.pid and the socket lock stay behind; backends may linger
        ASSERT_TRUE(WaitUntilGone(first.Pid(), std::chrono::seconds(10)));
    }
    EmbeddedPostgres again(options);  // crash recovery
    EXPECT_EQ(QueryOne(again.Url(), "SELECT value FROM kept"), "committed");
}

TEST(EmbeddedPostgres, ALockFileNamingAPidReusedByAnotherProgramDoesNotBlockTheStart) {
    const auto options = FastOptions(TestCluster::MakeTempDir("reused-pid"));
    { EmbeddedPostgres first(options); }
    ProcessSpec sleeper;
    sleeper.argv = {"/bin/sleep", "60"};
    // As the server's own user: PostgreSQL ignores a lock naming a process it may not signal (EPERM).
    if (::geteuid() == 0) sleeper.user = UserIdentity::Lookup("postgres");
    ChildProcess unrelated = ChildProcess::Start(sleeper);
    {
        // What a crash leaves behind, after the pid has gone to another program.
        std::ofstream lock_file(options.folder / "data" / "postmaster.pid");
        lock_file << unrelated.Pid() << "\n" << (options.folder / "data").string() << "\n";
    }
    EmbeddedPostgres again(options);
    EXPECT_FALSE(again.Startup().stopped_leftover);
    EXPECT_TRUE(unrelated.Running()) << "an unrelated process must never be signalled";
    EXPECT_EQ(QueryOne(again.Url(), "SELECT 1"), "1");
}

TEST(EmbeddedPostgres, AFailedStartCarriesTheServerLog) {
    auto options = FastOptions(TestCluster::MakeTempDir("bad-setting"));
    options.settings = {{"shared_buffers", "not-a-size"}};
    try {
        EmbeddedPostgres server(options);
        FAIL() << "the server started with an invalid setting";
    } catch (const EmbeddedPostgresError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("shared_buffers"), std::string::npos) << message;
        EXPECT_NE(message.find("postgres.log"), std::string::npos) << message;
    }
}

TEST(EmbeddedPostgres, ASocketPathTooLongForUnixSocketsIsRefusedUpFront) {
    EmbeddedPostgresOptions options;
    options.folder = TestCluster::MakeTempDir("long") / std::string(120, 'x');
    EXPECT_THROW(EmbeddedPostgres server(options), EmbeddedPostgresError);
}

TEST(EmbeddedPostgres, AFolderTheServerUserCannotReachIsRefusedWithAnExplanation) {
    if (::geteuid() != 0) GTEST_SKIP() << "only root hands the folder to another user";
    const auto locked = TestCluster::MakeTempDir("locked");
    ASSERT_EQ(::chmod(locked.c_str(), 0700), 0);  // root's alone: the postgres user cannot enter
    try {
        EmbeddedPostgres server(FastOptions(locked / "pg"));
        FAIL() << "started a server in a folder its user cannot reach";
    } catch (const EmbeddedPostgresError& error) {
        EXPECT_NE(std::string(error.what()).find("cannot write"), std::string::npos) << error.what();
    }
}

TEST(EmbeddedPostgres, OpenDatabaseStartsAPrivateServerUnderTheDataDirAndMigratesIt) {
    DatabaseConfig config;
    config.data_dir = TestCluster::MakeTempDir("open-database");
    config.embedded.sync_initdb = false;
    {
        Database database = OpenDatabase(config);
        ASSERT_NE(database.Embedded(), nullptr);
        EXPECT_EQ(database.Embedded()->Folder(), config.data_dir / "pg");
        EXPECT_EQ(database.MigrationsApplied(), static_cast<int>(EmbeddedMigrations().size()));
        pqxx::connection connection(database.Url());
        EXPECT_EQ(CurrentSchemaVersion(connection), LatestMigrationVersion());
    }
    Database reopened = OpenDatabase(config);
    EXPECT_EQ(reopened.MigrationsApplied(), 0);
}

TEST(EmbeddedPostgres, FindBinariesHonoursTheEnvironmentOverride) {
    const char* saved = std::getenv("CONTACTD_PG_BIN");
    const std::string saved_value = saved ? saved : "";
    const auto found = EmbeddedPostgres::FindBinaries();
    EXPECT_TRUE(std::filesystem::exists(found / "initdb")) << found;
    EXPECT_TRUE(std::filesystem::exists(found / "postgres")) << found;

    ::setenv("CONTACTD_PG_BIN", "/nonexistent/bin", 1);
    EXPECT_THROW(EmbeddedPostgres::FindBinaries(), EmbeddedPostgresError);
    ::setenv("CONTACTD_PG_BIN", found.c_str(), 1);
    EXPECT_EQ(EmbeddedPostgres::FindBinaries(), found);
    if (saved) {
        ::setenv("CONTACTD_PG_BIN", saved_value.c_str(), 1);
    } else {
        ::unsetenv("CONTACTD_PG_BIN");
    }
}

TEST(EmbeddedPostgres, FindBinariesFallsBackToVersion15WhenTheClustersMajorIsNotInstalled) {
    if (std::getenv("CONTACTD_PG_BIN") != nullptr) GTEST_SKIP() << "CONTACTD_PG_BIN overrides the search";
    if (!std::filesystem::exists("/usr/lib/postgresql/15/bin/postgres")) GTEST_SKIP() << "needs PostgreSQL 15";
    const auto found = EmbeddedPostgres::FindBinaries(99);
    EXPECT_EQ(found, std::filesystem::path("/usr/lib/postgresql/15/bin"));
}

}  // namespace
}  // namespace contactd::storage
