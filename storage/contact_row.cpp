#include <pqxx/result>

#include "storage/contact_row.hpp"

#include <simdjson.h>

#include <array>

#include "engine/date_time.hpp"
#include "engine/json_writer.hpp"
#include "storage/pg_array.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

const char* const kContactSelectList =
    "c.id::text, c.version, (extract(epoch from c.created_at) * 1000)::int8, "
    "(extract(epoch from c.updated_at) * 1000)::int8, c.identifier, c.first_name, c.last_name, "
    "c.second_last_name, c.company_name, c.title, c.emails, c.phones, c.whatsapp, c.tags, c.locations, c.status, "
    "c.priority, c.source, c.country_code, c.language, c.whatsapp_transactional_opt_in, "
    "c.email_transactional_opt_in, c.whatsapp_marketing_opt_in, c.email_marketing_opt_in, "
    "c.external_reference_id, c.external_reference_url, c.custom_fields::text";

namespace {

std::optional<std::string> OptionalText(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return std::string(field.c_str(), field.size());
}

std::optional<bool> OptionalBool(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.c_str()[0] == 't';
}

std::vector<std::string> TextArray(const pqxx::field& field) {
    if (field.is_null()) return {};
    auto values = ParsePgTextArray(std::string_view(field.c_str(), field.size()));
    return values ? std::move(*values) : std::vector<std::string>{};
}

}  // namespace

engine::Contact ContactFromRow(const pqxx::row& row, const engine::WorkspaceSettings& settings, int first) {
    const auto at = [&](int column) { return row[first + column]; };
    engine::Contact c;
    c.id = at(0).c_str();
    c.workspace_id = settings.id;
    c.version = at(1).as<std::int64_t>();
    c.created_at = at(2).as<std::int64_t>();
    c.updated_at = at(3).as<std::int64_t>();
    c.identifier = OptionalText(at(4));
    c.first_name = OptionalText(at(5));
    c.last_name = OptionalText(at(6));
    c.second_last_name = OptionalText(at(7));
    c.company_name = OptionalText(at(8));
    c.title = OptionalText(at(9));
    c.emails = TextArray(at(10));
    c.phones = TextArray(at(11));
    c.whatsapp = OptionalText(at(12));
    c.tags = TextArray(at(13));
    c.locations = TextArray(at(14));
    c.status = OptionalText(at(15));
    if (!at(16).is_null()) c.priority = at(16).as<std::int32_t>();
    c.source = OptionalText(at(17));
    c.country_code = OptionalText(at(18));
    c.language = OptionalText(at(19));
    c.whatsapp_transactional_opt_in = OptionalBool(at(20));
    c.email_transactional_opt_in = OptionalBool(at(21));
    c.whatsapp_marketing_opt_in = OptionalBool(at(22));
    c.email_marketing_opt_in = OptionalBool(at(23));
    c.external_reference_id = OptionalText(at(24));
    c.external_reference_url = OptionalText(at(25));
    c.custom_fields = CustomFieldsFromJson(at(26).c_str(), settings);
    return c;
}

std::string CustomFieldsToJson(const std::map<std::string, engine::CustomValue>& fields) {
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject();
    for (const auto& [slug, value] : fields) {
        writer.Key(slug);
        if (const auto* date = std::get_if<engine::DateValue>(&value)) {
            writer.Int(date->millis);
        } else if (const auto* text = std::get_if<std::string>(&value)) {
            writer.String(*text);
        } else if (const auto* number = std::get_if<double>(&value)) {
            writer.Double(*number);
        } else {
            writer.Bool(std::get<bool>(value));
        }
    }
    writer.EndObject();
    return out;
}

