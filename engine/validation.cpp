#include "engine/validation.hpp"

#include <algorithm>
#include <cmath>

#include "engine/date_time.hpp"
#include "engine/email_address.hpp"
#include "engine/iso_codes.hpp"
#include "engine/phone_number.hpp"
#include "engine/text_rules.hpp"
#include "engine/url.hpp"

namespace contactd::engine {

namespace {

constexpr std::size_t kMaxRefLength = 255;
// Closed sets refuse values by membership (INVALID_ENUM), whatever their length.
constexpr std::size_t kNoLengthLimit = static_cast<std::size_t>(-1);
// Integers beyond ±2^53 cannot be stored exactly in a number field; refusing them beats rounding silently.
constexpr double kMaxExactInteger = 9007199254740992.0;

//! "a number (42)": the JSON type and a short quote of the value, for INVALID_TYPE messages.
std::string Got(const Json& value) {
    std::string text(value.TypeName());
    if (value.IsNull()) return text;
    const std::string json = value.ToJsonText();
    if (value.IsArray() || value.IsObject()) return text;
    const std::string_view shown = PrefixCodePoints(json, 64);
    text += " (";
    text += shown;
    if (shown.size() < json.size()) text += "\xE2\x80\xA6";
    text += ")";
    return text;
}

Problem TypeProblem(std::string_view expected, const Json& value) {
    return MakeProblem(Code::kInvalidType, "expected " + std::string(expected) + ", got " + Got(value));
}

//! A string checked for characters and length.
Checked<std::string> CheckedString(const Json& value, TextKind kind, std::size_t max_length) {
    if (!value.IsString()) return TypeProblem("a string", value);
    auto checked = CheckText(value.text(), kind, max_length);
    if (!checked.ok()) return checked.problem();
    return value.text();
}

Checked<std::string> NonEmptyString(const Json& value, std::size_t max_length) {
    auto text = CheckedString(value, TextKind::kSingleLine, max_length);
    if (text.ok() && text.value().empty()) return MakeProblem(Code::kInvalidFormat, "must not be empty");
    return text;
}

std::string ExpectedSources() {
    std::string list;
    for (std::string_view source : kSources) {
        if (!list.empty()) list += ", ";
        list += source;
    }
    return list;
}

//! The suggestion for a near miss: a name that differs only by case or surrounding spaces.
std::optional<std::string> CaseInsensitiveMatch(std::string_view input, const auto& candidates) {
    const std::string wanted = AsciiLower(TrimAsciiSpace(input));
    for (const auto& candidate : candidates) {
        if (AsciiLower(TrimAsciiSpace(candidate)) == wanted) return std::string(candidate);
    }
    return std::nullopt;
}

class WriteValidator {
  public:
    WriteValidator(const WorkspaceSettings& settings, const ValidationOptions& options)
        : settings_(settings), options_(options) {}

    Checked<ContactWrite> Run(const Json& body) {
        if (!body.IsObject()) {
            return MakeProblem(Code::kInvalidItem, "expected a JSON object, got " + Got(body));
        }
        for (const auto& [name, value] : body.members()) {
            if (options_.batch_item) {
                auto control = ItemControl(name, value);
                if (!control.ok()) return control.problem();
                if (control.value()) continue;
            }
            if (const auto field = FindField(name)) {
                ++write_.named_fields;
                if (*field == FieldId::kCustomFields) {
                    CustomFields(value);
                } else {
                    Field(*field, value);
                }
            } else {
                ++write_.named_fields;
                DropField(name, UnknownOrReadOnly(name));
            }
        }
        return std::move(write_);
    }

  private:
    // Handles `id`, `ref` and `expected_version` on batch items; true when `name` was one of them.
    Checked<bool> ItemControl(std::string_view name, const Json& value) {
        if (name == "id" && options_.mode != WriteMode::kCreate) {
            if (value.IsNull()) return true;
            if (!value.IsString()) return MakeProblem(Code::kInvalidItem, "\"id\" must be a string, got " + Got(value));
            write_.id = value.text();
            return true;
        }
        if (name == "ref") {
            if (value.IsNull()) return true;
            auto ref = CheckedString(value, TextKind::kSingleLine, kMaxRefLength);
            if (!ref.ok()) return MakeProblem(Code::kInvalidItem, "\"ref\" " + ref.problem().message);
            write_.ref = std::move(ref).value();
            return true;
        }
        if (name == "expected_version") {
            if (value.IsNull()) return true;
            if (!value.FitsInt64() || value.AsInt64() < 1) {
                return MakeProblem(Code::kInvalidItem,
                                   "\"expected_version\" must be a positive integer, got " + Got(value));
            }
            write_.expected_version = value.AsInt64();
            return true;
        }
        return false;
    }

