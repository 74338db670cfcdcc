#include "engine/workspace_json.hpp"

#include "engine/fields.hpp"

namespace contactd::engine {

namespace {

void WriteCustomFieldDefs(JsonWriter& writer, const std::vector<CustomFieldDef>& defs) {
    writer.BeginArray();
    for (const CustomFieldDef& def : defs) {
        writer.BeginObject();
        writer.Key("slug").String(def.slug);
        writer.Key("type").String(CustomFieldTypeName(def.type));
        writer.Key("max_length");
        def.type == CustomFieldType::kText ? writer.Int(def.max_length) : writer.Null();
        writer.EndObject();
    }
    writer.EndArray();
}

}  // namespace

void WriteWorkspaceMembers(JsonWriter& writer, const WorkspaceSettings& s) {
    writer.Key("id").String(s.id);
    writer.Key("name").String(s.name);
    writer.Key("identifier_field").String(IdentifierFieldName(s.identifier_field));
    writer.Key("default_country");
    s.default_country ? writer.String(*s.default_country) : writer.Null();
    writer.Key("date_format");
    s.date_format ? writer.String(*s.date_format) : writer.Null();
    writer.Key("lead_stages").BeginArray();
    for (const std::string& stage : s.lead_stages) writer.String(stage);
    writer.EndArray();
    writer.Key("custom_fields");
    WriteCustomFieldDefs(writer, s.custom_fields);
    writer.Key("requests_per_minute").Int(s.requests_per_minute);
    writer.Key("items_per_second").Int(s.items_per_second);
    writer.Key("suspended").Bool(s.suspended);
}

std::string FieldCatalogJson(const WorkspaceSettings& settings) {
    std::string out;
    JsonWriter writer(out);
    writer.BeginObject().Key("fields").BeginArray();
    for (const char* name : {"id", "workspace_id", "version", "created_at", "updated_at", "merged_into"}) {
        writer.BeginObject().Key("name").String(name).Key("type").String("system").Key("writable").Bool(false);
        writer.EndObject();
    }
    for (const FieldSpec& spec : FieldCatalog()) {
        writer.BeginObject();
        writer.Key("name").String(spec.name);
        writer.Key("type").String(spec.type_name);
        writer.Key("writable").Bool(true);
        if (spec.max_length > 0) writer.Key("max_length").Int(spec.max_length);
        if (spec.max_values > 0) writer.Key("max_values").Int(spec.max_values);
        if (spec.id == FieldId::kSource) {
            writer.Key("values").BeginArray();
            for (std::string_view source : kSources) writer.String(source);
            writer.EndArray();
        }
        if (spec.id == FieldId::kStatus) {
            writer.Key("values").BeginArray();
            for (const std::string& stage : settings.lead_stages) writer.String(stage);
            writer.EndArray();
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.Key("identifier_field").String(IdentifierFieldName(settings.identifier_field));
    writer.Key("custom_fields");
    WriteCustomFieldDefs(writer, settings.custom_fields);
    writer.EndObject();
    return out;
}

}  // namespace contactd::engine
