#include "ingest/json_input.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace contactd::ingest {
namespace {

using engine::Json;

Json ParseOk(std::string_view text) {
    JsonInputResult result = ParseJsonInput(text);
    EXPECT_TRUE(result.ok()) << text << " → " << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(result).value() : Json();
}

JsonInputError ParseFails(std::string_view text, const JsonInputOptions& options = {}) {
    JsonInputResult result = ParseJsonInput(text, options);
    EXPECT_FALSE(result.ok()) << "accepted: " << text;
    if (result.ok()) return {};
    EXPECT_LE(result.error().offset, text.size());
    EXPECT_NE(result.error().message.find("at byte " + std::to_string(result.error().offset)), std::string::npos)
        << result.error().message;
    return result.error();
}

std::string Bytes(std::string_view text) {
    std::string hex;
    for (unsigned char c : text) {
        constexpr char kHex[] = "0123456789ABCDEF";
        hex.push_back(kHex[c >> 4]);
        hex.push_back(kHex[c & 15]);
    }
    return hex;
}

TEST(JsonInput, ObjectKeepsMemberOrderAndEveryType) {
    const Json json = ParseOk(R"({"z":1,"a":"x","m":[true,false,null],"b":{"k":-2.5e3},"e":""})");
    ASSERT_TRUE(json.IsObject());
    ASSERT_EQ(json.members().size(), 5u);
    EXPECT_EQ(json.members()[0].first, "z");
    EXPECT_EQ(json.members()[1].first, "a");
    EXPECT_EQ(json.members()[2].first, "m");
    EXPECT_EQ(json.members()[3].first, "b");
    EXPECT_EQ(json.members()[4].first, "e");
    EXPECT_EQ(json.Find("a")->text(), "x");
    const Json& array = *json.Find("m");
    ASSERT_EQ(array.elements().size(), 3u);
    EXPECT_TRUE(array.elements()[0].AsBool());
    EXPECT_FALSE(array.elements()[1].AsBool());
    EXPECT_TRUE(array.elements()[2].IsNull());
    const Json& number = *json.Find("b")->Find("k");
    EXPECT_EQ(number.text(), "-2.5e3");
    EXPECT_FALSE(number.IsIntegerToken());
    EXPECT_DOUBLE_EQ(number.AsDouble(), -2500.0);
    EXPECT_EQ(json.ToJsonText(), R"({"z":1,"a":"x","m":[true,false,null],"b":{"k":-2.5e3},"e":""})");
}

TEST(JsonInput, WhiteSpaceAroundTokensIsFine) {
    const Json json = ParseOk(" \r\n\t{ \"a\" : [ 1 , 2 ] , \"b\" : 3 }\n ");
    EXPECT_EQ(json.ToJsonText(), R"({"a":[1,2],"b":3})");
}

TEST(JsonInput, ScalarDocumentsParse) {
    EXPECT_EQ(ParseOk("\"abc\"").text(), "abc");
    EXPECT_EQ(ParseOk(" 42 ").AsInt64(), 42);
    EXPECT_TRUE(ParseOk("true").AsBool());
    EXPECT_TRUE(ParseOk("null").IsNull());
    EXPECT_TRUE(ParseOk("[]").IsArray());
    EXPECT_TRUE(ParseOk("{}").IsObject());
}

TEST(JsonInput, IntegersKeepTokenAndInt64Fit) {
    const Json json = ParseOk(
        R"([0,-0,9223372036854775807,-9223372036854775808,9223372036854775808,123456789012345678901234567890,1.0,1e2,5])");
    const auto& e = json.elements();
    EXPECT_TRUE(e[0].FitsInt64());
    EXPECT_EQ(e[1].text(), "-0");
    EXPECT_EQ(e[2].AsInt64(), INT64_MAX);
    EXPECT_EQ(e[3].AsInt64(), INT64_MIN);
    EXPECT_TRUE(e[4].IsIntegerToken());
    EXPECT_FALSE(e[4].FitsInt64());
    EXPECT_DOUBLE_EQ(e[4].AsDouble(), 9223372036854775808.0);
    EXPECT_TRUE(e[5].IsIntegerToken());
    EXPECT_FALSE(e[5].FitsInt64());
    EXPECT_EQ(e[5].text(), "123456789012345678901234567890");
    EXPECT_DOUBLE_EQ(e[5].AsDouble(), 1.2345678901234568e29);
    EXPECT_FALSE(e[6].IsIntegerToken());  // "1.0" is a number with a fraction, not an integer token
    EXPECT_FALSE(e[7].IsIntegerToken());
    EXPECT_EQ(e[8].AsInt64(), 5);
}

TEST(JsonInput, HugeIntegerOfManyDigitsDoesNotFailTheParse) {
    const std::string digits(400, '9');
    const Json json = ParseOk("{\"priority\":" + digits + "}");
    const Json& number = *json.Find("priority");
    EXPECT_TRUE(number.IsIntegerToken());
    EXPECT_FALSE(number.FitsInt64());
    EXPECT_EQ(number.text(), digits);
}

TEST(JsonInput, NumbersBeyondDoubleRangeAreKeptAsTokens) {
    const Json json = ParseOk("[1e400,-1e400,1e-400]");
    EXPECT_EQ(json.elements()[0].text(), "1e400");
    EXPECT_TRUE(json.elements()[0].AsDouble() > 1e308);
    EXPECT_TRUE(json.elements()[1].AsDouble() < -1e308);
    EXPECT_EQ(json.elements()[2].AsDouble(), 0.0);
}

TEST(JsonInput, StringEscapesAndUnicodeRoundTrip) {
    const Json json = ParseOk(R"(["a\"b\\c\/d\b\f\n\r\t","\u00e9\u4e2d\ud83d\ude00","😀 é 中"])");
    EXPECT_EQ(json.elements()[0].text(), "a\"b\\c/d\b\f\n\r\t");
    EXPECT_EQ(json.elements()[1].text(), "é中😀");
    EXPECT_EQ(json.elements()[2].text(), "😀 é 中");
}