    Problem UnknownOrReadOnly(std::string_view name) const {
        if (IsReadOnlyField(name)) {
            return MakeProblem(Code::kReadOnlyField, "is maintained by contactd and cannot be written");
        }
        std::string message = "is not a contact field";
        std::vector<std::string_view> names;
        for (const FieldSpec& spec : FieldCatalog()) names.push_back(spec.name);
        if (auto near = CaseInsensitiveMatch(name, names)) message += "; did you mean \"" + *near + "\"?";
        return MakeProblem(Code::kUnknownField, message);
    }

    void Drop(std::string field, const Problem& problem) {
        write_.remarks.push_back({std::move(field), problem.code, problem.message});
    }

    // Records a dropped top-level field (counted once for NO_VALID_FIELDS).
    void DropField(std::string field, const Problem& problem) {
        ++write_.dropped_fields;
        Drop(std::move(field), problem);
    }

    void Field(FieldId id, const Json& value) {
        const FieldSpec& spec = SpecOf(id);
        const std::string name(spec.name);
        switch (spec.kind) {
            case FieldKind::kEmailList:
            case FieldKind::kPhoneList:
            case FieldKind::kTextList:
                return List(spec, value);
            case FieldKind::kShorthand:
                return Shorthand(spec, value);
            case FieldKind::kCustomFields:
                return CustomFields(value);
            default:
                break;
        }
        if (value.IsNull()) {  // null clears any scalar
            write_.given.set(static_cast<std::size_t>(id));
            return;
        }
        auto problem = Scalar(spec, value);
        if (problem) return DropField(name, *problem);
        write_.given.set(static_cast<std::size_t>(id));
    }

    // Validates one non-null scalar into write_.values; returns the problem when it is refused.
    std::optional<Problem> Scalar(const FieldSpec& spec, const Json& value) {
        Contact& out = write_.values;
        switch (spec.kind) {
            case FieldKind::kText: {
                auto text = spec.id == FieldId::kExternalReferenceId
                                ? NonEmptyString(value, spec.max_length)
                                : CheckedString(value, TextKind::kSingleLine, spec.max_length);
                if (!text.ok()) return text.problem();
                SetText(spec.id, std::move(text).value());
                return std::nullopt;
            }
            case FieldKind::kPhone: {
                auto phone = Phone(value);
                if (!phone.ok()) return phone.problem();
                out.whatsapp = std::move(phone).value();
                return std::nullopt;
            }
            case FieldKind::kStatus:
                return Status(value);
            case FieldKind::kPriority:
                return Priority(value);
            case FieldKind::kSource: {
                auto text = CheckedString(value, TextKind::kSingleLine, kNoLengthLimit);
                if (!text.ok()) return text.problem();
                if (std::find(kSources.begin(), kSources.end(), text.value()) == kSources.end()) {
                    return MakeProblem(Code::kInvalidEnum, "expected one of " + ExpectedSources() + "; got " +
                                                               QuoteForMessage(text.value()));
                }
                out.source = std::move(text).value();
                return std::nullopt;
            }
            case FieldKind::kCountry: {
                auto text = CheckedString(value, TextKind::kSingleLine, kNoLengthLimit);
                if (!text.ok()) return text.problem();
                std::string code = AsciiUpper(text.value());
                if (!IsCountryCode(code)) {
                    return MakeProblem(Code::kInvalidEnum,
                                       QuoteForMessage(text.value()) + " is not an ISO 3166-1 alpha-2 country code");
                }
                out.country_code = std::move(code);
                return std::nullopt;
            }
            case FieldKind::kLanguage: {
                auto text = CheckedString(value, TextKind::kSingleLine, kNoLengthLimit);
                if (!text.ok()) return text.problem();
                std::string code = AsciiLower(text.value());
                if (!IsLanguageCode(code)) {
                    return MakeProblem(Code::kInvalidEnum,
                                       QuoteForMessage(text.value()) + " is not an ISO 639-1 language code");
                }
                out.language = std::move(code);
                return std::nullopt;
            }
            case FieldKind::kBoolean: {
                if (!value.IsBool()) return TypeProblem("a boolean", value);
                SetBool(spec.id, value.AsBool());
                return std::nullopt;
            }
            case FieldKind::kUrl: {
                if (!value.IsString()) return TypeProblem("a string", value);
                auto characters = CheckCharacters(value.text(), TextKind::kSingleLine);
                if (!characters.ok()) return characters.problem();
                auto url = CheckHttpUrl(value.text());
                if (!url.ok()) return url.problem();
                out.external_reference_url = std::move(url).value();
                return std::nullopt;
            }
            default:
                return MakeProblem(Code::kInvalidType, "is not a scalar field");
        }
    }

