#include "ingest/json_batch_splitter.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::ingest {
namespace {

//! An emitted item with its bytes copied (the view dies with the sink call).
struct Seen {
    std::string bytes;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    bool too_large = false;
    bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Seen& seen) {
    return out << "{offset " << seen.offset << ", size " << seen.size << (seen.too_large ? ", too large" : "")
               << ", bytes '" << (seen.bytes.size() > 40 ? seen.bytes.substr(0, 40) + "..." : seen.bytes) << "'}";
}

//! Everything a run produced.
struct Outcome {
    std::vector<Seen> items;
    std::vector<JsonBatchMember> members;
    std::optional<JsonBatchError> error;
};

bool operator==(const Outcome& a, const Outcome& b) {
    const bool same_error = a.error.has_value() == b.error.has_value() &&
                            (!a.error || (a.error->kind == b.error->kind && a.error->offset == b.error->offset &&
                                          a.error->message == b.error->message));
    return a.items == b.items && a.members == b.members && same_error;
}

std::ostream& operator<<(std::ostream& out, const Outcome& outcome) {
    out << outcome.items.size() << " items [";
    for (const Seen& seen : outcome.items) out << seen << " ";
    out << "], " << outcome.members.size() << " members [";
    for (const JsonBatchMember& member : outcome.members) out << member.name << "=" << member.value << " ";
    out << "], error: " << (outcome.error ? outcome.error->message : "none");
    return out;
}

//! Splits `body` fed as the pieces between consecutive `cuts` (ascending positions in the body).
Outcome SplitWithCuts(std::string_view body, const std::vector<std::size_t>& cuts,
                      JsonBatchSplitterOptions options = {}) {
    JsonBatchSplitter splitter(options);
    Outcome outcome;
    const BatchItemSink sink = [&](const BatchItem& item) {
        EXPECT_FALSE(outcome.error) << "an item after an error";
        outcome.items.push_back(Seen{std::string(item.bytes), item.offset, item.size, item.too_large});
        return true;
    };
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        if (auto error = splitter.Feed(body.substr(from, cut - from), sink); error && !outcome.error) {
            outcome.error = std::move(error);
        }
        from = cut;
    }
    if (auto error = splitter.Feed(body.substr(from), sink); error && !outcome.error) outcome.error = std::move(error);
    if (auto error = splitter.Finish(); error && !outcome.error) outcome.error = std::move(error);
    outcome.members = splitter.members();
    return outcome;
}

Outcome Split(std::string_view body, JsonBatchSplitterOptions options = {}) { return SplitWithCuts(body, {}, options); }

Outcome SplitByteByByte(std::string_view body, JsonBatchSplitterOptions options = {}) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
    return SplitWithCuts(body, cuts, options);
}

//! Asserts that every single cut, and byte-by-byte feeding, gives the same outcome as the whole body.
void ExpectSameAtEverySplit(std::string_view body, JsonBatchSplitterOptions options = {}) {
    const Outcome whole = Split(body, options);
    for (std::size_t cut = 0; cut <= body.size(); ++cut) {
        ASSERT_EQ(SplitWithCuts(body, {cut}, options), whole) << "cut at " << cut << " of " << body;
    }
    ASSERT_EQ(SplitByteByByte(body, options), whole) << "byte by byte: " << body;
}

Seen ItemAt(std::string_view body, std::string_view element) {
    const std::size_t offset = body.find(element);
    EXPECT_NE(offset, std::string_view::npos) << element;
    return Seen{std::string(element), offset, element.size(), false};
}

TEST(JsonBatchSplitter, EmitsEachItemsElementWithItsRawBytesAndOffset) {
    const std::string body = R"({"items": [ {"a":1} ,{"b": [1, 2]},{}]})";
    const Outcome outcome = Split(body);
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    EXPECT_EQ(outcome.items, (std::vector<Seen>{ItemAt(body, R"({"a":1})"), ItemAt(body, R"({"b": [1, 2]})"),
                                                Seen{"{}", body.find("{}]"), 2, false}}));
}

TEST(JsonBatchSplitter, ItemBytesOfTheLastElementStopAtItsClosingBrace) {
    const Outcome outcome = Split(R"({"items":[{}]})");
    ASSERT_EQ(outcome.items.size(), 1U);
    EXPECT_EQ(outcome.items[0], (Seen{"{}", 10, 2, false}));
}

