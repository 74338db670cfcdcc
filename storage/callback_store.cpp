#include "storage/callback_store.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include "engine/date_time.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

// Served by the partial index jobs_callbacks_due. The only statement here that spans workspaces, and it
// takes no lock.
constexpr const char* kFindDueSql =
    "SELECT workspace_id, id::text FROM jobs "
    "WHERE callback_status = 'pending' AND callback_next_at <= $1::timestamptz "
    "ORDER BY callback_next_at LIMIT $2::int4";

constexpr const char* kLockDueSql =
    "SELECT callback_url, callback_attempts, "
    "(extract(epoch FROM coalesce(finished_at, callback_next_at)) * 1000)::int8 FROM jobs "
    "WHERE workspace_id = $1 AND id = $2::uuid AND callback_status = 'pending' "
    "AND callback_next_at <= $3::timestamptz FOR UPDATE SKIP LOCKED";

// workspaces is a global (reference) table; read on its own rather than joined under FOR UPDATE.
constexpr const char* kSecretSql = "SELECT webhook_secret FROM workspaces WHERE id = $1";

constexpr const char* kTakeSql =
    "UPDATE jobs SET callback_attempts = $3::int4, callback_next_at = $4::timestamptz "
    "WHERE workspace_id = $1 AND id = $2::uuid";

// The fenced updates: only while the row is still pending under this claim's attempt number.
constexpr const char* kDeliveredSql =
    "UPDATE jobs SET callback_status = 'delivered', callback_next_at = NULL "
    "WHERE workspace_id = $1 AND id = $2::uuid AND callback_status = 'pending' AND callback_attempts = $3::int4";
constexpr const char* kRescheduleSql =
    "UPDATE jobs SET callback_next_at = $4::timestamptz "
    "WHERE workspace_id = $1 AND id = $2::uuid AND callback_status = 'pending' AND callback_attempts = $3::int4";
constexpr const char* kAbandonSql =
    "UPDATE jobs SET callback_status = 'abandoned', callback_next_at = NULL "
    "WHERE workspace_id = $1 AND id = $2::uuid AND callback_status = 'pending' AND callback_attempts = $3::int4";

bool FencedUpdate(pqxx::connection& connection, const ClaimedCallback& claim, const char* sql,
                  const std::optional<engine::Millis>& next_at = std::nullopt) {
    pqxx::work txn(connection);
    SqlParams params;
    params.Add(claim.workspace_id).Add(claim.job_id).Add(claim.attempt);
    if (next_at) params.Add(engine::FormatTimestamp(*next_at));
    const pqxx::result result = params.Exec(txn, sql);
    txn.commit();
    return result.affected_rows() == 1;
}

}  // namespace

std::vector<DueCallback> FindDueCallbacks(pqxx::connection& connection, engine::Millis now, int limit) {
    pqxx::read_transaction txn(connection);
    SqlParams params;
    params.Add(engine::FormatTimestamp(now)).Add(limit);
    std::vector<DueCallback> due;
    for (const pqxx::row& row : params.Exec(txn, kFindDueSql)) due.push_back({row[0].c_str(), row[1].c_str()});
    return due;
}

std::optional<ClaimedCallback> ClaimCallback(pqxx::connection& connection, const std::string& workspace_id,
                                             const std::string& job_id, engine::Millis now, engine::Millis lease_ms) {
    pqxx::work txn(connection);
    SqlParams lock;
    lock.Add(workspace_id).Add(job_id).Add(engine::FormatTimestamp(now));
    const pqxx::result rows = lock.Exec(txn, kLockDueSql);
    if (rows.empty()) return std::nullopt;  // delivered, rescheduled, or being claimed elsewhere right now

    ClaimedCallback claim;
    claim.workspace_id = workspace_id;
    claim.job_id = job_id;
    if (!rows[0][0].is_null()) claim.callback_url = rows[0][0].c_str();
    claim.attempt = rows[0][1].as<int>() + 1;
    claim.first_due = rows[0][2].as<engine::Millis>();
    claim.lease_until = now + lease_ms;

    SqlParams secret;
    secret.Add(workspace_id);
    const pqxx::result secrets = secret.Exec(txn, kSecretSql);
    if (!secrets.empty()) claim.webhook_secret = secrets[0][0].c_str();

    SqlParams take;
    take.Add(workspace_id).Add(job_id).Add(claim.attempt).Add(engine::FormatTimestamp(claim.lease_until));
    take.Exec(txn, kTakeSql);
    txn.commit();
    return claim;
}

bool MarkDelivered(pqxx::connection& connection, const ClaimedCallback& claim) {
    return FencedUpdate(connection, claim, kDeliveredSql);
}

bool Reschedule(pqxx::connection& connection, const ClaimedCallback& claim, engine::Millis next_at) {
    return FencedUpdate(connection, claim, kRescheduleSql, next_at);
}

bool Abandon(pqxx::connection& connection, const ClaimedCallback& claim) {
    return FencedUpdate(connection, claim, kAbandonSql);
}

}  // namespace contactd::storage
