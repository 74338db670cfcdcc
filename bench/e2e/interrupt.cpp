#include "bench/e2e/interrupt.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <thread>

namespace contactd::bench::e2e {

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<PGcancel*> g_cancel{nullptr};

extern "C" void OnSignal(int signal_number) {
    g_interrupted.store(true);
    if (PGcancel* cancel = g_cancel.load()) {
        char message[256];
        PQcancel(cancel, message, sizeof message);
    }
    std::signal(signal_number, SIG_DFL);  // a second Ctrl-C ends the driver at once
}

}  // namespace

void InstallInterruptHandlers() {
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    std::signal(SIGPIPE, SIG_IGN);
}

bool InterruptRequested() { return g_interrupted.load(); }

void ThrowIfInterrupted() {
    if (InterruptRequested()) throw Interrupted();
}

void SleepFor(std::chrono::milliseconds duration) {
    constexpr auto kStep = std::chrono::milliseconds(20);
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (true) {
        ThrowIfInterrupted();
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kStep, deadline - now));
    }
}

CancelOnInterrupt::CancelOnInterrupt(pg_conn* connection) { g_cancel.store(PQgetCancel(connection)); }

CancelOnInterrupt::~CancelOnInterrupt() {
    // A handler running right now may still use the old handle; it finishes within microseconds.
    PGcancel* cancel = g_cancel.exchange(nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (cancel) PQfreeCancel(cancel);
}

}  // namespace contactd::bench::e2e