TEST(JsonBatchSplitter, CollectsOptionsBeforeAndAfterItemsAsRawJson) {
    const std::string body =
        R"({"mode": "upsert", "semantics":"patch","items":[{"a":1}],"dry_run" : false, )"
        R"("callback_url":"https://hooks.example.com/x?a=\"]\"","extra":{"n":[1,{"x":null}]},"n":-1.5e3})";
    const Outcome outcome = Split(body);
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    EXPECT_EQ(outcome.items, (std::vector<Seen>{ItemAt(body, R"({"a":1})")}));
    const auto member = [&](std::string name, std::string value) {
        return JsonBatchMember{std::move(name), value, body.find(value), false};
    };
    EXPECT_EQ(outcome.members, (std::vector<JsonBatchMember>{
                                   member("mode", R"("upsert")"),
                                   member("semantics", R"("patch")"),
                                   member("dry_run", "false"),
                                   member("callback_url", R"("https://hooks.example.com/x?a=\"]\"")"),
                                   member("extra", R"({"n":[1,{"x":null}]})"),
                                   member("n", "-1.5e3"),
                               }));
}

TEST(JsonBatchSplitter, MemberNamesAreUnescaped) {
    const Outcome outcome = Split(R"({"\u0069tems":[1],"dry\u005frun":true,"caf\u00e9":1,"\ud83d\ude00":2})");
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    EXPECT_EQ(outcome.items.size(), 1U) << "\\u0069tems is items";
    ASSERT_EQ(outcome.members.size(), 3U);
    EXPECT_EQ(outcome.members[0].name, "dry_run");
    EXPECT_EQ(outcome.members[1].name, "café");
    EXPECT_EQ(outcome.members[2].name, "\xF0\x9F\x98\x80");
}

TEST(JsonBatchSplitter, BracketsQuotesAndEscapesInsideStringsDoNotMisSplit) {
    const std::vector<std::string> elements = {
        R"({"note":"] } [ { , : \" still inside"})",
        R"({"path":"C:\\dir\\","q":"\\\"","u":"\u005D\u007d\"","s":"\/"})",
        R"({"nested":[[{"a":[]},{"b":{"c":[{"d":"]"}]}}],[]],"e":{}})",
        R"("a string item with ] and }")",
        R"([1,-0,0.5,2E+10,3e-2,true,false,null,"x"])",
        R"({"items":[{"not":"top-level"}]})",
    };
    std::string body = R"({"items":[)";
    for (std::size_t i = 0; i < elements.size(); ++i) body += (i ? ",\n  " : "") + elements[i];
    body += "]}";
    const Outcome outcome = Split(body);
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    std::vector<Seen> expected;
    for (const std::string& element : elements) expected.push_back(ItemAt(body, element));
    EXPECT_EQ(outcome.items, expected);
    ExpectSameAtEverySplit(body);
}

TEST(JsonBatchSplitter, QuotesEscapesAndControlCharactersAreFoundAtEveryPositionInLongStrings) {
    // Strings are scanned many bytes at a time; a stop byte must be seen wherever it falls in a block.
    for (std::size_t at = 0; at < 40; ++at) {
        const std::string before(at, 'a');
        const std::string after =
            "\xC3\xA9\xE6\x9D\xB1"
            "bbbbbbbbbbbbbbbbbbbb";  // non-ASCII bytes are no stop bytes
        const std::string element = "\"" + before + "\\\"" + after + "\"";
        const std::string body = "{\"items\":[" + element + "]}";
        const Outcome outcome = Split(body);
        ASSERT_FALSE(outcome.error) << at << ": " << outcome.error->message;
        ASSERT_EQ(outcome.items, (std::vector<Seen>{{element, 10, element.size(), false}})) << at;

        const std::string bad = "{\"items\":[\"" + before + "\x1F" + after + "\"]}";
        const Outcome refused = Split(bad);
        ASSERT_TRUE(refused.error) << at;
        EXPECT_EQ(refused.error->offset, 11 + at);
        EXPECT_NE(refused.error->message.find("control character"), std::string::npos);

        const std::string unclosed = "{\"items\":[\"" + before + after;
        EXPECT_EQ(Split(unclosed).error->offset, unclosed.size()) << at;
    }
}

