#include "engine/phone_number.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "engine/text_rules.hpp"

namespace contactd::engine {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr std::size_t kPhoneMaxLength = 64;

// Separators people write inside numbers. Besides ASCII: NBSP, the Unicode hyphens and dashes
// (U+2010..U+2015) and the minus sign (U+2212), which word processors substitute for '-' and ' '.
std::size_t NonAsciiSeparatorLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U; };
    if (byte(i) == 0xC2 && byte(i + 1) == 0xA0) return 2;
    if (byte(i) == 0xE2 && byte(i + 1) == 0x80 && byte(i + 2) >= 0x90 && byte(i + 2) <= 0x95) return 3;
    if (byte(i) == 0xE2 && byte(i + 1) == 0x88 && byte(i + 2) == 0x92) return 3;
    return 0;
}

bool IsAsciiSeparator(char c) {
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '[' || c == ']' || c == '/';
}

Problem Invalid(std::string_view input, std::string_view reason) {
    return MakeProblem(Code::kInvalidFormat,
                       "not a valid phone number: " + QuoteForMessage(input) + " " + std::string(reason));
}

// The character at s[i] (one whole UTF-8 sequence; the input has passed CheckCharacters).
std::string_view CharacterAt(std::string_view s, std::size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    return s.substr(i, length);
}

struct Dialable {
    std::string digits;  // with a leading '+' when the input had one
    bool has_plus = false;
};

// Reduces the written number to '+' and digits, refusing anything that is not a separator. libphonenumber
// would strip the same separators itself; doing it here keeps letters (vanity numbers, "ext.") and stray
// symbols out, and hands the parser the shortest string.
Checked<Dialable> ToDialable(std::string_view input) {
    Dialable dialable;
    dialable.digits.reserve(input.size());
    for (std::size_t i = 0; i < input.size();) {
        const char c = input[i];
        if (c >= '0' && c <= '9') {
            dialable.digits.push_back(c);
            ++i;
        } else if (c == '+' && i == 0) {
            dialable.has_plus = true;
            dialable.digits.push_back('+');
            ++i;
        } else if (IsAsciiSeparator(c)) {
            ++i;
        } else if (const std::size_t length = NonAsciiSeparatorLength(input, i); length != 0) {
            i += length;
        } else {
            const bool is_letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            const std::string what = c == '+'    ? "has a \"+\" that is not at the start"
                                     : is_letter ? "contains the letter " + QuoteForMessage(CharacterAt(input, i))
                                                 : "contains the character " + QuoteForMessage(CharacterAt(input, i));
            return Invalid(input, what +
                                      "; only digits, spaces, dashes, dots, brackets and a leading \"+\" are "
                                      "allowed");
        }
    }
    if (dialable.digits.size() == (dialable.has_plus ? 1U : 0U)) return Invalid(input, "has no digits");
    return dialable;
}

std::string ParseErrorReason(PhoneNumberUtil::ErrorType error) {
    switch (error) {
        case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
            return "has an unknown country code";
        case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        case PhoneNumberUtil::TOO_SHORT_NSN:
            return "is too short to be a phone number";
        case PhoneNumberUtil::TOO_LONG_NSN:
            return "is too long to be a phone number";
        default:
            return "is not a phone number";
    }
}

std::string NotValidReason(const PhoneNumberUtil& util, const PhoneNumber& number) {
    const std::string country = "country code +" + std::to_string(number.country_code());
    switch (util.IsPossibleNumberWithReason(number)) {
        case PhoneNumberUtil::INVALID_COUNTRY_CODE:
            return "has an unknown " + country;
        case PhoneNumberUtil::TOO_SHORT:
            return "is too short for " + country;
        case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
            return "is too short for " + country + " (a local number needs its area code)";
        case PhoneNumberUtil::TOO_LONG:
            return "is too long for " + country;
        case PhoneNumberUtil::INVALID_LENGTH:
            return "has a length that no number of " + country + " has";
        default:
            return "cannot exist: it is not in the numbering plan of " + country;
    }
}

// The default region libphonenumber knows, or "" when there is none (unknown codes count as none).
std::string UsableRegion(const PhoneNumberUtil& util, const std::optional<std::string>& default_country) {
    if (!default_country || default_country->size() != 2) return {};
    std::string region = AsciiUpper(*default_country);
    return util.GetCountryCodeForRegion(region) != 0 ? region : std::string();
}

}  // namespace

Checked<std::string> NormalizePhoneNumber(std::string_view input, const std::optional<std::string>& default_country) {
    Checked<std::size_t> length = CheckText(input, TextKind::kSingleLine, kPhoneMaxLength);
    if (!length.ok()) return length.problem();
    const std::string_view written = TrimAsciiSpace(input);
    if (written.empty()) return Invalid(input, "is empty");

    Checked<Dialable> dialable = ToDialable(written);
    if (!dialable.ok()) return dialable.problem();

    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    std::string region = "ZZ";  // "unknown": the number must carry its own +country
    if (!dialable.value().has_plus) {
        region = UsableRegion(util, default_country);
        if (region.empty()) return Invalid(input, "has no +country prefix and the workspace has no default_country");
    }

    PhoneNumber number;
    const PhoneNumberUtil::ErrorType error = util.Parse(dialable.value().digits, region, &number);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR) return Invalid(input, ParseErrorReason(error));
    if (!util.IsValidNumber(number)) return Invalid(input, NotValidReason(util, number));

    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

}  // namespace contactd::engine
