// Administration over HTTP: workspaces and keys behind the admin token.
#include "tests/ingest/api_fixture.hpp"

namespace contactd::testing {
namespace {

TEST(AdminApiTest, CreateAnswers201WithTheWorkspaceAndAWriteKeyShownOnce) {
    const std::string id = test_support::TestCluster::UniqueId("adm");
    const Reply reply = ApiClient::Admin().Post("/v1/admin/workspaces", R"({"id": ")" + id + R"(", "name": "Acme",
        "identifier_field": "email", "lead_stages": ["Lead", "Won"], "custom_fields": [{"slug": "plan", "type": "text"}],
        "requests_per_minute": 100, "items_per_second": 500})");
    ASSERT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(reply.Text("workspace.id"), id);
    EXPECT_EQ(reply.Text("workspace.identifier_field"), "email");
    EXPECT_EQ(reply.At("workspace.webhook_secret").text().size(), 64u);
    EXPECT_EQ(reply.Text("scope"), "write");
    EXPECT_EQ(reply.Text("api_key").rfind("cdk_", 0), 0u);
    EXPECT_FALSE(reply.Text("key_id").empty());
    const Reply again = ApiClient::Admin().Get("/v1/admin/workspaces/" + id);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body.find(reply.Text("api_key")), std::string::npos) << "the key is never shown again";
    EXPECT_EQ(again.At("requests_per_minute").AsInt64(), 100);
}

TEST(AdminApiTest, AnExistingIdIs409AndInvalidSettingsAre422) {
    std::string id;
    NewWorkspace("", &id);
    EXPECT_EQ(ApiClient::Admin().Post("/v1/admin/workspaces", R"({"id": ")" + id + R"("})").status, 409);
    const Reply bad = ApiClient::Admin().Post("/v1/admin/workspaces", R"({"id": "x y", "identifier_field": "fax"})");
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(bad.At("error.remarks").elements().size(), 2u);
}

TEST(AdminApiTest, PatchChangesSettingsAndAnswersThem) {
    std::string id;
    NewWorkspace("", &id);
    const Reply reply = ApiClient::Admin().Patch("/v1/admin/workspaces/" + id,
                                                 R"({"lead_stages": ["A", "B"], "date_format": "%d/%m/%Y"})");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.At("lead_stages").elements().size(), 2u);
    EXPECT_EQ(reply.Text("date_format"), "%d/%m/%Y");
    EXPECT_EQ(ApiClient::Admin().Patch("/v1/admin/workspaces/nope-" + id, "{}").status, 404);
}

TEST(AdminApiTest, IdentifierFieldIsLockedOnceThereAreContacts) {
    std::string id;
    ApiClient api = ApiClient::WithKey(NewWorkspace("", &id));
    EXPECT_EQ(ApiClient::Admin().Patch("/v1/admin/workspaces/" + id, R"({"identifier_field": "email"})").status, 200);
    ASSERT_EQ(api.Post("/v1/contacts", R"({"email": "a@x.io"})").status, 201);
    const Reply locked = ApiClient::Admin().Patch("/v1/admin/workspaces/" + id, R"({"identifier_field": "phone"})");
    EXPECT_EQ(locked.status, 409);
    EXPECT_EQ(locked.Text("error.code"), "IDENTIFIER_FIELD_IN_USE");
}

TEST(AdminApiTest, KeysAreCreatedWithAScopeAndRevoked) {
    std::string id;
    NewWorkspace("", &id);
    const Reply bad_scope = ApiClient::Admin().Post("/v1/admin/workspaces/" + id + "/keys", R"({"scope": "admin"})");
    EXPECT_EQ(bad_scope.status, 422);
    const Reply key = ApiClient::Admin().Post("/v1/admin/workspaces/" + id + "/keys", R"({"scope": "read"})");
    ASSERT_EQ(key.status, 201);
    EXPECT_EQ(key.Text("scope"), "read");
    const std::string revoke = "/v1/admin/workspaces/" + id + "/keys/" + key.Text("key_id");
    EXPECT_EQ(ApiClient::Admin().Send("DELETE", revoke).status, 204);
    EXPECT_EQ(ApiClient::Admin().Send("DELETE", revoke).status, 404);
    EXPECT_EQ(ApiClient::Admin().Post("/v1/admin/workspaces/nope-" + id + "/keys", "{}").status, 404);
}

TEST(AdminApiTest, AdministrationNeedsTheAdminToken) {
    EXPECT_EQ(ApiClient().Post("/v1/admin/workspaces", R"({"id": "x"})").status, 401);
    EXPECT_EQ(ApiClient(Headers{{"Authorization", "Bearer wrong"}}).Get("/v1/admin/workspaces/x").status, 401);
    const std::string key = NewWorkspace();
    EXPECT_EQ(ApiClient::WithKey(key).Get("/v1/admin/workspaces/x").status, 401) << "a workspace key is no admin";
}

}  // namespace
}  // namespace contactd::testing
