#include "engine/text_rules.hpp"

#include <gtest/gtest.h>

#include <string>

#include "engine/outcome.hpp"

namespace contactd::engine {
namespace {

std::string Repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

std::string WithByte(std::string prefix, unsigned char byte, std::string suffix = "") {
    prefix.push_back(static_cast<char>(byte));
    return prefix + suffix;
}

void ExpectInvalidCharacters(std::string_view value, TextKind kind, std::string_view expected_message) {
    const Checked<std::size_t> result = CheckCharacters(value, kind);
    ASSERT_FALSE(result.ok()) << "accepted " << QuoteForMessage(value);
    EXPECT_EQ(result.problem().code, Code::kInvalidCharacters);
    EXPECT_EQ(result.problem().message, expected_message);
}

// --- lengths count code points ------------------------------------------------------------------------------

TEST(CheckText, AcceptsExactly255TwoByteCharactersAtLimit255) {
    const std::string value = Repeat("é", 255);  // 510 bytes
    const Checked<std::size_t> result = CheckText(value, TextKind::kSingleLine, 255);
    ASSERT_TRUE(result.ok()) << result.problem().message;
    EXPECT_EQ(result.value(), 255U);
}

TEST(CheckText, Refuses256TwoByteCharactersAsTooLongWithBothNumbersInMessage) {
    const Checked<std::size_t> result = CheckText(Repeat("é", 256), TextKind::kSingleLine, 255);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.problem().code, Code::kValueTooLong);
    EXPECT_EQ(result.problem().message, "is 256 characters long; the limit is 255");
}

TEST(CheckText, CountsFourByteEmojiAsOneCharacterEach) {
    const std::string at_limit = Repeat("😀", 64);
    const Checked<std::size_t> ok = CheckText(at_limit, TextKind::kSingleLine, 64);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value(), 64U);
    const Checked<std::size_t> over = CheckText(at_limit + "😀", TextKind::kSingleLine, 64);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.problem().code, Code::kValueTooLong);
    EXPECT_EQ(over.problem().message, "is 65 characters long; the limit is 64");
}

TEST(CheckText, AcceptsExactly255AsciiCharactersAndRefuses256) {
    EXPECT_TRUE(CheckText(std::string(255, 'a'), TextKind::kSingleLine, 255).ok());
    EXPECT_FALSE(CheckText(std::string(256, 'a'), TextKind::kSingleLine, 255).ok());
}

TEST(CheckText, AcceptsTheEmptyString) {
    const Checked<std::size_t> result = CheckText("", TextKind::kSingleLine, 255);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), 0U);
}

TEST(CheckText, ReportsBadCharactersBeforeLength) {
    const Checked<std::size_t> result = CheckText(std::string(300, 'a') + '\x01', TextKind::kSingleLine, 255);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.problem().code, Code::kInvalidCharacters);
}

// --- accepted Unicode ---------------------------------------------------------------------------------------

TEST(CheckCharacters, AcceptsZwjEmojiSequenceAndCountsEachCodePoint) {
    const std::string family = "👨\u200D👩\u200D👧";  // man ZWJ woman ZWJ girl
    const Checked<std::size_t> result = CheckCharacters(family, TextKind::kSingleLine);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), 5U);
}

TEST(CheckCharacters, AcceptsFormatCharactersAndNonBreakingSpace) {
    for (const char* value : {"a\u200Db", "a\u200Cb", "a\u200Eb", "a\uFEFFb", "a\u00A0b", "a\u00ADb"}) {
        EXPECT_TRUE(CheckCharacters(value, TextKind::kSingleLine).ok()) << QuoteForMessage(value);
    }
}

