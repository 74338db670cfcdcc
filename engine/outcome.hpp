#pragma once
// The outcome model of SPEC §4: every write item ends OK (with an action) or IGNORED, and carries
// remarks that name the field, the rule and the offending value.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::engine {

//! Why a field was dropped (field level) or an item was ignored (item level).
enum class Code {
    // Field level: the field is dropped, the rest of the item goes on.
    kInvalidType,
    kInvalidFormat,
    kValueTooLong,
    kTooManyValues,
    kInvalidCharacters,
    kInvalidEnum,
    kUnknownStatus,
    kUnknownField,
    kReadOnlyField,
    // Item level: nothing of the item persists.
    kContactNotFound,
    kDuplicateValue,
    kIdentifierImmutable,
    kAlreadyExists,
    kMissingIdentifier,
    kNoValidFields,
    kVersionConflict,
    kInvalidItem,
    kItemTooLarge,
    kCancelled,
    kInvalidFields,  // invalid_fields=reject refused the item for its field remarks
};

//! The wire name of a code, e.g. "INVALID_TYPE".
std::string_view CodeName(Code code);
//! Field-level codes drop a field; item-level codes ignore the whole item.
bool IsFieldLevel(Code code);

//! One finding about one field: `{"field", "code", "message"}`.
struct Remark {
    std::string field;  // "custom_fields.profile_field_16", "emails[1]", "tags.add[0]", or "" for the item
    Code code;
    std::string message;

    friend bool operator==(const Remark&, const Remark&) = default;
};

enum class Status { kOk, kIgnored };
enum class Action { kCreated, kUpdated, kUnchanged };

std::string_view StatusName(Status status);
std::string_view ActionName(Action action);

//! The result of one write item.
struct Outcome {
    Status status = Status::kOk;
    std::optional<Action> action;      // set when OK
    std::optional<Code> ignored_code;  // set when IGNORED: the item-level reason
    std::vector<Remark> remarks;
    std::string contact_id;              // the contact written (OK) or addressed, when known
    std::string conflicting_contact_id;  // DUPLICATE_VALUE / ALREADY_EXISTS: the contact holding the value

    static Outcome Ok(Action action, std::string contact_id, std::vector<Remark> remarks);
    static Outcome Ignored(Code code, std::vector<Remark> remarks, std::string contact_id = {});
    bool ok() const { return status == Status::kOk; }
};

//! Quotes a value for a message, cut to a readable length at a code point boundary: `"abc…"`.
std::string QuoteForMessage(std::string_view value, std::size_t max_code_points = 64);

}  // namespace contactd::engine
