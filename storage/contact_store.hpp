#pragma once
// The single-contact operations: read by id, alias or external reference id; write one item through the
// commit path; merge; search. Each call is one transaction, retried on transient failures.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/apply.hpp"
#include "engine/contact_write.hpp"
#include "engine/search_query.hpp"
#include "engine/workspace_settings.hpp"
#include "storage/commit_path.hpp"
#include "storage/connection_pool.hpp"

namespace contactd::storage {

//! The result of a merge.
struct MergeOutcome {
    enum class Status { kMerged, kSourceNotFound, kTargetNotFound, kSameContact, kRefused };
    Status status = Status::kMerged;
    std::optional<engine::Remark> refused;  // kRefused: TOO_MANY_VALUES with the field
    engine::Contact contact;                // kMerged: the target after the merge
    std::vector<std::string> changed_fields;
};

//! A page of search results.
struct SearchPage {
    std::int64_t total_count = 0;
    std::vector<engine::Contact> contacts;
};

//! Contact operations for one request at a time, on a shared pool.
class ContactStore {
  public:
    explicit ContactStore(ConnectionPool& pool) : pool_(pool) {}

    //! The contact `ref` names — an id, an alias (resolved to the canonical contact) or an external
    //! reference id, tried in that order — in one round trip.
    std::optional<engine::Contact> Get(const engine::WorkspaceSettings& settings, const std::string& ref);

    //! Applies one write. `target_ref` (PUT/PATCH path) names the contact as Get does; without it the
    //! write selects by identifier (POST). Returns the item's result (IGNORED with CONTACT_NOT_FOUND when
    //! `target_ref` names nothing).
    ItemResult Write(const engine::WorkspaceSettings& settings, engine::ContactWrite write,
                     const engine::WriteOptions& options, const std::optional<std::string>& target_ref,
                     engine::Millis now);

    //! Merges `source_ref` into `target_ref` (both as Get resolves them): the target absorbs the source's
    //! values, the source's unique values move to it, and the source's id becomes an alias.
    MergeOutcome Merge(const engine::WorkspaceSettings& settings, const std::string& source_ref,
                       const std::string& target_ref, engine::Millis now);

    //! One page of contacts matching `query`, with the total count.
    SearchPage Search(const engine::WorkspaceSettings& settings, const engine::SearchQuery& query);

  private:
    ConnectionPool& pool_;
};

}  // namespace contactd::storage