TEST(CheckCharacters, AcceptsCodePointsAroundTheSurrogateRangeAndTheLastCodePoint) {
    EXPECT_TRUE(CheckCharacters("\xED\x9F\xBF", TextKind::kSingleLine).ok());      // U+D7FF
    EXPECT_TRUE(CheckCharacters("\xEE\x80\x80", TextKind::kSingleLine).ok());      // U+E000
    EXPECT_TRUE(CheckCharacters("\xEF\xBF\xBF", TextKind::kSingleLine).ok());      // U+FFFF (noncharacter)
    EXPECT_TRUE(CheckCharacters("\xF4\x8F\xBF\xBF", TextKind::kSingleLine).ok());  // U+10FFFF
}

TEST(CheckCharacters, AcceptsMixedScripts) {
    const Checked<std::size_t> result = CheckCharacters("Zoë Ñúñez 山田 Αλέξης", TextKind::kSingleLine);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), 19U);
}

// --- controls -----------------------------------------------------------------------------------------------

TEST(CheckCharacters, RefusesNulWithItsPositionInBothKinds) {
    const std::string value("abc\0def", 7);
    ExpectInvalidCharacters(value, TextKind::kSingleLine, "contains the NUL character U+0000 at position 3");
    ExpectInvalidCharacters(value, TextKind::kMultiLine, "contains the NUL character U+0000 at position 3");
}

TEST(CheckCharacters, RefusesEveryC0ControlInSingleLineText) {
    for (unsigned byte = 1; byte < 0x20; ++byte) {
        const Checked<std::size_t> result =
            CheckCharacters(WithByte("ab", static_cast<unsigned char>(byte)), TextKind::kSingleLine);
        ASSERT_FALSE(result.ok()) << "byte " << byte;
        EXPECT_EQ(result.problem().code, Code::kInvalidCharacters);
    }
}

TEST(CheckCharacters, NamesTheControlCharacterAndItsCodePointPosition) {
    ExpectInvalidCharacters("abc\x07", TextKind::kSingleLine, "contains the control character U+0007 at position 3");
    ExpectInvalidCharacters("éé\x1F", TextKind::kSingleLine, "contains the control character U+001F at position 2");
}

TEST(CheckCharacters, AllowsOnlyTabLineFeedAndCarriageReturnInMultiLineText) {
    for (unsigned byte = 1; byte < 0x20; ++byte) {
        const bool allowed = byte == '\t' || byte == '\n' || byte == '\r';
        const Checked<std::size_t> result =
            CheckCharacters(WithByte("line", static_cast<unsigned char>(byte), "next"), TextKind::kMultiLine);
        EXPECT_EQ(result.ok(), allowed) << "byte " << byte;
    }
}

TEST(CheckCharacters, RefusesTabAndNewlineInSingleLineText) {
    ExpectInvalidCharacters("a\tb", TextKind::kSingleLine, "contains the control character U+0009 at position 1");
    ExpectInvalidCharacters("a\nb", TextKind::kSingleLine, "contains the control character U+000A at position 1");
    ExpectInvalidCharacters("a\rb", TextKind::kSingleLine, "contains the control character U+000D at position 1");
}

TEST(CheckCharacters, RefusesDeleteInBothKinds) {
    ExpectInvalidCharacters("ab\x7F", TextKind::kSingleLine, "contains the control character U+007F at position 2");
    ExpectInvalidCharacters("ab\x7F", TextKind::kMultiLine, "contains the control character U+007F at position 2");
}

TEST(CheckCharacters, RefusesEveryC1ControlInBothKinds) {
    for (unsigned second = 0x80; second <= 0x9F; ++second) {
        const std::string value = WithByte("x\xC2", static_cast<unsigned char>(second));
        EXPECT_FALSE(CheckCharacters(value, TextKind::kSingleLine).ok()) << "U+00" << std::hex << second;
        EXPECT_FALSE(CheckCharacters(value, TextKind::kMultiLine).ok()) << "U+00" << std::hex << second;
    }
    ExpectInvalidCharacters("x\xC2\x85", TextKind::kMultiLine, "contains the control character U+0085 at position 1");
}

