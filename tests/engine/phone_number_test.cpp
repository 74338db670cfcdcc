#include "engine/phone_number.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contactd::engine {
namespace {

const std::optional<std::string> kNoCountry;

std::string E164(std::string_view input, const std::optional<std::string>& default_country = kNoCountry) {
    const Checked<std::string> result = NormalizePhoneNumber(input, default_country);
    EXPECT_TRUE(result.ok()) << input << ": " << result.problem().message;
    return result.ok() ? result.value() : std::string();
}

Problem Refused(std::string_view input, const std::optional<std::string>& default_country = kNoCountry) {
    const Checked<std::string> result = NormalizePhoneNumber(input, default_country);
    EXPECT_FALSE(result.ok()) << input << " was accepted as " << (result.ok() ? result.value() : "");
    return result.ok() ? Problem{Code::kUnknownField, "accepted"} : result.problem();
}

// --- with a +country prefix ----------------------------------------------------------------------------------

TEST(NormalizePhoneNumber, KeepsAnE164NumberAsIs) {
    EXPECT_EQ(E164("+16502530000"), "+16502530000");
    EXPECT_EQ(E164("+442070313000"), "+442070313000");
}

TEST(NormalizePhoneNumber, StripsSpacesDashesDotsAndBracketsAfterThePrefix) {
    EXPECT_EQ(E164("+1 (650) 253-0000"), "+16502530000");
    EXPECT_EQ(E164("+44 20 7031 3000"), "+442070313000");
    EXPECT_EQ(E164("+49-30-123-4567"), "+49301234567");
    EXPECT_EQ(E164("+49.30.1234567"), "+49301234567");
    EXPECT_EQ(E164("+81 3-6384-9000"), "+81363849000");
}

TEST(NormalizePhoneNumber, DropsTheBracketedTrunkZeroWrittenAfterTheCountryCode) {
    EXPECT_EQ(E164("+49 (0)30 1234567"), "+49301234567");
}

TEST(NormalizePhoneNumber, KeepsTheItalianLeadingZero) { EXPECT_EQ(E164("+39 06 6988 4343"), "+390669884343"); }

TEST(NormalizePhoneNumber, AcceptsMobileNumbersOfSeveralCountries) {
    EXPECT_EQ(E164("+49 151 23456789"), "+4915123456789");
    EXPECT_EQ(E164("+44 7911 123456"), "+447911123456");
    EXPECT_EQ(E164("+91 98765 43210"), "+919876543210");
}

TEST(NormalizePhoneNumber, AcceptsUnicodeDashesAndNoBreakSpacesAsSeparators) {
    EXPECT_EQ(E164("+49 30 123\u20134567"), "+49301234567");      // en dash
    EXPECT_EQ(E164("+49\u00A030\u00A01234567"), "+49301234567");  // NBSP
    EXPECT_EQ(E164("+49 30 123\u22124567"), "+49301234567");      // minus sign
}

TEST(NormalizePhoneNumber, IgnoresTheDefaultCountryWhenThePrefixIsGiven) {
    EXPECT_EQ(E164("+1 650 253 0000", std::string("DE")), "+16502530000");
}

TEST(NormalizePhoneNumber, TrimsSurroundingSpaces) { EXPECT_EQ(E164("  +16502530000  "), "+16502530000"); }

// --- without a prefix ---------------------------------------------------------------------------------------

TEST(NormalizePhoneNumber, ReadsANationalNumberInTheDefaultCountry) {
    EXPECT_EQ(E164("030 1234567", std::string("DE")), "+49301234567");
    EXPECT_EQ(E164("(650) 253-0000", std::string("US")), "+16502530000");
    EXPECT_EQ(E164("06 6988 4343", std::string("IT")), "+390669884343");
    EXPECT_EQ(E164("0151 23456789", std::string("DE")), "+4915123456789");
}

TEST(NormalizePhoneNumber, ReadsTheDefaultCountrysInternationalDialingPrefix) {
    EXPECT_EQ(E164("0049 30 1234567", std::string("DE")), "+49301234567");
    EXPECT_EQ(E164("00 1 650 253 0000", std::string("DE")), "+16502530000");
    EXPECT_EQ(E164("011 44 20 7031 3000", std::string("US")), "+442070313000");
}

TEST(NormalizePhoneNumber, AcceptsALowerCaseDefaultCountry) {
    EXPECT_EQ(E164("650-253-0000", std::string("us")), "+16502530000");
}

TEST(NormalizePhoneNumber, RefusesANumberWithoutPrefixWhenThereIsNoDefaultCountry) {
    const Problem problem = Refused("650-253-0000");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message,
              "not a valid phone number: \"650-253-0000\" has no +country prefix and the workspace has no "
              "default_country");
}

TEST(NormalizePhoneNumber, TreatsAnUnknownDefaultCountryAsNone) {
    for (const char* country : {"XX", "ZZ", "", "USA", "1"}) {
        const Problem problem = Refused("650-253-0000", std::string(country));
        EXPECT_EQ(problem.code, Code::kInvalidFormat) << country;
        EXPECT_NE(problem.message.find("has no +country prefix"), std::string::npos) << country;
    }
}