TEST(JsonInput, EscapedNulAndControlsAreKeptForTheEngineToJudge) {
    const Json json = ParseOk(R"(["a\u0000b","\u0007"])");
    EXPECT_EQ(json.elements()[0].text(), std::string("a\0b", 3));
    EXPECT_EQ(json.elements()[1].text(), "\x07");
}

TEST(JsonInput, LoneHighSurrogateBecomesWtf8InsteadOfFailing) {
    const Json json = ParseOk(R"({"first_name":"a\ud800b","last_name":"ok"})");
    EXPECT_EQ(Bytes(json.Find("first_name")->text()), "61EDA08062");
    EXPECT_EQ(json.Find("last_name")->text(), "ok");
}

TEST(JsonInput, LoneLowSurrogateBecomesWtf8) {
    const Json json = ParseOk(R"(["\udc00","x\udfffy"])");
    EXPECT_EQ(Bytes(json.elements()[0].text()), "EDB080");
    EXPECT_EQ(Bytes(json.elements()[1].text()), "78EDBFBF79");
}

TEST(JsonInput, HighSurrogateFollowedByNonSurrogateEscapeKeepsBoth) {
    const Json json = ParseOk(R"(["\ud800\u0041","\ud800\ud800"])");
    EXPECT_EQ(Bytes(json.elements()[0].text()), "EDA08041");
    EXPECT_EQ(Bytes(json.elements()[1].text()), "EDA080EDA080");
}

TEST(JsonInput, LoneSurrogateInKeyAndRootString) {
    const Json object = ParseOk(R"({"k\ud800":1})");
    EXPECT_EQ(Bytes(object.members()[0].first), "6BEDA080");
    EXPECT_EQ(Bytes(ParseOk(R"("\ud800")").text()), "EDA080");
}

TEST(JsonInput, BadEscapeIsASyntaxErrorAtTheEscape) {
    const JsonInputError error = ParseFails(R"({"a":"x\qy"})");
    EXPECT_EQ(error.kind, JsonInputErrorKind::kSyntax);
    EXPECT_EQ(error.offset, 7u);
    EXPECT_EQ(ParseFails(R"(["\u12G4"])").offset, 2u);
    EXPECT_EQ(ParseFails(R"(["\ud800\u12"])").kind, JsonInputErrorKind::kSyntax);
}

TEST(JsonInput, EmptyAndBlankBodiesAreEmpty) {
    EXPECT_EQ(ParseFails("").kind, JsonInputErrorKind::kEmpty);
    EXPECT_EQ(ParseFails(" \n\t\r ").kind, JsonInputErrorKind::kEmpty);
}