std::map<std::string, engine::CustomValue> CustomFieldsFromJson(const std::string& json,
                                                                const engine::WorkspaceSettings& settings) {
    std::map<std::string, engine::CustomValue> fields;
    if (json.size() <= 2) return fields;  // "{}"
    thread_local simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    simdjson::ondemand::document document;
    if (parser.iterate(padded).get(document)) return fields;
    simdjson::ondemand::object object;
    if (document.get_object().get(object)) return fields;
    for (auto member : object) {
        std::string_view key;
        if (member.unescaped_key().get(key)) continue;
        const engine::CustomFieldDef* def = settings.FindCustomField(key);
        if (def == nullptr) continue;
        simdjson::ondemand::value value;
        if (member.value().get(value)) continue;
        switch (def->type) {
            case engine::CustomFieldType::kText: {
                std::string_view text;
                if (!value.get_string().get(text)) fields.emplace(def->slug, std::string(text));
                break;
            }
            case engine::CustomFieldType::kNumber: {
                double number = 0;
                if (!value.get_double().get(number)) fields.emplace(def->slug, number);
                break;
            }
            case engine::CustomFieldType::kBoolean: {
                bool flag = false;
                if (!value.get_bool().get(flag)) fields.emplace(def->slug, flag);
                break;
            }
            case engine::CustomFieldType::kDate: {
                std::int64_t millis = 0;
                if (!value.get_int64().get(millis)) fields.emplace(def->slug, engine::DateValue{millis});
                break;
            }
        }
    }
    return fields;
}

// One array literal per column of the upsert.
struct ContactUpsertBatch::Columns {
    enum Column {
        kId,
        kVersion,
        kCreatedAt,
        kUpdatedAt,
        kIdentifier,
        kFirstName,
        kLastName,
        kSecondLastName,
        kCompanyName,
        kTitle,
        kEmails,
        kPhones,
        kWhatsapp,
        kTags,
        kLocations,
        kStatus,
        kPriority,
        kSource,
        kCountryCode,
        kLanguage,
        kWhatsappTransactional,
        kEmailTransactional,
        kWhatsappMarketing,
        kEmailMarketing,
        kExternalReferenceId,
        kExternalReferenceUrl,
        kCustomFields,
        kCount,
    };
    std::array<PgArrayBuilder, kCount> arrays;
};

namespace {

const char* const kUpsertSql =
    "INSERT INTO contacts (workspace_id, id, version, created_at, updated_at, identifier, first_name, last_name, "
    "second_last_name, company_name, title, emails, phones, whatsapp, tags, locations, status, priority, source, "
    "country_code, language, whatsapp_transactional_opt_in, email_transactional_opt_in, "
    "whatsapp_marketing_opt_in, email_marketing_opt_in, external_reference_id, external_reference_url, "
    "custom_fields) "
    "SELECT $1, u.id, u.version, u.created_at, u.updated_at, u.identifier, u.first_name, u.last_name, "
    "u.second_last_name, u.company_name, u.title, u.emails::text[], u.phones::text[], u.whatsapp, "
    "u.tags::text[], u.locations::text[], u.status, u.priority, u.source, u.country_code, u.language, u.wto, "
    "u.eto, u.wmo, u.emo, u.external_reference_id, u.external_reference_url, u.custom_fields::jsonb "
    "FROM unnest($2::uuid[], $3::int8[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], "
    "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], "
    "$16::text[], $17::text[], $18::int2[], $19::text[], $20::text[], $21::text[], $22::bool[], $23::bool[], "
    "$24::bool[], $25::bool[], $26::text[], $27::text[], $28::text[]) "
    "AS u(id, version, created_at, updated_at, identifier, first_name, last_name, second_last_name, "
    "company_name, title, emails, phones, whatsapp, tags, locations, status, priority, source, country_code, "
    "language, wto, eto, wmo, emo, external_reference_id, external_reference_url, custom_fields) "
    "ON CONFLICT (workspace_id, id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, "
    "identifier = EXCLUDED.identifier, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, "
    "second_last_name = EXCLUDED.second_last_name, company_name = EXCLUDED.company_name, title = EXCLUDED.title, "
    "emails = EXCLUDED.emails, phones = EXCLUDED.phones, whatsapp = EXCLUDED.whatsapp, tags = EXCLUDED.tags, "
    "locations = EXCLUDED.locations, status = EXCLUDED.status, priority = EXCLUDED.priority, "
    "source = EXCLUDED.source, country_code = EXCLUDED.country_code, language = EXCLUDED.language, "
    "whatsapp_transactional_opt_in = EXCLUDED.whatsapp_transactional_opt_in, "
    "email_transactional_opt_in = EXCLUDED.email_transactional_opt_in, "
    "whatsapp_marketing_opt_in = EXCLUDED.whatsapp_marketing_opt_in, "
    "email_marketing_opt_in = EXCLUDED.email_marketing_opt_in, "
    "external_reference_id = EXCLUDED.external_reference_id, "
    "external_reference_url = EXCLUDED.external_reference_url, custom_fields = EXCLUDED.custom_fields";

std::optional<std::string> BoolText(const std::optional<bool>& value) {
    if (!value) return std::nullopt;
    return std::string(*value ? "t" : "f");
}

}  // namespace

