#pragma once
// Appends JSON text to a string. Every response and result line is written through this, so escaping
// lives in one place: quotes, backslashes and every control character are escaped, U+2028/U+2029 are
// escaped for JavaScript consumers, and bytes that are not valid UTF-8 become U+FFFD (messages quote
// offending input, which may be exactly such bytes).

#include <cstdint>
#include <string>
#include <string_view>

namespace contactd::engine {

//! Streaming JSON writer; the caller is responsible for structure (no validation of nesting).
class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& BeginObject();
    JsonWriter& EndObject();
    JsonWriter& BeginArray();
    JsonWriter& EndArray();
    //! Writes `"name":` (with a separating comma when needed).
    JsonWriter& Key(std::string_view name);

    JsonWriter& String(std::string_view value);
    JsonWriter& Int(std::int64_t value);
    //! Shortest text that reads back as the same double; integral values print without a fraction.
    JsonWriter& Double(double value);
    JsonWriter& Bool(bool value);
    JsonWriter& Null();
    //! Inserts already-encoded JSON text as one value.
    JsonWriter& Raw(std::string_view json_text);

    std::string& out() { return out_; }

  private:
    void Separate();

    std::string& out_;
    bool need_comma_ = false;
};

//! Appends `value` as a JSON string literal (with quotes) to `out`.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace contactd::engine
