#include "engine/fields.hpp"

#include <algorithm>

namespace contactd::engine {

namespace {

using K = FieldKind;

constexpr std::array<FieldSpec, kFieldCount> kCatalog = {{
    {FieldId::kFirstName, "first_name", K::kText, kMaxTextLength, 0, "string"},
    {FieldId::kLastName, "last_name", K::kText, kMaxTextLength, 0, "string"},
    {FieldId::kSecondLastName, "second_last_name", K::kText, kMaxTextLength, 0, "string"},
    {FieldId::kCompanyName, "company_name", K::kText, kMaxTextLength, 0, "string"},
    {FieldId::kTitle, "title", K::kText, kMaxTextLength, 0, "string"},
    {FieldId::kEmail, "email", K::kShorthand, 254, 0, "email"},
    {FieldId::kEmails, "emails", K::kEmailList, 254, kMaxEmails, "array of email"},
    {FieldId::kPhone, "phone", K::kShorthand, 0, 0, "phone"},
    {FieldId::kPhones, "phones", K::kPhoneList, 0, kMaxPhones, "array of phone"},
    {FieldId::kWhatsapp, "whatsapp", K::kPhone, 0, 0, "phone"},
    {FieldId::kTags, "tags", K::kTextList, kMaxTagLength, kMaxTags, "array of string"},
    {FieldId::kLocations, "locations", K::kTextList, kMaxTextLength, kMaxLocations, "array of string"},
    {FieldId::kStatus, "status", K::kStatus, 0, 0, "lead stage"},
    {FieldId::kPriority, "priority", K::kPriority, 0, 0, "integer 1-5"},
    {FieldId::kSource, "source", K::kSource, 0, 0, "enum"},
    {FieldId::kCountryCode, "country_code", K::kCountry, 2, 0, "ISO 3166-1 alpha-2"},
    {FieldId::kLanguage, "language", K::kLanguage, 2, 0, "ISO 639-1"},
    {FieldId::kWhatsappTransactionalOptIn, "whatsapp_transactional_opt_in", K::kBoolean, 0, 0, "boolean"},
    {FieldId::kEmailTransactionalOptIn, "email_transactional_opt_in", K::kBoolean, 0, 0, "boolean"},
    {FieldId::kWhatsappMarketingOptIn, "whatsapp_marketing_opt_in", K::kBoolean, 0, 0, "boolean"},
    {FieldId::kEmailMarketingOptIn, "email_marketing_opt_in", K::kBoolean, 0, 0, "boolean"},
    {FieldId::kExternalReferenceId, "external_reference_id", K::kText, kMaxTextLength, 0, "string"},
    {FieldId::kExternalReferenceUrl, "external_reference_url", K::kUrl, 2048, 0, "url"},
    {FieldId::kCustomFields, "custom_fields", K::kCustomFields, 0, 0, "object"},
}};

constexpr std::array<std::string_view, 6> kReadOnly = {"id",         "workspace_id", "version",
                                                       "created_at", "updated_at",   "merged_into"};

// Member pointers for the fields that hold one optional value of each type.
std::optional<std::string> Contact::*TextMember(FieldId id) {
    switch (id) {
        case FieldId::kFirstName:
            return &Contact::first_name;
        case FieldId::kLastName:
            return &Contact::last_name;
        case FieldId::kSecondLastName:
            return &Contact::second_last_name;
        case FieldId::kCompanyName:
            return &Contact::company_name;
        case FieldId::kTitle:
            return &Contact::title;
        case FieldId::kWhatsapp:
            return &Contact::whatsapp;
        case FieldId::kStatus:
            return &Contact::status;
        case FieldId::kSource:
            return &Contact::source;
        case FieldId::kCountryCode:
            return &Contact::country_code;
        case FieldId::kLanguage:
            return &Contact::language;
        case FieldId::kExternalReferenceId:
            return &Contact::external_reference_id;
        case FieldId::kExternalReferenceUrl:
            return &Contact::external_reference_url;
        default:
            return nullptr;
    }
}

std::optional<bool> Contact::*BoolMember(FieldId id) {
    switch (id) {
        case FieldId::kWhatsappTransactionalOptIn:
            return &Contact::whatsapp_transactional_opt_in;
        case FieldId::kEmailTransactionalOptIn:
            return &Contact::email_transactional_opt_in;
        case FieldId::kWhatsappMarketingOptIn:
            return &Contact::whatsapp_marketing_opt_in;
        case FieldId::kEmailMarketingOptIn:
            return &Contact::email_marketing_opt_in;
        default:
            return nullptr;
    }
}

std::vector<std::string> Contact::*ListMember(FieldId id) {
    switch (id) {
        case FieldId::kEmail:
        case FieldId::kEmails:
            return &Contact::emails;
        case FieldId::kPhone:
        case FieldId::kPhones:
            return &Contact::phones;
        case FieldId::kTags:
            return &Contact::tags;
        case FieldId::kLocations:
            return &Contact::locations;
        default:
            return nullptr;
    }
}

const std::string* FirstOf(const std::vector<std::string>& list) { return list.empty() ? nullptr : &list.front(); }

}  // namespace

const std::array<FieldSpec, kFieldCount>& FieldCatalog() { return kCatalog; }

const FieldSpec& SpecOf(FieldId id) { return kCatalog[static_cast<std::size_t>(id)]; }

std::optional<FieldId> FindField(std::string_view name) {
    for (const FieldSpec& spec : kCatalog) {
        if (spec.name == name) return spec.id;
    }
    return std::nullopt;
}

bool IsReadOnlyField(std::string_view name) {
    return std::find(kReadOnly.begin(), kReadOnly.end(), name) != kReadOnly.end();
}

void CopyScalarField(FieldId id, const Contact& from, Contact& to) {
    if (auto text = TextMember(id)) {
        to.*text = from.*text;
    } else if (auto flag = BoolMember(id)) {
        to.*flag = from.*flag;
    } else if (id == FieldId::kPriority) {
        to.priority = from.priority;
    }
}

bool FieldDiffers(FieldId id, const Contact& a, const Contact& b) {
    if (id == FieldId::kEmail || id == FieldId::kPhone) {
        const auto list = ListMember(id);
        const std::string* first_a = FirstOf(a.*list);
        const std::string* first_b = FirstOf(b.*list);
        if (first_a == nullptr || first_b == nullptr) return first_a != first_b;
        return *first_a != *first_b;
    }
    if (auto list = ListMember(id)) return a.*list != b.*list;
    if (auto text = TextMember(id)) return a.*text != b.*text;
    if (auto flag = BoolMember(id)) return a.*flag != b.*flag;
    if (id == FieldId::kPriority) return a.priority != b.priority;
    return a.custom_fields != b.custom_fields;
}

}  // namespace contactd::engine
