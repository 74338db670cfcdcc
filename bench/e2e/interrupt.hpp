#pragma once
// Ctrl-C and SIGTERM for the benchmark driver. The first signal sets a flag that every wait of the driver
// checks, and cancels the database statement in flight, so that the driver unwinds and its destructors stop
// everything it started (server, PostgreSQL, load generators). A second signal kills the driver at once;
// its children then get their parent-death signals.

#include <chrono>
#include <stdexcept>

struct pg_conn;

namespace contactd::bench::e2e {

//! Thrown by a wait that noticed the signal.
class Interrupted : public std::runtime_error {
  public:
    Interrupted() : std::runtime_error("interrupted") {}
};

//! Installs the SIGINT/SIGTERM handlers (once, from main) and ignores SIGPIPE.
void InstallInterruptHandlers();

//! True once a signal arrived.
bool InterruptRequested();

//! Throws Interrupted when a signal arrived.
void ThrowIfInterrupted();

//! Sleeps for `duration` in short steps; throws Interrupted as soon as a signal arrives.
void SleepFor(std::chrono::milliseconds duration);

//! While alive, a signal also cancels the statement running on `connection` (PQcancel is safe in a signal
//! handler). One at a time: the driver runs its long statements from the main thread.
class CancelOnInterrupt {
  public:
    explicit CancelOnInterrupt(pg_conn* connection);
    ~CancelOnInterrupt();
    CancelOnInterrupt(const CancelOnInterrupt&) = delete;
    CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;
};

}  // namespace contactd::bench::e2e