    std::optional<Problem> Status(const Json& value) {
        auto text = CheckedString(value, TextKind::kSingleLine, kMaxTextLength);
        if (!text.ok()) return text.problem();
        const auto& stages = settings_.lead_stages;
        if (std::find(stages.begin(), stages.end(), text.value()) != stages.end()) {
            write_.values.status = std::move(text).value();
            return std::nullopt;
        }
        std::string message = QuoteForMessage(text.value()) + " is not a lead stage of this workspace";
        if (auto near = CaseInsensitiveMatch(text.value(), stages)) {
            message += "; did you mean " + QuoteForMessage(*near) + "?";
        } else {
            message += " (GET /v1/lead-stages lists them)";
        }
        return MakeProblem(Code::kUnknownStatus, message);
    }

    std::optional<Problem> Priority(const Json& value) {
        if (!value.IsNumber() || !value.IsIntegerToken()) return TypeProblem("an integer from 1 to 5", value);
        if (!value.FitsInt64() || value.AsInt64() < 1 || value.AsInt64() > 5) {
            return MakeProblem(Code::kInvalidEnum, "must be an integer from 1 to 5, got " + value.text());
        }
        write_.values.priority = static_cast<std::int32_t>(value.AsInt64());
        return std::nullopt;
    }

    Checked<std::string> Phone(const Json& value) {
        if (!value.IsString()) return TypeProblem("a phone number string", value);
        auto characters = CheckCharacters(value.text(), TextKind::kSingleLine);
        if (!characters.ok()) return characters.problem();
        return NormalizePhoneNumber(value.text(), settings_.default_country);
    }

    Checked<std::string> Email(const Json& value) {
        if (!value.IsString()) return TypeProblem("an e-mail address string", value);
        return NormalizeEmailAddress(value.text());
    }

    // One element of a list field, normalised.
    Checked<std::string> Element(const FieldSpec& spec, const Json& value) {
        switch (spec.kind) {
            case FieldKind::kEmailList:
                return Email(value);
            case FieldKind::kPhoneList:
                return Phone(value);
            default:
                return NonEmptyString(value, spec.max_length);
        }
    }

    // Validates an array of elements; the first bad element refuses the whole array (SPEC §9).
    std::optional<std::vector<std::string>> Elements(const FieldSpec& spec, const Json& array,
                                                     const std::string& path) {
        std::vector<std::string> values;
        values.reserve(array.elements().size());
        for (std::size_t i = 0; i < array.elements().size(); ++i) {
            auto element = Element(spec, array.elements()[i]);
            if (!element.ok()) {
                DropField(path + "[" + std::to_string(i) + "]", element.problem());
                return std::nullopt;
            }
            if (std::find(values.begin(), values.end(), element.value()) == values.end()) {
                values.push_back(std::move(element).value());
            }
        }
        return values;
    }

    void SetList(FieldId id, ListChange change) {
        switch (id) {
            case FieldId::kEmails:
                write_.emails = std::move(change);
                break;
            case FieldId::kPhones:
                write_.phones = std::move(change);
                break;
            case FieldId::kTags:
                write_.tags = std::move(change);
                break;
            default:
                write_.locations = std::move(change);
                break;
        }
    }

    void List(const FieldSpec& spec, const Json& value) {
        const std::string name(spec.name);
        if (value.IsNull()) return SetList(spec.id, ListChange{});
        if (value.IsArray()) {
            auto values = Elements(spec, value, name);
            if (!values) return;
            if (values->size() > spec.max_values) {
                return DropField(name, MakeProblem(Code::kTooManyValues, "has " + std::to_string(values->size()) +
                                                                             " distinct values; the limit is " +
                                                                             std::to_string(spec.max_values)));
            }
            return SetList(spec.id, ListChange{true, std::move(*values), {}, {}});
        }
        if (!value.IsObject()) {
            return DropField(name, TypeProblem("an array, an {\"add\", \"remove\"} object or null", value));
        }
        ListChange change;
        change.replace = false;
        for (const auto& [op, operand] : value.members()) {
            const std::string path = name + "." + op;
            if (op != "add" && op != "remove") {
                return DropField(name,
                                 MakeProblem(Code::kInvalidFormat, "has the unknown operation " + QuoteForMessage(op) +
                                                                       "; use \"add\" and \"remove\""));
            }
            if (!operand.IsArray()) return DropField(path, TypeProblem("an array", operand));
            auto values = Elements(spec, operand, path);
            if (!values) return;
            if (values->size() > spec.max_values) {
                return DropField(path, MakeProblem(Code::kTooManyValues, "has " + std::to_string(values->size()) +
                                                                             " distinct values; the limit is " +
                                                                             std::to_string(spec.max_values)));
            }
            (op == "add" ? change.add : change.remove) = std::move(*values);
        }
        SetList(spec.id, std::move(change));
    }