TEST(JsonBatchSplitter, ScalarElementsAreItemsToo) {
    // Not objects, so each becomes that item's INVALID_ITEM — but that is the caller's judgement.
    const std::string body = R"({"items":[1,"two",true,false,null,-3.25e-7,0]})";
    const Outcome outcome = Split(body);
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    EXPECT_EQ(outcome.items, (std::vector<Seen>{{"1", 10, 1, false},
                                                {"\"two\"", 12, 5, false},
                                                {"true", 18, 4, false},
                                                {"false", 23, 5, false},
                                                {"null", 29, 4, false},
                                                {"-3.25e-7", 34, 8, false},
                                                {"0", 43, 1, false}}));
    ExpectSameAtEverySplit(body);
}

TEST(JsonBatchSplitter, EmptyItemsArrayYieldsNoItemsAndNoError) {
    const Outcome outcome = Split(R"({ "items" : [ ] , "mode":"create" })");
    EXPECT_FALSE(outcome.error);
    EXPECT_TRUE(outcome.items.empty());
    EXPECT_EQ(outcome.members.size(), 1U);
}

TEST(JsonBatchSplitter, WhiteSpaceAroundTheDocumentIsAllowed) {
    const Outcome outcome = Split(" \r\n\t{\"items\":[{}]}\n\n ");
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.items.size(), 1U);
}

TEST(JsonBatchSplitter, EmptyPiecesChangeNothing) {
    JsonBatchSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = [&](const BatchItem& item) {
        seen.push_back(Seen{std::string(item.bytes), item.offset, item.size, item.too_large});
        return true;
    };
    ASSERT_FALSE(splitter.Feed(std::string_view(), sink));
    ASSERT_FALSE(splitter.Feed(R"({"items":[{"a")", sink));
    ASSERT_FALSE(splitter.Feed(std::string_view(), sink));
    ASSERT_FALSE(splitter.Feed(R"(:1}]})", sink));
    ASSERT_FALSE(splitter.Feed(std::string_view(), sink));
    ASSERT_FALSE(splitter.Finish());
    EXPECT_EQ(seen, (std::vector<Seen>{{R"({"a":1})", 10, 7, false}}));
}

TEST(JsonBatchSplitter, ItemsInsideOnePieceAreViewsIntoThatPiece) {
    const std::string piece = R"({"items":[{"a":1},{"b":2}]})";
    JsonBatchSplitter splitter;
    int items = 0;
    ASSERT_FALSE(splitter.Feed(piece, [&](const BatchItem& item) {
        ++items;
        EXPECT_GE(item.bytes.data(), piece.data());
        EXPECT_LE(item.bytes.data() + item.bytes.size(), piece.data() + piece.size());
        return true;
    }));
    EXPECT_EQ(items, 2);
    EXPECT_EQ(splitter.buffer_capacity(), std::string().capacity()) << "nothing straddled, nothing was buffered";
}

TEST(JsonBatchSplitter, EverySplitPositionGivesTheSameItemsAndOptions) {
    const std::string body =
        "{\"mode\":\"upsert\",\r\n \"items\": [\n"
        "  {\"first_name\":\"Zoë\",\"emails\":[\"z@example.com\"],\"tags\":{\"add\":[\"a]\",\"b}\"]}},\n"
        "  {\"n\":-12.5e+2,\"ok\":true,\"none\":null,\"q\":\"\\\"\\\\\\u00e9\"},\n"
        "  42\n"
        " ],\n"
        " \"dry_run\": false, \"callback_url\": \"https://x.example/cb\"}\n";
    const Outcome whole = Split(body);
    ASSERT_FALSE(whole.error) << whole.error->message;
    ASSERT_EQ(whole.items.size(), 3U);
    ASSERT_EQ(whole.members.size(), 3U);
    ExpectSameAtEverySplit(body);
}

TEST(JsonBatchSplitter, EveryPairOfCutsGivesTheSameOutcome) {
    const std::string body = R"({"a":"x\"","items":[{"k":[1,"]"]},7,"s"],"b":{"c":[]}})";
    const Outcome whole = Split(body);
    ASSERT_FALSE(whole.error) << whole.error->message;
    for (std::size_t first = 0; first <= body.size(); ++first) {
        for (std::size_t second = first; second <= body.size(); ++second) {
            ASSERT_EQ(SplitWithCuts(body, {first, second}), whole) << "cuts at " << first << ", " << second;
        }
    }
}

