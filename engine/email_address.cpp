#include "engine/email_address.hpp"

#include <optional>

#include "engine/text_rules.hpp"

namespace contactd::engine {

namespace {

constexpr std::size_t kLocalPartMaxOctets = 64;
constexpr std::size_t kLabelMaxOctets = 63;

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNonAscii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

bool IsAtomSpecial(char c) {
    constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~-";
    return kSpecials.find(c) != std::string_view::npos;
}

// Length in bytes of a white-space or invisible separator code point at s[i] (already valid UTF-8), else 0.
// These are the non-ASCII characters that are not "letter-like" for an address: they would make two
// addresses look identical, or let one hide inside another.
std::size_t UnicodeSpaceLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U; };
    const unsigned b0 = byte(i), b1 = byte(i + 1), b2 = byte(i + 2);
    if (b0 == 0xC2 && (b1 == 0xA0 || b1 == 0xAD)) return 2;  // NBSP, soft hyphen
    if (b0 == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;    // ogham space mark
    if (b0 == 0xE2 && b1 == 0x80 && (b2 <= 0x8B || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) {
        return 3;  // U+2000..U+200B spaces and zero-width space, line/paragraph separators, narrow NBSP
    }
    if (b0 == 0xE2 && b1 == 0x81 && (b2 == 0x9F || b2 == 0xA0)) return 3;  // math space, word joiner
    if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;                  // ideographic space
    if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) return 3;                  // byte order mark
    return 0;
}

std::string Quote(std::string_view value) { return QuoteForMessage(value); }

Problem Invalid(std::string_view address, std::string_view reason) {
    return MakeProblem(Code::kInvalidFormat,
                       "not a valid e-mail address: " + Quote(address) + " " + std::string(reason));
}

// The first character of `part` that is not allowed there, as text for a message, or "" when all are fine.
std::string_view FirstBadCharacter(std::string_view part, bool (*allowed_ascii)(char)) {
    for (std::size_t i = 0; i < part.size();) {
        if (IsNonAscii(part[i])) {
            if (const std::size_t space = UnicodeSpaceLength(part, i); space != 0) return part.substr(i, space);
            ++i;  // a continuation or lead byte of a letter-like character: fine
            continue;
        }
        if (!allowed_ascii(part[i])) return part.substr(i, 1);
        ++i;
    }
    return {};
}

bool IsLocalAscii(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || IsAtomSpecial(c) || c == '.'; }
bool IsDomainAscii(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '.'; }

std::optional<std::string> LocalPartProblem(std::string_view local) {
    if (local.empty()) return "has an empty local part (nothing before the \"@\")";
    if (local.size() > kLocalPartMaxOctets) {
        return "has a local part of " + std::to_string(local.size()) + " octets; the limit is " +
               std::to_string(kLocalPartMaxOctets);
    }
    if (const std::string_view bad = FirstBadCharacter(local, IsLocalAscii); !bad.empty()) {
        return "has the character " + Quote(bad) + " in its local part, which is not allowed there";
    }
    if (local.front() == '.') return "has a local part that starts with a dot";
    if (local.back() == '.') return "has a local part that ends with a dot";
    if (local.find("..") != std::string_view::npos) return "has two dots in a row in its local part";
    return std::nullopt;
}

bool IsAlphabeticLabel(std::string_view label) {
    for (char c : label) {
        if (!IsAsciiAlpha(c) && !IsNonAscii(c)) return false;
    }
    return true;
}

std::optional<std::string> LabelProblem(std::string_view label, bool is_top_level) {
    if (label.empty()) return std::string("has an empty label in its domain (a leading, trailing or double dot)");
    if (label.size() > kLabelMaxOctets) {
        return "has a domain label of " + std::to_string(label.size()) + " octets; the limit is " +
               std::to_string(kLabelMaxOctets);
    }
    if (label.front() == '-' || label.back() == '-') {
        return "has the domain label " + Quote(label) + ", which starts or ends with a hyphen";
    }
    if (is_top_level && !IsAlphabeticLabel(label) && AsciiLower(label.substr(0, 4)) != "xn--") {
        return "has the top-level domain " + Quote(label) + ", which is not alphabetic";
    }
    return std::nullopt;
}

std::optional<std::string> DomainProblem(std::string_view domain) {
    if (domain.empty()) return std::string("has an empty domain");
    if (const std::string_view bad = FirstBadCharacter(domain, IsDomainAscii); !bad.empty()) {
        return "has the character " + Quote(bad) + " in its domain, which is not allowed there";
    }
    if (domain.find('.') == std::string_view::npos) {
        return "has the domain " + Quote(domain) + ", which has no dot";
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = domain.find('.', start);
        const bool is_last = dot == std::string_view::npos;
        const std::string_view label = domain.substr(start, is_last ? std::string_view::npos : dot - start);
        if (auto problem = LabelProblem(label, is_last)) return problem;
        if (is_last) return std::nullopt;
        start = dot + 1;
    }
}

}  // namespace

Checked<std::string> NormalizeEmailAddress(std::string_view input) {
    Checked<std::size_t> characters = CheckCharacters(input, TextKind::kSingleLine);
    if (!characters.ok()) return characters.problem();

    // Copied addresses often carry a stray space at either end; it is never part of an address.
    const std::string_view address = TrimAsciiSpace(input);
    const std::size_t length = CountCodePoints(address);
    if (length > kEmailMaxLength) {
        return MakeProblem(Code::kValueTooLong, "is " + std::to_string(length) + " characters long; the limit is " +
                                                    std::to_string(kEmailMaxLength));
    }
    if (address.empty()) return Invalid(address, "is empty");

    const std::size_t at = address.find('@');
    if (at == std::string_view::npos) return Invalid(address, "has no \"@\"");
    if (address.find('@', at + 1) != std::string_view::npos) return Invalid(address, "has more than one \"@\"");

    if (auto problem = LocalPartProblem(address.substr(0, at))) return Invalid(address, *problem);
    if (auto problem = DomainProblem(address.substr(at + 1))) return Invalid(address, *problem);
    return AsciiLower(address);
}

}  // namespace contactd::engine
