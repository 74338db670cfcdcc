#include "engine/merge.hpp"

#include <algorithm>

#include "engine/apply.hpp"
#include "engine/fields.hpp"

namespace contactd::engine {

namespace {

// Appends the source's values the target lacks; false when the union is over the limit.
bool Union(std::vector<std::string>& target, const std::vector<std::string>& source, std::uint32_t limit) {
    for (const std::string& value : source) {
        if (std::find(target.begin(), target.end(), value) == target.end()) target.push_back(value);
    }
    return target.size() <= limit;
}

template <class T>
void FillNull(std::optional<T>& target, const std::optional<T>& source) {
    if (!target) target = source;
}

}  // namespace

MergeResult MergeContacts(const Contact& target, const Contact& source, const WorkspaceSettings& settings, Millis now) {
    MergeResult result;
    Contact merged = target;
    const struct {
        FieldId id;
        std::vector<std::string> Contact::*member;
    } lists[] = {{FieldId::kEmails, &Contact::emails},
                 {FieldId::kPhones, &Contact::phones},
                 {FieldId::kTags, &Contact::tags},
                 {FieldId::kLocations, &Contact::locations}};
    for (const auto& list : lists) {
        const FieldSpec& spec = SpecOf(list.id);
        if (!Union(merged.*list.member, source.*list.member, spec.max_values)) {
            result.refused = Remark{std::string(spec.name), Code::kTooManyValues,
                                    "the merged list would have " + std::to_string((merged.*list.member).size()) +
                                        " values; the limit is " + std::to_string(spec.max_values)};
            return result;
        }
    }
    for (auto member : {&Contact::first_name, &Contact::last_name, &Contact::second_last_name, &Contact::company_name,
                        &Contact::title, &Contact::whatsapp, &Contact::status, &Contact::source, &Contact::country_code,
                        &Contact::language, &Contact::external_reference_id, &Contact::external_reference_url}) {
        FillNull(merged.*member, source.*member);
    }
    FillNull(merged.priority, source.priority);
    for (auto member : {&Contact::whatsapp_transactional_opt_in, &Contact::email_transactional_opt_in,
                        &Contact::whatsapp_marketing_opt_in, &Contact::email_marketing_opt_in}) {
        FillNull(merged.*member, source.*member);
    }
    for (const auto& [slug, value] : source.custom_fields) merged.custom_fields.emplace(slug, value);
    if (!merged.identifier) merged.identifier = CurrentIdentifierValue(merged, settings.identifier_field);

    result.changed = !merged.SameData(target);
    if (result.changed) {
        for (const FieldSpec& spec : FieldCatalog()) {
            if (FieldDiffers(spec.id, target, merged)) result.changed_fields.emplace_back(spec.name);
        }
        merged.version = target.version + 1;
        merged.updated_at = now;
    }
    result.merged = std::move(merged);
    return result;
}

}  // namespace contactd::engine
