#include "storage/embedded_postgres.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>

namespace contactd::storage {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSuperuser = "postgres";
constexpr int kPreferredMajor = 15;
constexpr std::uintmax_t kLogRotateBytes = 64ull << 20;
constexpr auto kPollInterval = std::chrono::milliseconds(25);
constexpr auto kQuitTimeout = std::chrono::seconds(10);

std::optional<std::string> Env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

std::chrono::milliseconds Since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::string ReadFirstLine(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

bool IsExecutable(const fs::path& path) { return ::access(path.c_str(), X_OK) == 0; }

bool HasServerBinaries(const fs::path& dir) { return IsExecutable(dir / "initdb") && IsExecutable(dir / "postgres"); }

//! The major version in a cluster's PG_VERSION ("15"), if there is one.
std::optional<int> ClusterMajor(const fs::path& data_dir) {
    const std::string line = ReadFirstLine(data_dir / "PG_VERSION");
    if (line.empty()) return std::nullopt;
    try {
        return std::stoi(line);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

enum class ProcessState { kGone, kAlive };

//! Whether `pid` still runs. Reaps it if it is our own child; a zombie counts as gone.
ProcessState StateOf(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, WNOHANG);  // ECHILD for anything but our own children: harmless
    if (::kill(pid, 0) != 0 && errno == ESRCH) return ProcessState::kGone;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto name_end = text.rfind(')');
    if (name_end != std::string::npos && name_end + 2 < text.size() && text[name_end + 2] == 'Z') {
        return ProcessState::kGone;
    }
    return ProcessState::kAlive;
}

bool WaitUntilGone(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (StateOf(pid) == ProcessState::kAlive) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(kPollInterval);
    }
    return true;
}

//! Escapes a value for a libpq keyword/value connection string.
std::string QuoteConninfoValue(std::string_view value) {
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

std::string PercentEncode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string encoded;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            encoded += static_cast<char>(c);
        } else {
            encoded += '%';
            encoded += kHex[c >> 4];
            encoded += kHex[c & 15];
        }
    }
    return encoded;
}

//! Hands `root` and everything under it to `user` (only what it does not own yet; symlinks not followed).
void ChownTree(const fs::path& root, const UserIdentity& user) {
    auto chown_one = [&](const fs::path& path) {
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0) return;
        if (info.st_uid == user.uid && info.st_gid == user.gid) return;
        if (::lchown(path.c_str(), user.uid, user.gid) != 0) {
            throw EmbeddedPostgresError("cannot hand " + path.string() + " to user " + user.name + ": " +
                                        std::strerror(errno));
        }
    };
    chown_one(root);
    for (const auto& entry : fs::recursive_directory_iterator(root)) chown_one(entry.path());
}

//! Runs `test -w <folder>` as the server's user: catches a parent directory it cannot enter (a 0700 home
//! or mkdtemp directory) before initdb fails with a less helpful message.
void CheckReachable(const fs::path& folder, const UserIdentity& user) {
    const fs::path test_program = "/usr/bin/test";
    if (!IsExecutable(test_program)) return;
    ProcessSpec spec;
    spec.argv = {test_program.string(), "-w", folder.string()};
    spec.user = user;
    if (!ExitedCleanly(RunProcess(spec))) {
        throw EmbeddedPostgresError("PostgreSQL runs as user '" + user.name + "' (it refuses to run as root), which " +
                                    "cannot write to " + folder.string() +
                                    ": make every parent directory searchable by it (chmod o+x), choose another "
                                    "data folder, or set CONTACTD_DATABASE_URL");
    }
}

//! Starts a fresh log when the old one has grown large; keeps one previous generation.
void RotateLog(const fs::path& log) {
    std::error_code error;
    if (fs::file_size(log, error) > kLogRotateBytes && !error) {
        fs::rename(log, fs::path(log.string() + ".1"), error);
    }
}

std::string TailOfFile(const fs::path& path, std::uintmax_t from_offset, std::size_t max_lines) {
    constexpr std::uintmax_t kMaxBytes = 16 * 1024;
    std::ifstream in(path, std::ios::binary);
    if (!in) return "(no log at " + path.string() + ")";
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::uintmax_t>(in.tellg());
    const std::uintmax_t start = std::max(std::min(from_offset, size), size > kMaxBytes ? size - kMaxBytes : 0);
    in.seekg(static_cast<std::streamoff>(start));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
    const std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    std::string tail;
    for (std::size_t index = first; index < lines.size(); ++index) tail += lines[index] + "\n";
    return tail;
}

//! What a pid named in postmaster.pid turns out to be.
enum class PidOwner { kNobody, kOurLeftover, kUnrelated, kUnknown };

