#include "engine/email_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contactd::engine {
namespace {

std::string Repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

std::string Normalized(std::string_view input) {
    const Checked<std::string> result = NormalizeEmailAddress(input);
    EXPECT_TRUE(result.ok()) << input << ": " << result.problem().message;
    return result.ok() ? result.value() : std::string();
}

Problem Refused(std::string_view input) {
    const Checked<std::string> result = NormalizeEmailAddress(input);
    EXPECT_FALSE(result.ok()) << input << " was accepted as " << (result.ok() ? result.value() : "");
    return result.ok() ? Problem{Code::kUnknownField, "accepted"} : result.problem();
}

// An address of exactly `length` ASCII characters (200..260): a 64-octet local part and four domain labels.
std::string AddressOfLength(std::size_t length) {
    const std::size_t last_label = length - (64 + 1) - (63 + 1) - (63 + 1) - 4;
    return std::string(64, 'l') + "@" + std::string(63, 'd') + "." + std::string(63, 'e') + "." +
           std::string(last_label, 'f') + ".com";
}

TEST(NormalizeEmailAddress, LowerCasesUpperCaseAsciiLetters) {
    EXPECT_EQ(Normalized("John.Doe@Example.COM"), "john.doe@example.com");
}

TEST(NormalizeEmailAddress, KeepsAnAlreadyNormalAddressAsIs) {
    EXPECT_EQ(Normalized("ana@example.org"), "ana@example.org");
}

TEST(NormalizeEmailAddress, AcceptsPlusTagsAndEveryAtomSpecialInTheLocalPart) {
    EXPECT_EQ(Normalized("user+tag@example.com"), "user+tag@example.com");
    EXPECT_EQ(Normalized("!#$%&'*+/=?^_`{|}~-@example.com"), "!#$%&'*+/=?^_`{|}~-@example.com");
    EXPECT_EQ(Normalized("first.middle.last@sub.example.co.uk"), "first.middle.last@sub.example.co.uk");
}

TEST(NormalizeEmailAddress, TrimsSurroundingSpaces) { EXPECT_EQ(Normalized("  ana@example.org "), "ana@example.org"); }

TEST(NormalizeEmailAddress, AcceptsInternationalisedLocalPartAndDomain) {
    EXPECT_EQ(Normalized("josé@exämple.de"), "josé@exämple.de");
    EXPECT_EQ(Normalized("用户@例子.广告"), "用户@例子.广告");
    EXPECT_EQ(Normalized("иван@пример.рф"), "иван@пример.рф");
}

TEST(NormalizeEmailAddress, AcceptsPunycodeTopLevelDomain) {
    EXPECT_EQ(Normalized("ivan@example.XN--P1AI"), "ivan@example.xn--p1ai");
}

TEST(NormalizeEmailAddress, LowerCasesOnlyAsciiLetters) {
    // No Unicode case tables in the engine: non-ASCII letters are stored as sent.
    EXPECT_EQ(Normalized("JOSÉ@Example.com"), "josÉ@example.com");
}

TEST(NormalizeEmailAddress, ExplainsAnEmptyDomainQuotingTheValue) {
    const Problem problem = Refused("foo@");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message, "not a valid e-mail address: \"foo@\" has an empty domain");
}

TEST(NormalizeEmailAddress, ExplainsAMissingAt) {
    const Problem problem = Refused("foo.example.com");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message, "not a valid e-mail address: \"foo.example.com\" has no \"@\"");
}

TEST(NormalizeEmailAddress, RefusesEmptyAndBlankInput) {
    EXPECT_EQ(Refused("").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("   ").message, "not a valid e-mail address: \"\" is empty");
}

TEST(NormalizeEmailAddress, RefusesTwoAts) {
    EXPECT_EQ(Refused("a@b@example.com").message,
              "not a valid e-mail address: \"a@b@example.com\" has more than one \"@\"");
}

TEST(NormalizeEmailAddress, RefusesAnEmptyLocalPart) {
    EXPECT_NE(Refused("@example.com").message.find("has an empty local part"), std::string::npos);
}

TEST(NormalizeEmailAddress, RefusesMisplacedDotsInTheLocalPart) {
    EXPECT_NE(Refused(".ana@example.com").message.find("starts with a dot"), std::string::npos);
    EXPECT_NE(Refused("ana.@example.com").message.find("ends with a dot"), std::string::npos);
    EXPECT_NE(Refused("a..na@example.com").message.find("two dots in a row"), std::string::npos);
}