TEST(JsonInput, InvalidUtf8IsReportedAtTheFirstBadByte) {
    const JsonInputError in_string = ParseFails("{\"a\":\"ok\xff\"}");
    EXPECT_EQ(in_string.kind, JsonInputErrorKind::kInvalidUtf8);
    EXPECT_EQ(in_string.offset, 8u);
    EXPECT_EQ(ParseFails("[\"\xc3\"]").offset, 2u);                                      // truncated sequence
    EXPECT_EQ(ParseFails("[\"\xed\xa0\x80\"]").kind, JsonInputErrorKind::kInvalidUtf8);  // raw surrogate
    EXPECT_EQ(ParseFails("[\"\xc0\xaf\"]").kind, JsonInputErrorKind::kInvalidUtf8);      // overlong
    EXPECT_EQ(ParseFails("[1]\xff").offset, 3u);
}

TEST(JsonInput, RawControlCharacterInStringIsASyntaxError) {
    const JsonInputError error = ParseFails("[\"a\tb\"]");
    EXPECT_EQ(error.kind, JsonInputErrorKind::kSyntax);
    EXPECT_EQ(error.offset, 3u);
}

TEST(JsonInput, UnclosedStringPointsAtItsQuote) {
    const JsonInputError error = ParseFails(R"({"a":"abc)");
    EXPECT_EQ(error.kind, JsonInputErrorKind::kSyntax);
    EXPECT_EQ(error.offset, 5u);
}

TEST(JsonInput, EveryMalformedStructureIsASyntaxError) {
    for (const char* text : {"[1,]",
                             "[,1]",
                             "[1 2]",
                             "[1,2",
                             "{\"a\":1,}",
                             "{\"a\" 1}",
                             "{\"a\":}",
                             "{1:2}",
                             "{\"a\":[}",
                             "]",
                             "}",
                             "[",
                             "{",
                             "{\"a\"}",
                             "[\"a\"\"b\"]",
                             ":",
                             ",",
                             "[1:2]",
                             "{\"a\":1 \"b\":2}",
                             "[[1]",
                             "[{]}",
                             "{\"a\":1]"}) {
        SCOPED_TRACE(text);
        const JsonInputError error = ParseFails(text);
        EXPECT_TRUE(error.kind == JsonInputErrorKind::kSyntax || error.kind == JsonInputErrorKind::kTrailingContent)
            << JsonInputErrorKindName(error.kind);
    }
}

TEST(JsonInput, BadLiteralsAndNumbersAreSyntaxErrors) {
    for (const char* text : {"[tru]",   "[truex]", "[nul]", "[nulx]", "[fals]", "[True]", "[NaN]", "[Infinity]",
                             "[01]",    "[-]",     "[1.]",  "[.5]",   "[+1]",   "[1e]",   "[1e+]", "[0x10]",
                             "[1.2.3]", "[--1]",   "[-01]", "01",     "tru",    "nul",    "1.",    "-"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(ParseFails(text).kind, JsonInputErrorKind::kSyntax);
    }
}

TEST(JsonInput, BadNumberOffsetPointsAtTheNumber) {
    EXPECT_EQ(ParseFails(R"({"a":1,"b":01})").offset, 11u);
    EXPECT_EQ(ParseFails(R"([true, nulx])").offset, 7u);
}

TEST(JsonInput, TrailingGarbageAfterTheValueIsRefused) {
    for (const char* text : {"{\"a\":1}x", "{\"a\":1}}", "[1]]", "[1] [2]", "{} {}", "123 456", "\"a\" \"b\"",
                             "true false", "null,", "[1],", "{}\n{}"}) {
        SCOPED_TRACE(text);
        const JsonInputError error = ParseFails(text);
        EXPECT_TRUE(error.kind == JsonInputErrorKind::kTrailingContent || error.kind == JsonInputErrorKind::kSyntax);
    }
    const JsonInputError error = ParseFails("{\"a\":1} x");
    EXPECT_EQ(error.kind, JsonInputErrorKind::kTrailingContent);
    EXPECT_EQ(error.offset, 8u);
}

TEST(JsonInput, DuplicateMemberIsAnErrorAtTheSecondKey) {
    const JsonInputError error = ParseFails(R"({"email":"a@x.io","phone":"1","email":"b@x.io"})");
    EXPECT_EQ(error.kind, JsonInputErrorKind::kDuplicateMember);
    EXPECT_EQ(error.offset, 30u);
    EXPECT_NE(error.message.find("\"email\""), std::string::npos);
}

TEST(JsonInput, DuplicateMemberFoundInLargeObjectsAndAfterUnescaping) {
    std::string text = "{";
    for (int i = 0; i < 40; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    text += "\"k3\":0}";
    EXPECT_EQ(ParseFails(text).kind, JsonInputErrorKind::kDuplicateMember);
    EXPECT_EQ(ParseFails(R"({"ab":1,"a\u0062":2})").kind, JsonInputErrorKind::kDuplicateMember);
}

TEST(JsonInput, SameKeyInDifferentObjectsIsNotADuplicate) {
    const Json json = ParseOk(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})");
    EXPECT_EQ(json.members().size(), 2u);
}

TEST(JsonInput, DuplicatesMayBeKeptWhenAsked) {
    JsonInputOptions options;
    options.reject_duplicate_members = false;
    const JsonInputResult result = ParseJsonInput(R"({"a":1,"a":2})", options);
    ASSERT_TRUE(result.ok());
    ASSERT_EQ(result.value().members().size(), 2u);
    EXPECT_EQ(result.value().members()[1].second.AsInt64(), 2);
}

TEST(JsonInput, NestingUpToTheCapParsesAndOneDeeperFails) {
    const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_TRUE(ParseJsonInput(nested(64)).ok());
    const JsonInputError error = ParseFails(nested(65));
    EXPECT_EQ(error.kind, JsonInputErrorKind::kTooDeep);
    EXPECT_EQ(error.offset, 64u);
    std::string objects;
    for (int i = 0; i < 65; ++i) objects += "{\"a\":";
    objects += "1" + std::string(65, '}');
    EXPECT_EQ(ParseFails(objects).kind, JsonInputErrorKind::kTooDeep);
}

TEST(JsonInput, VeryDeepNestingFailsWithoutExhaustingTheStack) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(ParseFails(deep).kind, JsonInputErrorKind::kTooDeep);
    EXPECT_FALSE(ParseJsonInput(std::string(100000, '[')).ok());
}

