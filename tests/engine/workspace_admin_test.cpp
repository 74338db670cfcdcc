// Workspace settings written by administrators.
#include "engine/workspace_admin.hpp"

#include <gtest/gtest.h>

#include "engine_fixtures.hpp"

namespace contactd::engine {
namespace {

using testing::J;
using testing::RemarkFor;

TEST(WorkspaceAdminTest, NewWorkspaceGetsTheDefaults) {
    const WorkspaceEdit edit = NewWorkspaceSettings(J(R"({"id": "acme"})"));
    ASSERT_TRUE(edit.ok());
    EXPECT_EQ(edit.settings.name, "acme");
    EXPECT_EQ(edit.settings.identifier_field, IdentifierField::kPhone);
    EXPECT_EQ(edit.settings.lead_stages, DefaultLeadStages());
    ASSERT_EQ(edit.settings.custom_fields.size(), 30u);
    EXPECT_EQ(edit.settings.custom_fields[0].slug, "profile_field_1");
    EXPECT_EQ(edit.settings.custom_fields[15].type, CustomFieldType::kNumber);
    EXPECT_EQ(edit.settings.custom_fields[29].type, CustomFieldType::kDate);
    EXPECT_EQ(edit.settings.requests_per_minute, 600);
}

TEST(WorkspaceAdminTest, EveryOptionIsRead) {
    const WorkspaceEdit edit = NewWorkspaceSettings(J(R"({"id": "acme", "name": "Acme", "identifier_field": "email",
        "default_country": "br", "date_format": "%d/%m/%Y", "lead_stages": ["Lead", "Won"],
        "custom_fields": [{"slug": "plan", "type": "text", "max_length": 20}, {"slug": "seats", "type": "number"}],
        "requests_per_minute": 60, "items_per_second": 1000, "suspended": true})"));
    ASSERT_TRUE(edit.ok()) << edit.errors[0].field << ": " << edit.errors[0].message;
    EXPECT_EQ(edit.settings.identifier_field, IdentifierField::kEmail);
    EXPECT_EQ(edit.settings.default_country, "BR");
    EXPECT_EQ(edit.settings.date_format, "%d/%m/%Y");
    EXPECT_EQ(edit.settings.custom_fields.size(), 2u);
    EXPECT_EQ(edit.settings.custom_fields[0].max_length, 20u);
    EXPECT_EQ(edit.settings.requests_per_minute, 60);
    EXPECT_EQ(edit.settings.items_per_second, 1000);
    EXPECT_TRUE(edit.settings.suspended);
}

TEST(WorkspaceAdminTest, EveryBadMemberIsReportedAtOnce) {
    const WorkspaceEdit edit = NewWorkspaceSettings(J(R"({"id": "bad id!", "identifier_field": "fax",
        "default_country": "XX", "date_format": "%Q", "lead_stages": ["A", "A"], "requests_per_minute": 0,
        "custom_fields": [{"slug": "Bad", "type": "text"}], "colour": "red"})"));
    EXPECT_FALSE(edit.ok());
    for (const char* field : {"id", "identifier_field", "default_country", "date_format", "lead_stages[1]",
                              "requests_per_minute", "custom_fields[0].slug", "colour"}) {
        EXPECT_NE(RemarkFor(edit.errors, field), nullptr) << field;
    }
}

TEST(WorkspaceAdminTest, IdIsRequiredToCreateAndImmutableAfter) {
    EXPECT_NE(RemarkFor(NewWorkspaceSettings(J(R"({"name": "x"})")).errors, "id"), nullptr);
    WorkspaceSettings current = NewWorkspaceSettings(J(R"({"id": "acme"})")).settings;
    const WorkspaceEdit edit = EditWorkspaceSettings(current, J(R"({"id": "other"})"));
    ASSERT_NE(RemarkFor(edit.errors, "id"), nullptr);
    EXPECT_EQ(RemarkFor(edit.errors, "id")->code, Code::kReadOnlyField);
}

TEST(WorkspaceAdminTest, PatchChangesOnlyWhatItNamesAndCanLiftASuspension) {
    WorkspaceSettings current = NewWorkspaceSettings(J(R"({"id": "acme", "suspended": true})")).settings;
    const WorkspaceEdit edit = EditWorkspaceSettings(current, J(R"({"suspended": false, "default_country": null})"));
    ASSERT_TRUE(edit.ok());
    EXPECT_FALSE(edit.settings.suspended);
    EXPECT_EQ(edit.settings.lead_stages, current.lead_stages);
}

TEST(WorkspaceAdminTest, ACustomFieldKeepsItsType) {
    WorkspaceSettings current = NewWorkspaceSettings(J(R"({"id": "acme"})")).settings;
    const WorkspaceEdit changed =
        EditWorkspaceSettings(current, J(R"({"custom_fields": [{"slug": "profile_field_16", "type": "text"}]})"));
    ASSERT_NE(RemarkFor(changed.errors, "custom_fields[0].type"), nullptr);
    const WorkspaceEdit added = EditWorkspaceSettings(
        current,
        J(R"({"custom_fields": [{"slug": "profile_field_16", "type": "number"}, {"slug": "vip", "type": "boolean"}]})"));
    EXPECT_TRUE(added.ok());
}

TEST(WorkspaceAdminTest, MaxLengthAppliesToTextOnlyWithinTheCap) {
    EXPECT_FALSE(
        NewWorkspaceSettings(J(R"({"id": "a", "custom_fields": [{"slug": "n", "type": "number", "max_length": 5}]})"))
            .ok());
    EXPECT_FALSE(
        NewWorkspaceSettings(J(R"({"id": "a", "custom_fields": [{"slug": "t", "type": "text", "max_length": 10241}]})"))
            .ok());
    EXPECT_TRUE(
        NewWorkspaceSettings(J(R"({"id": "a", "custom_fields": [{"slug": "t", "type": "text", "max_length": 10240}]})"))
            .ok());
}

}  // namespace
}  // namespace contactd::engine
