#include "ingest/item_syntax.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace contactd::ingest {
namespace {

TEST(ItemSyntax, ValidObjectIsValidAndAnObject) {
    ItemSyntaxChecker checker;
    const ItemSyntaxResult result =
        checker.Check(R"({"first_name":"Zoë","emails":["z@example.com"],"n":-1.5e3,"ok":true,"x":null,"o":{}})");
    EXPECT_TRUE(result.valid()) << result.error->message;
    EXPECT_TRUE(result.is_object);
}

TEST(ItemSyntax, ValidValuesThatAreNotObjectsAreValidButNotObjects) {
    ItemSyntaxChecker checker;
    for (const std::string_view text : {"[1,2]", "\"text\"", "42", "-0.5", "true", "false", "null", "[]"}) {
        const ItemSyntaxResult result = checker.Check(text);
        EXPECT_TRUE(result.valid()) << text << ": " << result.error->message;
        EXPECT_FALSE(result.is_object) << text;
    }
}

TEST(ItemSyntax, WhiteSpaceAroundTheValueIsAllowed) {
    ItemSyntaxChecker checker;
    const ItemSyntaxResult result = checker.Check(" \t\r\n{\"a\":1} \r\t\n");
    EXPECT_TRUE(result.valid()) << result.error->message;
    EXPECT_TRUE(result.is_object);
}

TEST(ItemSyntax, EscapesAndMultiByteCharactersAreValid) {
    ItemSyntaxChecker checker;
    const ItemSyntaxResult result = checker.Check(R"({"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","b":"Zoë – 東京 😀"})");
    EXPECT_TRUE(result.valid()) << result.error->message;
    EXPECT_TRUE(result.is_object);
}

TEST(ItemSyntax, WhatTheGrammarAllowsButSimdjsonRefusesIsValid) {
    // simdjson's DOM refuses these (NUMBER_ERROR, STRING_ERROR); RFC 8259 allows them, and so does
    // JsonInputParser, which hands them to the engine to judge field by field.
    ItemSyntaxChecker checker;
    for (const std::string_view text : {R"({"a":1e400})", R"({"a":-1e400})", R"({"a":123456789012345678901234567890})",
                                        R"({"a":"\ud800"})", R"({"a":"\udc00x"})"}) {
        const ItemSyntaxResult result = checker.Check(text);
        EXPECT_TRUE(result.valid()) << text << ": " << result.error->message;
        EXPECT_TRUE(result.is_object) << text;
    }
    const ItemSyntaxResult array = checker.Check("[1e400]");
    EXPECT_TRUE(array.valid());
    EXPECT_FALSE(array.is_object);
}

//! One malformed item and exactly what must be reported.
struct BadItem {
    std::string text;
    std::uint64_t offset;
    std::string message_part;
};

std::ostream& operator<<(std::ostream& out, const BadItem& bad) { return out << bad.text; }

class ItemSyntaxErrors : public testing::TestWithParam<BadItem> {};

TEST_P(ItemSyntaxErrors, ReportsTheFirstErrorWithItsOffsetWithinTheItem) {
    const BadItem& bad = GetParam();
    ItemSyntaxChecker checker;
    const ItemSyntaxResult result = checker.Check(bad.text);
    ASSERT_FALSE(result.valid()) << "accepted: " << bad.text;
    EXPECT_FALSE(result.is_object);
    EXPECT_EQ(result.error->offset, bad.offset) << result.error->message;
    EXPECT_EQ(result.error->message.rfind("invalid JSON: ", 0), 0U) << result.error->message;
    EXPECT_NE(result.error->message.find(bad.message_part), std::string::npos) << result.error->message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ItemSyntaxErrors,
    testing::Values(BadItem{"", 0, "empty"}, BadItem{"  \t", 0, "empty"},
                    BadItem{R"({"a":"abc})", 5, "unclosed string"}, BadItem{R"({"a":"abc\"})", 5, "unclosed string"},
                    BadItem{R"({"a":1,})", 7, "expected a member name"}, BadItem{R"({"a" 1})", 5, "expected ':'"},
                    BadItem{R"({a:1})", 1, "expected a member name"}, BadItem{R"({"a":tru})", 8, "invalid literal"},
                    BadItem{R"({"a":nulL})", 8, "invalid literal"}, BadItem{R"({"a":01})", 6, "leading zero"},
                    BadItem{R"({"a":-})", 6, "expected a digit"}, BadItem{R"({"a":1.})", 7, "after the point"},
                    BadItem{R"({"a":1e})", 7, "exponent"}, BadItem{R"({"a":+1})", 5, "expected a value"},
                    BadItem{R"({"a":"\x"})", 7, "invalid escape"}, BadItem{R"({"a":"\u00G0"})", 10, "\\u escape"},
                    BadItem{"{\"a\":\"x\x01\"}", 7, "control character"}, BadItem{"{\"a\":\"\xff\"}", 6, "UTF-8"},
                    BadItem{"{\"a\":\"\xed\xa0\x80\"}", 6, "UTF-8"},   // an encoded surrogate
                    BadItem{"{\"a\":\"\xc0\xaf\"}", 6, "UTF-8"},       // overlong
                    BadItem{"{\"a\":\"\xe2\x82\"}", 6, "UTF-8"},       // cut short
                    BadItem{"{\"\xff\":1}", 2, "UTF-8"},               // in a name
                    BadItem{"\xef\xbb\xbf{}", 0, "expected a value"},  // a byte-order mark is not JSON
                    BadItem{R"({"a":1} x)", 8, "unexpected content after the value"},
                    BadItem{R"({"a":1}})", 7, "unexpected content after the value"},
                    BadItem{R"({}{})", 2, "unexpected content after the value"},
                    BadItem{"{\"a\":1}\xff", 7, "unexpected content after the value"},
                    BadItem{R"({"a":[1,2})", 9, "expected ',' or ']'"}, BadItem{R"({"a":[1,]})", 8, "expected a value"},
                    BadItem{R"({"a":1)", 6, "ends too early"}, BadItem{R"({"a":)", 5, "ends too early"},
                    BadItem{R"([)", 1, "ends too early"}));

TEST(ItemSyntax, NestingDeeperThanSimdjsonAllowsIsAnErrorAtTheBracket) {
    ItemSyntaxChecker checker;
    const std::string deep = std::string(2000, '[') + std::string(2000, ']');
    const ItemSyntaxResult result = checker.Check(deep);
    ASSERT_FALSE(result.valid());
    EXPECT_NE(result.error->message.find("nest too deeply"), std::string::npos) << result.error->message;
    EXPECT_EQ(result.error->offset, 1024U);
    EXPECT_TRUE(checker.Check(std::string(100, '[') + std::string(100, ']')).valid());
}

TEST(ItemSyntax, ReusedCheckerJudgesEachItemAlone) {
    ItemSyntaxChecker checker;
    const std::string big = "{\"a\":\"" + std::string(60'000, 'x') + "\"}";
    EXPECT_TRUE(checker.Check(big).valid());
    // A short item after a long one must not see the long one's bytes in the reused buffer.
    EXPECT_FALSE(checker.Check(R"({"a":"x)").valid());
    EXPECT_TRUE(checker.Check("{}").valid());
    EXPECT_FALSE(checker.Check("{").valid());
    EXPECT_TRUE(checker.Check(big).valid());
    const ItemSyntaxResult after_error = checker.Check("[]");
    EXPECT_TRUE(after_error.valid());
    EXPECT_FALSE(after_error.is_object);
}

TEST(ItemSyntax, ItemSlicedOutOfALargerBufferIsJudgedOnItsOwnBytes) {
    // Items arrive as views into a body: bytes after the view (here, the rest of the line) must not count.
    const std::string body = "{\"a\":1}{\"b\":2}";
    ItemSyntaxChecker checker;
    EXPECT_TRUE(checker.Check(std::string_view(body).substr(0, 7)).valid());
    EXPECT_FALSE(checker.Check(std::string_view(body).substr(0, 6)).valid());
}

}  // namespace
}  // namespace contactd::ingest