// --- numbers that cannot exist --------------------------------------------------------------------------------

TEST(NormalizePhoneNumber, RefusesANumberOutsideTheNumberingPlan) {
    const Problem problem = Refused("+1 200 555 0100");  // area code 200 is not assigned
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message,
              "not a valid phone number: \"+1 200 555 0100\" cannot exist: it is not in the numbering plan of "
              "country code +1");
}

TEST(NormalizePhoneNumber, RefusesAnUnknownCountryCode) {
    EXPECT_EQ(Refused("+999 123456").message, "not a valid phone number: \"+999 123456\" has an unknown country code");
    EXPECT_EQ(Refused("+0 123 456 789").code, Code::kInvalidFormat);
}

TEST(NormalizePhoneNumber, RefusesTooShortAndTooLongNumbers) {
    EXPECT_NE(Refused("+1 650 253 00001").message.find("is too long for country code +1"), std::string::npos);
    EXPECT_NE(Refused("+1 555 0100").message.find("is too short for country code +1"), std::string::npos);
    EXPECT_EQ(Refused("+49 30 12").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("2530000", std::string("US")).code, Code::kInvalidFormat);
}

TEST(NormalizePhoneNumber, RefusesNumbersWithoutDigits) {
    EXPECT_EQ(Refused("+").message, "not a valid phone number: \"+\" has no digits");
    EXPECT_EQ(Refused("()-", std::string("US")).code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("").message, "not a valid phone number: \"\" is empty");
    EXPECT_EQ(Refused("   ").code, Code::kInvalidFormat);
}

// --- characters refused before parsing -------------------------------------------------------------------------

TEST(NormalizePhoneNumber, RefusesLettersIncludingVanityNumbersAndExtensions) {
    EXPECT_EQ(Refused("+1 800 FLOWERS").message,
              "not a valid phone number: \"+1 800 FLOWERS\" contains the letter \"F\"; only digits, spaces, dashes, "
              "dots, brackets and a leading \"+\" are allowed");
    EXPECT_EQ(Refused("+1 650 253 0000 ext. 12").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("+1 650 253 0000 x12").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("tel:+16502530000").code, Code::kInvalidFormat);
}

TEST(NormalizePhoneNumber, RefusesAPlusThatIsNotAtTheStart) {
    EXPECT_NE(Refused("++1 650 253 0000").message.find("has a \"+\" that is not at the start"), std::string::npos);
    EXPECT_EQ(Refused("1+650 253 0000", std::string("US")).code, Code::kInvalidFormat);
}

TEST(NormalizePhoneNumber, RefusesOtherSymbols) {
    EXPECT_EQ(Refused("+1 650 253 0000#12").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("+1 650 253 0000;ext=12").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("+1 650*253*0000").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("+\uFF11 650 253 0000").code, Code::kInvalidFormat);  // full-width digit one
}

TEST(NormalizePhoneNumber, RefusesControlCharactersAsInvalidCharacters) {
    EXPECT_EQ(Refused(std::string("+1650\0"
                                  "2530000",
                                  13))
                  .code,
              Code::kInvalidCharacters);
    EXPECT_EQ(Refused("+1650\t2530000").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("+1650\xC2\x85"
                      "2530000")
                  .code,
              Code::kInvalidCharacters);
    EXPECT_EQ(Refused("+1650\xED\xA0\x80").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("+1650\xFF").code, Code::kInvalidCharacters);
}

TEST(NormalizePhoneNumber, RefusesInputOver64CharactersBeforeParsing) {
    const std::string padded = "+1 650 253 0000" + std::string(49, ' ');  // 64 characters: fine
    ASSERT_EQ(padded.size(), 64U);
    EXPECT_EQ(E164(padded), "+16502530000");
    const Problem problem = Refused(padded + " ");
    EXPECT_EQ(problem.code, Code::kValueTooLong);
    EXPECT_EQ(problem.message, "is 65 characters long; the limit is 64");
}

}  // namespace
}  // namespace contactd::engine

namespace contactd::engine {
namespace {

// The memo of canonical numbers must never change an answer, only its cost.
TEST(PhoneNumberMemoTest, RepeatedNumbersGiveTheSameAnswersAsTheFirstTime) {
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(NormalizePhoneNumber("+1 650 253 0000", std::nullopt).value(), "+16502530000");
        EXPECT_EQ(NormalizePhoneNumber("+16502530000", std::nullopt).value(), "+16502530000");
        EXPECT_FALSE(NormalizePhoneNumber("+1 123 456 7890", std::nullopt).ok()) << "invalid numbers stay invalid";
    }
}

TEST(PhoneNumberMemoTest, ANumberWhoseCanonicalFormDiffersIsNeverTakenAsCanonical) {
    const auto first = NormalizePhoneNumber("+5215512345678", std::nullopt);
    const auto second = NormalizePhoneNumber("+5215512345678", std::nullopt);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first.value(), second.value());
    EXPECT_EQ(first.value(), "+525512345678") << "the old Mexican mobile 1 is dropped, memo or not";
}

}  // namespace
}  // namespace contactd::engine
