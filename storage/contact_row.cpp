#include <pqxx/result>

#include "storage/contact_row.hpp"

#include <simdjson.h>

#include <array>

#include "engine/date_time.hpp"
#include "engine/json_writer.hpp"
#include "storage/copy_writer.hpp"
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

// One array literal per column of the update.
struct ContactWriter::Columns {
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

// Every stored column of a contact, in table order.
const std::vector<std::string> kContactColumns = {"workspace_id",
                                                  "id",
                                                  "version",
                                                  "created_at",
                                                  "updated_at",
                                                  "identifier",
                                                  "first_name",
                                                  "last_name",
                                                  "second_last_name",
                                                  "company_name",
                                                  "title",
                                                  "emails",
                                                  "phones",
                                                  "whatsapp",
                                                  "tags",
                                                  "locations",
                                                  "status",
                                                  "priority",
                                                  "source",
                                                  "country_code",
                                                  "language",
                                                  "whatsapp_transactional_opt_in",
                                                  "email_transactional_opt_in",
                                                  "whatsapp_marketing_opt_in",
                                                  "email_marketing_opt_in",
                                                  "external_reference_id",
                                                  "external_reference_url",
                                                  "custom_fields"};

// Overwrites changed contacts from parallel arrays ($2..$28 in column order after workspace_id). Only plain
// columns of the unnest appear in SET (SPEC §8 rule 5).
const char* const kUpdateSql =
    "UPDATE contacts c SET version = u.version, updated_at = u.updated_at, identifier = u.identifier, "
    "first_name = u.first_name, last_name = u.last_name, second_last_name = u.second_last_name, "
    "company_name = u.company_name, title = u.title, emails = u.emails, phones = u.phones, whatsapp = u.whatsapp, "
    "tags = u.tags, locations = u.locations, status = u.status, priority = u.priority, source = u.source, "
    "country_code = u.country_code, language = u.language, whatsapp_transactional_opt_in = u.wto, "
    "email_transactional_opt_in = u.eto, whatsapp_marketing_opt_in = u.wmo, email_marketing_opt_in = u.emo, "
    "external_reference_id = u.external_reference_id, external_reference_url = u.external_reference_url, "
    "custom_fields = u.custom_fields "
    "FROM (SELECT id, version, created_at, updated_at, identifier, first_name, last_name, second_last_name, "
    "company_name, title, emails::text[] AS emails, phones::text[] AS phones, whatsapp, tags::text[] AS tags, "
    "locations::text[] AS locations, status, priority, source, country_code, language, wto, eto, wmo, emo, "
    "external_reference_id, external_reference_url, custom_fields::jsonb AS custom_fields "
    "FROM unnest($2::uuid[], $3::int8[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], "
    "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], "
    "$16::text[], $17::text[], $18::int2[], $19::text[], $20::text[], $21::text[], $22::bool[], $23::bool[], "
    "$24::bool[], $25::bool[], $26::text[], $27::text[], $28::text[]) "
    "AS v(id, version, created_at, updated_at, identifier, first_name, last_name, second_last_name, "
    "company_name, title, emails, phones, whatsapp, tags, locations, status, priority, source, country_code, "
    "language, wto, eto, wmo, emo, external_reference_id, external_reference_url, custom_fields)) u "
    "WHERE c.workspace_id = $1 AND c.id = u.id";

std::optional<std::string> BoolText(const std::optional<bool>& value) {
    if (!value) return std::nullopt;
    return std::string(*value ? "t" : "f");
}

//! The stored text of every column of a contact, in kContactColumns order (after workspace_id).
std::vector<std::optional<std::string>> ColumnTexts(const engine::Contact& c) {
    return {c.id,
            std::to_string(c.version),
            engine::FormatTimestamp(c.created_at),
            engine::FormatTimestamp(c.updated_at),
            c.identifier,
            c.first_name,
            c.last_name,
            c.second_last_name,
            c.company_name,
            c.title,
            PgTextArray(c.emails),
            PgTextArray(c.phones),
            c.whatsapp,
            PgTextArray(c.tags),
            PgTextArray(c.locations),
            c.status,
            c.priority ? std::optional<std::string>(std::to_string(*c.priority)) : std::nullopt,
            c.source,
            c.country_code,
            c.language,
            BoolText(c.whatsapp_transactional_opt_in),
            BoolText(c.email_transactional_opt_in),
            BoolText(c.whatsapp_marketing_opt_in),
            BoolText(c.email_marketing_opt_in),
            c.external_reference_id,
            c.external_reference_url,
            CustomFieldsToJson(c.custom_fields)};
}

}  // namespace

ContactWriter::ContactWriter(std::string workspace_id)
    : workspace_id_(std::move(workspace_id)), columns_(std::make_unique<Columns>()) {}

ContactWriter::~ContactWriter() = default;
ContactWriter::ContactWriter(ContactWriter&&) noexcept = default;

void ContactWriter::AddNew(const engine::Contact& contact) { new_.push_back(&contact); }

void ContactWriter::AddChanged(const engine::Contact& contact) {
    const std::vector<std::optional<std::string>> texts = ColumnTexts(contact);
    for (std::size_t i = 0; i < texts.size(); ++i) columns_->arrays[i].Add(texts[i]);
    ++changed_;
}

void ContactWriter::Execute(pqxx::transaction_base& txn) const {
    if (!new_.empty()) {
        CopyWriter copy(txn, "contacts", kContactColumns);
        for (const engine::Contact* contact : new_) {
            copy.Field(workspace_id_);
            for (std::optional<std::string>& text : ColumnTexts(*contact)) copy.Field(std::move(text));
            copy.EndRow();
        }
        copy.Complete();
    }
    if (changed_ > 0) {
        SqlParams params;
        params.Add(workspace_id_);
        for (const PgArrayBuilder& array : columns_->arrays) params.Add(array.Finish());
        params.Exec(txn, kUpdateSql);
    }
}

}  // namespace contactd::storage
