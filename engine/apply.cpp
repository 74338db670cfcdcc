#include "engine/apply.hpp"

#include <algorithm>

#include "engine/fields.hpp"

namespace contactd::engine {

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string LimitMessage(std::size_t count, std::uint32_t limit) {
    return "would leave " + std::to_string(count) + " values; the limit is " + std::to_string(limit);
}

//! Applies a write's changes to a copy of the contact, collecting apply-time drops.
class WriteApplier {
  public:
    WriteApplier(const ContactWrite& write, const ApplyContext& context) : write_(write), context_(context) {}

    Contact Apply(Contact next) {
        for (const FieldSpec& spec : FieldCatalog()) {
            if (write_.given.test(static_cast<std::size_t>(spec.id))) CopyScalarField(spec.id, write_.values, next);
        }
        // Arrays first, then the shorthands (SPEC §9: "applies the array, then the shorthand").
        ApplyList(FieldId::kEmails, write_.emails, next.emails);
        ApplyList(FieldId::kPhones, write_.phones, next.phones);
        ApplyList(FieldId::kTags, write_.tags, next.tags);
        ApplyList(FieldId::kLocations, write_.locations, next.locations);
        ApplyShorthand(FieldId::kEmail, write_.email, next.emails);
        ApplyShorthand(FieldId::kPhone, write_.phone, next.phones);
        ApplyCustomFields(next.custom_fields);
        return next;
    }

    std::vector<Remark>& remarks() { return remarks_; }
    int dropped() const { return dropped_; }

  private:
    void Drop(std::string field, std::string message) {
        ++dropped_;
        remarks_.push_back({std::move(field), Code::kTooManyValues, std::move(message)});
    }

    void ApplyList(FieldId id, const std::optional<ListChange>& change, std::vector<std::string>& list) {
        if (!change) return;
        const FieldSpec& spec = SpecOf(id);
        if (change->replace) {
            list = change->values;
            return;
        }
        std::vector<std::string> next;
        next.reserve(list.size() + change->add.size());
        for (const std::string& value : list) {
            if (!Contains(change->remove, value)) next.push_back(value);
        }
        for (const std::string& value : change->add) {
            if (!Contains(next, value)) next.push_back(value);
        }
        if (next.size() > spec.max_values) {
            return Drop(std::string(spec.name) + ".add", LimitMessage(next.size(), spec.max_values));
        }
        list = std::move(next);
    }

    void ApplyShorthand(FieldId id, const std::optional<std::optional<std::string>>& shorthand,
                        std::vector<std::string>& list) {
        if (!shorthand) return;
        if (!*shorthand) {  // null: the primary goes, the next value becomes primary
            if (!list.empty()) list.erase(list.begin());
            return;
        }
        const std::string& value = **shorthand;
        std::vector<std::string> next;
        next.reserve(list.size() + 1);
        next.push_back(value);
        for (const std::string& existing : list) {
            if (existing != value) next.push_back(existing);
        }
        const FieldSpec& list_spec = SpecOf(id == FieldId::kEmail ? FieldId::kEmails : FieldId::kPhones);
        if (next.size() > list_spec.max_values) {
            return Drop(std::string(SpecOf(id).name), LimitMessage(next.size(), list_spec.max_values));
        }
        list = std::move(next);
    }

    void ApplyCustomFields(CustomFields& fields) {
        if (!write_.custom_fields_named) return;
        if (context_.options.semantics == Semantics::kPut) {
            // PUT: the object is the whole set. Declared slugs it leaves out become null, except those whose
            // new value was refused: a dropped field changes nothing.
            for (const CustomFieldDef& def : context_.settings.custom_fields) {
                if (write_.custom_fields.count(def.slug) != 0) continue;
                const auto& dropped = write_.custom_fields_dropped;
                if (std::find(dropped.begin(), dropped.end(), def.slug) != dropped.end()) continue;
                fields.erase(def.slug);
            }
        }
        for (const auto& [slug, value] : write_.custom_fields) {
            if (value) {
                fields.insert_or_assign(slug, *value);
            } else {
                fields.erase(slug);
            }
        }
    }

