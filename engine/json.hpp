#pragma once
// The engine's view of a parsed JSON value. ingest parses bytes (simdjson) into this tree; the engine
// validates it. It keeps what validation must see and a generic parser would hide: member order,
// duplicate member names, integers too large for int64, and the exact number token.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contactd::engine {

//! A JSON value: null, boolean, number, string, array or object (members in input order).
class Json {
  public:
    enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
    using Member = std::pair<std::string, Json>;

    Json() = default;  // null
    static Json Null() { return Json(); }
    static Json Bool(bool value);
    static Json Integer(std::int64_t value);
    //! A number as written. `token` is its JSON text; `is_integer` when it has no fraction or exponent.
    static Json Number(std::string token, double value, bool is_integer, bool fits_int64, std::int64_t int_value);
    static Json Double(double value);
    static Json String(std::string value);
    static Json Array(std::vector<Json> elements = {});
    static Json Object(std::vector<Member> members = {});

    Kind kind() const { return kind_; }
    bool IsNull() const { return kind_ == Kind::kNull; }
    bool IsBool() const { return kind_ == Kind::kBool; }
    bool IsNumber() const { return kind_ == Kind::kNumber; }
    bool IsString() const { return kind_ == Kind::kString; }
    bool IsArray() const { return kind_ == Kind::kArray; }
    bool IsObject() const { return kind_ == Kind::kObject; }

    bool AsBool() const { return bool_; }
    //! True for an integer token (no '.', no exponent), whatever its size.
    bool IsIntegerToken() const { return kind_ == Kind::kNumber && is_integer_; }
    //! True for an integer token whose value fits in int64.
    bool FitsInt64() const { return kind_ == Kind::kNumber && fits_int64_; }
    std::int64_t AsInt64() const { return int_; }
    double AsDouble() const { return double_; }
    //! The number's JSON text (for messages) or the string's value.
    const std::string& text() const { return text_; }
    const std::vector<Json>& elements() const { return elements_; }
    const std::vector<Member>& members() const { return members_; }
    std::vector<Json>& mutable_elements() { return elements_; }
    std::vector<Member>& mutable_members() { return members_; }

    //! First member with this name, or nullptr. Objects are small; a linear scan is the fast path.
    const Json* Find(std::string_view name) const;

    //! A short human description of the JSON type: "a string", "a number", "null", ...
    std::string_view TypeName() const;

    //! The value re-encoded as compact JSON (used to quote offending values in messages).
    std::string ToJsonText() const;

    friend bool operator==(const Json& a, const Json& b);

  private:
    Kind kind_ = Kind::kNull;
    bool bool_ = false;
    bool is_integer_ = false;
    bool fits_int64_ = false;
    std::int64_t int_ = 0;
    double double_ = 0;
    std::string text_;
    std::vector<Json> elements_;
    std::vector<Member> members_;
};

}  // namespace contactd::engine
