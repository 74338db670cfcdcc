#pragma once
// Per-workspace settings that the contact rules depend on (SPEC §1).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::engine {

//! Which field upserts match on; immutable on a contact once it has a value.
enum class IdentifierField { kPhone, kEmail, kExternalReferenceId };

std::string_view IdentifierFieldName(IdentifierField field);
std::optional<IdentifierField> ParseIdentifierField(std::string_view name);

enum class CustomFieldType { kText, kNumber, kBoolean, kDate };

std::string_view CustomFieldTypeName(CustomFieldType type);
std::optional<CustomFieldType> ParseCustomFieldType(std::string_view name);

//! A declared custom attribute.
struct CustomFieldDef {
    std::string slug;
    CustomFieldType type = CustomFieldType::kText;
    std::uint32_t max_length = 10240;  // code points, text only (0 for other types)

    friend bool operator==(const CustomFieldDef&, const CustomFieldDef&) = default;
};

inline constexpr std::uint32_t kCustomTextMaxLength = 10240;
inline constexpr std::int32_t kDefaultRequestsPerMinute = 600;
inline constexpr std::int32_t kDefaultItemsPerSecond = 50000;

//! The workspace settings consulted by validation and write semantics.
struct WorkspaceSettings {
    std::string id;
    std::string name;
    IdentifierField identifier_field = IdentifierField::kPhone;
    std::optional<std::string> default_country;  // ISO 3166-1 alpha-2, upper-case
    std::optional<std::string> date_format;      // strftime-style, e.g. "%d/%m/%Y"
    std::vector<std::string> lead_stages;        // ordered, matched case-sensitively
    std::vector<CustomFieldDef> custom_fields;
    std::int32_t requests_per_minute = kDefaultRequestsPerMinute;
    std::int32_t items_per_second = kDefaultItemsPerSecond;
    bool suspended = false;

    const CustomFieldDef* FindCustomField(std::string_view slug) const;
};

//! The layout a new workspace gets: profile_field_1..15 text, 16..25 number, 26..30 date.
std::vector<CustomFieldDef> DefaultCustomFields();

}  // namespace contactd::engine
