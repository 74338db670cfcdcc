#include "storage/workspace_store.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <simdjson.h>

#include "engine/date_time.hpp"
#include "engine/json_writer.hpp"
#include "storage/db_error.hpp"
#include "storage/ids.hpp"
#include "storage/pg_array.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

constexpr int kAttempts = 5;

const char* const kWorkspaceColumns =
    "w.id, w.name, w.identifier_field, w.default_country, w.date_format, w.lead_stages, w.custom_fields::text, "
    "w.requests_per_minute, w.items_per_second, w.suspended, w.webhook_secret, "
    "(extract(epoch from w.created_at) * 1000)::int8, (extract(epoch from w.updated_at) * 1000)::int8";
constexpr int kWorkspaceColumnCount = 13;

std::optional<std::string> OptionalText(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return std::string(field.c_str());
}

WorkspaceRecord WorkspaceFromRow(const pqxx::row& row) {
    WorkspaceRecord record;
    engine::WorkspaceSettings& s = record.settings;
    s.id = row[0].c_str();
    s.name = row[1].c_str();
    s.identifier_field = engine::ParseIdentifierField(row[2].c_str()).value_or(engine::IdentifierField::kPhone);
    s.default_country = OptionalText(row[3]);
    s.date_format = OptionalText(row[4]);
    s.lead_stages = ParsePgTextArray(row[5].c_str()).value_or(std::vector<std::string>{});
    s.custom_fields = CustomFieldDefsFromJson(row[6].c_str());
    s.requests_per_minute = row[7].as<std::int32_t>();
    s.items_per_second = row[8].as<std::int32_t>();
    s.suspended = row[9].c_str()[0] == 't';
    record.webhook_secret = row[10].c_str();
    record.created_at = row[11].as<std::int64_t>();
    record.updated_at = row[12].as<std::int64_t>();
    return record;
}

// $2..$10: the settings columns, in the order of the INSERT and UPDATE below.
void AddSettings(SqlParams& params, const engine::WorkspaceSettings& s) {
    params.Add(s.name)
        .Add(std::string(engine::IdentifierFieldName(s.identifier_field)))
        .Add(s.default_country)
        .Add(s.date_format)
        .Add(PgTextArray(s.lead_stages))
        .Add(CustomFieldDefsToJson(s.custom_fields))
        .Add(s.requests_per_minute)
        .Add(s.items_per_second)
        .Add(std::string(s.suspended ? "true" : "false"));
}

CreatedKey InsertKey(pqxx::transaction_base& txn, const std::string& workspace_id, KeyScope scope, engine::Millis now) {
    CreatedKey key;
    key.key_id = "key_" + RandomHex(8);
    key.api_key = "cdk_" + RandomHex(24);
    key.scope = scope;
    SqlParams params;
    params.Add(workspace_id)
        .Add(key.key_id)
        .Add(Sha256Hex(key.api_key))
        .Add(std::string(KeyScopeName(scope)))
        .Add(engine::FormatTimestamp(now));
    params.Exec(txn,
                "INSERT INTO api_keys (workspace_id, key_id, key_hash, scope, created_at) "
                "VALUES ($1, $2, decode($3, 'hex'), $4, $5::timestamptz)");
    return key;
}

}  // namespace

std::string_view KeyScopeName(KeyScope scope) { return scope == KeyScope::kWrite ? "write" : "read"; }

std::optional<KeyScope> ParseKeyScope(std::string_view name) {
    if (name == "write") return KeyScope::kWrite;
    if (name == "read") return KeyScope::kRead;
    return std::nullopt;
}

std::string CustomFieldDefsToJson(const std::vector<engine::CustomFieldDef>& defs) {
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginArray();
    for (const engine::CustomFieldDef& def : defs) {
        writer.BeginObject();
        writer.Key("slug").String(def.slug);
        writer.Key("type").String(engine::CustomFieldTypeName(def.type));
        if (def.type == engine::CustomFieldType::kText) writer.Key("max_length").Int(def.max_length);
        writer.EndObject();
    }
    writer.EndArray();
    return out;
}

std::vector<engine::CustomFieldDef> CustomFieldDefsFromJson(const std::string& json) {
    std::vector<engine::CustomFieldDef> defs;
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    simdjson::ondemand::document document;
    simdjson::ondemand::array array;
    if (parser.iterate(padded).get(document) || document.get_array().get(array)) return defs;
    for (auto element : array) {
        simdjson::ondemand::object object;
        if (element.get_object().get(object)) continue;
        engine::CustomFieldDef def;
        std::string_view slug;
        std::string_view type;
        if (object["slug"].get_string().get(slug) || object["type"].get_string().get(type)) continue;
        def.slug = std::string(slug);
        def.type = engine::ParseCustomFieldType(type).value_or(engine::CustomFieldType::kText);
        std::int64_t max_length = engine::kCustomTextMaxLength;
        if (def.type == engine::CustomFieldType::kText) {
            if (object["max_length"].get_int64().get(max_length)) max_length = engine::kCustomTextMaxLength;
            def.max_length = static_cast<std::uint32_t>(max_length);
        } else {
            def.max_length = 0;
        }
        defs.push_back(std::move(def));
    }
    return defs;
}

