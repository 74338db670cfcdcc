#include "engine/search_query.hpp"

#include <algorithm>
#include <charconv>

#include "engine/date_time.hpp"
#include "engine/email_address.hpp"
#include "engine/phone_number.hpp"
#include "engine/text_rules.hpp"

namespace contactd::engine {

namespace {

std::optional<std::int64_t> ParseNonNegative(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

class SearchParser {
  public:
    explicit SearchParser(const WorkspaceSettings& settings) : settings_(settings) {}

    ParsedSearch Run(const Json* body, std::optional<std::string_view> skip, std::optional<std::string_view> limit) {
        ParsedSearch parsed;
        if (limit) {
            const auto value = ParseNonNegative(*limit);
            if (!value || *value < 1 || *value > kSearchMaxLimit) {
                parsed.error.message = "Limit should be between 1 and 100";
                return parsed;
            }
            query_.limit = static_cast<std::int32_t>(*value);
        }
        if (skip) {
            const auto value = ParseNonNegative(*skip);
            if (!value) {
                parsed.error.message = "skip must be a non-negative integer";
                return parsed;
            }
            query_.skip = *value;
        }
        if (body != nullptr && !body->IsNull()) {
            if (!body->IsObject()) {
                parsed.error.message = "the search body must be a JSON object of filters";
                return parsed;
            }
            for (const auto& [name, value] : body->members()) Filter(name, value);
        }
        if (!remarks_.empty()) {
            parsed.error.message = "the search has invalid filters";
            parsed.error.remarks = std::move(remarks_);
            return parsed;
        }
        parsed.query = std::move(query_);
        return parsed;
    }

  private:
    void Refuse(std::string field, Code code, std::string message) {
        remarks_.push_back({std::move(field), code, std::move(message)});
    }

    std::optional<std::string> String(const std::string& field, const Json& value) {
        if (!value.IsString()) {
            Refuse(field, Code::kInvalidType, "expected a string, got " + std::string(value.TypeName()));
            return std::nullopt;
        }
        auto checked = CheckCharacters(value.text(), TextKind::kSingleLine);
        if (!checked.ok()) {
            Refuse(field, checked.problem().code, checked.problem().message);
            return std::nullopt;
        }
        return value.text();
    }

    template <class T>
    std::optional<T> Take(const std::string& field, Checked<T> checked) {
        if (checked.ok()) return std::move(checked).value();
        Refuse(field, checked.problem().code, checked.problem().message);
        return std::nullopt;
    }

    void Filter(const std::string& name, const Json& value) {
        if (name == "email") {
            if (auto text = String(name, value)) query_.email = Take(name, NormalizeEmailAddress(*text));
        } else if (name == "phone" || name == "whatsapp") {
            if (auto text = String(name, value)) {
                auto phone = Take(name, NormalizePhoneNumber(*text, settings_.default_country));
                (name == "phone" ? query_.phone : query_.whatsapp) = std::move(phone);
            }
        } else if (name == "external_reference_id") {
            query_.external_reference_id = String(name, value);
        } else if (name == "status") {
            query_.status = String(name, value);
            const auto& stages = settings_.lead_stages;
            if (query_.status && std::find(stages.begin(), stages.end(), *query_.status) == stages.end()) {
                query_.matches_nothing = true;  // SPEC §9: an unknown status simply matches nothing
            }
        } else if (name == "tags_any" || name == "tags_all") {
            Tags(name, value, name == "tags_any" ? query_.tags_any : query_.tags_all);
        } else if (name == "created_at" || name == "updated_at") {
            Range(name, value, name == "created_at" ? query_.created_at : query_.updated_at);
        } else if (name == "custom_fields") {
            CustomFields(value);
        } else if (name == "sort") {
            Sort(value);
        } else {
            Refuse(name, Code::kUnknownField, "is not a search filter");
        }
    }

    void Tags(const std::string& name, const Json& value, std::vector<std::string>& out) {
        if (!value.IsArray()) return Refuse(name, Code::kInvalidType, "expected an array of tags");
        for (std::size_t i = 0; i < value.elements().size(); ++i) {
            auto tag = String(name + "[" + std::to_string(i) + "]", value.elements()[i]);
            if (tag) out.push_back(std::move(*tag));
        }
    }

    void Range(const std::string& name, const Json& value, TimeRange& range) {
        if (!value.IsObject()) return Refuse(name, Code::kInvalidType, "expected an object with \"gte\" and/or \"lt\"");
        for (const auto& [bound, bound_value] : value.members()) {
            const std::string field = name + "." + bound;
            if (bound != "gte" && bound != "lt") {
                Refuse(field, Code::kUnknownField, "use \"gte\" and \"lt\"");
                continue;
            }
            auto millis = Take(field, ParseDateInput(bound_value, settings_.date_format));
            (bound == "gte" ? range.gte : range.lt) = millis;
        }
    }

    void CustomFields(const Json& value) {
        if (!value.IsObject()) return Refuse("custom_fields", Code::kInvalidType, "expected an object");
        for (const auto& [slug, slug_value] : value.members()) {
            const std::string field = "custom_fields." + slug;
            const CustomFieldDef* def = settings_.FindCustomField(slug);
            if (def == nullptr) {
                Refuse(field, Code::kUnknownField, "is not a custom field of this workspace");
                continue;
            }
            if (slug_value.IsNull()) {
                query_.custom_fields.emplace_back(slug, std::nullopt);
                continue;
            }
            std::optional<CustomValue> typed;
            switch (def->type) {
                case CustomFieldType::kText:
                    if (slug_value.IsString()) typed = CustomValue{slug_value.text()};
                    break;
                case CustomFieldType::kNumber:
                    if (slug_value.IsNumber()) typed = CustomValue{slug_value.AsDouble()};
                    break;
                case CustomFieldType::kBoolean:
                    if (slug_value.IsBool()) typed = CustomValue{slug_value.AsBool()};
                    break;
                case CustomFieldType::kDate:
                    if (auto millis = Take(field, ParseDateInput(slug_value, settings_.date_format))) {
                        typed = CustomValue{DateValue{*millis}};
                    }
                    break;
            }
            if (!typed) {
                if (def->type != CustomFieldType::kDate) {
                    Refuse(field, Code::kInvalidType,
                           "expected a " + std::string(CustomFieldTypeName(def->type)) + " value");
                }
                continue;
            }
            query_.custom_fields.emplace_back(slug, std::move(typed));
        }
    }

    void Sort(const Json& value) {
        if (!value.IsObject()) return Refuse("sort", Code::kInvalidType, "expected {\"field\", \"order\"}");
        for (const auto& [key, member] : value.members()) {
            const std::string text = member.IsString() ? member.text() : std::string();
            if (key == "field" && (text == "created_at" || text == "updated_at")) {
                query_.sort_field = text == "created_at" ? SortField::kCreatedAt : SortField::kUpdatedAt;
            } else if (key == "order" && (text == "asc" || text == "desc")) {
                query_.descending = text == "desc";
            } else if (key == "field") {
                Refuse("sort.field", Code::kInvalidEnum, "expected \"created_at\" or \"updated_at\"");
            } else if (key == "order") {
                Refuse("sort.order", Code::kInvalidEnum, "expected \"asc\" or \"desc\"");
            } else {
                Refuse("sort." + key, Code::kUnknownField, "use \"field\" and \"order\"");
            }
        }
    }

    const WorkspaceSettings& settings_;
    SearchQuery query_;
    std::vector<Remark> remarks_;
};

}  // namespace

ParsedSearch ParseSearchQuery(const Json* body, std::optional<std::string_view> skip,
                              std::optional<std::string_view> limit, const WorkspaceSettings& settings) {
    return SearchParser(settings).Run(body, skip, limit);
}

}  // namespace contactd::engine
