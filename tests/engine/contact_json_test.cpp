// JSON output of contacts and remarks.
#include "engine/contact_json.hpp"

#include <gtest/gtest.h>

#include "engine_fixtures.hpp"

namespace contactd::engine {
namespace {

using testing::J;
using testing::TestWorkspace;

TEST(ContactJsonTest, WritesEveryFieldWithShorthandsAndDeclaredCustomSlugs) {
    WorkspaceSettings settings = TestWorkspace();
    settings.custom_fields = {{"profile_field_1", CustomFieldType::kText, 10240},
                              {"profile_field_16", CustomFieldType::kNumber, 0},
                              {"profile_field_26", CustomFieldType::kDate, 0}};
    Contact c;
    c.id = "c1";
    c.workspace_id = "ws";
    c.version = 2;
    c.created_at = 1767225600000;
    c.updated_at = 1767225600123;
    c.first_name = "Zo\xC3\xAB \"Q\"";
    c.emails = {"a@x.io", "b@x.io"};
    c.priority = 3;
    c.custom_fields["profile_field_16"] = 500.0;
    c.custom_fields["profile_field_26"] = DateValue{1767270600000};
    const Json json = J(ContactJson(c, settings));
    EXPECT_EQ(json.Find("first_name")->text(), "Zo\xC3\xAB \"Q\"");
    EXPECT_EQ(json.Find("email")->text(), "a@x.io");
    EXPECT_EQ(json.Find("emails")->elements().size(), 2u);
    EXPECT_TRUE(json.Find("phone")->IsNull());
    EXPECT_EQ(json.Find("created_at")->text(), "2026-01-01T00:00:00.000Z");
    EXPECT_EQ(json.Find("updated_at")->text(), "2026-01-01T00:00:00.123Z");
    EXPECT_EQ(json.Find("priority")->AsInt64(), 3);
    const Json* custom = json.Find("custom_fields");
    ASSERT_NE(custom, nullptr);
    EXPECT_TRUE(custom->Find("profile_field_1")->IsNull());
    EXPECT_EQ(custom->Find("profile_field_16")->text(), "500");
    EXPECT_EQ(custom->Find("profile_field_26")->text(), "2026-01-01T12:30:00.000Z");
    EXPECT_EQ(json.Find("identifier"), nullptr);
}

TEST(ContactJsonTest, RemarksHaveFieldCodeAndMessageAndNullForTheItem) {
    std::string out;
    JsonWriter writer(out);
    WriteRemarks(writer, {{"custom_fields.profile_field_16", Code::kInvalidType, "expected a number, got a string"},
                          {"", Code::kNoValidFields, "every field the item named was dropped"}});
    EXPECT_EQ(
        out,
        R"([{"field":"custom_fields.profile_field_16","code":"INVALID_TYPE","message":"expected a number, got a string"},)"
        R"({"field":null,"code":"NO_VALID_FIELDS","message":"every field the item named was dropped"}])");
}

}  // namespace
}  // namespace contactd::engine