TEST(JsonBatchSplitter, ElementOfExactly64KibIsReadAndOneByteMoreIsTooLarge) {
    const std::string exact = "{\"a\":\"" + std::string(65536 - 8, 'x') + "\"}";
    const std::string over = "[\"" + std::string(65537 - 4, 'y') + "\"]";
    ASSERT_EQ(exact.size(), 65536U);
    ASSERT_EQ(over.size(), 65537U);
    const std::string body = "{\"items\":[" + exact + "," + over + ",{\"after\":1}],\"mode\":\"create\"}";
    const std::vector<Seen> expected = {
        {exact, 10, 65536, false},
        {"", 10 + 65536 + 1, 65537, true},
        {"{\"after\":1}", 10 + 65536 + 1 + 65537 + 1, 11, false},
    };
    JsonBatchSplitterOptions options;
    for (const std::vector<std::size_t>& cuts : std::vector<std::vector<std::size_t>>{
             {}, {11}, {65545}, {65546}, {65547}, {100000}, {131083}, {131084}, {131085}, {30, 70000, 131090}}) {
        const Outcome outcome = SplitWithCuts(body, cuts, options);
        ASSERT_FALSE(outcome.error) << outcome.error->message;
        EXPECT_EQ(outcome.items, expected) << "cuts starting " << (cuts.empty() ? 0 : cuts[0]);
        ASSERT_EQ(outcome.members.size(), 1U);
        EXPECT_EQ(outcome.members[0].value, "\"create\"");
    }
}

TEST(JsonBatchSplitter, TenMegabyteElementIsTooLargeAndNeverBuffered) {
    const std::string huge =
        "{\"blob\":\"" + std::string(10'000'000, 'z') + "\",\"list\":[" + std::string(1000, '1') + "]}";
    const std::string body = "{\"items\":[{}," + huge + ",{\"next\":2}]}";
    JsonBatchSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = [&](const BatchItem& item) {
        seen.push_back(Seen{std::string(item.bytes), item.offset, item.size, item.too_large});
        return true;
    };
    constexpr std::size_t kPiece = 4096 + 5;
    for (std::size_t from = 0; from < body.size(); from += kPiece) {
        const std::optional<JsonBatchError> error = splitter.Feed(std::string_view(body).substr(from, kPiece), sink);
        ASSERT_FALSE(error) << error->message;
        ASSERT_LE(splitter.buffer_capacity(), kDefaultMaxItemBytes) << "after " << from + kPiece << " bytes";
    }
    ASSERT_FALSE(splitter.Finish());
    EXPECT_EQ(seen, (std::vector<Seen>{{"{}", 10, 2, false},
                                       {"", 13, huge.size(), true},
                                       {"{\"next\":2}", 13 + huge.size() + 1, 10, false}}));
}

TEST(JsonBatchSplitter, TooLargeElementStillHasItsSyntaxChecked) {
    JsonBatchSplitterOptions options;
    options.max_item_bytes = 8;
    const std::string body = R"({"items":[{"long":"enough to be over"},{"bad":tru}]})";
    const Outcome outcome = Split(body, options);
    ASSERT_TRUE(outcome.error);
    EXPECT_EQ(outcome.error->offset, body.find("tru}") + 3);
    EXPECT_EQ(outcome.items, (std::vector<Seen>{{"", 10, 28, true}}));
    ExpectSameAtEverySplit(body, options);
}

TEST(JsonBatchSplitter, OversizedOptionIsMarkedAndNotKept) {
    JsonBatchSplitterOptions options;
    options.max_member_bytes = 20;  // raw bytes, quotes included
    const std::string body =
        R"({"callback_url":"https://far-too-long.example","items":[],"mode":"put","a_much_too_long_member_name":1})";
    const Outcome outcome = Split(body, options);
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    ASSERT_EQ(outcome.members.size(), 3U);
    EXPECT_EQ(outcome.members[0].name, "callback_url");
    EXPECT_TRUE(outcome.members[0].too_large);
    EXPECT_EQ(outcome.members[0].value, "");
    EXPECT_EQ(outcome.members[0].offset, body.find("\"https"));
    EXPECT_EQ(outcome.members[1].name, "mode");
    EXPECT_EQ(outcome.members[1].value, "\"put\"");
    EXPECT_FALSE(outcome.members[1].too_large);
    EXPECT_EQ(outcome.members[2].name, "") << "a name over the limit is not kept either";
    EXPECT_TRUE(outcome.members[2].too_large);
    ExpectSameAtEverySplit(body, options);
}

