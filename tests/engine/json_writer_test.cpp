#include "engine/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace contactd::engine {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string Quoted(std::string_view value) {
    std::string out;
    AppendJsonString(out, value);
    return out;
}

std::string DoubleText(double value) {
    std::string out;
    JsonWriter(out).Double(value);
    return out;
}

std::string Repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

// --- strings --------------------------------------------------------------------------------------------------

TEST(AppendJsonString, EscapesEveryC0ControlCharacter) {
    constexpr char kHex[] = "0123456789abcdef";
    for (unsigned byte = 0; byte < 0x20; ++byte) {
        std::string expected;
        switch (byte) {
            case '\b':
                expected = "\\b";
                break;
            case '\f':
                expected = "\\f";
                break;
            case '\n':
                expected = "\\n";
                break;
            case '\r':
                expected = "\\r";
                break;
            case '\t':
                expected = "\\t";
                break;
            default:
                expected = std::string("\\u00") + kHex[byte >> 4] + kHex[byte & 0xF];
        }
        const std::string value(1, static_cast<char>(byte));
        EXPECT_EQ(Quoted(value), "\"" + expected + "\"") << "byte " << byte;
    }
}

TEST(AppendJsonString, EscapesNulInsideText) { EXPECT_EQ(Quoted(std::string_view("a\0b", 3)), "\"a\\u0000b\""); }

TEST(AppendJsonString, EscapesQuotesAndBackslashesButNotSlash) {
    EXPECT_EQ(Quoted("say \"hi\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(Quoted("C:\\dir\\"), "\"C:\\\\dir\\\\\"");
    EXPECT_EQ(Quoted("a/b"), "\"a/b\"");
}

TEST(AppendJsonString, PassesDeleteThroughUnescaped) {
    // JSON requires escaping only below U+0020; DEL is valid as is.
    EXPECT_EQ(Quoted("a\x7F"), "\"a\x7F\"");
}

TEST(AppendJsonString, EscapesLineAndParagraphSeparatorsForJavaScript) {
    EXPECT_EQ(Quoted("a\u2028b\u2029c"), "\"a\\u2028b\\u2029c\"");
    EXPECT_EQ(Quoted("\u2027\u202A"), "\"\u2027\u202A\"");  // the neighbours pass through
}

TEST(AppendJsonString, PassesEmojiAndOtherValidUnicodeThroughUnchanged) {
    const std::string text = "Zoë 山田 😀 👨\u200D👩\u200D👧 \u00A0 \u0085 \xF4\x8F\xBF\xBF";
    EXPECT_EQ(Quoted(text), "\"" + text + "\"");
}

TEST(AppendJsonString, ReplacesEachInvalidByteWithU_FFFD) {
    EXPECT_EQ(Quoted("a\xFF"
                     "b"),
              "\"a" + std::string(kReplacement) + "b\"");
    EXPECT_EQ(Quoted("\x80\x80"), "\"" + Repeat(kReplacement, 2) + "\"");  // stray continuation bytes
}

TEST(AppendJsonString, ReplacesOverlongEncodingsByteByByte) {
    EXPECT_EQ(Quoted("\xC0\xAF"), "\"" + Repeat(kReplacement, 2) + "\"");
    EXPECT_EQ(Quoted("\xE0\x80\xAF"), "\"" + Repeat(kReplacement, 3) + "\"");
    EXPECT_EQ(Quoted("\xF0\x80\x80\xAF"), "\"" + Repeat(kReplacement, 4) + "\"");
}

TEST(AppendJsonString, ReplacesLoneSurrogatesAndCodePointsBeyondU10FFFF) {
    EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"" + Repeat(kReplacement, 3) + "\"");
    EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), "\"" + Repeat(kReplacement, 4) + "\"");
}

TEST(AppendJsonString, ReplacesATruncatedSequenceAtTheEnd) {
    EXPECT_EQ(Quoted("ok\xE2\x82"), "\"ok" + Repeat(kReplacement, 2) + "\"");
    EXPECT_EQ(Quoted("\xC3"), "\"" + std::string(kReplacement) + "\"");
}

