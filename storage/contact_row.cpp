#include <pqxx/except>
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
    "c.id::text, c.version, (date_part('epoch', c.created_at) * 1000)::int8, "
    "(date_part('epoch', c.updated_at) * 1000)::int8, c.identifier, c.first_name, c.last_name, "
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

// Reads a row's columns in order through one cursor: `row[i]` makes a pqxx::field per column, each copying
// and releasing the result's shared pointer, which was a measurable share of reading a chunk's contacts.
class ColumnCursor {
  public:
    ColumnCursor(const pqxx::row& row, int first) : column_(row, static_cast<pqxx::row_size_type>(first)) {}

    std::string Text() { return Take(std::string(column_.c_str(), column_.size())); }
    //! The column's text, valid as long as the row's result.
    std::string_view View() { return Take(std::string_view(column_.c_str(), column_.size())); }
    std::optional<std::string> OptionalText() { return Take(storage::OptionalText(column_)); }
    std::optional<bool> OptionalBool() { return Take(storage::OptionalBool(column_)); }
    std::vector<std::string> Array() { return Take(TextArray(column_)); }
    template <class T>
    T As() {
        return Take(column_.as<T>());
    }
    template <class T>
    std::optional<T> OptionalAs() {
        return Take(column_.is_null() ? std::nullopt : std::optional<T>(column_.as<T>()));
    }

  private:
    template <class T>
    T Take(T value) {
        ++column_;
        return value;
    }

    pqxx::const_row_iterator column_;
};

}  // namespace

engine::Contact ContactFromRow(const pqxx::row& row, const engine::WorkspaceSettings& settings, int first) {
    ColumnCursor column(row, first);
    engine::Contact c;
    c.id = column.Text();
    c.workspace_id = settings.id;
    c.version = column.As<std::int64_t>();
    c.created_at = column.As<std::int64_t>();
    c.updated_at = column.As<std::int64_t>();
    c.identifier = column.OptionalText();
    c.first_name = column.OptionalText();
    c.last_name = column.OptionalText();
    c.second_last_name = column.OptionalText();
    c.company_name = column.OptionalText();
    c.title = column.OptionalText();
    c.emails = column.Array();
    c.phones = column.Array();
    c.whatsapp = column.OptionalText();
    c.tags = column.Array();
    c.locations = column.Array();
    c.status = column.OptionalText();
    c.priority = column.OptionalAs<std::int32_t>();
    c.source = column.OptionalText();
    c.country_code = column.OptionalText();
    c.language = column.OptionalText();
    c.whatsapp_transactional_opt_in = column.OptionalBool();
    c.email_transactional_opt_in = column.OptionalBool();
    c.whatsapp_marketing_opt_in = column.OptionalBool();
    c.email_marketing_opt_in = column.OptionalBool();
    c.external_reference_id = column.OptionalText();
    c.external_reference_url = column.OptionalText();
    c.custom_fields = CustomFieldsFromJson(column.View(), settings);
    return c;
}