PidOwner OwnerOf(pid_t pid, const fs::path& data_dir) {
    if (pid <= 0 || pid == ::getpid() || StateOf(pid) == ProcessState::kGone) return PidOwner::kNobody;
    // A postmaster works with its data directory as current directory.
    std::error_code error;
    const fs::path cwd = fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", error);
    if (!error && cwd == fs::weakly_canonical(data_dir, error)) return PidOwner::kOurLeftover;
    // Deleting the lock file of a live postmaster would let two servers share one cluster: only do it when
    // the pid now belongs to something that is not PostgreSQL at all.
    const std::string command = ReadFirstLine("/proc/" + std::to_string(pid) + "/comm");
    if (!command.empty() && command != "postgres" && command != "postmaster") return PidOwner::kUnrelated;
    return PidOwner::kUnknown;
}

std::optional<int> MajorFromDirName(const fs::path& version_dir) {
    const std::string name = version_dir.filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return std::nullopt;
    }
    return std::stoi(name);
}

}  // namespace

std::int64_t HugePagesKibIn(std::istream& smaps, std::int64_t base_page_kib) {
    std::int64_t total = 0;
    std::int64_t mapping_size = 0;
    std::string line;
    while (std::getline(smaps, line)) {
        // Each mapping lists its Size, then (later) its KernelPageSize, both in kB.
        if (line.starts_with("Size:")) {
            mapping_size = std::atoll(line.c_str() + 5);
        } else if (line.starts_with("KernelPageSize:") && std::atoll(line.c_str() + 15) > base_page_kib) {
            total += mapping_size;
        }
    }
    return total;
}

std::vector<std::pair<std::string, std::string>> EmbeddedPostgres::DefaultSettings() {
    return {
        {"fsync", "on"},
        {"synchronous_commit", "on"},
        {"full_page_writes", "on"},
        // The working set of a busy workspace (its contacts and unique-value claims) should stay in
        // PostgreSQL's own cache: a read from the OS cache costs a system call per page.
        {"shared_buffers", "1GB"},
        // On huge pages when the system has them reserved (scripts/reserve-huge-pages.sh), else on normal
        // pages: the default, stated because it matters (EmbeddedPostgresStartup::huge_pages_kib).
        {"huge_pages", "try"},
        {"effective_cache_size", "4GB"},
        {"wal_buffers", "64MB"},
        {"max_wal_size", "4GB"},
        {"min_wal_size", "256MB"},
        {"checkpoint_timeout", "15min"},
        {"checkpoint_completion_target", "0.9"},
        {"wal_compression", "lz4"},
        {"default_toast_compression", "lz4"},
        {"max_connections", "100"},
        {"jit", "off"},  // compiling short upserts costs more than it saves
        {"timezone", "UTC"},
        {"log_timezone", "UTC"},
        {"logging_collector", "off"},
        {"log_line_prefix", "%m [%p] "},
    };
}

fs::path EmbeddedPostgres::FindBinaries(std::optional<int> wanted_major) {
    if (auto from_env = Env("CONTACTD_PG_BIN")) {
        if (!HasServerBinaries(*from_env)) {
            throw EmbeddedPostgresError("CONTACTD_PG_BIN=" + *from_env + " holds no executable initdb and postgres");
        }
        return *from_env;
    }
    std::map<int, fs::path> by_major;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
        const auto major = MajorFromDirName(entry.path());
        if (major && HasServerBinaries(entry.path() / "bin")) by_major[*major] = entry.path() / "bin";
    }
    for (const std::optional<int> preferred : {wanted_major, std::optional<int>(kPreferredMajor)}) {
        if (preferred && by_major.contains(*preferred)) return by_major[*preferred];
    }
    if (!by_major.empty()) return by_major.rbegin()->second;
    if (auto path = Env("PATH")) {
        std::stringstream dirs(*path);
        std::string dir;
        while (std::getline(dirs, dir, ':')) {
            if (!dir.empty() && HasServerBinaries(dir)) return dir;
        }
    }
    throw EmbeddedPostgresError(
        "no PostgreSQL server binaries found (looked in $CONTACTD_PG_BIN, /usr/lib/postgresql/*/bin and $PATH); "
        "install the postgresql package or set CONTACTD_DATABASE_URL");
}

EmbeddedPostgres::EmbeddedPostgres(EmbeddedPostgresOptions options) : options_(std::move(options)) {
    try {
        Start();
    } catch (...) {
        Stop();
        if (lock_fd_ >= 0) ::close(lock_fd_);
        lock_fd_ = -1;
        try {
            throw;
        } catch (const fs::filesystem_error& error) {
            // Permissions and missing paths: say which server it was about, and keep one error type.
            throw EmbeddedPostgresError("embedded PostgreSQL in " + options_.folder.string() + ": " + error.what());
        }
    }
}