//! One malformed body and exactly what must be reported.
struct BadBody {
    std::string body;
    JsonBatchErrorKind kind;
    std::uint64_t offset;
    std::string message_part;
};

std::ostream& operator<<(std::ostream& out, const BadBody& bad) { return out << bad.body; }

class JsonBatchSplitterErrors : public testing::TestWithParam<BadBody> {};

TEST_P(JsonBatchSplitterErrors, ReportsTheFirstErrorWithItsExactOffsetAtEverySplit) {
    const BadBody& bad = GetParam();
    const Outcome outcome = Split(bad.body);
    ASSERT_TRUE(outcome.error) << "accepted: " << bad.body;
    EXPECT_EQ(JsonBatchErrorKindName(outcome.error->kind), JsonBatchErrorKindName(bad.kind)) << outcome.error->message;
    EXPECT_EQ(outcome.error->offset, bad.offset) << outcome.error->message;
    EXPECT_NE(outcome.error->message.find(bad.message_part), std::string::npos) << outcome.error->message;
    EXPECT_NE(outcome.error->message.find("at byte " + std::to_string(bad.offset) + ": "), std::string::npos)
        << outcome.error->message;
    ExpectSameAtEverySplit(bad.body);
}

using K = JsonBatchErrorKind;
INSTANTIATE_TEST_SUITE_P(
    Table, JsonBatchSplitterErrors,
    testing::Values(BadBody{"", K::kEmpty, 0, "empty"}, BadBody{" \n\t", K::kEmpty, 3, "empty"},
                    BadBody{"[{}]", K::kNotAnObject, 0, "must be a JSON object"},
                    BadBody{"  \"items\"", K::kNotAnObject, 2, "must be a JSON object"},
                    BadBody{"x", K::kSyntax, 0, "expected a JSON object"},
                    BadBody{R"({"items":{}})", K::kItemsNotAnArray, 9, "must be an array"},
                    BadBody{R"({"items":null})", K::kItemsNotAnArray, 9, "must be an array"},
                    BadBody{R"({"\u0069tems":"x"})", K::kItemsNotAnArray, 14, "must be an array"},
                    BadBody{R"({"mode":"upsert"})", K::kMissingItems, 16, "no \"items\""},
                    BadBody{"{}", K::kMissingItems, 1, "no \"items\""},
                    BadBody{R"({"items":[],"items":[]})", K::kDuplicateMember, 12, "twice"},
                    BadBody{R"({"items":[],"it\u0065ms":[]})", K::kDuplicateMember, 12, "twice"},
                    BadBody{R"({"mode":"a","mode":"b","items":[]})", K::kDuplicateMember, 12,
                            "\"mode\" is given twice"},
                    BadBody{R"({"items":[]} x)", K::kSyntax, 13, "after the document"},
                    BadBody{R"({"items":[]}{})", K::kSyntax, 12, "after the document"},
                    BadBody{std::string("{\"items\":[]}\0", 13), K::kSyntax, 12, "after the document"},
                    BadBody{R"({"items":[{"a":1}})", K::kSyntax, 17, "expected ',' or ']'"},
                    BadBody{R"({"items":[]])", K::kSyntax, 11, "expected ',' or '}'"},
                    BadBody{R"({"items":[] "mode":1})", K::kSyntax, 12, "expected ',' or '}'"},
                    BadBody{R"({"items":[{"a" 1}]})", K::kSyntax, 15, "expected ':'"},
                    BadBody{R"({"items"])", K::kSyntax, 8, "expected ':'"},
                    BadBody{R"({"items":[{"a":1,}]})", K::kSyntax, 17, "expected a member name"},
                    BadBody{R"({1:2})", K::kSyntax, 1, "expected a member name or '}'"},
                    BadBody{R"({"items":[{]}]})", K::kSyntax, 11, "expected a member name or '}'"},
                    BadBody{R"({"items":[1,]})", K::kSyntax, 12, "expected a value"},
                    BadBody{R"({"items":[,1]})", K::kSyntax, 10, "expected a value"},
                    BadBody{R"({"items":[[}]]})", K::kSyntax, 11, "expected a value"},
                    BadBody{R"({"items":[+1]})", K::kSyntax, 10, "expected a value"},
                    BadBody{R"({"items":[tru]})", K::kSyntax, 13, "invalid literal"},
                    BadBody{R"({"items":[nul1]})", K::kSyntax, 13, "invalid literal"},
                    BadBody{R"({"items":[falsy]})", K::kSyntax, 14, "invalid literal"},
                    BadBody{R"({"items":[True]})", K::kSyntax, 10, "expected a value"},
                    BadBody{R"({"items":["a\x"]})", K::kSyntax, 13, "invalid escape"},
                    BadBody{R"({"items":["\u12G4"]})", K::kSyntax, 15, "\\u escape"},
                    BadBody{"{\"items\":[\"a\x01\"]}", K::kSyntax, 12, "control character"},
                    BadBody{"{\"items\":[\"a\nb\"]}", K::kSyntax, 12, "control character"},
                    BadBody{R"({"items":[01]})", K::kSyntax, 11, "leading zero"},
                    BadBody{R"({"items":[-]})", K::kSyntax, 11, "expected a digit"},
                    BadBody{R"({"items":[-a]})", K::kSyntax, 11, "expected a digit"},
                    BadBody{R"({"items":[1.]})", K::kSyntax, 12, "after the point"},
                    BadBody{R"({"items":[1.e5]})", K::kSyntax, 12, "after the point"},
                    BadBody{R"({"items":[1e]})", K::kSyntax, 12, "exponent"},
                    BadBody{R"({"items":[1e+]})", K::kSyntax, 13, "exponent"},
                    BadBody{R"({"items":[1x]})", K::kSyntax, 11, "expected ',' or ']'"},
                    BadBody{R"({"items":[{"a":1}])", K::kSyntax, 18, "ends before"},
                    BadBody{R"({"items":["abc)", K::kSyntax, 14, "ends before"},
                    BadBody{R"({"items":[ "\"]"])", K::kSyntax, 17, "ends before"},
                    BadBody{R"({"a" :)", K::kSyntax, 6, "ends before"},
                    BadBody{R"({"items":[1)", K::kSyntax, 11, "ends before"},
                    BadBody{R"({"items":[{"a":1}], "x" : [1, {"y": tru}]})", K::kSyntax, 39, "invalid literal"},
                    BadBody{R"({"items":[{"ok":1},{"bad":[1 2]}]})", K::kSyntax, 29, "expected ',' or ']'"}));

