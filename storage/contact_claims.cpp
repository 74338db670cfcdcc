#include "storage/contact_claims.hpp"

#include <pqxx/except>

#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

const char* const kReleaseSql =
    "DELETE FROM contact_keys k USING unnest($2::int2[], $3::text[], $4::uuid[]) AS d(kind, value, contact_id) "
    "WHERE k.workspace_id = $1 AND k.kind = d.kind AND k.value = d.value AND k.contact_id = d.contact_id";

const char* const kTakeSql =
    "INSERT INTO contact_keys (workspace_id, kind, value, contact_id) "
    "SELECT $1, u.kind, u.value, u.contact_id FROM unnest($2::int2[], $3::text[], $4::uuid[]) "
    "AS u(kind, value, contact_id) ON CONFLICT DO NOTHING";

}  // namespace

ClaimSet ClaimsOf(const engine::Contact& contact, engine::IdentifierField field) {
    const auto claims = engine::UniqueClaimsOf(contact, field);
    return ClaimSet(claims.begin(), claims.end());
}

void ClaimChanges::Rows::Add(const engine::UniqueClaim& claim, const std::string& contact_id) {
    kinds.Add(std::to_string(static_cast<int>(claim.kind)));
    values.Add(claim.value);
    contacts.Add(contact_id);
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
    released_.Add(claim, contact_id);
}

void ClaimChanges::Take(const engine::UniqueClaim& claim, const std::string& contact_id) {
    taken_.Add(claim, contact_id);
}

void ClaimChanges::Apply(pqxx::transaction_base& txn, const std::string& workspace_id) const {
    const auto run = [&](const Rows& rows, const char* sql) {
        SqlParams params;
        params.Add(workspace_id).Add(rows.kinds.Finish()).Add(rows.values.Finish()).Add(rows.contacts.Finish());
        return params.Exec(txn, sql);
    };
    if (released_.kinds.size() > 0) run(released_, kReleaseSql);
    if (taken_.kinds.size() == 0) return;
    const pqxx::result inserted = run(taken_, kTakeSql);
    if (inserted.affected_rows() != taken_.kinds.size()) {
        throw pqxx::serialization_failure("a unique value was claimed by a concurrent writer; retrying");
    }
}

}  // namespace contactd::storage
