#include "engine/workspace_admin.hpp"

#include <algorithm>

#include "engine/date_time.hpp"
#include "engine/iso_codes.hpp"
#include "engine/text_rules.hpp"

namespace contactd::engine {

namespace {

constexpr std::size_t kMaxLeadStages = 100;
constexpr std::size_t kMaxCustomFields = 200;
constexpr std::int64_t kMaxRequestsPerMinute = 1000000;
constexpr std::int64_t kMaxItemsPerSecond = 10000000;

bool IsIdCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsSlug(std::string_view slug) {
    if (slug.empty() || slug.size() > 64 || !(slug[0] >= 'a' && slug[0] <= 'z')) return false;
    return std::all_of(slug.begin(), slug.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

class SettingsEditor {
  public:
    SettingsEditor(WorkspaceSettings settings, bool creating) : settings_(std::move(settings)), creating_(creating) {}

    WorkspaceEdit Run(const Json& body) {
        if (!body.IsObject()) {
            Error("", Code::kInvalidType, "the body must be a JSON object");
            return Finish();
        }
        for (const auto& [name, value] : body.members()) Member(name, value);
        const bool id_refused =
            std::any_of(errors_.begin(), errors_.end(), [](const Remark& r) { return r.field == "id"; });
        if (creating_ && settings_.id.empty() && !id_refused) Error("id", Code::kInvalidFormat, "is required");
        if (creating_ && settings_.name.empty()) settings_.name = settings_.id;
        return Finish();
    }

  private:
    WorkspaceEdit Finish() { return {std::move(settings_), std::move(errors_)}; }

    void Error(std::string field, Code code, std::string message) {
        errors_.push_back({std::move(field), code, std::move(message)});
    }

    std::optional<std::string> Text(const std::string& field, const Json& value, std::size_t max_length) {
        if (!value.IsString()) {
            Error(field, Code::kInvalidType, "expected a string, got " + std::string(value.TypeName()));
            return std::nullopt;
        }
        auto checked = CheckText(value.text(), TextKind::kSingleLine, max_length);
        if (!checked.ok()) {
            Error(field, checked.problem().code, checked.problem().message);
            return std::nullopt;
        }
        return value.text();
    }

    std::optional<std::int32_t> Positive(const std::string& field, const Json& value, std::int64_t max) {
        if (!value.FitsInt64() || value.AsInt64() < 1 || value.AsInt64() > max) {
            Error(field, value.IsNumber() && value.IsIntegerToken() ? Code::kInvalidEnum : Code::kInvalidType,
                  "must be an integer from 1 to " + std::to_string(max));
            return std::nullopt;
        }
        return static_cast<std::int32_t>(value.AsInt64());
    }

    void Member(const std::string& name, const Json& value) {
        if (name == "id") {
            if (!creating_) return Error(name, Code::kReadOnlyField, "a workspace id cannot change");
            if (!value.IsString() || value.text().empty() || value.text().size() > 64 ||
                !std::all_of(value.text().begin(), value.text().end(), IsIdCharacter)) {
                return Error(name, Code::kInvalidFormat, "must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
            }
            settings_.id = value.text();
        } else if (name == "name") {
            if (auto text = Text(name, value, 255)) settings_.name = *text;
        } else if (name == "identifier_field") {
            const auto field = value.IsString() ? ParseIdentifierField(value.text()) : std::nullopt;
            if (!field)
                return Error(name, Code::kInvalidEnum, "expected \"phone\", \"email\" or \"external_reference_id\"");
            settings_.identifier_field = *field;
        } else if (name == "default_country") {
            if (value.IsNull()) return settings_.default_country.reset();
            auto text = Text(name, value, 2);
            if (!text) return;
            const std::string code = AsciiUpper(*text);
            if (!IsCountryCode(code)) return Error(name, Code::kInvalidEnum, "is not an ISO 3166-1 alpha-2 code");
            settings_.default_country = code;
        } else if (name == "date_format") {
            if (value.IsNull()) return settings_.date_format.reset();
            auto text = Text(name, value, 64);
            if (!text) return;
            if (!IsValidDateFormat(*text)) {
                return Error(name, Code::kInvalidFormat,
                             "must use %Y, %m and %d (optionally %H, %M, %S) and literal characters");
            }
            settings_.date_format = *text;
        } else if (name == "lead_stages") {
            LeadStages(value);
        } else if (name == "custom_fields") {
            CustomFields(value);
        } else if (name == "requests_per_minute") {
            if (auto n = Positive(name, value, kMaxRequestsPerMinute)) settings_.requests_per_minute = *n;
        } else if (name == "items_per_second") {
            if (auto n = Positive(name, value, kMaxItemsPerSecond)) settings_.items_per_second = *n;
        } else if (name == "suspended") {
            if (!value.IsBool()) return Error(name, Code::kInvalidType, "expected a boolean");
            settings_.suspended = value.AsBool();
        } else if (name == "webhook_secret" || name == "created_at" || name == "updated_at") {
            Error(name, Code::kReadOnlyField, "is maintained by contactd");
        } else {
            Error(name, Code::kUnknownField, "is not a workspace setting");
        }
    }

    void LeadStages(const Json& value) {
        if (!value.IsArray()) return Error("lead_stages", Code::kInvalidType, "expected an array of labels");
        if (value.elements().size() > kMaxLeadStages) {
            return Error("lead_stages", Code::kTooManyValues, "the limit is " + std::to_string(kMaxLeadStages));
        }
        std::vector<std::string> stages;
        for (std::size_t i = 0; i < value.elements().size(); ++i) {
            const std::string field = "lead_stages[" + std::to_string(i) + "]";
            auto label = Text(field, value.elements()[i], 255);
            if (!label) return;
            if (label->empty()) return Error(field, Code::kInvalidFormat, "must not be empty");
            if (std::find(stages.begin(), stages.end(), *label) != stages.end()) {
                return Error(field, Code::kInvalidFormat, "repeats " + QuoteForMessage(*label));
            }
            stages.push_back(std::move(*label));
        }
        settings_.lead_stages = std::move(stages);
    }

    void CustomFields(const Json& value) {
        if (!value.IsArray()) return Error("custom_fields", Code::kInvalidType, "expected an array of definitions");
        if (value.elements().size() > kMaxCustomFields) {
            return Error("custom_fields", Code::kTooManyValues, "the limit is " + std::to_string(kMaxCustomFields));
        }
        std::vector<CustomFieldDef> defs;
        for (std::size_t i = 0; i < value.elements().size(); ++i) {
            const std::string path = "custom_fields[" + std::to_string(i) + "]";
            const Json& element = value.elements()[i];
            if (!element.IsObject())
                return Error(path, Code::kInvalidType, "expected {\"slug\", \"type\", \"max_length\"}");
            CustomFieldDef def;
            const Json* slug = element.Find("slug");
            const Json* type = element.Find("type");
            const Json* max_length = element.Find("max_length");
            if (slug == nullptr || !slug->IsString() || !IsSlug(slug->text())) {
                return Error(path + ".slug", Code::kInvalidFormat,
                             "must be 1 to 64 of a-z, 0-9 and _, starting with a letter");
            }
            def.slug = slug->text();
            const auto parsed = type != nullptr && type->IsString() ? ParseCustomFieldType(type->text()) : std::nullopt;
            if (!parsed) return Error(path + ".type", Code::kInvalidEnum, "expected text, number, boolean or date");
            def.type = *parsed;
            def.max_length = def.type == CustomFieldType::kText ? kCustomTextMaxLength : 0;
            if (max_length != nullptr && !max_length->IsNull()) {
                if (def.type != CustomFieldType::kText) {
                    return Error(path + ".max_length", Code::kInvalidFormat, "applies to text fields only");
                }
                if (!max_length->FitsInt64() || max_length->AsInt64() < 1 ||
                    max_length->AsInt64() > kCustomTextMaxLength) {
                    return Error(path + ".max_length", Code::kInvalidEnum,
                                 "must be an integer from 1 to " + std::to_string(kCustomTextMaxLength));
                }
                def.max_length = static_cast<std::uint32_t>(max_length->AsInt64());
            }
            for (const auto& [key, member] : element.members()) {
                if (key != "slug" && key != "type" && key != "max_length") {
                    return Error(path + "." + key, Code::kUnknownField, "use slug, type and max_length");
                }
            }
            if (std::any_of(defs.begin(), defs.end(), [&](const auto& d) { return d.slug == def.slug; })) {
                return Error(path + ".slug", Code::kInvalidFormat, "repeats " + QuoteForMessage(def.slug));
            }
            if (const CustomFieldDef* old = settings_.FindCustomField(def.slug);
                !creating_ && old && old->type != def.type) {
                return Error(path + ".type", Code::kInvalidEnum,
                             "the field is a " + std::string(CustomFieldTypeName(old->type)) +
                                 "; a slug's type cannot change (declare a new slug instead)");
            }
            defs.push_back(std::move(def));
        }
        settings_.custom_fields = std::move(defs);
    }

    WorkspaceSettings settings_;
    bool creating_;
    std::vector<Remark> errors_;
};

}  // namespace

std::vector<std::string> DefaultLeadStages() { return {"New", "Contacted", "Qualified", "Won", "Lost"}; }

WorkspaceEdit NewWorkspaceSettings(const Json& body) {
    WorkspaceSettings defaults;
    defaults.lead_stages = DefaultLeadStages();
    defaults.custom_fields = DefaultCustomFields();
    return SettingsEditor(std::move(defaults), true).Run(body);
}

WorkspaceEdit EditWorkspaceSettings(const WorkspaceSettings& current, const Json& body) {
    return SettingsEditor(current, false).Run(body);
}

}  // namespace contactd::engine