TEST(JsonBatchSplitter, ItemsBeforeAnErrorAreEmittedAndNothingAfterIt) {
    const std::string body = R"({"items":[{"a":1},{"b":2},{"c":3 x},{"d":4}]})";
    JsonBatchSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = [&](const BatchItem& item) {
        seen.push_back(Seen{std::string(item.bytes), item.offset, item.size, item.too_large});
        return true;
    };
    const std::optional<JsonBatchError> error = splitter.Feed(body, sink);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->offset, body.find(" x") + 1);
    EXPECT_EQ(seen, (std::vector<Seen>{ItemAt(body, R"({"a":1})"), ItemAt(body, R"({"b":2})")}));
    const std::optional<JsonBatchError> again = splitter.Feed(R"({"e":5}]})", sink);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->offset, error->offset);
    ASSERT_TRUE(splitter.Finish());
    EXPECT_EQ(seen.size(), 2U);
}

TEST(JsonBatchSplitter, NestingDeeperThanTheLimitIsAnError) {
    JsonBatchSplitterOptions options;
    options.max_depth = 3;
    EXPECT_FALSE(Split(R"({"items":[[1]]})", options).error);
    const Outcome outcome = Split(R"({"items":[[[1]]]})", options);
    ASSERT_TRUE(outcome.error);
    EXPECT_EQ(outcome.error->kind, JsonBatchErrorKind::kTooDeep);
    EXPECT_EQ(outcome.error->offset, 11U);
}

