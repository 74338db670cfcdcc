#include "engine/contact_json.hpp"

#include "engine/date_time.hpp"
#include "engine/fields.hpp"

namespace contactd::engine {

namespace {

void OptionalString(JsonWriter& writer, std::string_view key, const std::optional<std::string>& value) {
    writer.Key(key);
    value ? writer.String(*value) : writer.Null();
}

void OptionalBool(JsonWriter& writer, std::string_view key, const std::optional<bool>& value) {
    writer.Key(key);
    value ? writer.Bool(*value) : writer.Null();
}

void StringList(JsonWriter& writer, std::string_view key, const std::vector<std::string>& values) {
    writer.Key(key).BeginArray();
    for (const std::string& value : values) writer.String(value);
    writer.EndArray();
}

void Primary(JsonWriter& writer, std::string_view key, const std::vector<std::string>& values) {
    writer.Key(key);
    values.empty() ? writer.Null() : writer.String(values.front());
}

}  // namespace

void WriteCustomValue(JsonWriter& writer, const CustomValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) {
        writer.String(*text);
    } else if (const auto* number = std::get_if<double>(&value)) {
        writer.Double(*number);
    } else if (const auto* flag = std::get_if<bool>(&value)) {
        writer.Bool(*flag);
    } else {
        writer.String(FormatTimestamp(std::get<DateValue>(value).millis));
    }
}

void WriteContactMembers(JsonWriter& writer, const Contact& c, const WorkspaceSettings& settings) {
    writer.Key("id").String(c.id);
    writer.Key("workspace_id").String(c.workspace_id);
    writer.Key("version").Int(c.version);
    writer.Key("created_at").String(FormatTimestamp(c.created_at));
    writer.Key("updated_at").String(FormatTimestamp(c.updated_at));
    OptionalString(writer, "first_name", c.first_name);
    OptionalString(writer, "last_name", c.last_name);
    OptionalString(writer, "second_last_name", c.second_last_name);
    OptionalString(writer, "company_name", c.company_name);
    OptionalString(writer, "title", c.title);
    Primary(writer, "email", c.emails);
    StringList(writer, "emails", c.emails);
    Primary(writer, "phone", c.phones);
    StringList(writer, "phones", c.phones);
    OptionalString(writer, "whatsapp", c.whatsapp);
    StringList(writer, "tags", c.tags);
    StringList(writer, "locations", c.locations);
    OptionalString(writer, "status", c.status);
    writer.Key("priority");
    c.priority ? writer.Int(*c.priority) : writer.Null();
    OptionalString(writer, "source", c.source);
    OptionalString(writer, "country_code", c.country_code);
    OptionalString(writer, "language", c.language);
    OptionalBool(writer, "whatsapp_transactional_opt_in", c.whatsapp_transactional_opt_in);
    OptionalBool(writer, "email_transactional_opt_in", c.email_transactional_opt_in);
    OptionalBool(writer, "whatsapp_marketing_opt_in", c.whatsapp_marketing_opt_in);
    OptionalBool(writer, "email_marketing_opt_in", c.email_marketing_opt_in);
    OptionalString(writer, "external_reference_id", c.external_reference_id);
    OptionalString(writer, "external_reference_url", c.external_reference_url);
    writer.Key("custom_fields").BeginObject();
    for (const CustomFieldDef& def : settings.custom_fields) {
        writer.Key(def.slug);
        const auto it = c.custom_fields.find(def.slug);
        if (it == c.custom_fields.end()) {
            writer.Null();
        } else {
            WriteCustomValue(writer, it->second);
        }
    }
    writer.EndObject();
}

std::string ContactJson(const Contact& contact, const WorkspaceSettings& settings) {
    std::string out;
    JsonWriter writer(out);
    writer.BeginObject();
    WriteContactMembers(writer, contact, settings);
    writer.EndObject();
    return out;
}

void WriteRemarks(JsonWriter& writer, const std::vector<Remark>& remarks) {
    writer.BeginArray();
    for (const Remark& remark : remarks) {
        writer.BeginObject();
        writer.Key("field");
        remark.field.empty() ? writer.Null() : writer.String(remark.field);
        writer.Key("code").String(CodeName(remark.code));
        writer.Key("message").String(remark.message);
        writer.EndObject();
    }
    writer.EndArray();
}

}  // namespace contactd::engine
