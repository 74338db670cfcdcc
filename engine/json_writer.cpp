#include "engine/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace contactd::engine {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are not valid UTF-8
// (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t ValidSequenceLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
    if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
        if (lead == 0xE0 && byte(i + 1) < 0xA0) return 0;   // overlong
        if (lead == 0xED && byte(i + 1) >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        if (lead == 0xF0 && byte(i + 1) < 0x90) return 0;   // overlong
        if (lead == 0xF4 && byte(i + 1) >= 0x90) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < value.size()) {
        // Copy the longest run that needs no escaping in one go: the common case.
        std::size_t run = i;
        while (run < value.size()) {
            const auto c = static_cast<unsigned char>(value[run]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
            ++run;
        }
        out.append(value.data() + i, run - i);
        i = run;
        if (i >= value.size()) break;
        const auto c = static_cast<unsigned char>(value[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
            }
            ++i;
            continue;
        }
        const std::size_t length = ValidSequenceLength(value, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD for each byte that is not valid UTF-8
            ++i;
        } else if (length == 3 && c == 0xE2 && static_cast<unsigned char>(value[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(value[i + 2]) == 0xA8 ||
                    static_cast<unsigned char>(value[i + 2]) == 0xA9)) {
            out += static_cast<unsigned char>(value[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
            i += 3;
        } else {
            out.append(value.data() + i, length);
            i += length;
        }
    }
    out.push_back('"');
}

void JsonWriter::Separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
    Separate();
    out_.push_back('{');
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::EndObject() {
    out_.push_back('}');
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::BeginArray() {
    Separate();
    out_.push_back('[');
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::EndArray() {
    out_.push_back(']');
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::Key(std::string_view name) {
    Separate();
    AppendJsonString(out_, name);
    out_.push_back(':');
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
    Separate();
    AppendJsonString(out_, value);
    return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t value) {
    Separate();
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.append(buffer, end);
    return *this;
}

JsonWriter& JsonWriter::Double(double value) {
    Separate();
    if (!std::isfinite(value)) {  // JSON has no NaN or infinity; the engine never stores one.
        out_ += "null";
        return *this;
    }
    char buffer[64];
    // Integral values within the exact range print as integers ("1000000000000000", not "1e+15"), so a
    // number stored as 500 reads back as 500.
    if (std::trunc(value) == value && std::fabs(value) <= 9007199254740992.0) {
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(value));
        out_.append(buffer, end);
        return *this;
    }
    // JavaScript's rule: plain decimals between 1e-7 and 1e21, exponent notation outside.
    const double magnitude = std::fabs(value);
    const auto format = magnitude >= 1e-7 && magnitude < 1e21 ? std::chars_format::fixed : std::chars_format::general;
    std::to_chars_result written = std::to_chars(buffer, buffer + sizeof buffer, value, format);
    if (written.ec != std::errc()) written = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.append(buffer, written.ptr);
    return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
    Separate();
    out_ += value ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::Null() {
    Separate();
    out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json_text) {
    Separate();
    out_.append(json_text);
    return *this;
}

}  // namespace contactd::engine
