#pragma once
// Who may apply a workspace's chunks (SPEC §6 order, §8 claims): a worker takes the workspace's lane under a
// lease, applies chunks while it holds it, and releases it. Finding workspaces with work takes no lock;
// claiming filters on one workspace and uses FOR UPDATE SKIP LOCKED, so claimers never wait on each other.
// A lease that is not renewed expires, and any worker on any node may then take the lane over.

#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "engine/contact.hpp"

namespace contactd::storage {

//! A held lane: the fencing token proves the holder still owns it when a chunk commits.
struct Lane {
    std::string workspace_id;
    std::string owner;  // node id
    std::string token;  // uuid, new for every claim
};

//! A workspace with unfinished jobs, and its item budget.
struct WorkspaceWithWork {
    std::string workspace_id;
    std::int32_t items_per_second = 0;
};

//! Workspaces whose jobs are queued or running (no lock).
std::vector<WorkspaceWithWork> FindWorkspacesWithWork(pqxx::connection& connection);

//! Takes the lane of `workspace_id` until `now + lease_ms`, unless another owner holds an unexpired lease
//! (or is claiming it this instant). A lease held by `owner` itself — this node before a restart — is taken
//! back at once.
std::optional<Lane> ClaimLane(pqxx::connection& connection, const std::string& workspace_id, const std::string& owner,
                              engine::Millis now, engine::Millis lease_ms);

//! Gives the lane up (only if `lane` still holds it).
void ReleaseLane(pqxx::connection& connection, const Lane& lane, engine::Millis now);

}  // namespace contactd::storage
