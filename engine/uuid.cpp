#include "engine/uuid.hpp"

namespace contactd::engine {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::size_t kUuidTextLength = 36;

bool IsDashPosition(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// The lower-case hex digit for `c`, or '\0' when `c` is not a hex digit.
char LowerHexDigit(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) return c;
    if (c >= 'A' && c <= 'F') return static_cast<char>(c - 'A' + 'a');
    return '\0';
}

}  // namespace

std::optional<std::string> CanonicalUuid(std::string_view text) {
    if (text.size() != kUuidTextLength) return std::nullopt;
    std::string canonical(kUuidTextLength, '-');
    for (std::size_t i = 0; i < kUuidTextLength; ++i) {
        if (IsDashPosition(i)) {
            if (text[i] != '-') return std::nullopt;
            continue;
        }
        const char digit = LowerHexDigit(text[i]);
        if (digit == '\0') return std::nullopt;
        canonical[i] = digit;
    }
    return canonical;
}

std::string FormatUuid(const std::array<std::uint8_t, 16>& bytes) {
    std::string text;
    text.reserve(kUuidTextLength);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
        text.push_back(kHexDigits[bytes[i] >> 4]);
        text.push_back(kHexDigits[bytes[i] & 0x0F]);
    }
    return text;
}

}  // namespace contactd::engine