TEST(NormalizeEmailAddress, RefusesCharactersOutsideDotAtomAndNamesThem) {
    EXPECT_EQ(Refused("a(b@example.com").message,
              "not a valid e-mail address: \"a(b@example.com\" has the character \"(\" in its local part, which is "
              "not allowed there");
    EXPECT_EQ(Refused("a b@example.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("a,b@example.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("\"a b\"@example.com").code, Code::kInvalidFormat);  // quoted local parts: not supported
}

TEST(NormalizeEmailAddress, RefusesNonBreakingAndZeroWidthSpacesInsideAnAddress) {
    EXPECT_EQ(Refused("ana\u00A0maria@example.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("ana\u200B@example.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("ana@exa\u3000mple.com").code, Code::kInvalidFormat);
}

TEST(NormalizeEmailAddress, ExplainsADomainWithoutADot) {
    EXPECT_EQ(Refused("foo@x").message, "not a valid e-mail address: \"foo@x\" has the domain \"x\", which has no dot");
}

TEST(NormalizeEmailAddress, RefusesEmptyDomainLabelsIncludingATrailingDot) {
    EXPECT_EQ(Refused("a@example..com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("a@.example.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("a@example.com.").code, Code::kInvalidFormat);
}

TEST(NormalizeEmailAddress, RefusesLabelsThatStartOrEndWithAHyphen) {
    EXPECT_NE(Refused("a@-example.com").message.find("starts or ends with a hyphen"), std::string::npos);
    EXPECT_NE(Refused("a@example-.com").message.find("starts or ends with a hyphen"), std::string::npos);
    EXPECT_EQ(Normalized("a@ex-ample.com"), "a@ex-ample.com");
}

TEST(NormalizeEmailAddress, RefusesNonAlphabeticTopLevelDomains) {
    EXPECT_NE(Refused("a@example.123").message.find("top-level domain \"123\""), std::string::npos);
    EXPECT_EQ(Refused("a@192.168.0.1").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("a@example.c0m").code, Code::kInvalidFormat);
}

TEST(NormalizeEmailAddress, RefusesDomainCharactersOtherThanLettersDigitsAndHyphens) {
    EXPECT_EQ(Refused("a@exa_mple.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("a@[192.168.0.1]").code, Code::kInvalidFormat);  // address literals: not supported
}

TEST(NormalizeEmailAddress, AcceptsA64OctetLocalPartAndRefuses65) {
    EXPECT_TRUE(NormalizeEmailAddress(std::string(64, 'a') + "@example.com").ok());
    const Problem problem = Refused(std::string(65, 'a') + "@example.com");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_NE(problem.message.find("has a local part of 65 octets; the limit is 64"), std::string::npos);
}

TEST(NormalizeEmailAddress, AcceptsA63OctetDomainLabelAndRefuses64) {
    EXPECT_TRUE(NormalizeEmailAddress("a@" + std::string(63, 'd') + ".com").ok());
    const Problem problem = Refused("a@" + std::string(64, 'd') + ".com");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_NE(problem.message.find("domain label of 64 octets; the limit is 63"), std::string::npos);
}

TEST(NormalizeEmailAddress, Accepts254CharacterAddress) {
    const std::string address = AddressOfLength(254);
    ASSERT_EQ(address.size(), 254U);
    EXPECT_EQ(Normalized(address), address);
}

TEST(NormalizeEmailAddress, Refuses255CharacterAddressAsTooLong) {
    const std::string address = AddressOfLength(255);
    ASSERT_EQ(address.size(), 255U);
    const Problem problem = Refused(address);
    EXPECT_EQ(problem.code, Code::kValueTooLong);
    EXPECT_EQ(problem.message, "is 255 characters long; the limit is 254");
}

TEST(NormalizeEmailAddress, CountsTheLengthLimitInCharactersNotBytes) {
    // 164 characters but 320 bytes: within the 254-character limit.
    const std::string label = Repeat("é", 31);
    const std::string address = Repeat("é", 32) + "@" + label + "." + label + "." + label + "." + label + ".com";
    EXPECT_EQ(Normalized(address), address);
}

TEST(NormalizeEmailAddress, RefusesControlCharactersAsInvalidCharacters) {
    EXPECT_EQ(Refused("ana\x01@example.com").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("ana@example.com\n").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused(std::string("ana\0@example.com", 16)).code, Code::kInvalidCharacters);
}

TEST(NormalizeEmailAddress, RefusesInvalidUtf8AndLoneSurrogatesAsInvalidCharacters) {
    EXPECT_EQ(Refused("an\xC3@example.com").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("an\xED\xA0\x80@example.com").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("an\xC0\xAE@example.com").code, Code::kInvalidCharacters);  // overlong "."
}

}  // namespace
}  // namespace contactd::engine
