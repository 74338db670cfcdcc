#include "storage/lane_claims.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include "engine/date_time.hpp"
#include "storage/ids.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

std::vector<WorkspaceWithWork> FindWorkspacesWithWork(pqxx::connection& connection) {
    pqxx::read_transaction txn(connection);
    const pqxx::result rows = txn.exec(
        "SELECT w.id, w.items_per_second FROM workspaces w WHERE w.id IN "
        "(SELECT DISTINCT j.workspace_id FROM jobs j WHERE j.status IN ('queued', 'running'))");
    std::vector<WorkspaceWithWork> workspaces;
    for (const pqxx::row& row : rows) workspaces.push_back({row[0].c_str(), row[1].as<std::int32_t>()});
    return workspaces;
}

std::optional<Lane> ClaimLane(pqxx::connection& connection, const std::string& workspace_id, const std::string& owner,
                              engine::Millis now, engine::Millis lease_ms) {
    pqxx::work txn(connection);
    SqlParams ensure;
    ensure.Add(workspace_id).Add(engine::FormatTimestamp(now));
    ensure.Exec(txn,
                "INSERT INTO workspace_lanes (workspace_id, lease_until) VALUES ($1, $2::timestamptz) "
                "ON CONFLICT (workspace_id) DO NOTHING");
    SqlParams lock;
    lock.Add(workspace_id);
    const pqxx::result rows =
        lock.Exec(txn,
                  "SELECT lease_owner, (extract(epoch FROM lease_until) * 1000)::int8 FROM workspace_lanes "
                  "WHERE workspace_id = $1 FOR UPDATE SKIP LOCKED");
    if (rows.empty()) return std::nullopt;  // someone is claiming or applying it right now
    const bool held = !rows[0][0].is_null();
    if (held && rows[0][0].c_str() != owner && rows[0][1].as<engine::Millis>() > now) return std::nullopt;
    Lane lane{workspace_id, owner, NewUuidV7()};
    SqlParams take;
    take.Add(workspace_id).Add(owner).Add(lane.token).Add(engine::FormatTimestamp(now + lease_ms));
    take.Exec(txn,
              "UPDATE workspace_lanes SET lease_owner = $2, lease_token = $3::uuid, lease_until = $4::timestamptz "
              "WHERE workspace_id = $1");
    txn.commit();
    return lane;
}

void ReleaseLane(pqxx::connection& connection, const Lane& lane, engine::Millis now) {
    pqxx::work txn(connection);
    SqlParams params;
    params.Add(lane.workspace_id).Add(lane.token).Add(engine::FormatTimestamp(now));
    params.Exec(txn,
                "UPDATE workspace_lanes SET lease_owner = NULL, lease_token = NULL, lease_until = $3::timestamptz "
                "WHERE workspace_id = $1 AND lease_token = $2::uuid");
    txn.commit();
}

}  // namespace contactd::storage
