// NormalizePhoneNumber reads canonical NANP numbers ("+1" and ten digits) without libphonenumber's Parse and
// validates +1 numbers with one of IsValidNumber's two type tests (engine/phone_number.cpp says why both are
// exact). This checks it against libphonenumber itself on thousands of numbers across the plan, valid and
// not, and checks the facts of the metadata the second shortcut rests on, so a divergence cannot go
// unnoticed.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <list>
#include <string>

#include "engine/phone_number.hpp"

namespace contactd::engine {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber's own answer: the E.164 form, or "" when the number is refused.
std::string LibraryAnswer(const std::string& text) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(text, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return {};
    if (!util.IsValidNumber(number)) return {};
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

TEST(PhoneNumberParity, CanonicalNanpNumbersGetLibphonenumbersAnswer) {
    std::uint64_t state = 20261123;
    int valid = 0;
    for (int i = 0; i < 20000; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        // Ten digits; every first digit, so that the numbers the fast path declines are compared too.
        const std::uint64_t national = (state >> 20) % 10000000000ULL;
        std::string digits = std::to_string(national);
        digits.insert(0, 10 - digits.size(), '0');
        const std::string text = "+1" + digits;
        const std::string expected = LibraryAnswer(text);
        const Checked<std::string> actual = NormalizePhoneNumber(text, std::nullopt);
        ASSERT_EQ(actual.ok(), !expected.empty()) << text;
        if (actual.ok()) {
            ASSERT_EQ(actual.value(), expected) << text;
            ++valid;
        }
    }
    EXPECT_GT(valid, 5000) << "the sample must hold many valid numbers, or it proves little";
}

// The shortcut in engine/phone_number.cpp's IsValidNumber rests on two facts of libphonenumber's metadata: the
// United States is the first region of calling code 1, and has no leading-digit rule, so that a number is
// placed there only when it is valid there. Checked here directly, not only through the final answers.
TEST(PhoneNumberParity, AUsNumberIsPlacedInTheUnitedStatesOnlyWhenValidThere) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    std::list<std::string> regions;
    util.GetRegionCodesForCountryCallingCode(1, &regions);
    ASSERT_FALSE(regions.empty());
    EXPECT_EQ(regions.front(), "US");
    int placed = 0;
    for (std::uint64_t area = 200; area <= 999; ++area) {
        for (const std::uint64_t rest : {2000000ULL, 5550123ULL, 8675309ULL}) {
            PhoneNumber number;
            number.set_country_code(1);
            number.set_national_number(area * 10000000ULL + rest);
            std::string region;
            util.GetRegionCodeForNumber(number, &region);
            if (region != "US") continue;
            ++placed;
            ASSERT_TRUE(util.IsValidNumberForRegion(number, "US")) << number.national_number();
        }
    }
    EXPECT_GT(placed, 500) << "the sample must hold many US numbers, or it proves little";
}

TEST(PhoneNumberParity, AreaCodesOfSeveralNanpRegionsAreRecognised) {
    // US, Canada, Jamaica, Antigua, Puerto Rico, Bahamas: one number each, as libphonenumber sees them.
    for (const std::string text :
         {"+16502530000", "+14165550123", "+18765550123", "+12684601234", "+17872345678", "+12423570123"}) {
        EXPECT_EQ(NormalizePhoneNumber(text, std::nullopt).ok(), !LibraryAnswer(text).empty()) << text;
    }
}

}  // namespace
}  // namespace contactd::engine