TEST(CheckCharacters, FindsAControlDeepInsideALongAsciiRun) {
    // Long ASCII runs are checked eight bytes at a time; the position must still be exact.
    std::string value(40, 'a');
    value[17] = '\x1B';
    ExpectInvalidCharacters(value, TextKind::kSingleLine, "contains the control character U+001B at position 17");
    value[17] = '\x7F';
    ExpectInvalidCharacters(value, TextKind::kSingleLine, "contains the control character U+007F at position 17");
}

TEST(CheckCharacters, AcceptsThePrintableAsciiBoundariesSpaceAndTilde) {
    EXPECT_TRUE(CheckCharacters(std::string(16, ' '), TextKind::kSingleLine).ok());
    EXPECT_TRUE(CheckCharacters(std::string(16, '~'), TextKind::kSingleLine).ok());
    std::string all;
    for (char c = 0x20; c < 0x7F; ++c) all.push_back(c);
    const Checked<std::size_t> result = CheckCharacters(all, TextKind::kSingleLine);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), 95U);
}

// --- lone surrogates ----------------------------------------------------------------------------------------

TEST(CheckCharacters, RefusesWtf8LoneHighSurrogate) {
    ExpectInvalidCharacters("a\xED\xA0\x80z", TextKind::kMultiLine, "contains the lone surrogate U+D800 at position 1");
}

TEST(CheckCharacters, RefusesWtf8LoneLowSurrogate) {
    ExpectInvalidCharacters("é\xED\xBF\xBF", TextKind::kSingleLine, "contains the lone surrogate U+DFFF at position 1");
}

TEST(CheckCharacters, RefusesASurrogatePairEncodedAsTwoThreeByteSequences) {
    // CESU-8 "😀": ingest joins valid pairs into one 4-byte sequence, so this can only be two lone halves.
    ExpectInvalidCharacters("\xED\xA0\xBD\xED\xB8\x80", TextKind::kSingleLine,
                            "contains the lone surrogate U+D83D at position 0");
}

// --- invalid UTF-8 ------------------------------------------------------------------------------------------

TEST(CheckCharacters, RefusesOverlongEncodings) {
    ExpectInvalidCharacters("a\xC0\xAF", TextKind::kSingleLine,
                            "is not valid UTF-8: an overlong encoding starting with 0xC0 at position 1");
    ExpectInvalidCharacters("\xC1\xBF", TextKind::kSingleLine,
                            "is not valid UTF-8: an overlong encoding starting with 0xC1 at position 0");
    ExpectInvalidCharacters("\xE0\x80\xAF", TextKind::kSingleLine,
                            "is not valid UTF-8: an overlong encoding starting with 0xE0 at position 0");
    ExpectInvalidCharacters("\xF0\x80\x80\xAF", TextKind::kSingleLine,
                            "is not valid UTF-8: an overlong encoding starting with 0xF0 at position 0");
}

TEST(CheckCharacters, RefusesOverlongNul) {
    // The "modified UTF-8" NUL: it must not sneak a NUL past the NUL rule.
    EXPECT_EQ(CheckCharacters("a\xC0\x80", TextKind::kMultiLine).problem().code, Code::kInvalidCharacters);
}

TEST(CheckCharacters, RefusesTruncatedSequences) {
    for (const char* value : {"\xC3", "ab\xE2\x82", "\xF0\x9F\x98",
                              "\xC3"
                              "A",
                              "\xE2\x82z"}) {
        const Checked<std::size_t> result = CheckCharacters(value, TextKind::kSingleLine);
        ASSERT_FALSE(result.ok()) << QuoteForMessage(value);
        EXPECT_EQ(result.problem().code, Code::kInvalidCharacters);
        EXPECT_NE(result.problem().message.find("truncated sequence"), std::string::npos) << result.problem().message;
    }
}

TEST(CheckCharacters, RefusesAStrayContinuationByte) {
    ExpectInvalidCharacters("ab\x80", TextKind::kSingleLine,
                            "is not valid UTF-8: the continuation byte 0x80 without a lead byte at position 2");
}

