#include "storage/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace contactd::storage {
namespace {

// Descriptors handed to the child are moved above this number first, so that the dup2 calls onto 0..3
// in the child can never overwrite one another.
constexpr int kHighDescriptor = 10;
// In the child, the error pipe sits here while everything above it is closed.
constexpr int kErrorPipeDescriptor = 3;

//! A file descriptor closed on destruction.
class UniqueFd {
  public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            Reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~UniqueFd() { Reset(); }
    int Get() const { return fd_; }
    void Reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

[[noreturn]] void ThrowErrno(const std::string& what, int error) {
    throw std::system_error(error, std::generic_category(), what);
}

//! Reopens `fd` as a close-on-exec descriptor numbered at least kHighDescriptor; closes the original.
UniqueFd MoveHigh(int fd, const char* what) {
    if (fd < 0) ThrowErrno(what, errno);
    const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, kHighDescriptor);
    const int error = errno;
    ::close(fd);
    if (high < 0) ThrowErrno(what, error);
    return UniqueFd(high);
}

//! The child's report of what failed before exec: which step and its errno.
struct ChildFailure {
    int step;
    int error;
};

enum ChildStep : int { kStepDup = 1, kStepGroups, kStepGid, kStepUid, kStepDeathSignal, kStepOrphaned, kStepExec };

const char* StepName(int step) {
    switch (step) {
        case kStepDup:
            return "redirecting the child's output";
        case kStepGroups:
            return "setgroups";
        case kStepGid:
            return "setgid";
        case kStepUid:
            return "setuid";
        case kStepDeathSignal:
            return "prctl(PR_SET_PDEATHSIG)";
        case kStepOrphaned:
            return "starting the child (its parent exited first)";
        case kStepExec:
            return "exec";
        default:
            return "starting the child";
    }
}

// Runs in the forked child: only async-signal-safe calls from here to exec.
[[noreturn]] void RunChild(const ProcessSpec& spec, char* const* argv, int null_fd, int output_fd, int error_fd,
                           pid_t parent) {
    auto fail = [&](int step) {
        const ChildFailure failure{step, errno};
        [[maybe_unused]] auto written = ::write(error_fd, &failure, sizeof failure);
        ::_exit(127);
    };
    if (spec.own_process_group) ::setpgid(0, 0);

    // The parent may ignore or block signals (SIGPIPE, SIGCHLD); exec keeps ignored dispositions and masks.
    sigset_t all_signals;
    ::sigemptyset(&all_signals);
    ::sigprocmask(SIG_SETMASK, &all_signals, nullptr);
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
        if (signal_number != SIGKILL && signal_number != SIGSTOP) ::signal(signal_number, SIG_DFL);
    }

    if (::dup2(null_fd, 0) < 0) fail(kStepDup);
    if (output_fd >= 0 && (::dup2(output_fd, 1) < 0 || ::dup2(output_fd, 2) < 0)) fail(kStepDup);
    if (::dup2(error_fd, kErrorPipeDescriptor) < 0) fail(kStepDup);
    error_fd = kErrorPipeDescriptor;
    if (::fcntl(error_fd, F_SETFD, FD_CLOEXEC) < 0) fail(kStepDup);

    if (spec.user) {
        const gid_t gid = spec.user->gid;
        if (::setgroups(1, &gid) < 0) fail(kStepGroups);
        if (::setgid(gid) < 0) fail(kStepGid);
        if (::setuid(spec.user->uid) < 0) fail(kStepUid);
    }
    // Set after the user switch: changing credentials clears the parent-death signal.
    if (spec.parent_death_signal != 0) {
        if (::prctl(PR_SET_PDEATHSIG, spec.parent_death_signal) < 0) fail(kStepDeathSignal);
        if (::getppid() != parent) {
            errno = ESRCH;
            fail(kStepOrphaned);
        }
    }
    // Leak nothing of ours (sockets, pipes, files) into a long-lived child.
    ::close_range(kErrorPipeDescriptor + 1, ~0U, 0);