EmbeddedPostgres::~EmbeddedPostgres() {
    try {
        Stop();
    } catch (...) {
        // The destructor of process_ kills whatever is left.
    }
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

fs::path EmbeddedPostgres::DataDir() const { return options_.folder / "data"; }
fs::path EmbeddedPostgres::SocketDir() const { return options_.folder / "run"; }
fs::path EmbeddedPostgres::LogPath() const { return options_.folder / "postgres.log"; }

std::string EmbeddedPostgres::LogTail(std::size_t max_lines) const {
    return TailOfFile(LogPath(), log_start_offset_, max_lines);
}

void EmbeddedPostgres::Fail(const std::string& message) const {
    throw EmbeddedPostgresError("embedded PostgreSQL in " + options_.folder.string() + ": " + message + "\n--- " +
                                LogPath().string() + " (tail) ---\n" + LogTail());
}

std::string EmbeddedPostgres::ConninfoFor(std::string_view database) const {
    return "host=" + QuoteConninfoValue(SocketDir().string()) + " port=" + std::to_string(options_.port) +
           " user=" + QuoteConninfoValue(kSuperuser) + " dbname=" + QuoteConninfoValue(database) + " connect_timeout=5";
}

std::string EmbeddedPostgres::UrlFor(std::string_view database) const {
    return "postgresql:///" + PercentEncode(database) + "?host=" + PercentEncode(SocketDir().string()) +
           "&port=" + std::to_string(options_.port) + "&user=" + kSuperuser;
}

void EmbeddedPostgres::Start() {
    if (options_.folder.empty()) throw EmbeddedPostgresError("embedded PostgreSQL: no data folder given");
    options_.folder = fs::absolute(options_.folder).lexically_normal();
    if (options_.folder.has_filename() == false) options_.folder = options_.folder.parent_path();
    const std::string socket_dir = SocketDir().string();
    const std::string socket_file = socket_dir + "/.s.PGSQL." + std::to_string(options_.port);
    if (socket_file.size() >= sizeof(sockaddr_un{}.sun_path)) {
        throw EmbeddedPostgresError("data folder path too long for a Unix socket (" + socket_file +
                                    " exceeds 107 bytes); choose a shorter CONTACTD_DATA_DIR");
    }
    if (socket_dir.find_first_of(",\"") != std::string::npos) {
        throw EmbeddedPostgresError("data folder path must not contain ',' or '\"': " + socket_dir);
    }

    if (::geteuid() == 0) {
        const std::string name = options_.run_as_user.value_or(Env("CONTACTD_PG_USER").value_or("postgres"));
        server_user_ = UserIdentity::Lookup(name);
        if (server_user_->uid == 0) {
            throw EmbeddedPostgresError("PostgreSQL refuses to run as root; CONTACTD_PG_USER must name another user");
        }
    }

    fs::create_directories(options_.folder);
    fs::permissions(options_.folder, fs::perms::owner_all, fs::perm_options::replace);

    // One owner per folder: the lock dies with its holder, so a live lock means a live contactd, and a live
    // postmaster without one is a leftover that is safe to stop.
    const fs::path lock_path = options_.folder / "contactd.lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) throw EmbeddedPostgresError("cannot open " + lock_path.string() + ": " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        throw EmbeddedPostgresError("data folder " + options_.folder.string() +
                                    " is in use by another running contactd (" + lock_path.string() + " is locked)");
    }

    StopLeftover();
    RotateLog(LogPath());
    { std::ofstream touch(LogPath(), std::ios::app); }
    log_start_offset_ = fs::file_size(LogPath());
    fs::create_directories(SocketDir());
    fs::permissions(SocketDir(), fs::perms::owner_all, fs::perm_options::replace);
    if (server_user_) {
        ChownTree(options_.folder, *server_user_);
        CheckReachable(options_.folder, *server_user_);
    }

    bin_dir_ = options_.bin_dir ? *options_.bin_dir : FindBinaries(ClusterMajor(DataDir()));

    if (!fs::exists(DataDir() / "PG_VERSION")) {
        const auto initdb_start = Clock::now();
        const fs::path staging = options_.folder / "data.initdb";
        fs::remove_all(staging);
        ProcessSpec initdb;
        initdb.argv = {(bin_dir_ / "initdb").string(),
                       "-D",
                       staging.string(),
                       "-U",
                       kSuperuser,
                       "--encoding=UTF8",
                       "--locale=C",
                       "--auth=trust",
                       "--no-instructions"};
        if (!options_.sync_initdb) initdb.argv.push_back("--no-sync");
        initdb.output = LogPath();
        initdb.user = server_user_;
        initdb.parent_death_signal = SIGTERM;
        const int status = RunProcess(initdb);
        if (!ExitedCleanly(status)) Fail("initdb " + DescribeWaitStatus(status));
        fs::remove_all(DataDir());  // a data/ without PG_VERSION holds nothing of value
        fs::rename(staging, DataDir());
        startup_.initialized = true;
        startup_.initdb_time = Since(initdb_start);
    }

    SpawnServer();

    const std::string admin_conninfo = ConninfoFor("postgres");
    pqxx::connection admin(admin_conninfo);
    pqxx::nontransaction transaction(admin);
    if (transaction.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", options_.database).empty()) {
        transaction.exec("CREATE DATABASE " + transaction.quote_name(options_.database));
    }
    url_ = UrlFor(options_.database);
}

