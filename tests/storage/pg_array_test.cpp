// Array literals for bulk parameters and back: what goes in comes out, whatever the characters.
#include "storage/pg_array.hpp"

#include <gtest/gtest.h>

namespace contactd::testing {
namespace {

TEST(PgArrayTest, QuotesAndBackslashesAreEscapedAndNothingElse) {
    storage::PgArrayBuilder builder;
    builder.Add("plain").Add(R"(say "hi")").Add(R"(C:\dir\)").AddNull().Add("").Add("{a,b}");
    EXPECT_EQ(builder.Finish(), R"({"plain","say \"hi\"","C:\\dir\\",NULL,"","{a,b}"})");
    EXPECT_EQ(builder.size(), 6u);
}

TEST(PgArrayTest, WhatIsWrittenIsReadBack) {
    const std::vector<std::string> values = {"a",    R"(""")",   R"(\\)", "x\"y\\z", "",
                                             "NULL", "é ü 日本", ",",     "}",       std::string(300, 'q') + "\"end"};
    EXPECT_EQ(storage::ParsePgTextArray(storage::PgTextArray(values)), values);
    EXPECT_EQ(storage::ParsePgTextArray("{}"), std::vector<std::string>{});
}

TEST(PgArrayTest, ReadsPostgresOutputWithBareElementsAndSkipsNulls) {
    EXPECT_EQ(storage::ParsePgTextArray(R"({lead,"two words",NULL,"a\"b",c})"),
              (std::vector<std::string>{"lead", "two words", "a\"b", "c"}));
}

TEST(PgArrayTest, MalformedLiteralsAreRefused) {
    EXPECT_FALSE(storage::ParsePgTextArray("lead").has_value());
    EXPECT_FALSE(storage::ParsePgTextArray(R"({"open})").has_value());
    EXPECT_FALSE(storage::ParsePgTextArray(R"({"a"x})").has_value());
    EXPECT_FALSE(storage::ParsePgTextArray(R"({"ends with \})").has_value());
}

}  // namespace
}  // namespace contactd::testing
