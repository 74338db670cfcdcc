// CustomFields behaves as the std::map it replaced: slug order, one value a slug, lookups by slug.
#include "engine/custom_fields.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace contactd::engine {
namespace {

std::vector<std::string> Slugs(const CustomFields& fields) {
    std::vector<std::string> slugs;
    for (const auto& [slug, value] : fields) slugs.push_back(slug);
    return slugs;
}

TEST(CustomFieldsTest, KeepsSlugOrderWhateverTheInsertionOrder) {
    CustomFields fields;
    fields.emplace("profile_field_26", DateValue{1767225600000});
    fields.emplace("profile_field_1", std::string("note"));
    fields.insert_or_assign("profile_field_16", 12.5);
    fields["profile_field_2"] = std::string("smb");
    EXPECT_EQ(Slugs(fields),
              (std::vector<std::string>{"profile_field_1", "profile_field_16", "profile_field_2", "profile_field_26"}));
    EXPECT_EQ(fields.size(), 4u);
}

TEST(CustomFieldsTest, EmplaceKeepsAPresentValueAndInsertOrAssignReplacesIt) {
    CustomFields fields;
    EXPECT_TRUE(fields.emplace("vip", true).second);
    const auto [where, added] = fields.emplace("vip", false);
    EXPECT_FALSE(added);
    EXPECT_EQ(std::get<bool>(where->second), true);
    fields.insert_or_assign("vip", false);
    EXPECT_EQ(std::get<bool>(fields.at("vip")), false);
    EXPECT_EQ(fields.size(), 1u);
}

TEST(CustomFieldsTest, FindCountEraseAndAt) {
    CustomFields fields{{"b", 2.0}, {"a", std::string("x")}, {"b", 3.0}};  // a repeated slug keeps its first value
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(std::get<double>(fields.at("b")), 2.0);
    EXPECT_EQ(fields.count("a"), 1u);
    EXPECT_TRUE(fields.contains("a"));
    EXPECT_EQ(fields.find("c"), fields.end());
    EXPECT_THROW(static_cast<void>(fields.at("c")), std::out_of_range);
    EXPECT_EQ(fields.erase("a"), 1u);
    EXPECT_EQ(fields.erase("a"), 0u);
    EXPECT_FALSE(fields.contains("a"));
    EXPECT_EQ(Slugs(fields), (std::vector<std::string>{"b"}));
}

TEST(CustomFieldsTest, EqualityComparesSlugsAndValues) {
    const CustomFields a{{"a", 1.0}, {"b", std::string("x")}};
    const CustomFields same{{"b", std::string("x")}, {"a", 1.0}};
    const CustomFields other_value{{"a", 1.0}, {"b", std::string("y")}};
    const CustomFields date_not_number{{"a", DateValue{1}}, {"b", std::string("x")}};
    EXPECT_EQ(a, same);
    EXPECT_NE(a, other_value);
    EXPECT_NE(a, date_not_number);
    EXPECT_NE(a, CustomFields{});
}

}  // namespace
}  // namespace contactd::engine
