#include "storage/contact_store.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "engine/date_time.hpp"
#include "engine/json_writer.hpp"
#include "engine/merge.hpp"
#include "engine/uuid.hpp"
#include "storage/contact_claims.hpp"
#include "storage/contact_row.hpp"
#include "storage/db_error.hpp"
#include "storage/pg_array.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

constexpr int kAttempts = 5;

// The canonical contact `$2` (uuid or NULL) / `$3` (text) names: an id, then an alias, then an external
// reference id (SPEC §9 "Selecting the contact").
const char* const kResolveSubquery =
    "(SELECT t.id FROM ("
    "  SELECT c2.id, 1 AS rank FROM contacts c2 WHERE c2.workspace_id = $1 AND c2.id = $2::uuid"
    "  UNION ALL SELECT a.contact_id, 2 FROM contact_aliases a WHERE a.workspace_id = $1 AND a.alias_id = $2::uuid"
    "  UNION ALL SELECT k.contact_id, 3 FROM contact_keys k WHERE k.workspace_id = $1 AND k.kind = 4 AND k.value = $3"
    ") t ORDER BY t.rank LIMIT 1)";

SqlParams ResolveParams(const engine::WorkspaceSettings& settings, const std::string& ref) {
    SqlParams params;
    params.Add(settings.id).Add(engine::CanonicalUuid(ref)).Add(ref);
    return params;
}

std::optional<std::string> ResolveId(pqxx::transaction_base& txn, const engine::WorkspaceSettings& settings,
                                     const std::string& ref) {
    const pqxx::result rows =
        ResolveParams(settings, ref).Exec(txn, std::string("SELECT ") + kResolveSubquery + "::text");
    if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
    return std::string(rows[0][0].c_str());
}

std::vector<engine::Contact> LockContacts(pqxx::transaction_base& txn, const engine::WorkspaceSettings& settings,
                                          const std::vector<std::string>& ids) {
    SqlParams params;
    params.Add(settings.id).Add(PgTextArray(ids));
    const pqxx::result rows = params.Exec(
        txn, std::string("SELECT ") + kContactSelectList +
                 " FROM contacts c WHERE c.workspace_id = $1 AND c.id = ANY($2::uuid[]) ORDER BY c.id FOR UPDATE");
    std::vector<engine::Contact> contacts;
    for (const pqxx::row& row : rows) contacts.push_back(ContactFromRow(row, settings));
    return contacts;
}

MergeOutcome Failed(MergeOutcome::Status status, std::optional<engine::Remark> refused = std::nullopt) {
    MergeOutcome outcome;
    outcome.status = status;
    outcome.refused = std::move(refused);
    return outcome;
}

std::string CustomEqualityJson(const std::string& slug, const engine::CustomValue& value) {
    engine::CustomFields one{{slug, value}};
    return CustomFieldsToJson(one);
}

}  // namespace

std::optional<engine::Contact> ContactStore::Get(const engine::WorkspaceSettings& settings, const std::string& ref) {
    return RetryTransient(
        [&]() -> std::optional<engine::Contact> {
            PooledConnection connection = pool_.Acquire();
            pqxx::nontransaction txn(*connection);  // one statement: one round trip, not four
            const pqxx::result rows =
                ResolveParams(settings, ref)
                    .ExecFixed(txn, std::string("SELECT ") + kContactSelectList +
                                        " FROM contacts c WHERE c.workspace_id = $1 AND c.id = " + kResolveSubquery);
            if (rows.empty()) return std::nullopt;
            return ContactFromRow(rows[0], settings);
        },
        kAttempts);
}

