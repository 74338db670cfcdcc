#pragma once
// Delivery of batch-job completion callbacks (SPEC §6 `callback_url`). A background thread looks for due
// callbacks every `poll_ms` (and when woken), claims each one's next attempt in the database, POSTs the
// job's final status document signed with the workspace's webhook secret, and records the outcome: a 2xx
// delivers it; anything else retries it with exponential backoff and jitter (engine::RetryPolicy) until it
// is delivered or given up ('abandoned'). All state lives in the job's row, so delivery survives restarts
// and is shared by every node; a claim's lease keeps two nodes from sending the same attempt at once.
//
// Delivery is at least once: a node that dies (or loses its database) after the receiver answered but
// before the outcome is recorded leaves the attempt to be sent again once its lease expires. Receivers
// dedupe by the X-Contactd-Job-Id header (the body is the same final document each time).
//
// The request: `POST <callback_url>` with the body `engine::JobStatusJson(status, now)` and the headers
//   Content-Type: application/json
//   X-Contactd-Signature: sha256=<lower-case hex HMAC-SHA256 of the exact body bytes under the secret>
//   X-Contactd-Job-Id: <job id>
//   X-Contactd-Delivery-Attempt: <1, 2, ...>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/contact.hpp"
#include "engine/retry_backoff.hpp"
#include "ingest/logger.hpp"
#include "ingest/metrics.hpp"

namespace contactd::ingest {

struct CallbackDispatcherConfig {
    std::string database_url;
    engine::RetryPolicy retry;        // backoff between attempts, and when to give up
    engine::Millis poll_ms = 500;     // looks for due callbacks this often
    engine::Millis lease_ms = 60000;  // a claimed attempt is not retried elsewhere before this; > request_timeout
    std::chrono::milliseconds request_timeout{10000};  // one attempt, from name resolution to the response status
    std::chrono::milliseconds stop_grace{2000};        // Stop lets an attempt in flight finish this long
    int batch_size = 32;                               // due callbacks taken per look
    std::string extra_ca_pem;                          // trusted besides the system store (private CAs, tests)
    std::function<engine::Millis()> clock;             // Unix ms; empty: the system clock
    Logger* logger = nullptr;                          // nullptr: Logger::Default()
    Metrics* metrics = nullptr;                        // optional
};

//! Sends the completion callbacks of finished batch jobs, from any node, until each gets a 2xx or is
//! given up. Counters: contactd_callbacks_delivered_total, contactd_callback_failures_total (failed
//! attempts), contactd_callbacks_abandoned_total.
class CallbackDispatcher {
  public:
    //! Throws std::invalid_argument when the lease does not outlast an attempt's timeout.
    explicit CallbackDispatcher(CallbackDispatcherConfig config);
    ~CallbackDispatcher();  // Stop()
    CallbackDispatcher(const CallbackDispatcher&) = delete;
    CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

    //! Starts the delivery thread.
    void Start();
    //! Lets the attempt in flight finish within `stop_grace` (else aborts it and makes it due again at once),
    //! records it, and joins. Safe to call twice.
    void Stop();
    //! Look for due callbacks now (a job just finished) rather than at the next poll.
    void Notify();

    //! One look on the calling thread: claims and sends every callback due at the clock's now (up to
    //! `batch_size`). Returns the number of attempts sent. For tests and tools; not while started.
    int RunOnce();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace contactd::ingest