std::optional<std::pair<WorkspaceRecord, CreatedKey>> WorkspaceStore::Create(const engine::WorkspaceSettings& settings,
                                                                             engine::Millis now) {
    return RetryTransient(
        [&]() -> std::optional<std::pair<WorkspaceRecord, CreatedKey>> {
            PooledConnection connection = pool_.Acquire();
            pqxx::work txn(*connection);
            SqlParams params;
            params.Add(settings.id);
            AddSettings(params, settings);
            params.Add(RandomHex(32)).Add(engine::FormatTimestamp(now));
            const pqxx::result rows = params.Exec(
                txn, std::string("INSERT INTO workspaces AS w (id, name, identifier_field, default_country, "
                                 "date_format, lead_stages, custom_fields, requests_per_minute, items_per_second, "
                                 "suspended, webhook_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
                                 "$6::text[], $7::jsonb, $8::int, $9::int, $10::bool, $11, $12::timestamptz, "
                                 "$12::timestamptz) ON CONFLICT (id) DO NOTHING RETURNING ") +
                         kWorkspaceColumns);
            if (rows.empty()) return std::nullopt;
            CreatedKey key = InsertKey(txn, settings.id, KeyScope::kWrite, now);
            txn.commit();
            return std::make_pair(WorkspaceFromRow(rows[0]), std::move(key));
        },
        kAttempts);
}

std::optional<WorkspaceRecord> WorkspaceStore::Get(const std::string& id) {
    return RetryTransient(
        [&]() -> std::optional<WorkspaceRecord> {
            PooledConnection connection = pool_.Acquire();
            pqxx::read_transaction txn(*connection);
            SqlParams params;
            params.Add(id);
            const pqxx::result rows =
                params.Exec(txn, std::string("SELECT ") + kWorkspaceColumns + " FROM workspaces w WHERE w.id = $1");
            if (rows.empty()) return std::nullopt;
            return WorkspaceFromRow(rows[0]);
        },
        kAttempts);
}

UpdateStatus WorkspaceStore::Update(const engine::WorkspaceSettings& settings, engine::Millis now) {
    return RetryTransient(
        [&]() -> UpdateStatus {
            PooledConnection connection = pool_.Acquire();
            pqxx::work txn(*connection);
            SqlParams lookup;
            lookup.Add(settings.id);
            const pqxx::result current =
                lookup.Exec(txn, "SELECT identifier_field FROM workspaces WHERE id = $1 FOR UPDATE");
            if (current.empty()) return UpdateStatus::kNotFound;
            if (current[0][0].c_str() != engine::IdentifierFieldName(settings.identifier_field)) {
                const pqxx::result any = lookup.Exec(txn, "SELECT 1 FROM contacts WHERE workspace_id = $1 LIMIT 1");
                if (!any.empty()) return UpdateStatus::kIdentifierInUse;
            }
            SqlParams params;
            params.Add(settings.id);
            AddSettings(params, settings);
            params.Add(engine::FormatTimestamp(now));
            params.Exec(txn,
                        "UPDATE workspaces SET name = $2, identifier_field = $3, default_country = $4, "
                        "date_format = $5, lead_stages = $6::text[], custom_fields = $7::jsonb, "
                        "requests_per_minute = $8::int, items_per_second = $9::int, suspended = $10::bool, "
                        "updated_at = $11::timestamptz WHERE id = $1");
            txn.commit();
            return UpdateStatus::kUpdated;
        },
        kAttempts);
}

std::optional<CreatedKey> WorkspaceStore::CreateKey(const std::string& workspace_id, KeyScope scope,
                                                    engine::Millis now) {
    return RetryTransient(
        [&]() -> std::optional<CreatedKey> {
            PooledConnection connection = pool_.Acquire();
            pqxx::work txn(*connection);
            SqlParams params;
            params.Add(workspace_id);
            if (params.Exec(txn, "SELECT 1 FROM workspaces WHERE id = $1").empty()) return std::nullopt;
            CreatedKey key = InsertKey(txn, workspace_id, scope, now);
            txn.commit();
            return key;
        },
        kAttempts);
}

bool WorkspaceStore::RevokeKey(const std::string& workspace_id, const std::string& key_id, engine::Millis now) {
    return RetryTransient(
        [&]() -> bool {
            PooledConnection connection = pool_.Acquire();
            pqxx::work txn(*connection);
            SqlParams params;
            params.Add(workspace_id).Add(key_id).Add(engine::FormatTimestamp(now));
            const pqxx::result result =
                params.Exec(txn,
                            "UPDATE api_keys SET revoked_at = $3::timestamptz WHERE workspace_id = $1 AND "
                            "key_id = $2 AND revoked_at IS NULL");
            txn.commit();
            return result.affected_rows() == 1;
        },
        kAttempts);
}

std::optional<Principal> WorkspaceStore::Authenticate(const std::string& api_key) {
    return RetryTransient(
        [&]() -> std::optional<Principal> {
            PooledConnection connection = pool_.Acquire();
            // One statement, so no transaction around it: one round trip a request instead of four.
            pqxx::nontransaction txn(*connection);
            SqlParams params;
            params.Add(Sha256Hex(api_key));
            const pqxx::result rows = params.ExecFixed(
                txn, std::string("SELECT ") + kWorkspaceColumns +
                         ", k.key_id, k.scope FROM api_keys k JOIN workspaces w ON w.id = "
                         "k.workspace_id WHERE k.key_hash = decode($1, 'hex') AND k.revoked_at IS NULL");
            if (rows.empty()) return std::nullopt;
            Principal principal;
            principal.workspace = WorkspaceFromRow(rows[0]).settings;
            principal.key_id = rows[0][kWorkspaceColumnCount].c_str();
            principal.scope = ParseKeyScope(rows[0][kWorkspaceColumnCount + 1].c_str()).value_or(KeyScope::kRead);
            return principal;
        },
        kAttempts);
}

}  // namespace contactd::storage