TEST(CheckCharacters, RefusesCodePointsBeyondU10FFFF) {
    ExpectInvalidCharacters("\xF4\x90\x80\x80", TextKind::kSingleLine,
                            "is not valid UTF-8: a code point beyond U+10FFFF at position 0");
    ExpectInvalidCharacters("\xF5\x80\x80\x80", TextKind::kSingleLine,
                            "is not valid UTF-8: a code point beyond U+10FFFF at position 0");
}

TEST(CheckCharacters, RefusesBytesThatNeverAppearInUtf8) {
    for (unsigned byte = 0xF8; byte <= 0xFF; ++byte) {
        const Checked<std::size_t> result =
            CheckCharacters(WithByte("ok", static_cast<unsigned char>(byte)), TextKind::kSingleLine);
        ASSERT_FALSE(result.ok()) << byte;
        EXPECT_EQ(result.problem().code, Code::kInvalidCharacters);
    }
}

// --- helpers ------------------------------------------------------------------------------------------------

TEST(CountCodePoints, CountsMultiByteCharactersOnce) {
    EXPECT_EQ(CountCodePoints(""), 0U);
    EXPECT_EQ(CountCodePoints("abc"), 3U);
    EXPECT_EQ(CountCodePoints("aé😀"), 3U);
    EXPECT_EQ(CountCodePoints("山田太郎"), 4U);
}

TEST(CountCodePoints, CountsEachInvalidByteAsOne) {
    EXPECT_EQ(CountCodePoints("\xFF\xFE"), 2U);
    EXPECT_EQ(CountCodePoints("a\xE2\x82"), 3U);  // truncated sequence: each byte stands alone
    EXPECT_EQ(CountCodePoints("\xC0\xAF"), 2U);
}

TEST(PrefixCodePoints, NeverSplitsAMultiByteCharacter) {
    EXPECT_EQ(PrefixCodePoints("aé😀b", 0), "");
    EXPECT_EQ(PrefixCodePoints("aé😀b", 1), "a");
    EXPECT_EQ(PrefixCodePoints("aé😀b", 2), "aé");
    EXPECT_EQ(PrefixCodePoints("aé😀b", 3), "aé😀");
    EXPECT_EQ(PrefixCodePoints("aé😀b", 4), "aé😀b");
    EXPECT_EQ(PrefixCodePoints("aé😀b", 100), "aé😀b");
}

TEST(PrefixCodePoints, TakesInvalidBytesOneAtATime) {
    EXPECT_EQ(PrefixCodePoints("\xFF\xFE"
                               "a",
                               1),
              "\xFF");
}

TEST(QuoteForMessage, CutsLongValuesAtACodePointBoundaryWithAnEllipsis) {
    EXPECT_EQ(QuoteForMessage("abc"), "\"abc\"");
    EXPECT_EQ(QuoteForMessage(Repeat("é", 70), 3), "\"ééé…\"");
    EXPECT_EQ(QuoteForMessage(Repeat("😀", 3), 3), "\"😀😀😀\"");
}

TEST(AsciiCase, ChangesOnlyAsciiLetters) {
    EXPECT_EQ(AsciiLower("HeLLo-World É 1"), "hello-world É 1");
    EXPECT_EQ(AsciiUpper("de-at é"), "DE-AT é");
}

TEST(TrimAsciiSpace, RemovesLeadingAndTrailingAsciiWhiteSpaceOnly) {
    EXPECT_EQ(TrimAsciiSpace("  \t a b \r\n"), "a b");
    EXPECT_EQ(TrimAsciiSpace("   "), "");
    EXPECT_EQ(TrimAsciiSpace(""), "");
    EXPECT_EQ(TrimAsciiSpace("\u00A0x\u00A0"), "\u00A0x\u00A0");  // NBSP is not ASCII space
}

}  // namespace
}  // namespace contactd::engine