void EmbeddedPostgres::StopLeftover() {
    // A server left by a killed run: PR_SET_PDEATHSIG has usually told it to stop already; wait for that.
    const pid_t pid = static_cast<pid_t>(std::atol(ReadFirstLine(DataDir() / "postmaster.pid").c_str()));
    switch (OwnerOf(pid, DataDir())) {
        case PidOwner::kNobody:
        case PidOwner::kUnknown:  // PostgreSQL's own lock-file check decides
            return;
        case PidOwner::kUnrelated:
            // The pid was reused by another process; PostgreSQL would refuse to start over its lock file.
            fs::remove(DataDir() / "postmaster.pid");
            return;
        case PidOwner::kOurLeftover:
            break;
    }
    startup_.stopped_leftover = true;
    ::kill(pid, SIGINT);
    if (WaitUntilGone(pid, options_.leftover_timeout)) return;
    ::kill(pid, SIGQUIT);
    if (!WaitUntilGone(pid, kQuitTimeout)) {
        Fail("a server left by an earlier run (pid " + std::to_string(pid) + ") does not stop");
    }
}

void EmbeddedPostgres::SpawnServer() {
    std::map<std::string, std::string> settings;
    for (auto& [name, value] : DefaultSettings()) settings[name] = value;
    for (auto& [name, value] : options_.settings) settings[name] = value;
    settings["listen_addresses"] = "";
    settings["unix_socket_directories"] = SocketDir().string();
    settings["unix_socket_permissions"] = "0700";
    settings["port"] = std::to_string(options_.port);

    ProcessSpec server;
    server.argv = {(bin_dir_ / "postgres").string(), "-D", DataDir().string()};
    for (const auto& [name, value] : settings) {
        server.argv.push_back("-c");
        server.argv.push_back(name + "=" + value);
    }
    server.output = LogPath();
    server.user = server_user_;
    server.parent_death_signal = SIGINT;  // fast shutdown if we die
    server.own_process_group = true;      // a Ctrl-C meant for us must not reach the server before we drain

    const std::string admin_conninfo = ConninfoFor("postgres");
    const auto start = Clock::now();
    const auto deadline = start + options_.start_timeout;
    const auto leftover_deadline = start + options_.leftover_timeout;
    std::uintmax_t attempt_log_offset = fs::file_size(LogPath());
    process_ = ChildProcess::Start(server);
    while (PQping(admin_conninfo.c_str()) != PQPING_OK) {
        if (!process_.Running()) {
            // Backends of a postmaster that was SIGKILLed outlive it briefly and keep its shared memory;
            // PostgreSQL refuses to start until they are gone.
            const bool orphans =
                TailOfFile(LogPath(), attempt_log_offset, 50).find("pre-existing shared memory") != std::string::npos;
            if (!orphans || Clock::now() >= leftover_deadline) {
                Fail("postgres " + DescribeWaitStatus(process_.Wait()) + " while starting");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            attempt_log_offset = fs::file_size(LogPath());
            process_ = ChildProcess::Start(server);
            continue;
        }
        if (Clock::now() >= deadline) {
            Fail("postgres did not accept connections within " + std::to_string(options_.start_timeout.count()) + " s");
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    startup_.start_time = Since(start);
    std::ifstream smaps("/proc/" + std::to_string(process_.Pid()) + "/smaps");
    if (smaps) {
        startup_.huge_pages_kib = HugePagesKibIn(smaps, ::sysconf(_SC_PAGESIZE) / 1024);
    } else {
        startup_.huge_pages_kib.reset();
    }
}

bool EmbeddedPostgres::Running() { return process_.Running(); }

void EmbeddedPostgres::Stop() {
    if (!process_.Running()) return;
    process_.Signal(SIGINT);
    if (process_.WaitFor(options_.stop_timeout)) return;
    process_.Signal(SIGQUIT);  // immediate shutdown: crash recovery on the next start, nothing lost
    if (process_.WaitFor(kQuitTimeout)) return;
    process_ = ChildProcess();  // SIGKILL to the whole process group, and reap
}

void EmbeddedPostgres::Detach() {
    process_.Release();
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
}

}  // namespace contactd::storage
