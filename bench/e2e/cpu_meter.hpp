#pragma once
// Where a timed phase's CPU went: the server process (all its threads), PostgreSQL (the postmaster and every
// process it started, including those that exited meanwhile) and the whole machine, read from /proc before
// and after. The run is CPU-bound on a small machine, so this is what says which side a gain must come from.

#include <sys/types.h>

namespace contactd::bench::e2e {

//! Cumulative CPU seconds at one moment.
struct CpuReading {
    bool ok = false;  // every source could be read
    double contactd = 0;
    double postgres = 0;
    double machine_busy = 0;   // every CPU, every process (user, nice, system, irq, softirq; not steal)
    double machine_total = 0;  // busy + idle + iowait
};

//! CPU seconds spent between two readings.
struct CpuSpent {
    bool measured = false;
    double contactd = 0;
    double postgres = 0;
    double machine_busy = 0;
    double machine_total = 0;

    //! Seconds spent by everything else: the driver, its HTTP clients, the kernel's threads and interrupts
    //! (loopback TCP for the server's requests is partly here). Approximate: /proc/stat counts ticks.
    double Other() const { return machine_busy - contactd - postgres; }
    //! The machine's busy share over the interval, 0..1.
    double Busy() const { return machine_total > 0 ? machine_busy / machine_total : 0; }
};

//! Reads the counters now; `ok` is false when the server, the postmaster or /proc/stat could not be read.
CpuReading ReadCpu(pid_t contactd, pid_t postmaster);

//! Measured only when both readings are whole.
CpuSpent Between(const CpuReading& before, const CpuReading& after);

}  // namespace contactd::bench::e2e
