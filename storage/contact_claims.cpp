#include "storage/contact_claims.hpp"

#include <pqxx/except>

#include <algorithm>

#include "storage/pg_array.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

// Below this many new claims one INSERT beats the round trips of a COPY.
constexpr std::size_t kCopyThreshold = 32;

const char* const kReleaseSql =
    "DELETE FROM contact_keys k USING unnest($2::int2[], $3::text[], $4::uuid[]) AS d(kind, value, contact_id) "
    "WHERE k.workspace_id = $1 AND k.kind = ANY($2::int2[]) AND k.value = ANY($3::text[]) "
    "AND k.kind = d.kind AND k.value = d.value AND k.contact_id = d.contact_id";

const char* const kTakeSql =
    "INSERT INTO contact_keys (workspace_id, kind, value, contact_id) "
    "SELECT $1, u.kind, u.value, u.contact_id FROM unnest($2::int2[], $3::text[], $4::uuid[]) "
    "AS u(kind, value, contact_id)";

const std::vector<std::string> kClaimColumns = {"workspace_id", "kind", "value", "contact_id"};

}  // namespace

std::string_view ClaimKindText(engine::UniqueKind kind) {
    // One digit each (no allocation a claim).
    static constexpr std::string_view kDigits = "0123456789";
    return kDigits.substr(static_cast<std::size_t>(kind) % kDigits.size(), 1);
}

ClaimSet::ClaimSet(std::vector<engine::UniqueClaim> claims) : claims_(std::move(claims)) {
    std::sort(claims_.begin(), claims_.end());
    claims_.erase(std::unique(claims_.begin(), claims_.end()), claims_.end());
}

std::size_t ClaimSet::count(const engine::UniqueClaim& claim) const {
    return std::binary_search(claims_.begin(), claims_.end(), claim) ? 1 : 0;
}

bool ClaimSet::contains(engine::UniqueKind kind, std::string_view value) const {
    const auto before = [](const engine::UniqueClaim& claim,
                           const std::pair<engine::UniqueKind, std::string_view>& key) {
        return claim.kind != key.first ? claim.kind < key.first : std::string_view(claim.value) < key.second;
    };
    const auto it = std::lower_bound(claims_.begin(), claims_.end(), std::make_pair(kind, value), before);
    return it != claims_.end() && it->kind == kind && it->value == value;
}

ClaimSet ClaimsOf(const engine::Contact& contact, engine::IdentifierField field) {
    return ClaimSet(engine::UniqueClaimsOf(contact, field));
}

void ClaimChanges::Diff(const ClaimSet& before, const ClaimSet& after, const std::string& contact_id) {
    for (const engine::UniqueClaim& claim : before) {
        if (after.count(claim) == 0) Release(claim, contact_id);
    }
    for (const engine::UniqueClaim& claim : after) {
        if (before.count(claim) == 0) Take(claim, contact_id);
    }
}

void ClaimChanges::Release(const engine::UniqueClaim& claim, const std::string& contact_id) {
    released_.claims.push_back(claim);
    released_.contacts.push_back(contact_id);
}

void ClaimChanges::Take(const engine::UniqueClaim& claim, const std::string& contact_id) {
    taken_.claims.push_back(claim);
    taken_.contacts.push_back(contact_id);
}

ClaimChanges::Statements ClaimChanges::Render(const std::string& workspace_id) const {
    const auto as_arrays = [&](const Rows& rows) {
        PgArrayBuilder kinds, values, contacts;
        for (std::size_t i = 0; i < rows.claims.size(); ++i) {
            kinds.Add(ClaimKindText(rows.claims[i].kind));
            values.Add(rows.claims[i].value);
            contacts.Add(rows.contacts[i]);
        }
        SqlParams params;
        params.Add(workspace_id).Add(kinds.Finish()).Add(values.Finish()).Add(contacts.Finish());
        return params;
    };
    Statements statements;
    if (!released_.claims.empty()) statements.release_ = as_arrays(released_);
    if (taken_.claims.empty()) return statements;
    if (taken_.claims.size() < kCopyThreshold) {
        statements.take_ = as_arrays(taken_);
        return statements;
    }
    for (std::size_t i = 0; i < taken_.claims.size(); ++i) {
        statements.take_rows_.Field(workspace_id)
            .Field(ClaimKindText(taken_.claims[i].kind))
            .Field(taken_.claims[i].value);
        statements.take_rows_.Field(taken_.contacts[i]).EndRow();
    }
    return statements;
}

void ClaimChanges::Apply(pqxx::transaction_base& txn, const std::string& workspace_id) const {
    Render(workspace_id).Execute(txn);
}

void ClaimChanges::Statements::Execute(pqxx::transaction_base& txn) const {
    if (release_) release_->ExecFixed(txn, kReleaseSql);
    try {
        if (take_) take_->ExecFixed(txn, kTakeSql);
        CopyInto(txn, "contact_keys", kClaimColumns, take_rows_);
    } catch (const pqxx::unique_violation& violation) {
        throw pqxx::serialization_failure(std::string("a unique value was claimed by a concurrent writer: ") +
                                          violation.what());
    }
}

}  // namespace contactd::storage
