#include "ingest/callback_dispatcher.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "engine/job_status.hpp"
#include "ingest/api_services.hpp"
#include "ingest/webhook_client.hpp"
#include "storage/callback_store.hpp"
#include "storage/connection_pool.hpp"
#include "storage/db_error.hpp"
#include "storage/ids.hpp"
#include "storage/job_store.hpp"

namespace contactd::ingest {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kDbAttempts = 3;

//! How one attempt ended, as logged.
enum class AttemptEnd { kDelivered, kRetry, kAbandoned, kInterrupted };

std::string_view AttemptEndName(AttemptEnd end) {
    switch (end) {
        case AttemptEnd::kDelivered:
            return "delivered";
        case AttemptEnd::kRetry:
            return "retry";
        case AttemptEnd::kAbandoned:
            return "abandoned";
        case AttemptEnd::kInterrupted:
            return "interrupted";
    }
    return "retry";
}

// The URL's host and port, for logs: the whole URL may carry credentials or tokens.
std::string HostOf(const std::string& url) {
    const auto parsed = ParseWebhookUrl(url);
    return parsed ? parsed->host_header : std::string("(unparsable)");
}

WebhookClientConfig ClientConfig(const CallbackDispatcherConfig& config) {
    WebhookClientConfig client;
    client.timeout = config.request_timeout;
    client.extra_ca_pem = config.extra_ca_pem;
    return client;
}

}  // namespace

struct CallbackDispatcher::Impl {
    explicit Impl(CallbackDispatcherConfig config_in)
        : config(std::move(config_in)),
          log(config.logger ? *config.logger : Logger::Default()),
          pool(config.database_url, 2),
          jobs(pool),
          client(ClientConfig(config)),
          jitter(std::random_device{}()) {
        if (config.lease_ms <= config.request_timeout.count()) {
            throw std::invalid_argument("callback lease_ms must be longer than the request timeout");
        }
        if (config.batch_size < 1) throw std::invalid_argument("callback batch_size must be at least 1");
        if (!config.clock) config.clock = SystemNowMillis;
        if (config.metrics) {
            delivered = &config.metrics->GetCounter("contactd_callbacks_delivered_total",
                                                    "Batch job callbacks delivered (a 2xx answered)");
            failures = &config.metrics->GetCounter("contactd_callback_failures_total",
                                                   "Batch job callback attempts that failed");
            abandoned = &config.metrics->GetCounter("contactd_callbacks_abandoned_total",
                                                    "Batch job callbacks given up after their last attempt");
        }
    }

    //! Runs `f(connection)` as one transaction on a fresh lease, retrying transient database failures.
    template <class F>
    auto WithConnection(F&& f) {
        return storage::RetryTransient(
            [&] {
                storage::PooledConnection connection = pool.Acquire();
                return f(*connection);
            },
            kDbAttempts);
    }

    struct Round {
        std::size_t found = 0;
        int sent = 0;
    };

    Round RunRound() {
        const engine::Millis now = config.clock();
        const auto due = WithConnection([&](pqxx::connection& connection) {
            return storage::FindDueCallbacks(connection, now, config.batch_size);
        });
        Round round{due.size(), 0};
        for (const storage::DueCallback& callback : due) {
            if (stop_requested) break;
            if (Deliver(callback)) ++round.sent;
        }
        return round;
    }

