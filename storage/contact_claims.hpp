#pragma once
// Unique-value claims (table contact_keys): the rows that make e-mails, WhatsApp numbers, external
// reference ids and (when they identify contacts) phones unique in a workspace.

#include <pqxx/transaction_base>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/apply.hpp"
#include "storage/copy_writer.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

//! A set of claims kept as a sorted vector: a contact holds a handful, and the commit path builds two per
//! item, so nodes of a tree would cost more than the searches they save.
class ClaimSet {
  public:
    ClaimSet() = default;
    //! Takes the claims, in any order, with repeats.
    explicit ClaimSet(std::vector<engine::UniqueClaim> claims);

    std::size_t count(const engine::UniqueClaim& claim) const;
    bool contains(engine::UniqueKind kind, std::string_view value) const;
    bool empty() const { return claims_.empty(); }
    std::size_t size() const { return claims_.size(); }
    auto begin() const { return claims_.begin(); }
    auto end() const { return claims_.end(); }

  private:
    std::vector<engine::UniqueClaim> claims_;
};

//! Hashes a claim, for maps keyed by unique value.
struct UniqueClaimHash {
    std::size_t operator()(const engine::UniqueClaim& claim) const noexcept {
        return std::hash<std::string>()(claim.value) ^ static_cast<std::size_t>(claim.kind);
    }
};

//! contact_keys.kind of a claim, as text for a statement parameter or COPY field ("1" to "4").
std::string_view ClaimKindText(engine::UniqueKind kind);

//! A contact's claims as a set.
ClaimSet ClaimsOf(const engine::Contact& contact, engine::IdentifierField field);

//! Claims to release and to take, applied set-based: one DELETE, then one INSERT (a COPY when there are many).
class ClaimChanges {
  public:
    //! Records what changes when `contact_id` goes from holding `before` to holding `after`.
    void Diff(const ClaimSet& before, const ClaimSet& after, const std::string& contact_id);
    void Release(const engine::UniqueClaim& claim, const std::string& contact_id);
    void Take(const engine::UniqueClaim& claim, const std::string& contact_id);

    class Statements;
    //! The statements that release, then take, the claims (no I/O).
    Statements Render(const std::string& workspace_id) const;
    //! Render(workspace_id).Execute(txn).
    void Apply(pqxx::transaction_base& txn, const std::string& workspace_id) const;

    //! The claims to take, in the order recorded.
    const std::vector<engine::UniqueClaim>& taken() const { return taken_.claims; }

  private:
    struct Rows {
        std::vector<engine::UniqueClaim> claims;
        std::vector<std::string> contacts;
    };
    Rows released_;
    Rows taken_;
};

//! A ClaimChanges rendered: one DELETE of the released claims, then one INSERT of the taken ones (a COPY
//! when there are many).
class ClaimChanges::Statements {
  public:
    //! Runs them. The caller has checked that no one it can see holds the values taken, so a value the unique
    //! index refuses belongs to a writer outside this transaction: that throws pqxx::serialization_failure,
    //! for the caller to retry with fresh data.
    void Execute(pqxx::transaction_base& txn) const;

  private:
    friend class ClaimChanges;
    std::optional<SqlParams> release_;  // the DELETE's parameters, when something is released
    std::optional<SqlParams> take_;     // the INSERT's, when few are taken
    CopyRows take_rows_;                // else the COPY's rows
};

}  // namespace contactd::storage
