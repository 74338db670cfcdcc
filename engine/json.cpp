#include "engine/json.hpp"

#include "engine/json_writer.hpp"

namespace contactd::engine {

Json Json::Bool(bool value) {
    Json json;
    json.kind_ = Kind::kBool;
    json.bool_ = value;
    return json;
}

Json Json::Integer(std::int64_t value) {
    return Number(std::to_string(value), static_cast<double>(value), true, true, value);
}

Json Json::Number(std::string token, double value, bool is_integer, bool fits_int64, std::int64_t int_value) {
    Json json;
    json.kind_ = Kind::kNumber;
    json.text_ = std::move(token);
    json.double_ = value;
    json.is_integer_ = is_integer;
    json.fits_int64_ = is_integer && fits_int64;
    json.int_ = json.fits_int64_ ? int_value : 0;
    return json;
}

Json Json::Double(double value) {
    std::string token;
    JsonWriter(token).Double(value);
    return Number(std::move(token), value, false, false, 0);
}

Json Json::String(std::string value) {
    Json json;
    json.kind_ = Kind::kString;
    json.text_ = std::move(value);
    return json;
}

Json Json::Array(std::vector<Json> elements) {
    Json json;
    json.kind_ = Kind::kArray;
    json.elements_ = std::move(elements);
    return json;
}

Json Json::Object(std::vector<Member> members) {
    Json json;
    json.kind_ = Kind::kObject;
    json.members_ = std::move(members);
    return json;
}

const Json* Json::Find(std::string_view name) const {
    for (const auto& [key, value] : members_) {
        if (key == name) return &value;
    }
    return nullptr;
}

std::string_view Json::TypeName() const {
    switch (kind_) {
        case Kind::kNull:
            return "null";
        case Kind::kBool:
            return "a boolean";
        case Kind::kNumber:
            return "a number";
        case Kind::kString:
            return "a string";
        case Kind::kArray:
            return "an array";
        case Kind::kObject:
            return "an object";
    }
    return "a value";
}

namespace {

void Encode(const Json& value, JsonWriter& writer) {
    switch (value.kind()) {
        case Json::Kind::kNull:
            writer.Null();
            break;
        case Json::Kind::kBool:
            writer.Bool(value.AsBool());
            break;
        case Json::Kind::kNumber:
            writer.Raw(value.text());
            break;
        case Json::Kind::kString:
            writer.String(value.text());
            break;
        case Json::Kind::kArray:
            writer.BeginArray();
            for (const Json& element : value.elements()) Encode(element, writer);
            writer.EndArray();
            break;
        case Json::Kind::kObject:
            writer.BeginObject();
            for (const auto& [key, member] : value.members()) {
                writer.Key(key);
                Encode(member, writer);
            }
            writer.EndObject();
            break;
    }
}

}  // namespace

std::string Json::ToJsonText() const {
    std::string out;
    JsonWriter writer(out);
    Encode(*this, writer);
    return out;
}

bool operator==(const Json& a, const Json& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
        case Json::Kind::kNull:
            return true;
        case Json::Kind::kBool:
            return a.bool_ == b.bool_;
        case Json::Kind::kNumber:
            return a.text_ == b.text_;
        case Json::Kind::kString:
            return a.text_ == b.text_;
        case Json::Kind::kArray:
            return a.elements_ == b.elements_;
        case Json::Kind::kObject:
            return a.members_ == b.members_;
    }
    return false;
}

}  // namespace contactd::engine