TEST(AppendJsonString, AppendsToExistingContent) {
    std::string out = "x=";
    AppendJsonString(out, "y");
    EXPECT_EQ(out, "x=\"y\"");
}

// --- numbers --------------------------------------------------------------------------------------------------

TEST(JsonWriterDouble, PrintsIntegralValuesWithoutAFraction) {
    EXPECT_EQ(DoubleText(1.0), "1");
    EXPECT_EQ(DoubleText(100.0), "100");
    EXPECT_EQ(DoubleText(-42.0), "-42");
    EXPECT_EQ(DoubleText(0.0), "0");
    EXPECT_EQ(DoubleText(123000.0), "123000");
    for (const double value : {1e5, 1e15, 1e16, 9007199254740992.0, -1e21}) {
        const std::string text = DoubleText(value);
        EXPECT_EQ(text.find('.'), std::string::npos) << text;
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    }
}

TEST(JsonWriterDouble, PrintsTheShortestTextThatReadsBackExactly) {
    EXPECT_EQ(DoubleText(0.1), "0.1");
    EXPECT_EQ(DoubleText(2.5), "2.5");
    EXPECT_EQ(DoubleText(1.0 / 3.0), "0.3333333333333333");
    for (const double value : {0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308, -0.000123,
                               9007199254740993.0, 3.141592653589793}) {
        const std::string text = DoubleText(value);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    }
}

TEST(JsonWriterDouble, PrintsPlainDecimalsBetweenOneTenMillionthAndTenToTheTwentyOne) {
    EXPECT_EQ(DoubleText(0.0001), "0.0001");
    EXPECT_EQ(DoubleText(1e-7), "0.0000001");
    EXPECT_EQ(DoubleText(-0.0025), "-0.0025");
    EXPECT_EQ(DoubleText(1e20), "100000000000000000000");
    EXPECT_EQ(DoubleText(1.5e-8), "1.5e-08");
    EXPECT_EQ(DoubleText(1e21), "1e+21");
}

TEST(JsonWriterDouble, WritesNonFiniteValuesAsNull) {
    EXPECT_EQ(DoubleText(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(DoubleText(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(DoubleText(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriterInt, WritesTheInt64Extremes) {
    std::string out;
    JsonWriter(out)
        .BeginArray()
        .Int(std::numeric_limits<std::int64_t>::min())
        .Int(std::numeric_limits<std::int64_t>::max())
        .Int(0)
        .EndArray();
    EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807,0]");
}

// --- structure ------------------------------------------------------------------------------------------------

TEST(JsonWriter, SeparatesMembersAndElementsWithCommas) {
    std::string out;
    JsonWriter writer(out);
    writer.BeginObject()
        .Key("a")
        .Int(1)
        .Key("b")
        .BeginArray()
        .Bool(true)
        .Null()
        .String("x")
        .BeginObject()
        .EndObject()
        .EndArray()
        .Key("c")
        .Raw("{\"d\":2}")
        .Key("e")
        .Double(0.5)
        .EndObject();
    EXPECT_EQ(out, "{\"a\":1,\"b\":[true,null,\"x\",{}],\"c\":{\"d\":2},\"e\":0.5}");
}

TEST(JsonWriter, EscapesKeysLikeValues) {
    std::string out;
    JsonWriter(out).BeginObject().Key("a\"b\n").String("\x01").EndObject();
    EXPECT_EQ(out, "{\"a\\\"b\\n\":\"\\u0001\"}");
}

TEST(JsonWriter, WritesEmptyContainers) {
    std::string out;
    JsonWriter(out).BeginArray().BeginArray().EndArray().BeginObject().EndObject().EndArray();
    EXPECT_EQ(out, "[[],{}]");
}

}  // namespace
}  // namespace contactd::engine