    const ContactWrite& write_;
    const ApplyContext& context_;
    std::vector<Remark> remarks_;
    int dropped_ = 0;
};

std::vector<std::string> ChangedFields(const Contact& before, const Contact& after) {
    std::vector<std::string> changed;
    for (const FieldSpec& spec : FieldCatalog()) {
        if (FieldDiffers(spec.id, before, after)) changed.emplace_back(spec.name);
    }
    return changed;
}

std::string IdentifierMessage(const Contact& existing, const Contact& next, IdentifierField field) {
    const std::string& identifier = *existing.identifier;
    const std::string name(IdentifierFieldName(field));
    std::string what = "removed or replaced";
    if (field == IdentifierField::kPhone && Contains(next.phones, identifier)) what = "demoted from primary";
    if (field == IdentifierField::kEmail && Contains(next.emails, identifier)) what = "demoted from primary";
    return QuoteForMessage(identifier) + " is this contact's identifier (" + name + ") and cannot be " + what;
}

}  // namespace

std::optional<std::string> IdentifierValueOf(const ContactWrite& write, IdentifierField field) {
    const auto first_of = [](const std::optional<std::optional<std::string>>& shorthand,
                             const std::optional<ListChange>& list) -> std::optional<std::string> {
        if (shorthand && *shorthand) return **shorthand;
        if (list && list->replace && !list->values.empty()) return list->values.front();
        return std::nullopt;
    };
    switch (field) {
        case IdentifierField::kPhone:
            return first_of(write.phone, write.phones);
        case IdentifierField::kEmail:
            return first_of(write.email, write.emails);
        case IdentifierField::kExternalReferenceId:
            if (write.given.test(static_cast<std::size_t>(FieldId::kExternalReferenceId))) {
                return write.values.external_reference_id;
            }
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> CurrentIdentifierValue(const Contact& contact, IdentifierField field) {
    switch (field) {
        case IdentifierField::kPhone:
            return contact.phones.empty() ? std::nullopt : std::optional<std::string>(contact.phones.front());
        case IdentifierField::kEmail:
            return contact.emails.empty() ? std::nullopt : std::optional<std::string>(contact.emails.front());
        case IdentifierField::kExternalReferenceId:
            return contact.external_reference_id;
    }
    return std::nullopt;
}

ContactSelector SelectorOf(const ContactWrite& write, WriteMode mode, IdentifierField field) {
    ContactSelector selector;
    if (mode != WriteMode::kCreate) selector.id = write.id;
    selector.identifier = IdentifierValueOf(write, field);
    return selector;
}

WriteResult ApplyWrite(const ContactWrite& write, const Contact* existing, const ApplyContext& context) {
    const WriteOptions& options = context.options;
    const IdentifierField identifier_field = context.settings.identifier_field;
    std::vector<Remark> remarks = write.remarks;
    const std::string identifier_name(IdentifierFieldName(identifier_field));
    // Item-level reasons are remarks too, naming the field that decided them ("" for the item itself).
    const auto ignored = [&](Code code, std::string field = {}, std::string message = {}) {
        if (!message.empty()) remarks.push_back({std::move(field), code, std::move(message)});
        WriteResult result;
        result.outcome = Outcome::Ignored(code, std::move(remarks), existing ? existing->id : std::string());
        return result;
    };

    // Which contact, and whether this mode may write it.
    if (existing == nullptr) {
        const ContactSelector selector = SelectorOf(write, options.mode, identifier_field);
        if (options.mode != WriteMode::kCreate) {
            if (selector.id) {
                return ignored(Code::kContactNotFound, "id", "no contact has the id " + QuoteForMessage(*selector.id));
            }
            if (!selector.identifier) {
                return ignored(
                    Code::kMissingIdentifier, identifier_name,
                    "the item has no id and no " + identifier_name + " (the workspace identifier field) to match on");
            }
            if (options.mode == WriteMode::kUpdate) {
                return ignored(Code::kContactNotFound, identifier_name,
                               "no contact has the " + identifier_name + " " + QuoteForMessage(*selector.identifier));
            }
        }
        if (write.expected_version) {
            return ignored(
                Code::kVersionConflict, "expected_version",
                "expected version " + std::to_string(*write.expected_version) + ", but the contact does not exist");
        }
    } else {
        if (options.mode == WriteMode::kCreate) {
            WriteResult result = ignored(Code::kAlreadyExists, identifier_name,
                                         "a contact with the " + identifier_name + " " +
                                             QuoteForMessage(existing->identifier.value_or("")) + " already exists (" +
                                             existing->id + ")");
            result.outcome.conflicting_contact_id = existing->id;
            return result;
        }
        if (write.expected_version && *write.expected_version != existing->version) {
            return ignored(Code::kVersionConflict, "expected_version",
                           "expected version " + std::to_string(*write.expected_version) +
                               ", but the contact is at version " + std::to_string(existing->version));
        }
    }
    if (options.reject_invalid_fields && !remarks.empty()) return ignored(Code::kInvalidFields);

    // What the item starts from: the stored contact, or an empty one with its new id. The applier works on a
    // copy of it, the only copy an update makes.
    Contact fresh;
    if (existing == nullptr) {
        fresh.id = context.new_contact_id;
        fresh.workspace_id = context.settings.id;
    }
    const Contact& before = existing != nullptr ? *existing : fresh;
    WriteApplier applier(write, context);
    Contact next = applier.Apply(before);
    for (Remark& remark : applier.remarks()) remarks.push_back(std::move(remark));
    if (options.reject_invalid_fields && !remarks.empty()) return ignored(Code::kInvalidFields);
    if (write.named_fields > 0 && write.dropped_fields + applier.dropped() >= write.named_fields) {
        return ignored(Code::kNoValidFields, "", "every field the item named was dropped");
    }

    // The identifier is fixed once set: it must stay the primary value of its field (SPEC §9).
    const std::optional<std::string> current = CurrentIdentifierValue(next, identifier_field);
    if (existing != nullptr && existing->identifier) {
        if (current != existing->identifier) {
            return ignored(Code::kIdentifierImmutable, identifier_name,
                           IdentifierMessage(*existing, next, identifier_field));
        }
    } else {
        next.identifier = current;
    }

    WriteResult result;
    if (existing != nullptr && next.SameData(*existing)) {
        result.outcome = Outcome::Ok(Action::kUnchanged, existing->id, std::move(remarks));
        result.contact = *existing;
        return result;
    }
    result.changed_fields = ChangedFields(before, next);
    if (existing == nullptr) {
        next.version = 1;
        next.created_at = context.now;
    } else {
        next.version = existing->version + 1;
    }
    next.updated_at = context.now;
    result.outcome = Outcome::Ok(existing ? Action::kUpdated : Action::kCreated, next.id, std::move(remarks));
    result.contact = std::move(next);
    return result;
}

UniqueKind IdentifierKind(IdentifierField field) {
    switch (field) {
        case IdentifierField::kPhone:
            return UniqueKind::kPhone;
        case IdentifierField::kEmail:
            return UniqueKind::kEmail;
        case IdentifierField::kExternalReferenceId:
            return UniqueKind::kExternalReferenceId;
    }
    return UniqueKind::kPhone;
}

std::vector<UniqueClaim> UniqueClaimsOf(const Contact& contact, IdentifierField identifier_field) {
    std::vector<UniqueClaim> claims;
    claims.reserve(contact.emails.size() + contact.phones.size() + 2);
    ForEachUniqueValue(contact, identifier_field, [&](UniqueKind kind, const std::string& value) {
        claims.push_back({kind, value});
    });
    return claims;
}

bool SameUniqueValues(const Contact& a, const Contact& b) {
    return a.emails == b.emails && a.phones == b.phones && a.whatsapp == b.whatsapp &&
           a.external_reference_id == b.external_reference_id;
}

std::string_view UniqueKindField(UniqueKind kind) {
    switch (kind) {
        case UniqueKind::kEmail:
            return "emails";
        case UniqueKind::kPhone:
            return "phones";
        case UniqueKind::kWhatsapp:
            return "whatsapp";
        case UniqueKind::kExternalReferenceId:
            return "external_reference_id";
    }
    return "emails";
}

Outcome DuplicateValueOutcome(const UniqueClaim& claim, const std::string& holder_id, std::string contact_id,
                              std::vector<Remark> remarks) {
    remarks.push_back({std::string(UniqueKindField(claim.kind)), Code::kDuplicateValue,
                       QuoteForMessage(claim.value) + " already belongs to contact " + holder_id});
    Outcome outcome = Outcome::Ignored(Code::kDuplicateValue, std::move(remarks), std::move(contact_id));
    outcome.conflicting_contact_id = holder_id;
    return outcome;
}

}  // namespace contactd::engine
