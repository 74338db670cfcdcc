#pragma once
// The catalog of contact fields (SPEC §2): names, kinds and limits, in one table that validation,
// write semantics, change detection, JSON output and `GET /v1/fields` all read.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/contact.hpp"

namespace contactd::engine {

//! Every writable contact field, in output order.
enum class FieldId : std::uint8_t {
    kFirstName,
    kLastName,
    kSecondLastName,
    kCompanyName,
    kTitle,
    kEmail,  // shorthand for emails[0]
    kEmails,
    kPhone,  // shorthand for phones[0]
    kPhones,
    kWhatsapp,
    kTags,
    kLocations,
    kStatus,
    kPriority,
    kSource,
    kCountryCode,
    kLanguage,
    kWhatsappTransactionalOptIn,
    kEmailTransactionalOptIn,
    kWhatsappMarketingOptIn,
    kEmailMarketingOptIn,
    kExternalReferenceId,
    kExternalReferenceUrl,
    kCustomFields,
};

inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(FieldId::kCustomFields) + 1;

//! How a field's value is checked and stored.
enum class FieldKind : std::uint8_t {
    kText,       // single-line string with a length limit
    kEmailList,  // emails
    kPhoneList,  // phones
    kTextList,   // tags, locations
    kShorthand,  // email, phone: the list's first element
    kPhone,      // whatsapp
    kStatus,     // a workspace lead stage
    kPriority,   // integer 1..5
    kSource,     // closed set
    kCountry,    // ISO 3166-1 alpha-2
    kLanguage,   // ISO 639-1
    kBoolean,
    kUrl,
    kCustomFields,
};

//! One row of the catalog.
struct FieldSpec {
    FieldId id;
    std::string_view name;
    FieldKind kind;
    std::uint32_t max_length;    // code points per value (0: not a text limit)
    std::uint32_t max_values;    // list fields only
    std::string_view type_name;  // as shown by GET /v1/fields
};

//! The catalog, indexed by FieldId.
const std::array<FieldSpec, kFieldCount>& FieldCatalog();
const FieldSpec& SpecOf(FieldId id);
std::optional<FieldId> FindField(std::string_view name);

//! Fields the system maintains; writing one is READ_ONLY_FIELD.
bool IsReadOnlyField(std::string_view name);

//! Allowed values of `source`.
inline constexpr std::array<std::string_view, 7> kSources = {"manual",   "csv",   "api", "call",
                                                             "whatsapp", "email", "crm"};

inline constexpr std::uint32_t kMaxEmails = 20;
inline constexpr std::uint32_t kMaxPhones = 20;
inline constexpr std::uint32_t kMaxTags = 100;
inline constexpr std::uint32_t kMaxLocations = 20;
inline constexpr std::uint32_t kMaxTagLength = 64;
inline constexpr std::uint32_t kMaxTextLength = 255;

//! Copies one scalar field (not a list, shorthand or custom_fields) from `from` to `to`.
void CopyScalarField(FieldId id, const Contact& from, Contact& to);
//! Whether a field differs between two contacts (shorthands compare the list's first element).
bool FieldDiffers(FieldId id, const Contact& a, const Contact& b);

}  // namespace contactd::engine
