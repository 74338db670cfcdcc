#pragma once
// The durable state of batch-job completion callbacks (SPEC §6 `callback_url`), all in the job's row:
// `callback_status` ('pending' → 'delivered' | 'abandoned'), `callback_attempts` and `callback_next_at`.
// Finding due callbacks takes no lock and may span workspaces; claiming one names its workspace and uses
// FOR UPDATE SKIP LOCKED (SPEC §8 rule 4). A claim counts the attempt and moves `callback_next_at` a lease
// ahead, so no other node starts the same attempt while this one delivers; the attempt count is the fencing
// token that the result is recorded under. A node that dies mid-delivery leaves the lease to expire, and
// the callback is tried again: delivery is at least once. Times are parameters (SPEC §8 rule 5).

#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "engine/contact.hpp"

namespace contactd::storage {

//! A job whose callback is due (no lock held).
struct DueCallback {
    std::string workspace_id;
    std::string job_id;
};

//! A claimed delivery attempt: what it takes to send it, and the fencing token to record its result.
struct ClaimedCallback {
    std::string workspace_id;
    std::string job_id;
    std::string callback_url;
    std::string webhook_secret;
    int attempt = 0;               // this attempt's number (1 for the first); also the fencing token
    engine::Millis first_due = 0;  // the job's finish time: when the first attempt was due
    engine::Millis lease_until = 0;
};

//! Pending callbacks due at `now` (`callback_next_at <= now`), earliest first, at most `limit`.
std::vector<DueCallback> FindDueCallbacks(pqxx::connection& connection, engine::Millis now, int limit);

//! Claims the next delivery attempt of one job's callback if it is still pending and due at `now` and no
//! one else is claiming it this instant: counts the attempt and moves `callback_next_at` to
//! `now + lease_ms`. Nothing when it is not due, not pending, or locked by another claimer.
std::optional<ClaimedCallback> ClaimCallback(pqxx::connection& connection, const std::string& workspace_id,
                                             const std::string& job_id, engine::Millis now, engine::Millis lease_ms);

//! The attempt succeeded: 'delivered'. False when the claim was lost (the lease expired and another attempt
//! was claimed since), in which case nothing changes.
bool MarkDelivered(pqxx::connection& connection, const ClaimedCallback& claim);

//! The attempt failed: due again at `next_at`. False when the claim was lost.
bool Reschedule(pqxx::connection& connection, const ClaimedCallback& claim, engine::Millis next_at);

//! No more attempts: 'abandoned'. False when the claim was lost.
bool Abandon(pqxx::connection& connection, const ClaimedCallback& claim);

}  // namespace contactd::storage
