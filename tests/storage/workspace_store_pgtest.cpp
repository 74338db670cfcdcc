// Workspaces and keys against real PostgreSQL.
#include "storage/workspace_store.hpp"

#include "tests/storage/storage_fixtures.hpp"

namespace contactd::testing {
namespace {

class WorkspaceStoreTest : public StorageTest {};

TEST_F(WorkspaceStoreTest, CreatedWorkspaceReadsBackWithItsSettings) {
    const auto record = workspaces_.Get(settings_.id);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->settings.lead_stages, engine::DefaultLeadStages());
    EXPECT_EQ(record->settings.custom_fields, engine::DefaultCustomFields());
    EXPECT_EQ(record->settings.default_country, "US");
    EXPECT_EQ(record->webhook_secret.size(), 64u);
    EXPECT_EQ(record->created_at, kTestNow);
}

TEST_F(WorkspaceStoreTest, AnExistingIdCannotBeCreatedAgain) {
    EXPECT_FALSE(workspaces_.Create(settings_, kTestNow).has_value());
}

TEST_F(WorkspaceStoreTest, KeysAuthenticateUntilRevoked) {
    const auto key = workspaces_.CreateKey(settings_.id, storage::KeyScope::kRead, kTestNow);
    ASSERT_TRUE(key.has_value());
    const auto principal = workspaces_.Authenticate(key->api_key);
    ASSERT_TRUE(principal.has_value());
    EXPECT_EQ(principal->workspace.id, settings_.id);
    EXPECT_EQ(principal->scope, storage::KeyScope::kRead);
    EXPECT_FALSE(workspaces_.Authenticate(key->api_key + "x").has_value());
    EXPECT_TRUE(workspaces_.RevokeKey(settings_.id, key->key_id, kTestNow));
    EXPECT_FALSE(workspaces_.Authenticate(key->api_key).has_value());
    EXPECT_FALSE(workspaces_.RevokeKey(settings_.id, key->key_id, kTestNow)) << "already revoked";
}

TEST_F(WorkspaceStoreTest, KeysAreStoredOnlyAsHashes) {
    const auto key = workspaces_.CreateKey(settings_.id, storage::KeyScope::kWrite, kTestNow);
    EXPECT_EQ(Count("SELECT count(*) FROM api_keys WHERE workspace_id = $1 AND position(convert_to('" + key->api_key +
                    "', 'UTF8') in key_hash) > 0"),
              0);
    EXPECT_FALSE(workspaces_.CreateKey("no-such-workspace", storage::KeyScope::kWrite, kTestNow).has_value());
}

TEST_F(WorkspaceStoreTest, SettingsChangeAndIdentifierIsLockedOnceContactsExist) {
    engine::WorkspaceSettings changed = settings_;
    changed.identifier_field = engine::IdentifierField::kEmail;
    changed.lead_stages = {"A", "B"};
    changed.custom_fields.push_back({"score", engine::CustomFieldType::kNumber, 0});
    changed.suspended = true;
    ASSERT_EQ(workspaces_.Update(changed, kTestNow), storage::UpdateStatus::kUpdated);
    const auto record = workspaces_.Get(settings_.id);
    EXPECT_EQ(record->settings.identifier_field, engine::IdentifierField::kEmail);
    EXPECT_EQ(record->settings.lead_stages, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(record->settings.custom_fields.back().slug, "score");
    EXPECT_TRUE(record->settings.suspended);

    settings_ = record->settings;
    ASSERT_TRUE(CommitOne(R"({"email": "a@x.io"})").outcome.ok());
    changed.identifier_field = engine::IdentifierField::kPhone;
    EXPECT_EQ(workspaces_.Update(changed, kTestNow), storage::UpdateStatus::kIdentifierInUse);
    changed.id = "no-such-workspace";
    EXPECT_EQ(workspaces_.Update(changed, kTestNow), storage::UpdateStatus::kNotFound);
}

}  // namespace
}  // namespace contactd::testing