ItemResult ContactStore::Write(const engine::WorkspaceSettings& settings, engine::ContactWrite write,
                               const engine::WriteOptions& options, const std::optional<std::string>& target_ref,
                               engine::Millis now) {
    const CommitRequest request{settings, options, now};
    return RetryTransient(
        [&]() -> ItemResult {
            PooledConnection connection = pool_.Acquire();
            CommitItem item{write, std::nullopt};
            const std::span<const CommitItem> items(&item, 1);
            FoldedRun run;
            const auto read_and_fold = [&](pqxx::transaction_base& read) {
                run = FoldItems(request, LoadTouched(read, request, items), items);
            };
            {
                // Steps 1 and 2 need no transaction: nothing is locked when reading, and what the write then
                // finds changed (a version, a claim) makes it fail for a retry, as for a batch's read-ahead.
                pqxx::nontransaction read(*connection);
                if (target_ref) {
                    // A UUID goes straight to the commit path, which resolves ids and aliases; any other
                    // reference (or a UUID that is no id) is looked up as an external reference id.
                    std::optional<std::string> id = engine::CanonicalUuid(*target_ref);
                    if (!id) id = ResolveId(read, settings, *target_ref);
                    item.write->id = id.value_or(*target_ref);
                }
                read_and_fold(read);
                if (target_ref && run.results[0].outcome.ignored_code == engine::Code::kContactNotFound &&
                    engine::CanonicalUuid(*target_ref)) {
                    if (auto id = ResolveId(read, settings, *target_ref)) {
                        item.write->id = *id;
                        read_and_fold(read);
                    }
                }
            }
            if (WritesAtMostOneStatement(run)) {
                // Most PATCHes: one UPDATE, atomic on its own, without the BEGIN and COMMIT round trips.
                pqxx::nontransaction single(*connection);
                WriteFolded(single, request, run);
            } else {
                pqxx::work txn(*connection);
                WriteFolded(txn, request, run);
                txn.commit();
            }
            return std::move(run.results[0]);
        },
        kAttempts);
}

MergeOutcome ContactStore::Merge(const engine::WorkspaceSettings& settings, const std::string& source_ref,
                                 const std::string& target_ref, engine::Millis now) {
    return RetryTransient(
        [&]() -> MergeOutcome {
            PooledConnection connection = pool_.Acquire();
            pqxx::work txn(*connection);
            const auto source_id = ResolveId(txn, settings, source_ref);
            if (!source_id) return Failed(MergeOutcome::Status::kSourceNotFound);
            const auto target_id = ResolveId(txn, settings, target_ref);
            if (!target_id) return Failed(MergeOutcome::Status::kTargetNotFound);
            if (*source_id == *target_id) return Failed(MergeOutcome::Status::kSameContact);
            std::vector<engine::Contact> locked = LockContacts(txn, settings, {*source_id, *target_id});
            if (locked.size() != 2) return Failed(MergeOutcome::Status::kSourceNotFound);  // merged away meanwhile
            const engine::Contact& source = locked[0].id == *source_id ? locked[0] : locked[1];
            const engine::Contact& target = locked[0].id == *target_id ? locked[0] : locked[1];

            engine::MergeResult merged = engine::MergeContacts(target, source, settings, now);
            if (merged.refused) return Failed(MergeOutcome::Status::kRefused, merged.refused);

            const engine::IdentifierField field = settings.identifier_field;
            ClaimChanges claims;
            claims.Diff(ClaimsOf(source, field), {}, source.id);
            claims.Diff(ClaimsOf(target, field), ClaimsOf(merged.merged, field), target.id);
            claims.Apply(txn, settings.id);
            if (merged.changed) {
                ContactWriter writer(settings.id);
                writer.AddChanged(target, merged.merged);
                writer.Execute(txn);
            }
            // The source row goes, its id becomes an alias, and every alias that led to it now leads to the
            // target, so that one lookup always reaches the canonical contact.
            SqlParams params;
            params.Add(settings.id).Add(source.id).Add(target.id).Add(engine::FormatTimestamp(now));
            params.Exec(txn,
                        "WITH gone AS (DELETE FROM contacts WHERE workspace_id = $1 AND id = $2::uuid), "
                        "moved AS (UPDATE contact_aliases SET contact_id = $3::uuid "
                        "WHERE workspace_id = $1 AND contact_id = $2::uuid) "
                        "INSERT INTO contact_aliases (workspace_id, alias_id, contact_id, merged_at) "
                        "VALUES ($1, $2::uuid, $3::uuid, $4::timestamptz)");
            txn.commit();
            MergeOutcome outcome;
            outcome.contact = std::move(merged.merged);
            outcome.changed_fields = std::move(merged.changed_fields);
            return outcome;
        },
        kAttempts);
}

