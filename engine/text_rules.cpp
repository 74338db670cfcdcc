#include "engine/text_rules.hpp"

#include <cstdint>
#include <cstring>

namespace contactd::engine {

namespace {

//! What one step of decoding found at a position.
enum class Unit : std::uint8_t {
    kCodePoint,          // a Unicode scalar value
    kSurrogate,          // a WTF-8 encoded U+D800..U+DFFF
    kStrayContinuation,  // 0x80..0xBF where a sequence should start
    kOverlong,           // a longer encoding than the code point needs
    kTruncated,          // a lead byte without enough continuation bytes
    kBeyondUnicode,      // above U+10FFFF
    kImpossibleByte,     // 0xF8..0xFF: never part of UTF-8
};

struct Decoded {
    Unit unit;
    char32_t code_point;  // for kCodePoint and kSurrogate
    std::size_t length;   // bytes consumed: the sequence, or 1 for an invalid byte
};

constexpr bool IsContinuation(unsigned char byte) { return (byte & 0xC0U) == 0x80U; }

// Decodes the WTF-8 sequence at value[i] (i < value.size()). Lone surrogates are reported as such rather
// than as invalid bytes because ingest hands `\ud800` escapes over in that form.
Decoded DecodeAt(std::string_view value, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(value[k]); };
    const unsigned char lead = byte(i);
    const std::size_t left = value.size() - i;
    if (lead < 0x80) return {Unit::kCodePoint, lead, 1};
    if (lead < 0xC0) return {Unit::kStrayContinuation, 0, 1};
    if (lead >= 0xF8) return {Unit::kImpossibleByte, 0, 1};

    const std::size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (left < length) return {Unit::kTruncated, 0, 1};
    for (std::size_t k = 1; k < length; ++k) {
        if (!IsContinuation(byte(i + k))) return {Unit::kTruncated, 0, 1};
    }
    char32_t code_point = 0;
    if (length == 2) {
        code_point = (char32_t{lead} & 0x1FU) << 6 | (char32_t{byte(i + 1)} & 0x3FU);
        if (code_point < 0x80) return {Unit::kOverlong, 0, 1};
        return {Unit::kCodePoint, code_point, 2};
    }
    if (length == 3) {
        code_point =
            (char32_t{lead} & 0x0FU) << 12 | (char32_t{byte(i + 1)} & 0x3FU) << 6 | (char32_t{byte(i + 2)} & 0x3FU);
        if (code_point < 0x800) return {Unit::kOverlong, 0, 1};
        if (code_point >= 0xD800 && code_point <= 0xDFFF) return {Unit::kSurrogate, code_point, 3};
        return {Unit::kCodePoint, code_point, 3};
    }
    code_point = (char32_t{lead} & 0x07U) << 18 | (char32_t{byte(i + 1)} & 0x3FU) << 12 |
                 (char32_t{byte(i + 2)} & 0x3FU) << 6 | (char32_t{byte(i + 3)} & 0x3FU);
    if (code_point < 0x10000) return {Unit::kOverlong, 0, 1};
    if (code_point > 0x10FFFF) return {Unit::kBeyondUnicode, 0, 1};
    return {Unit::kCodePoint, code_point, 4};
}

// True when all eight bytes are printable ASCII (0x20..0x7E): the common case, checked a word at a time.
bool IsPrintableAsciiWord(const char* bytes) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::uint64_t word = 0;
    std::memcpy(&word, bytes, sizeof word);
    const std::uint64_t non_ascii = word & kHighs;
    const std::uint64_t below_space = (word - kOnes * 0x20U) & ~word & kHighs;
    const std::uint64_t del_mask = word ^ (kOnes * 0x7FU);
    const std::uint64_t is_del = (del_mask - kOnes) & ~del_mask & kHighs;
    return (non_ascii | below_space | is_del) == 0;
}

std::string HexCodePoint(char32_t code_point) {
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string digits;
    for (int shift = 20; shift >= 0; shift -= 4) {
        const auto nibble = static_cast<std::size_t>((code_point >> shift) & 0xFU);
        if (digits.empty() && nibble == 0 && shift > 12) continue;  // at least four digits, like U+0007
        digits.push_back(kHex[nibble]);
    }
    return "U+" + digits;
}