TEST(JsonBatchSplitter, MoreOptionsThanTheLimitIsAnError) {
    JsonBatchSplitterOptions options;
    options.max_members = 2;
    EXPECT_FALSE(Split(R"({"a":1,"items":[],"b":2})", options).error);
    const Outcome outcome = Split(R"({"a":1,"b":2,"c":3,"items":[]})", options);
    ASSERT_TRUE(outcome.error);
    EXPECT_EQ(outcome.error->kind, JsonBatchErrorKind::kTooManyMembers);
    EXPECT_EQ(outcome.error->offset, 13U);
}

TEST(JsonBatchSplitter, SinkReturningFalseStopsTheSplitter) {
    JsonBatchSplitter splitter;
    int calls = 0;
    const BatchItemSink stop_after_two = [&](const BatchItem&) { return ++calls < 2; };
    EXPECT_FALSE(splitter.Feed(R"({"items":[1,2,3,4]})", stop_after_two));
    EXPECT_TRUE(splitter.stopped());
    EXPECT_EQ(calls, 2);
    EXPECT_FALSE(splitter.Feed("garbage", stop_after_two)) << "a stopped splitter reads nothing more";
    EXPECT_FALSE(splitter.Finish());
    EXPECT_EQ(calls, 2);
}

// Differential check against simdjson: single-byte edits of a valid batch. Whenever the splitter finishes
// its scan, its verdict on well-formedness must match simdjson's, and accepted items must be exactly the
// elements of `items`.
TEST(JsonBatchSplitter, AgreesWithSimdjsonOnEverySingleByteEditOfABatch) {
    const std::string base =
        R"({"mode":"upsert","items":[{"a":[1,-2.5,{"b":"x\"y"}],"c":true},"s\u00e9",null,[[]],{}],"dry_run":false})";
    const std::string alphabet = "{}[]:,\" \\0129-.tnux/";
    std::vector<std::string> bodies;
    for (std::size_t at = 0; at <= base.size(); ++at) {
        if (at < base.size()) bodies.push_back(base.substr(0, at) + base.substr(at + 1));
        for (const char c : alphabet) {
            bodies.push_back(base.substr(0, at) + c + base.substr(at));
            if (at < base.size()) bodies.push_back(base.substr(0, at) + c + base.substr(at + 1));
        }
    }
    simdjson::dom::parser parser;
    std::mt19937 random(7);
    int compared = 0;
    for (const std::string& body : bodies) {
        const Outcome outcome = Split(body);
        const std::size_t cut = random() % (body.size() + 1);
        ASSERT_EQ(SplitWithCuts(body, {cut}), outcome) << "cut at " << cut << " of " << body;
        const simdjson::padded_string padded(body);
        simdjson::dom::element root;
        const bool simdjson_valid = parser.parse(padded).get(root) == simdjson::SUCCESS;
        if (!outcome.error) {
            ASSERT_TRUE(simdjson_valid) << "splitter accepted what simdjson refuses: " << body;
            simdjson::dom::array items;
            ASSERT_EQ(root["items"].get_array().get(items), simdjson::SUCCESS) << body;
            ASSERT_EQ(items.size(), outcome.items.size()) << body;
            std::size_t index = 0;
            for (simdjson::dom::element element : items) {
                simdjson::dom::parser item_parser;
                const simdjson::padded_string item_bytes(outcome.items[index].bytes);
                ASSERT_EQ(simdjson::minify(item_parser.parse(item_bytes).value()), simdjson::minify(element)) << body;
                ++index;
            }
            ++compared;
            continue;
        }
        switch (outcome.error->kind) {
            case JsonBatchErrorKind::kSyntax:
            case JsonBatchErrorKind::kEmpty:
                ASSERT_FALSE(simdjson_valid)
                    << "splitter refused what simdjson accepts: " << body << " → " << outcome.error->message;
                ++compared;
                break;
            case JsonBatchErrorKind::kMissingItems: {
                // Reported at the top-level object's closing brace: the document up to there is well-formed.
                const simdjson::padded_string document(body.substr(0, outcome.error->offset + 1));
                ASSERT_EQ(parser.parse(document).error(), simdjson::SUCCESS) << body;
                ++compared;
                break;
            }
            default:
                break;  // reported before the whole body was scanned
        }
    }
    EXPECT_GT(compared, 3000);
}

}  // namespace
}  // namespace contactd::ingest