    // Claims and sends one callback's next attempt; false when there was nothing to send.
    bool Deliver(const storage::DueCallback& due) {
        const engine::Millis now = config.clock();
        const auto claim = WithConnection([&](pqxx::connection& connection) {
            return storage::ClaimCallback(connection, due.workspace_id, due.job_id, now, config.lease_ms);
        });
        if (!claim) return false;  // delivered, rescheduled or claimed elsewhere since it was found

        // Attempts spent by crashes between claim and record never reached a verdict; stop there too.
        if (claim->attempt > config.retry.max_attempts) {
            Abandon(*claim, "no attempts left");
            return false;
        }
        if (claim->webhook_secret.empty()) {
            Abandon(*claim, "the workspace has no webhook secret");
            return false;
        }
        const auto status = jobs.Status(due.workspace_id, due.job_id);
        if (!status) {
            Abandon(*claim, "the job no longer exists");
            return false;
        }
        const std::string body = engine::JobStatusJson(*status, now);
        const WebhookClient::Headers headers = {
            {"Content-Type", "application/json"},
            {"X-Contactd-Signature", "sha256=" + storage::HmacSha256Hex(claim->webhook_secret, body)},
            {"X-Contactd-Job-Id", due.job_id},
            {"X-Contactd-Delivery-Attempt", std::to_string(claim->attempt)},
        };
        const SteadyClock::time_point sent_at = SteadyClock::now();
        const WebhookResult result = client.Post(claim->callback_url, headers, body, [this] { return AbortNow(); });
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - sent_at);
        Record(*claim, result, took.count());
        return true;
    }

    void Record(const storage::ClaimedCallback& claim, const WebhookResult& result, std::int64_t took_ms) {
        const engine::Millis now = config.clock();
        AttemptEnd end = AttemptEnd::kRetry;
        engine::Millis next_in_ms = 0;
        bool kept = true;
        if (result.Delivered()) {
            end = AttemptEnd::kDelivered;
            kept = WithConnection([&](pqxx::connection& c) { return storage::MarkDelivered(c, claim); });
            if (delivered) delivered->Add();
        } else if (result.failure == WebhookFailure::kAborted) {
            // Shutting down: not the receiver's fault, so due again at once (here after a restart, or elsewhere).
            end = AttemptEnd::kInterrupted;
            kept = WithConnection([&](pqxx::connection& c) { return storage::Reschedule(c, claim, now); });
        } else {
            if (failures) failures->Add();
            const bool hopeless = result.failure == WebhookFailure::kBadUrl;
            if (hopeless || engine::ShouldAbandon(config.retry, claim.attempt, claim.first_due, now)) {
                end = AttemptEnd::kAbandoned;
                kept = WithConnection([&](pqxx::connection& c) { return storage::Abandon(c, claim); });
                if (abandoned && kept) abandoned->Add();
            } else {
                next_in_ms = engine::BackoffDelay(config.retry, claim.attempt, jitter());
                kept = WithConnection(
                    [&](pqxx::connection& c) { return storage::Reschedule(c, claim, now + next_in_ms); });
            }
        }
        const std::string error = result.failure == WebhookFailure::kNone && !result.Delivered()
                                      ? "HTTP status " + std::to_string(result.status)
                                      : result.error;
        log.Log(end == AttemptEnd::kDelivered   ? LogLevel::kInfo
                : end == AttemptEnd::kAbandoned ? LogLevel::kError
                                                : LogLevel::kWarn,
                "callback attempt",
                {{"workspace_id", claim.workspace_id},
                 {"job_id", claim.job_id},
                 {"attempt", claim.attempt},
                 {"host", HostOf(claim.callback_url)},
                 {"outcome", AttemptEndName(end)},
                 {"status", result.status},
                 {"failure", WebhookFailureName(result.failure)},
                 {"error", error},
                 {"duration_ms", took_ms},
                 {"next_attempt_in_ms", next_in_ms}});
        if (!kept) {
            log.Warn("callback claim lost before its outcome was recorded; its lease expired and it was claimed again",
                     {{"workspace_id", claim.workspace_id}, {"job_id", claim.job_id}, {"attempt", claim.attempt}});
        }
    }

    void Abandon(const storage::ClaimedCallback& claim, std::string_view reason) {
        const bool kept = WithConnection([&](pqxx::connection& c) { return storage::Abandon(c, claim); });
        if (abandoned && kept) abandoned->Add();
        log.Error("callback abandoned", {{"workspace_id", claim.workspace_id},
                                         {"job_id", claim.job_id},
                                         {"attempt", claim.attempt},
                                         {"reason", reason}});
    }

    bool AbortNow() const { return stop_requested && SteadyClock::now().time_since_epoch().count() >= abort_at.load(); }

    void Loop() {
        while (!stop_requested) {
            bool more = false;
            try {
                const Round round = RunRound();
                more = round.found == static_cast<std::size_t>(config.batch_size) && round.sent > 0;
            } catch (const std::exception& error) {
                // The database is unreachable or failing: claims not recorded expire by their lease.
                log.Warn("callback round failed", {{"error", error.what()}});
            }
            if (more) continue;
            std::unique_lock lock(mutex);
            wake.wait_for(lock, std::chrono::milliseconds(config.poll_ms), [&] { return woken || stop_requested; });
            woken = false;
        }
    }

    CallbackDispatcherConfig config;
    Logger& log;
    storage::ConnectionPool pool;
    storage::JobStore jobs;
    WebhookClient client;
    std::mt19937_64 jitter;  // only the delivery thread draws from it

    std::thread thread;
    std::mutex mutex;  // woken
    std::condition_variable wake;
    bool woken = false;
    std::atomic<bool> stop_requested{false};
    std::atomic<SteadyClock::rep> abort_at{0};
    std::mutex lifecycle_mutex;  // started, stopped
    bool started = false;
    bool stopped = false;

    Counter* delivered = nullptr;
    Counter* failures = nullptr;
    Counter* abandoned = nullptr;
};

CallbackDispatcher::CallbackDispatcher(CallbackDispatcherConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

CallbackDispatcher::~CallbackDispatcher() { Stop(); }

void CallbackDispatcher::Start() {
    Impl& impl = *impl_;
    std::lock_guard lock(impl.lifecycle_mutex);
    if (impl.started) return;
    impl.started = true;
    impl.thread = std::thread([&impl] { impl.Loop(); });
    impl.log.Info("callback dispatcher started",
                  {{"poll_ms", impl.config.poll_ms}, {"lease_ms", impl.config.lease_ms}});
}

void CallbackDispatcher::Stop() {
    Impl& impl = *impl_;
    std::lock_guard lock(impl.lifecycle_mutex);
    if (!impl.started || impl.stopped) return;
    impl.stopped = true;
    impl.abort_at = (SteadyClock::now() + impl.config.stop_grace).time_since_epoch().count();
    impl.stop_requested = true;
    {
        std::lock_guard wake_lock(impl.mutex);
        impl.woken = true;
    }
    impl.wake.notify_all();
    impl.thread.join();
    impl.log.Info("callback dispatcher stopped");
}

void CallbackDispatcher::Notify() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->woken = true;
    }
    impl_->wake.notify_all();
}

int CallbackDispatcher::RunOnce() { return impl_->RunRound().sent; }

}  // namespace contactd::ingest
