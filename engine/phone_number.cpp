#include "engine/phone_number.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <atomic>
#include <cstdint>

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

// A NANP number written canonically, "+1" and ten digits, as libphonenumber's Parse would read it — without
// Parse, which costs about half of a new number's time. It is exactly Parse's answer: the number carries
// its country code, and every NANP region's national prefix for parsing is "1" (some add a rule for
// seven-digit local numbers, which a ten-digit number cannot match), so a national number starting with
// 2-9 has nothing stripped. Validity is still decided by libphonenumber. (A test compares both on
// thousands of numbers.)
std::optional<PhoneNumber> CanonicalNanpNumber(std::string_view plus_digits) {
    if (plus_digits.size() != 12 || plus_digits[0] != '+' || plus_digits[1] != '1' || plus_digits[2] < '2') {
        return std::nullopt;
    }
    std::uint64_t national = 0;
    for (const char c : plus_digits.substr(2)) national = national * 10 + static_cast<std::uint64_t>(c - '0');
    PhoneNumber number;
    number.set_country_code(1);
    number.set_national_number(national);
    return number;
}

// libphonenumber's IsValidNumber, with one repeated check skipped. IsValidNumber finds the number's region by
// testing its type against each region of its calling code in turn, then tests the type again for the
// region found. For +1 the first region tried is the United States, listed first as the code's main region,
// and its metadata has no leading-digit rule: finding it already proved the type, so the second test can
// only agree. That second test is half of a new US number's validation. (The parity tests check both facts
// and compare with IsValidNumber.) Asking IsValidNumberForRegion("US") first instead would save building
// the code's list of 25 regions (3.6 → 3.15 µs a new US number) but test the US twice for every other
// number: a new Canadian number 10.9 → 15.2 µs, a number of no region 13.5 → 16.2 µs. Not done.
bool IsValidNumber(const PhoneNumberUtil& util, const PhoneNumber& number) {
    if (number.country_code() != 1) return util.IsValidNumber(number);
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    if (region == "US") return true;
    return util.IsValidNumberForRegion(number, region);
}

// A memo of numbers already found valid and canonical, written `+<digits>`: libphonenumber takes ~12 µs per
// number, and batches meet the same numbers again (every update of a contact names its phone). Normalising
// is a pure function, so the memo changes no answer: an entry is a number whose parse and E.164 format
// give back exactly its own text. Open addressing over 2^21 slots (16 MiB, paged in as used), lock-free and
// insert-only; a full probe window overwrites, since a cache may forget.
class CanonicalNumberMemo {
  public:
    // The digits after '+' as an integer (E.164: at most 15 digits, never a leading 0), or 0 when the text
    // cannot be a canonical number.
    static std::uint64_t KeyOf(std::string_view plus_digits) {
        if (plus_digits.size() < 9 || plus_digits.size() > 16 || plus_digits[0] != '+' || plus_digits[1] == '0') {
            return 0;
        }
        std::uint64_t key = 0;
        for (const char c : plus_digits.substr(1)) key = key * 10 + static_cast<std::uint64_t>(c - '0');
        return key;
    }

    bool Contains(std::uint64_t key) const {
        for (std::size_t probe = 0; probe < kProbes; ++probe) {
            const std::uint64_t slot = slots_[Index(key, probe)].load(std::memory_order_relaxed);
            if (slot == key) return true;
            if (slot == 0) return false;
        }
        return false;
    }

    void Insert(std::uint64_t key) {
        for (std::size_t probe = 0; probe < kProbes; ++probe) {
            std::uint64_t expected = 0;
            auto& slot = slots_[Index(key, probe)];
            if (slot.compare_exchange_strong(expected, key, std::memory_order_relaxed) || expected == key) return;
        }
        slots_[Index(key, 0)].store(key, std::memory_order_relaxed);
    }

  private:
    static constexpr std::size_t kSlots = std::size_t{1} << 21;
    static constexpr std::size_t kProbes = 8;

    static std::size_t Index(std::uint64_t key, std::size_t probe) {
        std::uint64_t z = key * 0x9E3779B97F4A7C15ULL;
        z ^= z >> 29;
        return static_cast<std::size_t>((z + probe) & (kSlots - 1));
    }

    std::array<std::atomic<std::uint64_t>, kSlots> slots_{};
};

CanonicalNumberMemo& Memo() {
    static CanonicalNumberMemo* memo = new CanonicalNumberMemo();  // never destroyed: threads may use it at exit
    return *memo;
}

}  // namespace

Checked<std::string> NormalizePhoneNumber(std::string_view input, const std::optional<std::string>& default_country) {
    Checked<std::size_t> length = CheckText(input, TextKind::kSingleLine, kPhoneMaxLength);
    if (!length.ok()) return length.problem();
    const std::string_view written = TrimAsciiSpace(input);
    if (written.empty()) return Invalid(input, "is empty");

    Checked<Dialable> dialable = ToDialable(written);
    if (!dialable.ok()) return dialable.problem();

    const std::uint64_t memo_key = dialable.value().has_plus ? CanonicalNumberMemo::KeyOf(dialable.value().digits) : 0;
    if (memo_key != 0 && Memo().Contains(memo_key)) return std::move(dialable).value().digits;

    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    std::string region = "ZZ";  // "unknown": the number must carry its own +country
    if (!dialable.value().has_plus) {
        region = UsableRegion(util, default_country);
        if (region.empty()) return Invalid(input, "has no +country prefix and the workspace has no default_country");
    }

    PhoneNumber number;
    if (auto nanp = CanonicalNanpNumber(dialable.value().digits)) {
        number = std::move(*nanp);
    } else {
        const PhoneNumberUtil::ErrorType error = util.Parse(dialable.value().digits, region, &number);
        if (error != PhoneNumberUtil::NO_PARSING_ERROR) return Invalid(input, ParseErrorReason(error));
    }
    if (!IsValidNumber(util, number)) return Invalid(input, NotValidReason(util, number));

    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    if (memo_key != 0 && e164 == dialable.value().digits) Memo().Insert(memo_key);
    return e164;
}

}  // namespace contactd::engine