TEST(JsonInput, ParseInPlacePadsTheCallersBuffer) {
    std::string body = R"({"first_name":"Ada"})";
    body.shrink_to_fit();
    JsonInputParser parser;
    const JsonInputResult result = parser.ParseInPlace(body);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value().Find("first_name")->text(), "Ada");
    EXPECT_EQ(body, R"({"first_name":"Ada"})");
}

TEST(JsonInput, ReusedParserGivesIndependentResults) {
    JsonInputParser parser;
    const JsonInputResult first = parser.Parse(R"({"a":"first"})");
    const JsonInputResult bad = parser.Parse(R"({"a":)");
    const JsonInputResult second = parser.Parse(R"({"a":"second"})");
    ASSERT_TRUE(first.ok());
    EXPECT_FALSE(bad.ok());
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(first.value().Find("a")->text(), "first");
    EXPECT_EQ(second.value().Find("a")->text(), "second");
}

TEST(JsonInput, InvalidJsonResponseCarriesOffset) {
    const HttpResponse response = InvalidJsonResponse(ParseFails("{\"a\":1,}"));
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find("\"code\":\"INVALID_JSON\""), std::string::npos);
    EXPECT_NE(response.body.find("\"offset\":"), std::string::npos);
    EXPECT_EQ(response.headers.Find("Content-Type"), "application/json");
}

// Mutates a realistic document at random (flips, inserts, deletes, truncations) and parses each variant:
// the parser must answer every one with a value or an in-range error, and never crash (run under ASan).
TEST(JsonInput, RandomlyDamagedDocumentsNeverCrash) {
    const std::string seed =
        R"({"first_name":"Zoë","emails":["a@x.io","b@y.io"],"phones":["+34 600 000 000"],"priority":3,)"
        R"("tags":{"add":["vip"],"remove":[]},"custom_fields":{"n":-1.5e3,"d":null,"b":true,"s":"\u00e9\ud83d\ude00"}})";
    const std::string alphabet = "{}[],:\"\\0123456789.eE+-tfnul \t\x80\xff\xed";
    std::mt19937 random(12345);
    JsonInputParser parser;
    for (int round = 0; round < 20000; ++round) {
        std::string text = seed;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int edit = 0; edit < edits && !text.empty(); ++edit) {
            const std::size_t at = random() % text.size();
            const char c = alphabet[random() % alphabet.size()];
            switch (random() % 4) {
                case 0:
                    text[at] = c;
                    break;
                case 1:
                    text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
                    break;
                case 2:
                    text.erase(at, 1);
                    break;
                default:
                    text.resize(at);
                    break;
            }
        }
        const JsonInputResult result = parser.Parse(text);
        if (!result.ok()) {
            ASSERT_LE(result.error().offset, text.size()) << text;
            ASSERT_FALSE(result.error().message.empty());
        }
    }
}

}  // namespace
}  // namespace contactd::ingest
