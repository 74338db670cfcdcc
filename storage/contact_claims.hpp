#pragma once
// Unique-value claims (table contact_keys): the rows that make e-mails, WhatsApp numbers, external
// reference ids and (when they identify contacts) phones unique in a workspace.

#include <pqxx/transaction_base>

#include <set>
#include <string>

#include <vector>
#include "engine/apply.hpp"

namespace contactd::storage {

using ClaimSet = std::set<engine::UniqueClaim>;

//! A contact's claims as a set.
ClaimSet ClaimsOf(const engine::Contact& contact, engine::IdentifierField field);

//! Claims to release and to take, applied set-based: one DELETE, then one INSERT ... ON CONFLICT DO NOTHING.
class ClaimChanges {
  public:
    //! Records what changes when `contact_id` goes from holding `before` to holding `after`.
    void Diff(const ClaimSet& before, const ClaimSet& after, const std::string& contact_id);
    void Release(const engine::UniqueClaim& claim, const std::string& contact_id);
    void Take(const engine::UniqueClaim& claim, const std::string& contact_id);

    //! Releases, then takes (with COPY when there are many). The caller has checked that no one it can see
    //! holds the values it takes, so a value the unique index refuses belongs to a writer outside this
    //! transaction: that throws pqxx::serialization_failure, for the caller to retry with fresh data.
    void Apply(pqxx::transaction_base& txn, const std::string& workspace_id) const;

  private:
    struct Rows {
        std::vector<engine::UniqueClaim> claims;
        std::vector<std::string> contacts;
    };
    Rows released_;
    Rows taken_;
};

}  // namespace contactd::storage