std::string CustomFieldsToJson(const engine::CustomFields& fields) {
    std::string out;
    out.reserve(2 + fields.size() * 48);  // a slug, a short value and the punctuation: growing cost more
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

engine::CustomFields CustomFieldsFromJson(std::string_view json, const engine::WorkspaceSettings& settings) {
    engine::CustomFields fields;
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

namespace {

using engine::Contact;
using ColumnValue = std::optional<std::string>;

ColumnValue BoolText(const std::optional<bool>& value) {
    if (!value) return std::nullopt;
    return std::string(*value ? "t" : "f");
}

// How a member of Contact is stored, and whether it differs between two states of a contact.
template <auto member>
ColumnValue Text(const Contact& c) {
    return c.*member;
}
template <auto member>
ColumnValue ArrayText(const Contact& c) {
    return PgTextArray(c.*member);
}
template <auto member>
ColumnValue FlagText(const Contact& c) {
    return BoolText(c.*member);
}
template <auto member>
bool Differs(const Contact& a, const Contact& b) {
    return a.*member != b.*member;
}

// A stored column of a contact: its name, its SQL type (for the unnest of an update), its text, and (for the
// columns a write can change) whether two states of a contact differ in it.
struct ColumnSpec {
    const char* name;
    const char* type;
    ColumnValue (*text)(const Contact&);
    bool (*differs)(const Contact&, const Contact&);
};

// Every stored column of a contact, in table order. workspace_id is the writer's, not the contact's.
const std::array<ColumnSpec, 28> kColumns = {{
    {"workspace_id", "text", nullptr, nullptr},
    {"id", "uuid", &Text<&Contact::id>, nullptr},
    {"version", "int8", [](const Contact& c) -> ColumnValue { return std::to_string(c.version); }, nullptr},
    {"created_at", "timestamptz", [](const Contact& c) -> ColumnValue { return engine::FormatTimestamp(c.created_at); },
     nullptr},
    {"updated_at", "timestamptz", [](const Contact& c) -> ColumnValue { return engine::FormatTimestamp(c.updated_at); },
     nullptr},
    {"identifier", "text", &Text<&Contact::identifier>, &Differs<&Contact::identifier>},
    {"first_name", "text", &Text<&Contact::first_name>, &Differs<&Contact::first_name>},
    {"last_name", "text", &Text<&Contact::last_name>, &Differs<&Contact::last_name>},
    {"second_last_name", "text", &Text<&Contact::second_last_name>, &Differs<&Contact::second_last_name>},
    {"company_name", "text", &Text<&Contact::company_name>, &Differs<&Contact::company_name>},
    {"title", "text", &Text<&Contact::title>, &Differs<&Contact::title>},
    {"emails", "text[]", &ArrayText<&Contact::emails>, &Differs<&Contact::emails>},
    {"phones", "text[]", &ArrayText<&Contact::phones>, &Differs<&Contact::phones>},
    {"whatsapp", "text", &Text<&Contact::whatsapp>, &Differs<&Contact::whatsapp>},
    {"tags", "text[]", &ArrayText<&Contact::tags>, &Differs<&Contact::tags>},
    {"locations", "text[]", &ArrayText<&Contact::locations>, &Differs<&Contact::locations>},
    {"status", "text", &Text<&Contact::status>, &Differs<&Contact::status>},
    {"priority", "int2",
     [](const Contact& c) -> ColumnValue {
         return c.priority ? ColumnValue(std::to_string(*c.priority)) : std::nullopt;
     },
     &Differs<&Contact::priority>},
    {"source", "text", &Text<&Contact::source>, &Differs<&Contact::source>},
    {"country_code", "text", &Text<&Contact::country_code>, &Differs<&Contact::country_code>},
    {"language", "text", &Text<&Contact::language>, &Differs<&Contact::language>},
    {"whatsapp_transactional_opt_in", "bool", &FlagText<&Contact::whatsapp_transactional_opt_in>,
     &Differs<&Contact::whatsapp_transactional_opt_in>},
    {"email_transactional_opt_in", "bool", &FlagText<&Contact::email_transactional_opt_in>,
     &Differs<&Contact::email_transactional_opt_in>},
    {"whatsapp_marketing_opt_in", "bool", &FlagText<&Contact::whatsapp_marketing_opt_in>,
     &Differs<&Contact::whatsapp_marketing_opt_in>},
    {"email_marketing_opt_in", "bool", &FlagText<&Contact::email_marketing_opt_in>,
     &Differs<&Contact::email_marketing_opt_in>},
    {"external_reference_id", "text", &Text<&Contact::external_reference_id>,
     &Differs<&Contact::external_reference_id>},
    {"external_reference_url", "text", &Text<&Contact::external_reference_url>,
     &Differs<&Contact::external_reference_url>},
    {"custom_fields", "jsonb", [](const Contact& c) -> ColumnValue { return CustomFieldsToJson(c.custom_fields); },
     &Differs<&Contact::custom_fields>},
}};

// Positions in kColumns the writer names.
constexpr int kIdColumn = 1;
constexpr int kVersionColumn = 2;
constexpr int kUpdatedAtColumn = 4;

const std::vector<std::string> kContactColumnNames = [] {
    std::vector<std::string> names;
    for (const ColumnSpec& column : kColumns) names.emplace_back(column.name);
    return names;
}();

// Which stored columns differ between two states of a contact (bit = column position): every update writes
// its version and updated_at.
std::uint32_t DifferingColumns(const Contact& a, const Contact& b) {
    static_assert(kColumns.size() <= 32);
    std::uint32_t bits = (1u << kVersionColumn) | (1u << kUpdatedAtColumn);
    for (std::size_t column = 0; column < kColumns.size(); ++column) {
        if (kColumns[column].differs != nullptr && kColumns[column].differs(a, b)) bits |= 1u << column;
    }
    return bits;
}

}  // namespace

void ContactWriter::AddChanged(const engine::Contact& before, const engine::Contact& after,
                               std::optional<std::string> row) {
    changed_.push_back({&after, before.version, std::move(row)});
    changed_columns_ |= DifferingColumns(before, after);
}

ContactWriter::Statements ContactWriter::Render() const {
    Statements out;
    if (new_.size() == 1) {
        RenderInsertOne(out, *new_[0]);
    } else {
        for (const engine::Contact* contact : new_) {
            out.new_rows_.Field(workspace_id_);
            for (std::size_t column = kIdColumn; column < kColumns.size(); ++column) {
                out.new_rows_.Field(kColumns[column].text(*contact));
            }
            out.new_rows_.EndRow();
        }
    }
    std::vector<const Changed*> by_row;
    std::vector<const Changed*> by_id;
    for (const Changed& changed : changed_) (changed.row ? by_row : by_id).push_back(&changed);
    if (!by_row.empty()) RenderUpdate(out, by_row, /*by_row=*/true);
    if (!by_id.empty()) RenderUpdate(out, by_id, /*by_row=*/false);
    return out;
}

void ContactWriter::Execute(pqxx::transaction_base& txn) const { Render().Execute(txn); }

void ContactWriter::Statements::Execute(pqxx::transaction_base& txn) const {
    CopyInto(txn, "contacts", kContactColumnNames, new_rows_);
    for (const Statement& statement : statements_) {
        const pqxx::result result = statement.fixed ? statement.params.ExecFixed(txn, statement.sql)
                                                    : statement.params.Exec(txn, statement.sql);
        if (statement.must_change != 0 && result.affected_rows() != statement.must_change) {
            throw pqxx::serialization_failure("a contact changed after it was read; retrying the run");
        }
    }
}

namespace {

// Whether an update sets `column`: every column a write can change, and the version and updated_at.
bool UpdateSets(std::size_t column) {
    return column == kVersionColumn || column == kUpdatedAtColumn || kColumns[column].differs != nullptr;
}

// The UPDATE of one contact, every settable column a parameter: one text whatever changed, so that it is
// prepared and planned once per connection (SqlParams::ExecFixed). A single-contact write would otherwise
// pay the planning of the unnest form (about 95 µs) on every request; the columns it did not change are
// written with the values they had, which the version check guarantees are still the stored ones.
// $1 workspace, $2 id, then the columns in table order, then the read version and (by_row) the ctid.
std::string OneContactUpdateSql(bool by_row) {
    std::string set;
    int placeholder = 2;
    for (std::size_t column = kVersionColumn; column < kColumns.size(); ++column) {
        if (!UpdateSets(column)) continue;
        set += std::string(set.empty() ? "" : ", ") + kColumns[column].name + " = $" + std::to_string(++placeholder) +
               "::" + kColumns[column].type;
    }
    std::string sql = "UPDATE contacts c SET " + set +
                      " WHERE c.workspace_id = $1 AND c.id = $2::uuid AND c.version = $" +
                      std::to_string(++placeholder) + "::int8";
    if (by_row) sql += " AND c.ctid = $" + std::to_string(++placeholder) + "::tid";
    return sql;
}

}  // namespace

void ContactWriter::RenderInsertOne(Statements& out, const engine::Contact& contact) const {
    // One new contact (a single-contact create): a prepared INSERT. A COPY's set-up, for one row, costs more
    // than the row (about 300 µs a call, against tens for the INSERT).
    static const std::string sql = [] {
        std::string names;
        std::string values;
        for (std::size_t column = 0; column < kColumns.size(); ++column) {
            names += std::string(column == 0 ? "" : ", ") + kColumns[column].name;
            values +=
                std::string(column == 0 ? "" : ", ") + "$" + std::to_string(column + 1) + "::" + kColumns[column].type;
        }
        return "INSERT INTO contacts (" + names + ") VALUES (" + values + ")";
    }();
    Statements::Statement& insert = out.statements_.emplace_back();
    insert.sql = sql;
    insert.fixed = true;
    insert.params.Add(workspace_id_);
    for (std::size_t column = kIdColumn; column < kColumns.size(); ++column) {
        insert.params.Add(kColumns[column].text(contact));
    }
}

void ContactWriter::RenderUpdateOne(Statements& out, const Changed& changed, bool by_row) const {
    static const std::string by_id_sql = OneContactUpdateSql(false);
    static const std::string by_row_sql = OneContactUpdateSql(true);
    Statements::Statement& update = out.statements_.emplace_back();
    update.sql = by_row ? by_row_sql : by_id_sql;
    update.fixed = true;
    update.must_change = 1;
    SqlParams& params = update.params;
    params.Add(workspace_id_).Add(changed.contact->id);
    for (std::size_t column = kVersionColumn; column < kColumns.size(); ++column) {
        if (UpdateSets(column)) params.Add(kColumns[column].text(*changed.contact));
    }
    params.Add(changed.read_version);
    if (by_row) params.Add(*changed.row);
}

void ContactWriter::RenderUpdate(Statements& out, const std::vector<const Changed*>& rows, bool by_row) const {
    if (rows.size() == 1) return RenderUpdateOne(out, *rows[0], by_row);
    // UPDATE contacts c SET col = u.col, ... FROM unnest($2::uuid[], $3::<type>[], ...) AS u(id, col, ...)
    // WHERE c.workspace_id = $1 AND c.id = u.id AND c.version = u.read_version, and the rows are found by
    // `c.ctid = ANY(...)` (a heap fetch each) when their ctids are known, else by `c.id = ANY($2)` (an index
    // lookup each, whatever the statistics say). Only the columns some contact changed travel and are
    // parsed, and only plain columns of the unnest or parameters appear in SET (SPEC §8 rule 5). A column
    // every row sets to the same value (updated_at: one run, one clock reading) travels once, as a scalar,
    // so the server parses it once instead of once a row.
    std::vector<std::size_t> columns = {kIdColumn};
    for (std::size_t column = kVersionColumn; column < kColumns.size(); ++column) {
        if ((changed_columns_ >> column) & 1u) columns.push_back(column);
    }
    std::vector<PgArrayBuilder> arrays(columns.size());
    std::vector<ColumnValue> first_values(columns.size());
    std::vector<bool> same_in_every_row(columns.size(), true);
    same_in_every_row[0] = false;  // the id joins the unnest to the row
    PgArrayBuilder read_versions;
    PgArrayBuilder row_ids;
    for (std::size_t row = 0; row < rows.size(); ++row) {
        const Changed* changed = rows[row];
        for (std::size_t i = 0; i < columns.size(); ++i) {
            ColumnValue value = kColumns[columns[i]].text(*changed->contact);
            if (row == 0) {
                first_values[i] = value;
            } else if (same_in_every_row[i] && value != first_values[i]) {
                same_in_every_row[i] = false;
            }
            arrays[i].Add(value);
        }
        read_versions.Add(std::to_string(changed->read_version));
        if (by_row) row_ids.Add(*changed->row);
    }
    std::string set;
    std::string unnest;
    std::string names;
    SqlParams params;
    params.Add(workspace_id_);
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const std::size_t column = columns[i];
        const std::string name = kColumns[column].name;
        const std::string type = kColumns[column].type;
        const std::string placeholder = params.NextPlaceholder();
        std::string value;
        if (same_in_every_row[i]) {
            params.Add(first_values[i]);
            value = placeholder + "::" + type;
        } else {
            params.Add(arrays[i].Finish());
            // Array-valued and jsonb columns travel as text[] of their literals and are cast per row.
            const bool cast_per_row = type == "text[]" || type == "jsonb";
            unnest +=
                std::string(unnest.empty() ? "" : ", ") + placeholder + "::" + (cast_per_row ? "text" : type) + "[]";
            names += std::string(names.empty() ? "" : ", ") + "u_" + name;
            value = "u.u_" + name + (cast_per_row ? "::" + type : "");
        }
        if (column != kIdColumn) set += std::string(set.empty() ? "" : ", ") + name + " = " + value;
    }
    const std::string read_version = params.NextPlaceholder();
    params.Add(read_versions.Finish());
    std::string sql = "UPDATE contacts c SET " + set + " FROM unnest(" + unnest + ", " + read_version + "::int8[]";
    if (by_row) {
        const std::string row = params.NextPlaceholder();
        params.Add(row_ids.Finish());
        sql += ", " + row + "::tid[]) AS u(" + names +
               ", u_read_version, u_row) WHERE c.workspace_id = $1 AND c.ctid = ANY(" + row +
               "::tid[]) AND c.ctid = u.u_row";
    } else {
        sql += ") AS u(" + names + ", u_read_version) WHERE c.workspace_id = $1 AND c.id = ANY($2::uuid[])";
    }
    sql += " AND c.id = u.u_id AND c.version = u.u_read_version";
    out.statements_.push_back({std::move(sql), std::move(params), /*fixed=*/false, /*must_change=*/rows.size()});
}

}  // namespace contactd::storage