ContactUpsertBatch::ContactUpsertBatch(std::string workspace_id)
    : workspace_id_(std::move(workspace_id)), columns_(std::make_unique<Columns>()) {}

ContactUpsertBatch::~ContactUpsertBatch() = default;
ContactUpsertBatch::ContactUpsertBatch(ContactUpsertBatch&&) noexcept = default;

void ContactUpsertBatch::Add(const engine::Contact& c) {
    auto& a = columns_->arrays;
    using C = Columns;
    a[C::kId].Add(c.id);
    a[C::kVersion].Add(std::to_string(c.version));
    a[C::kCreatedAt].Add(engine::FormatTimestamp(c.created_at));
    a[C::kUpdatedAt].Add(engine::FormatTimestamp(c.updated_at));
    a[C::kIdentifier].Add(c.identifier);
    a[C::kFirstName].Add(c.first_name);
    a[C::kLastName].Add(c.last_name);
    a[C::kSecondLastName].Add(c.second_last_name);
    a[C::kCompanyName].Add(c.company_name);
    a[C::kTitle].Add(c.title);
    a[C::kEmails].Add(PgTextArray(c.emails));
    a[C::kPhones].Add(PgTextArray(c.phones));
    a[C::kWhatsapp].Add(c.whatsapp);
    a[C::kTags].Add(PgTextArray(c.tags));
    a[C::kLocations].Add(PgTextArray(c.locations));
    a[C::kStatus].Add(c.status);
    a[C::kPriority].Add(c.priority ? std::optional<std::string>(std::to_string(*c.priority)) : std::nullopt);
    a[C::kSource].Add(c.source);
    a[C::kCountryCode].Add(c.country_code);
    a[C::kLanguage].Add(c.language);
    a[C::kWhatsappTransactional].Add(BoolText(c.whatsapp_transactional_opt_in));
    a[C::kEmailTransactional].Add(BoolText(c.email_transactional_opt_in));
    a[C::kWhatsappMarketing].Add(BoolText(c.whatsapp_marketing_opt_in));
    a[C::kEmailMarketing].Add(BoolText(c.email_marketing_opt_in));
    a[C::kExternalReferenceId].Add(c.external_reference_id);
    a[C::kExternalReferenceUrl].Add(c.external_reference_url);
    a[C::kCustomFields].Add(CustomFieldsToJson(c.custom_fields));
    ++count_;
}

void ContactUpsertBatch::Execute(pqxx::transaction_base& txn) const {
    if (count_ == 0) return;
    SqlParams params;
    params.Add(workspace_id_);
    for (const PgArrayBuilder& array : columns_->arrays) params.Add(array.Finish());
    params.Exec(txn, kUpsertSql);
}

}  // namespace contactd::storage
