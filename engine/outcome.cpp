#include "engine/outcome.hpp"

#include "engine/json_writer.hpp"
#include "engine/text_rules.hpp"

namespace contactd::engine {

std::string_view CodeName(Code code) {
    switch (code) {
        case Code::kInvalidType:
            return "INVALID_TYPE";
        case Code::kInvalidFormat:
            return "INVALID_FORMAT";
        case Code::kValueTooLong:
            return "VALUE_TOO_LONG";
        case Code::kTooManyValues:
            return "TOO_MANY_VALUES";
        case Code::kInvalidCharacters:
            return "INVALID_CHARACTERS";
        case Code::kInvalidEnum:
            return "INVALID_ENUM";
        case Code::kUnknownStatus:
            return "UNKNOWN_STATUS";
        case Code::kUnknownField:
            return "UNKNOWN_FIELD";
        case Code::kReadOnlyField:
            return "READ_ONLY_FIELD";
        case Code::kContactNotFound:
            return "CONTACT_NOT_FOUND";
        case Code::kDuplicateValue:
            return "DUPLICATE_VALUE";
        case Code::kIdentifierImmutable:
            return "IDENTIFIER_IMMUTABLE";
        case Code::kAlreadyExists:
            return "ALREADY_EXISTS";
        case Code::kMissingIdentifier:
            return "MISSING_IDENTIFIER";
        case Code::kNoValidFields:
            return "NO_VALID_FIELDS";
        case Code::kVersionConflict:
            return "VERSION_CONFLICT";
        case Code::kInvalidItem:
            return "INVALID_ITEM";
        case Code::kItemTooLarge:
            return "ITEM_TOO_LARGE";
        case Code::kCancelled:
            return "CANCELLED";
        case Code::kInvalidFields:
            return "INVALID_FIELDS";
    }
    return "UNKNOWN";
}

bool IsFieldLevel(Code code) { return code <= Code::kReadOnlyField; }

std::string_view StatusName(Status status) { return status == Status::kOk ? "OK" : "IGNORED"; }

std::string_view ActionName(Action action) {
    switch (action) {
        case Action::kCreated:
            return "created";
        case Action::kUpdated:
            return "updated";
        case Action::kUnchanged:
            return "unchanged";
    }
    return "unchanged";
}

Outcome Outcome::Ok(Action action, std::string contact_id, std::vector<Remark> remarks) {
    Outcome outcome;
    outcome.status = Status::kOk;
    outcome.action = action;
    outcome.contact_id = std::move(contact_id);
    outcome.remarks = std::move(remarks);
    return outcome;
}

Outcome Outcome::Ignored(Code code, std::vector<Remark> remarks, std::string contact_id) {
    Outcome outcome;
    outcome.status = Status::kIgnored;
    outcome.ignored_code = code;
    outcome.remarks = std::move(remarks);
    outcome.contact_id = std::move(contact_id);
    return outcome;
}

std::string QuoteForMessage(std::string_view value, std::size_t max_code_points) {
    const std::string_view prefix = PrefixCodePoints(value, max_code_points);
    std::string quoted;
    AppendJsonString(quoted, prefix);
    if (prefix.size() < value.size()) quoted.insert(quoted.size() - 1, "\xE2\x80\xA6");  // "…" inside quotes
    return quoted;
}

}  // namespace contactd::engine