    ::execv(argv[0], argv);
    fail(kStepExec);
    ::_exit(127);  // unreachable; fail() exits
}

}  // namespace

UserIdentity UserIdentity::Lookup(const std::string& name) {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    const int error = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (error != 0) ThrowErrno("looking up user '" + name + "'", error);
    if (found == nullptr) throw std::runtime_error("no such system user: '" + name + "'");
    return UserIdentity{name, found->pw_uid, found->pw_gid};
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), own_group_(other.own_group_), status_(std::move(other.status_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        KillAndReap();
        pid_ = std::exchange(other.pid_, -1);
        own_group_ = other.own_group_;
        status_ = std::move(other.status_);
    }
    return *this;
}

ChildProcess::~ChildProcess() { KillAndReap(); }

ChildProcess ChildProcess::Start(const ProcessSpec& spec) {
    if (spec.argv.empty()) throw std::invalid_argument("ChildProcess::Start: empty argv");

    // Everything the child needs is prepared here: after fork it may only make async-signal-safe calls.
    std::vector<char*> argv;
    argv.reserve(spec.argv.size() + 1);
    for (const std::string& argument : spec.argv) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);

    UniqueFd null_fd = MoveHigh(::open("/dev/null", O_RDONLY | O_CLOEXEC), "opening /dev/null");
    UniqueFd output_fd;
    if (spec.output) {
        output_fd = MoveHigh(::open(spec.output->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600),
                             ("opening " + spec.output->string()).c_str());
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) < 0) ThrowErrno("creating a pipe", errno);
    UniqueFd error_read = MoveHigh(pipe_fds[0], "creating a pipe");
    UniqueFd error_write = MoveHigh(pipe_fds[1], "creating a pipe");

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) ThrowErrno("fork", errno);
    if (pid == 0) RunChild(spec, argv.data(), null_fd.Get(), output_fd.Get(), error_write.Get(), parent);

    ChildProcess child;
    child.pid_ = pid;
    child.own_group_ = spec.own_process_group;
    if (spec.own_process_group) ::setpgid(pid, pid);  // both sides set it, so neither can race the other

    error_write.Reset();
    ChildFailure failure{};
    ssize_t received = 0;
    do {
        received = ::read(error_read.Get(), &failure, sizeof failure);
    } while (received < 0 && errno == EINTR);
    if (received == static_cast<ssize_t>(sizeof failure)) {
        child.Wait();
        ThrowErrno(std::string(StepName(failure.step)) + " for " + spec.argv.front(), failure.error);
    }
    return child;
}

bool ChildProcess::Running() {
    if (pid_ < 0 || status_) return false;
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
        status_ = status;
        return false;
    }
    return reaped == 0;
}

bool ChildProcess::Signal(int signal_number) {
    if (!Running()) return false;
    return ::kill(pid_, signal_number) == 0;
}

std::optional<int> ChildProcess::WaitFor(std::chrono::milliseconds timeout) {
    if (pid_ < 0) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    while (Running()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    return status_;
}

int ChildProcess::Wait() {
    if (pid_ < 0) throw std::logic_error("ChildProcess::Wait: no child");
    while (!status_) {
        int status = 0;
        const pid_t reaped = ::waitpid(pid_, &status, 0);
        if (reaped == pid_) {
            status_ = status;
        } else if (reaped < 0 && errno != EINTR) {
            ThrowErrno("waitpid", errno);
        }
    }
    return *status_;
}

pid_t ChildProcess::Release() {
    status_.reset();
    return std::exchange(pid_, -1);
}

void ChildProcess::KillAndReap() noexcept {
    if (pid_ < 0) return;
    if (!status_) {
        if (own_group_) ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
    status_.reset();
}

int RunProcess(const ProcessSpec& spec) { return ChildProcess::Start(spec).Wait(); }

std::string DescribeWaitStatus(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = ::strsignal(WTERMSIG(status));
        return "killed by signal " + std::to_string(WTERMSIG(status)) + (name ? std::string(" (") + name + ")" : "");
    }
    return "ended with wait status " + std::to_string(status);
}

bool ExitedCleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

}  // namespace contactd::storage