std::string HexByte(unsigned char byte) {
    constexpr char kHex[] = "0123456789ABCDEF";
    return std::string("0x") + kHex[byte >> 4] + kHex[byte & 0xFU];
}

bool IsAllowedControl(char32_t code_point, TextKind kind) {
    return kind == TextKind::kMultiLine && (code_point == '\t' || code_point == '\n' || code_point == '\r');
}

Problem InvalidUtf8(const Decoded& decoded, unsigned char byte, std::size_t position) {
    std::string what;
    switch (decoded.unit) {
        case Unit::kStrayContinuation:
            what = "the continuation byte " + HexByte(byte) + " without a lead byte";
            break;
        case Unit::kOverlong:
            what = "an overlong encoding starting with " + HexByte(byte);
            break;
        case Unit::kTruncated:
            what = "a truncated sequence starting with " + HexByte(byte);
            break;
        case Unit::kBeyondUnicode:
            what = "a code point beyond U+10FFFF";
            break;
        default:
            what = "the byte " + HexByte(byte);
            break;
    }
    return MakeProblem(Code::kInvalidCharacters,
                       "is not valid UTF-8: " + what + " at position " + std::to_string(position));
}

}  // namespace

Checked<std::size_t> CheckCharacters(std::string_view value, TextKind kind) {
    std::size_t position = 0;  // in code points
    std::size_t i = 0;
    while (i < value.size()) {
        if (value.size() - i >= 8 && IsPrintableAsciiWord(value.data() + i)) {
            i += 8;
            position += 8;
            continue;
        }
        const Decoded decoded = DecodeAt(value, i);
        if (decoded.unit == Unit::kSurrogate) {
            return MakeProblem(Code::kInvalidCharacters, "contains the lone surrogate " +
                                                             HexCodePoint(decoded.code_point) + " at position " +
                                                             std::to_string(position));
        }
        if (decoded.unit != Unit::kCodePoint) {
            return InvalidUtf8(decoded, static_cast<unsigned char>(value[i]), position);
        }
        const char32_t code_point = decoded.code_point;
        if (code_point == 0) {
            return MakeProblem(Code::kInvalidCharacters,
                               "contains the NUL character U+0000 at position " + std::to_string(position));
        }
        const bool is_control = code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
        if (is_control && !IsAllowedControl(code_point, kind)) {
            return MakeProblem(Code::kInvalidCharacters, "contains the control character " + HexCodePoint(code_point) +
                                                             " at position " + std::to_string(position));
        }
        i += decoded.length;
        ++position;
    }
    return position;
}

Checked<std::size_t> CheckText(std::string_view value, TextKind kind, std::size_t max_code_points) {
    Checked<std::size_t> length = CheckCharacters(value, kind);
    if (!length.ok()) return length;
    if (length.value() > max_code_points) {
        return MakeProblem(Code::kValueTooLong, "is " + std::to_string(length.value()) +
                                                    " characters long; the limit is " +
                                                    std::to_string(max_code_points));
    }
    return length;
}

std::size_t CountCodePoints(std::string_view value) {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < value.size()) {
        i += static_cast<unsigned char>(value[i]) < 0x80 ? 1 : DecodeAt(value, i).length;
        ++count;
    }
    return count;
}

std::string_view PrefixCodePoints(std::string_view value, std::size_t max_code_points) {
    std::size_t i = 0;
    for (std::size_t taken = 0; taken < max_code_points && i < value.size(); ++taken) {
        i += static_cast<unsigned char>(value[i]) < 0x80 ? 1 : DecodeAt(value, i).length;
    }
    return value.substr(0, i);
}

std::string AsciiLower(std::string_view value) {
    std::string out(value);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string AsciiUpper(std::string_view value) {
    std::string out(value);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

std::string_view TrimAsciiSpace(std::string_view value) {
    constexpr std::string_view kSpace = " \t\n\r\f\v";
    const std::size_t first = value.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    const std::size_t last = value.find_last_not_of(kSpace);
    return value.substr(first, last - first + 1);
}

void AppendUtf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

}  // namespace contactd::engine