SearchPage ContactStore::Search(const engine::WorkspaceSettings& settings, const engine::SearchQuery& query) {
    if (query.matches_nothing) return {};
    SqlParams params;
    params.Add(settings.id);
    std::string where = "c.workspace_id = $1";
    const auto bind = [&](std::string value) {
        const std::string placeholder = params.NextPlaceholder();
        params.Add(std::move(value));
        return placeholder;
    };
    if (query.email) {
        where +=
            " AND c.id IN (SELECT k.contact_id FROM contact_keys k WHERE k.workspace_id = $1 AND k.kind = 1 "
            "AND k.value = " +
            bind(*query.email) + ")";
    }
    if (query.phone) where += " AND " + bind(*query.phone) + " = ANY(c.phones)";
    if (query.whatsapp) where += " AND c.whatsapp = " + bind(*query.whatsapp);
    if (query.external_reference_id) where += " AND c.external_reference_id = " + bind(*query.external_reference_id);
    if (query.status) where += " AND c.status = " + bind(*query.status);
    if (!query.tags_any.empty()) where += " AND c.tags && " + bind(PgTextArray(query.tags_any)) + "::text[]";
    if (!query.tags_all.empty()) where += " AND c.tags @> " + bind(PgTextArray(query.tags_all)) + "::text[]";
    const auto range = [&](const char* column, const engine::TimeRange& r) {
        if (r.gte)
            where += std::string(" AND ") + column + " >= " + bind(engine::FormatTimestamp(*r.gte)) + "::timestamptz";
        if (r.lt)
            where += std::string(" AND ") + column + " < " + bind(engine::FormatTimestamp(*r.lt)) + "::timestamptz";
    };
    range("c.created_at", query.created_at);
    range("c.updated_at", query.updated_at);
    for (const auto& [slug, value] : query.custom_fields) {
        if (value) {
            where += " AND c.custom_fields @> " + bind(CustomEqualityJson(slug, *value)) + "::jsonb";
        } else {
            where += " AND NOT (c.custom_fields ? " + bind(slug) + ")";
        }
    }
    const std::string column = query.sort_field == engine::SortField::kCreatedAt ? "c.created_at" : "c.updated_at";
    const std::string direction = query.descending ? " DESC" : " ASC";
    const std::string sql = std::string("SELECT ") + kContactSelectList + ", count(*) OVER () FROM contacts c WHERE " +
                            where + " ORDER BY " + column + direction + ", c.id" + direction + " OFFSET " +
                            std::to_string(query.skip) + " LIMIT " + std::to_string(query.limit);
    return RetryTransient(
        [&]() -> SearchPage {
            PooledConnection connection = pool_.Acquire();
            pqxx::read_transaction txn(*connection);
            SearchPage page;
            const pqxx::result rows = params.Exec(txn, sql);
            for (const pqxx::row& row : rows) page.contacts.push_back(ContactFromRow(row, settings));
            if (!rows.empty()) {
                page.total_count = rows[0][static_cast<pqxx::row::size_type>(rows[0].size() - 1)].as<std::int64_t>();
            } else if (query.skip > 0) {  // past the end: the window count saw no row
                page.total_count =
                    params.Exec(txn, "SELECT count(*) FROM contacts c WHERE " + where)[0][0].as<std::int64_t>();
            }
            return page;
        },
        kAttempts);
}

}  // namespace contactd::storage
