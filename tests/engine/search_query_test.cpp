// Search request validation (SPEC §5, §9).
#include "engine/search_query.hpp"

#include <gtest/gtest.h>

#include "engine_fixtures.hpp"

namespace contactd::engine {
namespace {

using testing::J;
using testing::TestWorkspace;

ParsedSearch Parse(std::string_view body, std::optional<std::string_view> skip = {},
                   std::optional<std::string_view> limit = {}) {
    const Json json = J(body);
    return ParseSearchQuery(&json, skip, limit, TestWorkspace());
}

TEST(SearchQueryTest, DefaultsAreFiftyFromZeroByCreatedAtAscending) {
    const ParsedSearch parsed = Parse("{}");
    ASSERT_TRUE(parsed.query.has_value());
    EXPECT_EQ(parsed.query->limit, 50);
    EXPECT_EQ(parsed.query->skip, 0);
    EXPECT_EQ(parsed.query->sort_field, SortField::kCreatedAt);
    EXPECT_FALSE(parsed.query->descending);
}

TEST(SearchQueryTest, LimitOutsideOneToHundredIsRefusedWithTheDocumentedMessage) {
    for (const char* limit : {"0", "101", "-1", "ten", ""}) {
        const ParsedSearch parsed = Parse("{}", std::nullopt, limit);
        EXPECT_FALSE(parsed.query.has_value()) << limit;
        EXPECT_EQ(parsed.error.message, "Limit should be between 1 and 100") << limit;
    }
    EXPECT_EQ(Parse("{}", "20", "100").query->limit, 100);
    EXPECT_EQ(Parse("{}", "20", "1").query->skip, 20);
}

TEST(SearchQueryTest, NegativeSkipIsRefused) { EXPECT_FALSE(Parse("{}", "-5").query.has_value()); }

TEST(SearchQueryTest, EmailAndPhoneAreNormalisedLikeWrites) {
    const ParsedSearch parsed = Parse(R"({"email": "ANN@X.IO", "phone": "+1 (650) 253-0000"})");
    ASSERT_TRUE(parsed.query.has_value());
    EXPECT_EQ(parsed.query->email, "ann@x.io");
    EXPECT_EQ(parsed.query->phone, "+16502530000");
}

TEST(SearchQueryTest, UnparsableEmailIsRefusedWithARemark) {
    const ParsedSearch parsed = Parse(R"({"email": "nope"})");
    ASSERT_FALSE(parsed.query.has_value());
    ASSERT_EQ(parsed.error.remarks.size(), 1u);
    EXPECT_EQ(parsed.error.remarks[0].field, "email");
}

TEST(SearchQueryTest, UnknownStatusMatchesNothingInsteadOfFailing) {
    const ParsedSearch parsed = Parse(R"({"status": "qualified"})");
    ASSERT_TRUE(parsed.query.has_value());
    EXPECT_TRUE(parsed.query->matches_nothing);
    EXPECT_FALSE(Parse(R"({"status": "Qualified"})").query->matches_nothing);
}

TEST(SearchQueryTest, RangesAcceptTheDateForms) {
    const ParsedSearch parsed = Parse(
        R"({"created_at": {"gte": "2026-01-01T00:00:00Z", "lt": 1767312000000}, "updated_at": {"gte": "02/01/2026"}})");
    ASSERT_TRUE(parsed.query.has_value());
    EXPECT_EQ(parsed.query->created_at.gte, 1767225600000);
    EXPECT_EQ(parsed.query->created_at.lt, 1767312000000);
    EXPECT_EQ(parsed.query->updated_at.gte, 1767312000000);
    EXPECT_FALSE(Parse(R"({"created_at": {"after": 1}})").query.has_value());
}

TEST(SearchQueryTest, CustomFieldEqualityIsTypedByTheDeclaration) {
    const ParsedSearch parsed =
        Parse(R"({"custom_fields": {"profile_field_16": 500, "profile_field_1": "x", "vip": null}})");
    ASSERT_TRUE(parsed.query.has_value());
    ASSERT_EQ(parsed.query->custom_fields.size(), 3u);
    EXPECT_EQ(std::get<double>(*parsed.query->custom_fields[0].second), 500.0);
    EXPECT_FALSE(parsed.query->custom_fields[2].second.has_value());
    EXPECT_FALSE(Parse(R"({"custom_fields": {"profile_field_16": "500"}})").query.has_value());
    EXPECT_FALSE(Parse(R"({"custom_fields": {"nope": 1}})").query.has_value());
}

TEST(SearchQueryTest, SortByUpdatedAtDescending) {
    const ParsedSearch parsed = Parse(R"({"sort": {"field": "updated_at", "order": "desc"}})");
    ASSERT_TRUE(parsed.query.has_value());
    EXPECT_EQ(parsed.query->sort_field, SortField::kUpdatedAt);
    EXPECT_TRUE(parsed.query->descending);
    EXPECT_FALSE(Parse(R"({"sort": {"field": "name"}})").query.has_value());
}

TEST(SearchQueryTest, UnknownFilterIsRefused) {
    const ParsedSearch parsed = Parse(R"({"nickname": "x"})");
    ASSERT_FALSE(parsed.query.has_value());
    EXPECT_EQ(parsed.error.remarks[0].code, Code::kUnknownField);
}

TEST(SearchQueryTest, TagFiltersAreLists) {
    const ParsedSearch parsed = Parse(R"({"tags_any": ["a", "b"], "tags_all": ["c"]})");
    ASSERT_TRUE(parsed.query.has_value());
    EXPECT_EQ(parsed.query->tags_any.size(), 2u);
    EXPECT_EQ(parsed.query->tags_all.size(), 1u);
    EXPECT_FALSE(Parse(R"({"tags_any": "a"})").query.has_value());
}

}  // namespace
}  // namespace contactd::engine
