#pragma once
// Write semantics (SPEC §3, §9): applies a validated write to the contact it selected and decides the
// item's outcome: created, updated or unchanged, or IGNORED with the item-level reason.

#include <optional>
#include <string>
#include <vector>

#include "engine/contact.hpp"
#include "engine/contact_write.hpp"
#include "engine/outcome.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! How a write is to be applied.
struct WriteOptions {
    WriteMode mode = WriteMode::kUpsert;
    Semantics semantics = Semantics::kPatch;
    bool reject_invalid_fields = false;  // invalid_fields=reject: any remark ignores the item
};

//! Everything ApplyWrite needs besides the write and the selected contact. Time and the id of a contact
//! to create are parameters: the engine reads no clock and draws no randomness.
struct ApplyContext {
    const WorkspaceSettings& settings;
    WriteOptions options;
    Millis now = 0;
    std::string new_contact_id;  // used when the write creates a contact
};

//! What a write did: the outcome and, when OK, the contact as it now is.
struct WriteResult {
    Outcome outcome;
    std::optional<Contact> contact;           // the state after the write (OK only)
    std::vector<std::string> changed_fields;  // field names whose value changed
};

//! How an item finds its contact: by id (or alias), else by the workspace identifier value.
struct ContactSelector {
    std::optional<std::string> id;
    std::optional<std::string> identifier;
    bool empty() const { return !id && !identifier; }
};

//! The selector of a write. In create mode only the identifier is used (to detect ALREADY_EXISTS).
ContactSelector SelectorOf(const ContactWrite& write, WriteMode mode, IdentifierField field);

//! The identifier value a write carries: `phone` or `phones[0]`, `email` or `emails[0]`, or
//! `external_reference_id`, normalised.
std::optional<std::string> IdentifierValueOf(const ContactWrite& write, IdentifierField field);

//! The value a contact's identifier field holds now (phones[0], emails[0] or external_reference_id).
std::optional<std::string> CurrentIdentifierValue(const Contact& contact, IdentifierField field);

//! Applies `write` to `existing` (nullptr when the selector found no contact) and decides the outcome.
WriteResult ApplyWrite(const ContactWrite& write, const Contact* existing, const ApplyContext& context);

//! The unique kinds whose values a contact claims in its workspace (SPEC §1 "unique fields").
enum class UniqueKind : std::uint8_t { kEmail = 1, kPhone = 2, kWhatsapp = 3, kExternalReferenceId = 4 };

//! One unique value a contact holds.
struct UniqueClaim {
    UniqueKind kind;
    std::string value;
    friend bool operator==(const UniqueClaim&, const UniqueClaim&) = default;
    friend auto operator<=>(const UniqueClaim&, const UniqueClaim&) = default;
};

//! The kind of claim a workspace's identifier values are (an identifier is always one of its unique values).
UniqueKind IdentifierKind(IdentifierField field);

//! Calls `visit(kind, value)` for every unique value of `contact`: its e-mails, its phones (only when the
//! workspace identifies by phone), WhatsApp and external reference id. The values are the contact's own.
template <typename Visit>
void ForEachUniqueValue(const Contact& contact, IdentifierField identifier_field, Visit&& visit) {
    for (const std::string& email : contact.emails) visit(UniqueKind::kEmail, email);
    if (identifier_field == IdentifierField::kPhone) {
        for (const std::string& phone : contact.phones) visit(UniqueKind::kPhone, phone);
    }
    if (contact.whatsapp) visit(UniqueKind::kWhatsapp, *contact.whatsapp);
    if (contact.external_reference_id) visit(UniqueKind::kExternalReferenceId, *contact.external_reference_id);
}

//! The values ForEachUniqueValue visits, as claims.
std::vector<UniqueClaim> UniqueClaimsOf(const Contact& contact, IdentifierField identifier_field);

//! Whether two states of a contact hold the same unique values: the fields claims come from are equal. Much
//! cheaper than comparing their UniqueClaimsOf, and most updates leave these fields alone.
bool SameUniqueValues(const Contact& a, const Contact& b);

//! The field name a unique kind is reported under ("emails", "phones", "whatsapp", ...).
std::string_view UniqueKindField(UniqueKind kind);

//! The outcome of an item whose unique value is held by another contact.
Outcome DuplicateValueOutcome(const UniqueClaim& claim, const std::string& holder_id, std::string contact_id,
                              std::vector<Remark> remarks);

}  // namespace contactd::engine
