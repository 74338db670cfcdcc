#pragma once
// A child process started with fork/exec: optionally as another user, with its output appended to a file,
// tied to our lifetime by a parent-death signal. Owned by one thread; not thread-safe.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace contactd::storage {

//! A system user to run a child as (only possible when we are root).
struct UserIdentity {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;

    //! Looks the user up in the password database; throws std::runtime_error when there is none.
    static UserIdentity Lookup(const std::string& name);
};

//! What to run and how.
struct ProcessSpec {
    std::vector<std::string> argv;                // argv[0] is the program's path; PATH is not searched
    std::optional<std::filesystem::path> output;  // stdout and stderr appended here; else inherited
    std::optional<UserIdentity> user;             // switch to this user after fork (needs root)
    int parent_death_signal = 0;                  // sent to the child when the forking *thread* exits
    bool own_process_group = false;               // keeps terminal signals (Ctrl-C) away from the child
};

//! A running (or finished, not yet reaped) child. The destructor kills (SIGKILL; its whole process group
//! when it has its own) and reaps it if it still runs, so a child never outlives its owner by accident;
//! stop it gently first if it deserves that.
class ChildProcess {
  public:
    ChildProcess() = default;
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    //! Forks and execs. Throws std::system_error when the fork, the user switch or the exec fails (the
    //! child reports its errno through a close-on-exec pipe, so a failed exec is never silent).
    static ChildProcess Start(const ProcessSpec& spec);

    //! The child's pid, or -1 when there is none.
    pid_t Pid() const { return pid_; }
    //! True while the child has not exited (reaps it if it has).
    bool Running();
    //! Sends a signal to the child itself (not to its process group). False if it has exited.
    bool Signal(int signal_number);
    //! Waits up to `timeout` for the child to exit; returns its waitpid status, or nullopt on timeout.
    std::optional<int> WaitFor(std::chrono::milliseconds timeout);
    //! Waits for the child to exit; returns its waitpid status.
    int Wait();
    //! Forgets the child without killing it: it keeps running and is no longer ours to stop.
    pid_t Release();

  private:
    void KillAndReap() noexcept;

    pid_t pid_ = -1;
    bool own_group_ = false;
    std::optional<int> status_;  // set once reaped
};

//! Runs a program to its end and returns its waitpid status. Throws like ChildProcess::Start.
int RunProcess(const ProcessSpec& spec);

//! "exited with status 1", "killed by signal 9 (Killed)".
std::string DescribeWaitStatus(int status);

//! True if `status` is a normal exit with code 0.
bool ExitedCleanly(int status);

}  // namespace contactd::storage
