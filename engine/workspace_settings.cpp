#include "engine/workspace_settings.hpp"

namespace contactd::engine {

std::string_view IdentifierFieldName(IdentifierField field) {
    switch (field) {
        case IdentifierField::kPhone:
            return "phone";
        case IdentifierField::kEmail:
            return "email";
        case IdentifierField::kExternalReferenceId:
            return "external_reference_id";
    }
    return "phone";
}

std::optional<IdentifierField> ParseIdentifierField(std::string_view name) {
    if (name == "phone") return IdentifierField::kPhone;
    if (name == "email") return IdentifierField::kEmail;
    if (name == "external_reference_id") return IdentifierField::kExternalReferenceId;
    return std::nullopt;
}

std::string_view CustomFieldTypeName(CustomFieldType type) {
    switch (type) {
        case CustomFieldType::kText:
            return "text";
        case CustomFieldType::kNumber:
            return "number";
        case CustomFieldType::kBoolean:
            return "boolean";
        case CustomFieldType::kDate:
            return "date";
    }
    return "text";
}

std::optional<CustomFieldType> ParseCustomFieldType(std::string_view name) {
    if (name == "text") return CustomFieldType::kText;
    if (name == "number") return CustomFieldType::kNumber;
    if (name == "boolean") return CustomFieldType::kBoolean;
    if (name == "date") return CustomFieldType::kDate;
    return std::nullopt;
}

const CustomFieldDef* WorkspaceSettings::FindCustomField(std::string_view slug) const {
    for (const CustomFieldDef& def : custom_fields) {
        if (def.slug == slug) return &def;
    }
    return nullptr;
}

std::vector<CustomFieldDef> DefaultCustomFields() {
    std::vector<CustomFieldDef> defs;
    for (int n = 1; n <= 30; ++n) {
        const CustomFieldType type = n <= 15   ? CustomFieldType::kText
                                     : n <= 25 ? CustomFieldType::kNumber
                                               : CustomFieldType::kDate;
        // max_length applies to text only; other types carry 0.
        defs.push_back(
            {"profile_field_" + std::to_string(n), type, type == CustomFieldType::kText ? kCustomTextMaxLength : 0});
    }
    return defs;
}

}  // namespace contactd::engine