    void Shorthand(const FieldSpec& spec, const Json& value) {
        const bool is_email = spec.id == FieldId::kEmail;
        auto& target = is_email ? write_.email : write_.phone;
        if (value.IsNull()) {
            target = std::optional<std::string>{};
            return;
        }
        auto normalized = is_email ? Email(value) : Phone(value);
        if (!normalized.ok()) return DropField(std::string(spec.name), normalized.problem());
        target = std::optional<std::string>{std::move(normalized).value()};
    }

    void CustomFields(const Json& value) {
        write_.custom_fields_named = true;
        if (value.IsNull()) {  // clears every custom field
            for (const CustomFieldDef& def : settings_.custom_fields) write_.custom_fields[def.slug] = std::nullopt;
            return;
        }
        if (!value.IsObject()) {
            return DropField("custom_fields", TypeProblem("an object keyed by custom field slug", value));
        }
        // Each slug counts as a field of its own; the "custom_fields" key itself was counted by the caller.
        if (!value.members().empty()) --write_.named_fields;
        for (const auto& [slug, slug_value] : value.members()) {
            ++write_.named_fields;
            const std::string path = "custom_fields." + slug;
            const CustomFieldDef* def = settings_.FindCustomField(slug);
            if (def == nullptr) {
                DropField(path, MakeProblem(Code::kUnknownField, "is not a custom field of this workspace"));
                continue;
            }
            if (slug_value.IsNull()) {
                write_.custom_fields[slug] = std::nullopt;
                continue;
            }
            auto custom = CustomValueOf(*def, slug_value);
            if (!custom.ok()) {
                DropField(path, custom.problem());
                write_.custom_fields_dropped.push_back(slug);
                continue;
            }
            write_.custom_fields[slug] = std::move(custom).value();
        }
    }

    Checked<CustomValue> CustomValueOf(const CustomFieldDef& def, const Json& value) const {
        switch (def.type) {
            case CustomFieldType::kText: {
                auto text = CheckedString(value, TextKind::kMultiLine, def.max_length);
                if (!text.ok()) return text.problem();
                return CustomValue{std::move(text).value()};
            }
            case CustomFieldType::kNumber: {
                if (!value.IsNumber()) return TypeProblem("a number", value);
                const double number = value.AsDouble();
                if (!std::isfinite(number) || (value.IsIntegerToken() && std::fabs(number) > kMaxExactInteger)) {
                    return MakeProblem(Code::kInvalidFormat,
                                       "the number " + std::string(PrefixCodePoints(value.text(), 40)) +
                                           " is out of range (integers up to ±2^53, finite decimals)");
                }
                return CustomValue{number == 0 ? 0.0 : number};  // -0 and 0 are one value
            }
            case CustomFieldType::kBoolean:
                if (!value.IsBool()) return TypeProblem("a boolean", value);
                return CustomValue{value.AsBool()};
            case CustomFieldType::kDate: {
                auto date = ParseDateInput(value, settings_.date_format);
                if (!date.ok()) return date.problem();
                return CustomValue{DateValue{date.value()}};
            }
        }
        return MakeProblem(Code::kInvalidType, "has an unknown type");
    }

    void SetText(FieldId id, std::string text) {
        Contact& out = write_.values;
        switch (id) {
            case FieldId::kFirstName:
                out.first_name = std::move(text);
                break;
            case FieldId::kLastName:
                out.last_name = std::move(text);
                break;
            case FieldId::kSecondLastName:
                out.second_last_name = std::move(text);
                break;
            case FieldId::kCompanyName:
                out.company_name = std::move(text);
                break;
            case FieldId::kTitle:
                out.title = std::move(text);
                break;
            case FieldId::kExternalReferenceId:
                out.external_reference_id = std::move(text);
                break;
            default:
                break;
        }
    }

    void SetBool(FieldId id, bool flag) {
        Contact& out = write_.values;
        switch (id) {
            case FieldId::kWhatsappTransactionalOptIn:
                out.whatsapp_transactional_opt_in = flag;
                break;
            case FieldId::kEmailTransactionalOptIn:
                out.email_transactional_opt_in = flag;
                break;
            case FieldId::kWhatsappMarketingOptIn:
                out.whatsapp_marketing_opt_in = flag;
                break;
            case FieldId::kEmailMarketingOptIn:
                out.email_marketing_opt_in = flag;
                break;
            default:
                break;
        }
    }

    const WorkspaceSettings& settings_;
    const ValidationOptions& options_;
    ContactWrite write_;
};

}  // namespace

Checked<ContactWrite> ValidateWrite(const Json& body, const WorkspaceSettings& settings,
                                    const ValidationOptions& options) {
    return WriteValidator(settings, options).Run(body);
}

}  // namespace contactd::engine
