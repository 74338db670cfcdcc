// Merge rules of SPEC §9: unions, the target's values winning, nulls filled, limits.
#include "engine/merge.hpp"

#include <gtest/gtest.h>

#include "engine_fixtures.hpp"

namespace contactd::engine {
namespace {

using testing::TestWorkspace;

constexpr Millis kNow = 1767225600000;

Contact Target() {
    Contact c;
    c.id = "target";
    c.version = 5;
    c.first_name = "Ann";
    c.emails = {"ann@x.io"};
    c.phones = {"+16502530000"};
    c.tags = {"a", "b"};
    c.whatsapp = "+16502530000";
    c.identifier = "+16502530000";
    c.custom_fields["profile_field_1"] = std::string("target");
    return c;
}

Contact Source() {
    Contact c;
    c.id = "source";
    c.version = 2;
    c.first_name = "Annie";
    c.last_name = "Smith";
    c.emails = {"annie@y.io", "ann@x.io"};
    c.phones = {"+442070313000"};
    c.tags = {"b", "c"};
    c.locations = {"Lisbon"};
    c.whatsapp = "+442070313000";
    c.external_reference_id = "crm-9";
    c.priority = 2;
    c.custom_fields["profile_field_1"] = std::string("source");
    c.custom_fields["profile_field_2"] = std::string("only-source");
    return c;
}

TEST(MergeTest, ListsAreUnionedWithTheTargetsValuesFirst) {
    const MergeResult result = MergeContacts(Target(), Source(), TestWorkspace(), kNow);
    ASSERT_FALSE(result.refused.has_value());
    EXPECT_EQ(result.merged.emails, (std::vector<std::string>{"ann@x.io", "annie@y.io"}));
    EXPECT_EQ(result.merged.phones, (std::vector<std::string>{"+16502530000", "+442070313000"}));
    EXPECT_EQ(result.merged.tags, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(result.merged.locations, (std::vector<std::string>{"Lisbon"}));
}

TEST(MergeTest, TargetsNonNullValuesWinAndItsNullsAreFilled) {
    const MergeResult result = MergeContacts(Target(), Source(), TestWorkspace(), kNow);
    EXPECT_EQ(result.merged.first_name, "Ann");
    EXPECT_EQ(result.merged.last_name, "Smith");
    EXPECT_EQ(result.merged.priority, 2);
    EXPECT_EQ(result.merged.whatsapp, "+16502530000") << "whatsapp keeps the target's";
    EXPECT_EQ(result.merged.external_reference_id, "crm-9") << "taken from the source when the target has none";
    EXPECT_EQ(std::get<std::string>(result.merged.custom_fields.at("profile_field_1")), "target");
    EXPECT_EQ(std::get<std::string>(result.merged.custom_fields.at("profile_field_2")), "only-source");
}

TEST(MergeTest, TargetKeepsItsIdIdentifierAndGetsANewVersion) {
    const MergeResult result = MergeContacts(Target(), Source(), TestWorkspace(), kNow);
    EXPECT_EQ(result.merged.id, "target");
    EXPECT_EQ(result.merged.identifier, "+16502530000");
    EXPECT_TRUE(result.changed);
    EXPECT_EQ(result.merged.version, 6);
    EXPECT_EQ(result.merged.updated_at, kNow);
}

TEST(MergeTest, TargetWithoutIdentifierTakesTheValueItNowHolds) {
    Contact target = Target();
    target.phones.clear();
    target.identifier.reset();
    const MergeResult result = MergeContacts(target, Source(), TestWorkspace(), kNow);
    EXPECT_EQ(result.merged.identifier, "+442070313000");
}

TEST(MergeTest, SourceThatAddsNothingLeavesTheTargetUnchanged) {
    Contact source;
    source.id = "source";
    source.emails = {"ann@x.io"};
    const MergeResult result = MergeContacts(Target(), source, TestWorkspace(), kNow);
    EXPECT_FALSE(result.changed);
    EXPECT_EQ(result.merged.version, 5);
}

TEST(MergeTest, UnionOverTheLimitIsRefusedWithTooManyValues) {
    Contact target = Target();
    Contact source = Source();
    target.emails.clear();
    source.emails.clear();
    for (int i = 0; i < 15; ++i) {
        target.emails.push_back("t" + std::to_string(i) + "@x.io");
        source.emails.push_back("s" + std::to_string(i) + "@x.io");
    }
    const MergeResult result = MergeContacts(target, source, TestWorkspace(), kNow);
    ASSERT_TRUE(result.refused.has_value());
    EXPECT_EQ(result.refused->code, Code::kTooManyValues);
    EXPECT_EQ(result.refused->field, "emails");
}

}  // namespace
}  // namespace contactd::engine
